"""Map and series answers, from an areas x months grid built once per (level, measure).

A map request asks for one figure per area over any period: thousands of distinct periods,
each a group-by over ~150,000 panel rows if answered with polars. Instead each (level, measure)
is laid out once as an areas x months grid (numpy), and a period is a slice of it: about a
millisecond for 3,000 counties. A series of one measure is rows of the same grid (``rows``),
so a county's months are never asked of the store again. Answers are encoded with orjson.

The grids hold exactly the rows ``atlas.measures.panel`` gives (the published panel,
disclosure control applied); the tests compare the map's figures with a group-by of it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import polars as pl

from sanctuary_atlas.measures.areas import catalogue
from sanctuary_atlas.measures.bounds import BOUND_PARTS

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
Shape = tuple[int, int]


@dataclass(frozen=True)
class Cells:
    """One column as an areas x months grid: the published values (0 where null or absent,
    so that a slice sums without NaN checks) and where a value was published."""

    filled: Floats
    published: Bools

    @classmethod
    def of(cls, frame: pl.DataFrame, column: str, rows: Ints, cols: Ints, shape: Shape) -> Cells:
        filled, published = np.zeros(shape), np.zeros(shape, dtype=np.bool_)
        if column in frame.columns:
            values = frame[column].cast(pl.Float64)
            filled[rows, cols] = values.fill_null(0).to_numpy()
            published[rows, cols] = values.is_not_null().to_numpy()
        return cls(filled, published)

    def sum(self, lo: int, hi: int) -> Floats:
        total: Floats = self.filled[:, lo:hi].sum(axis=1)
        return total

    def count(self, lo: int, hi: int) -> Ints:
        counted: Ints = self.published[:, lo:hi].sum(axis=1)
        return counted

    def mean(self, lo: int, hi: int) -> Floats:
        """Row means over the published cells; NaN where a row has none (polars' ``mean``)."""
        counted, total = self.count(lo, hi), self.sum(lo, hi)
        mean: Floats = np.divide(total, counted, out=np.full(len(total), np.nan), where=counted > 0)
        return mean


def _positions(keys: pl.Series, column: pl.Series) -> Ints:
    """Where each value of ``column`` is in the sorted ``keys``, looked up once per run of
    equal values: a panel is sorted by area, so each area's months are one run (a sixth of
    the time of a lookup per row for a county panel)."""
    runs = column.rle()
    found = keys.search_sorted(runs.struct.field("value")).to_numpy().astype(np.int64)
    return np.repeat(found, runs.struct.field("len").to_numpy())


@dataclass(frozen=True)
class Grid:
    """One measure at one level, every area by every month the published panel has."""

    kind: str
    codes: list[str]
    names: list[str]
    months: list[date]
    present: Bools  # the panel has a row for (area, month)
    value: Cells
    numerator: Cells | None  # a share's parts: the share is recomputed from their sums
    denominator: Cells | None
    # state and county level, measures placed down to the county: the upper bound and the
    # coverage of each month (``measures.bounds``)
    upper: Cells | None = None
    coverage: Cells | None = None

    @classmethod
    def build(
        cls, frames: list[pl.DataFrame], measure: str, kind: str, parts: tuple[str, ...]
    ) -> Grid:
        """From the published panel of ``measure`` and of each of its ``parts`` over every
        month (``frames``, in that order): each value is placed at its area and month."""
        areas = pl.concat([f.select("area_code", "area_name") for f in frames])
        areas = areas.unique("area_code").sort("area_code")
        months = pl.concat([f["month"] for f in frames]).unique().sort()
        shape = (areas.height, months.len())
        present = np.zeros(shape, dtype=np.bool_)
        cells: list[Cells] = []
        bounds: list[Cells | None] = [None, None]
        for frame, column in zip(frames, (measure, *parts), strict=True):
            r = _positions(areas["area_code"], frame["area_code"])
            c = months.search_sorted(frame["month"]).to_numpy().astype(np.int64)
            present[r, c] = True
            cells.append(Cells.of(frame, column, r, c, shape))
            if column == measure and f"{measure}_upper" in frame.columns:
                bounds = [Cells.of(frame, f"{measure}_{p}", r, c, shape) for p in BOUND_PARTS]
        return cls(
            kind=kind,
            codes=areas["area_code"].to_list(),
            names=areas["area_name"].to_list(),
            months=months.to_list(),
            present=present,
            value=cells[0],
            numerator=cells[1] if parts else None,
            denominator=cells[2] if parts else None,
            upper=bounds[0],
            coverage=bounds[1],
        )

    def rows(
        self,
        level: str,
        measure: str,
        areas: tuple[str, ...] | None,
        first: date | None,
        last: date | None,
    ) -> pl.DataFrame:
        """The published panel's rows of ``areas`` (every area if None) from ``first`` to
        ``last``, as ``atlas.measures.panel(level, [measure], ...)`` gives them: sorted by area
        and month, null where the value was withheld or no figure exists. The caller checks the
        codes (the API answers 404 for an unknown one): an area with no rows here has none."""
        lo = 0 if first is None else bisect_left(self.months, first)
        hi = len(self.months) if last is None else bisect_right(self.months, last)
        if areas is None:
            chosen = np.arange(len(self.codes))
        else:
            wanted = sorted(set(areas))
            found = [bisect_left(self.codes, code) for code in wanted]
            chosen = np.array(
                [
                    i
                    for i, code in zip(found, wanted, strict=True)
                    if i < len(self.codes) and self.codes[i] == code
                ],
                np.int64,
            )
        # row-major order: by area, then by month
        picked, month = np.nonzero(self.present[chosen, lo:hi])
        area, month = chosen[picked], month + lo
        shown = self.value.published[area, month]
        return pl.DataFrame(
            {
                "level": pl.Series([level], dtype=pl.String).new_from_index(0, len(area)),
                "area_code": pl.Series(self.codes, dtype=pl.String).gather(area),
                "area_name": pl.Series(self.names, dtype=pl.String).gather(area),
                "month": pl.Series(self.months, dtype=pl.Date).gather(month),
                measure: pl.Series(self.value.filled[area, month]).zip_with(
                    pl.Series(shown),
                    pl.Series([None], dtype=pl.Float64).new_from_index(0, len(area)),
                ),
            }
        )

    def period(self, first: date, last: date) -> dict[str, Any]:
        """One entry per area with a row in the period: the figure over the published months,
        how many months there are and how many were withheld; for bounded measures the upper
        bound and coverage.

        Counts and per-capita rates add up over months; an average of people held is
        averaged; a share is recomputed from its summed published parts (never averaged, so a
        small month does not weigh as much as a large one). A period in which every month was
        withheld has no figure, not a zero."""
        lo, hi = bisect_left(self.months, first), bisect_right(self.months, last)
        months = self.present[:, lo:hi].sum(axis=1)
        withheld = months - self.value.count(lo, hi)
        if self.kind == "average":
            figure = self.value.mean(lo, hi)
        elif self.numerator is not None and self.denominator is not None:
            above, below = self.numerator.sum(lo, hi), self.denominator.sum(lo, hi)
            figure = np.divide(above, below, out=np.full(len(above), np.nan), where=below > 0)
        else:
            figure = self.value.sum(lo, hi)
        figure[(withheld >= months) | ~np.isfinite(figure)] = np.nan
        keep = months > 0
        columns: dict[str, Any] = {"area_code": self.codes, "area_name": self.names}
        if not keep.all():
            columns = {
                name: [v for v, k in zip(values, keep, strict=True) if k]
                for name, values in columns.items()
            }
        columns |= {
            "value": figure[keep],
            "months": months[keep],
            "months_suppressed": withheld[keep],
        }
        if self.upper is not None and self.coverage is not None:
            # the period's bound: over the same months as the figure, none of them withheld
            shown = self.value.published[:, lo:hi]
            bounded = (self.upper.published[:, lo:hi] | ~shown).all(axis=1)
            if self.kind == "average":
                upper = self.upper.mean(lo, hi)
            else:
                upper = (self.upper.filled[:, lo:hi] * shown).sum(axis=1)
            upper[~bounded | np.isnan(figure)] = np.nan
            columns["upper"] = upper[keep]
            columns["coverage"] = self.coverage.mean(lo, hi)[keep]
        return columns


def with_enclosing_aor(
    areas: dict[str, Any], level: str, aor_period: dict[str, Any]
) -> dict[str, Any]:
    """Beside each county's or state's figure, its AOR's over the same period (``aor_period``:
    the AOR map's columns): the complete count a bounded one is read beside. A state split
    among several AORs has none."""
    holding = catalogue().aors_holding
    aor_of = {
        code: held[0] for code in areas["area_code"] if len(held := holding(level, code)) == 1
    }
    row_of = {code: row for row, code in enumerate(aor_period["area_code"])}
    # an area with no AOR row points one past the AORs, at a row of nothing
    rows = np.array(
        [row_of.get(aor_of.get(code), len(row_of)) for code in areas["area_code"]], np.int64
    )
    value = np.append(np.asarray(aor_period["value"], float), np.nan)[rows]
    withheld = np.append(np.asarray(aor_period["months_suppressed"], float), np.nan)[rows]
    names = [*aor_period["area_name"], None]
    return areas | {
        "aor_name": [names[row] for row in rows.tolist()],
        "aor_value": value,
        "aor_withheld": withheld,
    }


def map_frame(columns: dict[str, Any]) -> pl.DataFrame:
    """A period's columns as a frame (null where NaN), for the map page's ranking."""
    frame = pl.DataFrame(columns)
    # a measure no area of the level has (removals below the AOR) gives empty lists, which
    # polars types as null: the codes and names stay text for the page's filters
    text = [c for c in ("area_code", "area_name") if c in frame.columns]
    frame = frame.with_columns(pl.col(text).cast(pl.String))
    floats = [c for c, t in frame.schema.items() if t == pl.Float64]
    return frame.with_columns(pl.col(floats).fill_nan(None))


def encode(document: dict[str, Any]) -> bytes:
    """JSON bytes; numpy arrays as lists, NaN as null."""
    return orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY)
