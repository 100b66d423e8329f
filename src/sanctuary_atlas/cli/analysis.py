"""Commands over the analysis layer: compare, estimate, claims."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from sanctuary_atlas.atlas import Atlas
from sanctuary_atlas.cli.app import app
from sanctuary_atlas.cli.events import CsvOption, DbOption
from sanctuary_atlas.cli.output import console, exit_codes, parse_month, print_frame
from sanctuary_atlas.store import DEFAULT_STORE

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("compare")
def compare_command(
    measure: Annotated[str, typer.Option(help="A count measure, e.g. arrests_at_large.")],
    treated: Annotated[str, typer.Option(help="Area codes or selectors (policy:KIND, surge2020).")],
    control: Annotated[str, typer.Option(help="Area codes or selectors (rest).")] = "rest",
    level: Annotated[str, typer.Option(help="aor | state | county")] = "state",
    from_month: Annotated[str | None, typer.Option("--from", help="YYYY-MM")] = None,
    to_month: Annotated[str | None, typer.Option("--to", help="YYYY-MM")] = None,
    indexed: Annotated[bool, typer.Option(help="Add an index: first month = 100.")] = False,
    db: DbOption = DEFAULT_STORE,
    csv: CsvOption = False,
) -> None:
    """A measure over time for a set of areas against a comparison set, from published cells."""
    with exit_codes(), Atlas.open(db) as atlas:
        atlas.measures.ensure_panel()
        result = atlas.analysis.compare(
            measure,
            treated,
            control,
            level=level,
            start=parse_month(from_month, "--from"),
            end=parse_month(to_month, "--to"),
            indexed=indexed,
        )
        series = result.series.with_columns(pl.col("month").dt.strftime("%Y-%m"))
        print_frame(
            series,
            csv=csv,
            title=f"{measure}: {', '.join(result.treated)} vs {len(result.control)} other area(s)",
        )
        if not csv and not result.policy_dates.is_empty():
            print_frame(result.policy_dates, csv=False, title="Policy changes in the period")


@app.command("estimate")
def estimate_command(
    policy: Annotated[str, typer.Option(help="Policy kind, e.g. limits_detainers.")],
    measure: Annotated[str, typer.Option(help="Measure, e.g. arrests_custodial.")],
    unit: Annotated[str, typer.Option(help="state | county | aor")] = "state",
    figure: Annotated[Path | None, typer.Option(help="Write the event-study PNG here.")] = None,
    db: DbOption = DEFAULT_STORE,
    as_json: JsonOption = False,
) -> None:
    """The effect of a policy's adoption on a measure (staggered difference-in-differences)."""
    with exit_codes(), Atlas.open(db) as atlas:
        atlas.measures.ensure_panel()
        effect = atlas.analysis.estimate(policy, measure, unit)
        if figure:
            effect.figure(figure)
        if as_json:
            typer.echo(json.dumps(effect.to_dict(), indent=2, default=str))
        else:
            console.print(effect.summary(), highlight=False)


@app.command("claims")
def claims_command(
    db: DbOption = DEFAULT_STORE,
    as_json: JsonOption = False,
) -> None:
    """Claims from public debate, checked against the record: what it shows, what it cannot."""
    with exit_codes(), Atlas.open(db) as atlas:
        atlas.measures.ensure_panel()
        checks = atlas.analysis.claims()
        if as_json:
            typer.echo(json.dumps([c.to_dict() for c in checks], indent=2, default=str))
            return
        for check in checks:
            console.rule(check.key)
            console.print(f"[bold]Claim:[/] {check.claim}", highlight=False)
            console.print(f"[bold]Question:[/] {check.question}", highlight=False)
            console.print(f"[bold]Comparison:[/] {check.comparison}", highlight=False)
            for line in check.shows:
                console.print(f"  • {line}", highlight=False)
            console.print("[bold]What the data cannot show:[/]")
            for line in check.limits:
                console.print(f"  - {line}", highlight=False)
