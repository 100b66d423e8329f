"""Releases that do not pretend: a truncated copy of a national file (a valid file, cut at a row
boundary, with its banner) ingested into a full store changes no published figure, and
`releases` says why it was not preferred. A folder with one valid and one corrupt file stores
nothing (ingest is all or nothing per command) and says so."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import polars as pl
import pytest

import sanctuary_atlas
from tests.conftest import NATIONAL
from tests.releases.test_kill import CORPUS
from tests.test_cli import run

BANNER_LINES = 5


def write_cut(source: Path, path: Path, rows: int | None = None) -> int:
    """The banner, the header and the first ``rows`` data rows of ``source`` (half of them
    when None), gzipped: a valid release file that holds part of what its banner claims."""
    with gzip.open(source, "rb") as handle:
        lines = handle.read().split(b"\n")
    data = [line for line in lines[BANNER_LINES + 1 :] if line.strip()]
    kept = data[: rows if rows is not None else len(data) // 2]
    path.write_bytes(gzip.compress(b"\n".join(lines[: BANNER_LINES + 1] + kept) + b"\n"))
    return len(kept)


def published(path: Path) -> pl.DataFrame:
    with sanctuary_atlas.open(path, read_only=True) as atlas:
        return atlas.sql(
            "SELECT level, area_code, month, measure, published FROM panel_cells "
            "ORDER BY level, area_code, month, measure"
        )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, panel_store: Path) -> Path:
    path = tmp_path_factory.mktemp("partial") / "atlas.duckdb"
    shutil.copyfile(panel_store, path)
    return path


@pytest.mark.parametrize(
    ("name", "rows"), [("EROArrests_FY2016.csv.gz", 1000), ("ICERemovals_FY2018.csv.gz", None)]
)
def test_a_truncated_copy_changes_no_published_figure(
    tmp_path: Path, store: Path, name: str, rows: int | None
) -> None:
    before = published(store)
    cut = tmp_path / f"first_rows_of_{name}"
    kept = write_cut(NATIONAL / name, cut, rows)
    with sanctuary_atlas.open(store) as atlas:
        (result,) = atlas.ingest([cut])
        assert result.rows == kept
        assert atlas.measures.ensure_panel() is True
        overlap = atlas.overlaps().filter(pl.col("file_name") == cut.name).row(0, named=True)
    assert overlap["cells_counted"] == 0 and overlap["rows_counted"] == 0
    assert "markedly fewer events" in overlap["superseded_reason"]
    after = published(store)
    assert after.equals(before)
    shown = run("releases", "--db", store, "--csv")
    assert shown.returncode == 0 and "markedly fewer events" in shown.stdout


def test_a_folder_with_a_corrupt_file_stores_nothing_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "release"
    folder.mkdir()
    shutil.copyfile(CORPUS / "good.csv.gz", folder / "a_good.csv.gz")
    shutil.copyfile(CORPUS / "truncated.csv.gz", folder / "b_truncated.csv.gz")
    db = tmp_path / "atlas.duckdb"
    done = run("ingest", "--db", db, folder)
    assert done.returncode == 2
    said = " ".join((done.stdout + done.stderr).split())
    assert "file b_truncated.csv.gz" in said and "Nothing was stored" in said
    assert "a_good.csv.gz" in said  # named among the files rolled back
    with sanctuary_atlas.open(db, read_only=True) as atlas:
        assert atlas.releases().height == 0
        assert atlas.sql("SELECT count(*) AS n FROM arrests")["n"][0] == 0
