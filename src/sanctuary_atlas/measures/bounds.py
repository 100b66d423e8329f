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
counties for its remainder): the bound stays a bound, only looser. Where no stand-in is
published either, the enclosing AORs' total is the bound, or where that is withheld their
total of a measure it is part of (at-large arrests: arrests), or the nation's figure (of the
measure, or of one it is part of), the loosest. A bound is withheld only where the area's
own count is, or all of those are. Coverage uses the exact cells only: where one is withheld,
so is the month's coverage. They assume ICE's AOR field is right: an event of the
``UNKNOWN`` AOR or ``HQ`` placed in no state counts in no state's bound.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from sanctuary_atlas.geography.reference import load_aor_states, load_counties
from sanctuary_atlas.measures.areas import AOR_NO_STATE, UNASSIGNED
from sanctuary_atlas.measures.definitions import PARTITIONS, is_bounded
from sanctuary_atlas.store import Store

BOUND_LEVELS = ("state", "county")
BOUND_PARTS = ("upper", "coverage")  # the column suffixes
NO_STATE = "no_state"  # the AOR level's column suffix: its events placed in no state


def bounded_measures(measures: list[str]) -> list[str]:
    """The measures that get bounds (``definitions.is_bounded``)."""
    return [m for m in measures if is_bounded(m)]


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


def _rooms(
    wide: pl.DataFrame,
    parts: pl.DataFrame,
    named: dict[str, pl.DataFrame],
    key: str,
    measure: str,
) -> pl.DataFrame:
    """Per row of ``wide`` (area_code, month), for each of the ``named`` cell frames: the sum
    of the cells ``parts`` names for its area (columns area_code, ``key``), null where one of
    them is withheld; a cell not stored is a published 0."""
    joined = wide.select("area_code", "month").join(
        parts, on="area_code", how="left", maintain_order="left"
    )
    for name, cells in named.items():
        mine = cells.filter(pl.col("measure") == measure).select(
            pl.col("area_code").alias(key),
            "month",
            pl.when(pl.col("hidden")).then(None).otherwise(pl.col("published")).alias(name),
            pl.col("hidden").alias(f"{name}_hidden"),
        )
        joined = joined.join(mine, on=[key, "month"], how="left", maintain_order="left")

    def room(name: str) -> pl.Expr:
        return (
            pl.when(pl.col(f"{name}_hidden").fill_null(False))
            .then(None)
            .otherwise(pl.col(name).fill_null(0.0))
        )

    if parts["area_code"].is_unique().all():  # one part per area (a county's AOR): no sum
        return joined.select("area_code", "month", *(room(n).alias(n) for n in named))
    return joined.group_by("area_code", "month", maintain_order=True).agg(
        pl.when(pl.col(f"{n}_hidden").fill_null(False).any())
        .then(None)
        .otherwise(pl.col(n).fill_null(0.0).sum())
        .alias(n)
        for n in named
    )


def _has_data(covered: pl.DataFrame, measure: str) -> pl.Expr:
    """Rows of a month some release covers for ``measure`` (``covered``: measure, month): in
    a month none covers there is no data, and a missing cell is not a zero."""
    months = covered.filter(pl.col("measure") == measure)["month"].to_list()
    return pl.col("month").is_in(months)


def _enclosing_measures(measure: str) -> list[str]:
    """The measure and the measures it is a part of, innermost first (at-large arrests,
    arrests): each one's figure is at least the measure's."""
    parent = {part: whole for whole, parts in PARTITIONS.items() for part in parts}
    chain = [measure]
    while chain[-1] in parent:
        chain.append(parent[chain[-1]])
    return chain


