"""Benchmark the atlas ingest against the ceiling (DuckDB's bare ``read_csv``) and against what a
user would write (pandas ``read_csv`` / ``read_excel`` + a DuckDB insert), and measure the peak
memory of the ingest.

    .venv/bin/python benchmarks/ingest.py [--data ../shared/data] [--runs 2] [--xlsx-runs 3]

The machine is noisy, so every figure that matters is a ratio against baselines measured in the
same run of this script; the national-set sections are interleaved (atlas, DuckDB, pandas, then
again) and the best time of each is kept. Targets are reported as PASS / MISS, never asserted.
Peak memory is measured in child processes of the same interpreter (``--child`` mode), one per
measurement, from the resource usage the kernel reports for each child when it ends.

The last line of output is one JSON object holding every number.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

import sanctuary_atlas

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
NATIONAL = Path("ice-lesa") / "national"
SEATTLE_XLSX = (
    Path("ice-lesa") / "seattle" / "2018-ICFO-36170_seattle_encounters_arrests_removals.xlsx"
)
BANNER_LINES = 5

TARGET_VS_DUCKDB = 0.5  # atlas rows/s at least half of DuckDB's bare read_csv
TARGET_VS_PANDAS = 5.0  # atlas rows/s at least 5x pandas read_csv + insert
TARGET_PEAK_KB = int(1.5 * 1024 * 1024)  # peak RSS of the full national ingest below 1.5 GB
TARGET_XLSX_SPEEDUP = 5.0  # atlas workbook ingest at least 5x faster than pandas read_excel


# -- timed sections -------------------------------------------------------------------------
@dataclass
class Timing:
    """Wall-clock seconds of each run of one section, and the rows each run loaded."""

    name: str
    seconds: list[float] = field(default_factory=list)
    rows: int = 0

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def rate(self) -> float:
        return self.rows / self.best


def timed(timing: Timing, work: Callable[[], int]) -> None:
    """Run ``work`` once, adding its wall-clock time; it returns the number of rows loaded."""
    started = time.perf_counter()
    rows = work()
    timing.seconds.append(time.perf_counter() - started)
    if timing.rows and rows != timing.rows:
        raise RuntimeError(f"{timing.name}: {rows:,} rows this run, {timing.rows:,} before")
    timing.rows = rows


def atlas_ingest(store: Path, paths: Sequence[Path]) -> int:
    """The atlas ingest into a fresh store, closed (checkpointed) at the end."""
    atlas = sanctuary_atlas.open(store)
    try:
        results = atlas.ingest(paths)
    finally:
        atlas.close()
    return sum(result.rows for result in results)


def duckdb_read_csv(store: Path, files: Sequence[Path]) -> int:
    """The ceiling: DuckDB's own CSV reader into one table per file, all columns as text."""
    con = duckdb.connect(str(store))
    rows = 0
    try:
        for index, path in enumerate(files):
            con.execute(
                f"""CREATE TABLE t{index} AS SELECT * FROM read_csv(?, skip={BANNER_LINES},
                    header=true, delim='|', all_varchar=true, encoding='latin-1')""",
                [str(path)],
            )
            rows += _count(con, f"t{index}")
    finally:
        con.close()
    return rows


def pandas_read_csv(store: Path, files: Sequence[Path]) -> int:
    """What a user would write: pandas reads each file, DuckDB stores the frame."""
    con = duckdb.connect(str(store))
    rows = 0
    try:
        for index, path in enumerate(files):
            frame = pd.read_csv(path, sep="|", skiprows=BANNER_LINES, encoding="latin-1", dtype=str)
            rows += _insert_frame(con, f"t{index}", frame)
            del frame
    finally:
        con.close()
    return rows


def pandas_read_excel(store: Path, workbook: Path) -> int:
    """What a user would write for the workbook: every sheet with pandas, one table each."""
    con = duckdb.connect(str(store))
    rows = 0
    try:
        sheets: dict[str, pd.DataFrame] = pd.read_excel(
            workbook, sheet_name=None, engine="openpyxl", skiprows=BANNER_LINES, dtype=str
        )
        for index, frame in enumerate(sheets.values()):
            rows += _insert_frame(con, f"t{index}", frame)
    finally:
        con.close()
    return rows


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    con.register("frame", frame)
    try:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM frame")
    finally:
        con.unregister("frame")
    return _count(con, table)


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


