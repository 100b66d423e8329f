"""`sanctuary-atlas geography ...`: resolve location text, report coverage, list counties.

A thin skin over ``GeographyAPI``: `coverage` asks the atlas's (``atlas.geography``);
`resolve` and `counties` need no store and use the bundled reference tables only.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from sanctuary_atlas.cli.options import CsvOption, JsonOption, exit_codes, reading, user_error
from sanctuary_atlas.cli.output import errors, print_frame
from sanctuary_atlas.geography.api import GeographyAPI, GeographyInputError

geography_app = typer.Typer(
    name="geography",
    help="States, counties, AORs, and resolving where an event happened.",
    no_args_is_help=True,
    add_completion=False,
)


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
            raise user_error("give --csv IN.csv --out OUT.csv, and no TEXT argument")
        with exit_codes():
            try:
                rows = api.resolve_csv(csv_in, out)
            except (GeographyInputError, UnicodeDecodeError) as exc:
                raise GeographyInputError(f"{csv_in}: {exc}") from exc  # name the file
        errors.print(f"resolved {rows:,} rows into {out}", highlight=False)
        return
    if text is None:
        raise user_error("give a location TEXT to resolve, or --csv IN.csv --out OUT.csv")
    with exit_codes():
        found = api.resolve(text, aor, state)
    typer.echo(json.dumps(asdict(found)))


@geography_app.command()
def coverage(
    db: Annotated[Path, typer.Option("--db", help="The atlas store (a DuckDB file).")],
    csv: CsvOption = False,
    as_json: JsonOption = False,
) -> None:
    """Share of events resolved to a county, a state only, the AOR only, by AOR and fiscal year."""
    with exit_codes(), reading(db) as atlas:
        frame = atlas.geography.coverage()
        print_frame(frame, csv=csv, json=as_json, title="Location resolution coverage")


@geography_app.command()
def counties(csv: CsvOption = False, as_json: JsonOption = False) -> None:
    """Counties with FIPS, name, state, AOR and population (Census estimates)."""
    with exit_codes():
        print_frame(GeographyAPI().counties(), csv=csv, json=as_json, title="Counties")
