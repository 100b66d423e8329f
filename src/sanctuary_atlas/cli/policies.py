"""`sanctuary-atlas policies ...`: the policy registry from the command line.

A thin skin over ``atlas.policies``. Exit codes: 1 for a user error (unknown jurisdiction or kind,
a missing file), 2 for bad input (an import file or snapshot that cannot be taken).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer

from sanctuary_atlas.cli.options import (
    CsvOption,
    DbOption,
    JsonOption,
    exit_codes,
    reading,
    writing,
)
from sanctuary_atlas.cli.output import console, print_frame
from sanctuary_atlas.store import DEFAULT_STORE

policies_app = typer.Typer(
    name="policies",
    help="The dated, sourced registry of cooperation policies (sanctuary limits, 287(g), ...).",
    no_args_is_help=True,
)

DateOption = Annotated[
    datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="A day, YYYY-MM-DD.")
]
JurisdictionArgument = Annotated[str, typer.Argument(help="'Cook County, IL', 'Boston, MA', FIPS.")]
# What people read; --csv and --json give every column (description, publisher, address, ...).
_LISTED = ["jurisdiction_fips", "jurisdiction_name", "kind", "effective_from", "effective_to"]
_HEADERS = dict(zip(_LISTED, ["fips", "jurisdiction", "kind", "from", "to"], strict=True))


def _show(
    frame: pl.DataFrame, csv: bool, as_json: bool, title: str, *, detailed: bool = False
) -> None:
    """A table of entries (``detailed``: one record per entry, with its source)."""
    if csv or as_json:
        print_frame(frame, csv=csv, json=as_json)
        return
    if not detailed:
        print_frame(frame.select(_LISTED).rename(_HEADERS), title=title)
        console.print("Sources and every column: --csv or --json.", highlight=False)
        return
    shown = frame.select(
        pl.concat_str(
            pl.col("jurisdiction_name"), pl.lit(" (") + pl.col("jurisdiction_fips") + pl.lit(")")
        ).alias("jurisdiction"),
        pl.col("kind"),
        *([pl.col("applies_as").alias("applies as")] if "applies_as" in frame.columns else []),
        pl.concat_str(
            pl.col("effective_from").cast(pl.String),
            pl.col("effective_to").cast(pl.String).fill_null("(no end date)"),
            separator=" to ",
        ).alias("in force"),
        pl.col("date_basis").alias("dated by"),
        pl.concat_str(
            pl.col("source_title"), pl.lit(", ") + pl.col("source_publisher"), ignore_nulls=True
        ).alias("source"),
        pl.col("uncertainty"),
    )
    print_frame(shown, title=title, records=True, heading=("jurisdiction", "kind"))


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@policies_app.command("load-287g")
def load_287g(
    folder: Annotated[Path, typer.Argument(help="A folder of ICE 287(g) list snapshots.")],
    db: DbOption = DEFAULT_STORE,
) -> None:
    """Load ICE 287(g) list snapshots (rerun it when new scrapes arrive)."""
    with exit_codes(), writing(db) as atlas:
        report = atlas.policies.load_287g(folder)
    console.print(
        f"{report.files_loaded} snapshot(s) loaded, {report.files_skipped} already stored; "
        f"{report.agreements:,} agreements ({report.entries:,} entries) in {report.seconds} s"
    )
    for name in report.incomplete_snapshots:
        console.print(f"  incomplete snapshot, absences ignored: {name}")


@policies_app.command("load-defaults")
def load_defaults(
    data: Annotated[
        Path, typer.Option("--data", help="The shared data folder (or its policies/ folder).")
    ] = Path("../shared/data"),
    db: DbOption = DEFAULT_STORE,
) -> None:
    """Load the curated registry, Secure Communities activations and the DHS 2025 list."""
    with exit_codes(), writing(db) as atlas:
        report = atlas.policies.load_defaults(data)
    console.print(
        f"curated: {report.curated} entries; Secure Communities: "
        f"{report.secure_communities.entries:,} counties "
        f"({report.secure_communities.without_date} without a date); DHS list: "
        f"{report.dhs_list.entries} entries ({len(report.dhs_list.unresolved)} counties unresolved)"
    )


@policies_app.command("list")
def list_entries(
    db: DbOption = DEFAULT_STORE,
    kind: Annotated[
        str | None, typer.Option("--kind", help="A kind or a glob, e.g. '287g_*'.")
    ] = None,
    day: DateOption = None,
    csv: CsvOption = False,
    as_json: JsonOption = False,
) -> None:
    """List entries, optionally of some kinds and in force on a day."""
    with exit_codes(), reading(db) as atlas:
        frame = atlas.policies.entries(kind, _day(day))
        _show(frame, csv, as_json, f"{frame.height:,} entries")


@policies_app.command("at")
def at(
    jurisdiction: JurisdictionArgument,
    day: Annotated[datetime, typer.Option("--date", formats=["%Y-%m-%d"], help="YYYY-MM-DD.")],
    db: DbOption = DEFAULT_STORE,
    csv: CsvOption = False,
    as_json: JsonOption = False,
) -> None:
    """Entries in force at a jurisdiction on a day, with those of its counties and state."""
    with exit_codes(), reading(db) as atlas:
        where = atlas.policies.resolve(jurisdiction)
        frame = atlas.policies.at(where, day.date())
        _show(frame, csv, as_json, f"{where.name} on {day.date()}", detailed=True)


@policies_app.command("timeline")
def timeline(
    jurisdiction: JurisdictionArgument,
    db: DbOption = DEFAULT_STORE,
    csv: CsvOption = False,
    as_json: JsonOption = False,
) -> None:
    """Every entry that ever applied at a jurisdiction, oldest first."""
    with exit_codes(), reading(db) as atlas:
        where = atlas.policies.resolve(jurisdiction)
        frame = atlas.policies.timeline(where)
        _show(frame, csv, as_json, f"{where.name}: timeline", detailed=True)


@policies_app.command("add")
def add(
    level: Annotated[str, typer.Option("--level", help="state | county | place")],
    fips: Annotated[str, typer.Option("--fips", help="2, 5 or 7 digits.")],
    name: Annotated[str, typer.Option("--name", help="Jurisdiction name.")],
    kind: Annotated[str, typer.Option("--kind", help="A kind of the closed vocabulary.")],
    effective_from: Annotated[str, typer.Option("--from", help="YYYY-MM-DD")],
    description: Annotated[str, typer.Option("--description")],
    source_title: Annotated[str, typer.Option("--source-title")],
    source_publisher: Annotated[str, typer.Option("--source-publisher")],
    source_address: Annotated[str, typer.Option("--source-address", help="URL or citation.")],
    date_basis: Annotated[str, typer.Option("--date-basis")] = "stated_in_source",
    effective_to: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD")] = None,
    source_date: Annotated[str | None, typer.Option("--source-date")] = None,
    uncertainty: Annotated[str | None, typer.Option("--uncertainty")] = None,
    county_fips: Annotated[str | None, typer.Option("--county-fips", help="Places.")] = None,
    db: DbOption = DEFAULT_STORE,
) -> None:
    """Add one entry (validated like an imported file)."""
    record: dict[str, Any] = {
        "jurisdiction_level": level,
        "jurisdiction_fips": fips,
        "jurisdiction_name": name,
        "kind": kind,
        "effective_from": effective_from,
        "effective_to": effective_to,
        "description": description,
        "source_title": source_title,
        "source_publisher": source_publisher,
        "source_date": source_date,
        "source_address": source_address,
        "date_basis": date_basis,
        "uncertainty": uncertainty,
        "county_fips": county_fips,
    }
    with exit_codes(), writing(db) as atlas:
        entry = atlas.policies.add(record)
    console.print(f"added {entry.kind} at {entry.jurisdiction_name} ({entry.policy_id})")


@policies_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="A YAML or CSV file of entries.")],
    db: DbOption = DEFAULT_STORE,
) -> None:
    """Import entries from a file; nothing is imported if any entry is invalid."""
    with exit_codes(), writing(db) as atlas:
        added = atlas.policies.import_file(file)
    console.print(f"imported {added} entr{'y' if added == 1 else 'ies'} from {file}")


@policies_app.command("panel")
def panel(
    start: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"])],
    end: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"])],
    level: Annotated[str, typer.Option("--level", help="county | state")] = "county",
    kind: Annotated[str | None, typer.Option("--kind", help="A kind or glob.")] = None,
    db: DbOption = DEFAULT_STORE,
) -> None:
    """Print the jurisdiction x month indicator panel as CSV."""
    with exit_codes(), reading(db) as atlas:
        frame = atlas.policies.panel(start.date(), end.date(), level=level, kinds=kind)
    print_frame(frame, csv=True)
