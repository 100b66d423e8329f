"""Paths and readers shared by the geography tests (real public records in ../shared/data)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
TRUTH_SET = Path(__file__).with_name("truth_set.csv")
HOLDOUT_SET = Path(__file__).with_name("holdout_set.csv")
OFFICE_SET = Path(__file__).with_name("office_set.csv")
GENERIC_PATTERN = r"(?i)GENERAL AREA|NON-SPECIFIC|GENERAL NON|DO NOT USE"


def truth_rows(path: Path = TRUTH_SET) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def arrest_landmarks() -> list[tuple[str | None, str | None, int]]:
    """(AOR as spelt by ICE, landmark, events) of the four national arrest files, read directly
    (pipe-delimited Latin-1 gzip, five banner lines before the header)."""
    files = sorted(str(p) for p in (DATA / "ice-lesa" / "national").glob("EROArrests_*.csv.gz"))
    assert len(files) == 4, files
    sql = """
        SELECT "Area of Responsibility", "Apprehension Landmark", count(*)
        FROM read_csv($files, delim='|', encoding='latin-1', skip=5, header=true,
                      all_varchar=true, quote='"')
        GROUP BY ALL
    """
    return [
        (a, t, int(n)) for a, t, n in duckdb.connect().execute(sql, {"files": files}).fetchall()
    ]
