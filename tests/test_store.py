"""The store: schema versions and migrations, read-only access, transactions."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sanctuary_atlas.store import Store, StoreError, latest_schema_version, migrations


def test_new_store_is_at_the_latest_version(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        assert store.schema_version() == latest_schema_version()
        applied = store.rows("SELECT version FROM schema_version ORDER BY version")
    assert [v for (v,) in applied] == [version for version, _, _ in migrations()]


def test_migrations_are_numbered_without_gaps() -> None:
    versions = [version for version, _, _ in migrations()]
    assert versions == list(range(1, len(versions) + 1))


def write_first_version_store(path: Path) -> None:
    """A store as a version that knew only migration 001 wrote it."""
    version, name, sql = migrations()[0]
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER, name VARCHAR, applied_at TIMESTAMP)")
    con.execute(sql)
    con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, name])
    con.close()


def test_an_older_store_is_migrated_on_open(tmp_path: Path) -> None:
    """A store written by a version that knew only migration 001 opens read-only with a clear
    error, and is brought up to date when opened for writing."""
    path = tmp_path / "old.duckdb"
    write_first_version_store(path)
    if latest_schema_version() > 1:
        with pytest.raises(StoreError, match="older than"):
            Store.open(path, read_only=True)
    with Store.open(path) as store:
        assert store.schema_version() == latest_schema_version()
    Store.open(path, read_only=True).close()


def test_a_newer_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with Store.open(path) as store:
        store.execute("INSERT INTO schema_version VALUES (999, 'future', now())")
    with pytest.raises(StoreError, match="schema version 999"):
        Store.open(path, read_only=True)
    with pytest.raises(StoreError, match="Upgrade"):
        Store.open(path)


def test_read_only_store_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    Store.open(path).close()
    with Store.open(path, read_only=True) as store, pytest.raises(Exception, match="read-only"):
        store.execute("DELETE FROM releases")


def test_a_kept_frame_is_asked_once_only_of_a_read_only_store(tmp_path: Path) -> None:
    """Nothing can write to a store opened read-only, so its answer may be kept; a writable
    store's may change, so it is asked again (and sees the change)."""
    path = tmp_path / "s.duckdb"
    query = "SELECT count(*) AS n FROM precedence_overrides"
    with Store.open(path) as store:
        before = store.frame_kept(query)
        store.execute(
            "INSERT INTO precedence_overrides VALUES ('arrests', NULL, DATE '2017-01-01', "
            "DATE '2017-02-01', 1, now())"
        )
        assert (before["n"][0], store.frame_kept(query)["n"][0]) == (0, 1)
    with Store.open(path, read_only=True) as store:
        kept = store.frame_kept(query)
        store.close()  # asked again, it is not asked of the (closed) store
        assert store.frame_kept(query).equals(kept) and kept["n"][0] == 1


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.execute(
                "INSERT INTO precedence_overrides VALUES ('arrests', NULL, DATE '2017-01-01', "
                "DATE '2017-02-01', 1, now())"
            )
            raise RuntimeError("boom")
        assert store.scalar("SELECT count(*) FROM precedence_overrides") == 0


def test_missing_store_read_only(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no atlas store"):
        Store.open(tmp_path / "absent.duckdb", read_only=True)


def test_a_truncated_store_gives_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    from tests.releases.test_kill import CORPUS
    from tests.test_cli import run

    path = tmp_path / "atlas.duckdb"
    with Store.open(path) as store:
        store.execute("CREATE TABLE filler AS SELECT range AS n FROM range(200000)")
    import sanctuary_atlas

    with sanctuary_atlas.open(path) as atlas:
        atlas.ingest([CORPUS / "good.csv.gz"])
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)
    for command in (
        ["summary", "--db", path],
        ["releases", "--db", path],
        ["ingest", "--db", path, CORPUS / "good.csv.gz"],
    ):
        done = run(*command)
        assert done.returncode == 1, (command, done.stderr)
        assert "Traceback" not in done.stderr
        assert "truncated or damaged" in " ".join(done.stderr.split()), done.stderr
