"""What the banner lines above a release's header say about it: title, FOIA number, fiscal year,
period covered, and whether the release is limited to one program or one AOR.

Some releases state their period only here: the Seattle workbook's arrest and encounter sheets
carry no usable date column, and its FY2018 sheets say "FY2018 YTD ... through 04/27/2018".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sanctuary_atlas.geography.aors import AOR_CODES

_FOIA = re.compile(r"(?<![0-9])(\d{4}-ICFO-\d+)(?![0-9])", re.IGNORECASE)
_FISCAL_YEAR = re.compile(r"\bFY\s?(\d{4})\b", re.IGNORECASE)
_DATE = r"(\d{1,2}/\d{1,2}/\d{4})"
_RANGE = re.compile(_DATE + r"\s*-\s*" + _DATE)
_THROUGH = re.compile(r"\bthrough\s+" + _DATE, re.IGNORECASE)
# "Criminal Area Program" is ICE's own typo in the FY2018 Seattle titles.
_CAP = re.compile(r"criminal (?:alien|area) program|\bCAP\b", re.IGNORECASE)
_AOR_NAMED = re.compile(
    r"\bin the ([A-Z][A-Za-z. ]+?) (?:AOR|Area of Responsibility)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Banner:
    title: str | None
    foia_number: str | None
    fiscal_year: int | None
    coverage_start: date | None
    coverage_end: date | None
    coverage_stated: bool
    program: str  # 'all' or 'CAP'
    aor_named: str | None  # AOR code when the banner limits the release to one AOR


def _us_date(text: str) -> date:
    return datetime.strptime(text, "%m/%d/%Y").date()


def fiscal_year_bounds(fiscal_year: int) -> tuple[date, date]:
    """Federal fiscal year N runs from 1 October N-1 to 30 September N."""
    return date(fiscal_year - 1, 10, 1), date(fiscal_year, 9, 30)


def parse_banner(lines: Sequence[str], file_name: str = "") -> Banner:
    """Read the banner lines (non-empty cells above the header, in order)."""
    text = " | ".join(line.strip() for line in lines if line.strip())
    # The title is the last banner line before the header ("ERO Encounters for FY2016").
    title = next((line.strip() for line in reversed(lines) if line.strip()), None)
    foia = _FOIA.search(text) or _FOIA.search(file_name)
    year_match = _FISCAL_YEAR.search(title or text)
    fiscal_year = int(year_match.group(1)) if year_match else None

    start: date | None = None
    end: date | None = None
    stated = False
    if (found := _RANGE.search(text)) is not None:
        start, end, stated = _us_date(found.group(1)), _us_date(found.group(2)), True
    elif (found := _THROUGH.search(text)) is not None and fiscal_year:
        start, end, stated = fiscal_year_bounds(fiscal_year)[0], _us_date(found.group(1)), True
    elif fiscal_year:
        start, end = fiscal_year_bounds(fiscal_year)

    aor_named = None
    if (named := _AOR_NAMED.search(text)) is not None:
        aor_named = AOR_CODES.get(named.group(1).strip().title().replace("St ", "St. "))
    program = "CAP" if _CAP.search(text) else "all"
    return Banner(
        title=title,
        foia_number=foia.group(1).upper() if foia else None,
        fiscal_year=fiscal_year,
        coverage_start=start,
        coverage_end=end,
        coverage_stated=stated,
        program=program,
        aor_named=aor_named,
    )
