"""Every DuckDB connection the atlas opens is closed to the outside: no other file, no URL, no
extension, and no setting that would open it again."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import sanctuary_atlas
from sanctuary_atlas.store import Store

REFUSED = [
    "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')",
    "SELECT * FROM read_csv('/etc/hostname')",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET autoinstall_known_extensions = true",
]


@pytest.mark.parametrize("read_only", [False, True])
def test_connections_refuse_files_urls_extensions_and_settings(
    tmp_path: Path, read_only: bool
) -> None:
    path = tmp_path / "atlas.duckdb"
    Store.open(path).close()  # create and migrate
    with Store.open(path, read_only=read_only) as store:
        for statement in REFUSED:
            with pytest.raises(duckdb.Error, match=r"disabled|locked"):
                store.rows(statement)
        assert store.scalar("SELECT count(*) FROM schema_version") > 0


def test_the_sql_api_says_why_a_query_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "atlas.duckdb"
    Store.open(path).close()
    other = tmp_path / "notes.txt"
    other.write_text("a file beside the store")
    with (
        sanctuary_atlas.open(path, read_only=True) as atlas,
        pytest.raises(ValueError, match="reads this store only"),
    ):
        atlas.sql(f"SELECT * FROM read_text('{other}')")
