"""What every command shares: the options, how a command opens the store, and the one mapping
from errors to exit codes (0 ok, 1 user error, 2 bad input)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

import sanctuary_atlas
from sanctuary_atlas.atlas import Atlas
from sanctuary_atlas.cli.output import errors
from sanctuary_atlas.geography.api import GeographyInputError
from sanctuary_atlas.measures.areas import UnknownAreaError
from sanctuary_atlas.policies.dhs_list import DhsListFileError
from sanctuary_atlas.policies.ingest_287g import NoSnapshotsError
from sanctuary_atlas.policies.secure_communities import SecureCommunitiesFileError
from sanctuary_atlas.policies.sheets_287g import SnapshotReadError
from sanctuary_atlas.policies.validate import PolicyValidationError
from sanctuary_atlas.releases.errors import BadInputError
from sanctuary_atlas.store import StoreError, StoreOutdatedError

EXIT_OK, EXIT_USER_ERROR, EXIT_BAD_INPUT = 0, 1, 2

DbOption = Annotated[Path, typer.Option("--db", help="The atlas store (a DuckDB file).")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
FromMonthOption = Annotated[str | None, typer.Option("--from", help="First month, YYYY-MM.")]
ToMonthOption = Annotated[str | None, typer.Option("--to", help="Last month, YYYY-MM.")]

# Checked in order: the first matching row decides the label and the exit code.
_EXIT_CODES: tuple[tuple[tuple[type[BaseException], ...], str, int], ...] = (
    (
        (
            BadInputError,
            PolicyValidationError,
            SnapshotReadError,
            NoSnapshotsError,
            SecureCommunitiesFileError,
            DhsListFileError,
            GeographyInputError,
            UnicodeDecodeError,
        ),
        "bad input",
        EXIT_BAD_INPUT,
    ),
    ((UnknownAreaError,), "unknown area", EXIT_BAD_INPUT),
    (
        (LookupError, FileNotFoundError, FileExistsError, StoreError, ValueError),
        "error",
        EXIT_USER_ERROR,
    ),
)


@contextmanager
def exit_codes() -> Iterator[None]:
    """Map errors to the documented exit codes, with a message on stderr that says what to do;
    anything else is a bug and keeps its traceback."""
    try:
        yield
    except Exception as exc:
        for kinds, label, code in _EXIT_CODES:
            if isinstance(exc, kinds):
                # a KeyError's str() quotes its message: show the message itself
                message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
                errors.print(f"[bold red]{label}:[/] {message}", highlight=False)
                raise typer.Exit(code) from exc
        raise


def user_error(message: str) -> typer.Exit:
    """A user error found by the command itself (a missing or contradictory option)."""
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(EXIT_USER_ERROR)


@contextmanager
def reading(db: Path, *, panel: bool = False) -> Iterator[Atlas]:
    """The store opened read-only, so that the command works while `serve` (or another reader)
    has it open. A store that must change first (an older schema to migrate, or, with
    ``panel``, a panel to rebuild after new releases) is opened for writing just for that."""
    bring_up_to_date(db, panel=panel)
    with sanctuary_atlas.open(db, read_only=True) as atlas:
        yield atlas


def bring_up_to_date(db: Path, *, panel: bool) -> None:
    """Migrate an older store, and (with ``panel``) rebuild a panel older than the store's
    releases; a store already up to date is only read, so this works while others read it."""
    if _must_change(db, panel):
        with sanctuary_atlas.open(db) as atlas:
            if panel:
                atlas.measures.ensure_panel()


def _must_change(db: Path, panel: bool) -> bool:
    try:
        with sanctuary_atlas.open(db, read_only=True) as atlas:
            return panel and not atlas.measures.panel_is_current()
    except StoreOutdatedError:
        return True


@contextmanager
def writing(db: Path) -> Iterator[Atlas]:
    """The store opened for writing (created if it does not exist yet)."""
    with sanctuary_atlas.open(db) as atlas:
        yield atlas


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
