"""Read ICE's published 287(g) lists (participating and pending agencies), one file at a time.

ICE overwrote these lists in place, so their history exists only as snapshots scraped by others
(``MANIFEST.csv`` of ../shared/data/policies/287g-sheets names each file's time and scraper).
What this module meets in the real files, and how it copes:

- Two layouts (sheet "287(g) Agreements" to 2025-02; "Sheet1"/"Sheet 1" after): from 2025 a TYPE
  column (County / Municipality / State Agency), then COUNTY and ADDENDUM columns. Columns are
  found by header name, never by position.
- Model spellings: "Jail Enforcement Model", "Jail Enforcment Model ", "Warrant Services Officer",
  "Warrant Service Office", "Task Force Officer " ... -> three models, by their first word.
- Signing dates as datetime cells, ISO text, and typed text missing a slash ("05/082025",
  "7/72025", "8/282025" in July-September 2025 lists). Others are kept raw and flagged.
- Blank rows at the end of some sheets (2025-09-24..26), state names with trailing spaces and
  one misspelling ("PENNSLYVANIA", 2026-02-27).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

import fastexcel
import openpyxl

from sanctuary_atlas.policies.jurisdictions import state_for
from sanctuary_atlas.releases.ingest import sha256_of

LISTS = ("participating", "pending")
_FILE_NAME = re.compile(r"^(participating|pending)_(\d{4}-\d{2}-\d{2})T(\d{6})\.xlsx$")
_HEADER_MARKER = "LAW ENFORCEMENT AGENCY"
_COLUMNS = {  # canonical name -> header as ICE spells it (read_snapshot relies on this order)
    "state": "STATE",
    "agency": "LAW ENFORCEMENT AGENCY",
    "agency_type": "TYPE",
    "county": "COUNTY",
    "support": "SUPPORT TYPE",
    "signed": "SIGNED",
}
MODELS = ("jail_enforcement", "task_force", "warrant_service")
_MODEL_BY_FIRST_WORD = {
    "JAIL": "jail_enforcement",
    "TASK": "task_force",
    "WARRANT": "warrant_service",
}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
# Month/day/year, with or without the second slash ("05/082025"): the year is always 4 digits.
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/?(\d{4})$")
_AGENCY_WORDS = {"DEPT": "DEPARTMENT", "TWP": "TOWNSHIP", "CNTY": "COUNTY", "CO": "COUNTY"}


class SnapshotReadError(RuntimeError):
    """A snapshot file that no reader could open, or that has no 287(g) header row."""


@dataclass(frozen=True)
class SnapshotFile:
    path: Path
    list_name: str  # participating | pending
    snapshot_time: datetime
    time_source: str
    source_repository: str | None


@dataclass(frozen=True)
class Listing:
    """One agreement row of one snapshot, normalised; raw values are kept beside them."""

    source_row: int
    agreement_key: str
    state_raw: str | None
    state_fips: str | None
    agency_raw: str
    agency_type: str | None
    county_raw: str | None
    support_raw: str | None
    model: str
    signed_raw: str | None
    signed_date: date | None


@dataclass(frozen=True)
class Snapshot:
    file: SnapshotFile
    sha256: str
    layout: str
    reader: str
    listings: tuple[Listing, ...]


def snapshot_files(folder: Path) -> list[SnapshotFile]:
    """The snapshot files of a folder, oldest first.

    Times come from ``MANIFEST.csv`` when the folder has one (it records how each time was
    established); otherwise from the file name, ``participating_2025-04-21T000000.xlsx``.
    """
    manifest = folder / "MANIFEST.csv"
    found: dict[Path, SnapshotFile] = {}
    if manifest.exists():
        with manifest.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                path = folder / row["file"]
                list_name = path.name.split("_", 1)[0]
                if list_name in LISTS and path.exists():
                    found[path.resolve()] = SnapshotFile(
                        path=path,
                        list_name=list_name,
                        snapshot_time=datetime.fromisoformat(row["snapshot_time"]),
                        time_source=row.get("time_source") or "manifest",
                        source_repository=row.get("source_repository") or None,
                    )
    for path in sorted(folder.rglob("*.xlsx")):
        match = _FILE_NAME.match(path.name)
        if match and path.resolve() not in found:
            day, clock = match.group(2), match.group(3)
            found[path.resolve()] = SnapshotFile(
                path=path,
                list_name=match.group(1),
                snapshot_time=datetime.fromisoformat(f"{day}T{clock[:2]}:{clock[2:4]}:{clock[4:]}"),
                time_source="file_name",
                source_repository=None,
            )
    return sorted(found.values(), key=lambda f: (f.snapshot_time, f.list_name, f.path.name))


def read_sheet_rows(path: Path) -> tuple[list[list[str | None]], str]:
    """The first sheet's cells as text, and the reader that managed to read it.

    fastexcel (calamine) is ~13x faster; openpyxl reads workbooks calamine refuses (malformed
    dimension records, as in the Seattle FOIA workbook of this project's data).
    """
    try:
        reader = fastexcel.read_excel(str(path))
        sheet = reader.load_sheet(0, header_row=None, dtypes="string")
        frame = sheet.to_polars()
        return [list(row) for row in frame.iter_rows()], "fastexcel"
    except Exception as fast_error:  # calamine raises several exception types
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                worksheet = workbook.worksheets[0]
                rows = [
                    [None if v is None else str(v) for v in values]
                    for values in worksheet.iter_rows(values_only=True)
                ]
            finally:
                workbook.close()
            return rows, "openpyxl"
        except Exception as slow_error:
            said = [" ".join(str(error).split()) for error in (fast_error, slow_error)]
            raise SnapshotReadError(
                f"cannot read {path}: fastexcel said {said[0]}; openpyxl said {said[1]}"
            ) from slow_error


@cache
def model_of(support_type: str | None) -> str:
    """The 287(g) model a support-type spelling names, or 'unknown'."""
    words = (support_type or "").strip().upper().split()
    return _MODEL_BY_FIRST_WORD.get(words[0], "unknown") if words else "unknown"


@cache
def signed_date_of(raw: str | None) -> date | None:
    """The signing date a cell holds, or None when it holds no readable date."""
    text = (raw or "").strip()
    try:
        if match := _ISO_DATE.match(text):
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if match := _US_DATE.match(text):
            return date(int(match.group(3)), int(match.group(1)), int(match.group(2)))
    except ValueError:  # 13th month, 30 February ...
        return None
    return None


@cache
def agency_key_of(agency: str) -> str:
    """The agency name compared across snapshots: case, apostrophes, punctuation and common
    abbreviations ("Dept.", "Twp.") ignored, as ICE's spelling of one agency varies."""
    text = agency.upper().replace("\u2019", "").replace("'", "")
    words = re.sub(r"[^A-Z0-9]+", " ", text).split()
    return " ".join(_AGENCY_WORDS.get(word, word) for word in words)


# Excel error values and their typed look-alikes mean "no value": 2025 lists put "#N/A" in
# COUNTY and "#NA" in TYPE, and the two readers render error cells differently.
_NO_VALUE = {"#N/A", "#NA", "#VALUE!", "#REF!", "#NAME?", "#NULL!", "#NUM!", "#DIV/0!"}


@cache  # cell values repeat across 1,148 snapshots: cleaning each once keeps loading fast
def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = re.sub(r"\s+", " ", value).strip()
    return text if text and text.upper() not in _NO_VALUE else None


def _header_index(rows: list[list[str | None]], path: Path) -> tuple[int, dict[str, int]]:
    for number, row in enumerate(rows[:20]):
        names = [(_clean(cell) or "").upper() for cell in row]
        if _HEADER_MARKER in names:
            positions = {key: names.index(name) for key, name in _COLUMNS.items() if name in names}
            return number, positions
    raise SnapshotReadError(f"{path}: no header row with {_HEADER_MARKER!r} in its first 20 rows")


def read_snapshot(file: SnapshotFile, sha256: str | None = None) -> Snapshot:
    """One snapshot file, read and normalised (``sha256`` if the caller has hashed it)."""
    rows, reader = read_sheet_rows(file.path)
    header_row, columns = _header_index(rows, file.path)
    body = rows[header_row + 1 :]

    def column(name: str) -> list[str | None]:
        position = columns.get(name)
        if position is None:  # a column of the other layout
            return [None] * len(body)
        return [_clean(row[position]) if position < len(row) else None for row in body]

    cells = zip(
        range(header_row + 2, header_row + 2 + len(body)),
        *(column(name) for name in _COLUMNS),
        strict=True,
    )
    listings: list[Listing] = []
    for number, state_raw, agency, agency_type, county, support, signed_raw in cells:
        if agency is None:  # blank rows close some sheets; they list nothing
            continue
        state = state_for(state_raw)
        state_fips = state[0] if state else None
        model = model_of(support)
        key = "|".join(
            [file.list_name, state_fips or (state_raw or "").upper(), agency_key_of(agency), model]
        )
        listings.append(
            Listing(
                source_row=number,
                agreement_key=key,
                state_raw=state_raw,
                state_fips=state_fips,
                agency_raw=agency,
                agency_type=agency_type,
                county_raw=county,
                support_raw=support,
                model=model,
                signed_raw=signed_raw,
                signed_date=signed_date_of(signed_raw),
            )
        )
    header = [(_clean(c) or "") for c in rows[header_row]]
    return Snapshot(
        file=file,
        sha256=sha256 or sha256_of(file.path),
        layout="|".join(name for name in header if name),
        reader=reader,
        listings=tuple(listings),
    )


# Snapshots are hashed like release files; ingest_287g and the tests know the function by this name.
file_sha256 = sha256_of
