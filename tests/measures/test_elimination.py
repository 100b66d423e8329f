"""The audit's compiled kernels against plain, exact arithmetic: which withheld cells a set of
relations determines (rank over the rationals, with fractions), and which withheld cells hang
together in blocks (a breadth-first walk)."""

from __future__ import annotations

import random
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

from sanctuary_atlas.measures.disclosure import Relation
from sanctuary_atlas.measures.elimination import (
    BlockFinder,
    RelationArrays,
    _blocks,
    _determined,
    determined,
)


def _rank(rows: list[list[Fraction]]) -> int:
    matrix = [row[:] for row in rows]
    rank, columns = 0, len(matrix[0]) if matrix else 0
    for column in range(columns):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for r in range(len(matrix)):
            if r != rank and matrix[r][column] != 0:
                factor = matrix[r][column] / matrix[rank][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        rank += 1
    return rank


def _determined_exactly(relations: list[Relation], hidden: np.ndarray) -> list[int]:
    """Cell j is determined when adding the unit vector e_j leaves the rank unchanged."""
    cells = sorted({c for r in relations for c in r.members if hidden[c]})
    column = {c: i for i, c in enumerate(cells)}
    rows = []
    for relation in relations:
        row = [Fraction(0)] * len(cells)
        for parent in relation.parents:
            if hidden[parent]:
                row[column[parent]] += 1
        for part in relation.parts:
            if hidden[part]:
                row[column[part]] -= 1
        rows.append(row)
    base = _rank(rows)
    found = []
    for cell in cells:
        unit = [Fraction(int(c == cell)) for c in cells]
        if _rank([*rows, unit]) == base:
            found.append(cell)
    return found


def _random_table(seed: int) -> tuple[list[Relation], np.ndarray, int]:
    """Totals over random parts (some shared between relations, some listed twice), with
    about half the cells withheld."""
    rng = random.Random(seed)
    cells = rng.randint(4, 14)
    relations = []
    for _ in range(rng.randint(1, 7)):
        members = rng.sample(range(cells), rng.randint(2, min(cells, 6)))
        parents = tuple(members[: rng.choice([1, 1, 1, 2])])
        parts = tuple(members[len(parents) :])
        if parts and rng.random() < 0.1:
            parts = (*parts, parts[0])  # a cell counted twice on one side
        relations.append(Relation(parents, parts))
    hidden = np.array([rng.random() < 0.55 for _ in range(cells)])
    return relations, hidden, cells


@pytest.mark.parametrize("seed", range(300))
def test_determined_cells_match_exact_rational_rank(seed: int) -> None:
    relations, hidden, cells = _random_table(seed)
    arrays = RelationArrays.build(relations, cells)
    ids = np.arange(len(relations))
    assert determined(arrays, ids, hidden) == _determined_exactly(relations, hidden)


def test_a_lone_withheld_part_is_determined_and_a_pair_is_not() -> None:
    relations = [Relation.total(0, (1, 2, 3))]
    arrays = RelationArrays.build(relations, 4)
    lone = np.array([False, True, False, False])
    pair = np.array([False, True, True, False])
    assert determined(arrays, np.array([0]), lone) == [1]
    assert determined(arrays, np.array([0]), pair) == []


def test_the_plain_python_kernel_gives_what_the_compiled_one_does() -> None:
    # the same source, interpreted: what coverage sees, and a check that compilation does
    # not change an answer
    for seed in range(40):
        relations, hidden, cells = _random_table(seed)
        a = RelationArrays.build(relations, cells)
        ids = np.arange(len(relations), dtype=np.int64)
        scratch = np.empty(cells, np.int64)
        compiled = _determined(ids, hidden, a.member_start, a.members, a.signs, scratch)
        interpreted = _determined.py_func(ids, hidden, a.member_start, a.members, a.signs, scratch)
        assert sorted(compiled.tolist()) == sorted(interpreted.tolist())
        mark, relation_mark = np.zeros(cells, np.int64), np.zeros(len(relations), np.int64)
        starts = np.flatnonzero(hidden)
        walked = _blocks.py_func(
            starts, hidden, a.member_start, a.members, a.cell_start, a.cell_relations,
            mark, relation_mark, 1, -1,
        )  # fmt: skip
        mark[:], relation_mark[:] = 0, 0
        fast = _blocks(
            starts, hidden, a.member_start, a.members, a.cell_start, a.cell_relations,
            mark, relation_mark, 1, -1,
        )  # fmt: skip
        assert all(np.array_equal(x, y) for x, y in zip(walked, fast, strict=True))


@pytest.mark.parametrize("seed", range(100))
def test_blocks_are_the_connected_withheld_cells(seed: int) -> None:
    relations, hidden, cells = _random_table(seed)
    finder = BlockFinder(RelationArrays.build(relations, cells), cells)
    blocks = finder.blocks(np.flatnonzero(hidden), hidden)
    # plain walk: withheld cells sharing a relation are in one block
    expected: list[set[int]] = []
    seen: set[int] = set()
    for start in np.flatnonzero(hidden).tolist():
        if start in seen or not any(start in r.members for r in relations):
            continue
        block, todo = {start}, [start]
        while todo:
            cell = todo.pop()
            for relation in relations:
                if cell in relation.members:
                    fresh = {c for c in relation.members if hidden[c]} - block
                    block |= fresh
                    todo.extend(fresh)
        seen |= block
        expected.append(block)
    assert [set(cells_.tolist()) for cells_, _ in blocks] == expected
    for block_cells, block_relations in blocks:
        assert block_relations.tolist() == sorted(
            i for i, r in enumerate(relations) if set(r.members) & set(block_cells.tolist())
        )
    # each call walks afresh: asked again, the same blocks
    again = finder.blocks(np.flatnonzero(hidden)[::-1], hidden)
    assert sorted(sorted(c.tolist()) for c, _ in again) == sorted(map(sorted, expected))


def test_a_walk_with_a_limit_stops_past_it_and_says_so() -> None:
    # one total over 30 withheld parts: a block of 31 cells
    relations = [Relation.total(0, tuple(range(1, 31)))]
    hidden = np.ones(31, bool)
    finder = BlockFinder(RelationArrays.build(relations, 31), 31)
    (whole,) = finder.blocks(np.array([0]), hidden)
    (cut,) = finder.blocks(np.array([0]), hidden, limit=10)
    assert len(whole[0]) == 31
    assert 10 < len(cut[0]) <= 31


def test_a_walk_with_a_limit_takes_one_start() -> None:
    relations = [Relation.total(0, (1, 2))]
    finder = BlockFinder(RelationArrays.build(relations, 3), 3)
    with pytest.raises(ValueError, match="one start"):
        finder.blocks(np.array([1, 2]), np.ones(3, bool), limit=1)


@pytest.mark.parametrize(
    ("total", "moves"),
    [(2, False), (3, False), (20, True)],
)
def test_the_bounds_screen_frees_only_cells_that_move_by_more_than_one(
    total: int, moves: bool
) -> None:
    # a published total of two withheld parts, one of them 1: with a total of 2 both are
    # pinned at 1; with 3 each ranges over exactly one unit (not more); with 20 both move far
    from sanctuary_atlas.measures.disclosure import _free_to_move

    a_eq, b_eq = np.array([[-1.0, -1.0]]), np.array([-float(total)])
    moving = _free_to_move(a_eq, b_eq, np.array([1.0, total - 1.0]))
    assert moving.tolist() == [moves, moves]
    # a cell no direction moves (alone in its relation) is left to the programme
    assert not _free_to_move(np.array([[-1.0, 0.0]]), np.array([-5.0]), np.array([5.0, 3.0]))[0]


def test_compiling_ahead_compiles_every_kernel() -> None:
    # what `make` runs after installing, so that no panel build pays for compilation; in a
    # fresh interpreter, where nothing has called the kernels yet
    code = (
        "from sanctuary_atlas.measures import elimination as e\n"
        "kernels = (e._blocks, e._determined)\n"
        "print([bool(k.signatures) for k in kernels])\n"
        "e.compile_kernels()\n"
        "print([bool(k.signatures) for k in kernels])\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert shown[:2] == ["[False, False]", "[True, True]"]
