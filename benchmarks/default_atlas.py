"""Benchmark: materialising the bundled default atlas (`sanctuary-atlas init`) and starting the
web atlas on it, against a baseline run in the same script: DuckDB alone copying the same
Parquet files into a fresh database file (the least any materialisation costs).

Run: ``.venv/bin/python benchmarks/default_atlas.py [--runs 5]`` (about half a minute).
Targets: `init` "in seconds" (issue 7); `serve --no-prepare` answering in under 3 s on the
default atlas (ours). `serve` itself first builds its map grids (issue 15: no first question
waits for one), which adds their time; it is printed beside, with no target of its own.
The ratio init / bare copy says what the checks (sha256 of every file, schema migrations, the
published-only marker, the atomic rename) cost on top of moving the bytes.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import duckdb

from sanctuary_atlas.default_atlas import DEFAULT_BUNDLE, materialise
from sanctuary_atlas.default_atlas.tables import BUNDLED_TABLES


def bare_copy(target: Path) -> None:
    con = duckdb.connect(str(target))
    for spec in BUNDLED_TABLES:
        source = str(DEFAULT_BUNDLE / spec.file_name)
        con.execute(f"CREATE TABLE {spec.name} AS SELECT * FROM read_parquet('{source}')")
    con.close()


def seconds(action: Callable[[Path], object], target: Path) -> float:
    started = time.perf_counter()
    action(target)
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def first_answer(store: Path, prepare: bool) -> float:
    """Seconds from launching `sanctuary-atlas serve` on a store that does not exist yet (so
    it materialises the default atlas first) to the first 200 of the national map page;
    ``prepare``: as `serve` does by default, or `--no-prepare`."""
    port = free_port()
    started = time.perf_counter()
    command = [sys.executable, "-m", "sanctuary_atlas", "serve", "--db", str(store)]
    server = subprocess.Popen(
        [*command, "--port", str(port), *([] if prepare else ["--no-prepare"])],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started
            except OSError:
                if time.perf_counter() - started > 60:
                    raise RuntimeError("the server did not answer within 60 s") from None
                time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        # interleaved, best of each: the machine is noisy
        bare_times = []
        atlas_times = []
        for run in range(args.runs):
            bare_times.append(seconds(bare_copy, folder / f"bare-{run}.duckdb"))
            atlas_times.append(seconds(materialise, folder / f"init-{run}.duckdb"))
        serve, lazy = [], []
        for run in range(3):
            lazy.append(first_answer(folder / f"lazy-{run}.duckdb", prepare=False))
            serve.append(first_answer(folder / f"serve-{run}.duckdb", prepare=True))
    size = sum(p.stat().st_size for p in DEFAULT_BUNDLE.iterdir())
    result = {
        "bundle_mb": round(size / 1e6, 2),
        "init_s": round(min(atlas_times), 3),
        "bare_copy_s": round(min(bare_times), 3),
        "init_over_bare": round(min(atlas_times) / min(bare_times), 2),
        "serve_first_answer_s": round(min(serve), 2),
        "serve_first_answer_max_s": round(max(serve), 2),
        "no_prepare_first_answer_s": round(min(lazy), 2),
        "no_prepare_first_answer_max_s": round(max(lazy), 2),
    }
    print(f"bundle {result['bundle_mb']} MB")
    print(f"init (materialise)   best {result['init_s']:.3f} s")
    print(f"bare DuckDB copy     best {result['bare_copy_s']:.3f} s")
    print(f"init / bare copy     {result['init_over_bare']:.2f}x")
    verdict = "PASS" if result["no_prepare_first_answer_max_s"] < 3 else "MISS"
    print(
        "serve --no-prepare on a new store, launch to first page: best "
        f"{result['no_prepare_first_answer_s']} s, worst "
        f"{result['no_prepare_first_answer_max_s']} s (target < 3 s: {verdict})"
    )
    print(
        "serve (grids prepared first) on a new store, launch to first page: best "
        f"{result['serve_first_answer_s']} s, worst {result['serve_first_answer_max_s']} s"
    )
    print("JSON " + json.dumps(result))


if __name__ == "__main__":
    main()
