"""Commands over the measure panel: panel, measures, load-detention."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from sanctuary_atlas.atlas import Atlas
from sanctuary_atlas.cli.app import app
from sanctuary_atlas.cli.events import CsvOption, DbOption
from sanctuary_atlas.cli.output import console, exit_codes, parse_month, print_frame
from sanctuary_atlas.measures.definitions import MEASURES_BY_NAME
from sanctuary_atlas.store import DEFAULT_STORE


def for_output(frame: pl.DataFrame) -> pl.DataFrame:
    """Months as YYYY-MM, counts as whole numbers, ratios to four decimals."""
    counts = [
        c for c in frame.columns if c in MEASURES_BY_NAME and MEASURES_BY_NAME[c].kind == "count"
    ]
    floats = [c for c, t in frame.schema.items() if t == pl.Float64 and c not in counts]
    return frame.with_columns(
        pl.col("month").dt.strftime("%Y-%m"),
        *(pl.col(c).round(0).cast(pl.Int64) for c in counts),
        *(pl.col(c).round(4) for c in floats),
    )


@app.command()
def panel(
    level: Annotated[str, typer.Option(help="nation | aor | state | county")] = "nation",
    measures: Annotated[str, typer.Option(help="Comma-separated measure names.")] = "arrests",
    from_month: Annotated[str | None, typer.Option("--from", help="First month, YYYY-MM.")] = None,
    to_month: Annotated[str | None, typer.Option("--to", help="Last month, YYYY-MM.")] = None,
    areas: Annotated[str | None, typer.Option(help="Comma-separated area codes.")] = None,
    unassigned: Annotated[
        bool,
        typer.Option(
            "--unassigned", help="County level: add each measure's unassigned share (CSV)."
        ),
    ] = False,
    parquet: Annotated[Path | None, typer.Option(help="Also write the slice as Parquet.")] = None,
    db: DbOption = DEFAULT_STORE,
    csv: CsvOption = False,
) -> None:
    """Measures by area and month; small counts and what would reveal them are withheld
    (empty cells)."""
    names = [m.strip() for m in measures.split(",") if m.strip()]
    with exit_codes(), Atlas.open(db) as atlas:
        frame = atlas.measures.panel(
            level,
            names,
            parse_month(from_month, "--from"),
            parse_month(to_month, "--to"),
            [a.strip() for a in areas.split(",")] if areas else None,
        )
        if parquet:
            frame.write_parquet(parquet)
        shown = (
            frame
            if (unassigned or not csv)
            else frame.select("level", "area_code", "area_name", "month", *names)
        )
        print_frame(for_output(shown), csv=csv, title=f"{level} panel")


@app.command("measures")
def list_measures(csv: CsvOption = False) -> None:
    """Every measure, with its plain-language definition."""
    from sanctuary_atlas.measures.definitions import definitions

    print_frame(pl.DataFrame(definitions()), csv=csv, title="Measures")


@app.command("load-detention")
def load_detention_command(
    headcount: Annotated[Path, typer.Argument(help="Daily headcount by facility (csv.gz).")],
    facilities: Annotated[Path, typer.Argument(help="Facility list placing each facility.")],
    db: DbOption = DEFAULT_STORE,
) -> None:
    """Load the detention population (UWCHR daily headcount) and its facility list."""
    with exit_codes(), Atlas.open(db) as atlas:
        done = atlas.load_detention(headcount, facilities)
    console.print(
        f"detention: {done.status}; {done.headcount_rows:,} facility-days, {done.facilities:,} "
        f"facilities ({done.facilities_without_county} not placed in a county)."
    )
