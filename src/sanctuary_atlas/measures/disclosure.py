"""Disclosure control: small counts are suppressed, and so is whatever would give them away.

Primary suppression: a cell whose value is above 0 and below the threshold (default 10; never
below 5) is not published. Zeros are published.

Complementary suppression: the panel holds exact additive relations — a parent equals the sum
of its parts in the same month (the nation and its AORs, the nation and its states, a state and
its counties plus the events not placed in a county; arrests and their custodial / at-large /
other parts, and so on). A reader who knows a published parent and every part but one knows
the last part. Cells are therefore suppressed in addition until, in every relation:

- no suppressed cell is alone (a lone unknown is its own value), and
- the suppressed parts are not all forced to 1 (every suppressed cell is at least 1, since
  zeros are published: two suppressed parts summing to 2 would both be 1);

then an audit solves each connected block of relations as a linear system and suppresses more
wherever a suppressed cell is still determined (its column lies outside the other columns'
span). Complements are the smallest non-zero parts, which keeps the loss of information small.
The property test in ``tests/measures/test_disclosure.py`` attacks the result with an
exhaustive integer search.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

DEFAULT_THRESHOLD = 10
# Blocks up to this many suppressed cells also get the bounds audit (two linear programmes per
# cell); larger blocks (a month of counties across measures: thousands of cells) get the exact
# linear audit and the per-relation rules only.
BOUNDS_AUDIT_LIMIT = 16
# Audit rounds that widen one relation per determined cell, then rounds that widen all of them.
GENTLE_AUDIT_ROUNDS = 2
MAX_AUDIT_ROUNDS = 200
# Blocks of at least this many suppressed cells are audited in a second process, when the
# table is large enough to pay for starting one.
PARALLEL_BLOCK_CELLS = 500
PARALLEL_MIN_RELATIONS = 50_000
MINIMUM_THRESHOLD = 5
# A determined cell in a block of at most this many withheld cells is freed by testing the
# smallest published cells around it, up to this many, for one that frees it.
FREEING_BLOCK_LIMIT = 400
FREEING_CANDIDATES = 400
# A costly cell ranks as a complement as if this many times larger than it is.
COSTLY_WEIGHT = 1000.0


class DisclosureError(ValueError):
    """A threshold the atlas refuses (below the minimum)."""


def check_threshold(threshold: int) -> int:
    if threshold < MINIMUM_THRESHOLD:
        raise DisclosureError(
            f"threshold {threshold} is below the minimum of {MINIMUM_THRESHOLD}: counts of 1 to "
            f"{MINIMUM_THRESHOLD - 1} would be published"
        )
    return threshold


@dataclass(frozen=True)
class Relation:
    """The sum of ``parents`` equals the sum of ``parts`` (cell indexes). Most relations are a
    total and its parts (one parent); a group of AORs and the states their events lie in is
    one with several on each side."""

    parents: tuple[int, ...]
    parts: tuple[int, ...]
    # whether a determined cell may widen this relation whole (hide all its parts): not the
    # nation's relations, where that would hide every AOR or state
    widen: bool = True

    @classmethod
    def total(cls, parent: int, parts: tuple[int, ...], widen: bool = True) -> Relation:
        return cls((parent,), parts, widen)

    @property
    def members(self) -> tuple[int, ...]:
        return (*self.parents, *self.parts)


@dataclass
class Suppression:
    primary: np.ndarray  # bool per cell
    complementary: np.ndarray  # bool per cell

    @property
    def suppressed(self) -> np.ndarray:
        hidden: np.ndarray = self.primary | self.complementary
        return hidden


def suppress(
    values: Sequence[float],
    relations: Sequence[Relation],
    threshold: int,
    withheld_before: Sequence[bool] | None = None,
    costly: Sequence[bool] | None = None,
    spared: Sequence[bool] | None = None,
) -> Suppression:
    """Which cells to withhold so that no suppressed value can be derived from the rest.
    ``withheld_before``: cells an earlier version withheld with the same value; they stay
    withheld (as complements), so that the two versions side by side reveal nothing more.
    ``costly``: cells to withhold as complements only when nothing else will do (what other
    published figures are computed from: withholding one withholds them too). ``spared``:
    cells never withheld as complements (the nation's figures: every bound ends at them); a
    spared cell below the threshold is still withheld."""
    check_threshold(threshold)
    value = np.asarray(values, dtype=float)
    # a lone or forced cell of a relation takes its complement by rank: the smallest value, a
    # costly cell last (the audit's fixes go by value: ranking them too stops convergence)
    rank = value * (
        np.where(np.asarray(costly, dtype=bool), COSTLY_WEIGHT, 1.0) if costly is not None else 1.0
    )
    # a spared cell ranks infinite: no rule takes it as a complement
    never = np.asarray(spared, dtype=bool) if spared is not None else np.zeros(len(value), bool)
    rank = np.where(never, np.inf, rank)
    audit_rank = np.where(never, np.inf, value)
    primary = (value > 0) & (value < threshold)
    hidden = primary.copy()
    if withheld_before is not None:
        hidden |= np.asarray(withheld_before, dtype=bool) & (value > 0)
    by_cell: dict[int, list[int]] = defaultdict(list)
    for index, relation in enumerate(relations):
        for cell in relation.members:
            by_cell[cell].append(index)
    queue: deque[int] = deque()
    dirty: set[int] = set()

    def hide(cell: int) -> None:
        hidden[cell] = True
        dirty.add(cell)
        queue.extend(by_cell.get(cell, ()))

    for first in np.flatnonzero(hidden).tolist():
        queue.extend(by_cell.get(first, ()))
    audit_from: list[int] | None = None  # None: audit every block the first time
    # a second process audits half of the large blocks; small tables need none
    workers = 2 if len(relations) > PARALLEL_MIN_RELATIONS and (os.cpu_count() or 1) > 1 else 0
    with _pool(workers) as pool:
        _protect(
            relations,
            by_cell,
            value,
            (rank, audit_rank),
            hidden,
            queue,
            dirty,
            hide,
            audit_from,
            pool,
        )
    return Suppression(primary=primary, complementary=hidden & ~primary)


def _protect(
    relations: Sequence[Relation],
    by_cell: dict[int, list[int]],
    value: np.ndarray,
    ranks: tuple[np.ndarray, np.ndarray],
    hidden: np.ndarray,
    queue: deque[int],
    dirty: set[int],
    hide: Callable[[int], None],
    audit_from: list[int] | None,
    pool: Executor | None,
) -> None:
    """Complementary suppression until no relation leaves a suppressed cell alone or forced,
    and no audit finds a determined cell. Each audit starts from every cell hidden since the
    last one (a block none of whose cells changed stays as the last audit found it); when that
    finds nothing, one audit of every block confirms it before stopping. ``ranks``: how the
    per-relation rule and the audit's fixes choose a complement (smallest first)."""
    rank, audit_rank = ranks
    for audit_round in range(1, MAX_AUDIT_ROUNDS + 1):
        while queue:
            complement = _complement_needed(relations[queue.popleft()], value, hidden, rank)
            if complement is not None:
                hide(complement)
        starts = audit_from if audit_from is None else sorted(set(audit_from) | dirty)
        dirty.clear()
        determined = _determined_cells(relations, by_cell, hidden, starts, value, pool)
        if not determined and starts is not None:
            starts = None  # confirm over every block
            determined = _determined_cells(relations, by_cell, hidden, None, value, pool)
        if not determined:
            break
        for cell in determined:
            before = len(dirty)
            if hidden[cell] and (
                freeing := _freeing_candidate(cell, relations, by_cell, audit_rank, hidden)
            ):
                hide(freeing)
                continue
            if audit_round >= GENTLE_AUDIT_ROUNDS:
                # chains of single widenings converge slowly: widen its small relations
                for index in by_cell[cell]:
                    if not relations[index].widen:
                        continue
                    for member in relations[index].parts:
                        if not hidden[member] and 0 < audit_rank[member] < np.inf:
                            hide(member)
            if (
                len(dirty) == before
                and (found := _nearest_candidate(cell, relations, by_cell, audit_rank, hidden))
                is not None
            ):
                hide(found)
        if not dirty and np.isinf(audit_rank).any():
            # only spared cells are left to withhold: protecting the withheld cells comes first
            for cell in determined:
                if (
                    found := _nearest_candidate(cell, relations, by_cell, value, hidden)
                ) is not None:
                    hide(found)
        if not dirty:  # pragma: no cover - nothing left to hide anywhere near
            raise RuntimeError("disclosure control could not protect every suppressed cell")
        audit_from = sorted(dirty)
    else:  # pragma: no cover
        raise RuntimeError("disclosure control did not converge")


def _freeing_candidate(
    cell: int,
    relations: Sequence[Relation],
    by_cell: dict[int, list[int]],
    rank: np.ndarray,
    hidden: np.ndarray,
) -> int | None:
    """On a small block: the smallest published cell whose withholding leaves ``cell`` no
    longer determined. Hiding the nearest small cell can miss: a remainder pinned by two
    hierarchies at once (the nation less its AORs, and less its states) is freed only by a
    cell of the hierarchy that pins it, which the nearest relation may not be."""
    block_cells, block_relations = _block(cell, relations, by_cell, hidden)
    if len(block_cells) > FREEING_BLOCK_LIMIT:
        return None
    candidates = sorted(
        {
            member
            for index in block_relations
            for member in relations[index].members
            if not hidden[member] and 0 < rank[member] < np.inf
        },
        key=lambda c: (rank[c], c),
    )
    for candidate in candidates[:FREEING_CANDIDATES]:
        # with its twins: a cell equal to another (the events placed in no state, at state and
        # at county level) is never withheld alone
        extra = [candidate] + [
            other
            for index in by_cell.get(candidate, ())
            if len(relations[index].members) == 2
            for other in relations[index].members
            if other != candidate and not hidden[other]
        ]
        if any(rank[c] == np.inf for c in extra):
            continue  # its twin is spared
        hidden[extra] = True
        try:
            touched = {*block_relations}
            for added in extra:
                touched.update(by_cell.get(added, ()))
            rows = [_hidden_row(relations[i], hidden) for i in sorted(touched)]
            if cell not in _linear_pinned(rows):
                return candidate
        finally:
            hidden[extra] = False
    return None


@contextmanager
def _pool(workers: int) -> Iterator[Executor | None]:
    if workers < 2:
        yield None
        return
    # fork: the workers run pure Python on the rows they are sent and touch nothing the
    # parent's DuckDB or polars threads hold; spawn would re-run the caller's __main__
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        yield pool


def _nearest_candidate(
    cell: int,
    relations: Sequence[Relation],
    by_cell: dict[int, list[int]],
    rank: np.ndarray,
    hidden: np.ndarray,
) -> int | None:
    """The smallest non-zero published cell in the relations nearest to ``cell`` (breadth
    first through suppressed cells): widening there frees the determined cell."""
    frontier, seen_cells, seen_relations = [cell], {cell}, set()
    while frontier:
        candidates: list[int] = []
        following: list[int] = []
        for current in frontier:
            for index in by_cell.get(current, ()):
                if index in seen_relations:
                    continue
                seen_relations.add(index)
                found = _smallest_published(relations[index], rank, hidden)
                if found is not None:
                    candidates.append(found)
                for member in relations[index].members:
                    if hidden[member] and member not in seen_cells:
                        seen_cells.add(member)
                        following.append(member)
        if candidates:
            return min(candidates, key=lambda c: (rank[c], c))
        frontier = following
    return None


def _smallest_published(relation: Relation, rank: np.ndarray, hidden: np.ndarray) -> int | None:
    """The smallest non-zero published part, else the smallest such parent."""
    for side in (relation.parts, relation.parents):
        shown = [c for c in side if not hidden[c] and 0 < rank[c] < np.inf]
        if shown:
            return min(shown, key=lambda c: (rank[c], c))
    return None


def _complement_needed(
    relation: Relation, value: np.ndarray, hidden: np.ndarray, rank: np.ndarray
) -> int | None:
    members = relation.members
    unknown = [c for c in members if hidden[c]]
    if not unknown:
        return None
    lone = len(unknown) == 1
    one_side = all(not hidden[c] for c in relation.parents) or all(
        not hidden[c] for c in relation.parts
    )
    # unknowns on one side that can only be 1 each are determined (suppressed counts are >= 1;
    # an average of people held can be any positive number, so no bound pins it)
    forced = (
        one_side
        and all(value[c] == round(value[c]) for c in unknown)
        and sum(value[c] for c in unknown) <= len(unknown)
    )
    if not (lone or forced):
        return None
    return _smallest_published(relation, rank, hidden)


_PRIME = 2_147_483_647  # ranks over the rationals equal ranks modulo this prime (+/-1 entries)


def _determined_cells(
    relations: Sequence[Relation],
    by_cell: dict[int, list[int]],
    hidden: np.ndarray,
    starts: Sequence[int] | None = None,
    values: np.ndarray | None = None,
    pool: Executor | None = None,
) -> list[int]:
    """Suppressed cells whose value follows from the published ones by linear algebra: cell j
    is determined when the unit vector e_j lies in the row space of the relations restricted
    to the suppressed cells. Sparse elimination modulo a large prime: blocks reach thousands
    of cells (a month of counties), where dense decompositions take minutes. Large blocks go
    to ``pool`` when one is given (blocks are independent)."""
    seen: set[int] = set()
    blocks: list[tuple[list[int], list[int]]] = []
    for begin in np.flatnonzero(hidden).tolist() if starts is None else starts:
        start = int(begin)
        if start in seen or start not in by_cell:
            continue
        block_cells, block_relations = _block(start, relations, by_cell, hidden)
        seen.update(block_cells)
        blocks.append((block_cells, block_relations))
    rows = [[_hidden_row(relations[i], hidden) for i in block[1]] for block in blocks]
    large = [i for i, block in enumerate(blocks) if len(block[0]) >= PARALLEL_BLOCK_CELLS]
    linear: dict[int, list[int]] = {}
    if pool is not None and len(large) > 1:
        linear = dict(zip(large, pool.map(_linear_pinned, [rows[i] for i in large]), strict=True))
    determined: list[int] = []
    for i, (block_cells, block_relations) in enumerate(blocks):
        pinned = linear[i] if i in linear else _linear_pinned(rows[i])
        if (
            not pinned
            and values is not None
            and len(block_relations) > 1
            and len(block_cells) <= BOUNDS_AUDIT_LIMIT
            # a bound can only pin cells when some hidden cell sits on it: a true value of 1
            and any(values[cell] == 1 for cell in block_cells)
        ):
            pinned = _pinned_by_bounds(block_cells, block_relations, relations, values, hidden)
        determined.extend(pinned)
    return determined


def _hidden_row(relation: Relation, hidden: np.ndarray) -> dict[int, int]:
    """A relation restricted to its suppressed cells: parents - parts, modulo the prime."""
    row: dict[int, int] = {}
    for parent in relation.parents:
        if hidden[parent]:
            row[parent] = (row.get(parent, 0) + 1) % _PRIME
    for part in relation.parts:
        if hidden[part]:
            row[part] = (row.get(part, 0) - 1) % _PRIME
    return {cell: k for cell, k in row.items() if k}


def _linear_pinned(rows: list[dict[int, int]]) -> list[int]:
    """The cells one block's relations determine."""
    pivots: dict[int, dict[int, int]] = {}
    for row in rows:
        _reduce(row, pivots, keep=True)
    return _single_entry_rows(pivots)


def _pinned_by_bounds(
    cells: list[int],
    block_relations: list[int],
    relations: Sequence[Relation],
    values: np.ndarray,
    hidden: np.ndarray,
) -> list[int]:
    """Cells a reader can pin down knowing that every suppressed cell is at least 1 (zeros
    are published): minimise and maximise each one over the published relations. Solving
    two linear programmes per cell is affordable on small blocks only."""
    from scipy.optimize import linprog

    column = {cell: i for i, cell in enumerate(cells)}
    rows, rhs = [], []
    for index in block_relations:
        relation = relations[index]
        row = np.zeros(len(cells))
        known = 0.0
        signed = [(p, 1.0) for p in relation.parents] + [(p, -1.0) for p in relation.parts]
        for cell, sign in signed:
            if hidden[cell]:
                row[column[cell]] += sign
            else:
                known += sign * values[cell]
        rows.append(row)
        rhs.append(-known)
    a_eq, b_eq = np.array(rows), np.array(rhs)
    pinned = []
    for cell, i in column.items():
        objective = np.zeros(len(cells))
        objective[i] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(1, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(1, None), method="highs")
        if low.status == 0 and high.status == 0 and (-high.fun) - low.fun < 1 - 1e-9:
            pinned.append(cell)
    return pinned


def _single_entry_rows(pivots: dict[int, dict[int, int]]) -> list[int]:
    """Bring the echelon rows to reduced form (each pivot column zero in every other row);
    a cell is determined exactly when its reduced row is the unit vector: then no vector of
    the null space moves it. One back-substitution, instead of one reduction per cell."""
    for column in sorted(pivots, reverse=True):
        row = pivots[column]
        # rows of larger pivots are already reduced, so they hold no other pivot column
        for other in sorted(c for c in row if c != column and c in pivots):
            factor = row.get(other)
            if not factor:
                continue
            for c, v in pivots[other].items():
                updated = (row.get(c, 0) - factor * v) % _PRIME
                if updated:
                    row[c] = updated
                else:
                    row.pop(c, None)
    return [column for column, row in pivots.items() if len(row) == 1]


def _reduce(row: dict[int, int], pivots: dict[int, dict[int, int]], *, keep: bool) -> bool:
    """Reduce ``row`` by the echelon ``pivots``; with ``keep``, a row that stays non-zero
    becomes a new pivot. Returns whether anything non-zero is left."""
    while row:
        column = min(row)
        pivot = pivots.get(column)
        if pivot is None:
            if keep:
                inverse = pow(row[column], _PRIME - 2, _PRIME)
                pivots[column] = {c: v * inverse % _PRIME for c, v in row.items()}
            return True
        factor = row[column]
        for c, v in pivot.items():
            updated = (row.get(c, 0) - factor * v) % _PRIME
            if updated:
                row[c] = updated
            else:
                row.pop(c, None)
    return False


def _block(
    start: int, relations: Sequence[Relation], by_cell: dict[int, list[int]], hidden: np.ndarray
) -> tuple[list[int], list[int]]:
    """The suppressed cells connected to ``start`` through relations, and those relations."""
    cells: list[int] = []
    used: set[int] = set()
    todo = [start]
    visited = {start}
    while todo:
        cell = todo.pop()
        cells.append(cell)
        for index in by_cell.get(cell, ()):
            if index in used:
                continue
            used.add(index)
            for other in relations[index].members:
                if hidden[other] and other not in visited:
                    visited.add(other)
                    todo.append(other)
    return cells, sorted(used)
