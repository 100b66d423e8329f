"""Commands over the analysis layer: compare, estimate, claims."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sanctuary_atlas.cli.measures import for_output
from sanctuary_atlas.cli.options import (
    CsvOption,
    DbOption,
    FromMonthOption,
    JsonOption,
    ToMonthOption,
    exit_codes,
    parse_month,
    reading,
)
from sanctuary_atlas.cli.output import console, print_frame
from sanctuary_atlas.store import DEFAULT_STORE


def compare_command(
    measure: Annotated[str, typer.Option(help="A count measure, e.g. arrests_at_large.")],
    treated: Annotated[str, typer.Option(help="Area codes or selectors (policy:KIND, surge2020).")],
    control: Annotated[str, typer.Option(help="Area codes or selectors (rest).")] = "rest",
    level: Annotated[str, typer.Option(help="aor | state | county")] = "state",
    from_month: FromMonthOption = None,
    to_month: ToMonthOption = None,
    indexed: Annotated[bool, typer.Option(help="Add an index: first month = 100.")] = False,
    db: DbOption = DEFAULT_STORE,
    csv: CsvOption = False,
    as_json: JsonOption = False,
) -> None:
    """A measure over time for a set of areas against a comparison set, from published cells."""
    with exit_codes(), reading(db, panel=True) as atlas:
        result = atlas.analysis.compare(
            measure,
            treated,
            control,
            level=level,
            start=parse_month(from_month, "--from"),
            end=parse_month(to_month, "--to"),
            indexed=indexed,
        )
        if as_json:
            typer.echo(json.dumps(result.to_dict(), indent=2, default=str))
            return
        # the value sums a count measure: a whole number; per 100k and the index to 4 decimals
        series = for_output(result.series, counts=("value",))
        if csv:
            print_frame(series, csv=True)
            return
        print_frame(
            series.rename({"suppressed_members": "withheld"}),
            title=f"{measure}: {', '.join(result.treated)} vs {len(result.control)} other area(s)",
            heading=("month", "group"),
        )
        if not result.policy_dates.is_empty():
            print_frame(
                result.policy_dates,
                title="Policy changes in the period",
                heading=("area_code", "effective_from"),
            )


def estimate_command(
    policy: Annotated[str, typer.Option(help="Policy kind, e.g. limits_detainers.")],
    measure: Annotated[str, typer.Option(help="Measure, e.g. arrests_custodial.")],
    unit: Annotated[str, typer.Option(help="state | county | aor")] = "state",
    figure: Annotated[Path | None, typer.Option(help="Write the event-study PNG here.")] = None,
    db: DbOption = DEFAULT_STORE,
    as_json: JsonOption = False,
) -> None:
    """The effect of a policy's adoption on a measure (staggered difference-in-differences)."""
    with exit_codes(), reading(db, panel=True) as atlas:
        effect = atlas.analysis.estimate(policy, measure, unit)
        if figure:
            effect.figure(figure)
        if as_json:
            typer.echo(json.dumps(effect.to_dict(), indent=2, default=str))
        else:
            console.print(effect.summary(), highlight=False)


def claims_command(
    db: DbOption = DEFAULT_STORE,
    as_json: JsonOption = False,
) -> None:
    """Claims from public debate, checked against the record: what it shows, what it cannot."""
    with exit_codes(), reading(db, panel=True) as atlas:
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
