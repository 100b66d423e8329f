"""A process killed mid-ingest leaves the store as it was before that file (a real SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import sanctuary_atlas
from tests.conftest import NATIONAL, REPO

CORPUS = Path(__file__).resolve().parent / "corpus"

CHILD = textwrap.dedent(
    """
    import sys
    import sanctuary_atlas

    def on_file(path):
        def on_rows(rows):
            print("ROWS", rows, flush=True)
        return on_rows

    with sanctuary_atlas.open(sys.argv[1]) as atlas:
        atlas.ingest([sys.argv[2]], on_file=on_file)
    print("DONE", flush=True)
    """
)


def test_kill_mid_ingest_leaves_the_store_as_before(tmp_path: Path) -> None:
    store = tmp_path / "atlas.duckdb"
    with sanctuary_atlas.open(store) as atlas:
        atlas.ingest([CORPUS / "good.csv.gz"])
    big = NATIONAL / "EROEncounters_FY2017.csv.gz"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store), str(big)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert child.stdout is not None
    batches = 0
    for line in child.stdout:
        if line.startswith("ROWS"):
            batches += 1
            if batches == 3:  # well inside the file: rows are in the open transaction
                os.kill(child.pid, signal.SIGKILL)
                break
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL, "the child finished before it was killed"

    with sanctuary_atlas.open(store) as atlas:
        assert atlas.releases()["file_name"].to_list() == ["good.csv.gz"]
        assert atlas.sql("SELECT count(*) AS n FROM encounters")["n"][0] == 0
        assert atlas.sql("SELECT count(*) AS n FROM arrests")["n"][0] == 5
        # the store still works: the same file ingests whole afterwards
        result = atlas.ingest([big])
        assert result[0].rows == 439_903


def test_pairs_an_interrupted_older_version_left_unresolved_are_repaired(tmp_path: Path) -> None:
    """Older versions committed rows before resolving their landmarks; a kill in between left
    pairs unresolved. The next ingest (even of a file already stored) resolves them."""
    store = tmp_path / "atlas.duckdb"
    with sanctuary_atlas.open(store) as atlas:
        atlas.ingest([CORPUS / "good.csv.gz"])
        resolved = atlas.store.scalar("SELECT count(*) FROM location_resolutions")
        assert resolved > 0
        atlas.store.execute("DELETE FROM location_resolutions")  # as the kill left it
    with sanctuary_atlas.open(store) as atlas:
        (again,) = atlas.ingest([CORPUS / "good.csv.gz"])
        assert again.status == "already stored"
        assert atlas.store.scalar("SELECT count(*) FROM location_resolutions") == resolved
