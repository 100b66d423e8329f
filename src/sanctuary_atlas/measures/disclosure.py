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

import os
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sanctuary_atlas.measures.elimination import BlockFinder

DEFAULT_THRESHOLD = 10
# Blocks up to this many suppressed cells also get the bounds audit (a linear programme per
# cell not seen to move); larger blocks (a month of counties across measures: thousands of
# cells) get the exact linear audit and the per-relation rules only.
BOUNDS_AUDIT_LIMIT = 16
# Audit rounds that widen one relation per determined cell, then rounds that widen all of them.
GENTLE_AUDIT_ROUNDS = 2
MAX_AUDIT_ROUNDS = 200
# Blocks of at least this many suppressed cells are solved two at a time, on threads (the
# compiled elimination releases the interpreter's lock).
PARALLEL_BLOCK_CELLS = 500
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
    # imported here: numba takes 0.3 s to load, and only a panel build needs it
    from sanctuary_atlas.measures.elimination import BlockFinder, RelationArrays

    arrays = RelationArrays.build(relations, len(value))
    workers = min(2, os.cpu_count() or 1)
    with ThreadPoolExecutor(workers) as pool:
        graph = _Graph(relations, by_cell, BlockFinder(arrays, len(value)), pool)
        _protect(graph, value, (rank, audit_rank), hidden, queue, dirty, hide)
    return Suppression(primary=primary, complementary=hidden & ~primary)


@dataclass(frozen=True)
class _Graph:
    """The relations, the relations of each cell, and the compiled audit's view of both."""

    relations: Sequence[Relation]
    by_cell: dict[int, list[int]]
    finder: BlockFinder
    pool: ThreadPoolExecutor
    # cells a small block's bounds pin, by its cells and relations (what its programme reads)
    bounds_pinned: dict[tuple[tuple[int, ...], tuple[int, ...]], set[int]] = field(
        default_factory=dict
    )

    def block(
        self, start: int, hidden: np.ndarray, limit: int | None = None
    ) -> tuple[list[int], list[int]]:
        """The suppressed cells connected to ``start`` through relations, and those relations;
        a block of more than ``limit`` cells is cut short there."""
        found = self.finder.blocks(np.array([start]), hidden, limit)
        if not found:
            return [start], []
        cells, relations = found[0]
        return cells.tolist(), relations.tolist()

    def determined(self, relations: Sequence[int] | np.ndarray, hidden: np.ndarray) -> list[int]:
        return self.finder.determined(np.asarray(relations, np.int64), hidden)


def _protect(
    graph: _Graph,
    value: np.ndarray,
    ranks: tuple[np.ndarray, np.ndarray],
    hidden: np.ndarray,
    queue: deque[int],
    dirty: set[int],
    hide: Callable[[int], None],
) -> None:
    """Complementary suppression until no relation leaves a suppressed cell alone or forced,
    and no audit finds a determined cell. Each audit starts from every cell hidden since the
    last one (a block none of whose cells changed stays as the last audit found it); when that
    finds nothing, one audit of every block confirms it before stopping. ``ranks``: how the
    per-relation rule and the audit's fixes choose a complement (smallest first)."""
    rank, audit_rank = ranks
    relations, by_cell = graph.relations, graph.by_cell
    audit_from: list[int] | None = None  # None: audit every block the first time
    for audit_round in range(1, MAX_AUDIT_ROUNDS + 1):
        while queue:
            complement = _complement_needed(relations[queue.popleft()], value, hidden, rank)
            if complement is not None:
                hide(complement)
        starts = audit_from if audit_from is None else sorted(set(audit_from) | dirty)
        dirty.clear()
        determined = _determined_cells(graph, hidden, starts, value)
        if not determined and starts is not None:
            starts = None  # confirm over every block
            determined = _determined_cells(graph, hidden, None, value)
        if not determined:
            break
        for cell in determined:
            before = len(dirty)
            if hidden[cell] and (freeing := _freeing_candidate(cell, graph, audit_rank, hidden)):
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
    cell: int, graph: _Graph, rank: np.ndarray, hidden: np.ndarray
) -> int | None:
    """On a small block: the smallest published cell whose withholding leaves ``cell`` no
    longer determined. Hiding the nearest small cell can miss: a remainder pinned by two
    hierarchies at once (the nation less its AORs, and less its states) is freed only by a
    cell of the hierarchy that pins it, which the nearest relation may not be."""
    relations, by_cell = graph.relations, graph.by_cell
    block_cells, block_relations = graph.block(cell, hidden, FREEING_BLOCK_LIMIT)
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
            if cell not in graph.determined(sorted(touched), hidden):
                return candidate
        finally:
            hidden[extra] = False
    return None


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
        and sum(value[c] for c in unknown) <= len(unknown)
        and all(value[c] == round(value[c]) for c in unknown)
    )
    if not (lone or forced):
        return None
    return _smallest_published(relation, rank, hidden)


