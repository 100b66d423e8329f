"""The root Typer app; each command family lives in its own module and registers here."""

from __future__ import annotations

import sys

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
    from sanctuary_atlas.cli import analysis, build, events, measures  # noqa: F401
    from sanctuary_atlas.cli.geography import geography_app
    from sanctuary_atlas.cli.policies import policies_app
    from sanctuary_atlas.cli.report import report_command
    from sanctuary_atlas.cli.web import serve

    app.add_typer(geography_app, name="geography")
    app.add_typer(policies_app, name="policies")
    app.command("serve")(serve)
    app.command("report")(report_command)

    try:
        # without standalone mode, a typer.Exit comes back as the return value
        code = app(standalone_mode=False)
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        raise SystemExit(1) from None
    except typer.TyperException as exc:  # usage errors: a user error, exit 1
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    raise SystemExit(code if isinstance(code, int) else 0)
