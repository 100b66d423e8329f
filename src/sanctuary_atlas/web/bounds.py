"""What a state or county page says about counts the records may place too low: the period's
placed count, its upper bound and coverage (``measures.bounds``), and the enclosing AORs'
figures a reader should weigh it against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from sanctuary_atlas.measures.areas import Area, catalogue, is_remainder
from sanctuary_atlas.measures.bounds import BOUND_LEVELS, bounded_measures
from sanctuary_atlas.web.service import AtlasView

# Below this coverage a page leads with the enclosing AOR's figure: most events that could lie
# in the area are placed in no smaller area, so its own figure says little.
LOW_COVERAGE = 0.5


@dataclass(frozen=True)
class BoundSummary:
    placed: float  # the period's published months, summed
    upper: float | None  # over the same months; None where a month's bound is withheld
    coverage: float | None  # the mean of the months' coverage
    # the enclosing AORs, the sum of their published months, and how many months are withheld
    aors: list[tuple[Area, float, int]]

    @property
    def low(self) -> bool:
        """Coverage under the threshold, or not known (withheld): lead with the AOR."""
        return self.coverage is None or self.coverage < LOW_COVERAGE

    @property
    def uncertain(self) -> bool:
        return self.upper is None or self.upper > self.placed


def bounds_frame(
    view: AtlasView, area: Area, measure: str, first: date, last: date
) -> pl.DataFrame | None:
    """month, ``<measure>_upper``, ``<measure>_coverage`` for a state or county (None for
    other levels, remainder areas and measures not placed down to the county)."""
    if area.level not in BOUND_LEVELS or is_remainder(area.code) or not bounded_measures([measure]):
        return None
    frame = view.bounds(area.level, measure, first, last, area.code)
    return frame.select("month", measure, f"{measure}_upper", f"{measure}_coverage")


def summarise(
    view: AtlasView, area: Area, measure: str, frame: pl.DataFrame, first: date, last: date
) -> BoundSummary:
    # the period's published months: a withheld month has neither a count nor a bound
    upper = frame.filter(pl.col(measure).is_not_null())[f"{measure}_upper"]
    coverage = frame[f"{measure}_coverage"]
    aors = []
    for aor in (a for a in catalogue().enclosing(area) if a.level == "aor"):
        figures = view.panel("aor", (measure,), first, last, (aor.code,))[measure]
        aors.append((aor, float(figures.sum()), figures.null_count()))
    return BoundSummary(
        placed=float(frame[measure].sum()),
        upper=None if upper.null_count() else float(upper.sum()),
        coverage=None if coverage.null_count() == coverage.len() else coverage.mean(),  # type: ignore[arg-type]
        aors=aors,
    )
