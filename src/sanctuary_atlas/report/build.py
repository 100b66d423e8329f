"""The area report: gathers published figures, policies and provenance for one area, renders
the charts and the map, and hands the page to ``html``."""

from __future__ import annotations

import re
import string
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from sanctuary_atlas.atlas import Atlas
from sanctuary_atlas.geography.reference import load_counties
from sanctuary_atlas.measures.areas import Area
from sanctuary_atlas.measures.definitions import check_measures
from sanctuary_atlas.policies.operations import operations_frame
from sanctuary_atlas.policies.queries import UnknownJurisdictionError
from sanctuary_atlas.report import charts, html, maps, provenance
from sanctuary_atlas.report.figures import (
    Figures,
    Period,
    arrest_rates,
    available,
    measure_kind,
    measure_label,
)

# Policies are recorded for states, counties and places; an AOR or the nation has none.
POLICY_LEVELS = ("state", "county")
Y_TITLES = {
    "count": "Per month",
    "average": "People held, daily average",
    "share": "Share",
    "per_100k": "Per 100,000 residents",
}


@dataclass(frozen=True)
class ChartPlan:
    key: str
    title: str
    measures: list[str]


DEFAULT_CHARTS = (
    ChartPlan(
        "arrests", "Custodial and at-large arrests", ["arrests_custodial", "arrests_at_large"]
    ),
    ChartPlan("detainers", "Encounters and detainers", ["encounters", "encounters_detainer"]),
    ChartPlan("removals", "Removals", ["removals"]),
    ChartPlan("detention", "People in ICE detention", ["detained_adp"]),
)


@dataclass
class Chart:
    plan: ChartPlan
    rendered: charts.Rendered
    span: str
    table: list[dict[str, Any]]
    columns: list[str]
    kind: str
    withheld: int
    cells: int
    definitions: list[tuple[str, str]] = field(default_factory=list)
    markers: list[charts.Rule] = field(default_factory=list)


def plans_for(measures: list[str] | None) -> list[ChartPlan]:
    """The default charts, or one chart per ``--measure`` (comma-separated measures share
    one chart)."""
    if not measures:
        return list(DEFAULT_CHARTS)
    plans = []
    for given in measures:
        names = check_measures([m.strip() for m in given.split(",") if m.strip()])
        plans.append(
            ChartPlan("-".join(names), " and ".join(measure_label(m) for m in names), names)
        )
    return plans


def _letters() -> list[str]:
    single = list(string.ascii_uppercase)
    return single + [a + b for a in single for b in single]


def policy_entries(atlas: Atlas, area: Area, today: date) -> list[dict[str, Any]]:
    """Every entry that applied in the area, oldest first, each with the letter its start
    date carries on the charts and whether it is in force today."""
    if area.level in ("aor", "nation"):  # no jurisdiction: the operations held there
        frame = operations_frame(area.code if area.level == "aor" else None)
    elif area.level not in POLICY_LEVELS:
        return []
    else:
        try:
            frame = atlas.policies.timeline(area.code)
        except UnknownJurisdictionError:
            return []
    letters = dict(zip(frame["effective_from"].unique().sort(), _letters(), strict=False))
    entries = []
    for row in _grouped(frame).to_dicts():
        address = row["source_address"] or ""
        link = re.search(r"https?://[^\s;,)]+", address)
        entries.append(
            {
                **row,
                "letter": letters[row["effective_from"]],
                "in_force": row["effective_to"] is None or row["effective_to"] >= today,
                "link": link[0] if link else None,
                "address_text": address.replace(link[0], "").strip(" ;,") if link else address,
            }
        )
    return entries


