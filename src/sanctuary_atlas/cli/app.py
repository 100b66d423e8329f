"""The root Typer app; each command family lives in its own module and registers here."""

from __future__ import annotations

import click
import typer

app = typer.Typer(
    name="sanctuary-atlas",
    help="An atlas of ICE enforcement and local cooperation policies, from public records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def main() -> None:
    """Entry point. Usage errors exit 1 (a user error), as documented; bad input exits 2."""
    # Imported for their side effect of registering commands on ``app``.
    from sanctuary_atlas.cli import events  # noqa: F401

    try:
        app(standalone_mode=False)
    except click.exceptions.Abort:
        raise SystemExit(1) from None
    except click.exceptions.ClickException as exc:
        exc.show()
        raise SystemExit(1) from None
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
