"""Bounds below the AOR on the real records: Cook County is at least its placed count and at
most that plus what the Chicago AOR and Illinois place nowhere smaller."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import polars as pl

import sanctuary_atlas
from sanctuary_atlas.measures.areas import AOR_NO_STATE, UNASSIGNED
from sanctuary_atlas.measures.panel import base_cells, placed_base
from tests.conftest import REPO

MEASURE = "arrests_at_large"
FY2017 = (date(2016, 10, 1), date(2017, 9, 1))


def test_no_state_cells_are_each_aors_events_placed_in_no_state(panel_store: Path) -> None:
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        placed = placed_base(base_cells(atlas.store))
        stored = atlas.measures.internal_cells(AOR_NO_STATE, [MEASURE])
        nowhere = atlas.measures.internal_cells("state", [MEASURE]).filter(
            pl.col("area_code") == UNASSIGNED
        )
    direct = (
        placed.filter((pl.col("measure") == MEASURE) & (pl.col("st") == UNASSIGNED))
        .group_by("aor", "month")
        .agg(pl.col("value").sum())
    )
    joined = direct.join(
        stored.select(pl.col("area_code").alias("aor"), "month", "value"),
        on=["aor", "month"],
        how="full",
        coalesce=True,
        suffix="_stored",
    )
    assert joined.height > 500
    assert (joined["value"] == joined["value_stored"]).all()
    # the AORs' events placed in no state are all the events placed in no state
    sums = stored.group_by("month").agg(pl.col("value").sum()).join(nowhere, on="month")
    assert (sums["value"] == sums["value_right"]).all()


def test_cook_county_is_bounded_not_a_false_zero(panel_store: Path) -> None:
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        cook = atlas.measures.panel("county", [MEASURE], *FY2017, ["17031"], bounds=True)
        illinois = atlas.measures.panel("state", [MEASURE], None, None, ["IL"], bounds=True)
        chicago = atlas.measures.panel("aor", [MEASURE], None, None, ["CHI"], bounds=True)
        counties = atlas.measures.panel("county", [MEASURE], bounds=True)
        nation = atlas.measures.panel("nation", [MEASURE])
    upper = f"{MEASURE}_upper"
    assert cook.height == 12
    # the records place no at-large arrest in Cook County, and no published month is a bare
    # 0: each has a bound holding the Chicago AOR's and Illinois' unplaced arrests (or, where
    # a figure it needs is withheld, a looser published one: the AOR's total, the nation's)
    shown = cook.filter(pl.col(MEASURE).is_not_null())
    assert shown.height >= 10 and (shown[MEASURE] == 0).all()
    assert shown[upper].null_count() == 0
    assert (shown[upper] > shown[MEASURE] + 100).all()
    # a bound is never below its count, and a published count has one
    both = counties.drop_nulls([MEASURE, upper])
    assert both.height > 1_000 and (both[upper] >= both[MEASURE]).all()
    # a published count has one, unless no figure enclosing it is published: in a month whose
    # national figure is withheld, an AOR withheld as well can leave it without one
    placed = counties.filter(
        pl.col(MEASURE).is_not_null() & ~pl.col("area_code").str.ends_with(UNASSIGNED)
    )
    unbounded = set(placed.filter(pl.col(upper).is_null())["month"])
    assert unbounded <= set(nation.filter(pl.col(MEASURE).is_null())["month"]), unbounded
    assert len(unbounded) <= 5
    # most events that could lie in a county are placed in none: mean coverage under half
    assert counties[f"{MEASURE}_coverage"].mean() < 0.5  # type: ignore[operator]
    # Illinois lies in the Chicago AOR alone: where every figure is published, its bound adds
    # exactly the AOR's no-state events
    exact = illinois.join(chicago, on="month", suffix="_chi").drop_nulls(
        [upper, MEASURE, f"{MEASURE}_no_state"]
    )
    assert exact.height >= 3
    assert (exact[upper] - exact[MEASURE] == exact[f"{MEASURE}_no_state"]).all()


def test_panel_bounds_on_the_command_line(panel_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "atlas.duckdb"
    copy.write_bytes(panel_store.read_bytes())
    args = ["--db", copy, "--level", "county", "--areas", "17031", "--measures", MEASURE]
    args += ["--from", "2016-10", "--to", "2016-12", "--bounds", "--csv"]
    done = subprocess.run(
        [sys.executable, "-m", "sanctuary_atlas", "panel", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    frame = pl.read_csv(StringIO(done.stdout))
    assert frame.columns[-3:] == [MEASURE, f"{MEASURE}_upper", f"{MEASURE}_coverage"]
    # a bound is a whole count, and November 2016 has one (0 placed, up to the AOR's and
    # the state's unplaced)
    assert frame[f"{MEASURE}_upper"].dtype == pl.Int64
    assert frame.height == 3 and frame[f"{MEASURE}_upper"].drop_nulls().len() >= 1
