"""Commands over the measure panel: panel, measures, load-detention."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from sanctuary_atlas.cli.options import (
    CsvOption,
    DbOption,
    FromMonthOption,
    JsonOption,
    ToMonthOption,
    exit_codes,
    parse_month,
    reading,
    writing,
)
from sanctuary_atlas.cli.output import console, print_frame
from sanctuary_atlas.measures.bounds import NO_STATE
from sanctuary_atlas.measures.definitions import MEASURES_BY_NAME
from sanctuary_atlas.store import DEFAULT_STORE


def for_output(frame: pl.DataFrame, counts: tuple[str, ...] = ()) -> pl.DataFrame:
    """Months as YYYY-MM, counts (count measures, and ``counts``) as whole numbers, ratios to
    four decimals."""

    def is_count(column: str) -> bool:
        # a bound, and an AOR's events placed in no state, are counts like their measure
        base = column.removesuffix("_upper").removesuffix(f"_{NO_STATE}")
        return base in MEASURES_BY_NAME and MEASURES_BY_NAME[base].kind == "count"

    whole = [c for c in frame.columns if c in counts or is_count(c)]
    floats = [c for c, t in frame.schema.items() if t == pl.Float64 and c not in whole]
    return frame.with_columns(
        pl.col("month").dt.strftime("%Y-%m"),
        *(pl.col(c).round(0).cast(pl.Int64) for c in whole),
        *(pl.col(c).round(4) for c in floats),
    )


def panel(
    level: Annotated[str, typer.Option(help="nation | aor | state | county")] = "nation",
    measures: Annotated[str, typer.Option(help="Comma-separated measure names.")] = "arrests",
    from_month: FromMonthOption = None,
    to_month: ToMonthOption = None,
    areas: Annotated[str | None, typer.Option(help="Comma-separated area codes.")] = None,
    bounds: Annotated[
        bool,
        typer.Option(
            "--bounds",
            help="State and county level: add each count's upper bound (<measure>_upper: "
            "with the events placed in no state or county that could lie there) and "
            "coverage; AOR level: its events placed in no state (<measure>_no_state).",
        ),
    ] = False,
    parquet: Annotated[Path | None, typer.Option(help="Also write the slice as Parquet.")] = None,
    db: DbOption = DEFAULT_STORE,
    csv: CsvOption = False,
    as_json: JsonOption = False,
) -> None:
    """Measures by area and month; small counts and what would reveal them are withheld
    (empty cells)."""
    names = [m.strip() for m in measures.split(",") if m.strip()]
    with exit_codes(), reading(db, panel=True) as atlas:
        frame = atlas.measures.panel(
            level,
            names,
            parse_month(from_month, "--from"),
            parse_month(to_month, "--to"),
            [a.strip() for a in areas.split(",")] if areas else None,
            bounds,
        )
        if parquet:
            frame.write_parquet(parquet)
        print_frame(
            for_output(frame),
            csv=csv,
            json=as_json,
            title=f"{level} panel",
            heading=("area_name", "month"),
        )


def list_measures(csv: CsvOption = False, as_json: JsonOption = False) -> None:
    """Every measure, with its plain-language definition."""
    from sanctuary_atlas.measures.definitions import definitions

    frame = pl.DataFrame(definitions())
    with exit_codes():
        if csv or as_json:
            print_frame(frame, csv=csv, json=as_json)
            return
        # one record per measure: its name and kind, then the label and the definition wrapped
        print_frame(frame, title="Measures", records=True, heading=("measure", "kind"))


def load_detention_command(
    headcount: Annotated[Path, typer.Argument(help="Daily headcount by facility (csv.gz).")],
    facilities: Annotated[Path, typer.Argument(help="Facility list placing each facility.")],
    db: DbOption = DEFAULT_STORE,
) -> None:
    """Load the detention population (UWCHR daily headcount) and its facility list."""
    with exit_codes(), writing(db) as atlas:
        done = atlas.load_detention(headcount, facilities)
    console.print(
        f"detention: {done.status}; {done.headcount_rows:,} facility-days, {done.facilities:,} "
        f"facilities ({done.facilities_without_county} not placed in a county)."
    )
