"""A workbook in a layout the atlas has not seen — other sheet names, an extra conviction
column — ingests without code changes, and its arrests that repeat the national release are
counted once. The issue's 2012-2019 Seattle workbook is not in ../shared/data: this one is made
from the real Seattle workbook's rows (banners, headers, values), with its sheets renamed and a
'Most Serious Conviction' column added to the arrest sheets (left empty: the source has none)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest

import sanctuary_atlas
from tests.conftest import SEATTLE

# Seattle AOR arrests by fiscal year, each event once (the national release's figures)
SEATTLE_ARRESTS = {2016: 2_698, 2017: 3_376, 2018: 3_067}
SHEET_NAMES = {
    "FY2018 Arrests": "Admin Arrests 2018 YTD",
    "FY2018 Encounters": "ERO Encounters (2018)",
    "FY2018 Removals": "CAP Removals 18",
    "FY2017 Arrests": "Admin Arrests 2017",
    "FY2017 Encounters": "ERO Encounters (2017)",
    "FY2017 Removals": "CAP Removals 17",
}
EXTRA = "Most Serious Conviction"


def write_unseen_workbook(path: Path) -> None:
    source = openpyxl.load_workbook(SEATTLE, read_only=True)
    target = openpyxl.Workbook(write_only=True)
    for sheet in source.worksheets:
        out = target.create_sheet(SHEET_NAMES[sheet.title])
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        header_at = next(i for i, r in enumerate(rows) if r[0] == "Event Number")
        width = max(i for i, v in enumerate(rows[header_at]) if v is not None) + 1
        arrests = "Arrests" in sheet.title
        for index, row in enumerate(rows):
            cells = row[:width]
            if arrests and index >= header_at:
                cells = [*cells, EXTRA if index == header_at else None]
            out.append(cells)
    target.save(path)


@pytest.fixture(scope="module")
def unseen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("unseen") / "seattle_arrests_encounters_removals.xlsx"
    write_unseen_workbook(path)
    return path


def _seattle_arrests(path: Path) -> dict[int, int]:
    with sanctuary_atlas.open(path, read_only=True) as atlas:
        summary = atlas.summary().filter((pl.col("table") == "arrests") & (pl.col("aor") == "SEA"))
    return {int(y): int(n) for y, n in zip(summary["fiscal_year"], summary["rows"], strict=True)}


def test_the_real_store_counts_seattle_arrests_as_the_national_release(full_store: Path) -> None:
    counted = _seattle_arrests(full_store)
    assert {y: counted[y] for y in SEATTLE_ARRESTS} == SEATTLE_ARRESTS


def test_an_unseen_workbook_layout_ingests_and_counts_nothing_twice(
    tmp_path: Path, full_store: Path, unseen: Path
) -> None:
    store = tmp_path / "atlas.duckdb"
    shutil.copyfile(full_store, store)
    before = _seattle_arrests(store)
    with sanctuary_atlas.open(store) as atlas:
        results = atlas.ingest([unseen])
        registry = atlas.releases().filter(pl.col("file_name") == unseen.name)
    assert [r.status for r in results] == ["ingested"]
    assert results[0].unknown_columns == {}  # the conviction column is a known field
    assert sorted(registry["sheet"].to_list()) == sorted(SHEET_NAMES.values())
    assert registry["rows_loaded"].sum() == 1410 + 7829 + 1267 + 2656 + 11712 + 1917
    header = json.loads(registry.filter(pl.col("sheet") == "Admin Arrests 2017")["report"][0])[
        "header"
    ]
    assert header[-1] == EXTRA
    after = _seattle_arrests(store)
    assert after == before
    assert {y: after[y] for y in SEATTLE_ARRESTS} == SEATTLE_ARRESTS
