"""The root Typer app. Every command is registered here, by name, from the module of its family;
no command module imports this one, so the CLI modules form no import circle."""

from __future__ import annotations

import sys

import typer

from sanctuary_atlas.cli.analysis import claims_command, compare_command, estimate_command
from sanctuary_atlas.cli.build import build, init
from sanctuary_atlas.cli.events import ingest, prefer, releases, sql, summary
from sanctuary_atlas.cli.geography import geography_app
from sanctuary_atlas.cli.measures import list_measures, load_detention_command, panel
from sanctuary_atlas.cli.policies import policies_app
from sanctuary_atlas.cli.report import report_command
from sanctuary_atlas.cli.web import serve

app = typer.Typer(
    name="sanctuary-atlas",
    help="An atlas of ICE enforcement and local cooperation policies, from public records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# In the order of `--help`: make a store, fill it, read it, publish it.
app.command("init")(init)
app.command("build")(build)
app.command("ingest")(ingest)
app.command("load-detention")(load_detention_command)
app.command("prefer")(prefer)
app.command("releases")(releases)
app.command("summary")(summary)
app.command("sql")(sql)
app.command("measures")(list_measures)
app.command("panel")(panel)
app.command("compare")(compare_command)
app.command("estimate")(estimate_command)
app.command("claims")(claims_command)
app.command("report")(report_command)
app.command("serve")(serve)
app.add_typer(policies_app, name="policies")
app.add_typer(geography_app, name="geography")


def main() -> None:
    """Entry point. Usage errors exit 1 (a user error), as documented; bad input exits 2."""
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
