"""County -> AOR crosswalk, and the states each AOR covers (whole or split).

Built from the Deportation Data Project's ice-areas-of-responsibility.csv (state rows, and
county rows for the split states California, New York and Texas); see SOURCES.md for the one
office it names that is not an AOR (Harlingen).
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from sanctuary_atlas.geography.aors import AOR_CODES, HQ_CODE, aor_code
from sanctuary_atlas.geography.reference import load_aor_states, load_counties, load_states

_FIPS = re.compile(r"^\d{5}$")


class UnknownCountyError(ValueError):
    """A county FIPS code that is malformed or names no county."""


class CrosswalkGapError(ValueError):
    """Counties that the crosswalk leaves without exactly one AOR."""


def check_county_fips(fips: str) -> str:
    """Return ``fips`` if it is a known county, else raise ``UnknownCountyError``."""
    if not isinstance(fips, str) or not _FIPS.match(fips):
        raise UnknownCountyError(
            f"{fips!r} is not a county FIPS code: expected a 5-digit string such as '48201'"
        )
    if fips not in _aor_by_county():
        raise UnknownCountyError(f"no county has the FIPS code {fips!r}")
    return fips


def county_aor(fips: str) -> str:
    """The 3-letter AOR code of a county."""
    return _aor_by_county()[check_county_fips(fips)]


def normalize_aor(aor: str | None) -> str | None:
    """An AOR as code (``None`` for blank or HQ). Raises ``UnknownAorError`` if unknown."""
    code = aor_code(aor)
    return None if code in (None, HQ_CODE) else code


def aor_states(aor: str) -> frozenset[str]:
    """USPS codes of the states (and territories) an AOR covers, whole or in part."""
    code = normalize_aor(aor)
    return _states_by_aor().get(code or "", frozenset())


def aor_counties(aor: str) -> frozenset[str]:
    """FIPS codes of the counties an AOR covers."""
    code = normalize_aor(aor)
    return _counties_by_aor().get(code or "", frozenset())


def single_state_of_aor(aor: str) -> str | None:
    """The state an AOR lies in when it lies in exactly one (Houston -> TX), else ``None``."""
    states = aor_states(aor)
    return next(iter(states)) if len(states) == 1 else None


def split_states() -> pl.DataFrame:
    """States divided between AORs: state, aor, counties."""
    counties = load_counties()
    split = load_aor_states().filter(~pl.col("whole_state"))["state"].unique()
    return (
        counties.filter(pl.col("state").is_in(split.implode()))
        .group_by("state", "aor")
        .agg(pl.len().alias("counties"))
        .sort("state", "aor")
    )


def validate_crosswalk(counties: pl.DataFrame) -> None:
    """Raise ``CrosswalkGapError`` unless every county row has exactly one known AOR code."""
    known = set(AOR_CODES.values())
    per_county = counties.group_by("county_fips").agg(pl.col("aor").drop_nulls().unique())
    bad = per_county.filter(
        (pl.col("aor").list.len() != 1)
        | ~pl.col("aor").list.eval(pl.element().is_in(list(known))).list.all()
    )
    if bad.height:
        sample = ", ".join(bad["county_fips"].head(10).to_list())
        raise CrosswalkGapError(
            f"{bad.height} counties have no single known AOR in the crosswalk (e.g. {sample}); "
            "every county must map to exactly one of the 24 AOR codes"
        )


@cache
def _aor_by_county() -> dict[str, str]:
    counties = load_counties()
    validate_crosswalk(counties)
    return dict(zip(counties["county_fips"], counties["aor"], strict=True))


@cache
def _states_by_aor() -> dict[str, frozenset[str]]:
    table = load_aor_states()
    return {
        aor: frozenset(group["state"])
        for (aor,), group in table.group_by("aor")
        if isinstance(aor, str)
    }


@cache
def _counties_by_aor() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for fips, aor in _aor_by_county().items():
        found.setdefault(aor, set()).add(fips)
    return {aor: frozenset(fips) for aor, fips in found.items()}


def state_usps_codes() -> frozenset[str]:
    return frozenset(load_states()["usps"])
