"""Names to FIPS codes for the policy loaders, behind two small functions.

The geography layer (issue 3) owns states, counties and the location resolver. Until it is in
the package, states come from the short table below (FIPS codes from the Census Bureau's
ANSI/FIPS state list) and counties are left unresolved (``None``) rather than matched by a
second, private county matcher. When ``sanctuary_atlas.geography`` offers ``load_states`` and
``resolve_location``, both functions use them.
"""

from __future__ import annotations

import difflib
import importlib
import re
from collections.abc import Callable
from functools import cache
from typing import Any, cast

# (FIPS, USPS, name). Source: U.S. Census Bureau, "ANSI/FIPS codes: states".
_FALLBACK_STATES: tuple[tuple[str, str, str], ...] = (
    ("01", "AL", "Alabama"), ("02", "AK", "Alaska"), ("04", "AZ", "Arizona"),
    ("05", "AR", "Arkansas"), ("06", "CA", "California"), ("08", "CO", "Colorado"),
    ("09", "CT", "Connecticut"), ("10", "DE", "Delaware"), ("11", "DC", "District of Columbia"),
    ("12", "FL", "Florida"), ("13", "GA", "Georgia"), ("15", "HI", "Hawaii"),
    ("16", "ID", "Idaho"), ("17", "IL", "Illinois"), ("18", "IN", "Indiana"),
    ("19", "IA", "Iowa"), ("20", "KS", "Kansas"), ("21", "KY", "Kentucky"),
    ("22", "LA", "Louisiana"), ("23", "ME", "Maine"), ("24", "MD", "Maryland"),
    ("25", "MA", "Massachusetts"), ("26", "MI", "Michigan"), ("27", "MN", "Minnesota"),
    ("28", "MS", "Mississippi"), ("29", "MO", "Missouri"), ("30", "MT", "Montana"),
    ("31", "NE", "Nebraska"), ("32", "NV", "Nevada"), ("33", "NH", "New Hampshire"),
    ("34", "NJ", "New Jersey"), ("35", "NM", "New Mexico"), ("36", "NY", "New York"),
    ("37", "NC", "North Carolina"), ("38", "ND", "North Dakota"), ("39", "OH", "Ohio"),
    ("40", "OK", "Oklahoma"), ("41", "OR", "Oregon"), ("42", "PA", "Pennsylvania"),
    ("44", "RI", "Rhode Island"), ("45", "SC", "South Carolina"), ("46", "SD", "South Dakota"),
    ("47", "TN", "Tennessee"), ("48", "TX", "Texas"), ("49", "UT", "Utah"),
    ("50", "VT", "Vermont"), ("51", "VA", "Virginia"), ("53", "WA", "Washington"),
    ("54", "WV", "West Virginia"), ("55", "WI", "Wisconsin"), ("56", "WY", "Wyoming"),
    ("60", "AS", "American Samoa"), ("66", "GU", "Guam"),
    ("69", "MP", "Northern Mariana Islands"), ("72", "PR", "Puerto Rico"),
    ("78", "VI", "U.S. Virgin Islands"),
)  # fmt: skip

# ICE's 287(g) lists misspell state names ("PENNSLYVANIA" 2026-02-27, "WEST VIRIGINIA",
# "MCHIGAN", "UTAHJ"): a name within this similarity of exactly one state name is that state.
_STATE_SIMILARITY = 0.85


# Where the geography layer keeps what this module asks of it: its package first (the public
# API), then the modules that define the functions today.
_GEOGRAPHY_MODULES = (
    "sanctuary_atlas.geography",
    "sanctuary_atlas.geography.reference",
    "sanctuary_atlas.geography.resolver",
)


def _geography(name: str) -> Callable[..., Any] | None:
    """A function of the geography layer, or None while that layer does not offer it."""
    for module_name in _GEOGRAPHY_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found = getattr(module, name, None)
        if callable(found):
            return cast(Callable[..., Any], found)
    return None


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().upper()


@cache
def _state_index() -> dict[str, tuple[str, str, str]]:
    states: list[tuple[str, str, str]] = list(_FALLBACK_STATES)
    load_states = _geography("load_states")
    if load_states is not None:
        frame = load_states()
        states = [(str(r["state_fips"]), str(r["usps"]), str(r["name"])) for r in _rows(frame)]
    index: dict[str, tuple[str, str, str]] = {}
    for fips, usps, name in states:
        for key in (fips, usps, name):
            index[_key(key)] = (fips, usps, name)
    return index


def _rows(frame: Any) -> list[dict[str, Any]]:
    """Rows of a Polars or pandas frame, or a list of mappings, as dicts."""
    if hasattr(frame, "to_dicts"):
        return list(frame.to_dicts())
    if hasattr(frame, "to_dict"):
        return list(frame.to_dict("records"))
    return [dict(row) for row in frame]


@cache
def state_for(text: str | None) -> tuple[str, str, str] | None:
    """(FIPS, USPS, name) for a state given by name, USPS code or FIPS; None if unknown.

    A misspelt name is accepted when it is close to exactly one state name.
    """
    if text is None or not text.strip():
        return None
    index = _state_index()
    key = _key(text)
    if key in index:
        return index[key]
    names = [name.upper() for _, _, name in set(index.values())]
    close = difflib.get_close_matches(key, names, n=2, cutoff=_STATE_SIMILARITY)
    return index[close[0]] if len(close) == 1 else None


def all_states() -> list[tuple[str, str, str]]:
    """Every known state as (FIPS, USPS, name), sorted by FIPS."""
    return sorted(set(_state_index().values()))


@cache
def county_index() -> dict[str, tuple[str, str]]:
    """County FIPS -> (county name, USPS), from the geography layer; empty while it is absent."""
    load_counties = _geography("load_counties")
    if load_counties is None:
        return {}
    return {
        str(row["county_fips"]): (str(row["county_name"]), str(row["state"]))
        for row in _rows(load_counties())
    }


def _county_key(name: str) -> str:
    return _key(name).removesuffix(" COUNTY").removesuffix(" PARISH")


@cache
def _counties_by_name() -> dict[tuple[str, str], str]:
    return {
        (fips[:2], _county_key(county_name)): fips
        for fips, (county_name, _) in county_index().items()
    }


def county_by_name(name: str, state_fips: str) -> str | None:
    """The FIPS of the county named exactly ``name`` ("Cook County", "Cook") in a state."""
    return _counties_by_name().get((state_fips, _county_key(name)))


@cache
def county_fips_for(text: str, state_fips: str) -> str | None:
    """The FIPS code of the county ``text`` names or lies in, or None.

    Resolved by the geography layer's resolver only; None while that layer is absent or when it
    is not confident (the caller keeps the name, so nothing is lost).
    """
    resolve = _geography("resolve_location")
    state = state_for(state_fips)
    if resolve is None or state is None or not text.strip():
        return None
    try:
        resolution = resolve(text, state=state[1])
    except (LookupError, ValueError):
        return None
    if resolution is None or getattr(resolution, "level", "county") != "county":
        return None
    county = getattr(resolution, "county_fips", None)
    return str(county) if county else None
