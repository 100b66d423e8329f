"""The Deportation Data Project's ICE tables (arrests, detainers, encounters, removals and
detention stints) in CSV, XLSX and Parquet go into their canonical tables: dates parsed, AORs
coded, identifiers never stored. Fixtures: real national rows in the DDP's columns
(tests/releases/ddp.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

import sanctuary_atlas
from sanctuary_atlas.geography.aors import aor_code
from tests.releases import ddp

ROWS = 300
TABLES: dict[str, tuple[Callable[[int], list[dict[str, str]]], str]] = {
    "arrests": (ddp.arrest_rows, "arrests"),
    "encounters": (ddp.encounter_rows, "encounters"),
    "removals": (ddp.removal_rows, "removals"),
    "detention_stints": (ddp.stint_rows, "book_ins"),
}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
@pytest.mark.parametrize("kind", sorted(TABLES))
def test_a_ddp_table_goes_into_its_canonical_table(tmp_path: Path, kind: str, suffix: str) -> None:
    make, table = TABLES[kind]
    rows = make(ROWS)
    path = ddp.write_release(tmp_path / f"ddp_{kind}{suffix}", rows)
    with sanctuary_atlas.open(tmp_path / "atlas.duckdb") as atlas:
        (result,) = atlas.ingest([path])
        assert result.rows == ROWS and result.tables[0].table_name == table
        stored = atlas.sql(f"SELECT * FROM {table}")
        # dates parsed from the DDP's 'YYYY-MM-DD HH:MM:SS' text or Parquet timestamps
        date_column = next(c for c in rows[0] if c.endswith(("date", "date_time")))
        expected_days = sorted(r[date_column][:10] for r in rows if r[date_column])
        assert sorted(str(d) for d in stored["event_date"].drop_nulls()) == expected_days
        aor_column = next(c for c in rows[0] if c.endswith("aor"))
        expected_aors = [aor_code(r[aor_column]) if r[aor_column] else None for r in rows]
        assert sorted(stored["aor"].to_list(), key=str) == sorted(expected_aors, key=str)
        # the identifiers the file holds are stored nowhere
        for column, dtype in stored.schema.items():
            if dtype == pl.String:
                assert ddp.WITHHELD not in set(stored[column].drop_nulls().to_list()), column
