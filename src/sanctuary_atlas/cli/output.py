"""Printing frames: CSV or JSON for programs; for people, a table that fits the terminal, or one
record per entry when it cannot (a date or a figure is never cut to "2011-0…")."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, datetime

import polars as pl
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

console = Console()
errors = Console(stderr=True)

# A text column narrower than this reads as a column of fragments: show records instead.
_MIN_TEXT_WIDTH = 12
_LONGEST_CODE = 32


def flat(frame: pl.DataFrame) -> pl.DataFrame:
    """List columns as space-separated text, so every output format can hold them."""
    lists = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    return frame.with_columns(
        pl.col(name).cast(pl.List(pl.String)).list.join(" ") for name in lists
    )


def print_frame(
    frame: pl.DataFrame,
    *,
    csv: bool = False,
    json: bool = False,
    title: str | None = None,
    records: bool = False,
    heading: Sequence[str] = (),
) -> None:
    """``frame`` as CSV, JSON (one object per row; null stays null), or for people: a table
    if every date and figure fits whole in the terminal, else one record per row (and always
    with ``records``), each headed by its ``heading`` columns."""
    if csv and json:
        raise ValueError("give --csv or --json, not both")
    if json:
        sys.stdout.write(frame.write_json() + "\n")
        return
    frame = flat(frame)
    if csv:
        sys.stdout.write(frame.write_csv())
        return
    cells = _cells(frame)
    if records or not _fits(frame, cells):
        _print_records(frame, title=title, heading=heading, cells=cells)
        return
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    for name, dtype in frame.schema.items():
        if _wraps(dtype, cells[name]):
            table.add_column(name, overflow="fold", min_width=_MIN_TEXT_WIDTH)
        else:  # figures, dates and codes are never wrapped nor cut
            width = max([len(name), *(len(c) for c in cells[name])])
            table.add_column(
                name,
                justify="right" if dtype.is_numeric() else "left",
                no_wrap=True,
                min_width=width,
            )
    for row in zip(*(cells[name] for name in frame.columns), strict=True):
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)


def _print_records(
    frame: pl.DataFrame,
    *,
    title: str | None = None,
    heading: Sequence[str] = (),
    cells: dict[str, list[str]] | None = None,
) -> None:
    """One block per row: the ``heading`` columns on one line, then each other column as
    'name  value', long values wrapped under their value."""
    cells = cells or _cells(flat(frame))
    if title:
        console.print(Text(title, style="bold"))
    shown = [name for name in frame.columns if name not in heading]
    for index in range(frame.height):
        console.print()
        if heading:
            line = " · ".join(cells[name][index] for name in heading if cells[name][index])
            console.print(Text(line, style="bold"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, style="dim")
        grid.add_column(overflow="fold")
        for name in shown:  # an empty cell (withheld, not known) shows as a dash, never as 0
            grid.add_row(name, Text(cells[name][index] or "—"))
        console.print(grid, highlight=False)


def _cells(frame: pl.DataFrame) -> dict[str, list[str]]:
    """Each value as shown: thousands separated, a column of decimals to one precision."""
    plain = {n for n in frame.columns if "year" in n or n.endswith("id")}  # not "2,016"
    shown: dict[str, list[str]] = {}
    for name, dtype in frame.schema.items():
        column = frame.get_column(name)
        if dtype.is_float():
            decimals = _decimals(column)
            shown[name] = [
                "" if v is None or v != v else f"{v:,.{decimals}f}" for v in column.to_list()
            ]
        else:
            shown[name] = [_cell(value, name in plain) for value in column.to_list()]
    return shown


def _decimals(column: pl.Series) -> int:
    """Four decimals for shares and small rates, fewer as the figures grow."""
    largest = column.abs().max()
    if not isinstance(largest, float) or largest < 10:
        return 4
    return 2 if largest < 1000 else 0


def _wraps(dtype: pl.DataType, cells: list[str]) -> bool:
    """Text wraps; figures, dates and codes (text without spaces: FIPS codes, kinds) do not."""
    is_text = dtype == pl.String or dtype == pl.Categorical
    return is_text and any(" " in cell or len(cell) > _LONGEST_CODE for cell in cells)


def _fits(frame: pl.DataFrame, cells: dict[str, list[str]]) -> bool:
    """Whether a table with every figure and date whole, and every text column at least
    ``_MIN_TEXT_WIDTH`` wide, fits the terminal (two spaces between columns)."""
    needed = 2 * max(frame.width - 1, 0)
    for name, dtype in frame.schema.items():
        if _wraps(dtype, cells[name]):
            needed += _MIN_TEXT_WIDTH
        else:
            needed += max([len(name), *(len(c) for c in cells[name])])
    return needed <= console.width


def _cell(value: object, plain: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and not plain:
        return f"{value:,}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
