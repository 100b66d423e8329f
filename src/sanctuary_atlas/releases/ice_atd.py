"""ICE's alternatives-to-detention (ATD) table by AOR, from its detention statistics
(``atd-by-aor.parquet``): people enrolled in ATD on the day each spreadsheet was pulled, per
AOR, as a monthly AOR-level figure.

The table lists, per spreadsheet, a ``Total`` (or ``Grand Total``) row, then each AOR followed
by its technologies (SmartLINK, GPS, ankle monitor…); only the AOR rows are read. ICE names 25
offices; the atlas's AORs are the 24 of its 2015-2019 records, so Harlingen (a field office
split from San Antonio, whose counties lie in the atlas's San Antonio AOR) is counted in
San Antonio, as Harlingen's detention facilities are.

A snapshot is a pull date's table of AOR counts. The spreadsheets repeat and mislabel tables,
so a snapshot is left out (and named in the release's report) when:

1. its pull date lies outside the spreadsheet's fiscal year (allowing a year-end table pulled
   up to 45 days after the year ends): a table filed under another year;
2. the same AOR counts appear under another pull date closer to its spreadsheet's file date:
   a copy carried forward under a stale pull date;
3. another table of the same pull date was filed sooner after it (two different tables for
   one day: the later file carries another day's table);
4. its AORs do not add up to its total.

A month's figure is the last kept snapshot pulled in it; a month with none has no figure.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from sanctuary_atlas.geography.aors import UnknownAorError, aor_code
from sanctuary_atlas.releases.ddp_detention import _read_parquet
from sanctuary_atlas.releases.ingest import register_table_release, sha256_of
from sanctuary_atlas.store import Store

ATD_FILE = "atd-by-aor.parquet"
ATD_TABLE = "ice_atd"
ATD_MEASURE = "atd_enrolled"
TOTAL_ROWS = ("Total", "Grand Total")
# ICE's spellings the AOR registry does not know, and the office the atlas counts them in
ATD_ALIASES = {"St Paul": "SPM", "Washington DC": "WAS", "Harlingen": "SNA"}
YEAR_END_GRACE = timedelta(days=45)
SNAPSHOT_KEYS = ("fiscal_year", "file_date", "pull_date")


@dataclass(frozen=True)
class AtdLoad:
    months: int
    snapshots_kept: int
    left_out: tuple[str, ...]


def _aor_of(name: str) -> str | None:
    if name in ATD_ALIASES:
        return ATD_ALIASES[name]
    try:
        return aor_code(name)
    except UnknownAorError:
        return None  # a technology row (SmartLINK, GPS, No Tech…)


def snapshots(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """(kept snapshots: pull_date, aor, value — one row per AOR; the snapshots left out, each
    with its reason). See the module docstring for the rules."""
    rows = frame.with_columns(
        pl.col("aor_technology")
        .map_elements(_aor_of, return_dtype=pl.String, skip_nulls=True)
        .alias("aor"),
        pl.col("aor_technology").is_in(TOTAL_ROWS).alias("is_total"),
    )
    aors = (
        rows.filter(pl.col("aor").is_not_null())
        .group_by(*SNAPSHOT_KEYS, "aor")
        .agg(pl.col("count").sum().alias("value"))
    )
    tables = (
        aors.sort("aor")
        .group_by(SNAPSHOT_KEYS)
        .agg(
            pl.format("{}={}", "aor", "value").str.join(",").alias("counts"),
            pl.col("value").sum().alias("aor_sum"),
        )
        .join(
            rows.filter("is_total")
            .group_by(SNAPSHOT_KEYS)
            .agg(pl.col("count").first().alias("total")),
            on=list(SNAPSHOT_KEYS),
            how="left",
        )
        .with_columns((pl.col("file_date") - pl.col("pull_date")).dt.total_days().alias("lag"))
    )
    reason: dict[tuple[int, date, date], str] = {}
    for fy, filed, pulled, _, aor_sum, total, _ in tables.sort(*SNAPSHOT_KEYS).iter_rows():
        key = (fy, filed, pulled)
        if not date(fy - 1, 10, 1) <= pulled <= date(fy, 9, 30) + YEAR_END_GRACE:
            reason[key] = f"pulled {pulled}, outside FY{fy}"
        elif total is None or abs(aor_sum - total) > 0.5:
            reason[key] = f"pulled {pulled}: AORs add up to {aor_sum:.0f}, total {total}"
    live = tables.filter(
        ~pl.struct(SNAPSHOT_KEYS).map_elements(
            lambda s: (s["fiscal_year"], s["file_date"], s["pull_date"]) in reason,
            return_dtype=pl.Boolean,
        )
    )
    # a copy under a stale pull date, then the later of two tables of one day
    for group, why in (("counts", "a copy of the table pulled"), ("pull_date", "superseded:")):
        ranked = live.sort("lag", "file_date").with_columns(
            pl.col("pull_date").first().over(group).alias("kept_pull"),
            pl.col("file_date").first().over(group).alias("kept_file"),
            pl.col("counts").first().over(group).alias("kept_counts"),
        )
        for fy, filed, pulled, kept_pull, kept_file in (
            ranked.filter(
                # the same table filed twice for its own day is no conflict
                (pl.col("pull_date") != pl.col("kept_pull"))
                | (pl.col("counts") != pl.col("kept_counts"))
            )
            .select(*SNAPSHOT_KEYS, "kept_pull", "kept_file")
            .iter_rows()
        ):
            reason[(fy, filed, pulled)] = (
                f"pulled {pulled} (filed {filed}): {why} {kept_pull} (filed {kept_file})"
            )
        live = live.filter(
            ~pl.struct(SNAPSHOT_KEYS).map_elements(
                lambda s: (s["fiscal_year"], s["file_date"], s["pull_date"]) in reason,
                return_dtype=pl.Boolean,
            )
        )
    kept = (
        live.sort("pull_date", "lag", "file_date")
        .unique("pull_date", keep="first", maintain_order=True)
        .select(*SNAPSHOT_KEYS)
        .join(aors, on=list(SNAPSHOT_KEYS))
        .select("pull_date", "aor", "value")
        .sort("pull_date", "aor")
    )
    return kept, sorted(set(reason.values()))


def monthly_atd(kept: pl.DataFrame) -> pl.DataFrame:
    """month, aor, value: each month's last kept snapshot."""
    last = kept.group_by(pl.col("pull_date").dt.truncate("1mo").alias("month")).agg(
        pl.col("pull_date").max()
    )
    return kept.join(last, on="pull_date").select("month", "aor", "value").sort("month", "aor")


