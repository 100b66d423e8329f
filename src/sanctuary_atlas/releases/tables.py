"""Turn a found header into a ``SourceTable``, or a precise error saying why it cannot be one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa

from sanctuary_atlas.releases.banner import Banner
from sanctuary_atlas.releases.errors import BadInputError
from sanctuary_atlas.releases.layouts import (
    DEFAULT_LAYOUT,
    SOURCE_FIELDS,
    Layout,
    detect_kind,
    known_headers,
)
from sanctuary_atlas.releases.source import SourceTable


def table_from_header(
    path: Path,
    sheet: str | None,
    family: str,
    header_row: int,
    cells: tuple[str, ...],
    banner: Banner,
    read_batches: Callable[[], Iterator[pa.RecordBatch]],
    layout: Layout = DEFAULT_LAYOUT,
) -> SourceTable:
    """A column no layout knows is not stored: it is named in the table's report and the ingest
    goes on (only mapped columns are ever stored, so an identifier or free text the layouts do
    not know is never stored by accident). With ``layout.strict`` it stops the ingest."""
    match = layout.match_header(cells)
    if match.unknown and layout.strict:
        index, name = match.unknown[0]
        others = ", ".join(repr(n) for _, n in match.unknown[1:])
        raise BadInputError(
            path,
            f"unknown column {name!r} (column {index + 1})"
            + (f"; also unknown: {others}" if others else ""),
            sheet=sheet,
            row=header_row,
            column=name,
            expected=f"column names of a known layout ({known_headers()}); map a new "
            "spelling with `ingest --columns MAP.yaml`, or ingest without --strict to skip it",
        )
    kind = detect_kind(match, banner.title)
    if kind is None:
        raise BadInputError(
            path,
            "the header matches no known table (arrests, encounters, removals)",
            sheet=sheet,
            row=header_row,
            expected="an arrests header with an apprehension/arrest method, an encounters "
            "header with a landmark or event date, or a removals header with removal fields",
        )
    missing = sorted(kind.required - set(match.fields))
    if missing:
        raise BadInputError(
            path,
            f"the {kind.name} header lacks the column(s) {', '.join(missing)}",
            sheet=sheet,
            row=header_row,
            column=missing[0],
            expected=f"every {kind.name} release to have "
            + "; ".join(" or ".join(repr(n) for n in SOURCE_FIELDS[f]) for f in missing),
        )
    notes = []
    if match.unknown:
        notes.append(
            f"{len(match.unknown)} unknown column(s) not stored: "
            + ", ".join(repr(name) for _, name in match.unknown)
        )
    if match.blank:
        notes.append(f"{len(match.blank)} column(s) with an empty header were not read")
    return SourceTable(
        path=path,
        sheet=sheet,
        family=family,
        header_row=header_row,
        header_cells=cells,
        banner=banner,
        header=match,
        kind=kind,
        read_batches=read_batches,
        notes=notes,
    )
