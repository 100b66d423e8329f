"""Benchmark: resolve every distinct (AOR, landmark) of the four national arrest files.

Prints the resolver's time and its ratio to a baseline measured in the same run: one plain
dictionary lookup per distinct text (the cost floor of any per-text pass). Target: < 30 s.

    .venv/bin/python benchmarks/resolve.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

from sanctuary_atlas.geography.aors import UnknownAorError, aor_code
from sanctuary_atlas.geography.gazetteer import gazetteer
from sanctuary_atlas.geography.resolver import resolve_location


def distinct_landmarks(data: Path) -> list[tuple[str | None, str]]:
    files = sorted(str(p) for p in (data / "ice-lesa" / "national").glob("EROArrests_*.csv.gz"))
    sql = """
        SELECT DISTINCT "Area of Responsibility", coalesce("Apprehension Landmark", '')
        FROM read_csv($files, delim='|', encoding='latin-1', skip=5, header=true,
                      all_varchar=true, quote='"')
    """
    rows = duckdb.connect().execute(sql, {"files": files}).fetchall()
    return [(a, str(t)) for a, t in rows]


def main() -> None:
    parser = argparse.ArgumentParser()
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("--data", type=Path, default=default)
    pairs = distinct_landmarks(parser.parse_args().data)
    started = time.perf_counter()
    gazetteer()  # the one-off index build is part of the cost
    loaded = time.perf_counter() - started

    started = time.perf_counter()
    lookup = {text: len(text) for _, text in pairs}
    baseline_hits = sum(1 for _, text in pairs if lookup.get(text.upper()) is not None)
    baseline = time.perf_counter() - started

    started = time.perf_counter()
    levels: dict[str, int] = {}
    for aor, text in pairs:
        try:
            code = aor_code(aor)
        except UnknownAorError:
            code = None
        found = resolve_location(text, None if code == "HQ" else code)
        levels[found.level] = levels.get(found.level, 0) + 1
    resolving = time.perf_counter() - started

    print(f"distinct (AOR, landmark) pairs: {len(pairs):,}")
    print(f"index build: {loaded:.2f} s")
    print(f"baseline (dictionary lookup per text): {baseline * 1000:.1f} ms ({baseline_hits:,})")
    print(f"resolver: {resolving:.2f} s  ({len(pairs) / resolving:,.0f} texts/s)")
    print(f"ratio resolver / baseline: {resolving / max(baseline, 1e-9):,.0f}x")
    print(f"total with index build: {loaded + resolving:.2f} s (target < 30 s)")
    print("levels:", ", ".join(f"{k} {v:,}" for k, v in sorted(levels.items())))


if __name__ == "__main__":
    main()