# -- peak memory in child processes ---------------------------------------------------------
@dataclass
class ChildRun:
    """One atlas ingest in a child process: what it loaded and its peak resident set.

    ``peak_kb`` is the child's own high-water mark (``VmHWM``), ``rusage_kb`` the kernel's
    ``ru_maxrss`` for the child. On Linux ``ru_maxrss`` never falls below the parent's RSS at the
    moment it forked (the child starts as a copy of the parent), so ``VmHWM``, which is reset
    by ``exec``, is the honest figure; ``ru_maxrss`` is kept as a cross-check."""

    label: str
    files: int
    rows: int
    seconds: float
    peak_kb: int
    rusage_kb: int


def own_peak_kb() -> int:
    """This process's peak RSS since exec, in KB (``ru_maxrss`` where /proc is missing)."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_main(store: Path, paths: Sequence[Path]) -> None:
    """``--child`` mode: ingest ``paths`` (none: only open the store) and print one JSON line."""
    started = time.perf_counter()
    rows = atlas_ingest(store, paths) if paths else _open_only(store)
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_kb": own_peak_kb()}))


def _open_only(store: Path) -> int:
    sanctuary_atlas.open(store).close()
    return 0


def run_child(label: str, store: Path, paths: Sequence[Path]) -> ChildRun:
    """Run the atlas ingest in a fresh interpreter and read that child's peak RSS.

    ``os.wait4`` gives the resource usage of exactly this child (``RUSAGE_CHILDREN`` is the
    maximum over every child waited for so far, so it cannot separate small from large)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(store)]
    command += [str(path) for path in paths]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"child ingest {label!r} failed with exit code {child.returncode}")
    report = json.loads(output.strip().splitlines()[-1])
    return ChildRun(
        label,
        len(paths),
        int(report["rows"]),
        float(report["seconds"]),
        int(report["peak_kb"]),
        int(usage.ru_maxrss),
    )


# -- reporting ------------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def ratio_line(label: str, ratio: float, target: float) -> str:
    ok = ratio >= target
    gap = "" if ok else f"  (needs {target / ratio:.2f}x faster to meet it)"
    return f"{label:<34}{ratio:>8.2f}   target >= {target:<5g} {verdict(ok)}{gap}"


