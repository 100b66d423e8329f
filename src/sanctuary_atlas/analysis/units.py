"""Analysis units: internal measure series by unit and month, and when each unit adopted a
policy.

Estimates are statistical summaries over many cells, so they read the panel's internal values;
everything they print is an aggregate (an effect, an interval), never a cell. A store
materialised from the bundled default atlas has published values only: there the withheld
cells are missing outcomes, and the estimate says how many it left out. Remainder areas
(events not placed in a state or county, unknown AORs) are not units.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from sanctuary_atlas.geography.reference import load_counties
from sanctuary_atlas.measures.definitions import DERIVED_BY_NAME, MEASURES_BY_NAME
from sanctuary_atlas.measures.published import population, population_year
from sanctuary_atlas.policies.api import PoliciesAPI
from sanctuary_atlas.store import Store

UNIT_LEVELS = ("state", "county", "aor")
# An AOR counts as adopting a policy in the month when half its residents live under it.
AOR_POPULATION_SHARE = 0.5


def _remainder(level: str) -> pl.Expr:
    code = pl.col("area_code")
    if level == "aor":
        return code.is_in(["HQ", "UNKNOWN"])
    return code.str.contains("UNASSIGNED")


def unit_series(store: Store, level: str, measure: str) -> pl.DataFrame:
    """unit, month, outcome for every unit of ``level`` and every month the measure's data
    covers (zero where a covered month had no event). Count measures, their ``_per_100k``
    and the two shares."""
    if level not in UNIT_LEVELS:
        raise ValueError(f"unit must be one of {', '.join(UNIT_LEVELS)}, not {level!r}")
    derived = DERIVED_BY_NAME.get(measure)
    base = [measure] if measure in MEASURES_BY_NAME else []
    if derived:
        base = [derived.numerator] + ([derived.denominator] if derived.denominator else [])
    if not base:
        raise ValueError(f"unknown measure {measure!r}")
    cells = store.frame(
        "SELECT area_code, month, measure, value FROM panel_cells "
        "WHERE level = ? AND list_contains(?, measure)",
        [level, base],
    ).filter(~_remainder(level))
    months = store.frame(
        "SELECT DISTINCT month FROM panel_cells WHERE level = 'nation' AND measure = ?", [base[0]]
    )
    units = _units(level)
    grid = units.join(months, how="cross")
    withheld: list[pl.Expr] = []
    for name in base:
        part = cells.filter(pl.col("measure") == name).select(
            pl.col("area_code").alias("unit"),
            "month",
            pl.col("value").alias(name),
            pl.col("value").is_null().alias(f"{name}__withheld"),
        )
        # no cell: no event that month (zero); a cell without a value: withheld (unknown)
        grid = grid.join(part, on=["unit", "month"], how="left").with_columns(
            pl.col(name).fill_null(0.0)
        )
        withheld.append(pl.col(f"{name}__withheld").fill_null(False))
    outcome: pl.Expr
    if derived and derived.denominator:
        outcome = pl.when(pl.col(derived.denominator) > 0).then(
            pl.col(derived.numerator) / pl.col(derived.denominator)
        )
    elif derived:
        people = population(level).rename({"area_code": "unit"})
        grid = grid.with_columns(population_year(pl.col("month")).alias("year")).join(
            people, on=["unit", "year"], how="left"
        )
        outcome = pl.col(derived.numerator) / pl.col("population") * derived.scale
    else:
        outcome = pl.col(measure)
    # a store built from the records knows every value; the bundled default atlas does not
    # know the withheld ones, which then drop out of the estimate rather than count as zero
    outcome = pl.when(~pl.any_horizontal(withheld)).then(outcome)
    return grid.select("unit", "month", outcome.alias("outcome")).sort("unit", "month")


def _units(level: str) -> pl.DataFrame:
    counties = load_counties()
    column = {"state": "state", "county": "county_fips", "aor": "aor"}[level]
    return counties.select(pl.col(column).alias("unit")).unique().sort("unit")


def adoption(store: Store, policy: str, level: str, start: date, end: date) -> pl.DataFrame:
    """unit, first_treated (first month the policy is in force, or null), treated_at_start,
    exits (the policy ended again before ``end``)."""
    policies = PoliciesAPI(store)
    counties = load_counties()
    if level == "state":
        panel = policies.panel(start, end, level="state", kinds=policy)
        in_force = panel.select(
            pl.col("jurisdiction_fips").alias("state_fips"), "month", pl.col(policy).alias("on")
        )
        fips_to_usps = counties.select("state_fips", "state").unique()
        by_unit = in_force.join(fips_to_usps, on="state_fips").select(
            pl.col("state").alias("unit"), "month", "on"
        )
    else:
        panel = policies.panel(start, end, level="county", kinds=policy)
        routes = [c for c in panel.columns if c.startswith(policy)]
        county_on = panel.select(
            pl.col("jurisdiction_fips").alias("county_fips"),
            "month",
            pl.any_horizontal(routes).alias("on"),
        )
        if level == "county":
            by_unit = county_on.rename({"county_fips": "unit"})
        else:
            weights = counties.select("county_fips", "aor", pl.col("population").cast(pl.Float64))
            by_unit = (
                county_on.join(weights, on="county_fips")
                .group_by(pl.col("aor").alias("unit"), "month")
                .agg(
                    (
                        (pl.col("population") * pl.col("on").cast(pl.Float64)).sum()
                        / pl.col("population").sum()
                        >= AOR_POPULATION_SHARE
                    ).alias("on")
                )
            )
    return (
        by_unit.sort("unit", "month")
        .group_by("unit", maintain_order=True)
        .agg(
            pl.col("month").filter(pl.col("on")).min().alias("first_treated"),
            pl.col("on").first().alias("treated_at_start"),
            (pl.col("on").cast(pl.Int8).diff() < 0).any().alias("exits"),
        )
    )