def load_atd(store: Store, folder: Path) -> AtdLoad | None:
    """Load the ATD table once per content (``None``: already stored, or not in ``folder``)."""
    path = folder / ATD_FILE
    if not path.exists():
        return None
    digest = sha256_of(path)
    if store.scalar("SELECT count(*) FROM releases WHERE sha256 = ?", [digest]):
        return None
    frame = _read_parquet(path, ("aor_technology", "count", *SNAPSHOT_KEYS))
    kept, left_out = snapshots(frame)
    figures = monthly_atd(kept)
    if figures.is_empty():
        return AtdLoad(0, 0, tuple(left_out))
    with store.transaction():
        # one release row per run of consecutive months: a month between two runs has no
        # figure, and no release may claim to cover it (a covered month without a cell is 0)
        for run in _runs(figures):
            release_id = register_table_release(
                store,
                path=path,
                sha256=digest,
                source_family="ice-detention-stats",
                table_name=ATD_TABLE,
                coverage=(run["month"].min(), _month_end(run["month"].max())),  # type: ignore[arg-type]
                rows=run.height,
                report={
                    "snapshots_kept": kept["pull_date"].n_unique(),
                    "snapshots_left_out": left_out,
                    "harlingen_counted_in": "SNA",
                },
                sheet="alternatives to detention by AOR, the last pull of each month",
            )
            store.insert_arrow(
                "ice_statistics (release_id, measure, month, value, aor)",
                run.with_columns(
                    pl.lit(release_id).alias("release_id"), pl.lit(ATD_MEASURE).alias("measure")
                ).to_arrow(),
                "SELECT release_id, measure, month, value, aor FROM batch",
            )
    return AtdLoad(figures["month"].n_unique(), kept["pull_date"].n_unique(), tuple(left_out))


def _runs(figures: pl.DataFrame) -> list[pl.DataFrame]:
    months = figures["month"].unique().sort().to_list()
    run_of: dict[date, int] = {}
    for index, month in enumerate(months):
        previous = months[index - 1] if index else None
        follows = previous is not None and (month - previous).days <= 31
        run_of[month] = run_of[previous] if follows and previous else index
    runs = figures.with_columns(pl.col("month").replace_strict(run_of).alias("run"))
    return [part.drop("run") for part in runs.partition_by("run", maintain_order=True)]


def _month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])
