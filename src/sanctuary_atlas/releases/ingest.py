"""Ingest release files into the store: whole or not at all, once per file content.

Every file is read and checked in one transaction: its tables (one per sheet), its registry
rows and the recomputed release precedence commit together, or nothing of it remains — also
when the process is killed, since DuckDB discards an uncommitted transaction on reopening.
(``Atlas.ingest`` widens this to every file of one command, with the landmark resolution.)
A file whose sha256 is already registered is skipped and reported as such.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from sanctuary_atlas.releases.banner import fiscal_year_bounds
from sanctuary_atlas.releases.delimited import read_delimited
from sanctuary_atlas.releases.errors import BadInputError
from sanctuary_atlas.releases.layouts import DEFAULT_LAYOUT, Layout
from sanctuary_atlas.releases.methods import ARREST_METHODS
from sanctuary_atlas.releases.normalise import insert_plan, with_aor_codes
from sanctuary_atlas.releases.parquet import PARQUET_MAGIC, read_parquet
from sanctuary_atlas.releases.precedence import rebuild_choices
from sanctuary_atlas.releases.source import SourceTable, batch_schema
from sanctuary_atlas.releases.workbook import read_workbook
from sanctuary_atlas.store import Store

RELEASE_SUFFIXES = (".csv", ".csv.gz", ".gz", ".txt", ".tsv", ".xlsx", ".xls", ".parquet")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"

RowsCallback = Callable[[int], None]


@dataclass
class IngestedTable:
    release_id: int
    sheet: str | None
    table_name: str
    rows_loaded: int
    rows_flagged: int
    dates_invalid: int


@dataclass
class IngestResult:
    path: Path
    status: str  # 'ingested' | 'already stored'
    sha256: str
    tables: list[IngestedTable] = field(default_factory=list)
    seconds: float = 0.0
    unknown_columns: dict[str, list[str]] = field(default_factory=dict)  # sheet -> names

    @property
    def rows(self) -> int:
        return sum(t.rows_loaded for t in self.tables)


def release_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and release-like files inside folders named (sorted, not recursive into
    hidden folders). A path that does not exist is a user error."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                    and p.name.lower().endswith(RELEASE_SUFFIXES)
                )
            )
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return found


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def source_tables(path: Path, layout: Layout = DEFAULT_LAYOUT) -> list[SourceTable]:
    """The tables in a release file, with the layout detected from its bytes, not its name."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if not magic:
        raise BadInputError(path, "the file is empty", expected="a release file with a header")
    if magic.startswith(_ZIP_MAGIC) or magic.startswith(_OLE_MAGIC):
        return read_workbook(path, layout)
    if magic == PARQUET_MAGIC:
        return [read_parquet(path, layout)]
    return [read_delimited(path, layout)]


def ingest_file(
    store: Store,
    path: Path,
    on_rows: RowsCallback | None = None,
    layout: Layout = DEFAULT_LAYOUT,
) -> IngestResult:
    started = time.perf_counter()
    digest = sha256_of(path)
    if store.scalar("SELECT count(*) FROM releases WHERE sha256 = ?", [digest]):
        return IngestResult(path, "already stored", digest)
    tables = source_tables(path, layout)  # header and layout errors surface before any write
    result = IngestResult(path, "ingested", digest)
    result.unknown_columns = {
        table.sheet or "": table.unknown_columns for table in tables if table.unknown_columns
    }
    with store.transaction():
        for table in tables:
            result.tables.append(_load_table(store, table, digest, on_rows))
        rebuild_choices(store)
    result.seconds = time.perf_counter() - started
    return result


