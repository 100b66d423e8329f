"""Periods read from the store: the months each measure has figures for, and the defaults
derived from them (the web map's period, a comparison's window). The population year of a
month is ``published.population_year``. No default period is written as a literal anywhere:
the store says what it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from sanctuary_atlas.measures.definitions import DERIVED_BY_NAME, check_measures
from sanctuary_atlas.measures.published import covered_months
from sanctuary_atlas.store import Store

YEAR_MONTHS = 12


class NoDataError(ValueError):
    """No release in the store covers the measure: there is no period to default to."""


def count_measures_of(measure: str) -> list[str]:
    """The count measures a measure is computed from (itself, or a ratio's parts)."""
    check_measures([measure])
    derived = DERIVED_BY_NAME.get(measure)
    if derived is None:
        return [measure]
    return [m for m in (derived.numerator, derived.denominator) if m]


def measure_months(store: Store, measure: str) -> list[date]:
    """The whole months some counted release covers for ``measure`` (for a ratio, the months
    both its parts cover), in order."""
    parts = count_measures_of(measure)
    months = covered_months(store, parts, None, None)
    per_part = months.group_by("month").agg(pl.col("measure").n_unique().alias("parts"))
    return sorted(per_part.filter(pl.col("parts") == len(parts))["month"].to_list())


def measure_span(store: Store, measure: str) -> tuple[date, date]:
    """First and last month with figures for ``measure``."""
    months = measure_months(store, measure)
    if not months:
        raise NoDataError(f"no release in this store covers {measure!r}")
    return months[0], months[-1]


def latest_year(months: Sequence[date]) -> tuple[date, date]:
    """The latest twelve months with figures (fewer when the record is shorter): the period a
    view opens on, the most recent complete one of its measure."""
    if not months:
        raise NoDataError("no months with figures")
    ordered = sorted(months)
    return ordered[max(0, len(ordered) - YEAR_MONTHS)], ordered[-1]
