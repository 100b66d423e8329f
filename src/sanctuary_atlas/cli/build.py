"""`init` (the bundled default atlas into a store, in seconds) and `build` (a full store from
the public records, in about a minute)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sanctuary_atlas.cli.options import DbOption, exit_codes, writing
from sanctuary_atlas.cli.output import console
from sanctuary_atlas.store import DEFAULT_STORE


def init_store(db: Path, force: bool = False) -> None:
    """Materialise the default atlas into ``db`` and say what it holds (also used by `serve`
    when its store does not exist yet)."""
    import sanctuary_atlas
    from sanctuary_atlas.default_atlas import materialise

    done = materialise(db, replace=force)
    with sanctuary_atlas.open(done.path, read_only=True) as atlas:
        stats = atlas.measures.build_stats()
    cells = int(str(stats["cells"])) if stats else done.tables["panel_cells"]
    withheld = int(str(stats["suppressed"])) if stats else 0
    console.print(
        f"{done.path}: default atlas materialised in {done.seconds:.1f} s "
        f"({cells:,} area-month cells: {cells - withheld:,} published, {withheld:,} withheld; "
        f"{done.tables['releases']} release tables, {done.tables['policies']:,} policies)"
    )


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


def build(
    data: Annotated[
        Path, typer.Option("--data", help="The records folder (ice-lesa/, detention/, policies/).")
    ] = Path("../shared/data"),
    db: DbOption = DEFAULT_STORE,
) -> None:
    """Build (or bring up to date) a full store from the public records: releases, detention
    (UWCHR's headcount, the DDP's daily count), ICE's detention statistics, policies, 287(g)
    snapshots, then the disclosure-controlled panel."""
    from sanctuary_atlas.records import build_from_records

    with exit_codes(), writing(db) as atlas:
        build_from_records(atlas, data, say=console.print)
