"""The one error type for input the atlas cannot take, with where and what was expected."""

from __future__ import annotations

from pathlib import Path


class BadInputError(ValueError):
    """A release file the atlas cannot ingest. The message is one paragraph for the user:
    the file, the sheet, the row and the column when known, what was found and what was
    expected."""

    def __init__(
        self,
        path: str | Path,
        problem: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
    ):
        self.path = Path(path)
        self.problem = problem
        self.sheet = sheet
        self.row = row
        self.column = column
        self.expected = expected
        super().__init__(self._message())

    def _message(self) -> str:
        where = [f"file {self.path.name}"]
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        message = f"{', '.join(where)}: {self.problem}"
        if self.expected:
            message += f". Expected {self.expected}"
        return message + ". Nothing from this file was stored."
