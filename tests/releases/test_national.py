"""The national ERO-LESA release (FOIA 2019-ICFO-53623), ingested whole from the real files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import polars as pl
import pytest

import sanctuary_atlas
from tests.conftest import NATIONAL

# Row counts published in ../shared/data/README.md, an account independent of this code.
PUBLISHED_ROWS = {
    "EROArrests_FY2016.csv.gz": 110_104,
    "EROArrests_FY2017.csv.gz": 143_470,
    "EROArrests_FY2018.csv.gz": 158_581,
    "EROArrests_FY2019.csv.gz": 131_904,
    "EROEncounters_FY2016.csv.gz": 368_645,
    "EROEncounters_FY2017.csv.gz": 439_903,
    "EROEncounters_FY2019.csv.gz": 396_384,
    "ICERemovals_FY2016.csv.gz": 240_255,
    "ICERemovals_FY2017.csv.gz": 226_119,
    "ICERemovals_FY2018.csv.gz": 256_085,
    "ICERemovals_FY2019.csv.gz": 241_513,
}
TABLE_OF = {"EROArrests": "arrests", "EROEncounters": "encounters", "ICERemovals": "removals"}


def _file_key(name: str) -> tuple[str, int]:
    stem, year = name.split(".")[0].split("_FY")
    return TABLE_OF[stem], int(year)


def test_every_file_yields_its_published_row_count(national_store: Path) -> None:
    with sanctuary_atlas.open(national_store, read_only=True) as atlas:
        registry = atlas.releases()
    loaded = dict(zip(registry["file_name"], registry["rows_loaded"], strict=True))
    assert loaded == PUBLISHED_ROWS
    assert (registry["rows_read"] == registry["rows_loaded"]).all()


def test_summary_per_fiscal_year_matches_each_file(national_store: Path) -> None:
    with sanctuary_atlas.open(national_store, read_only=True) as atlas:
        summary = atlas.summary()
    totals = {
        (row["table"], row["fiscal_year"]): row["rows"]
        for row in summary.group_by("table", "fiscal_year").agg(pl.col("rows").sum()).to_dicts()
    }
    expected = {_file_key(name): rows for name, rows in PUBLISHED_ROWS.items()}
    assert totals == expected


def test_identical_rows_are_kept_as_distinct_events(national_store: Path) -> None:
    """ICE redacts identifiers, so identical lines are different people: count them in the
    raw file and in the store."""
    path = NATIONAL / "EROArrests_FY2016.csv.gz"
    with gzip.open(path, "rt", encoding="latin-1") as handle:
        lines = handle.read().splitlines()[6:]
    repeats = len(lines) - len(set(lines))
    assert repeats > 1000  # the real file has many identical rows
    with sanctuary_atlas.open(national_store, read_only=True) as atlas:
        stored = atlas.sql(
            "SELECT count(*) AS n FROM arrests a JOIN releases r USING (release_id) "
            "WHERE r.file_name = 'EROArrests_FY2016.csv.gz'"
        )
    assert stored["n"][0] == len(lines)


def test_redaction_markers_become_null_with_a_flag(national_store: Path) -> None:
    with sanctuary_atlas.open(national_store, read_only=True) as atlas:
        leftover = atlas.sql(
            "SELECT count(*) AS n FROM arrests WHERE operation LIKE '(%' OR operation = '--' "
            "OR location_text LIKE '(B)%'"
        )
        flagged = atlas.sql(
            "SELECT count(*) FILTER (WHERE list_contains(redacted, 'operation')) AS flagged, "
            "count(*) FILTER (WHERE list_contains(redacted, 'operation') AND operation IS NULL)"
            " AS flagged_null FROM arrests"
        )
        threat = atlas.sql(
            "SELECT count(*) FILTER (WHERE list_contains(redacted, 'threat_level')) AS n "
            "FROM removals"
        )
    assert leftover["n"][0] == 0
    # the raw arrest files hold 117,238 '(B)(7)(E) ' and 130 '--' operations
    assert flagged["flagged"][0] == flagged["flagged_null"][0] == 117_238 + 130
    assert threat["n"][0] == 542_478


def test_impossible_dates_are_null_and_counted(national_store: Path) -> None:
    with sanctuary_atlas.open(national_store, read_only=True) as atlas:
        invalid = atlas.sql(
            "SELECT count(*) AS n FROM removals WHERE list_contains(invalid_dates, "
            "'apprehension_date')"
        )
        reports = atlas.sql("SELECT report FROM releases WHERE table_name = 'removals'")
        earliest = atlas.sql("SELECT min(apprehension_date) AS d FROM removals")
    reported = sum(
        json.loads(text)["invalid_dates"].get("apprehension_date", 0) for text in reports["report"]
    )
    assert invalid["n"][0] >= 1  # at least the year-999 date
    assert reported == invalid["n"][0]
    assert earliest["d"][0].year >= 1900


def test_aor_codes_keep_hq_and_blank_apart(national_store: Path) -> None:
    with sanctuary_atlas.open(national_store, read_only=True) as atlas:
        aors = atlas.sql(
            "SELECT aor, count(*) AS n FROM arrests GROUP BY aor ORDER BY aor NULLS LAST"
        )
    counts = dict(zip(aors["aor"], aors["n"], strict=True))
    assert counts["HQ"] == 41 and counts[None] == 3_808  # as in the raw files
    assert counts["HOU"] == 51_555
    assert len([code for code in counts if code and code != "HQ"]) == 24


def test_arrest_methods_are_classed(national_store: Path) -> None:
    with sanctuary_atlas.open(national_store, read_only=True) as atlas:
        classes = atlas.sql("SELECT method_class, count(*) AS n FROM arrests GROUP BY 1 ORDER BY 1")
        reports = atlas.sql("SELECT report FROM releases WHERE table_name = 'arrests'")
    by_class = dict(zip(classes["method_class"], classes["n"], strict=True))
    # CAP local + state + federal + 287(g) + CAP + other agency, from the raw method counts
    assert by_class["custodial"] == 213_952 + 84_535 + 41_238 + 29_012 + 15 + 1_602
    assert by_class["at_large"] == 67_259 + 61_416 + 14_873 + 544 + 72 + 95
    for text in reports["report"]:
        assert json.loads(text)["unclassified_methods"] == {}


@pytest.mark.parametrize("name", ["EROArrests_FY2019.csv.gz", "ICERemovals_FY2017.csv.gz"])
def test_provenance_points_back_to_the_source_line(national_store: Path, name: str) -> None:
    path = NATIONAL / name
    with gzip.open(path, "rt", encoding="latin-1") as handle:
        lines = handle.read().splitlines()
    with sanctuary_atlas.open(national_store, read_only=True) as atlas:
        table = "arrests" if "Arrests" in name else "removals"
        sample = atlas.sql(
            f"SELECT e.source_row, e.citizenship, e.gender FROM {table} e "
            f"JOIN releases r USING (release_id) WHERE r.file_name = '{name}' "
            "ORDER BY hash(e.source_row) LIMIT 50"
        )
    for source_row, citizenship, gender in sample.iter_rows():
        line = lines[source_row - 1]
        assert f'"{gender}"' in line
        if citizenship:
            assert f'"{citizenship}"' in line
