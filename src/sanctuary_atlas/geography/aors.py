"""ICE ERO Areas of Responsibility: the one definition of AOR names and 3-letter codes.

Codes follow ``aor_codes.yaml`` of the public reference data (Deportation Data Project and
UWCHR use the same codes). ICE spells AORs out in its releases ("Houston Area of
Responsibility"); every reader maps them here, never on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# field office city -> code. Source: ../shared/data/reference/aor_codes.yaml
AOR_CODES: dict[str, str] = {
    "Atlanta": "ATL",
    "Baltimore": "BAL",
    "Boston": "BOS",
    "Buffalo": "BUF",
    "Chicago": "CHI",
    "Dallas": "DAL",
    "Denver": "DEN",
    "Detroit": "DET",
    "El Paso": "ELP",
    "Houston": "HOU",
    "Los Angeles": "LOS",
    "Miami": "MIA",
    "Newark": "NEW",
    "New Orleans": "NOL",
    "New York City": "NYC",
    "Philadelphia": "PHI",
    "Phoenix": "PHO",
    "Seattle": "SEA",
    "San Francisco": "SFR",
    "Salt Lake City": "SLC",
    "San Antonio": "SNA",
    "San Diego": "SND",
    "St. Paul": "SPM",
    "Washington": "WAS",
}

# ICE headquarters appears as an AOR in the releases; it is not a place. Kept distinct from a
# blank AOR, which means the release did not say.
HQ_CODE = "HQ"

_SUFFIX = re.compile(r"\s*(area of responsibility|aor|field office)\s*$", re.IGNORECASE)
_BY_KEY: dict[str, str] = {name.lower(): code for name, code in AOR_CODES.items()}
_BY_KEY.update({code.lower(): code for code in AOR_CODES.values()})
_BY_KEY.update({"hq": HQ_CODE, "headquarters": HQ_CODE, "new york": "NYC", "saint paul": "SPM"})


class UnknownAorError(ValueError):
    """An AOR name that matches no known ICE field office."""


@dataclass(frozen=True)
class AorName:
    code: str
    city: str


def aor_code(name: str | None) -> str | None:
    """Return the 3-letter code for an AOR as ICE spells it, ``None`` for a blank one.

    Raises ``UnknownAorError`` for a name that is not blank and matches no AOR: a silent guess
    would put events in the wrong place.
    """
    if name is None:
        return None
    stripped = name.strip()
    if not stripped:
        return None
    key = _SUFFIX.sub("", stripped).strip().lower()
    try:
        return _BY_KEY[key]
    except KeyError:
        raise UnknownAorError(
            f"unknown Area of Responsibility {name!r}; expected one of "
            f"{', '.join(sorted(AOR_CODES))} (optionally followed by 'Area of Responsibility'), "
            "or 'HQ'"
        ) from None


def all_aors() -> list[AorName]:
    """The 24 field-office AORs, ordered by code."""
    return sorted((AorName(code, city) for city, code in AOR_CODES.items()), key=lambda a: a.code)
