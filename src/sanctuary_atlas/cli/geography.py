"""`sanctuary-atlas geography ...`: resolve location text, report coverage, list counties.

A thin skin over ``GeographyAPI``. Exit codes: 1 for a user error (unknown AOR or state given
on the command line, missing file or store), 2 for bad input (an input CSV the command cannot
use).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from sanctuary_atlas.cli.output import EXIT_BAD_INPUT, EXIT_USER_ERROR, errors, print_frame
from sanctuary_atlas.geography.api import GeographyAPI, GeographyInputError
from sanctuary_atlas.store import Store, StoreError

geography_app = typer.Typer(
    name="geography",
    help="States, counties, AORs, and resolving where an event happened.",
    no_args_is_help=True,
    add_completion=False,
)

CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]


def _fail(message: str, code: int) -> typer.Exit:
    errors.print(
        f"[bold red]{'bad input' if code == EXIT_BAD_INPUT else 'error'}:[/] {message}",
        highlight=False,
    )
    return typer.Exit(code)


@geography_app.command()
def resolve(
    text: Annotated[str | None, typer.Argument(help="Location text, e.g. a landmark.")] = None,
    aor: Annotated[str | None, typer.Option("--aor", help="AOR code or name, e.g. SEA.")] = None,
    state: Annotated[str | None, typer.Option("--state", help="USPS state hint, e.g. TX.")] = None,
    csv_in: Annotated[
        Path | None, typer.Option("--csv", help="Input CSV with columns aor,text.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Output CSV (with --csv).")] = None,
) -> None:
    """Resolve one text to a county/state/AOR (JSON), or every row of a CSV (--csv IN --out OUT)."""
    api = GeographyAPI()
    if csv_in is not None:
        if out is None or text is not None:
            raise _fail("give --csv IN.csv --out OUT.csv, and no TEXT argument", EXIT_USER_ERROR)
        try:
            rows = api.resolve_csv(csv_in, out)
        except FileNotFoundError as exc:
            raise _fail(str(exc), EXIT_USER_ERROR) from exc
        except (GeographyInputError, UnicodeDecodeError) as exc:
            raise _fail(f"{csv_in}: {exc}", EXIT_BAD_INPUT) from exc
        errors.print(f"resolved {rows:,} rows into {out}", highlight=False)
        return
    if text is None:
        raise _fail(
            "give a location TEXT to resolve, or --csv IN.csv --out OUT.csv", EXIT_USER_ERROR
        )
    try:
        found = api.resolve(text, aor, state)
    except ValueError as exc:
        raise _fail(str(exc), EXIT_USER_ERROR) from exc
    typer.echo(json.dumps(asdict(found)))


@geography_app.command()
def coverage(
    db: Annotated[Path, typer.Option("--db", help="The atlas store (a DuckDB file).")],
    csv: CsvOption = False,
) -> None:
    """Share of events resolved to a county, a state only, the AOR only, by AOR and fiscal year."""
    try:
        with Store.open(db, read_only=True) as store:
            frame = GeographyAPI(store).coverage()
    except (StoreError, ValueError) as exc:
        raise _fail(str(exc), EXIT_USER_ERROR) from exc
    print_frame(frame, csv=csv, title="Location resolution coverage")


@geography_app.command()
def counties(csv: CsvOption = False) -> None:
    """Counties with FIPS, name, state, AOR and population (Census estimates)."""
    print_frame(GeographyAPI().counties(), csv=csv, title="Counties")
