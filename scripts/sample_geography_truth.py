"""Draw the resolver's truth-set sample: 300 distinct (AOR, landmark) pairs of the four national
arrest files, drawn at random (seeded) with probability proportional to their event counts.

    .venv/bin/python scripts/sample_geography_truth.py [--data ../shared/data] > sample.csv

The labels are then written by hand into tests/geography/truth_set.csv (rules:
tests/geography/LABELLING.md). Blank landmarks are left out: they carry no text to label.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import duckdb
import numpy as np

SEED = 20261129
SAMPLE_SIZE = 300


def landmark_counts(data: Path) -> list[tuple[str, str, int]]:
    files = sorted(str(p) for p in (data / "ice-lesa" / "national").glob("EROArrests_*.csv.gz"))
    # pipe-delimited Latin-1 with five banner lines above the header (data/README.md)
    sql = """
        SELECT coalesce("Area of Responsibility", '') AS aor, "Apprehension Landmark" AS text,
               count(*) AS events
        FROM read_csv($files, delim='|', encoding='latin-1', skip=5, header=true,
                      all_varchar=true, quote='"')
        WHERE "Apprehension Landmark" IS NOT NULL
        GROUP BY ALL ORDER BY aor, text
    """
    rows = duckdb.connect().execute(sql, {"files": files}).fetchall()
    return [(str(a), str(t), int(n)) for a, t, n in rows]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    args = parser.parse_args()
    pairs = landmark_counts(args.data)
    weights = np.array([n for _, _, n in pairs], dtype=float)
    chosen = np.random.default_rng(SEED).choice(
        len(pairs), size=SAMPLE_SIZE, replace=False, p=weights / weights.sum()
    )
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["aor", "text", "events"])
    for index in sorted(chosen, key=lambda i: -pairs[i][2]):
        writer.writerow(pairs[index])


if __name__ == "__main__":
    main()
