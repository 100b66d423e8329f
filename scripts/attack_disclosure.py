"""Attack the published panel as an outsider would: recover withheld cells from what is
published.

Reads the panel exactly as a reader downloads it (``sanctuary-atlas panel --level L --measures
... --csv`` for each level, or the rows of ``/api/series``), forms every additive identity a
reader can write down, and solves them with exact integer arithmetic:

- the nation is the sum of its AORs (``HQ`` and ``UNKNOWN`` included), of its states (with the
  events placed in no state) and of its counties (with every remainder);
- each state is the sum of its counties and its ``XX-UNASSIGNED`` remainder;
- where the reader knows which states and counties an AOR's events lie in (``--structure``, a
  CSV of ``month,measure,aor,state,county`` rows, empty where unplaced; the test suite passes
  the store's true structure, a worst case), each connected group of AORs whose events were
  all placed adds up to its states (counties);
- every measure partition (arrests = custodial + at large + other, ...);
- with ``panel --bounds``: each AOR's events placed in no state (``<m>_no_state``) add up to
  the events placed in no state, and with them every group of AORs adds up to its states; a
  state's upper bound is its count + the no-state events of the AORs that cover it, a
  county's its count + its state's remainder + its AOR's no-state events (the reference
  geography every reader has), where those are published (else the atlas used a larger
  published stand-in, and a withheld bound is skipped: it is an unknown of its own);
- every withheld cell is at least 1 (zeros are published).

A withheld cell is *pinned* when these identities leave it a single value. The attack is
written apart from the atlas's disclosure control and shares none of its code: it is the
check of that control, not a copy of it.

Run: ``python scripts/attack_disclosure.py panel-*.csv [--structure aor_places.csv]``.
Prints the number of withheld cells and every pinned one; exit status 1 when any is pinned.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

# What a reader learns from the documentation: these measures add up exactly, and which
# AOR covers which state and county.
from sanctuary_atlas.geography.reference import load_aor_states, load_counties
from sanctuary_atlas.measures.definitions import PARTITIONS

PRIME = 1_000_000_007  # the attack's own modulus (the atlas uses another)
KEY_COLUMNS = ("level", "area_code", "area_name", "month")
REMAINDER = "UNASSIGNED"
NO_STATE = "aor_no_state"  # the level of the AORs' events placed in no state
# a column suffix of `panel --bounds` -> the level its cells get
BOUND_COLUMNS = {"_no_state": NO_STATE, "_upper": "upper"}

Cell = tuple[str, str, date, str]  # level, area, month, measure


@dataclass
class Published:
    """The cells a reader holds: a whole number, or None where withheld."""

    cells: dict[Cell, int | None] = field(default_factory=dict)
    state_of_fips: dict[str, str] = field(default_factory=dict)

    def add_frame(self, frame: pl.DataFrame, count_measures: Iterable[str]) -> None:
        counts = set(count_measures)
        month = frame["month"]
        if month.dtype == pl.String:
            frame = frame.with_columns(pl.col("month").str.slice(0, 7) + "-01")
            frame = frame.with_columns(pl.col("month").str.to_date())
        for column in frame.columns:
            if column in KEY_COLUMNS:
                continue
            measure, kind = column, ""
            for suffix, bound_kind in BOUND_COLUMNS.items():
                if column.endswith(suffix):
                    measure, kind = column.removesuffix(suffix), bound_kind
            if measure not in counts:
                continue  # derived measures, shares, coverage: functions of the counts
            for level, area, month_value, value in frame.select(
                "level", "area_code", "month", column
            ).iter_rows():
                at = NO_STATE if kind == NO_STATE else f"{level}_upper" if kind else level
                if kind == "upper" and value is None:
                    # a withheld bound is an unknown in one identity alone: it tells nothing
                    continue
                self.cells[(at, area, month_value, measure)] = (
                    None if value is None else round(float(value))
                )
        if "area_name" in frame.columns:
            for area, name in (
                frame.filter(pl.col("level") == "county")
                .select("area_code", "area_name")
                .iter_rows()
            ):
                if area[:2].isdigit() and name and ", " in name:
                    self.state_of_fips[area[:2]] = name.rsplit(", ", 1)[1]

    def state_of_county(self, code: str) -> str | None:
        if code == REMAINDER:
            return REMAINDER
        if code.endswith("-" + REMAINDER):
            return code.split("-")[0]
        return self.state_of_fips.get(code[:2])


@dataclass(frozen=True)
class Identity:
    """sum(left) == sum(right), over cells."""

    left: tuple[Cell, ...]
    right: tuple[Cell, ...]


def identities(published: Published, structure: pl.DataFrame | None) -> list[Identity]:
    by_level: dict[tuple[str, date, str], list[Cell]] = defaultdict(list)
    for cell in published.cells:
        level, _, month, measure = cell
        by_level[(level, month, measure)].append(cell)
    found: list[Identity] = []
    for (level, month, measure), cells in by_level.items():
        nation = ("nation", "US", month, measure)
        if nation not in published.cells:
            continue
        if level in ("aor", "state", "county"):
            found.append(Identity((nation,), tuple(cells)))
        if level == "county":
            states: dict[str, list[Cell]] = defaultdict(list)
            for cell in cells:
                state = published.state_of_county(cell[1])
                if state is not None:
                    states[state].append(cell)
            for state, parts in states.items():
                parent = ("state", state, month, measure)
                if parent in published.cells:
                    found.append(Identity((parent,), tuple(parts)))
    found += _partition_identities(published)
    found += _bound_identities(published)
    if structure is not None:
        found += _structure_identities(published, structure)
    return found


def _partition_identities(published: Published) -> list[Identity]:
    found = []
    for (level, area, month, measure), _ in published.cells.items():
        parts = PARTITIONS.get(measure)
        if not parts:
            continue
        cells = [(level, area, month, p) for p in parts]
        if all(c in published.cells for c in cells):
            found.append(Identity(((level, area, month, measure),), tuple(cells)))
    return found


def _bound_identities(published: Published) -> list[Identity]:
    """The AORs' no-state events add up to the events placed in no state; each upper bound is
    its count plus the no-state events (and, for a county, the state's remainder) that could
    lie there."""
    nowhere = {c for c in published.cells if c[0] == NO_STATE}
    found: list[Identity] = []
    by_month: dict[tuple[date, str], list[Cell]] = defaultdict(list)
    for cell in nowhere:
        by_month[(cell[2], cell[3])].append(cell)
    for (month, measure), cells in by_month.items():
        total = ("state", REMAINDER, month, measure)
        if total in published.cells:
            found.append(Identity((total,), tuple(cells)))
    aors_of_state: dict[str, list[str]] = defaultdict(list)
    for aor, state in load_aor_states().select("aor", "state").iter_rows():
        aors_of_state[state].append(aor)
    counties = load_counties().select("county_fips", "state", "aor").iter_rows()
    county_of = {fips: (state, aor) for fips, state, aor in counties}
    for cell in published.cells:
        level, area, month, measure = cell
        if level == "state_upper":
            aors = aors_of_state.get(area, [])
            parts = [("state", area, month, measure)]
        elif level == "county_upper" and area in county_of:
            state, aor = county_of[area]
            aors = [aor]
            parts = [
                ("county", area, month, measure),
                ("county", f"{state}-{REMAINDER}", month, measure),
            ]
        else:
            continue
        parts += [(NO_STATE, a, month, measure) for a in aors]
        # where a remainder or no-state figure is withheld the atlas bounds with a published
        # stand-in at least as large: no identity; the area's own count may be unknown
        if all(p in published.cells for p in parts) and all(
            published.cells[p] is not None for p in parts[1:]
        ):
            found.append(Identity((cell,), tuple(parts)))
    return found


def _structure_identities(published: Published, structure: pl.DataFrame) -> list[Identity]:
    """Per month and measure, per connected group of AORs and the states (counties) their
    events lie in, where none of the group's events is unplaced: the AORs add up to the
    states (counties). ``structure``: month, measure, aor, state, county per group of events
    (state or county empty where unplaced)."""
    found = []
    rows = structure.with_columns(pl.col("month").str.slice(0, 10).str.to_date())
    for place, level in (("state", "state"), ("county", "county")):
        unplaced = pl.col(place).is_null() | (pl.col(place) == REMAINDER)
        for (month, measure), part in rows.group_by("month", "measure"):
            aors_unplaced = set(part.filter(unplaced)["aor"].to_list())
            pairs = part.filter(~unplaced).select("aor", place).unique().iter_rows()
            for aors, places in _components(pairs):
                # the AORs' events placed in no state, when published, close the identity
                nowhere = [(NO_STATE, a, month, measure) for a in aors]
                closed = level == "state" and all(c in published.cells for c in nowhere)
                if aors_unplaced.intersection(aors) and not closed:
                    continue
                left = tuple(
                    c for a in aors if (c := ("aor", a, month, measure)) in published.cells
                )
                right = tuple(
                    c for p in places if (c := (level, p, month, measure)) in published.cells
                ) + (tuple(nowhere) if closed and aors_unplaced.intersection(aors) else ())
                if left and right:
                    found.append(Identity(left, right))
    return found


def _components(pairs: Iterable[tuple[str, str]]) -> list[tuple[list[str], list[str]]]:
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(node: tuple[str, str]) -> tuple[str, str]:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for aor, place in pairs:
        a, b = root(("aor", aor)), root(("place", place))
        if a != b:
            parent[a] = b
    groups: dict[tuple[str, str], tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for node in list(parent):
        kind, name = node
        groups[root(node)][0 if kind == "aor" else 1].append(name)
    return list(groups.values())


def pinned_cells(published: Published, found: Sequence[Identity]) -> dict[Cell, int]:
    """Every withheld cell the identities determine, with its value. Identities never span
    two months, so each month is solved on its own."""
    unknown = {c for c, v in published.cells.items() if v is None}
    by_month: dict[date, list[tuple[dict[Cell, int], int]]] = defaultdict(list)
    for identity in found:
        # an equation over the withheld cells: sum(coefficient * cell) == constant
        coefficients: dict[Cell, int] = defaultdict(int)
        constant = 0
        for sign, side in ((1, identity.left), (-1, identity.right)):
            for cell in side:
                value = published.cells[cell]
                if value is None:
                    coefficients[cell] += sign
                else:
                    constant -= sign * value
        row = {c: k for c, k in coefficients.items() if k}
        if row:
            by_month[next(iter(row))[2]].append((row, constant))
    pinned: dict[Cell, int] = {}
    for equations in by_month.values():
        solved = _peel(equations)
        solved.update(_linear(equations, solved))
        pinned.update((c, v) for c, v in solved.items() if c in unknown)
    return pinned


def _peel(equations: list[tuple[dict[Cell, int], int]]) -> dict[Cell, int]:
    """A lone unknown is its own value; unknowns of one sign whose sum equals their number
    are each 1 (withheld cells are at least 1). Repeated until nothing more follows."""
    solved: dict[Cell, int] = {}
    uses: dict[Cell, list[int]] = defaultdict(list)
    for i, (row, _) in enumerate(equations):
        for cell in row:
            uses[cell].append(i)
    todo = list(range(len(equations)))
    while todo:
        row, constant = equations[todo.pop()]
        open_cells = {c: k for c, k in row.items() if c not in solved}
        rest = constant - sum(k * solved[c] for c, k in row.items() if c in solved)
        found: dict[Cell, int] = {}
        if len(open_cells) == 1:
            ((cell, k),) = open_cells.items()
            if rest % k == 0:
                found[cell] = rest // k
        elif open_cells and len(set(open_cells.values())) == 1:
            k = next(iter(open_cells.values()))
            if k in (1, -1) and rest * k == len(open_cells):
                found = dict.fromkeys(open_cells, 1)
        solved.update(found)
        for cell in found:
            todo.extend(uses[cell])
    return solved


def _linear(
    equations: list[tuple[dict[Cell, int], int]], solved: dict[Cell, int]
) -> dict[Cell, int]:
    """Gauss-Jordan elimination modulo a prime over the rest: a cell whose reduced row holds
    it alone is determined (its value, a whole number below the prime, is the constant)."""
    # columns in a fixed order, finest level first (county, state, AOR, nation): eliminating the
    # many small sums before the few large ones keeps the rows sparse
    rank = {"county": 0, "state": 1, "aor": 2, "nation": 3}
    unknown = sorted(
        {c for equation, _ in equations for c in equation if c not in solved},
        key=lambda c: (rank.get(c[0], 4), c[1], c[2], c[3]),
    )
    index: dict[Cell, int] = {c: i for i, c in enumerate(unknown)}
    rows: list[dict[int, int]] = []
    for equation, constant in equations:
        rest = constant - sum(k * solved[c] for c, k in equation.items() if c in solved)
        reduced: dict[int, int] = {}
        for cell, k in equation.items():
            if cell not in solved:
                reduced[index[cell]] = k % PRIME
        if reduced:
            reduced[-1] = rest % PRIME  # the constant, in column -1
            rows.append(reduced)
    pivots: dict[int, dict[int, int]] = {}
    for row in rows:
        while columns := [c for c in row if c >= 0]:
            lead = min(columns)
            pivot = pivots.get(lead)
            if pivot is None:
                inverse = pow(row[lead], PRIME - 2, PRIME)
                pivots[lead] = {c: v * inverse % PRIME for c, v in row.items()}
                break
            _subtract(row, row[lead], pivot)
    for lead in sorted(pivots, reverse=True):
        reduced_row = pivots[lead]
        for other in sorted(c for c in reduced_row if c > lead and c in pivots):
            if other in reduced_row:
                _subtract(reduced_row, reduced_row[other], pivots[other])
    cell_of = {i: c for c, i in index.items()}
    found: dict[Cell, int] = {}
    for lead, reduced_row in pivots.items():
        if [c for c in reduced_row if c >= 0] == [lead]:
            value = reduced_row.get(-1, 0)
            found[cell_of[lead]] = value if value < PRIME // 2 else value - PRIME
    return found


def _subtract(row: dict[int, int], factor: int, pivot: dict[int, int]) -> None:
    """row -= factor * pivot, in place, dropping the zeros."""
    for c, v in pivot.items():
        updated = (row.get(c, 0) - factor * v) % PRIME
        if updated:
            row[c] = updated
        else:
            row.pop(c, None)


def read_published(paths: Sequence[Path], count_measures: Iterable[str]) -> Published:
    published = Published()
    measures = list(count_measures)
    for path in paths:
        frame = pl.read_csv(path, infer_schema_length=0).with_columns(
            pl.exclude(*KEY_COLUMNS).cast(pl.Float64, strict=False)
        )
        published.add_frame(frame, measures)
    return published


def main(argv: Sequence[str] | None = None) -> int:
    from sanctuary_atlas.measures.definitions import COUNT_MEASURES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="+", type=Path, help="panel CSVs, one per level")
    parser.add_argument("--structure", type=Path, help="CSV of month,measure,aor,state,county rows")
    args = parser.parse_args(argv)
    counts = [m.name for m in COUNT_MEASURES if m.kind == "count"]
    published = read_published(args.csv, counts)
    structure = pl.read_csv(args.structure, infer_schema_length=0) if args.structure else None
    found = identities(published, structure)
    pinned = pinned_cells(published, found)
    withheld = sum(v is None for v in published.cells.values())
    print(f"{len(published.cells):,} cells read, {withheld:,} withheld, {len(found):,} identities")
    print(f"{len(pinned):,} withheld cells pinned")
    for (level, area, month, measure), value in sorted(pinned.items())[:50]:
        print(f"  {level} {area} {month:%Y-%m} {measure} = {value}")
    return 1 if pinned else 0


if __name__ == "__main__":
    sys.exit(main())