def mb(kb: int) -> str:
    return f"{kb / 1024:,.0f} MB"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--runs", type=int, default=2, help="runs of each national section")
    parser.add_argument("--xlsx-runs", type=int, default=3, help="runs of each workbook section")
    parser.add_argument("--child", nargs="+", metavar=("STORE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(Path(args.child[0]), [Path(p) for p in args.child[1:]])
        return

    national_dir: Path = args.data / NATIONAL
    workbook: Path = args.data / SEATTLE_XLSX
    files = sorted(national_dir.glob("*.csv.gz"))
    if not files or not workbook.is_file():
        parser.error(f"national files or the Seattle workbook not found under {args.data}")
    by_size = sorted(files, key=lambda p: p.stat().st_size)
    smallest, largest = by_size[0], by_size[-1]
    gz_bytes = sum(p.stat().st_size for p in files)
    wall_started = time.perf_counter()

    atlas_t = Timing("atlas ingest")
    duck_t = Timing("duckdb read_csv (ceiling)")
    pandas_t = Timing("pandas read_csv + insert")
    xlsx_atlas_t = Timing("atlas ingest (xlsx)")
    xlsx_pandas_t = Timing("pandas read_excel + insert")

    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmp_name:
        tmp = Path(tmp_name)
        serial = iter(range(1_000_000))

        def fresh(stem: str) -> Path:
            return tmp / f"{stem}-{next(serial)}.duckdb"

        # Peak memory first, while this process is still small. Each in a fresh interpreter:
        # the import baseline, the smallest and largest national file, the whole national set.
        children = [
            run_child("open store only", fresh("child"), []),
            run_child(f"smallest file ({smallest.name})", fresh("child"), [smallest]),
            run_child(f"largest file ({largest.name})", fresh("child"), [largest]),
            run_child("full national set", fresh("child"), [national_dir]),
        ]
        children_max_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        parent_at_fork_kb = own_peak_kb()

        # National set, interleaved so that a noisy spell does not favour one section.
        for _ in range(args.runs):
            timed(atlas_t, lambda: atlas_ingest(fresh("bench"), [national_dir]))
            timed(duck_t, lambda: duckdb_read_csv(fresh("duck"), files))
            timed(pandas_t, lambda: pandas_read_csv(fresh("pandas"), files))

        # The workbook, best of a few runs each.
        for _ in range(args.xlsx_runs):
            timed(xlsx_atlas_t, lambda: atlas_ingest(fresh("xlsx"), [workbook]))
            timed(xlsx_pandas_t, lambda: pandas_read_excel(fresh("xlsx-pandas"), workbook))

    wall = time.perf_counter() - wall_started

    vs_duckdb = atlas_t.rate / duck_t.rate
    vs_pandas = atlas_t.rate / pandas_t.rate
    xlsx_speedup = xlsx_pandas_t.best / xlsx_atlas_t.best
    _, small_run, large_run, full_run = children
    peak_ok = full_run.peak_kb < TARGET_PEAK_KB

    print(
        f"Sanctuary Atlas ingest benchmark — python {platform.python_version()}, "
        f"duckdb {duckdb.__version__}, pandas {pd.__version__}, {os.cpu_count()} CPUs"
    )
    print(
        f"national set: {len(files)} files, {atlas_t.rows:,} rows, {gz_bytes / 1e6:.1f} MB gzip; "
        f"workbook: {workbook.name}"
    )
    if not atlas_t.rows == duck_t.rows == pandas_t.rows:
        print(
            f"WARNING: row counts differ: atlas {atlas_t.rows:,}, duckdb {duck_t.rows:,}, "
            f"pandas {pandas_t.rows:,}"
        )
    print()
    print(f"{'section':<34}{'rows':>11}{'best s':>9}{'rows/s':>12}   all runs (s)")
    for timing in (atlas_t, duck_t, pandas_t, xlsx_atlas_t, xlsx_pandas_t):
        runs = " ".join(f"{s:.2f}" for s in timing.seconds)
        print(
            f"{timing.name:<34}{timing.rows:>11,}{timing.best:>9.2f}{timing.rate:>12,.0f}   {runs}"
        )
    print()
    print(ratio_line("rate atlas / duckdb read_csv", vs_duckdb, TARGET_VS_DUCKDB))
    print(ratio_line("rate atlas / pandas read_csv", vs_pandas, TARGET_VS_PANDAS))
    print(ratio_line("xlsx: pandas time / atlas time", xlsx_speedup, TARGET_XLSX_SPEEDUP))
    print()
    print(
        f"{'peak RSS of a child atlas ingest':<50}{'rows':>11}{'s':>7}"
        f"{'VmHWM':>11}{'ru_maxrss':>11}"
    )
    for run in children:
        print(
            f"  {run.label:<48}{run.rows:>11,}{run.seconds:>7.2f}{mb(run.peak_kb):>11}"
            f"{mb(run.rusage_kb):>11}"
        )
    print(
        f"{'full national set peak RSS':<34}{mb(full_run.peak_kb):>8}   target < "
        f"{mb(TARGET_PEAK_KB)}  {verdict(peak_ok)}"
    )
    growth = large_run.peak_kb - small_run.peak_kb
    print(
        f"largest vs smallest file: {large_run.rows / small_run.rows:.1f}x the rows, "
        f"{large_run.peak_kb / small_run.peak_kb:.2f}x the peak RSS ({growth / 1024:+,.0f} MB); "
        f"RUSAGE_CHILDREN max {mb(children_max_kb)} (parent peak when forking: "
        f"{mb(parent_at_fork_kb)})"
    )
    print(f"whole benchmark: {wall:.0f} s")

    numbers: dict[str, Any] = {
        "benchmark": "ingest",
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pd.__version__,
        "cpus": os.cpu_count(),
        "national_files": len(files),
        "national_rows": atlas_t.rows,
        "xlsx_rows_atlas": xlsx_atlas_t.rows,
        "xlsx_rows_pandas": xlsx_pandas_t.rows,
        "seconds": {
            t.name: [round(s, 3) for s in t.seconds]
            for t in (atlas_t, duck_t, pandas_t, xlsx_atlas_t, xlsx_pandas_t)
        },
        "rows_per_s": {
            "atlas": round(atlas_t.rate),
            "duckdb_read_csv": round(duck_t.rate),
            "pandas_read_csv": round(pandas_t.rate),
        },
        "ratio_atlas_vs_duckdb": round(vs_duckdb, 3),
        "ratio_atlas_vs_pandas": round(vs_pandas, 3),
        "xlsx_speedup_vs_pandas": round(xlsx_speedup, 3),
        "peak_rss_kb": {run.label: run.peak_kb for run in children},
        "ru_maxrss_kb": {run.label: run.rusage_kb for run in children},
        "rusage_children_max_kb": children_max_kb,
        "pass": {
            "atlas_vs_duckdb": vs_duckdb >= TARGET_VS_DUCKDB,
            "atlas_vs_pandas": vs_pandas >= TARGET_VS_PANDAS,
            "xlsx_vs_pandas": xlsx_speedup >= TARGET_XLSX_SPEEDUP,
            "peak_rss": peak_ok,
        },
        "wall_seconds": round(wall, 1),
    }
    print("JSON " + json.dumps(numbers, sort_keys=True))


if __name__ == "__main__":
    main()
