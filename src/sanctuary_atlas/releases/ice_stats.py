"""ICE's own detention statistics (the bi-weekly "FY detention statistics" spreadsheets,
FY2019 onwards, as Parquet tables with ``fiscal_year``, ``file_date``, ``pull_date``): the
monthly tables become national monthly figures (and ``ice_atd``, the alternatives-to-detention
table, AOR figures).

Each spreadsheet repeats its fiscal year's monthly table, revised, up to the day it was
pulled. The atlas takes each fiscal year's months from one spreadsheet, chosen as follows
(the same rule for every table), and registers that spreadsheet as a release:

1. Some spreadsheets carry another year's table under their fiscal-year label (the FY2020
   table appears labelled FY2021, FY2023 and FY2026; FY2025's first weeks labelled FY2024),
   and a few early ones hold an October ICE revised later. October, complete in every
   spreadsheet, betrays both: a spreadsheet whose October total is more than 2% from the
   median October of its fiscal year's spreadsheets is left out (named in the release's
   report).
2. Of the rest, the spreadsheet reaching the latest month counts; among those, for counts the
   one with the largest fiscal-year total (book-ins only accumulate), for averages the latest
   pulled; then the latest file date.
3. A month is published only if it is whole in that spreadsheet: a later month has figures, or
   the spreadsheet was pulled on or after the month's last day (its file date is used only
   when the pull date precedes the spreadsheet's own last month: ICE's metadata is not always
   consistent, and some file dates are a placeholder 31 December). A month no spreadsheet
   holds whole has no figure: the last spreadsheets of FY2021, FY2022 and FY2025 were pulled
   in mid-September, so September 2021, 2022 and 2025 have none.

No monthly figure is made by differencing year-to-date totals: the monthly tables give each
month directly, and the spreadsheets are not pulled on month ends, so a difference of two
year-to-date totals (removals) would cover a span that is not a month.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from sanctuary_atlas.releases.ddp_detention import _read_parquet
from sanctuary_atlas.releases.ice_atd import load_atd
from sanctuary_atlas.releases.ingest import register_table_release, sha256_of
from sanctuary_atlas.store import Store

SOURCE_FAMILY = "ice-detention-stats"
SHEET_KEYS = ("fiscal_year", "file_date", "pull_date")
OCTOBER_TOLERANCE = 0.02


@dataclass(frozen=True)
class StatTable:
    """One monthly table: its file, the column naming the row group, the value column, the
    measure each group becomes, and whether the values are counts (else averages)."""

    file_name: str
    table_name: str  # the release registry's table name, and the measures' table
    group_column: str
    value_column: str
    measures: dict[str, str]  # group value -> measure
    total_group: str
    is_count: bool


STAT_TABLES = (
    StatTable(
        "book-ins-by-arresting-agency.parquet",
        "ice_book_ins",
        "arresting_agency",
        "n_book_ins",
        {"Total": "book_ins", "ICE": "book_ins_ice", "CBP": "book_ins_cbp"},
        "Total",
        True,
    ),
    StatTable(
        "adp-by-agency-criminality.parquet",
        "ice_adp",
        "agency",
        "adp",
        {"Average": "ice_adp", "ICE Average": "ice_adp_ice", "CBP Average": "ice_adp_cbp"},
        "Average",
        False,
    ),
)


@dataclass(frozen=True)
class StatsLoad:
    tables: int
    months: int
    status: str


def _last_day(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def chosen_spreadsheets(frame: pl.DataFrame, table: StatTable) -> pl.DataFrame:
    """One row per fiscal year: the spreadsheet that counts (see the module docstring), its
    last whole month, and the spreadsheets left out as carrying another year's table."""
    totals = frame.filter(pl.col(table.group_column) == table.total_group).sort("date")
    sheets = totals.group_by(SHEET_KEYS).agg(
        pl.col(table.value_column).fill_null(0).first().alias("october"),
        pl.col("date").filter(pl.col(table.value_column).fill_null(0) > 0).max().alias("last"),
        pl.col(table.value_column).fill_null(0).sum().alias("total"),
    )
    sheets = sheets.with_columns(
        ((pl.col("october") / pl.col("october").median().over("fiscal_year") - 1).abs())
        .le(OCTOBER_TOLERANCE)
        .alias("consistent")
    )
    tie = "total" if table.is_count else "pull_date"
    chosen = (
        sheets.filter(pl.col("consistent"))
        .sort(["fiscal_year", "last", tie, "file_date"], descending=[False, True, True, True])
        .group_by("fiscal_year", maintain_order=True)
        .first()
    )
    left_out = (
        sheets.filter(~pl.col("consistent"))
        .group_by("fiscal_year")
        .agg(pl.format("{} (pulled {})", "file_date", "pull_date").sort().alias("left_out"))
    )
    # the pull date, unless it precedes the spreadsheet's own last month (then the file date)
    as_of = (
        pl.when(pl.col("pull_date") >= pl.col("last"))
        .then(pl.col("pull_date"))
        .otherwise(pl.col("file_date"))
    )
    whole_to = (
        pl.when(as_of >= pl.col("last").map_elements(_last_day, return_dtype=pl.Date))
        .then(pl.col("last"))
        .otherwise(pl.col("last").dt.offset_by("-1mo"))
    )
    return (
        chosen.with_columns(whole_to.alias("whole_to"))
        .join(left_out, on="fiscal_year", how="left")
        .sort("fiscal_year")
    )


