"""Reader for releases published as Excel workbooks (one table per sheet, banner rows above).

Readers are tried in order: fastexcel (calamine, fast); fastexcel on a copy whose malformed
``<dimension>`` tags are removed (the Seattle workbook of FOIA 2018-ICFO-36170 declares ranges
such as ``1:1416`` that calamine refuses with "Range is missing the expected column
component"; the tag is optional in OOXML); then openpyxl. If every reader fails, the error
lists what each said.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

import fastexcel
import pyarrow as pa

from sanctuary_atlas.releases.banner import parse_banner
from sanctuary_atlas.releases.errors import BadInputError
from sanctuary_atlas.releases.layouts import DEFAULT_LAYOUT, Layout
from sanctuary_atlas.releases.source import BATCH_ROWS, SourceTable, canonical_batch, check_batch
from sanctuary_atlas.releases.tables import table_from_header

FAMILY = "ice-lesa-workbook"
HEAD_ROWS = 30
_DIMENSION = re.compile(rb"<dimension ref=\"[^\"]*\"\s*/>")

Cell = str | None


class _Backend(Protocol):
    name: str

    def sheet_names(self) -> list[str]: ...

    def head(self, sheet: str, rows: int) -> list[list[Cell]]: ...

    def data(self, sheet: str, skip: int) -> Iterator[list[pa.Array]]:
        """Rows after ``skip`` sheet rows, as string columns, in chunks."""
        ...


class _Calamine:
    """fastexcel: every sheet is read once, whole, as strings, when the workbook is opened —
    so a reader that fails, fails before anything is stored, and no sheet is read twice.
    AOR-level workbooks are small (tens of thousands of rows)."""

    def __init__(self, source: Path | bytes, name: str):
        self.name = name
        reader = fastexcel.read_excel(source if isinstance(source, bytes) else str(source))
        self._sheets: dict[str, pa.RecordBatch] = {}
        for sheet in reader.sheet_names:
            loaded = reader.load_sheet(sheet, header_row=None, dtypes="string", eager=True)
            assert isinstance(loaded, pa.RecordBatch)
            self._sheets[sheet] = loaded

    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    def _columns(self, sheet: str, begin: int, end: int | None) -> list[list[Cell]]:
        batch = self._sheets[sheet]
        stop = batch.num_rows if end is None else min(end, batch.num_rows)
        part = batch.slice(begin, max(0, stop - begin))
        return [column.to_pylist() for column in part.columns]

    def head(self, sheet: str, rows: int) -> list[list[Cell]]:
        columns = self._columns(sheet, 0, rows)
        return [list(row) for row in zip(*columns, strict=True)]

    def data(self, sheet: str, skip: int) -> Iterator[list[pa.Array]]:
        batch = self._sheets[sheet]
        for begin in range(skip, batch.num_rows, BATCH_ROWS):
            part = batch.slice(begin, min(BATCH_ROWS, batch.num_rows - begin))
            yield [column.cast(pa.string()) for column in part.columns]


class _OpenPyXL:
    name = "openpyxl"

    def __init__(self, path: Path):
        import openpyxl

        self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)

    def sheet_names(self) -> list[str]:
        return list(self._book.sheetnames)

    @staticmethod
    def _text(value: object) -> Cell:
        if value is None:
            return None
        if isinstance(value, datetime | date):
            return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
        return str(value)

    def head(self, sheet: str, rows: int) -> list[list[Cell]]:
        found = self._book[sheet].iter_rows(max_row=rows, values_only=True)
        return [[self._text(v) for v in row] for row in found]

    def data(self, sheet: str, skip: int) -> Iterator[list[pa.Array]]:
        chunk: list[list[Cell]] = []
        for row in self._book[sheet].iter_rows(min_row=skip + 1, values_only=True):
            chunk.append([self._text(v) for v in row])
            if len(chunk) == BATCH_ROWS:
                yield _string_columns(chunk)
                chunk = []
        if chunk:
            yield _string_columns(chunk)


def _string_columns(rows: list[list[Cell]]) -> list[pa.Array]:
    """Row lists (of uneven length: openpyxl trims empty trailing cells) as string columns."""
    width = max(len(r) for r in rows)
    padded = [r + [None] * (width - len(r)) for r in rows]
    return [pa.array(list(column), type=pa.string()) for column in zip(*padded, strict=True)]


def _without_dimension_tags(path: Path) -> bytes:
    """The workbook with every worksheet's ``<dimension>`` element removed, stored uncompressed
    in memory (compression would cost more than it saves here)."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/") and item.filename.endswith(".xml"):
                data = _DIMENSION.sub(b"", data, count=1)
            copy.writestr(item.filename, data)
    return out.getvalue()


