"""How the CLI opens the store, run as real processes on the bundled default atlas: read-only
commands work while `serve` holds the store, a write that meets a lock names the holder and what
to do, outside a checkout it says to run `init`, and user SQL reaches no file, URL or
extension."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import sanctuary_atlas
from sanctuary_atlas.default_atlas import materialise
from sanctuary_atlas.store import Store, latest_schema_version
from tests.conftest import REPO
from tests.test_store import write_first_version_store

CLI = [sys.executable, "-m", "sanctuary_atlas"]


@pytest.fixture(scope="module")
def default_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bundled") / "atlas.duckdb"
    materialise(path)
    return path


def run(
    *args: str | Path, cwd: Path = REPO, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={**os.environ, "COLUMNS": "80", **(env or {})},
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("serve did not start")


@pytest.fixture
def serving(default_store: Path) -> Iterator[subprocess.Popen[str]]:
    """`sanctuary-atlas serve` on the store, in another process, until the test ends."""
    port = _free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--db", str(default_store), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        _wait_for_port(port, process)
        yield process
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_read_only_commands_work_while_serve_runs(
    default_store: Path, serving: subprocess.Popen[str], tmp_path: Path
) -> None:
    db = ("--db", default_store)
    commands: list[tuple[str | Path, ...]] = [
        ("panel", *db, "--level", "state", "--from", "2017-01", "--to", "2017-01", "--csv"),
        ("compare", *db, "--measure", "arrests_at_large", "--treated", "CA", "--csv"),
        ("claims", *db, "--json"),
        ("policies", "at", "Cook County, IL", "--date", "2020-03-01", *db),
        ("policies", "list", "--kind", "287g_*", *db, "--csv"),
        ("releases", *db, "--csv"),
        ("sql", *db, "--csv", "SELECT count(*) AS n FROM policies"),
        ("report", "CA", *db, "--out", tmp_path / "ca.html"),
        ("estimate", *db, "--policy", "limits_notification", "--measure", "arrests_custodial"),
    ]
    for command in commands:
        done = run(*command)
        assert done.returncode == 0, (command, done.stderr)
        assert "readonly" not in done.stderr
    # nothing leaks from the estimators' libraries to stderr: what pyfixest warned about the
    # fit is a caveat of the estimate
    assert done.stderr == ""
    assert "singleton fixed effect(s) dropped" in " ".join(done.stdout.split())
    assert (tmp_path / "ca.html").stat().st_size > 10_000


def test_a_write_while_serve_runs_names_the_holder_and_what_to_do(
    default_store: Path, serving: subprocess.Popen[str]
) -> None:
    done = run(
        "policies",
        "add",
        "--db",
        default_store,
        "--level",
        "county",
        "--fips",
        "06037",
        "--name",
        "Los Angeles County, CA",
        "--kind",
        "limits_detainers",
        "--from",
        "2019-01-01",
        "--description",
        "test entry",
        "--source-title",
        "t",
        "--source-publisher",
        "p",
        "--source-address",
        "a",
    )
    message = " ".join(done.stderr.split())
    assert done.returncode == 1, done.stderr
    assert f"process {serving.pid}" in message
    assert "serve" in message and "Stop that process" in message
    assert "readonly" not in message and "-readonly" not in message


def test_a_read_while_another_process_writes_names_the_writer(default_store: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, sanctuary_atlas\n"
            f"atlas = sanctuary_atlas.open({str(default_store)!r})\n"
            "print('open', flush=True)\n"
            "time.sleep(120)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        done = run("panel", "--db", default_store, "--csv")
        message = " ".join(done.stderr.split())
        assert done.returncode == 1
        assert f"process {holder.pid}" in message and "is writing it" in message
    finally:
        holder.terminate()
        holder.communicate(timeout=30)


@pytest.mark.parametrize(
    "command",
    [("panel",), ("policies", "list"), ("compare", "--measure", "arrests", "--treated", "CA")],
)
def test_outside_a_checkout_the_cli_says_to_run_init(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    done = run(*command, cwd=tmp_path)
    message = " ".join(done.stderr.split())
    assert done.returncode == 1
    assert "no atlas store at atlas.duckdb" in message and "sanctuary-atlas init" in message
    assert "ingest" not in message
    assert not (tmp_path / "atlas.duckdb").exists()  # a read creates no empty store


def test_sql_reaches_no_url_file_or_extension(default_store: Path, tmp_path: Path) -> None:
    """The query names a URL on a port this test listens on: no connection may arrive, and no
    extension may be downloaded into DuckDB's extension folder (under HOME)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    port = listener.getsockname()[1]
    home = {"HOME": str(tmp_path)}
    (default_store.parent / "notes.txt").write_text("a file beside the store")
    queries = [
        f"SELECT * FROM read_csv('http://127.0.0.1:{port}/x.csv')",
        "SELECT * FROM read_csv('/etc/hostname')",
        f"SELECT * FROM read_text('{default_store.parent / 'notes.txt'}')",
        "INSTALL httpfs",
        "LOAD httpfs",
    ]
    try:
        for query in queries:
            done = run("sql", "--db", default_store, query, env=home)
            assert done.returncode == 1, (query, done.stdout)
            assert "Traceback" not in done.stderr
            assert done.stderr.startswith("error:"), done.stderr
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()
    assert not (tmp_path / ".duckdb").exists()
    refused = run("sql", "--db", default_store, queries[0], env=home)
    assert "reads this store only" in " ".join(refused.stderr.split())


def test_machine_outputs(default_store: Path) -> None:
    listed = run("policies", "list", "--kind", "287g_*", "--date", "2021-06-01", "--db",
                 default_store, "--json")  # fmt: skip
    entries = json.loads(listed.stdout)
    assert entries and all(e["kind"].startswith("287g_") for e in entries)
    assert {"effective_from", "source_title", "source_address"} <= set(entries[0])
    measures = json.loads(run("measures", "--json").stdout)
    assert {m["measure"] for m in measures} >= {"arrests", "at_large_share"}
    compared = run("compare", "--db", default_store, "--measure", "arrests_at_large",
                   "--treated", "CA", "--json")  # fmt: skip
    series = json.loads(compared.stdout)["series"]
    assert {row["group"] for row in series} == {"treated", "control"}
    both = run("measures", "--csv", "--json")
    assert both.returncode == 1 and "not both" in both.stderr


def test_a_read_brings_an_older_store_or_a_stale_panel_up_to_date(tmp_path: Path) -> None:
    """What a read-only open cannot do (migrate an older schema, rebuild the panel after new
    releases) the command does first, in a short write, then reads."""
    old = tmp_path / "old.duckdb"
    write_first_version_store(old)
    done = run("releases", "--db", old, "--csv")
    assert done.returncode == 0, done.stderr
    with Store.open(old, read_only=True) as store:
        assert store.schema_version() == latest_schema_version()

    fresh = tmp_path / "fresh.duckdb"
    assert run("ingest", "--db", fresh, REPO / "tests/releases/corpus/good.csv.gz").returncode == 0
    with sanctuary_atlas.open(fresh, read_only=True) as atlas:
        assert not atlas.measures.panel_is_current()
    done = run("panel", "--db", fresh, "--level", "nation", "--csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("level,area_code,area_name,month,arrests")
    with sanctuary_atlas.open(fresh, read_only=True) as atlas:
        assert atlas.measures.panel_is_current()
