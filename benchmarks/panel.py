"""Benchmark: build the measure panel (every level, county x month included, with disclosure
control) from the full national store, and run the Callaway-Sant'Anna estimate on the
county x month panel; times and peak memory, against a baseline measured in the same run (a
plain DuckDB GROUP BY of arrests by county text and month, the least any panel costs).

Run: ``.venv/bin/python benchmarks/panel.py`` (about two minutes: it ingests first).
Targets (issue 5): panel < 20 s, estimate < 30 s, peak RSS < 4 GB.
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
from pathlib import Path

import polars as pl

import sanctuary_atlas
from sanctuary_atlas.analysis.estimators import callaway_santanna
from sanctuary_atlas.analysis.policy_effects import period_expr
from sanctuary_atlas.analysis.units import adoption, unit_series
from sanctuary_atlas.measures.panel import build_panel

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    store_path = folder / "atlas.duckdb"
    with sanctuary_atlas.open(store_path) as atlas:
        atlas.ingest([DATA / "ice-lesa" / "national"])
        atlas.load_detention(
            DATA / "detention" / "inc_headcount_fy12-24ytd.csv.gz",
            DATA / "detention" / "facilities.csv.gz",
        )
        stats = DATA / "detention" / "ice-detention-stats"
        atlas.load_ddp_detention(
            DATA
            / "detention"
            / "ddp"
            / "facilities-daily-population_2022-10-01_2026-03-10.parquet",
            stats / "facilities.parquet",
        )
        atlas.load_ice_statistics(stats)
        atlas.policies.load_defaults(DATA / "policies")
        store = atlas.store
        started = time.perf_counter()
        baseline_rows = store.scalar(
            "SELECT count(*) FROM (SELECT location_text, date_trunc('month', event_date), "
            "count(*) FROM arrests GROUP BY ALL)"
        )
        baseline = time.perf_counter() - started
        started = time.perf_counter()
        cells = build_panel(store)
        panel_seconds = time.perf_counter() - started
        withheld = store.frame(
            "SELECT level, count(*) AS cells, count(suppressed) AS withheld, "
            "count(*) FILTER (WHERE suppressed = 'primary') AS small FROM panel_cells "
            "GROUP BY level ORDER BY level"
        )
        series = unit_series(store, "county", "arrests_custodial")
        first, last = series["month"].min(), series["month"].max()
        timing = adoption(store, "limits_detainers", "county", first, last)  # type: ignore[arg-type]
        panel = series.join(timing.filter(~pl.col("treated_at_start")), on="unit").select(
            "unit",
            period_expr("month").alias("period"),
            "outcome",
            period_expr("first_treated").alias("first_treated"),
        )
        started = time.perf_counter()
        result = callaway_santanna(panel)
        estimate_seconds = time.perf_counter() - started
    numbers = {
        "baseline_group_by_s": round(baseline, 3),
        "baseline_rows": baseline_rows,
        "panel_cells": cells,
        "withheld_by_level": {row[0]: row[2] for row in withheld.iter_rows()},
        "panel_s": round(panel_seconds, 2),
        "panel_vs_baseline": round(panel_seconds / baseline, 1),
        "estimate_units": result.n_units,
        "estimate_treated": result.n_treated,
        "estimate_periods": result.n_periods,
        "estimate_s": round(estimate_seconds, 2),
        "estimate_vs_baseline": round(estimate_seconds / baseline, 1),
        "peak_rss_mb": round(_peak_mb()),
    }
    print(f"panel build      {panel_seconds:7.2f} s  ({cells:,} cells; target < 20 s)")
    for level, level_cells, level_withheld, small in withheld.iter_rows():
        print(
            f"  {level:7} {level_cells:8,} cells, {level_withheld:8,} withheld "
            f"({level_withheld / level_cells:.1%}; {small:,} small, the rest to protect them)"
        )
    print(
        f"CS estimate      {estimate_seconds:7.2f} s  ({result.n_units:,} counties x "
        f"{result.n_periods} months; target < 30 s)"
    )
    print(
        f"baseline GROUP BY {baseline:6.3f} s; ratios {numbers['panel_vs_baseline']}x and "
        f"{numbers['estimate_vs_baseline']}x"
    )
    print(f"peak RSS         {numbers['peak_rss_mb']:7,} MB (target < 4,096 MB)")
    print("JSON " + json.dumps(numbers))


if __name__ == "__main__":
    main()
