"""Query parameters shared by the API and the pages, and the errors they answer with.

Errors use FastAPI's own shape (``{"detail": [{"loc": [...], "msg": ...}]}``) so that a
client reads a parameter FastAPI rejected and one this module rejected the same way.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import HTTPException, Query

from sanctuary_atlas.web.service import AtlasView, TooLargeError, month_count

# A month as YYYY-MM. Year 0000 does not exist (Python's dates begin in year 1): the pattern
# refuses it, so that the API answers 422 and the OpenAPI document says so.
MONTH_PATTERN = r"^(\d{3}[1-9]|\d{2}[1-9]\d|\d[1-9]\d{2}|[1-9]\d{3})-(0[1-9]|1[0-2])$"
MONTH_MESSAGE = "not a month: give one as YYYY-MM, from 0001-01 (e.g. 2019-01)"


class Level(StrEnum):
    nation = "nation"
    aor = "aor"
    state = "state"
    county = "county"


LevelQuery = Annotated[Level, Query(description="nation, aor, state or county")]
MonthQuery = Annotated[
    str | None, Query(pattern=MONTH_PATTERN, description="a month as YYYY-MM", examples=["2019-01"])
]


def invalid(parameter: str, message: str, status: int = 422) -> HTTPException:
    return HTTPException(
        status_code=status,
        detail=[{"loc": ["query", parameter], "msg": message, "type": "value_error"}],
    )


def parse_month(text: str | None) -> date | None:
    if text is None:
        return None
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def month_range(
    view: AtlasView, measures: list[str], start: str | None, end: str | None
) -> tuple[date, date]:
    """The months asked for, clipped to the months the measures' releases cover."""
    first, last = parse_month(start), parse_month(end)
    if first and last and first > last:
        raise invalid("start", f"start {start} is after end {end}")
    covered = [month for name in measures for month in view.months(name)]
    if not covered:
        raise invalid("measure", "no release covers these measures")
    low, high = min(covered), max(covered)
    first, last = max(first or low, low), min(last or high, high)
    if first > last:
        raise invalid(
            "start",
            f"no data between {start or '...'} and {end or '...'}; "
            f"the measures cover {low:%Y-%m} to {high:%Y-%m}",
        )
    return first, last


def checked_measures(view: AtlasView, measures: list[str]) -> list[str]:
    if not measures:
        raise invalid("measure", "give at least one measure")
    unknown = [m for m in measures if m not in view.measure_by_name]
    if unknown:
        raise invalid(
            "measure",
            f"unknown measure(s) {', '.join(unknown)}; see /api/measures for the known ones",
        )
    return list(dict.fromkeys(measures))


def checked_size(
    view: AtlasView, level: str, areas: list[str] | None, first: date, last: date, measures: int
) -> None:
    try:
        view.check_size(level, len(areas) if areas else None, month_count(first, last), measures)
    except TooLargeError as exc:
        raise HTTPException(status_code=413, detail=str(exc)) from None


BoundsQuery = Annotated[
    bool,
    Query(
        description="State and county level: add <measure>_upper (the count plus the events "
        "placed in no state or county that could lie there) and <measure>_coverage for each "
        "count placed down to the county."
    ),
]
