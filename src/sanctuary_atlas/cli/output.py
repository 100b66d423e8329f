"""Printing frames: a Rich table for people, CSV for programs; and the exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from sanctuary_atlas.releases.errors import BadInputError
from sanctuary_atlas.store import StoreError

EXIT_OK, EXIT_USER_ERROR, EXIT_BAD_INPUT = 0, 1, 2

console = Console()
errors = Console(stderr=True)


def flat(frame: pl.DataFrame) -> pl.DataFrame:
    """List columns as space-separated text, so every output format can hold them."""
    lists = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    return frame.with_columns(
        pl.col(name).cast(pl.List(pl.String)).list.join(" ") for name in lists
    )


def print_frame(frame: pl.DataFrame, *, csv: bool, title: str | None = None) -> None:
    frame = flat(frame)
    if csv:
        sys.stdout.write(frame.write_csv())
        return
    table = Table(title=title, show_lines=False)
    for name, dtype in frame.schema.items():
        table.add_column(name, justify="right" if dtype.is_numeric() else "left")
    plain = {n for n in frame.columns if "year" in n or n.endswith("id")}  # not "2,016"
    for row in frame.iter_rows(named=True):
        table.add_row(*(_cell(name, value, name in plain) for name, value in row.items()))
    console.print(table)


def parse_month(text: str | None, option: str) -> date | None:
    """A --from / --to month (YYYY-MM) as the first day of that month."""
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a month; expected YYYY-MM", param_hint=option
        ) from None


def _cell(name: str, value: object, plain: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and not plain:
        return f"{value:,}"
    return str(value)


@contextmanager
def exit_codes() -> Iterator[None]:
    """Map errors to the documented exit codes: 1 user error, 2 bad input."""
    try:
        yield
    except BadInputError as exc:
        errors.print(f"[bold red]bad input:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from exc
    except (FileNotFoundError, FileExistsError, StoreError, ValueError) as exc:
        errors.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_USER_ERROR) from exc
