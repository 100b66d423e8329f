"""Reading the panel as it may leave the program: published counts only (suppressed cells are
empty), zeros where a covered month had no event, nothing where no release covers the month,
and ratio and per-capita measures computed from the published counts alone — so that no
derived figure can reveal a suppressed one.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import polars as pl

from sanctuary_atlas.geography.reference import (
    POPULATION_COLUMNS,
    POPULATION_YEARS,
    load_counties,
    load_other_population,
)
from sanctuary_atlas.measures.areas import area_names
from sanctuary_atlas.measures.bounds import (
    BOUND_LEVELS,
    BOUND_PARTS,
    NO_STATE,
    bounded_measures,
    with_bounds,
)
from sanctuary_atlas.measures.definitions import (
    DERIVED_BY_NAME,
    MEASURES_BY_NAME,
    NATION_ONLY_TABLES,
    UNPLACED_TABLES,
    check_measures,
)
from sanctuary_atlas.measures.panel import LEVELS, NATION
from sanctuary_atlas.store import Store


class PanelQueryError(ValueError):
    """A panel request the atlas cannot answer as asked (bad level, months, measures)."""


@cache
def population(level: str) -> pl.DataFrame:
    """area_code, year, population: residents by area and year (Census estimates; the years
    are those the bundled table holds). Connecticut's planning regions (2020 on) count in the
    state, AOR and nation; its old counties have no estimate after 2019."""
    counties = load_counties()
    columns = list(POPULATION_COLUMNS)
    key = {
        "nation": pl.lit(NATION),
        "aor": pl.col("aor"),
        "state": pl.col("state"),
        "county": pl.col("county_fips"),
    }[level]
    frames = [counties.select(pl.col("county_fips").alias("fips"), "state", "aor", *columns)]
    if level != "county":
        other = load_other_population()
        frames.append(
            other.select(
                pl.col("area_fips").alias("fips"),
                "state",
                "aor",
                *[
                    pl.col(c) if c in other.columns else pl.lit(None, dtype=pl.Int64).alias(c)
                    for c in columns
                ],
            )
        )
    long = (
        pl.concat(frames)
        .rename({"fips": "county_fips"})
        .unpivot(
            index=["county_fips", "state", "aor"],
            on=columns,
            variable_name="year",
            value_name="population",
        )
        .with_columns(pl.col("year").str.slice(-4).cast(pl.Int32))
        .filter(pl.col("population").is_not_null())
    )
    # an area none of whose counties has an estimate (Puerto Rico: the 2010-2019 estimates
    # leave it out) has no population, not zero residents: its rates are not known, never inf
    known = pl.col("population").count() > 0
    return long.group_by(key.alias("area_code"), "year").agg(
        pl.when(known).then(pl.col("population").sum()).alias("population")
    )


def population_year(month: pl.Expr) -> pl.Expr:
    """The Census estimate year used for a month: its own year, clipped to the years the
    bundled estimates hold (the first for earlier months, the latest for later ones)."""
    return month.dt.year().clip(POPULATION_YEARS[0], POPULATION_YEARS[-1]).cast(pl.Int32)


def _months(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    if start and end and start > end:
        raise PanelQueryError(f"--from {start:%Y-%m} is after --to {end:%Y-%m}")
    return start, end


def covered_months(
    store: Store, measures: list[str], start: date | None, end: date | None
) -> pl.DataFrame:
    """measure, month: the whole months a counted release covers. A month a release covers only
    in part (FY2019 ends on 31 August but holds a few events of 1 September) is left out:
    its figure would read as a collapse."""
    tables = {m: MEASURES_BY_NAME[m].table for m in measures}
    table_of = {"detention": "detention_headcount"}
    pairs = pl.DataFrame(
        {"measure": list(tables), "table_name": [table_of.get(t, t) for t in tables.values()]},
        schema={"measure": pl.String, "table_name": pl.String},
    )
    # every release's months, asked of the store once while it is read-only (the web app)
    months = store.frame_kept(
        """SELECT DISTINCT table_name, m::DATE AS month
           FROM releases r, generate_series(date_trunc('month', r.coverage_start),
                                            date_trunc('month', r.coverage_end),
                                            INTERVAL 1 MONTH) AS g(m)
           WHERE r.is_complete AND r.coverage_start <= m
             AND r.coverage_end >= last_day(m::DATE)"""
    )
    if start is not None:
        months = months.filter(pl.col("month") >= start)
    if end is not None:
        months = months.filter(pl.col("month") <= end)
    return pairs.join(months, on="table_name").select("measure", "month")


def published_panel(
    store: Store,
    level: str,
    measures: list[str],
    start: date | None = None,
    end: date | None = None,
    areas: list[str] | None = None,
    bounds: bool = False,
) -> pl.DataFrame:
    """level, area_code, area_name, month, one column per measure (NULL: suppressed or no
    data); with ``bounds``, at state and county level ``<measure>_upper`` and
    ``<measure>_coverage`` for each bounded measure (``measures.bounds``)."""
    if level not in LEVELS:
        raise PanelQueryError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    check_measures(measures)
    start, end = _months(start, end)
    counts = sorted(
        {m for m in measures if m in MEASURES_BY_NAME}
        | {
            d
            for name in measures
            if (dm := DERIVED_BY_NAME.get(name))
            for d in (dm.numerator, dm.denominator)
            if d
        }
    )
    # rows are built in (area_code, month) order, so the sort at the end is usually a check
    names = area_names(level).sort("area_code")
    if areas is not None:
        unknown = sorted(set(areas) - set(names["area_code"]))
        if unknown:
            raise PanelQueryError(f"unknown {level} area code(s): {', '.join(unknown)}")
        names = names.filter(pl.col("area_code").is_in(areas))
    cells = store.frame(
        """SELECT area_code, month, measure, published, suppressed IS NOT NULL AS hidden
           FROM panel_cells WHERE level = ? AND list_contains(?, measure)
             AND (?::DATE IS NULL OR month >= ?) AND (?::DATE IS NULL OR month <= ?)
             AND (?::VARCHAR[] IS NULL OR list_contains(?, area_code))""",
        [level, counts, start, start, end, end, areas, areas],
    )
    covered = covered_months(store, counts, start, end)
    if level in ("state", "county"):
        covered = covered.filter(
            ~pl.col("measure").is_in(
                [m for m in counts if MEASURES_BY_NAME[m].table in UNPLACED_TABLES]
            )
        )
    if level != "nation":
        covered = covered.filter(
            ~pl.col("measure").is_in(
                [m for m in counts if MEASURES_BY_NAME[m].table in NATION_ONLY_TABLES]
            )
        )
    # one frame per measure (its areas x the months it covers), joined: a measure's rows exist
    # for the months its releases cover, null where another covers months it does not
    keys = ["area_code", "area_name", "month"]
    wide = pl.DataFrame(schema={"area_code": pl.String, "area_name": pl.String, "month": pl.Date})
    for name in counts:
        part = (
            names.join(
                covered.filter(pl.col("measure") == name).select("month").sort("month"), how="cross"
            )
            .join(
                cells.filter(pl.col("measure") == name),
                on=["area_code", "month"],
                how="left",
                maintain_order="left",
            )
            .select(
                *keys,
                pl.when(pl.col("hidden").fill_null(False))
                .then(None)
                .otherwise(pl.col("published").fill_null(0.0))
                .cast(pl.Float64)
                .alias(name),
            )
        )
        wide = (
            wide.join(part, on=keys, how="full", coalesce=True, maintain_order="left_right")
            if wide.width > 3
            else part
        )
    wide = with_derived(wide, level, measures)
    columns = ["level", "area_code", "area_name", "month", *measures]
    if bounds and level != "nation":
        wide = with_bounds(store, wide, level, measures, start, end, covered)
        parts = BOUND_PARTS if level in BOUND_LEVELS else (NO_STATE,)
        columns += [f"{m}_{part}" for m in bounded_measures(measures) for part in parts]
    return _in_area_month_order(wide.with_columns(pl.lit(level).alias("level")).select(columns))


def _in_area_month_order(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` sorted by area and month. It is checked first: the panel is built in that
    order, and sorting a county panel costs more than building it."""
    if frame.select(pl.struct("area_code", "month")).to_series().is_sorted():
        return frame
    return frame.sort("area_code", "month")


