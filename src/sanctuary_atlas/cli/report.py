"""The report command: one self-contained HTML file for an area, or for the claim checks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sanctuary_atlas.cli.options import (
    DbOption,
    FromMonthOption,
    ToMonthOption,
    exit_codes,
    parse_month,
    reading,
)
from sanctuary_atlas.cli.output import console
from sanctuary_atlas.report import (
    Period,
    build_area_report,
    build_claims_report,
    resolve_area,
)
from sanctuary_atlas.store import DEFAULT_STORE

CLAIMS = "claims"


def report_command(
    area: Annotated[
        str,
        typer.Argument(
            help="An area code or name at any level ('06037', 'Los Angeles County, CA', 'CA', "
            "'LOS', 'US'), or 'claims' for the claim checks."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")],
    compare: Annotated[
        list[str] | None, typer.Option("--compare", help="Another area for the charts.")
    ] = None,
    measure: Annotated[
        list[str] | None,
        typer.Option(
            "--measure",
            help="Chart these measures instead of the default charts; comma-separated "
            "measures share one chart (repeatable).",
        ),
    ] = None,
    from_month: FromMonthOption = None,
    to_month: ToMonthOption = None,
    png: Annotated[
        Path | None, typer.Option("--png", help="Also write each chart as a PNG here.")
    ] = None,
    db: DbOption = DEFAULT_STORE,
) -> None:
    """A static report that opens offline: published figures, charts, map, policies, sources."""
    with exit_codes():
        # an unknown or ambiguous area exits 2 (bad input), naming the closest matches
        where = None if area == CLAIMS else resolve_area(area)
        others = [resolve_area(text) for text in compare or []]
        period = Period(parse_month(from_month, "--from"), parse_month(to_month, "--to"))
        with reading(db, panel=True) as atlas:
            if where is None:
                written = build_claims_report(atlas, out, png_dir=png)
            else:
                written = build_area_report(
                    atlas,
                    where,
                    out,
                    compare=others,
                    measures=measure,
                    period=period,
                    png_dir=png,
                )
    console.print(f"wrote {written.html} in {written.seconds:.1f} s", highlight=False)
    for path in written.pngs:
        console.print(f"wrote {path}", highlight=False)
