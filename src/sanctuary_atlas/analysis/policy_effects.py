"""The effect of a policy's adoption on a measure: the atlas's panel and policy registry handed
to the staggered difference-in-differences estimators, with the caveats the data calls for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from sanctuary_atlas.analysis.coverage import CoverageError, coverage_caveat
from sanctuary_atlas.analysis.estimators import (
    DidResult,
    PanelError,
    callaway_santanna,
    event_study_figure,
    sun_abraham,
)
from sanctuary_atlas.analysis.units import adoption, unit_series
from sanctuary_atlas.measures.api import MeasuresAPI
from sanctuary_atlas.measures.areas import is_remainder_expr
from sanctuary_atlas.store import Store

_EPOCH_YEAR = 2000


def period_of(month: date) -> int:
    """Months since January 2000: consecutive integers for the estimators."""
    return (month.year - _EPOCH_YEAR) * 12 + month.month - 1


def month_text(period: int) -> str:
    """A period as the month it is, for the caveats a reader sees ("July 2017")."""
    return f"{date(_EPOCH_YEAR + period // 12, period % 12 + 1, 1):%B %Y}"


def period_expr(column: str) -> pl.Expr:
    """``period_of`` as a polars expression over a date column."""
    return (
        (pl.col(column).dt.year().cast(pl.Int64) - _EPOCH_YEAR) * 12
        + pl.col(column).dt.month().cast(pl.Int64)
        - 1
    )


@dataclass(frozen=True)
class PolicyEffect:
    policy: str
    measure: str
    unit: str
    results: list[DidResult]
    adopters: pl.DataFrame  # unit, first_treated
    caveats: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "measure": self.measure,
            "unit": self.unit,
            "adopters": self.adopters.with_columns(
                pl.col("first_treated").cast(pl.String)
            ).to_dicts(),
            "caveats": self.caveats,
            "results": [r.to_dict() for r in self.results],
        }

    def summary(self) -> str:
        lines = [
            f"Effect of {self.policy} on {self.measure}, unit: {self.unit}",
            "Adopting units: "
            + ", ".join(f"{u} ({d:%Y-%m})" for u, d in self.adopters.iter_rows()),
        ]
        lines += [r.summary() for r in self.results]
        return "\n\n".join(lines)

    def figure(self, path: str | Path) -> Path:
        return event_study_figure(
            self.results, path, f"{self.policy}: effect on {self.measure} by {self.unit}"
        )


def estimate_policy_effect(store: Store, policy: str, measure: str, unit: str) -> PolicyEffect:
    series = unit_series(store, unit, measure)
    if series.is_empty():
        raise ValueError(f"no data for {measure!r}: ingest releases and build the panel first")
    first, last = series["month"].min(), series["month"].max()
    assert isinstance(first, date) and isinstance(last, date)
    adopted = adoption(store, policy, unit, first, last)
    caveats = _caveats(store, series, adopted, unit, first, last)
    try:
        covered = coverage_caveat(store, unit, measure, first, last)
    except CoverageError as exc:
        raise PanelError(str(exc)) from exc
    caveats += [covered] if covered else []
    # units with the policy before the data starts have no untreated months: left out
    always = adopted.filter(pl.col("treated_at_start"))["unit"].to_list()
    timing = adopted.filter(~pl.col("treated_at_start")).select(
        "unit",
        period_expr("first_treated").alias("first_treated"),
    )
    panel = (
        series.filter(~pl.col("unit").is_in(always))
        .join(timing, on="unit", how="inner")
        .with_columns(period_expr("month").alias("period"))
        .filter(pl.col("outcome").is_not_null())
        .select("unit", "period", "outcome", "first_treated")
    )
    panel, gap = _longest_unbroken_run(panel)
    caveats += [gap] if gap else []
    if panel.filter(pl.col("first_treated").is_not_null()).is_empty():
        raise ValueError(
            f"no {unit} adopts {policy!r} between {first:%Y-%m} and {last:%Y-%m}: nothing to "
            "estimate"
        )
    estimators: list[tuple[str, Callable[[], DidResult]]] = [
        (
            "Callaway-Sant'Anna",
            lambda: callaway_santanna(
                panel,
                control="never_treated",
                caveats=caveats,
                drop_missing_outcomes=True,
                period_label=month_text,
            ),
        ),
        (
            "Sun-Abraham",
            lambda: sun_abraham(
                panel, caveats=caveats, drop_missing_outcomes=True, period_label=month_text
            ),
        ),
    ]
    results: list[DidResult] = []
    failed: list[str] = []
    # one estimator failing on this panel (it needs cells the other does not) leaves the other
    for name, run in estimators:
        try:
            results.append(run())
        except PanelError as exc:
            failed.append(f"{name} could not be estimated on this panel: {exc}")
    if not results:
        raise PanelError("; ".join(failed))
    caveats = [*caveats, *failed]
    adopters = adopted.filter(
        pl.col("first_treated").is_not_null() & ~pl.col("treated_at_start")
    ).select("unit", "first_treated")
    return PolicyEffect(policy, measure, unit, results, adopters, caveats)


def _longest_unbroken_run(panel: pl.DataFrame) -> tuple[pl.DataFrame, str | None]:
    """The panel over its longest run of consecutive months, and a caveat naming the months
    left out, where a month has no figure at all (every area withheld: the estimators need
    unbroken months)."""
    periods = sorted(set(panel["period"].to_list()))
    if not periods or periods[-1] - periods[0] + 1 == len(periods):
        return panel, None
    runs: list[list[int]] = [[periods[0]]]
    for period in periods[1:]:
        if period == runs[-1][-1] + 1:
            runs[-1].append(period)
        else:
            runs.append([period])
    best = max(runs, key=len)
    missing = sorted(set(range(periods[0], periods[-1] + 1)) - set(periods))
    kept = panel.filter(pl.col("period").is_between(best[0], best[-1]))
    return kept, (
        f"{', '.join(month_text(m) for m in missing)}: no figure for any area (every one "
        f"withheld), so the estimate uses the longest unbroken run of months, "
        f"{month_text(best[0])} to {month_text(best[-1])}"
    )


def _caveats(
    store: Store, series: pl.DataFrame, adopted: pl.DataFrame, unit: str, first: date, last: date
) -> list[str]:
    notes: list[str] = []
    always = adopted.filter(pl.col("treated_at_start")).height
    if always:
        notes.append(
            f"{always} {unit}(s) had the policy before {first:%Y-%m}: left out (no untreated "
            "months to compare)"
        )
    if adopted["exits"].any():
        notes.append("some units dropped the policy again; adoption is treated as permanent")
    if store.published_only():
        missing = series["outcome"].null_count()
        notes.append(
            f"this store is the bundled default atlas (published cells only): {missing:,} of "
            f"{series.height:,} {unit}-months without a published value (withheld small "
            "counts, or shares with no events) are left out, which biases estimates where "
            "small counts are common; a store built from the records (`sanctuary-atlas build`) "
            "estimates over every cell"
        )
    months = series["month"].n_unique()
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    if months < span:
        notes.append(
            f"the data cover {months} of the {span} months from {first:%Y-%m} to {last:%Y-%m} "
            "(a release is missing for the rest, e.g. FY2018 encounters)"
        )
    if unit in ("state", "county"):
        arrests = MeasuresAPI(store).internal_cells(unit, ["arrests"])
        total = float(arrests["value"].sum())
        placed = (
            float(arrests.filter(~is_remainder_expr())["value"].sum()) / total if total else None
        )
        if placed is not None:
            notes.append(
                f"only {placed:.0%} of arrests are placed in a {unit} by the location resolver; "
                "the rest (generic 'GENERAL AREA' landmarks, mostly at-large arrests) are not in "
                "any unit"
            )
    return notes