def _determined_cells(
    graph: _Graph,
    hidden: np.ndarray,
    starts: Sequence[int] | None = None,
    values: np.ndarray | None = None,
) -> list[int]:
    """Suppressed cells whose value follows from the published ones by linear algebra: cell j
    is determined when the unit vector e_j lies in the row space of the relations restricted
    to the suppressed cells. Each block of ``starts`` (of every suppressed cell if None) is
    solved by sparse elimination modulo a large prime (``elimination``): blocks reach
    thousands of cells (a month of counties), where dense decompositions take minutes."""
    begin = np.flatnonzero(hidden) if starts is None else np.asarray(starts, np.int64)
    blocks = graph.finder.blocks(begin, hidden)
    large = [i for i, (cells, _) in enumerate(blocks) if len(cells) >= PARALLEL_BLOCK_CELLS]
    solved = dict(
        zip(
            large,
            graph.pool.map(lambda i: graph.determined(blocks[i][1], hidden), large),
            strict=True,
        )
    )
    determined: list[int] = []
    for i, (block_cells, block_relations) in enumerate(blocks):
        pinned = solved[i] if i in solved else graph.determined(block_relations, hidden)
        if (
            not pinned
            and values is not None
            and len(block_relations) > 1
            and len(block_cells) <= BOUNDS_AUDIT_LIMIT
            # a bound can only pin cells when some hidden cell sits on it: a true value of 1
            and bool((values[block_cells] == 1).any())
        ):
            key = (tuple(sorted(block_cells.tolist())), tuple(block_relations.tolist()))
            if key not in graph.bounds_pinned:
                graph.bounds_pinned[key] = set(
                    _pinned_by_bounds(key[0], key[1], graph.relations, values, hidden)
                )
            pinned = [c for c in block_cells.tolist() if c in graph.bounds_pinned[key]]
        determined.extend(pinned)
    return sorted(determined)


def _free_to_move(a_eq: np.ndarray, b_eq: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per cell: whether moving from the true values along the null-space direction that
    moves it most, staying at least 1 everywhere, already moves it by more than 1. Such a
    cell is not pinned, with no programme to solve. Both ends of the move are checked against
    the relations and the floor of 1, so that rounding never calls a pinned cell free; a cell
    no direction moves (a determined one) is left to the programme."""
    _, singular, vectors = np.linalg.svd(a_eq)
    rank = int((singular > 1e-9 * max(1.0, float(singular.max(initial=0.0)))).sum())
    null = vectors[rank:].T
    room = truth - 1  # how far each cell may fall
    moving = np.zeros(len(truth), bool)
    for i in range(len(truth)):
        direction = null @ null[i]
        if abs(direction[i]) < 1e-9:
            continue
        down, up = direction < 0, direction > 0
        forward = min(float(np.min(room[down] / -direction[down], initial=np.inf)), 1e9)
        backward = min(float(np.min(room[up] / direction[up], initial=np.inf)), 1e9)
        ends = (truth + forward * direction, truth - backward * direction)
        moving[i] = abs(ends[0][i] - ends[1][i]) > 1 + 1e-6 and all(
            np.allclose(a_eq @ end, b_eq, rtol=0, atol=1e-6) and bool((end >= 1 - 1e-9).all())
            for end in ends
        )
    return moving


def _pinned_by_bounds(
    cells: Sequence[int],
    block_relations: Sequence[int],
    relations: Sequence[Relation],
    values: np.ndarray,
    hidden: np.ndarray,
) -> list[int]:
    """Cells a reader can pin down knowing that every suppressed cell is at least 1 (zeros
    are published): its range over the published relations. A cell seen to move by more
    than 1 is not; the others get a linear programme each, affordable on small blocks only."""
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
    moving = _free_to_move(a_eq, b_eq, values[list(cells)])
    size = len(cells)
    # a cell's whole range in one programme: maximise x_i - y_i over two feasible points,
    # which also show every other cell they move by more than 1
    pair = np.block([[a_eq, np.zeros_like(a_eq)], [np.zeros_like(a_eq), a_eq]])
    pinned = []
    for cell, i in column.items():
        if moving[i]:
            continue
        objective = np.zeros(2 * size)
        objective[i], objective[size + i] = -1.0, 1.0
        result = linprog(
            objective,
            A_eq=pair,
            b_eq=np.concatenate([b_eq, b_eq]),
            bounds=(1, None),
            method="highs",
        )
        # unbounded: the cell can be any size; infeasible: the true values break the floor of
        # 1, so the block holds an average below 1 (people held), which no floor bounds
        if result.status in (2, 3):
            continue
        # a programme the solver could not finish proves nothing: the cell counts as pinned
        if result.status != 0 or -result.fun < 1 - 1e-9:
            pinned.append(cell)
        else:
            moving |= np.abs(result.x[:size] - result.x[size:]) > 1 + 1e-6
    return pinned