def monthly_figures(frame: pl.DataFrame, table: StatTable) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(figures: fiscal_year, measure, month, value; chosen spreadsheets)."""
    chosen = chosen_spreadsheets(frame, table)
    figures = (
        frame.join(chosen.select(*SHEET_KEYS, "whole_to"), on=list(SHEET_KEYS))
        .filter(
            pl.col(table.group_column).is_in(list(table.measures))
            & (pl.col("date") <= pl.col("whole_to"))
            & pl.col(table.value_column).is_not_null()
        )
        .select(
            "fiscal_year",
            pl.col(table.group_column).replace_strict(table.measures).alias("measure"),
            pl.col("date").alias("month"),
            pl.col(table.value_column).alias("value"),
        )
        .sort("measure", "month")
    )
    return figures, chosen


def load_ice_statistics(store: Store, folder: Path) -> StatsLoad:
    """Load the monthly tables of ICE's detention statistics (each file once per content):
    one release row per fiscal year's chosen spreadsheet, its months in ``ice_statistics``."""
    loaded = months = 0
    for table in STAT_TABLES:
        path = folder / table.file_name
        digest = sha256_of(path)
        if store.scalar("SELECT count(*) FROM releases WHERE sha256 = ?", [digest]):
            continue
        frame = _read_parquet(path, (table.group_column, table.value_column, "date", *SHEET_KEYS))
        figures, chosen = monthly_figures(frame, table)
        with store.transaction():
            for sheet in chosen.iter_rows(named=True):
                mine = figures.filter(pl.col("fiscal_year") == sheet["fiscal_year"])
                release_id = register_table_release(
                    store,
                    path=path,
                    sha256=digest,
                    source_family=SOURCE_FAMILY,
                    table_name=table.table_name,
                    coverage=(mine["month"].min(), _last_day(sheet["whole_to"])),
                    rows=mine.height,
                    report={
                        "fiscal_year_total": sheet["total"],
                        "last_whole_month": str(sheet["whole_to"]),
                        "left_out_inconsistent_october": sheet["left_out"] or [],
                    },
                    sheet=f"FY{sheet['fiscal_year']} spreadsheet of {sheet['file_date']} "
                    f"(pulled {sheet['pull_date']})",
                    fiscal_year=sheet["fiscal_year"],
                )
                store.insert_arrow(
                    "ice_statistics (release_id, measure, month, value)",
                    mine.with_columns(pl.lit(release_id).alias("release_id")).to_arrow(),
                    "SELECT release_id, measure, month, value FROM batch",
                )
                months += mine.height
            loaded += 1
    atd = load_atd(store, folder)  # alternatives to detention: by AOR, from snapshots
    if atd is not None:
        loaded, months = loaded + 1, months + atd.months
    return StatsLoad(loaded, months, "ingested" if loaded else "already stored")
