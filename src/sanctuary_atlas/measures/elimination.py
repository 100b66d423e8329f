"""The disclosure audit's inner loops, compiled: blocks of withheld cells, and the withheld
cells a block's relations determine (sparse elimination modulo a large prime).

``disclosure`` decides what to withhold; this module only answers its two questions, fast.
Both are written over flat arrays (the relations as compressed rows: their member cells and
signs; each cell's relations) so that numba can compile them. Which cells are determined does not
depend on the order of elimination; they are returned in ascending order, so that the audit's
choices (and the bundled atlas's bytes) do not either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numba import njit

# Ranks modulo this prime equal ranks over the rationals unless some minor of the relations is
# a multiple of it: possible, not likely; what is published is attacked over the integers too
# (scripts/attack_disclosure.py). Two residues multiply within a signed 64-bit integer.
PRIME = 2_147_483_647


class Related(Protocol):
    @property
    def parents(self) -> tuple[int, ...]: ...

    @property
    def parts(self) -> tuple[int, ...]: ...


@dataclass(frozen=True)
class RelationArrays:
    """Relations as compressed rows. Relation ``r`` has members ``members[member_start[r]:
    member_start[r + 1]]`` (parents, then parts) with ``signs`` +1 (parent) or -1 (part); cell
    ``c`` lies in relations ``cell_relations[cell_start[c]:cell_start[c + 1]]`` (ascending)."""

    member_start: np.ndarray
    members: np.ndarray
    signs: np.ndarray
    cell_start: np.ndarray
    cell_relations: np.ndarray

    @classmethod
    def build(cls, relations: Sequence[Related], cells: int) -> RelationArrays:
        sizes = np.fromiter(
            (len(r.parents) + len(r.parts) for r in relations), np.int64, len(relations)
        )
        member_start = np.zeros(len(relations) + 1, np.int64)
        np.cumsum(sizes, out=member_start[1:])
        members = np.fromiter(
            (c for r in relations for c in (*r.parents, *r.parts)), np.int64, int(sizes.sum())
        )
        signs = np.fromiter(
            (s for r in relations for s in (1,) * len(r.parents) + (-1,) * len(r.parts)),
            np.int64,
            int(sizes.sum()),
        )
        owner = np.repeat(np.arange(len(relations), dtype=np.int64), sizes)
        # a stable sort keeps each cell's relations ascending, as they were listed
        order = np.argsort(members, kind="stable")
        cell_start = np.zeros(cells + 1, np.int64)
        np.cumsum(np.bincount(members, minlength=cells), out=cell_start[1:])
        return cls(member_start, members, signs, cell_start, owner[order])


class BlockFinder:
    """Connected blocks of withheld cells (linked by the relations they share), found from
    given cells. Within one call of ``blocks`` a start already in a block found in that call
    starts none; each call walks afresh (its own stamp on the marks)."""

    def __init__(self, arrays: RelationArrays, cells: int):
        self.arrays = arrays
        self._mark = np.zeros(cells, np.int64)
        self._relation_mark = np.zeros(len(arrays.member_start) - 1, np.int64)
        self._stamp = 0

    def determined(self, relations: np.ndarray, hidden: np.ndarray) -> list[int]:
        """``determined`` over this finder's relations."""
        return determined(self.arrays, relations, hidden)

    def blocks(
        self, starts: np.ndarray, hidden: np.ndarray, limit: int | None = None
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """(cells in the order found, relations ascending) of each new block. With ``limit``,
        the walk stops once a block has more cells than that (a block that large is all the
        caller needs to know); it takes one start, since a cut block leaves cells unmarked that
        a later start would then find as a block of its own. Not for use by two threads."""
        if limit is not None and len(starts) > 1:
            raise ValueError("a walk with a limit takes one start")
        self._stamp += 1
        a = self.arrays
        cell_start, block_cells, relation_start, block_relations = _blocks(
            np.asarray(starts, np.int64),
            hidden,
            a.member_start,
            a.members,
            a.cell_start,
            a.cell_relations,
            self._mark,
            self._relation_mark,
            self._stamp,
            -1 if limit is None else limit,
        )
        return [
            (
                block_cells[cell_start[i] : cell_start[i + 1]],
                block_relations[relation_start[i] : relation_start[i + 1]],
            )
            for i in range(len(cell_start) - 1)
        ]


def determined(arrays: RelationArrays, relations: np.ndarray, hidden: np.ndarray) -> list[int]:
    """The withheld cells that ``relations`` (ids), restricted to the withheld cells,
    determine, ascending: cell j is determined when the unit vector e_j lies in their row
    space. The shortest relations are eliminated first: a long one (a nation and every
    county) taken early spreads its entries into every row after it (a third of the time)."""
    ids = np.asarray(relations, np.int64)
    sizes = arrays.member_start[ids + 1] - arrays.member_start[ids]
    found = _determined(
        ids[np.argsort(sizes, kind="stable")],
        hidden,
        arrays.member_start,
        arrays.members,
        arrays.signs,
        np.empty(len(hidden), np.int64),
    )
    return sorted(int(c) for c in found)


@njit(cache=True, nogil=True)
def _blocks(
    starts: Any,
    hidden: Any,
    member_start: Any,
    members: Any,
    cell_start: Any,
    cell_relations: Any,
    mark: Any,
    relation_mark: Any,
    stamp: int,
    limit: int,
) -> Any:
    """Depth first from each start through withheld cells (cut short past ``limit`` cells
    unless it is -1)."""
    cells_found = np.empty(0, np.int64)
    found = 0
    relations_found = np.empty(0, np.int64)
    used = 0
    cell_bounds = [0]
    relation_bounds = [0]
    todo = np.empty(16, np.int64)
    for start in starts:
        if mark[start] == stamp or cell_start[start] == cell_start[start + 1]:
            continue
        first_relation = used
        mark[start] = stamp
        todo[0] = start
        waiting = 1
        while waiting and (limit < 0 or found - cell_bounds[-1] + waiting <= limit):
            waiting -= 1
            cell = todo[waiting]
            if found == len(cells_found):
                cells_found = np.concatenate((cells_found, np.empty(max(16, found), np.int64)))
            cells_found[found] = cell
            found += 1
            for k in range(cell_start[cell], cell_start[cell + 1]):
                relation = cell_relations[k]
                if relation_mark[relation] == stamp:
                    continue
                relation_mark[relation] = stamp
                if used == len(relations_found):
                    relations_found = np.concatenate(
                        (relations_found, np.empty(max(16, used), np.int64))
                    )
                relations_found[used] = relation
                used += 1
                for m in range(member_start[relation], member_start[relation + 1]):
                    other = members[m]
                    if limit >= 0 and found - cell_bounds[-1] + waiting > limit:
                        break
                    if hidden[other] and mark[other] != stamp:
                        mark[other] = stamp
                        if waiting == len(todo):
                            todo = np.concatenate((todo, np.empty(len(todo), np.int64)))
                        todo[waiting] = other
                        waiting += 1
        if waiting:  # cut short: the cells seen but not walked belong to the block too
            cells_found = np.concatenate((cells_found[:found], todo[:waiting]))
            found += waiting
        relations_found[first_relation:used] = np.sort(relations_found[first_relation:used])
        cell_bounds.append(found)
        relation_bounds.append(used)
    return (
        np.array(cell_bounds, np.int64),
        cells_found[:found].copy(),
        np.array(relation_bounds, np.int64),
        relations_found[:used].copy(),
    )


@njit(cache=True, nogil=True)
def _inverse(value: int) -> int:
    result, base, power = 1, value % PRIME, PRIME - 2
    while power:
        if power & 1:
            result = result * base % PRIME
        base = base * base % PRIME
        power >>= 1
    return result


@njit(cache=True, nogil=True)
def _subtract(
    columns: Any, values: Any, factor: int, other_columns: Any, other_values: Any
) -> tuple[Any, Any]:
    """(columns, values) - factor x (other_columns, other_values), modulo the prime; both
    sparse rows sorted by column, and so is the result (zeros dropped)."""
    size = len(columns) + len(other_columns)
    out_columns = np.empty(size, np.int64)
    out_values = np.empty(size, np.int64)
    i = j = n = 0
    while i < len(columns) or j < len(other_columns):
        if j == len(other_columns) or (i < len(columns) and columns[i] < other_columns[j]):
            column, value = columns[i], values[i]
            i += 1
        elif i == len(columns) or other_columns[j] < columns[i]:
            column, value = other_columns[j], (PRIME - factor * other_values[j] % PRIME) % PRIME
            j += 1
        else:
            column = columns[i]
            value = (values[i] - factor * other_values[j] % PRIME + PRIME) % PRIME
            i += 1
            j += 1
        out_columns[n] = column
        out_values[n] = value
        n += 1
    return _nonzero(out_columns, out_values, n)


@njit(cache=True, nogil=True)
def _nonzero(columns: Any, values: Any, size: int) -> tuple[Any, Any]:
    """The first ``size`` entries of a sparse row, without its zeros."""
    keep = values[:size] != 0
    return columns[:size][keep], values[:size][keep]


@njit(cache=True, nogil=True)
def _hidden_row(
    relation: int, hidden: Any, member_start: Any, members: Any, signs: Any, column_of: Any
) -> tuple[Any, Any]:
    """One relation restricted to its withheld cells: parents - parts, by column, modulo the
    prime (a cell listed twice adds up; one that cancels out is left out)."""
    size = member_start[relation + 1] - member_start[relation]
    row_columns = np.empty(size, np.int64)
    row_signs = np.empty(size, np.int64)
    n = 0
    for m in range(member_start[relation], member_start[relation + 1]):
        if hidden[members[m]]:
            row_columns[n] = column_of[members[m]]
            row_signs[n] = signs[m]
            n += 1
    order = np.argsort(row_columns[:n], kind="mergesort")
    out_columns = np.empty(n, np.int64)
    out_values = np.empty(n, np.int64)
    k = 0
    i = 0
    while i < n:
        column = row_columns[order[i]]
        value = 0
        while i < n and row_columns[order[i]] == column:
            value += row_signs[order[i]]
            i += 1
        out_columns[k] = column
        out_values[k] = (value % PRIME + PRIME) % PRIME
        k += 1
    return _nonzero(out_columns, out_values, k)


@njit(cache=True, nogil=True)
def _determined(
    relations: Any,
    hidden: Any,
    member_start: Any,
    members: Any,
    signs: Any,
    column_of: Any,
) -> Any:
    # each relation restricted to its withheld cells, columns numbered by cell
    total = 0
    for relation in relations:
        total += member_start[relation + 1] - member_start[relation]
    row_cells = np.empty(total, np.int64)
    n = 0
    for relation in relations:
        for m in range(member_start[relation], member_start[relation + 1]):
            if hidden[members[m]]:
                row_cells[n] = members[m]
                n += 1
    columns = np.unique(row_cells[:n])
    for k in range(len(columns)):
        column_of[columns[k]] = k
    pivot_of = np.full(len(columns), -1, np.int64)
    pivot_columns = [np.empty(0, np.int64) for _ in range(0)]
    pivot_values = [np.empty(0, np.int64) for _ in range(0)]
    order = [np.int64(0) for _ in range(0)]
    for relation in relations:
        row_columns, row_values = _hidden_row(
            relation, hidden, member_start, members, signs, column_of
        )
        # reduce by the echelon rows; what is left starts a new one
        while len(row_columns):
            pivot = pivot_of[row_columns[0]]
            if pivot < 0:
                inverse = _inverse(row_values[0])
                pivot_of[row_columns[0]] = len(pivot_columns)
                order.append(row_columns[0])
                pivot_columns.append(row_columns)
                pivot_values.append(row_values * inverse % PRIME)
                break
            row_columns, row_values = _subtract(
                row_columns, row_values, row_values[0], pivot_columns[pivot], pivot_values[pivot]
            )
    # reduced form, larger pivots first: a cell is determined when its row is a unit vector
    for column in np.sort(np.array(order, np.int64))[::-1]:
        pivot = pivot_of[column]
        # the other pivot columns' rows are reduced already: subtracting one changes no
        # other pivot column's entry, so every factor is read from the row as it was
        listed, factors = pivot_columns[pivot], pivot_values[pivot]
        row_columns, row_values = listed, factors
        for k in range(len(listed)):
            other = pivot_of[listed[k]]
            if other >= 0 and other != pivot:
                row_columns, row_values = _subtract(
                    row_columns, row_values, factors[k], pivot_columns[other], pivot_values[other]
                )
        pivot_columns[pivot], pivot_values[pivot] = row_columns, row_values
    single = [columns[c] for c in order if len(pivot_columns[pivot_of[c]]) == 1]
    return np.array(single, np.int64)


def compile_kernels() -> None:
    """Compile every kernel now, on a table of three cells, and leave them in numba's cache
    beside this module: installing does this (``make``), so that no panel build pays for it."""
    from sanctuary_atlas.measures.disclosure import Relation, suppress

    suppress([5, 3, 4, 12], [Relation.total(3, (0, 1, 2))], threshold=10)


if __name__ == "__main__":
    compile_kernels()
