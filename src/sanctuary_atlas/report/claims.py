"""The claims report: each claim check of ``atlas.analysis.claims()`` with its question, what the
record shows, its figures as a chart and its limits. No verdict: the checks state none."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from sanctuary_atlas.analysis.claim_check import ClaimCheck
from sanctuary_atlas.atlas import Atlas
from sanctuary_atlas.report import charts, html, provenance
from sanctuary_atlas.report.build import Written


@dataclass(frozen=True)
class Plot:
    """Which column of a claim's figures to chart, how to read it, and what the two groups
    of its comparison are."""

    column: str
    title: str
    kind: str
    groups: tuple[str, str]  # treated, control
    separate: bool = False  # groups of very different size: a panel each


PLOTS: dict[str, list[Plot]] = {
    "at_large_without_cooperation": [
        Plot(
            "at_large_share",
            "At-large share of arrests",
            "share",
            ("AORs with detainer limits", "Other AORs"),
        )
    ],
    "detainer_limits_backlog": [
        Plot(
            "detainers",
            "Encounters ending in a detainer",
            "count",
            ("States with a detainer limit", "Other states"),
            separate=True,
        ),
        Plot(
            "custodial",
            "Custodial arrests",
            "count",
            ("States with a detainer limit", "Other states"),
            separate=True,
        ),
    ],
    "surge_2020": [
        Plot(
            "index",
            "Index, month before the deployment = 100",
            "index",
            ("The nine AORs of the 2020 deployment", "Other AORs"),
        )
    ],
    "surge_2025": [
        Plot(
            "index",
            "Index, month before each operation = 100",
            "index",
            ("Operation AORs", "Other AORs"),
        )
    ],
}
GENERIC = Plot("value", "Figure", "count", ("Compared areas", "Other areas"), separate=True)


def claim_charts(check: ClaimCheck) -> list[tuple[Plot, charts.Rendered]]:
    found = []
    for plot in PLOTS.get(check.key, [GENERIC]):
        if plot.column not in check.figures.columns or check.figures.is_empty():
            continue
        treated, control = plot.groups
        data = check.figures.select(
            "month",
            pl.col(plot.column).cast(pl.Float64).alias("value"),
            pl.col("group")
            .replace_strict({"treated": treated, "control": control}, default=pl.col("group"))
            .alias("series"),
        ).sort(pl.col("series") != treated, "month")  # the compared group first
        label = f"Line chart: {plot.title}, {treated} and {control.lower()}, by month"
        found.append((plot, charts.render(f"{check.key}-{plot.column}", label, _draw(plot, data))))
    return found


def _draw(plot: Plot, data: pl.DataFrame) -> Callable[[int], charts.Spec]:
    def spec(width: int) -> charts.Spec:
        return charts.group_spec(data, plot.kind, width, y_title=plot.title, facet=plot.separate)

    return spec


def build_claims_report(atlas: Atlas, out: Path, *, png_dir: Path | None = None) -> Written:
    started = time.perf_counter()
    atlas.measures.ensure_panel()
    checks = [(check, claim_charts(check)) for check in atlas.analysis.claims()]
    context = {
        "about": provenance.ABOUT,
        "checks": checks,
        "atlas_withheld": provenance.atlas_withheld(atlas),
        "threshold": provenance.threshold(atlas),
        "releases": provenance.release_coverage(atlas),
        "caveats": provenance.caveats(None),
        "sources": provenance.SOURCES,
        **provenance.stamp(),
    }
    written = html.write_page("claims.html", context, out)
    rendered = [r for _, found in checks for _, r in found]
    pngs = html.write_pngs(rendered, png_dir, "claims") if png_dir else []
    return Written(written, pngs, time.perf_counter() - started)
