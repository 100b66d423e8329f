"""Reader for delimited releases: ICE ERO-LESA's pipe-delimited, Latin-1, gzipped files with
banner lines above the header, and plain CSV / TSV of the same layouts.

Compression is detected from the bytes (gzip magic), the encoding from the bytes (UTF-8 when
the start decodes as UTF-8, else Latin-1, which ICE uses), the delimiter and the header row
from which line names the most known columns. Rows stream through pyarrow's CSV reader in
blocks; when it refuses a block, a slower line-by-line pass finds the exact row and column.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

import pyarrow as pa
import pyarrow.csv as pacsv

from sanctuary_atlas.releases.banner import parse_banner
from sanctuary_atlas.releases.errors import BadInputError
from sanctuary_atlas.releases.layouts import DEFAULT_LAYOUT, Layout
from sanctuary_atlas.releases.source import (
    CONTROL_CHARS,
    MAX_FIELD_CHARS,
    SourceTable,
    canonical_batch,
    check_batch,
)
from sanctuary_atlas.releases.tables import table_from_header

FAMILY = "ice-lesa-delimited"
GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 256 * 1024
SNIFF_LINES = 40
DELIMITERS = ("|", "\t", ",")
BLOCK_BYTES = 4 << 20
# Longest line read: ICE rows run to a few hundred bytes; every field at its longest allowed
# length would still fit several times. Memory stays a few blocks whatever the file holds.
MAX_LINE_BYTES = 1 << 20


def is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def _open_bytes(path: Path) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if is_gzip(path) else path.open("rb")


class _ControlCharacterFound(Exception):
    """Raised by ``_GuardedStream``; the line-by-line pass then says where."""


class _LineTooLong(Exception):
    """Raised by ``_GuardedStream`` when a line outgrows ``MAX_LINE_BYTES``."""

    def __init__(self, line: int):
        super().__init__(f"line {line}")
        self.line = line


class _GuardedStream:
    """A byte stream that refuses control characters and over-long lines as it is read: one
    C-speed search per block, instead of a regular expression over every parsed value. A line
    is refused as soon as it passes ``MAX_LINE_BYTES``, before any parser holds it: a gzip of a
    few megabytes can hold one line of gigabytes, which a CSV reader would buffer whole."""

    _CONTROL = re.compile(CONTROL_CHARS.encode())

    def __init__(self, raw: io.BufferedIOBase, first_line: int = 1):
        self._raw = raw
        self.closed = False
        self._line = first_line  # 1-based number of the line being read
        self._open_bytes = 0  # bytes of that line read so far

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size if size >= 0 else BLOCK_BYTES)
        if self._CONTROL.search(chunk):
            raise _ControlCharacterFound
        self._count_lines(chunk)
        return chunk

    def _count_lines(self, chunk: bytes) -> None:
        # Only the line that runs across blocks can grow without bound; a line inside one
        # block is bounded by the block, and its fields by ``check_batch``.
        first = chunk.find(b"\n")
        if first < 0:
            self._open_bytes += len(chunk)
            if self._open_bytes > MAX_LINE_BYTES:
                raise _LineTooLong(self._line)
            return
        if self._open_bytes + first > MAX_LINE_BYTES:
            raise _LineTooLong(self._line)
        self._line += chunk.count(b"\n")
        self._open_bytes = len(chunk) - chunk.rfind(b"\n") - 1

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


def _read_start(path: Path) -> bytes:
    """Up to SNIFF_BYTES of the (decompressed) start. A truncated archive yields what it
    holds; the streaming pass then reports the row where it breaks."""
    chunks: list[bytes] = []
    size = 0
    try:
        with _open_bytes(path) as handle:
            while size < SNIFF_BYTES and (chunk := handle.read(16 * 1024)):
                chunks.append(chunk)
                size += len(chunk)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        if not chunks:
            raise BadInputError(
                path,
                f"the compressed data is corrupt or truncated ({exc})",
                row=1,
                expected="a complete gzip file",
            ) from exc
    return b"".join(chunks)


def _encoding(start: bytes) -> str:
    if start.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        # a multi-byte character may be cut at the end of the sniffed block
        start[: max(0, len(start) - 4)].decode("utf-8")
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # a field over the csv module's limit: not a header, not a banner
        return []


def _find_header(path: Path, lines: list[str], layout: Layout) -> tuple[int, str, list[str]]:
    """(0-based line index, delimiter, cells) of the line that names the most known columns."""
    best: tuple[int, int, str, list[str]] = (0, -1, "|", [])
    for index, line in enumerate(lines[:SNIFF_LINES]):
        for delimiter in DELIMITERS:
            cells = _split(line, delimiter)
            score = layout.header_score(cells)
            if score > best[0]:
                best = (score, index, delimiter, cells)
    score, index, delimiter, cells = best
    if score < 2:
        hint = ""
        if any(";" in line for line in lines[:SNIFF_LINES]):
            hint = " (the file seems to use ';' as its delimiter)"
        raise BadInputError(
            path,
            f"no header row found in the first {min(len(lines), SNIFF_LINES)} lines{hint}",
            expected="a header naming ICE release columns (e.g. 'Area of Responsibility', "
            "'Apprehension Date', 'Apprehension Method') separated by '|', tab or ','",
        )
    return index, delimiter, [cell.strip() for cell in cells]


def read_delimited(path: Path, layout: Layout = DEFAULT_LAYOUT) -> SourceTable:
    """Find the table in a delimited release file; rows are read later, in batches."""
    start = _read_start(path)
    if not start.strip():
        raise BadInputError(path, "the file is empty", expected="a header row and data rows")
    encoding = _encoding(start)
    text = start.decode(encoding, errors="replace")
    lines = text.splitlines()
    if len(start) == SNIFF_BYTES and lines:
        lines = lines[:-1]  # the last sniffed line may be cut short
    header_index, delimiter, cells = _find_header(path, lines, layout)
    banner_lines = [
        " ".join(c for c in _split(line, delimiter) if c) for line in lines[:header_index]
    ]
    banner = parse_banner(banner_lines, path.name)

    def batches() -> Iterator[pa.RecordBatch]:
        return _stream(table, encoding, delimiter, header_index)

    table = table_from_header(
        path, None, FAMILY, header_index + 1, tuple(cells), banner, batches, layout
    )
    return table


def _stream(
    table: SourceTable, encoding: str, delimiter: str, header_index: int
) -> Iterator[pa.RecordBatch]:
    fields = list(table.header.fields)
    column_names = [f"c{i}" for i in range(len(table.header_cells))]
    wanted = [column_names[table.header.fields[name]] for name in fields]
    next_row = header_index + 2  # 1-based line number of the first data row
    try:
        with _open_bytes(table.path) as raw:
            reader = pacsv.open_csv(
                _GuardedStream(raw),  # counts lines from the first line of the file
                read_options=pacsv.ReadOptions(
                    skip_rows=header_index + 1,
                    column_names=column_names,
                    encoding="latin1" if encoding == "latin-1" else "utf8",
                    block_size=BLOCK_BYTES,
                ),
                parse_options=pacsv.ParseOptions(delimiter=delimiter),
                convert_options=pacsv.ConvertOptions(
                    column_types={name: pa.string() for name in column_names},
                    include_columns=wanted,
                    strings_can_be_null=False,
                ),
            )
            for block in reader:
                batch = canonical_batch([block.column(name) for name in wanted], fields, next_row)
                check_batch(table, batch, control_chars=False)
                next_row += block.num_rows
                yield batch
    except BadInputError:
        raise
    except _LineTooLong as exc:
        raise table.fail(
            f"a line longer than {MAX_LINE_BYTES:,} bytes",
            row=exc.line,
            expected=f"rows of at most {MAX_LINE_BYTES:,} bytes (a broken quote, a missing "
            "line break or a corrupt file makes such lines)",
        ) from exc
    except (
        pa.ArrowInvalid,
        UnicodeDecodeError,
        _ControlCharacterFound,
        EOFError,
        zlib.error,
        gzip.BadGzipFile,
    ) as exc:
        raise _locate_problem(table, encoding, delimiter, header_index, str(exc)) from exc


def _locate_problem(
    table: SourceTable, encoding: str, delimiter: str, header_index: int, reason: str
) -> BadInputError:
    """Read the file line by line to say exactly where the fast reader stopped."""
    width = len(table.header_cells)
    line = header_index + 1
    # The csv module refuses fields over 128 KiB; lift that to the line limit here so the
    # over-long field is measured and named, then restore the process-wide limit.
    previous_limit = csv.field_size_limit(MAX_LINE_BYTES)
    try:
        with _open_bytes(table.path) as raw:
            text = io.TextIOWrapper(cast(BinaryIO, raw), encoding=encoding, newline="")
            reader = csv.reader(text, delimiter=delimiter)
            for record in reader:
                line = reader.line_num
                if line <= header_index + 1:
                    continue
                if len(record) != width:
                    other = next(
                        (
                            d
                            for d in DELIMITERS
                            if d != delimiter and len(_split(delimiter.join(record), d)) == width
                        ),
                        None,
                    )
                    hint = f"; the row looks {other!r}-delimited" if other else ""
                    return table.fail(
                        f"the row has {len(record)} field(s) separated by {delimiter!r}, "
                        f"the header has {width}{hint}",
                        row=line,
                        expected=f"{width} fields separated by {delimiter!r} on every row",
                    )
                for index, value in enumerate(record):
                    if re.search(CONTROL_CHARS, value):
                        return table.fail(
                            "undecodable bytes (control characters) in a value",
                            row=line,
                            column=table.header_cells[index],
                            expected="text in Latin-1 or UTF-8",
                        )
                    if len(value) > MAX_FIELD_CHARS:
                        return table.fail(
                            f"a field of {len(value):,} characters",
                            row=line,
                            column=table.header_cells[index],
                            expected=f"fields of at most {MAX_FIELD_CHARS:,} characters",
                        )
    except UnicodeDecodeError as exc:
        return table.fail(
            f"bytes that are not valid {encoding} ({exc.reason} at byte {exc.start})",
            expected="text in Latin-1 or UTF-8",
        )
    except csv.Error as exc:
        return table.fail(
            f"unreadable row ({exc})", row=line + 1, expected="well-formed delimited text"
        )
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        return table.fail(
            f"the compressed data ends or breaks after line {line:,} ({exc}); the file is "
            "truncated or corrupt",
            row=line + 1,
            expected="a complete gzip file",
        )
    finally:
        csv.field_size_limit(previous_limit)
    return table.fail(
        f"the rows could not be parsed ({reason})", expected="well-formed delimited text"
    )
