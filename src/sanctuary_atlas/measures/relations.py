"""Every additive identity a reader can form from the panel's cells, for disclosure control.

The panel publishes the same events several times over: by AOR, by state, by county, by
measure and its parts. Each way of cutting the events adds up to the same total, so each is a
relation among cells. In one month, for one measure:

- the nation is the sum of its AORs (``HQ`` and ``UNKNOWN`` included);
- the nation is the sum of its states (with ``UNASSIGNED``, the events placed in no state) —
  a relation of its own, not one relation with the AORs (that sum would be twice the nation);
- each state is the sum of its counties and its remainder ``XX-UNASSIGNED``; the state-level
  ``UNASSIGNED`` is the county-level one;
- the AORs and the states (counties) their events lie in fall into connected groups; where
  every event of a group's AORs was placed in a state (county) — people held in detention
  facilities, or a month in which no event of those AORs went unplaced — the group's AORs add
  up to its states (counties), and a reader who knows which states an AOR covers can use it;
- each AOR's events placed in no state (``aor_no_state`` cells, for the bounds of event counts:
  ``definitions.is_bounded``) add up to the state-level ``UNASSIGNED``, and with them a
  group's AORs equal its states in every month;
- each measure with parts (arrests = custodial + at large + other, ...) in every area.

Nation = sum of counties follows from these, and the audit in ``disclosure`` works on their
span, so it holds as well. Relations never join two months, nor two measure families: a
month's suppression depends on that month's cells alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import polars as pl

from sanctuary_atlas.measures.areas import AOR_NO_STATE, NATION, UNASSIGNED
from sanctuary_atlas.measures.definitions import PARTITIONS, is_bounded
from sanctuary_atlas.measures.disclosure import Relation

CellKey = tuple[str, str, date, str]  # level, area, month, measure


def panel_relations(
    cells: pl.DataFrame, placed: pl.DataFrame, usps_of_fips: dict[str, str]
) -> list[Relation]:
    """Relations among ``cells`` (level, area_code, month, measure; row order = cell index).
    ``placed`` holds the finest grain with its places (month, measure, aor, st, county), for
    the groups of AORs and the states and counties their events lie in."""
    key: dict[CellKey, int] = {
        (level, area, month, measure): cell
        for cell, (level, area, month, measure) in enumerate(
            cells.select("level", "area_code", "month", "measure").iter_rows()
        )
    }
    by_level: dict[tuple[str, date, str], list[tuple[str, int]]] = defaultdict(list)
    for (level, area, month, measure), cell in key.items():
        by_level[(level, month, measure)].append((area, cell))
    relations: list[Relation] = []
    for (level, month, measure), members in by_level.items():
        nation = key.get(("nation", NATION, month, measure))
        parts = tuple(cell for _, cell in members)
        if level in ("aor", "state") and nation is not None:
            relations.append(Relation.total(nation, parts, widen=False))
        elif (
            level == AOR_NO_STATE
            and (nowhere := key.get(("state", UNASSIGNED, month, measure))) is not None
        ):
            # the events placed in no state are the AORs' events placed in no state
            relations.append(Relation.total(nowhere, parts, widen=False))
        elif level == "county":
            relations += _states_and_counties(key, members, month, measure, usps_of_fips)
    relations += _group_relations(key, placed)
    relations += _partition_relations(key)
    return relations


def _states_and_counties(
    key: dict[CellKey, int],
    counties: list[tuple[str, int]],
    month: date,
    measure: str,
    usps_of_fips: dict[str, str],
) -> list[Relation]:
    by_state: dict[str, list[int]] = defaultdict(list)
    for area, cell in counties:
        if area == UNASSIGNED:
            state = UNASSIGNED
        elif area.endswith("-" + UNASSIGNED):
            state = area.split("-")[0]
        else:
            state = usps_of_fips.get(area[:2], UNASSIGNED)
        by_state[state].append(cell)
    return [
        Relation.total(parent, tuple(parts))
        for state, parts in by_state.items()
        if (parent := key.get(("state", state, month, measure))) is not None
    ]


def _group_relations(key: dict[CellKey, int], placed: pl.DataFrame) -> list[Relation]:
    """Per month and measure, per connected group of AORs and the states (counties) their
    events lie in: the AORs equal the states plus the AORs' events placed in no state; the
    counties only where none of the group's events went unplaced in a county (those are not
    published per AOR)."""
    relations: list[Relation] = []
    for place, level in (("st", "state"), ("county", "county")):
        unplaced = pl.col(place).is_null() | (pl.col(place) == UNASSIGNED)
        edges_of: dict[tuple[date, str], list[tuple[str, str]]] = defaultdict(list)
        for month, measure, aor, where in (
            placed.filter(~unplaced)
            .select("month", "measure", "aor", place)
            .unique()
            .sort("month", "measure", "aor", place)
            .iter_rows()
        ):
            edges_of[(month, measure)].append((aor, where))
        aors_of: dict[tuple[date, str], list[str]] = defaultdict(list)
        for month, measure, aor in (
            placed.select("month", "measure", "aor").unique().sort("month", "measure", "aor")
        ).iter_rows():
            aors_of[(month, measure)].append(aor)
        with_unplaced = set(
            placed.filter(unplaced).select("month", "measure", "aor").unique().iter_rows()
        )
        for (month, measure), names in aors_of.items():
            for group_aors, group_places in _components(names, edges_of.get((month, measure), [])):
                # at state level each AOR's events placed in no state are published cells
                # (bounded measures): the group's AORs = its states + those, in every month;
                # otherwise the identity holds only where none of the group's events went
                # unplaced
                with_no_state_cells = level == "state" and is_bounded(measure)
                if not group_places or (
                    not with_no_state_cells
                    and any((month, measure, a) in with_unplaced for a in group_aors)
                ):
                    continue
                parents = tuple(
                    c for a in group_aors if (c := key.get(("aor", a, month, measure))) is not None
                )
                parts = tuple(
                    c
                    for p in group_places
                    if (c := key.get((level, p, month, measure))) is not None
                )
                if with_no_state_cells:
                    parts += tuple(
                        c for a in group_aors if (c := key.get((AOR_NO_STATE, a, month, measure)))
                    )
                relations.append(Relation(parents, parts, widen=False))
    return relations


def _components(
    aors: Iterable[str], edges: Iterable[tuple[str, str]]
) -> list[tuple[list[str], list[str]]]:
    """Connected groups of AORs and places, each AOR in exactly one group."""
    parent: dict[tuple[int, str], tuple[int, str]] = {}

    def root(node: tuple[int, str]) -> tuple[int, str]:
        while (up := parent.setdefault(node, node)) != node:
            parent[node] = parent.setdefault(up, up)
            node = up
        return node

    for aor in aors:
        root((0, aor))
    for aor, where in edges:
        a, b = root((0, aor)), root((1, where))
        if a != b:
            parent[b] = a
    groups: dict[tuple[int, str], tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for node in list(parent):
        side, name = node
        groups[root(node)][side].append(name)
    return list(groups.values())


def _partition_relations(key: dict[CellKey, int]) -> list[Relation]:
    relations = []
    for (level, area, month, measure), cell in key.items():
        part_names = PARTITIONS.get(measure)
        if part_names:
            found = tuple(
                c for p in part_names if (c := key.get((level, area, month, p))) is not None
            )
            relations.append(Relation.total(cell, found))
    return relations
