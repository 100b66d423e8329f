"""Disclosure control: a property test attacks the published table and must fail to recover
any suppressed cell, even with exhaustive integer search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sanctuary_atlas
from sanctuary_atlas.measures.disclosure import DisclosureError, Relation, suppress

THRESHOLD = 5


def _table(children: list[list[int]]) -> tuple[list[float], list[Relation]]:
    """A two-way table: rows of parts under a row total, and column totals with a grand total,
    like areas x measures with both margins published."""
    n_rows, n_cols = len(children), len(children[0])
    values: list[float] = []
    index: dict[tuple[int, int], int] = {}
    for r in range(n_rows + 1):
        for c in range(n_cols + 1):
            if r < n_rows and c < n_cols:
                v = children[r][c]
            elif r < n_rows:
                v = sum(children[r])
            elif c < n_cols:
                v = sum(row[c] for row in children)
            else:
                v = sum(map(sum, children))
            index[(r, c)] = len(values)
            values.append(float(v))
    relations = [
        Relation.total(index[(r, n_cols)], tuple(index[(r, c)] for c in range(n_cols)))
        for r in range(n_rows + 1)
    ] + [
        Relation.total(index[(n_rows, c)], tuple(index[(r, c)] for r in range(n_rows)))
        for c in range(n_cols + 1)
    ]
    return values, relations


def _recoverable(values: list[float], relations: list[Relation], hidden: np.ndarray) -> list[int]:
    """The attacker: search every assignment of whole numbers >= 1 to the hidden cells that
    satisfies every relation with the published cells (backtracking; a relation with one
    unassigned member forces it); a hidden cell with a single possible value is recovered."""
    unknown = [int(i) for i in np.flatnonzero(hidden)]
    # The attacker knows each hidden cell is at least 1 and nothing more of its size: published
    # cells bound it only through the relations. The search stops at a bound large enough that
    # every relation with a published parent is covered, plus room above it for the rest.
    shown = [v for v, h in zip(values, hidden, strict=True) if not h]
    bound = int(max([*shown, 0])) + THRESHOLD * 2
    possible: dict[int, set[int]] = {cell: set() for cell in unknown}

    def consistent(trial: dict[int, float]) -> dict[int, float] | None:
        changed = True
        while changed:
            changed = False
            for r in relations:
                members = r.members
                missing = [m for m in members if m not in trial]
                if not missing:
                    if sum(trial[p] for p in r.parents) != sum(trial[p] for p in r.parts):
                        return None
                elif len(missing) == 1:
                    m = missing[0]
                    parents = sum(trial[p] for p in r.parents if p != m)
                    parts = sum(trial[p] for p in r.parts if p != m)
                    forced = parts - parents if m in r.parents else parents - parts
                    if forced < 1 or forced > bound:
                        return None
                    trial[m] = forced
                    changed = True
        return trial

    class Defeated(Exception):
        """Every hidden cell has shown two possible values: the attack has failed."""

    def search(trial: dict[int, float]) -> None:
        filled = consistent(dict(trial))
        if filled is None:
            return
        open_cells = [c for c in unknown if c not in filled]
        if not open_cells:
            for c in unknown:
                possible[c].add(int(filled[c]))
            if all(len(seen) > 1 for seen in possible.values()):
                raise Defeated
            return
        for v in range(1, bound + 1):
            search({**filled, open_cells[0]: float(v)})

    try:
        search({i: v for i, v in enumerate(values) if not hidden[i]})
    except Defeated:
        return []
    return [cell for cell, seen in possible.items() if len(seen) == 1]


small_tables = st.integers(2, 3).flatmap(
    lambda rows: st.integers(2, 3).flatmap(
        lambda cols: st.lists(
            st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 8, 12]), min_size=cols, max_size=cols),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(small_tables)
def test_no_suppressed_cell_can_be_recovered(children: list[list[int]]) -> None:
    values, relations = _table(children)
    result = suppress(values, relations, THRESHOLD)
    hidden = result.suppressed
    # every small count is hidden, zeros are published
    for v, h in zip(values, hidden, strict=True):
        if 0 < v < THRESHOLD:
            assert h
        if v == 0:
            assert not h
    assert _recoverable(values, relations, hidden) == []


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(small_tables)
def test_a_spared_grand_total_leaves_the_table_protected(children: list[list[int]]) -> None:
    """The panel spares the nation's figures (every bound falls back on them): the table
    stays protected, and where only the grand total could protect it, it is withheld."""
    values, relations = _table(children)
    grand = len(values) - 1
    spared = [cell == grand for cell in range(len(values))]
    hidden = suppress(values, relations, THRESHOLD, spared=spared).suppressed
    assert _recoverable(values, relations, hidden) == []


def test_a_spared_grand_total_is_published_where_other_cells_protect() -> None:
    # without sparing the grand total (60) is taken as a complement of the small cells
    values, relations = _table([[20, 12], [1, 0], [30, 1]])
    grand = len(values) - 1
    assert suppress(values, relations, THRESHOLD).suppressed[grand]
    spared = [cell == grand for cell in range(len(values))]
    hidden = suppress(values, relations, THRESHOLD, spared=spared).suppressed
    assert not hidden[grand]
    assert _recoverable(values, relations, hidden) == []
    # all small: only the grand total (6) could protect the parts, so it is withheld
    values, relations = _table([[1, 1], [1, 1], [1, 1]])
    assert suppress(values, relations, THRESHOLD, spared=spared).suppressed[grand]


def test_the_attacker_does_recover_a_lone_suppression() -> None:
    """The attack is real: without complementary suppression it finds the hidden cell."""
    values, relations = _table([[3, 20], [15, 30]])
    hidden = np.array([0 < v < THRESHOLD for v in values])
    assert _recoverable(values, relations, hidden) == [0]
    protected = suppress(values, relations, THRESHOLD).suppressed
    assert protected.sum() >= 4 and _recoverable(values, relations, protected) == []


def test_threshold_below_five_is_refused() -> None:
    with pytest.raises(DisclosureError, match="below the minimum of 5"):
        suppress([1.0], [], 4)


def test_real_panel_publishes_no_small_count(panel_store: Path) -> None:
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        cells = atlas.store.frame("SELECT value, published, suppressed FROM panel_cells")
    small = cells.filter((pl.col("value") > 0) & (pl.col("value") < 10))
    assert small.height > 1000 and small["published"].null_count() == small.height
    shown = cells.filter(pl.col("published").is_not_null())
    assert (shown["published"] == shown["value"]).all()
    assert cells.filter(pl.col("suppressed") == "complementary").height > 0


def test_a_cell_withheld_before_stays_withheld_while_its_value_holds() -> None:
    """Two versions side by side: what the first withheld with an unchanged value, the second
    withholds too (else publishing it would pin its old neighbours)."""
    values, relations = _table([[3, 20, 14], [15, 30, 11], [16, 12, 40]])
    first = suppress(values, relations, THRESHOLD).suppressed
    # a new release changes one cell far from the small one, and the margins it adds to
    changed = list(values)
    for index in (10, 11, 14, 15):  # the (2, 2) cell, its row total, column total, grand total
        changed[index] += 5
    second = suppress(changed, relations, THRESHOLD, withheld_before=first.tolist()).suppressed
    same = np.array([a == b for a, b in zip(values, changed, strict=True)])
    assert (first & same).any()
    assert not (first & same & ~second).any()
    # without the earlier version the second build is free to choose other complements
    assert _recoverable(changed, relations, second) == []


def test_relations_with_several_parents_are_protected() -> None:
    """Two AORs add up to three states: a lone withheld state would follow from the rest."""
    values = [40.0, 30.0, 25.0, 3.0, 42.0]  # AOR a, AOR b; states x, y, z
    relation = Relation((0, 1), (2, 3, 4))
    hidden = suppress(values, [relation], THRESHOLD).suppressed
    assert hidden[3] and hidden.sum() >= 2
    assert _recoverable(values, [relation], hidden) == []
