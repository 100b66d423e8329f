"""The atlas store: one DuckDB file, its schema migrations and transactions.

This is the only module that opens DuckDB connections. Everything above it asks the store for
Arrow tables or Polars frames, or runs statements through it inside a transaction.

A store holds one connection, and a DuckDB connection is not safe to use from several threads
at once (a half-read result blocks it), so the store serialises every use of it behind its own
lock: the web app's worker threads share one store without a lock of their own.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

DEFAULT_STORE = Path("atlas.duckdb")
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
# Every connection is closed to the outside: user SQL (`sql`) must not read other files or URLs,
# download or load extensions, nor switch these back on (DuckDB's "Securing DuckDB" page). The
# atlas itself reads release files in Python and hands DuckDB Arrow tables, so it needs none of
# this.
SAFE_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "enable_external_access": False,
    "lock_configuration": True,
}
# DuckDB's lock error names the holder: "Conflicting lock is held in /usr/bin/python3 (PID 123)"
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


class StoreError(RuntimeError):
    """The store cannot be opened or is not an atlas store of a version this program knows."""


# What DuckDB raises when the file under it is truncated or damaged: such a store fails at the
# first page it cannot read, often long after opening.
_DAMAGED = (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException)


@contextmanager
def _readable(path: Path) -> Iterator[None]:
    try:
        yield
    except _DAMAGED as exc:
        raise StoreError(
            f"the atlas store {path} cannot be read: the file is truncated or damaged "
            f"({str(exc).splitlines()[0]}). Restore it from a copy, or build it again "
            "(`sanctuary-atlas build --data ../shared/data --db ...`)."
        ) from exc


class StoreMissingError(StoreError, FileNotFoundError):
    """No store at the path given to a read-only open."""


class StoreOutdatedError(StoreError):
    """The store's schema is older than this program's: one open for writing migrates it."""


class StoreLockedError(StoreError):
    """Another process holds the store: one process may write it, or several read it."""


def _locked_message(path: Path, said: str, read_only: bool) -> str:
    """Who holds the store and what to do, instead of DuckDB's advice for its own CLI."""
    match = _LOCK_HOLDER.search(said)
    holder = "another process"
    if match:
        holder = f"process {match['pid']} ({_command_line(int(match['pid'])) or match['program']})"
    if read_only:
        return (
            f"cannot read the atlas store {path}: {holder} is writing it. Wait for it to "
            "finish, then run this again."
        )
    stop = f"kill {match['pid']}" if match else "stop it"
    return (
        f"cannot change the atlas store {path}: {holder} has it open, and a store is changed "
        "by one process at a time, with no reader. Stop that process (a `sanctuary-atlas "
        f"serve`: Ctrl-C in its terminal, or `{stop}`), run this again, then restart it. "
        "Commands that only read (panel, compare, estimate, claims, report, policies at/list, "
        "releases, summary, sql) work while `serve` runs."
    )


