from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from sanctuary_atlas.cli.geography import geography_app
from sanctuary_atlas.geography import GeographyAPI, resolve_store_locations
from sanctuary_atlas.store import Store

_ARREST = (
    "INSERT INTO arrests (release_id, source_row, fiscal_year, aor, method_class, location_text,"
    " redacted, invalid_dates) VALUES (1, ?, ?, ?, 'custodial', ?, [], [])"
)


def _tiny_store(path: Path) -> None:
    rows = [
        (2017, "HOU", "HARRIS COUNTY JAIL, HOUSTON, TX"),
        (2017, "HOU", "HARRIS COUNTY JAIL, HOUSTON, TX"),  # identical rows are distinct events
        (2017, "HOU", "HPC GENERAL AREA, NON-SPECIFIC"),
        (2017, "HOU", None),  # no landmark, but the Houston AOR lies in Texas alone
        # the Kansas City office works both sides of the state line: the AOR only
        (2018, "CHI", "KAN GENERAL AREA, NON-SPECIFIC"),
        (2018, None, "DO NOT USE"),
    ]
    with Store.open(path) as store:
        for number, (year, aor, text) in enumerate(rows):
            store.execute(_ARREST, [number, year, aor, text])


def test_store_resolutions_run_once_per_distinct_text(tmp_path: Path) -> None:
    path = tmp_path / "t.duckdb"
    _tiny_store(path)
    with Store.open(path) as store:
        assert resolve_store_locations(store) == 5
        assert resolve_store_locations(store) == 0
        stored = store.frame("SELECT * FROM location_resolutions ORDER BY location_text")
        assert stored.height == 5
        harris = stored.filter(pl.col("location_text").str.starts_with("HARRIS"))
        assert harris.select("county_fips", "level").row(0) == ("48201", "county")
        store.execute(_ARREST, [99, 2018, "CHI", "COOK COUNTY JAIL"])
        assert resolve_store_locations(store) == 1
        # answers of an older resolver are resolved again, not kept
        store.execute(
            "UPDATE location_resolutions SET resolver_version = 'old', level = 'x'"
            " WHERE location_text = 'COOK COUNTY JAIL'"
        )
        assert resolve_store_locations(store) == 1
        assert (
            store.scalar(
                "SELECT level FROM location_resolutions WHERE location_text = 'COOK COUNTY JAIL'"
            )
            == "county"
        )
        assert store.scalar("SELECT count(*) FROM location_resolutions") == 6


def test_coverage_shares_by_aor_and_fiscal_year(tmp_path: Path) -> None:
    path = tmp_path / "t.duckdb"
    _tiny_store(path)
    with Store.open(path) as store:
        report = GeographyAPI(store).coverage()  # nothing stored yet: resolved in memory
        resolve_store_locations(store)
        assert GeographyAPI(store).coverage().equals(report)
    houston = report.filter((pl.col("aor") == "HOU") & (pl.col("table_name") == "arrests"))
    assert houston.select("events", "county_share", "state_share", "aor_share").row(0) == (
        4,
        0.5,
        0.5,
        0.0,
    )
    chicago = report.filter(pl.col("aor") == "CHI")
    assert chicago["aor_share"].item() == 1.0
    shares = report.select(pl.sum_horizontal(pl.col("^.*_share$")))
    assert shares.to_series().round(6).eq(1.0).all()


def test_cli_coverage_and_resolve(tmp_path: Path) -> None:
    path = tmp_path / "t.duckdb"
    _tiny_store(path)
    runner = CliRunner()
    result = runner.invoke(geography_app, ["coverage", "--db", str(path), "--csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("table_name,aor,fiscal_year,events")
    result = runner.invoke(geography_app, ["resolve", "--aor", "SEA", "SNOHOMISH COUNTY JAIL"])
    assert result.exit_code == 0
    assert json.loads(result.output) == {
        "county_fips": "53061",
        "state": "WA",
        "level": "county",
        "match_kind": "named_county",
        "confidence": 0.95,
    }
    missing = runner.invoke(geography_app, ["coverage", "--db", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1
    unknown = runner.invoke(geography_app, ["resolve", "--aor", "Gotham", "X COUNTY JAIL"])
    assert unknown.exit_code == 1


def test_cli_resolve_csv_and_bad_csv(tmp_path: Path) -> None:
    good = tmp_path / "in.csv"
    good.write_text('aor,text\nHOU,"HARRIS COUNTY JAIL, HOUSTON, TX"\nSEA,SEATTLE FUG OPS\n')
    out = tmp_path / "out.csv"
    runner = CliRunner()
    result = runner.invoke(geography_app, ["resolve", "--csv", str(good), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = pl.read_csv(out, infer_schema=False)
    assert written.columns == [
        "aor",
        "text",
        "county_fips",
        "state",
        "level",
        "match_kind",
        "confidence",
    ]
    assert written["county_fips"].to_list() == ["48201", None]
    bad = tmp_path / "bad.csv"
    bad.write_text("place\nHARRIS COUNTY JAIL\n")
    result = runner.invoke(geography_app, ["resolve", "--csv", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    bad.write_text("aor,text\nGotham,HARRIS COUNTY JAIL\n")
    result = runner.invoke(geography_app, ["resolve", "--csv", str(bad), "--out", str(out)])
    assert result.exit_code == 2


def test_counties_command_lists_fips_as_text() -> None:
    result = CliRunner().invoke(geography_app, ["counties", "--csv"])
    assert result.exit_code == 0
    header, first = result.output.splitlines()[:2]
    assert header.startswith("county_fips,county_name,state,state_fips,aor,population")
    assert first.startswith("01001,Autauga County,AL,01,NOL,")
