"""The panel on the real national store: every level adds back to the raw events."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

import sanctuary_atlas
from sanctuary_atlas.measures.definitions import COUNT_MEASURES, NATION_ONLY_TABLES, PARTITIONS
from sanctuary_atlas.measures.panel import AVERAGE_DECIMALS
from sanctuary_atlas.measures.published import PanelQueryError

NATION_ONLY = [m.name for m in COUNT_MEASURES if m.table in NATION_ONLY_TABLES]


def _cells(path: Path) -> pl.DataFrame:
    with sanctuary_atlas.open(path, read_only=True) as atlas:
        return atlas.store.frame("SELECT level, area_code, month, measure, value FROM panel_cells")


def test_every_level_sums_to_the_raw_events(panel_store: Path) -> None:
    cells = _cells(panel_store)
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        raw = atlas.sql(
            """SELECT 'arrests' AS measure, date_trunc('month', event_date)::DATE AS month,
                      count(*)::DOUBLE AS raw FROM arrests_counted GROUP BY ALL
               UNION ALL
               SELECT 'arrests_at_large', date_trunc('month', event_date)::DATE,
                      count(*)::DOUBLE FROM arrests_counted WHERE method_class = 'at_large'
                      GROUP BY ALL
               UNION ALL
               SELECT 'encounters_detainer', date_trunc('month', event_date)::DATE,
                      count(*)::DOUBLE FROM encounters_counted WHERE disposition = 'Detainer'
                      GROUP BY ALL
               UNION ALL
               SELECT 'removals', date_trunc('month', event_date)::DATE, count(*)::DOUBLE
                      FROM removals_counted GROUP BY ALL"""
        )
    totals = cells.group_by("level", "measure", "month").agg(pl.col("value").sum())
    nation = totals.filter(pl.col("level") == "nation")
    checked = raw.join(nation, on=["measure", "month"], how="left")
    assert checked["value"].null_count() == 0
    assert (checked["value"] == checked["raw"]).all()
    assert raw["raw"].sum() > 2_000_000 // 2
    # every other level adds back to the nation, cell for cell
    for level in ("aor", "state", "county"):
        mine = totals.filter(pl.col("level") == level).select("measure", "month", "value")
        joined = nation.select("measure", "month", pl.col("value").alias("n")).join(
            mine, on=["measure", "month"], how="left"
        )
        if level in ("state", "county"):
            joined = joined.filter(pl.col("measure") != "removals")
        # ICE's statistics have no place: nation-only, no cells below it (test_present)
        joined = joined.filter(~pl.col("measure").is_in(NATION_ONLY))
        # exact for counts; detention averages are rounded to AVERAGE_DECIMALS per cell, so
        # an AOR's or county's sum may differ from the nation's by half a unit of the last
        # decimal per area
        half_unit = 0.5 * 10.0**-AVERAGE_DECIMALS
        tolerance = pl.when(pl.col("measure") == "detained_adp").then(3_200 * half_unit)
        within = joined.select(
            ((pl.col("value") - pl.col("n")).abs() <= tolerance.otherwise(0.0)).all()
        ).item()
        assert joined["value"].null_count() == 0 and within, level


def test_measure_partitions_add_up(panel_store: Path) -> None:
    for level in ("aor", "nation"):
        cells = _cells(panel_store).filter(pl.col("level") == level)
        wide = cells.pivot(on="measure", index=["area_code", "month"], values="value")
        wide = wide.fill_null(0)
        for parent, parts in PARTITIONS.items():
            if parent in wide.columns:  # nation-only measures (book-ins) have no AOR cells
                assert (wide[parent] == sum(wide[p] for p in parts)).all(), (level, parent)


def test_detention_is_a_monthly_average(panel_store: Path) -> None:
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        raw = atlas.sql(
            "SELECT sum(people)::DOUBLE / 31 AS adp FROM detention_headcount "
            "WHERE day BETWEEN '2020-01-01' AND '2020-01-31'"
        )["adp"][0]
        nation = atlas.measures.panel(
            "nation", ["detained_adp"], date(2020, 1, 1), date(2020, 1, 1)
        )
    assert nation["detained_adp"][0] == pytest.approx(raw)
    assert 30_000 < raw < 60_000  # ICE held about 40,000 people a day in early 2020


def test_published_panel_contract(panel_store: Path) -> None:
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        frame = atlas.measures.panel(
            "state",
            ["arrests", "at_large_share", "arrests_per_100k", "removals"],
            date(2017, 1, 1),
            date(2017, 12, 1),
        )
        with pytest.raises(PanelQueryError, match="unknown level"):
            atlas.measures.panel("city", ["arrests"])
        with pytest.raises(ValueError, match="unknown measure 'arrestz'"):
            atlas.measures.panel("state", ["arrestz"])
    assert frame.columns[:4] == ["level", "area_code", "area_name", "month"]
    assert frame.filter(pl.col("area_code") == "CA").height == 12
    # removals have no place below the AOR: no data at state level, never zero
    assert frame["removals"].null_count() == frame.height
    published = frame["arrests"].drop_nulls()
    assert not ((published > 0) & (published < 10)).any()
    # a share whose inputs are suppressed is suppressed too
    assert frame.filter(pl.col("arrests").is_null())["at_large_share"].null_count() == (
        frame.filter(pl.col("arrests").is_null()).height
    )
    ca = frame.filter((pl.col("area_code") == "CA") & (pl.col("month") == date(2017, 6, 1)))
    assert ca["arrests_per_100k"][0] == pytest.approx(ca["arrests"][0] / 39_358_497 * 1e5, rel=0.05)


def test_months_without_a_release_have_no_data(panel_store: Path) -> None:
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        frame = atlas.measures.panel(
            "nation", ["encounters", "arrests"], date(2017, 9, 1), date(2018, 10, 1)
        )
    by_month = dict(zip(frame["month"], frame["encounters"], strict=True))
    assert by_month[date(2017, 9, 1)] and by_month[date(2018, 10, 1)]
    # no national encounters file for FY2018: no figure, never a zero
    assert by_month[date(2018, 3, 1)] is None
    # arrests have a release for every one of these months, and the nation's figures are
    # never withheld to protect another cell (the disclosure control spares them)
    assert frame.height == 14 and frame["arrests"].null_count() == 0
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        complements = atlas.store.frame(
            "SELECT count(*) AS n FROM panel_cells WHERE level = 'nation' "
            "AND suppressed = 'complementary'"
        )["n"][0]
    assert complements == 0
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        tail = atlas.measures.panel("nation", ["arrests"], date(2019, 8, 1), date(2019, 9, 1))
    # FY2019 ends on 31 August; its few events of 1 September make no month
    assert tail["month"].to_list() == [date(2019, 8, 1)]


def test_every_count_measure_is_in_the_panel(panel_store: Path) -> None:
    measures = set(_cells(panel_store)["measure"].unique())
    # the records hold no detainer release: its measures have no figure (never a zero)
    without_release = {m.name for m in COUNT_MEASURES if m.table == "detainers"}
    assert without_release == {"detainers", "detainers_declined"}
    assert {m.name for m in COUNT_MEASURES} - without_release <= measures
    assert not without_release & measures
