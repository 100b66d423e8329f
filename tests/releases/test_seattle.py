"""The Seattle AOR workbook (FOIA 2018-ICFO-36170): a reader fallback, banner-only dates, and
an overlap with the national release that must not change any count."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl

import sanctuary_atlas
from sanctuary_atlas.releases.workbook import read_workbook
from tests.conftest import SEATTLE


def test_calamine_refuses_the_workbook_and_the_repaired_copy_is_read() -> None:
    tables = read_workbook(SEATTLE)
    assert [t.sheet for t in tables] == [
        "FY2018 Arrests",
        "FY2018 Encounters",
        "FY2018 Removals",
        "FY2017 Arrests",
        "FY2017 Encounters",
        "FY2017 Removals",
    ]
    notes = " ".join(tables[0].notes)
    assert "Range is missing the expected column component" in notes
    assert "dimension tags removed" in notes
    assert [t.kind.name for t in tables] == ["arrests", "encounters", "removals"] * 2
    assert all(t.header_row == 6 for t in tables)


def test_banner_states_period_program_and_aor() -> None:
    fy2018, fy2017 = read_workbook(SEATTLE)[1], read_workbook(SEATTLE)[4]
    assert (fy2018.banner.coverage_start, fy2018.banner.coverage_end) == (
        date(2017, 10, 1),
        date(2018, 4, 27),
    )
    assert fy2018.banner.coverage_stated
    assert (fy2017.banner.coverage_start, fy2017.banner.coverage_end) == (
        date(2016, 10, 1),
        date(2017, 9, 30),
    )
    # "Criminal Area Program" (sic, FY2018) and "Criminal Alien Program" both mean CAP
    assert fy2018.banner.program == fy2017.banner.program == "CAP"
    assert fy2018.banner.aor_named == "SEA"


def test_sheet_rows_and_values(full_store: Path) -> None:
    with sanctuary_atlas.open(full_store, read_only=True) as atlas:
        registry = atlas.releases().filter(pl.col("sheet").is_not_null())
        encounter_dates = atlas.sql(
            "SELECT count(*) AS n, count(event_date) AS dated FROM encounters e "
            "JOIN releases r USING (release_id) WHERE r.sheet IS NOT NULL"
        )
        redacted = atlas.sql(
            "SELECT count(*) AS n FROM removals e JOIN releases r USING (release_id) "
            "WHERE r.sheet IS NOT NULL AND offense_level IS NULL AND len(redacted) = 0 "
            "AND offense_level IS NOT NULL"
        )
    # sheet rows minus six banner and header rows (openpyxl counts 1416, 7835, 1273, ...)
    assert dict(zip(registry["sheet"], registry["rows_loaded"], strict=True)) == {
        "FY2018 Arrests": 1410,
        "FY2018 Encounters": 7829,
        "FY2018 Removals": 1267,
        "FY2017 Arrests": 2656,
        "FY2017 Encounters": 11712,
        "FY2017 Removals": 1917,
    }
    assert registry["is_complete"].to_list() == [False] * 6
    assert encounter_dates["dated"][0] == 0 and encounter_dates["n"][0] == 7829 + 11712
    assert redacted["n"][0] == 0


def test_seattle_after_national_changes_no_count(national_store: Path, full_store: Path) -> None:
    with sanctuary_atlas.open(national_store, read_only=True) as atlas:
        before = atlas.summary()
    with sanctuary_atlas.open(full_store, read_only=True) as atlas:
        after = atlas.summary()
        stored = atlas.sql("SELECT count(*) AS n FROM arrests WHERE aor = 'SEA'")
    assert after.equals(before)
    # ...while both releases stay in the store
    assert stored["n"][0] == 11_469 + 1410 + 2656


def test_releases_show_the_overlap_and_the_choice(full_store: Path) -> None:
    with sanctuary_atlas.open(full_store, read_only=True) as atlas:
        overlap = atlas.overlaps()
        registry = atlas.releases()
    national_ids = registry.filter(pl.col("sheet").is_null())
    arrests_2018 = national_ids.filter(
        (pl.col("table_name") == "arrests") & (pl.col("fiscal_year") == 2018)
    )["release_id"][0]
    row = overlap.filter(pl.col("sheet") == "FY2018 Arrests").row(0, named=True)
    assert row["cells_covered"] == 7  # Oct 2017 .. Apr 2018 in SEA
    assert row["cells_counted"] == 0 and row["rows_counted"] == 0
    assert row["superseded_by"] == [arrests_2018]
    assert row["superseded_reason"] == "complete release preferred over a partial one"
    # FY2018 encounters: no national file exists; a CAP-only release is not counted alone
    gap = overlap.filter(pl.col("sheet") == "FY2018 Encounters").row(0, named=True)
    assert gap["rows_counted"] == 0 and gap["rows_not_counted"] == 7829
    assert "partial" in gap["superseded_reason"]


def test_user_override_counts_the_preferred_release(full_store: Path, tmp_path: Path) -> None:
    path = tmp_path / "copy.duckdb"
    path.write_bytes(full_store.read_bytes())
    with sanctuary_atlas.open(path) as atlas:
        seattle = atlas.releases().filter(pl.col("sheet") == "FY2018 Arrests")["release_id"][0]
        before = atlas.summary()
        override = atlas.prefer(seattle, aor="SEA")
        after = atlas.summary()
        assert override.warning and "partial" in override.warning
        changed = before.join(after, on=["table", "fiscal_year", "aor"], suffix="_after").filter(
            pl.col("rows") != pl.col("rows_after")
        )
        assert changed.select("table", "fiscal_year", "aor").rows() == [("arrests", 2018, "SEA")]
        national_sea_2018_oct_apr = atlas.sql(
            "SELECT count(*) AS n FROM arrests JOIN releases r USING (release_id) "
            "WHERE aor = 'SEA' AND r.sheet IS NULL AND event_date BETWEEN '2017-10-01' "
            "AND '2018-04-30'"
        )["n"][0]
        expected = changed["rows"][0] - national_sea_2018_oct_apr + 1410
        assert changed["rows_after"][0] == expected
        assert atlas.clear_preferences() == 1
        assert atlas.summary().equals(before)


def test_ingest_report_names_the_reader(full_store: Path) -> None:
    with sanctuary_atlas.open(full_store, read_only=True) as atlas:
        report = json.loads(
            atlas.releases().filter(pl.col("sheet") == "FY2017 Removals")["report"][0]
        )
    assert any("read with fastexcel" in note for note in report["notes"])
    assert report["undated_rows"] == 1917  # removal sheets carry only an arrest date
