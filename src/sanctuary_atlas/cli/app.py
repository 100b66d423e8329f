"""The root Typer app; each command family lives in its own module and registers here."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="sanctuary-atlas",
    help="An atlas of ICE enforcement and local cooperation policies, from public records.",
    no_args_is_help=True,
    add_completion=False,
)


def main() -> None:
    # Imported for their side effect of registering commands on ``app``.
    from sanctuary_atlas.cli import events  # noqa: F401

    app()
