"""Reference geography: states, counties, ICE Areas of Responsibility, location resolution.

Public API::

    from sanctuary_atlas.geography import resolve_location, load_counties
    resolve_location("SNOHOMISH COUNTY JAIL", aor="SEA")
    # Resolution(county_fips='53061', state='WA', level='county', match_kind='named_county', ...)
"""

from __future__ import annotations

from sanctuary_atlas.geography.aors import UnknownAorError, aor_code
from sanctuary_atlas.geography.api import GeographyAPI, GeographyInputError
from sanctuary_atlas.geography.coverage import resolution_coverage, resolve_store_locations
from sanctuary_atlas.geography.crosswalk import (
    CrosswalkGapError,
    UnknownCountyError,
    check_county_fips,
    county_aor,
)
from sanctuary_atlas.geography.reference import load_aors, load_counties, load_states
from sanctuary_atlas.geography.resolver import Resolution, resolve_location

__all__ = [
    "CrosswalkGapError",
    "GeographyAPI",
    "GeographyInputError",
    "Resolution",
    "UnknownAorError",
    "UnknownCountyError",
    "aor_code",
    "check_county_fips",
    "county_aor",
    "load_aors",
    "load_counties",
    "load_states",
    "resolution_coverage",
    "resolve_location",
    "resolve_store_locations",
]
