"""Alternatives to detention by AOR, from ICE's detention statistics (the real table)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

import sanctuary_atlas
from sanctuary_atlas.releases.ice_atd import ATD_FILE, snapshots
from tests.conftest import ICE_STATS

MEASURE = "atd_enrolled"


def _raw() -> pl.DataFrame:
    return pl.read_parquet(ICE_STATS / ATD_FILE)


def test_mislabelled_copied_and_inconsistent_tables_are_left_out() -> None:
    raw = _raw()
    kept, left_out = snapshots(raw)
    # tables filed under FY2023 with pull dates of January 2022: another year's table
    assert "pulled 2022-01-09, outside FY2023" in left_out
    assert "pulled 2020-02-24, outside FY2022" in left_out
    # the table of 11 July 2022 carried forward under the pull date 7 February 2022
    assert any(r.startswith("pulled 2022-02-07 (filed 2022-08-09): a copy") for r in left_out)
    assert any(r.startswith("pulled 2022-08-14: AORs add up to") for r in left_out)
    # every kept snapshot is a table ICE published: its AORs add up to that table's total
    totals = raw.filter(pl.col("aor_technology").is_in(["Total", "Grand Total"]))
    for pulled, value in kept.group_by("pull_date").agg(pl.col("value").sum()).iter_rows():
        assert value in totals.filter(pl.col("pull_date") == pulled)["count"].to_list(), pulled
    assert kept["aor"].n_unique() == 24


def test_harlingen_is_counted_in_san_antonio() -> None:
    raw = _raw().filter(
        (pl.col("pull_date") == date(2025, 9, 15)) & (pl.col("file_date") == date(2025, 9, 25))
    )
    kept, _ = snapshots(_raw())
    row = kept.filter((pl.col("pull_date") == date(2025, 9, 15)) & (pl.col("aor") == "SNA"))
    offices = raw.filter(pl.col("aor_technology").is_in(["San Antonio", "Harlingen"]))["count"]
    assert offices.len() == 2
    assert row["value"].to_list() == [offices.sum()]


def test_atd_by_aor_adds_up_to_the_nation_with_no_month_invented(panel_store: Path) -> None:
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        nation = atlas.measures.panel("nation", [MEASURE])
        aors = atlas.measures.panel("aor", [MEASURE])
        below = atlas.store.scalar(
            "SELECT count(*) FROM panel_cells WHERE measure = ? AND level IN ('state', 'county') "
            "AND area_code NOT LIKE '%UNASSIGNED'",
            [MEASURE],
        )
        states = atlas.measures.panel("state", [MEASURE])
    months = nation["month"].to_list()
    assert months[0] == date(2020, 9, 1) and months[-1] == date(2026, 4, 1)
    # months no spreadsheet was pulled in have no row at all, never a zero
    assert date(2025, 10, 1) not in months and date(2026, 3, 1) not in months
    assert len(months) == 58 and nation[MEASURE].min() > 80_000  # type: ignore[operator]
    whole = 0
    for month, total in nation.select("month", MEASURE).iter_rows():
        row = aors.filter(pl.col("month") == month)
        if row[MEASURE].null_count() == 0:  # every AOR published: they add up exactly
            assert row[MEASURE].sum() == total, month
            whole += 1
    assert whole >= 50
    # no place below the AOR: no state or county carries ATD
    assert below == 0 and (states.height == 0 or states[MEASURE].null_count() == states.height)
    chicago = aors.filter((pl.col("area_code") == "CHI") & (pl.col("month") == date(2025, 12, 1)))
    assert chicago[MEASURE].to_list()[0] > 10_000