def _grouped(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per policy, source and dates: the DHS list names eight places inside Los
    Angeles County on one day, from one source; a reader needs that once, with the names."""
    same = ["kind", "effective_from", "effective_to", "date_basis", "source_title"]
    return (
        frame.with_row_index("order")
        .group_by(same, maintain_order=True)
        .agg(
            pl.col("order").first(),
            pl.col("jurisdiction_name").unique(maintain_order=True).str.join("; "),
            pl.col("description").first(),
            pl.len().alias("entries"),
            pl.all().exclude(*same, "order", "jurisdiction_name", "description").first(),
        )
        .sort("order")
    )


def _rules(entries: list[dict[str, Any]]) -> list[charts.Rule]:
    labels: dict[tuple[date, str], list[str]] = {}
    for e in entries:
        what = f"{html.kind_label(e['kind'])} ({e['jurisdiction_name']})"
        labels.setdefault((e["effective_from"], e["letter"]), []).append(what)
    return [
        charts.Rule(day, letter, "; ".join(dict.fromkeys(what)))
        for (day, letter), what in labels.items()
    ]


def series_chart(
    figures: Figures, plan: ChartPlan, areas: list[Area], rules: list[charts.Rule]
) -> Chart | None:
    compare = len(areas) > 1
    parts = []
    for area in areas:
        for measure in plan.measures:
            if not available(area, measure):
                continue
            label = measure_label(measure)
            parts.append(
                figures.series(area, measure).select(
                    "month",
                    "value",
                    pl.lit(area.name if compare else label).alias("series"),
                    pl.lit(label).alias("measure"),
                )
            )
    data = pl.concat(parts) if parts else pl.DataFrame()
    if data.is_empty():
        return None
    kind = measure_kind(plan.measures[0])
    dash = compare and len(plan.measures) > 1
    title = f"{plan.title}, {areas[0].name}" + (" and others" if compare else "")
    lines = charts.every_month(data)
    rendered = charts.render(
        plan.key,
        f"Line chart: {title}, by month. The figures are in the table below the chart.",
        lambda width: charts.series_spec(
            lines, kind, rules, width, y_title=Y_TITLES[kind], dash=dash
        ),
    )
    columns = list(dict.fromkeys(f"{s} · {m}" if dash else s for s, m in _pairs(data)))
    wide = (
        data.with_columns(
            (pl.col("series") + " · " + pl.col("measure") if dash else pl.col("series")).alias(
                "column"
            )
        )
        .pivot(on="column", index="month", values="value")
        .sort("month")
    )
    withheld = data["value"].null_count()
    return Chart(
        plan=plan,
        rendered=rendered,
        span=charts.span_label(data),
        table=wide.to_dicts(),
        columns=columns,
        kind=kind,
        withheld=withheld,
        cells=data.height,
        definitions=[(measure_label(m), _definition(figures, m)) for m in plan.measures],
        markers=charts.rules_within(rules, data),
    )


def _pairs(data: pl.DataFrame) -> list[tuple[str, str]]:
    return list(data.select("series", "measure").unique(maintain_order=True).iter_rows())


def _definition(figures: Figures, measure: str) -> str:
    found = figures.atlas.measures.definitions().filter(pl.col("measure") == measure)
    return str(found["definition"][0]) if found.height else ""


def area_map(figures: Figures, area: Area) -> charts.Rendered | None:
    """Counties of the area's state (a county, a state) or of the states an AOR spans; the
    nation as states."""
    counties = load_counties()
    if area.level == "nation":
        layer = maps.state_layer(
            arrest_rates(figures, "state", counties["state"].unique().to_list())
        )
    else:
        if area.level == "aor":
            inside = counties.filter(pl.col("aor") == area.code)
            states = inside["state"].unique().to_list()
        else:
            state = area.code if area.level == "state" else area.name.rpartition(", ")[2]
            inside = counties.filter(pl.col("state") == state)
            states = [state]
        codes = inside["county_fips"].to_list()
        highlight = {area.code} if area.level == "county" else set()
        only = set(codes) if area.level == "aor" else None
        layer = maps.county_layer(states, arrest_rates(figures, "county", codes), highlight, only)
    if not any(v is not None for v in layer.values.values()):
        return None
    return charts.render(
        "map",
        f"Map: ICE arrests per 100,000 residents around {area.name}",
        lambda width: maps.map_spec(layer, width, "Arrests per 100,000 residents"),
    )


@dataclass(frozen=True)
class Written:
    """What a report build wrote, and how long it took."""

    html: Path
    pngs: list[Path]
    seconds: float


def build_area_report(
    atlas: Atlas,
    area: Area,
    out: Path,
    *,
    compare: list[Area] | None = None,
    measures: list[str] | None = None,
    period: Period | None = None,
    png_dir: Path | None = None,
) -> Written:
    started = time.perf_counter()
    atlas.measures.ensure_panel()
    figures = Figures(atlas, period or Period(None, None))
    today = date.today()
    entries = policy_entries(atlas, area, today)
    areas = [area, *(compare or [])]
    built = [series_chart(figures, plan, areas, _rules(entries)) for plan in plans_for(measures)]
    shown = [c for c in built if c is not None]
    skipped = [p.title for p, c in zip(plans_for(measures), built, strict=True) if c is None]
    located = {name: figures.located_share(area, name) for name in ("arrests", "encounters")}
    picture = area_map(figures, area)
    context = {
        "area": area,
        "compare": compare or [],
        "about": provenance.ABOUT,
        "headlines": figures.headlines(area),
        "charts": shown,
        "skipped": skipped,
        "map": picture,
        "policies": entries,
        "in_force": [e for e in entries if e["in_force"]],
        "policy_levels": POLICY_LEVELS,
        "releases": provenance.release_coverage(atlas),
        "located": {k: v for k, v in located.items() if v is not None},
        "withheld": sum(c.withheld for c in shown),
        "cells": sum(c.cells for c in shown),
        "atlas_withheld": provenance.atlas_withheld(atlas),
        "threshold": provenance.threshold(atlas),
        "caveats": provenance.caveats(area),
        "sources": provenance.SOURCES,
        **provenance.stamp(),
    }
    written = html.write_page("area.html", context, out)
    rendered = [c.rendered for c in shown] + ([picture] if picture else [])
    pngs = html.write_pngs(rendered, png_dir, _slug(area.code)) if png_dir else []
    return Written(written, pngs, time.perf_counter() - started)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
