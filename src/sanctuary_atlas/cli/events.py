"""Commands over release files and the event tables: ingest, releases, summary, sql, prefer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from sanctuary_atlas.cli.options import (
    CsvOption,
    DbOption,
    FromMonthOption,
    JsonOption,
    ToMonthOption,
    exit_codes,
    parse_month,
    reading,
    user_error,
    writing,
)
from sanctuary_atlas.cli.output import console, print_frame
from sanctuary_atlas.releases import BadInputError
from sanctuary_atlas.releases.column_map import accepted_fields
from sanctuary_atlas.store import DEFAULT_STORE


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Release files or folders of them.")],
    db: DbOption = DEFAULT_STORE,
    strict: Annotated[
        bool, typer.Option(help="Refuse a file with a column no layout knows (default: skip it).")
    ] = False,
    columns: Annotated[
        Path | None,
        typer.Option(
            help="A YAML map of new header spellings to canonical fields "
            f"({', '.join(accepted_fields())})."
        ),
    ] = None,
) -> None:
    """Ingest ICE release files (csv, csv.gz, xlsx, parquet): all or nothing per command —
    if one file is bad, nothing of this command is stored."""
    with (
        exit_codes(),
        writing(db) as atlas,
        Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed:>12,.0f} rows"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress,
    ):
        tasks: dict[Path, TaskID] = {}

        def on_file(path: Path) -> Callable[[int], None]:
            task = progress.add_task(path.name, total=None, rate="")
            tasks[path] = task
            started = datetime.now()

            def on_rows(rows: int) -> None:
                progress.advance(task, rows)
                done = progress.tasks[task].completed
                seconds = max((datetime.now() - started).total_seconds(), 1e-6)
                progress.update(task, rate=f"{done / seconds:>10,.0f} rows/s")

            return on_rows

        try:
            results = atlas.ingest(paths, on_file=on_file, strict=strict, columns=columns)
        except BadInputError:
            read = ", ".join(path.name for path in tasks) or "none"
            console.print(
                f"[bold]Nothing was stored[/]: ingest is all or nothing per command "
                f"(files read and rolled back: {read})."
            )
            raise
        for result in results:
            task = tasks[result.path]
            if result.status == "already stored":
                progress.update(task, description=f"{result.path.name} [dim](already stored)[/]")
            progress.stop_task(task)
    for result in results:
        for sheet, names in result.unknown_columns.items():
            where = f"{result.path.name}" + (f" / {sheet}" if sheet else "")
            console.print(
                f"[yellow]{where}: unknown column(s) not stored:[/] "
                + ", ".join(repr(n) for n in names)
                + " (map them with --columns MAP.yaml)",
                highlight=False,
            )
    ingested = [r for r in results if r.status == "ingested"]
    console.print(
        f"{len(ingested)} file(s) ingested, {sum(r.rows for r in ingested):,} rows; "
        f"{len(results) - len(ingested)} already stored (same sha256), skipped."
    )


def releases(
    db: DbOption = DEFAULT_STORE, csv: CsvOption = False, as_json: JsonOption = False
) -> None:
    """The release registry, and which release each overlapping (table, AOR, month) counts."""
    with exit_codes(), reading(db) as atlas:
        registry = atlas.releases().drop("report", "sha256", "ingested_at")
        overlap = atlas.overlaps()
        if csv or as_json:
            print_frame(
                registry.join(
                    overlap.drop("table_name", "file_name", "sheet"), on="release_id", how="left"
                ),
                csv=csv,
                json=as_json,
            )
            return
        print_frame(
            _compact(registry, overlap),
            title="Releases and precedence",
            heading=("id", "file / sheet"),
        )
        console.print(
            "cells = AOR x month covered; a cell is counted from one release only. "
            "Full detail: --csv or --json. Override: sanctuary-atlas prefer --release N."
        )


def _compact(registry: pl.DataFrame, overlap: pl.DataFrame) -> pl.DataFrame:
    """The registry and the precedence in a table that fits a terminal."""
    joined = registry.join(
        overlap.drop("table_name", "file_name", "sheet"), on="release_id", how="left"
    )
    return joined.select(
        pl.col("release_id").alias("id"),
        pl.concat_str(
            pl.col("file_name"), pl.lit(" / ") + pl.col("sheet"), ignore_nulls=True
        ).alias("file / sheet"),
        pl.col("table_name").alias("table"),
        pl.col("fiscal_year"),
        pl.concat_str(
            pl.col("coverage_start").cast(pl.String),
            pl.col("coverage_end").cast(pl.String),
            separator=" .. ",
        ).alias("coverage"),
        pl.concat_str(pl.col("scope_aors"), pl.col("scope_programs"), separator=" / ").alias(
            "scope (AOR / program)"
        ),
        pl.col("rows_loaded").alias("rows"),
        pl.col("rows_flagged").alias("flagged"),
        pl.col("cells_counted").cast(pl.String) + " of " + pl.col("cells_covered").cast(pl.String),
        pl.col("rows_counted").alias("counted"),
        pl.col("superseded_reason").alias("not counted because"),
    ).rename({"cells_counted": "cells counted"})


def summary(
    db: DbOption = DEFAULT_STORE, csv: CsvOption = False, as_json: JsonOption = False
) -> None:
    """Rows by table x fiscal year x AOR, each event counted once (release precedence)."""
    with exit_codes(), reading(db) as atlas:
        print_frame(
            atlas.summary(), csv=csv, json=as_json, title="Events by table, fiscal year and AOR"
        )


def sql(
    query: Annotated[str, typer.Argument(help="One read-only SELECT statement.")],
    db: DbOption = DEFAULT_STORE,
    csv: CsvOption = False,
    as_json: JsonOption = False,
) -> None:
    """Run a read-only SQL query against the store (tables: releases, arrests, encounters,
    removals, and the *_counted views). It reads this store only: no other file, no URL, no
    extension."""
    with exit_codes(), reading(db) as atlas:
        print_frame(atlas.sql(query), csv=csv, json=as_json)


def prefer(
    release: Annotated[
        int | None, typer.Option(help="Release id to count (see `releases`).")
    ] = None,
    aor: Annotated[
        str | None, typer.Option(help="Only this AOR code (default: every AOR).")
    ] = None,
    from_month: FromMonthOption = None,
    to_month: ToMonthOption = None,
    clear: Annotated[bool, typer.Option(help="Remove every override.")] = False,
    db: DbOption = DEFAULT_STORE,
) -> None:
    """Override the default release precedence for a table, AOR and months."""
    with exit_codes(), writing(db) as atlas:
        if clear:
            console.print(f"{atlas.clear_preferences()} override(s) removed.")
            return
        if release is None:
            raise user_error("give --release N (or --clear)")
        done = atlas.prefer(
            release,
            aor=aor.upper() if aor else None,
            month_from=parse_month(from_month, "--from"),
            month_to=parse_month(to_month, "--to"),
        )
        console.print(
            f"{done.table_name}: release {done.release_id} now counts for "
            f"{done.aor or 'every AOR'}, {done.month_from:%Y-%m} to {done.month_to:%Y-%m}."
        )
        if done.warning:
            console.print(f"[yellow]warning:[/] {done.warning}")
