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
from sanctuary_atlas.measures.api import MeasuresAPI
from sanctuary_atlas.policies.api import PoliciesAPI
from sanctuary_atlas.store import Store

UNIT_LEVELS = ("state", "county", "aor")
# An AOR counts as adopting a policy in the month when half its residents live under it.
AOR_POPULATION_SHARE = 0.5


def unit_series(store: Store, level: str, measure: str) -> pl.DataFrame:
    """unit, month, outcome for every unit of ``level`` and every month the measure's data
    covers (zero where a covered month had no event; see ``MeasuresAPI.internal_series``).
    Count measures, their ``_per_100k`` and the two shares."""
    if level not in UNIT_LEVELS:
        raise ValueError(f"unit must be one of {', '.join(UNIT_LEVELS)}, not {level!r}")
    units = _units(level)["unit"].to_list()
    series = MeasuresAPI(store).internal_series(level, measure, units)
    return series.select(
        pl.col("area_code").alias("unit"), "month", pl.col("value").alias("outcome")
    )


def _units(level: str) -> pl.DataFrame:
    counties = load_counties()
    column = {"state": "state", "county": "county_fips", "aor": "aor"}[level]
    return counties.select(pl.col(column).alias("unit")).unique().sort("unit")


def _any_in_force(panel: pl.DataFrame, own_only: bool) -> pl.Expr:
    """Whether an entry of any kind the panel holds is in force (``policy`` may be a glob of
    kinds: ``287g_*``): the jurisdiction's own, or with ``own_only`` false also its state's or
    a place's inside it (``<kind>__state``, ``<kind>__place``). No kind matched: never."""
    flags = [
        c
        for c in panel.columns
        if c not in ("jurisdiction_fips", "month") and not (own_only and "__" in c)
    ]
    return pl.any_horizontal(flags) if flags else pl.lit(False)


def adoption(store: Store, policy: str, level: str, start: date, end: date) -> pl.DataFrame:
    """unit, first_treated (first month the policy is in force, or null), treated_at_start,
    exits (the policy ended again before ``end``)."""
    policies = PoliciesAPI(store)
    counties = load_counties()
    if level == "state":
        panel = policies.panel(start, end, level="state", kinds=policy)
        in_force = panel.select(
            pl.col("jurisdiction_fips").alias("state_fips"),
            "month",
            _any_in_force(panel, own_only=True).alias("on"),
        )
        fips_to_usps = counties.select("state_fips", "state").unique()
        by_unit = in_force.join(fips_to_usps, on="state_fips").select(
            pl.col("state").alias("unit"), "month", "on"
        )
    else:
        panel = policies.panel(start, end, level="county", kinds=policy)
        county_on = panel.select(
            pl.col("jurisdiction_fips").alias("county_fips"),
            "month",
            _any_in_force(panel, own_only=False).alias("on"),
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
