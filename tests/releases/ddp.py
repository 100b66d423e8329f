"""Fixtures in the Deportation Data Project's layouts, made from real rows of the national
release.

The DDP publishes ICE's arrests, detainers, encounters, removals and detention stints as CSV,
Excel and Parquet; its ICE data codebook describes the tables (Deportation Data Project, "ICE
core data codebook", 10 December 2025, https://deportationdata.org/docs/ice/codebook.html).
Column names here follow its published tables (snake_case, as in its CSV and Parquet files);
the values are real rows of the national ERO-LESA release. Identifier columns hold the
redaction marker a release whose identifiers are withheld holds, so that a test can check they
are never stored.

Detainers: the national release has no detainer file, but its encounters record every detainer
lodged (processing disposition 'Detainer'), with the date, the AOR and the jail (landmark). The
detainer fixture is those rows. No release here records how a detainer ended; the fixture gives
a lift reason by one rule drawn from the record, not a distribution: a detainer sent to a jail
the resolver places in a county whose own ``limits_detainers`` policy (the curated registry's
county entries, e.g. Cook County's of 2011) is in force on that day is 'Detainer Declined by
Local Agency'; every other one is 'Booked into Detention' (a value of the DDP's detainer
tables). The wording of the declined value is the fixture's own: the measure counts any lift
reason that contains "declin".
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from sanctuary_atlas.geography.aors import aor_code
from sanctuary_atlas.geography.resolver import resolve_location
from sanctuary_atlas.policies.curated import curated_entries
from tests.conftest import NATIONAL

WITHHELD = "b(6), b(7)c"  # how the DDP's tables show a withheld identifier
DECLINED = "Detainer Declined by Local Agency"
BOOKED = "Booked into Detention"

DETAINER_COLUMNS = [
    "detainer_prepare_date",
    "facility_state",
    "facility_aor",
    "facility_city",
    "detainer_facility",
    "detainer_facility_code",
    "detention_facility",  # empty in the DDP's detainers: the named facility is above
    "detainer_lift_reason",
    "detainer_criminality",
    "detainer_type",
    "gender",
    "citizenship_country",
    "birth_year",
    "unique_id",
    "eid_dta_id",
]


def national_rows(name: str) -> Iterator[dict[str, str]]:
    """The rows of one national file, by header name."""
    with gzip.open(NATIONAL / name, "rt", encoding="latin-1") as source:
        lines = source.read().splitlines()[5:]
    yield from csv.DictReader(lines, delimiter="|")


def _limits_detainers() -> list[tuple[set[str], date, date]]:
    """(county FIPS, from, to) of the curated county detainer limits."""
    return [
        (set(entry.county_fips), entry.effective_from, entry.effective_to or date.max)
        for entry in curated_entries()
        if entry.kind == "limits_detainers" and entry.jurisdiction_level == "county"
    ]


def detainer_rows(first: date, last: date) -> list[dict[str, str]]:
    """Detainers lodged from ``first`` to ``last`` (FY2017 encounters), in the DDP layout."""
    rows: list[dict[str, str]] = []
    limits = _limits_detainers()
    places: dict[tuple[str, str], set[str]] = {}
    for row in national_rows("EROEncounters_FY2017.csv.gz"):
        if row["Processing Disposition"].strip() != "Detainer":
            continue
        day = datetime.strptime(row["Event Date"], "%m/%d/%Y").date()
        if not first <= day <= last:
            continue
        landmark = row["Landmark"].strip()
        key = (row["Event Area of Responsibility"], landmark)
        if key not in places:
            found = resolve_location(landmark, aor_code(key[0]))
            places[key] = {found.county_fips} if found.county_fips else set()
        declined = any(places[key] & spell and start <= day <= end for spell, start, end in limits)
        rows.append(
            {
                "detainer_prepare_date": f"{day:%Y-%m-%d} 00:00:00",
                "facility_state": "",
                "facility_aor": row["Event Area of Responsibility"],
                "facility_city": "",
                "detainer_facility": landmark,
                "detainer_facility_code": "",
                "detention_facility": "",
                "detainer_lift_reason": DECLINED if declined else BOOKED,
                "detainer_criminality": "",
                "detainer_type": "",
                "gender": row["Gender"],
                "citizenship_country": row["Citizenship"],
                "birth_year": "",
                "unique_id": WITHHELD,
                "eid_dta_id": WITHHELD,
            }
        )
    return rows


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _first(name: str, count: int) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for row in national_rows(name):
        rows.append(row)
        if len(rows) == count:
            break
    return rows


def _iso(us_date: str) -> str:
    """'10/1/2016' -> '2016-10-01 00:00:00', as the DDP's tables write dates."""
    if not us_date.strip():
        return ""
    return f"{datetime.strptime(us_date.strip(), '%m/%d/%Y'):%Y-%m-%d} 00:00:00"


