"""Reader for Parquet releases (the Deportation Data Project publishes ICE's tables as Parquet
as well as CSV and Excel). The column names are the header; only mapped columns are read, in
row groups, and every value is handed on as text like the other readers' (dates and times as
ISO text, which the value normalisation parses)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sanctuary_atlas.releases.banner import parse_banner
from sanctuary_atlas.releases.errors import BadInputError
from sanctuary_atlas.releases.layouts import DEFAULT_LAYOUT, Layout
from sanctuary_atlas.releases.source import SourceTable, canonical_batch, check_batch
from sanctuary_atlas.releases.tables import table_from_header

FAMILY = "parquet"
PARQUET_MAGIC = b"PAR1"
BATCH_ROWS = 100_000


def _as_text(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column as strings: timestamps and dates as ISO text, numbers as written."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    kind = array.type
    if pa.types.is_timestamp(kind):
        # whole seconds: Arrow's %S writes a fraction for finer units
        seconds = pc.cast(array, pa.timestamp("s", kind.tz), safe=False)
        return pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
    if pa.types.is_date(kind):
        return pc.strftime(array, format="%Y-%m-%d")
    if pa.types.is_dictionary(kind):
        return _as_text(array.dictionary_decode())
    if pa.types.is_string(kind):
        return array
    if pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return array.cast(pa.string())
    try:
        return array.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise ValueError(f"a column of type {kind} cannot be read as text") from exc


def read_parquet(path: Path, layout: Layout = DEFAULT_LAYOUT) -> SourceTable:
    try:
        handle = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise BadInputError(
            path, f"the Parquet file cannot be read ({exc})", expected="a complete Parquet file"
        ) from exc
    cells = tuple(handle.schema_arrow.names)

    def batches() -> Iterator[pa.RecordBatch]:
        fields = list(table.header.fields)
        names = [cells[table.header.fields[name]] for name in fields]
        next_row = 1
        try:
            for block in handle.iter_batches(batch_size=BATCH_ROWS, columns=names):
                try:
                    arrays = [_as_text(block.column(index)) for index in range(len(names))]
                except ValueError as exc:
                    raise table.fail(str(exc), row=next_row) from exc
                batch = canonical_batch(arrays, fields, next_row)
                check_batch(table, batch)
                next_row += block.num_rows
                yield batch
        except (pa.ArrowInvalid, OSError) as exc:
            raise table.fail(
                f"the Parquet data breaks after row {next_row - 1:,} ({exc})",
                row=next_row,
                expected="a complete Parquet file",
            ) from exc

    table = table_from_header(
        path, None, FAMILY, 0, cells, parse_banner([], path.name), batches, layout
    )
    return table
