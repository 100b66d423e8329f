"""Bounds for figures below the AOR: a state's or county's count is the events ICE's records
place there, which is at least how many happened there. Events the records place in no state,
or in a state but no county, could lie there too, so each count has an upper bound:

- a state: its placed count + the events placed in no state of every AOR that covers it;
- a county: its placed count + its state's events placed in no county + its AOR's events
  placed in no state.

Coverage is the share of the enclosing AORs' events that the bound leaves no doubt about:
``1 - (upper - placed) / (events of the enclosing AORs)``, clipped to [0, 1]; for a state it
is the share of its AORs' events placed in a state. Both are computed from published cells
alone (the AORs' events placed in no state are cells under disclosure control, level
``aor_no_state``), so they reveal nothing a reader could not add up. Where one of those cells
is withheld, a published figure at least as large stands in for it (an AOR's total for its
no-state events, or the nation's no-state events if fewer; a state's total less its published
counties for its remainder): the bound stays a bound, only looser. A bound is withheld only
where the area's own count is, or no stand-in is published. Coverage uses the exact cells
only: where one is withheld, so is the month's coverage. They
assume ICE's AOR field is right: an event of the ``UNKNOWN`` AOR or ``HQ`` placed in no state
counts in no state's bound.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from sanctuary_atlas.geography.reference import load_aor_states, load_counties
from sanctuary_atlas.measures.areas import AOR_NO_STATE, UNASSIGNED
from sanctuary_atlas.measures.definitions import MEASURES_BY_NAME, finest_level
from sanctuary_atlas.store import Store

BOUND_LEVELS = ("state", "county")
BOUND_PARTS = ("upper", "coverage")  # the column suffixes
NO_STATE = "no_state"  # the AOR level's column suffix: its events placed in no state


def bounded_measures(measures: list[str]) -> list[str]:
    """The measures that get bounds: those placed down to the county (not derived ones)."""
    return [m for m in measures if m in MEASURES_BY_NAME and finest_level(m) == "county"]


def _cells(
    store: Store, level: str, measures: list[str], start: date | None, end: date | None
) -> pl.DataFrame:
    """area_code, month, measure, published, hidden: the stored cells of a level."""
    return store.frame(
        """SELECT area_code, month, measure, published, suppressed IS NOT NULL AS hidden
           FROM panel_cells WHERE level = ? AND list_contains(?, measure)
             AND (?::DATE IS NULL OR month >= ?) AND (?::DATE IS NULL OR month <= ?)""",
        [level, measures, start, start, end, end],
    )


def _stand_in(cells: pl.DataFrame, stand_in: pl.DataFrame) -> pl.DataFrame:
    """``cells`` with each withheld value replaced by ``stand_in`` (area_code, month, measure,
    bound: a published figure at least as large), where there is one."""
    return (
        cells.join(stand_in, on=["area_code", "month", "measure"], how="left")
        .with_columns(
            pl.when(pl.col("hidden"))
            .then(pl.col("bound"))
            .otherwise(pl.col("published"))
            .alias("published"),
            (pl.col("hidden") & pl.col("bound").is_null()).alias("hidden"),
        )
        .drop("bound")
    )


def _no_state_stand_ins(
    nowhere: pl.DataFrame, aors: pl.DataFrame, states: pl.DataFrame
) -> pl.DataFrame:
    """An AOR's events placed in no state, or where withheld the smaller of its published
    total and the published events placed in no state nationwide."""
    nation = states.filter((pl.col("area_code") == UNASSIGNED) & ~pl.col("hidden")).select(
        "month", "measure", pl.col("published").alias("nation")
    )
    bound = (
        aors.filter(~pl.col("hidden"))
        .join(nation, on=["month", "measure"], how="left")
        .select(
            "area_code", "month", "measure", pl.min_horizontal("published", "nation").alias("bound")
        )
    )
    return _stand_in(nowhere, bound)


def _remainder_stand_ins(
    counties: pl.DataFrame, states: pl.DataFrame, state_of: pl.DataFrame
) -> pl.DataFrame:
    """A state's events placed in no county, or where withheld its published total less its
    published counties (the remainder plus the withheld counties: at least the remainder)."""
    placed = (
        counties.filter(~pl.col("hidden"))
        .join(state_of, on="area_code")
        .group_by("state", "month", "measure")
        .agg(pl.col("published").sum().alias("counted"))
    )
    bound = (
        states.filter(~pl.col("hidden"))
        .rename({"area_code": "state"})
        .join(placed, on=["state", "month", "measure"], how="left")
        .select(
            (pl.col("state") + "-" + UNASSIGNED).alias("area_code"),
            "month",
            "measure",
            (pl.col("published") - pl.col("counted").fill_null(0.0)).alias("bound"),
        )
    )
    return _stand_in(counties, bound)


def _room(
    wide: pl.DataFrame, parts: pl.DataFrame, cells: pl.DataFrame, key: str, measure: str
) -> pl.DataFrame:
    """Per row of ``wide`` (area_code, month): the sum of the cells ``parts`` names for its
    area (columns area_code, ``key``), null where one of them is withheld; a cell not stored
    is a published 0."""
    mine = cells.filter(pl.col("measure") == measure).select(
        pl.col("area_code").alias(key), "month", "published", "hidden"
    )
    return (
        wide.select("area_code", "month")
        .join(parts, on="area_code", how="left", maintain_order="left")
        .join(mine, on=[key, "month"], how="left", maintain_order="left")
        .group_by("area_code", "month", maintain_order=True)
        .agg(
            pl.when(pl.col("hidden").fill_null(False).any())
            .then(None)
            .otherwise(pl.col("published").fill_null(0.0).sum())
            .alias("room")
        )
    )


def _has_data(covered: pl.DataFrame, measure: str) -> pl.Expr:
    """Rows of a month some release covers for ``measure`` (``covered``: measure, month): in
    a month none covers there is no data, and a missing cell is not a zero."""
    months = covered.filter(pl.col("measure") == measure)["month"].to_list()
    return pl.col("month").is_in(months)


def with_bounds(
    store: Store,
    wide: pl.DataFrame,
    level: str,
    measures: list[str],
    start: date | None,
    end: date | None,
    covered: pl.DataFrame,
) -> pl.DataFrame:
    """``wide`` (a published state or county panel) with ``<m>_upper`` and ``<m>_coverage``
    for each bounded measure; an AOR panel with ``<m>_no_state``, the AOR's events placed in
    no state (what its states' bounds add). The nation has nothing to bound."""
    bounded = bounded_measures(measures)
    if level not in (*BOUND_LEVELS, "aor") or not bounded:
        return wide
    nowhere = _cells(store, AOR_NO_STATE, bounded, start, end)
    if level == "aor":  # the AORs' own share of the bounds, published for a reader to check
        itself = wide.select("area_code").unique().with_columns(pl.col("area_code").alias("aor"))
        return wide.with_columns(
            _room(wide, itself, nowhere, "aor", m)["room"].alias(f"{m}_{NO_STATE}") for m in bounded
        ).with_columns(
            pl.when(_has_data(covered, m)).then(pl.col(f"{m}_{NO_STATE}")).alias(f"{m}_{NO_STATE}")
            for m in bounded
        )
    aors = _cells(store, "aor", bounded, start, end)
    states = _cells(store, "state", bounded, start, end)
    # a withheld input is stood in for by a published figure at least as large: the bound
    # stays a bound, computed from published cells only, if a looser one
    exact_nowhere, nowhere = nowhere, _no_state_stand_ins(nowhere, aors, states)
    if level == "state":
        covering = load_aor_states().select(pl.col("state").alias("area_code"), "aor")
        extra = exact_extra = None
    else:
        counties = load_counties()
        covering = counties.select(pl.col("county_fips").alias("area_code"), "aor")
        remainders = counties.select(
            pl.col("county_fips").alias("area_code"),
            (pl.col("state") + "-" + UNASSIGNED).alias("rem"),
        )
        state_of = counties.select(pl.col("county_fips").alias("area_code"), "state")
        exact_extra = _cells(store, "county", bounded, start, end)
        extra = _remainder_stand_ins(exact_extra, states, state_of)
    columns = []
    keys = ["area_code", "month"]
    for measure in bounded:
        frame = wide.select("area_code", "month", measure)
        # the room for unplaced events: with stand-ins for the bound, exact for the coverage
        rooms = (("room", nowhere, extra), ("exact", exact_nowhere, exact_extra))
        for name, no_state, in_state in rooms:
            room = _room(wide, covering, no_state, "aor", measure).rename({"room": name})
            frame = frame.join(room, on=keys, how="left", maintain_order="left")
            if in_state is not None:
                rest = _room(wide, remainders, in_state, "rem", measure)["room"]
                frame = frame.with_columns(pl.col(name) + rest)
        total = _room(wide, covering, aors, "aor", measure).rename({"room": "enclosing"})
        frame = frame.join(total, on=keys, how="left", maintain_order="left")
        placed_somewhere = pl.col("area_code").is_in(covering["area_code"].to_list()) & _has_data(
            covered, measure
        )
        upper = pl.when(placed_somewhere).then(pl.col(measure) + pl.col("room"))
        coverage = pl.when(placed_somewhere & (pl.col("enclosing") > 0)).then(
            (1 - pl.col("exact") / pl.col("enclosing")).clip(0.0, 1.0)
        )
        columns += [
            frame.select(upper.alias(f"{measure}_upper"))[f"{measure}_upper"],
            frame.select(coverage.alias(f"{measure}_coverage"))[f"{measure}_coverage"],
        ]
    return wide.with_columns(columns)