def arrest_rows(count: int) -> list[dict[str, str]]:
    return [
        {
            "apprehension_date": _iso(row["Apprehension Date"]),
            "apprehension_state": "",
            "apprehension_aor": row["Area of Responsibility"],
            "apprehension_method": row["Apprehension Method"],
            "apprehension_criminality": "",
            "apprehension_site_landmark": row["Apprehension Landmark"],
            "citizenship_country": row["Citizenship"],
            "gender": row["Gender"],
            "birth_year": "",
            "unique_id": WITHHELD,
            "case_id": WITHHELD,
        }
        for row in _first("EROArrests_FY2017.csv.gz", count)
    ]


def encounter_rows(count: int) -> list[dict[str, str]]:
    return [
        {
            "event_date": _iso(row["Event Date"]),
            "event_type": "",
            "event_landmark": row["Landmark"],
            "responsible_aor": row["Event Area of Responsibility"],
            "processing_disposition": row["Processing Disposition"],
            "encounter_criminality": "",
            "citizenship_country": row["Citizenship"],
            "gender": row["Gender"],
            "unique_id": WITHHELD,
        }
        for row in _first("EROEncounters_FY2017.csv.gz", count)
    ]


def removal_rows(count: int) -> list[dict[str, str]]:
    return [
        {
            "departure_date": _iso(row["Removal Date"]),
            "port_of_departure": "",
            "case_aor": row["Area of Responsibility"],
            "processing_disposition_code": row["Processing Disposition Code"],
            "apprehension_date": _iso(row["Apprehension Date"]),
            "citizenship_country": row["Citizenship"],
            "gender": row["Gender"],
            "final_charge_section": row["Final Charge Section"],
            "case_criminality": "",
            "alien_file_number": WITHHELD,
            "unique_id": WITHHELD,
        }
        for row in _first("ICERemovals_FY2017.csv.gz", count)
    ]


def stint_rows(count: int) -> list[dict[str, str]]:
    """Detention stints: the DDP's daily population (facility code, day) where people were
    held, with the facility's AOR from ICE's facility list; book-in on that day."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from tests.conftest import DATA

    daily = pq.read_table(
        DATA / "detention" / "ddp" / "facilities-daily-population_2022-10-01_2026-03-10.parquet",
        columns=["detention_facility_code", "date", "n_detained", "detention_facility"],
    )
    daily = daily.filter(pc.greater(daily["n_detained"], 0)).slice(0, count)
    with gzip.open(DATA / "detention" / "facilities.csv.gz", "rt", encoding="latin-1") as f:
        aor_of = {row["detloc"]: row["aor"] for row in csv.DictReader(f, delimiter="|")}
    return [
        {
            "stay_book_in_date": f"{row['date']:%Y-%m-%d} 00:00:00",
            "book_in_date_time": f"{row['date']:%Y-%m-%d} 08:00:00",
            "detention_facility_code": row["detention_facility_code"],
            "detention_facility": row["detention_facility"],
            "book_in_aor": aor_of.get(row["detention_facility_code"], ""),
            "detention_release_reason": "",
            "gender": "",
            "citizenship_country": "",
            "unique_id": WITHHELD,
            "detention_id": WITHHELD,
        }
        for row in daily.to_pylist()
    ]


def write_release(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write ``rows`` as CSV, XLSX or Parquet, by the path's suffix. In Parquet, columns whose
    name ends in ``date`` or ``date_time`` are timestamps, as the DDP writes them."""
    columns = list(rows[0])
    if path.suffix == ".csv":
        return write_csv(path, columns, rows)
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("data")
        sheet.append(columns)
        for row in rows:
            sheet.append([row[c] for c in columns])
        book.save(path)
        return path
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = {}
    for column in columns:
        values = [row[column] or None for row in rows]
        if column.endswith(("date", "date_time")):
            arrays[column] = pa.array(
                [datetime.fromisoformat(v) if v else None for v in values], pa.timestamp("us")
            )
        else:
            arrays[column] = pa.array(values, pa.string())
    pq.write_table(pa.table(arrays), path)
    return path
