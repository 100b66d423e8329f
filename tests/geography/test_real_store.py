"""Geography over a store built by the real ingest of the national release."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sanctuary_atlas.geography import GeographyAPI, resolve_store_locations
from sanctuary_atlas.store import Store

# Row counts of the four national arrest files, as published in ../shared/data/README.md.
ARREST_ROWS = 110_104 + 143_470 + 158_581 + 131_904


def test_national_store_resolves_once_per_distinct_text(
    national_store: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "atlas.duckdb"
    copy.write_bytes(national_store.read_bytes())  # the session store stays untouched
    with Store.open(copy) as store:
        distinct = store.scalar(
            "SELECT count(*) FROM (SELECT DISTINCT aor, location_text FROM ("
            " SELECT aor, location_text FROM arrests UNION ALL"
            " SELECT aor, location_text FROM encounters))"
        )
        before = store.scalar("SELECT count(*) FROM location_resolutions")
        added = resolve_store_locations(store)
        assert before + added == distinct
        assert resolve_store_locations(store) == 0
        unjoined = store.scalar(
            "SELECT count(*) FROM arrests a WHERE NOT EXISTS (SELECT 1 FROM location_resolutions"
            " r WHERE r.aor IS NOT DISTINCT FROM a.aor"
            " AND r.location_text IS NOT DISTINCT FROM a.location_text)"
        )
        assert unjoined == 0
        report = GeographyAPI(store).coverage()
    arrests = report.filter(pl.col("table_name") == "arrests")
    assert arrests["events"].sum() == ARREST_ROWS
    county = (arrests["events"] * arrests["county_share"]).sum() / ARREST_ROWS
    print(f"arrest events resolved to a county, all landmarks: {county:.1%}")
    assert county > 0.5
    totals = report.select(pl.sum_horizontal(pl.col("^.*_share$"))).to_series()
    assert totals.round(3).eq(1.0).all()
    houston = arrests.filter(pl.col("aor") == "HOU")
    assert houston["fiscal_year"].to_list() == [2016, 2017, 2018, 2019]


def test_arrests_placed_in_a_state_and_illinois_share_of_chicago(
    national_store: Path, tmp_path: Path
) -> None:
    """Issue 16's figures on the real national release: >= 92% of arrests placed in a state
    (83% before the office rules), and Illinois >= a fifth of the Chicago AOR's FY2017 arrests
    (6% before: most Chicago-area arrests carry the Chicago office's own landmarks)."""
    copy = tmp_path / "atlas.duckdb"
    copy.write_bytes(national_store.read_bytes())
    with Store.open(copy) as store:
        resolve_store_locations(store)
        placed, total, illinois, chicago = store.rows(
            "SELECT count(*) FILTER (WHERE r.state IS NOT NULL), count(*),"
            " count(*) FILTER (WHERE a.aor = 'CHI' AND a.fiscal_year = 2017 AND r.state = 'IL'),"
            " count(*) FILTER (WHERE a.aor = 'CHI' AND a.fiscal_year = 2017)"
            " FROM arrests a JOIN location_resolutions r ON r.aor IS NOT DISTINCT FROM a.aor"
            " AND r.location_text IS NOT DISTINCT FROM a.location_text"
        )[0]
    print(f"arrests placed in a state {placed / total:.1%}; IL/CHI FY2017 {illinois / chicago:.1%}")
    assert total == ARREST_ROWS
    assert placed / total >= 0.92
    assert illinois / chicago >= 0.2
