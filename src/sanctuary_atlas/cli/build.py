"""`init` (the bundled default atlas into a store, in seconds) and `build` (a full store from
the public records, in about a minute)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sanctuary_atlas.cli.app import app
from sanctuary_atlas.cli.events import DbOption
from sanctuary_atlas.cli.output import console, exit_codes
from sanctuary_atlas.store import DEFAULT_STORE


def init_store(db: Path, force: bool = False) -> None:
    """Materialise the default atlas into ``db`` and say what it holds (also used by `serve`
    when its store does not exist yet)."""
    from sanctuary_atlas.default_atlas import materialise

    done = materialise(db, replace=force)
    console.print(
        f"{done.path}: default atlas materialised in {done.seconds:.1f} s "
        f"({done.tables['panel_cells']:,} published panel cells, "
        f"{done.tables['releases']} release tables, {done.tables['policies']:,} policy entries; "
        "aggregates only, small counts withheld)"
    )


@app.command()
def init(
    db: DbOption = DEFAULT_STORE,
    force: Annotated[bool, typer.Option("--force", help="Replace the store if it exists.")] = False,
) -> None:
    """Create a store from the bundled default atlas (arrests, encounters and removals
    FY2016-2019, detention to February 2026, ICE's book-ins to March 2026, and the policy
    registry; aggregates only, no event rows). Loaders refuse such a store: `build` makes a
    full one."""
    with exit_codes():
        init_store(db, force)


@app.command()
def build(
    data: Annotated[
        Path, typer.Option("--data", help="The records folder (ice-lesa/, detention/, policies/).")
    ] = Path("../shared/data"),
    db: DbOption = DEFAULT_STORE,
) -> None:
    """Build (or bring up to date) a full store from the public records: releases, detention
    (UWCHR's headcount, the DDP's daily count), ICE's detention statistics, policies, 287(g)
    snapshots, then the disclosure-controlled panel."""
    from sanctuary_atlas.atlas import Atlas
    from sanctuary_atlas.records import build_from_records

    with exit_codes(), Atlas.open(db) as atlas:
        build_from_records(atlas, data, say=console.print)