def _nation_bounds(
    store: Store, measures: list[str], start: date | None, end: date | None
) -> pl.DataFrame:
    """month, measure, nation: the nation's published figure of the measure, or where that is
    withheld of the innermost measure it is part of: the loosest bound, for months where no
    nearer one is published."""
    frames = []
    for measure in measures:
        chain = _enclosing_measures(measure)
        cells = _cells(store, "nation", chain, start, end).filter(~pl.col("hidden"))
        rank = {name: i for i, name in enumerate(chain)}
        frames.append(
            cells.with_columns(pl.col("measure").replace_strict(rank).alias("rank"))
            .sort("month", "rank")
            .group_by("month", maintain_order=True)
            .agg(pl.col("published").first().alias("nation"))
            .with_columns(pl.lit(measure).alias("measure"))
        )
    return pl.concat(frames).select("month", "measure", "nation")


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
            _rooms(wide, itself, {"room": nowhere}, "aor", m)["room"].alias(f"{m}_{NO_STATE}")
            for m in bounded
        ).with_columns(
            pl.when(_has_data(covered, m)).then(pl.col(f"{m}_{NO_STATE}")).alias(f"{m}_{NO_STATE}")
            for m in bounded
        )
    wholes = sorted({w for m in bounded for w in _enclosing_measures(m)})
    aors = _cells(store, "aor", wholes, start, end)
    states = _cells(store, "state", bounded, start, end)
    nation = _nation_bounds(store, bounded, start, end)
    # a withheld input is stood in for by a published figure at least as large: the bound
    # stays a bound, computed from published cells only, if a looser one
    # the room for unplaced events: with stand-ins for the bound, exact for the coverage;
    # and the enclosing AORs' events, for the coverage and the loosest bound
    covering_cells = {
        "room": _no_state_stand_ins(nowhere, aors, states),
        "exact": nowhere,
        "enclosing": aors,
    }
    remainders: pl.DataFrame | None = None
    remainder_cells: dict[str, pl.DataFrame] = {}
    if level == "state":
        covering = load_aor_states().select(pl.col("state").alias("area_code"), "aor")
    else:
        counties = load_counties()
        covering = counties.select(pl.col("county_fips").alias("area_code"), "aor")
        remainders = counties.select(
            pl.col("county_fips").alias("area_code"),
            (pl.col("state") + "-" + UNASSIGNED).alias("rem"),
        )
        state_of = counties.select(pl.col("county_fips").alias("area_code"), "state")
        in_state = _cells(store, "county", bounded, start, end)
        remainder_cells = {
            "room": _remainder_stand_ins(in_state, states, state_of),
            "exact": in_state,
        }
    columns = []
    for measure in bounded:
        frame = wide.select("area_code", "month", measure).with_columns(
            _rooms(wide, covering, covering_cells, "aor", measure).drop("area_code", "month")
        )
        if remainders is not None:
            rest = _rooms(wide, remainders, remainder_cells, "rem", measure)
            frame = frame.with_columns(pl.col(n) + rest[n] for n in remainder_cells)
        # looser: the enclosing AORs' figures of the measures this one is part of
        wider = [f"enclosing_{whole}" for whole in _enclosing_measures(measure)[1:]]
        frame = frame.with_columns(
            _rooms(wide, covering, {"enclosing": aors}, "aor", whole)["enclosing"].alias(name)
            for whole, name in zip(_enclosing_measures(measure)[1:], wider, strict=True)
        ).join(
            nation.filter(pl.col("measure") == measure).drop("measure"),
            on="month",
            how="left",
            maintain_order="left",
        )
        placed_somewhere = pl.col("area_code").is_in(covering["area_code"].to_list()) & _has_data(
            covered, measure
        )
        # where an input has no stand-in, the enclosing AORs' total still bounds the count,
        # then their total of a measure it is part of (arrests for at-large arrests), then the
        # nation's: a published count always has a bound
        upper = pl.when(placed_somewhere).then(
            pl.coalesce(
                pl.col(measure) + pl.col("room"),
                pl.when(pl.col(measure).is_not_null()).then(
                    pl.coalesce("enclosing", *wider, "nation")
                ),
            )
        )
        coverage = pl.when(placed_somewhere & (pl.col("enclosing") > 0)).then(
            (1 - pl.col("exact") / pl.col("enclosing")).clip(0.0, 1.0)
        )
        columns += [
            frame.select(upper.alias(f"{measure}_upper"))[f"{measure}_upper"],
            frame.select(coverage.alias(f"{measure}_coverage"))[f"{measure}_coverage"],
        ]
    return wide.with_columns(columns)