def _load_table(
    store: Store, table: SourceTable, digest: str, on_rows: RowsCallback | None
) -> IngestedTable:
    release_id = int(store.scalar("SELECT nextval('release_id_seq')"))
    plan = insert_plan(table, release_id)
    rows_read = 0
    failures: list[BadInputError] = []

    def checked_batches() -> Iterator[pa.RecordBatch]:
        nonlocal rows_read
        try:
            for batch in table.batches():
                coded = with_aor_codes(table, batch)
                rows_read += coded.num_rows
                if on_rows:
                    on_rows(coded.num_rows)
                yield coded
        except BadInputError as exc:
            failures.append(exc)  # DuckDB wraps errors raised inside the scan: keep ours
            raise

    # One INSERT over a streaming reader: DuckDB plans once and pulls batches as it goes,
    # so memory stays at a few batches whatever the file size.
    stream = pa.RecordBatchReader.from_batches(batch_schema(table), checked_batches())
    try:
        store.insert_arrow(plan.table, stream, plan.select_sql)
    except Exception:
        if failures:
            raise failures[0] from None
        raise
    report = _report(store, plan.table, release_id, table)
    stats = store.rows(
        f"""SELECT count(*), count(*) FILTER (WHERE len(redacted) > 0 OR len(invalid_dates) > 0),
                   sum(len(invalid_dates)), min(event_date), max(event_date),
                   list(DISTINCT aor) FILTER (WHERE aor IS NOT NULL AND aor <> 'HQ')
            FROM {plan.table} WHERE release_id = ?""",
        [release_id],
    )[0]
    loaded, flagged, invalid, first, last, aors = stats
    if loaded != rows_read:  # a reader and the store disagree: never store a partial file
        raise table.fail(f"{rows_read:,} rows read but {loaded:,} stored")
    banner = table.banner
    start, end, basis = banner.coverage_start, banner.coverage_end, "stated_in_banner"
    if not banner.coverage_stated:
        if banner.fiscal_year:
            start, end = fiscal_year_bounds(banner.fiscal_year)
            basis = "fiscal_year"
        else:
            start, end, basis = first, last, "event_dates"
    scope_aors = [banner.aor_named] if banner.aor_named else None
    if scope_aors is None and aors and len(aors) == 1 and banner.program != "all":
        scope_aors = list(aors)
    insert_release(
        store,
        release_id=release_id,
        source_family=table.family,
        path=table.path,
        sha256=digest,
        sheet=table.sheet,
        table_name=plan.table,
        title=banner.title,
        foia_number=banner.foia_number,
        fiscal_year=banner.fiscal_year,
        coverage_start=start,
        coverage_end=end,
        coverage_basis=basis,
        scope_aors=scope_aors,
        scope_programs=banner.program,
        is_complete=banner.program == "all",
        header_row=table.header_row,
        rows_read=rows_read,
        rows_loaded=loaded,
        rows_flagged=flagged,
        dates_invalid=int(invalid or 0),
        report=report,
    )
    return IngestedTable(release_id, table.sheet, plan.table, loaded, flagged, int(invalid or 0))


def insert_release(store: Store, *, path: Path, report: dict[str, Any], **columns: Any) -> None:
    """Write one registry row: the file's name and path, its report as JSON, the ingest time,
    and the other ``releases`` columns as given (the one INSERT every loader uses)."""
    row = {
        **columns,
        "file_name": path.name,
        "file_path": str(path.resolve()),
        "report": json.dumps(report, sort_keys=True, default=str),
        "ingested_at": datetime.now(),
    }
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    store.execute(f"INSERT INTO releases ({names}) VALUES ({marks})", list(row.values()))


def register_table_release(
    store: Store,
    *,
    path: Path,
    sha256: str,
    source_family: str,
    table_name: str,
    coverage: tuple[Any, Any],
    rows: int,
    report: dict[str, Any],
    header_row: int = 0,
    **columns: Any,
) -> int:
    """Register a release read whole from a table file (Parquet, a derived daily count): every
    row loaded, none flagged, national scope, coverage from its dates (``header_row`` 0: the
    file has no header line). Returns its id."""
    release_id = int(store.scalar("SELECT nextval('release_id_seq')"))
    insert_release(
        store,
        path=path,
        report=report,
        release_id=release_id,
        source_family=source_family,
        sha256=sha256,
        table_name=table_name,
        coverage_start=coverage[0],
        coverage_end=coverage[1],
        coverage_basis="event_dates",
        scope_programs="all",
        is_complete=True,
        header_row=header_row,
        rows_read=rows,
        rows_loaded=rows,
        rows_flagged=0,
        dates_invalid=0,
        **columns,
    )
    return release_id


def _report(store: Store, table_name: str, release_id: int, table: SourceTable) -> dict[str, Any]:
    """What the ingest changed or could not read, by column: the ingest report."""

    def counts(column: str) -> dict[str, int]:
        found = store.rows(
            f"SELECT c, count(*) FROM (SELECT unnest({column}) AS c FROM {table_name} "
            "WHERE release_id = ?) GROUP BY c ORDER BY c",
            [release_id],
        )
        return {str(name): int(n) for name, n in found}

    report: dict[str, Any] = {
        "redacted": counts("redacted"),
        "invalid_dates": counts("invalid_dates"),
        "undated_rows": int(
            store.scalar(
                f"SELECT count(*) FROM {table_name} WHERE release_id = ? AND event_date IS NULL",
                [release_id],
            )
        ),
        "header": list(table.header_cells),
        "unknown_columns": table.unknown_columns,
        "notes": table.notes,
    }
    if table_name == "arrests":
        known = list(ARREST_METHODS)
        unknown = store.rows(
            "SELECT method, count(*) FROM arrests WHERE release_id = ? AND method IS NOT NULL "
            "AND NOT list_contains(?, method) GROUP BY method ORDER BY method",
            [release_id, known],
        )
        report["unclassified_methods"] = {str(m): int(n) for m, n in unknown}
    return report
