"""Name normalisation shared by the table builder and the location resolver.

ICE landmark text is typed by hand: mixed case, stray punctuation, "CO." for county, "ST." and
"SAINT" both used. Every comparison of place names goes through these functions so that the
bundled tables and the resolver agree on one spelling.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[^A-Z0-9&/ ]+")
_SPACES = re.compile(r"\s+")
# Census county-equivalent suffixes. Virginia's, Maryland's, Missouri's and Nevada's independent
# cities keep their " CITY" so that "Richmond city" (51760) and "Richmond County" (51159) differ.
_COUNTY_SUFFIX = re.compile(
    r"\s+(COUNTY|PARISH|BOROUGH|CENSUS AREA|CITY AND BOROUGH|MUNICIPALITY|MUNICIPIO)$"
)


def ascii_upper(text: str) -> str:
    """Upper-case ``text`` with accents removed (DOÑA ANA -> DONA ANA)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()


@lru_cache(maxsize=1 << 16)
def normalize_text(text: str) -> str:
    """Upper-case words separated by single spaces; apostrophes and dots vanish, not split.

    "PRINCE GEORGE'S CO." -> "PRINCE GEORGES CO"; "ST. LOUIS" -> "ST LOUIS".
    """
    upper = ascii_upper(text).replace("'", "").replace(".", " ").replace("-", " ")
    words = _NON_WORD.sub(" ", upper).replace("/", " / ")
    return _SPACES.sub(" ", words).strip()


def place_key(name: str) -> str:
    """The comparison key of a place name: normalised, SAINT spelt ST."""
    key = normalize_text(name)
    return re.sub(r"\bSAINT\b", "ST", key)


def county_key(county_name: str) -> str:
    """The key of a county name without its suffix ("Harris County" -> "HARRIS").

    Independent cities keep "CITY": "Baltimore city" -> "BALTIMORE CITY".
    """
    return _COUNTY_SUFFIX.sub("", place_key(county_name))
