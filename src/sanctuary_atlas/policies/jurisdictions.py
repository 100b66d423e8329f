"""Names to FIPS codes for the policy loaders, through the geography layer.

States and counties are the geography layer's tables (``load_states``, ``load_counties``);
agency and place names go to its resolver. This module only adapts them to what the policy
loaders need and caches the lookups, which repeat across 1,148 snapshots.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

from sanctuary_atlas.geography import load_counties, load_states, resolve_location

# ICE's 287(g) lists misspell state names ("PENNSLYVANIA" 2026-02-27, "WEST VIRIGINIA",
# "MCHIGAN", "UTAHJ"): a name within this similarity of exactly one state name is that state.
_STATE_SIMILARITY = 0.85


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().upper()


@cache
def _state_index() -> dict[str, tuple[str, str, str]]:
    index: dict[str, tuple[str, str, str]] = {}
    for row in load_states().iter_rows(named=True):
        state = (str(row["state_fips"]), str(row["usps"]), str(row["name"]))
        for key in state:
            index[_key(key)] = state
    return index


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
    """Every state, DC and territory as (FIPS, USPS, name), sorted by FIPS."""
    return sorted(set(_state_index().values()))


@cache
def county_index() -> dict[str, tuple[str, str]]:
    """County FIPS -> (county name, USPS)."""
    return {
        str(row["county_fips"]): (str(row["county_name"]), str(row["state"]))
        for row in load_counties().iter_rows(named=True)
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
    """The FIPS of the county ``text`` (an agency, a county or a city name) names or lies in,
    per the geography resolver; None when it resolves no county (the caller keeps the name)."""
    state = state_for(state_fips)
    if state is None or not text.strip():
        return None
    try:
        resolution = resolve_location(text, state=state[1])
    except ValueError:  # a territory the resolver's gazetteer does not cover
        return None
    if resolution.level != "county" or not resolution.county_fips:
        return None
    return str(resolution.county_fips)