def with_population(frame: pl.DataFrame, level: str) -> pl.DataFrame:
    """``frame`` (area_code, month, ...) with the residents of each area in the month's year
    (``population``; the nearest estimate outside the years the estimates cover)."""
    return frame.with_columns(population_year(pl.col("month")).alias("year")).join(
        population(level), on=["area_code", "year"], how="left", maintain_order="left"
    )


def with_derived(wide: pl.DataFrame, level: str, measures: list[str]) -> pl.DataFrame:
    """The one computation of derived measures: each share and per-capita measure of
    ``measures`` as a column of ``wide`` (area_code, month, a column per count measure they
    derive from). A share is null where its denominator is zero."""
    per_capita = [
        DERIVED_BY_NAME[m]
        for m in measures
        if m in DERIVED_BY_NAME and DERIVED_BY_NAME[m].denominator is None
    ]
    if per_capita:
        wide = with_population(wide, level)
    for name in measures:
        derived = DERIVED_BY_NAME.get(name)
        if derived is None:
            continue
        expr: pl.Expr
        if derived.denominator:
            expr = pl.when(pl.col(derived.denominator) > 0).then(
                pl.col(derived.numerator) / pl.col(derived.denominator)
            )
        else:
            expr = pl.col(derived.numerator) / pl.col("population") * derived.scale
        wide = wide.with_columns(expr.alias(name))
    return wide