def open_workbook(path: Path) -> tuple[_Backend, list[str]]:
    """The first reader that accepts the workbook, and notes on the ones that did not."""
    failures: list[str] = []
    try:
        return _Calamine(path, "fastexcel"), failures
    except Exception as exc:  # calamine raises its own error types
        failures.append(f"fastexcel: {exc}".splitlines()[0])
    try:
        repaired = _without_dimension_tags(path)
        return _Calamine(repaired, "fastexcel (dimension tags removed)"), failures
    except Exception as exc:
        failures.append(f"fastexcel on a repaired copy: {exc}".splitlines()[0])
    try:
        return _OpenPyXL(path), failures
    except Exception as exc:
        failures.append(f"openpyxl: {exc}".splitlines()[0])
    raise BadInputError(
        path,
        "no reader could open the workbook (" + "; ".join(failures) + ")",
        expected="an .xlsx or .xls workbook",
    )


def _header_in(head: list[list[Cell]], layout: Layout) -> tuple[int, list[str]] | None:
    best: tuple[int, int, list[str]] = (1, -1, [])
    for index, row in enumerate(head):
        cells = [(c or "").strip() for c in row]
        score = layout.header_score(cells)
        if score > best[0]:
            best = (score, index, cells)
    if best[1] < 0:
        return None
    cells = best[2]
    while cells and not cells[-1]:
        cells.pop()  # trailing empty cells of a wide used range
    return best[1], cells


def read_workbook(path: Path, layout: Layout = DEFAULT_LAYOUT) -> list[SourceTable]:
    """Every table found in the workbook's sheets; sheets without a release header are named
    in the first table's notes. A workbook with none is bad input."""
    backend, failures = open_workbook(path)
    tables: list[SourceTable] = []
    skipped: list[str] = []
    for sheet in backend.sheet_names():
        head = backend.head(sheet, HEAD_ROWS)
        found = _header_in(head, layout)
        if found is None:
            skipped.append(sheet)
            continue
        header_index, cells = found
        banner_lines = [
            " ".join(c.strip() for c in row if c and c.strip()) for row in head[:header_index]
        ]
        banner = parse_banner(banner_lines, path.name)
        table = table_from_header(
            path,
            sheet,
            FAMILY,
            header_index + 1,
            tuple(cells),
            banner,
            _batches_factory(backend, sheet, header_index + 1),
            layout,
        )
        table.notes.append(f"read with {backend.name}")
        table.notes.extend(f"reader refused: {failure}" for failure in failures)
        tables.append(table)
        _bind(table)
    if not tables:
        raise BadInputError(
            path,
            f"no sheet holds a recognisable release table (sheets: {', '.join(skipped) or 'none'})",
            expected="a sheet with banner rows, then a header naming ICE release columns",
        )
    if skipped:
        tables[0].notes.append(f"sheets without a release table: {', '.join(skipped)}")
    return tables


class _BatchSource:
    """Deferred: the batches need the finished ``SourceTable`` to check them."""

    def __init__(self, backend: _Backend, sheet: str, skip: int):
        self.backend, self.sheet, self.skip = backend, sheet, skip
        self.table: SourceTable | None = None

    def __call__(self) -> Iterator[pa.RecordBatch]:
        table = self.table
        assert table is not None
        fields = list(table.header.fields)
        next_row = self.skip + 1
        for columns in self.backend.data(self.sheet, self.skip):
            width, length = len(columns), len(columns[0])
            arrays = [
                columns[index] if index < width else pa.nulls(length, type=pa.string())
                for index in (table.header.fields[name] for name in fields)
            ]
            batch = canonical_batch(arrays, fields, next_row)
            check_batch(table, batch)
            next_row += batch.num_rows
            yield batch


def _batches_factory(backend: _Backend, sheet: str, skip: int) -> _BatchSource:
    return _BatchSource(backend, sheet, skip)


def _bind(table: SourceTable) -> None:
    source = table.read_batches
    assert isinstance(source, _BatchSource)
    source.table = table