def _command_line(pid: int) -> str | None:
    """The holder's command line, where the system shows it (Linux /proc)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    words = [w.decode(errors="replace") for w in raw.split(b"\0") if w]
    if not words:
        return None
    shown = " ".join([Path(words[0]).name, *words[1:]])
    return shown if len(shown) <= 120 else shown[:117] + "..."


def migrations() -> list[tuple[int, str, str]]:
    """The bundled migrations as (version, file name, SQL), in order."""
    found: list[tuple[int, str, str]] = []
    for entry in resources.files("sanctuary_atlas.store_migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_schema_version() -> int:
    return max(version for version, _, _ in migrations())


class Store:
    """An open atlas store. Use ``Store.open`` and close it (or use it as a context manager)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path, read_only: bool):
        self._con = connection
        self.path = path
        self.read_only = read_only
        self._transaction_depth = 0
        self._kept: dict[str, pl.DataFrame] = {}
        # re-entrant: a transaction holds it while its statements take it again
        self._lock = threading.RLock()

    @classmethod
    def open(cls, path: str | Path = DEFAULT_STORE, *, read_only: bool = False) -> Store:
        store_path = Path(path)
        if read_only and not store_path.exists():
            raise StoreMissingError(
                f"no atlas store at {store_path}: create one with `sanctuary-atlas init` (the "
                "bundled default atlas, in seconds) or `sanctuary-atlas build` (from the "
                "records), or give the store's path with --db"
            )
        try:
            con = duckdb.connect(str(store_path), read_only=read_only, config=SAFE_CONFIG)
        except duckdb.IOException as exc:
            if "Could not set lock" in str(exc):
                raise StoreLockedError(_locked_message(store_path, str(exc), read_only)) from exc
            raise StoreError(f"cannot open the atlas store {store_path}: {exc}") from exc
        except duckdb.Error as exc:
            raise StoreError(f"cannot open the atlas store {store_path}: {exc}") from exc
        store = cls(con, store_path, read_only)
        try:
            with _readable(store_path):
                if read_only:
                    store._check_version()
                else:
                    store.migrate()
        except BaseException:
            con.close()
            raise
        return store

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -----------------------------------------------------------------------------
    def schema_version(self) -> int:
        if not self.table_exists("schema_version"):
            return 0
        return int(self.scalar("SELECT max(version) FROM schema_version") or 0)

    def _check_version(self) -> None:
        version, latest = self.schema_version(), latest_schema_version()
        if version > latest:
            raise StoreError(
                f"{self.path} has schema version {version}; this program knows up to {latest}. "
                "Upgrade sanctuary-atlas."
            )
        if version < latest:
            raise StoreOutdatedError(
                f"{self.path} has schema version {version}, older than {latest}: open it once "
                "for writing to migrate it (any `sanctuary-atlas` command but `serve` does)."
            )

    def migrate(self) -> list[int]:
        """Apply every migration newer than the store's version, each in its own transaction."""
        current = self.schema_version()
        if current > latest_schema_version():
            self._check_version()
        applied: list[int] = []
        for version, name, sql in migrations():
            if version <= current:
                continue
            with self.transaction():
                if version == 1 or (current == 0 and not applied):
                    self.execute(
                        "CREATE TABLE IF NOT EXISTS schema_version "
                        "(version INTEGER, name VARCHAR, applied_at TIMESTAMP)"
                    )
                self.execute(sql)
                self.execute(
                    "INSERT INTO schema_version VALUES (?, ?, ?)", [version, name, datetime.now()]
                )
            applied.append(version)
        return applied

    # -- statements -------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: on any exception every statement of the block is rolled back. No
        other thread uses the connection until the block ends. A transaction opened inside
        another joins it: the outermost one commits or rolls back."""
        with self._lock:
            if self._transaction_depth:
                self._transaction_depth += 1
                try:
                    yield
                finally:
                    self._transaction_depth -= 1
                return
            with _readable(self.path):
                self._con.execute("BEGIN TRANSACTION")
            self._transaction_depth = 1
            try:
                yield
            except BaseException:
                self._transaction_depth = 0
                with suppress(duckdb.Error):  # a damaged file may refuse even the rollback
                    self._con.execute("ROLLBACK")
                raise
            self._transaction_depth = 0
            with _readable(self.path):
                self._con.execute("COMMIT")

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> None:
        with self._lock, _readable(self.path):
            self._con.execute(sql, parameters or [])

    def rows(self, sql: str, parameters: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        with self._lock, _readable(self.path):
            return self._con.execute(sql, parameters or []).fetchall()

    def scalar(self, sql: str, parameters: Sequence[Any] | None = None) -> Any:
        found = self.rows(sql, parameters)
        return found[0][0] if found else None

    def arrow(self, sql: str, parameters: Sequence[Any] | None = None) -> pa.Table:
        with self._lock, _readable(self.path):
            return self._con.sql(sql, params=list(parameters or [])).to_arrow_table()

    def frame(self, sql: str, parameters: Sequence[Any] | None = None) -> pl.DataFrame:
        frame = pl.from_arrow(self.arrow(sql, parameters))
        assert isinstance(frame, pl.DataFrame)
        return frame

    def frame_kept(self, sql: str) -> pl.DataFrame:
        """``frame(sql)``, asked once for the life of a read-only store: nothing writes to it
        while it is open (DuckDB's file lock keeps writers out). A writable store asks again.
        Each caller gets its own copy (a clone shares the buffers), so none can alter another's."""
        if not self.read_only:
            return self.frame(sql)
        with self._lock:
            if sql not in self._kept:
                self._kept[sql] = self.frame(sql)
            return self._kept[sql].clone()

    def insert_arrow(self, table: str, data: pa.Table | pa.RecordBatch, select_sql: str) -> None:
        """Insert ``data`` into ``table`` through ``select_sql``, which reads it as ``batch``."""
        view = "batch"
        with self._lock:
            self._con.register(view, data)
            try:
                with _readable(self.path):
                    self._con.execute(f"INSERT INTO {table} {select_sql}")
            finally:
                self._con.unregister(view)

    def published_only(self) -> bool:
        """Whether the store was materialised from the bundled default atlas: it then holds
        published aggregates and no events (migration 005)."""
        return bool(self.scalar("SELECT count(*) FROM atlas_origin"))

    def refuse_if_published_only(self, action: str) -> None:
        if self.published_only():
            raise StoreError(
                f"{self.path} is the bundled default atlas (published aggregates, no events): "
                f"cannot {action} in it. Build a store from the records instead "
                "(`sanctuary-atlas build --data ../shared/data --db full.duckdb`), then "
                f"{action} there."
            )

    def table_exists(self, name: str) -> bool:
        return bool(
            self.scalar(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
            )
        )
