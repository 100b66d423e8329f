"""Checks on user SQL. The CLI's ``sql`` opens the store read-only as well; this check gives a
clear message before DuckDB would, and keeps one statement per call."""

from __future__ import annotations

import re

_ALLOWED_START = re.compile(
    r"^\s*(\(\s*)*(select|with|from|describe|show|summarize|pivot)\b", re.IGNORECASE
)


class UnsafeQueryError(ValueError):
    """A query that is not a single read-only statement."""


def read_only_query(query: str) -> str:
    stripped = query.strip().rstrip(";").strip()
    if not stripped:
        raise UnsafeQueryError("the query is empty; expected one SELECT statement")
    if ";" in stripped:
        raise UnsafeQueryError("only one statement per call; remove the ';' between statements")
    if not _ALLOWED_START.match(stripped):
        raise UnsafeQueryError(
            "only read-only queries (SELECT / WITH / FROM / DESCRIBE / SHOW / SUMMARIZE) "
            f"are accepted, got: {stripped.split()[0]!r}"
        )
    return stripped
