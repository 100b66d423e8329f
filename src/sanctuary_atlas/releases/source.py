"""What every reader hands the ingest: one table found in a file, read in batches.

A reader finds the header row and the table kind from the content, then streams the rows as
Arrow batches of strings, one column per source field plus ``source_row`` (1-based line or
sheet row in the original file), so memory does not grow with the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from sanctuary_atlas.releases.banner import Banner
from sanctuary_atlas.releases.errors import BadInputError
from sanctuary_atlas.releases.layouts import HeaderMatch, TableKind

# Longest field accepted. ICE landmark texts run to ~100 characters; a field of megabytes is
# a broken quote or a corrupt file, never a value.
MAX_FIELD_CHARS = 10_000
BATCH_ROWS = 100_000
# C0 control characters other than tab / newline / carriage return, and DEL: never in text.
CONTROL_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


@dataclass
class SourceTable:
    """One table found in a release file (a delimited file, or one sheet of a workbook)."""

    path: Path
    sheet: str | None
    family: str
    header_row: int  # 1-based
    header_cells: tuple[str, ...]
    banner: Banner
    header: HeaderMatch
    kind: TableKind
    read_batches: Callable[[], Iterator[pa.RecordBatch]]
    notes: list[str] = field(default_factory=list)

    @property
    def unknown_columns(self) -> list[str]:
        """Header cells no layout maps: not stored, named in the ingest report."""
        return [name for _, name in self.header.unknown]

    def batches(self) -> Iterator[pa.RecordBatch]:
        return self.read_batches()

    def fail(
        self,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
    ) -> BadInputError:
        return BadInputError(
            self.path, problem, sheet=self.sheet, row=row, column=column, expected=expected
        )


def batch_schema(table: SourceTable) -> pa.Schema:
    """The schema of every batch a reader yields for ``table``."""
    fields = [pa.field(name, pa.string()) for name in table.header.fields]
    return pa.schema([*fields, pa.field("source_row", pa.int64())])


def canonical_batch(
    columns: Sequence[pa.Array], source_fields: Sequence[str], first_row: int
) -> pa.RecordBatch:
    """Name the string columns by source field and add ``source_row`` numbers."""
    rows = len(columns[0]) if columns else 0
    arrays = [*columns, pa.array(range(first_row, first_row + rows), type=pa.int64())]
    return pa.RecordBatch.from_arrays(arrays, names=[*source_fields, "source_row"])


def check_batch(table: SourceTable, batch: pa.RecordBatch, *, control_chars: bool = True) -> None:
    """Reject what no reader catches by itself: over-long fields, control characters, and a
    header row repeated inside the data (two files concatenated)."""
    header_text = {name: table.header_cells[index] for name, index in table.header.fields.items()}
    for name in table.header.fields:
        column = batch.column(name)
        # bytes bound characters from above: measure characters only when bytes exceed it
        if (pc.max(pc.binary_length(column)).as_py() or 0) > MAX_FIELD_CHARS:
            lengths = pc.utf8_length(column)
            longest = pc.max(lengths).as_py()
            if longest > MAX_FIELD_CHARS:
                at = pc.index(pc.greater(lengths, MAX_FIELD_CHARS), True).as_py()
                raise table.fail(
                    f"a field of {longest:,} characters",
                    row=batch.column("source_row")[at].as_py(),
                    column=header_text[name],
                    expected=f"fields of at most {MAX_FIELD_CHARS:,} characters (a broken "
                    "quote or a corrupt file makes such fields)",
                )
        if (
            control_chars
            and pc.any(control := pc.match_substring_regex(column, CONTROL_CHARS)).as_py()
        ):
            at = pc.index(control, True).as_py()
            raise table.fail(
                "undecodable bytes (control characters) in a value",
                row=batch.column("source_row")[at].as_py(),
                column=header_text[name],
                expected="text in Latin-1 or UTF-8",
            )
    _check_repeated_header(table, batch, header_text)


def _check_repeated_header(
    table: SourceTable, batch: pa.RecordBatch, header_text: dict[str, str]
) -> None:
    """A data row equal to the header: test one column on every row, the rest only on the
    rows that matched it."""
    names = list(header_text)
    if not names:
        return
    first = names[0]
    matches = pc.equal(pc.utf8_trim_whitespace(batch.column(first)), header_text[first].strip())
    if not pc.any(matches).as_py():
        return
    candidates = batch.filter(matches)
    repeated = None
    for name in names[1:]:
        same = pc.equal(pc.utf8_trim_whitespace(candidates.column(name)), header_text[name].strip())
        repeated = same if repeated is None else pc.and_kleene(repeated, same)
    hits = (
        candidates.column("source_row")
        if repeated is None
        else pc.filter(candidates.column("source_row"), repeated)
    )
    if len(hits):
        raise table.fail(
            "the header row is repeated inside the data (are two files concatenated?)",
            row=hits[0].as_py(),
            expected="one header row, then data rows only",
        )
