"""`policies load-287g` on a folder a user scraped: no manifest, times from file names."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from sanctuary_atlas.cli.policies import policies_app
from sanctuary_atlas.policies.api import PoliciesAPI
from sanctuary_atlas.store import Store
from tests.policies.conftest import SHEETS

runner = CliRunner()
AROUND_THE_TRUNCATED_LIST = [
    "participating_2025-04-11T231031.xlsx",
    "participating_2025-04-21T000000.xlsx",  # 308 rows of ~445
    "participating_2025-04-29T000000.xlsx",
]


def test_a_scraped_folder_loads_and_reloads(tmp_path: Path) -> None:
    folder = tmp_path / "scrapes"
    folder.mkdir()
    for name in AROUND_THE_TRUNCATED_LIST[:2]:
        shutil.copy(SHEETS / "participating" / name, folder / name)
    db = str(tmp_path / "atlas.duckdb")
    first = runner.invoke(policies_app, ["load-287g", str(folder), "--db", db])
    assert first.exit_code == 0, first.output
    assert "2 snapshot(s) loaded" in first.output
    # A new scrape arrives: rerun on the same folder; only the new file is read, and the
    # agreements missing from the truncated list are not ended by it.
    name = AROUND_THE_TRUNCATED_LIST[2]
    shutil.copy(SHEETS / "participating" / name, folder / name)
    second = runner.invoke(policies_app, ["load-287g", str(folder), "--db", db])
    assert second.exit_code == 0, second.output
    assert "1 snapshot(s) loaded, 2 already stored" in second.output
    assert "incomplete snapshot, absences ignored: participating_2025-04-21T000000.xlsx" in (
        " ".join(second.output.split())
    )
    with Store.open(db, read_only=True) as store:
        agreements = PoliciesAPI(store).agreements_287g()
    both_ends = agreements.filter(agreements["snapshots_listed"] >= 2)
    assert (both_ends["spells"] == 1).all()
    assert both_ends.height > 400


def test_an_empty_folder_is_bad_input(tmp_path: Path) -> None:
    result = runner.invoke(
        policies_app, ["load-287g", str(tmp_path), "--db", str(tmp_path / "a.duckdb")]
    )
    assert result.exit_code == 2
    assert "no 287(g) snapshots" in result.output
