"""Kill trials: SIGKILL an ingest while it resolves its landmarks — after its rows are read
and inserted — then reopen the store, ingest again (what a user does after a crash) and compare
the panel with a clean build's. The child reports every 500 landmark pairs it resolves; each
trial kills it at a random one of those reports, so every kill lands inside the resolution.

An older version committed a file's rows before resolving its landmarks: a kill between the two
left pairs unresolved for good (894 events of FY2018 arrests in one trial) and the panel then
differed from a clean build. Now the rows, the precedence and the resolution commit in one
transaction, and every ingest first resolves any pair left unresolved.

Run: ``.venv/bin/python scripts/kill_during_resolution.py [TRIALS]`` (20 by default; about a
minute per trial on 2 shared cores). Prints one line per trial and a JSON summary; exits 1 if
any trial's panel differs from the clean build's.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import polars as pl

import sanctuary_atlas

REPO = Path(__file__).resolve().parents[1]
RELEASE = REPO.parent / "shared" / "data" / "ice-lesa" / "national" / "EROArrests_FY2018.csv.gz"
ROWS = 158_581

CHILD = textwrap.dedent(
    """
    import sys, time
    import sanctuary_atlas
    from sanctuary_atlas.geography import coverage

    total, rows, pairs = int(sys.argv[3]), 0, 0
    resolve_pair = coverage.resolve_pair

    def counted(aor, text):
        global pairs
        pairs += 1
        if pairs % 500 == 0:
            print("PAIRS", pairs, flush=True)
        return resolve_pair(aor, text)

    coverage.resolve_pair = counted

    def on_file(path):
        def on_rows(count):
            global rows
            rows += count
            if rows >= total:
                print("READ", time.monotonic(), flush=True)
        return on_rows

    with sanctuary_atlas.open(sys.argv[1]) as atlas:
        atlas.ingest([sys.argv[2]], on_file=on_file)
    print("DONE", time.monotonic(), flush=True)
    """
)


def panel_of(path: Path) -> pl.DataFrame:
    with sanctuary_atlas.open(path) as atlas:
        atlas.measures.ensure_panel()
        return atlas.sql(
            "SELECT level, area_code, month, measure, value, published FROM panel_cells "
            "ORDER BY level, area_code, month, measure"
        )


def unresolved_pairs(path: Path) -> int:
    with sanctuary_atlas.open(path, read_only=True) as atlas:
        return int(
            atlas.sql(
                "SELECT count(*) AS n FROM (SELECT DISTINCT aor, location_text FROM arrests) e "
                "WHERE NOT EXISTS (SELECT 1 FROM location_resolutions r WHERE r.aor IS NOT "
                "DISTINCT FROM e.aor AND r.location_text IS NOT DISTINCT FROM e.location_text)"
            )["n"][0]
        )


def run_child(store: Path, kill_at_report: int | None) -> tuple[str, int]:
    """Ingest in a child; kill it at its ``kill_at_report``-th report of resolved pairs.
    Returns how it ended and how many reports it made."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store), str(RELEASE), str(ROWS)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert child.stdout is not None
    reports = 0
    for line in child.stdout:
        if line.startswith("PAIRS"):
            reports += 1
            if reports == kill_at_report:
                os.kill(child.pid, signal.SIGKILL)
                break
    child.wait(timeout=600)
    status = "killed" if child.returncode == -signal.SIGKILL else f"exit {child.returncode}"
    return status, reports


def main(trials: int) -> int:
    work = Path(tempfile.mkdtemp(prefix="kill-trials-"))
    clean = work / "clean.duckdb"
    status, reports = run_child(clean, None)
    assert status == "exit 0" and reports > 0, (status, reports)
    reference = panel_of(clean)
    print(f"clean build: {reference.height:,} panel cells; {reports * 500:,}+ pairs resolved")
    rng = random.Random(20261130)
    results = []
    for trial in range(1, trials + 1):
        store = work / f"trial{trial}.duckdb"
        at = rng.randint(1, reports)
        status, _ = run_child(store, at)
        with sanctuary_atlas.open(store) as atlas:  # reopened for writing, as a user would
            releases_after_kill = atlas.releases().height
        left = unresolved_pairs(store)
        again, _ = run_child(store, None)  # the user runs the same ingest again
        equal = panel_of(store).equals(reference)
        results.append(
            {
                "trial": trial,
                "killed_after_pairs": at * 500,
                "child": status,
                "releases_after_kill": releases_after_kill,
                "unresolved_pairs_after_kill": left,
                "rerun": again,
                "panel_equals_clean": equal,
            }
        )
        print(json.dumps(results[-1]), flush=True)
        store.unlink()
    killed = sum(r["child"] == "killed" for r in results)
    same = sum(bool(r["panel_equals_clean"]) for r in results)
    print(json.dumps({"trials": trials, "killed": killed, "panel_equals_clean": same}))
    return 0 if same == trials else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
