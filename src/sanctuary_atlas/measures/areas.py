"""The catalogue of areas the published panel is about — a level, a code, a name — as every
reader of the atlas (the web app, the static report, the analysis, the CLI) names them.

Besides the real areas (the nation, ICE's AORs, states, counties) the panel holds remainder
areas, so that every level adds up to the nation: ``HQ`` and ``UNKNOWN`` AORs (events recorded
at headquarters, or with no AOR), ``UNASSIGNED`` (events placed in no state) and
``<USPS>-UNASSIGNED`` (a state's events placed in no county). They are bookkeeping, not places:
``is_remainder`` is the one test for them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

import polars as pl

from sanctuary_atlas.geography.aors import HQ_CODE as HQ
from sanctuary_atlas.geography.reference import (
    load_aor_states,
    load_aors,
    load_counties,
    load_states,
)

LEVELS = ("nation", "aor", "state", "county")
# Not a level of areas: per AOR, its events placed in no state (the room the bounds of its
# states and counties leave for them). Published cells under disclosure control, read by
# ``measures.bounds``; no map or page lists them as areas.
AOR_NO_STATE = "aor_no_state"
NATION = "US"
UNASSIGNED = "UNASSIGNED"

# the AOR remainder the panel builder writes for events with no AOR recorded
UNKNOWN_AOR = "UNKNOWN"

LEVEL_LABELS = {
    "nation": "Nation",
    "aor": "ICE area of responsibility",
    "state": "State",
    "county": "County",
}


class UnknownAreaError(LookupError):
    """An area the atlas does not have: a code its level lacks, or a name nothing matches."""


@dataclass(frozen=True)
class Area:
    level: str
    code: str
    name: str

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


_REMAINDER_CODES = (HQ, UNKNOWN_AOR, UNASSIGNED)
_REMAINDER_SUFFIX = "-" + UNASSIGNED


def is_remainder(code: str) -> bool:
    """Whether ``code`` is a remainder area (events the atlas could not place, or recorded at
    headquarters) rather than a place."""
    return code in _REMAINDER_CODES or code.endswith(_REMAINDER_SUFFIX)


def is_remainder_expr(column: str = "area_code") -> pl.Expr:
    """``is_remainder`` of a column of area codes, as a polars expression."""
    codes = pl.col(column)
    return codes.is_in(_REMAINDER_CODES) | codes.str.ends_with(_REMAINDER_SUFFIX)


def state_remainder(usps: str) -> str:
    """The county-level remainder area of a state: its events placed in no county."""
    return usps + _REMAINDER_SUFFIX


@cache
def area_names(level: str) -> pl.DataFrame:
    """area_code, area_name: every area of a level with its display name, remainder areas
    included."""
    if level == "nation":
        return pl.DataFrame({"area_code": [NATION], "area_name": ["United States"]})
    unplaced = pl.DataFrame({"area_code": [UNASSIGNED], "area_name": ["Not placed in a state"]})
    if level == "aor":
        aors = load_aors().select(
            pl.col("code").alias("area_code"), pl.col("name").alias("area_name")
        )
        extra = pl.DataFrame(
            {"area_code": [HQ, UNKNOWN_AOR], "area_name": ["ICE headquarters", "AOR not recorded"]}
        )
        return pl.concat([aors, extra])
    states = load_states().select(
        pl.col("usps").alias("area_code"), pl.col("name").alias("area_name")
    )
    if level == "state":
        return pl.concat([states, unplaced])
    counties = load_counties().select(
        pl.col("county_fips").alias("area_code"),
        (pl.col("county_name") + ", " + pl.col("state")).alias("area_name"),
    )
    remainders = states.select(
        (pl.col("area_code") + "-" + UNASSIGNED).alias("area_code"),
        (pl.col("area_name") + ": not placed in a county").alias("area_name"),
    )
    return pl.concat([counties, remainders, unplaced])


def _key(text: str) -> str:
    return " ".join(text.lower().replace(",", " ").split())


class AreaCatalogue:
    """Every area of every level: look-up by code, search, resolution of a code or a name, and
    the areas that enclose an area. The tables are the bundled reference files, so one
    catalogue serves every atlas (``catalogue()``)."""

    def __init__(self) -> None:
        self._by_level: dict[str, dict[str, Area]] = {
            level: {
                code: Area(level, code, name)
                for code, name in area_names(level).select("area_code", "area_name").iter_rows()
            }
            for level in LEVELS
        }
        counties = load_counties()
        self._county_state = dict(counties.select("county_fips", "state").iter_rows())
        self._county_aor = dict(counties.select("county_fips", "aor").iter_rows())
        # the same table the bounds use: territories with no county list (Guam) have AORs too
        self._state_aors: dict[str, tuple[str, ...]] = {
            state: tuple(sorted(aors))
            for state, aors in load_aor_states()
            .group_by("state")
            .agg(pl.col("aor").unique())
            .iter_rows()
        }

    def areas(self, level: str) -> list[Area]:
        """Every area of ``level``, remainder areas included."""
        return list(self._level(level).values())

    def codes(self, level: str) -> frozenset[str]:
        return frozenset(self._level(level))

    def places(self) -> list[Area]:
        """Every real area of every level, nation first: no remainder area."""
        return [
            a
            for level in LEVELS
            for a in self._by_level[level].values()
            if not is_remainder(a.code)
        ]

    def area(self, level: str, code: str) -> Area:
        found = self._level(level).get(code)
        if found is None:
            raise UnknownAreaError(f"no {level} area with code {code!r}")
        return found

    def _level(self, level: str) -> dict[str, Area]:
        found = self._by_level.get(level)
        if found is None:
            raise UnknownAreaError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
        return found

    def search(self, text: str, level: str | None = None, limit: int = 50) -> list[Area]:
        """Areas whose name contains ``text`` or whose code is ``text`` (case-insensitive),
        remainder areas included; best match first."""
        wanted = text.strip().lower()
        found: list[tuple[int, Area]] = []
        for lvl in [level] if level else LEVELS:
            for area in self._level(lvl).values():
                lowered = area.name.lower()
                if wanted and wanted not in lowered and wanted != area.code.lower():
                    continue
                rank = 0 if area.code.lower() == wanted or lowered.startswith(wanted) else 1
                found.append((rank, area))
        found.sort(key=lambda item: (item[0], LEVELS.index(item[1].level), item[1].name))
        return [area for _, area in found[:limit]]

    def resolve(self, text: str) -> Area:
        """A place from its code (``06037``, ``CA``, ``LOS``, ``US``) or its name ("Los Angeles
        County, CA", "California", "Los Angeles Area of Responsibility"); a part of a name is
        enough when exactly one area has it. Otherwise ``UnknownAreaError`` naming the closest
        matches."""
        wanted = _key(text)
        places = self.places()
        for match in (
            lambda a: a.code.lower() == wanted,
            lambda a: _key(a.name) == wanted,
            lambda a: _key(a.name).startswith(wanted + " area of responsibility"),
        ):
            found = [a for a in places if match(a)]
            if len(found) == 1:
                return found[0]
        partial = [a for a in places if wanted and wanted in _key(a.name)]
        if len(partial) == 1:
            return partial[0]
        raise UnknownAreaError(self._unknown_message(text, partial, places))

    @staticmethod
    def _unknown_message(text: str, partial: list[Area], places: list[Area]) -> str:
        if partial:
            candidates = partial[:8]
            lead = f"{text!r} names {len(partial)} areas; say which"
        else:
            by_key = {_key(a.name): a for a in places}
            close = difflib.get_close_matches(_key(text), list(by_key), n=5, cutoff=0.6)
            candidates = [by_key[k] for k in close]
            lead = f"unknown area {text!r}"
        if not candidates:
            return (
                f"{lead}: give a county FIPS code ('06037') or name ('Los Angeles County, CA'), "
                "a state ('CA', 'California'), an ICE AOR code ('LOS') or 'US'"
            )
        listed = "; ".join(f"{a.name} ({a.code})" for a in candidates)
        return f"{lead}. Did you mean: {listed}?"

    def aors_holding(self, level: str, code: str) -> tuple[str, ...]:
        """The codes of the AORs that hold a county (one) or a state (one or several); none
        for remainder areas and the other levels."""
        if level == "county":
            aor = self._county_aor.get(code)
            return (aor,) if aor else ()
        return self._state_aors.get(code, ()) if level == "state" else ()

    def enclosing(self, area: Area) -> list[Area]:
        """The areas that hold ``area``, smallest first: a county's state and AOR, a state's
        AORs (a state may span several), then the nation. A state's remainder is in its state;
        every other remainder area only in the nation."""
        nation = [self.area("nation", NATION)]
        if area.level == "nation":
            return []
        if area.level == "county":
            state = area.code.removesuffix(_REMAINDER_SUFFIX)
            if area.code.endswith(_REMAINDER_SUFFIX):
                return [self.area("state", state), *nation]
            if is_remainder(area.code):
                return nation
            held = [self.area("state", self._county_state[area.code])]
            aors = self.aors_holding("county", area.code)
            return [*held, *(self.area("aor", code) for code in aors), *nation]
        if area.level == "state" and not is_remainder(area.code):
            aors = self.aors_holding("state", area.code)
            return [*(self.area("aor", code) for code in aors), *nation]
        return nation

    def remainder_of(self, area: Area) -> Area | None:
        """The remainder area one level down that holds ``area``'s events placed below it in
        no smaller area: a state's events in no county, the nation's in no state."""
        if area.level == "state" and not is_remainder(area.code):
            return self.area("county", state_remainder(area.code))
        if area.level == "nation":
            return self.area("state", UNASSIGNED)
        return None


@cache
def catalogue() -> AreaCatalogue:
    """The one catalogue of areas (built from the bundled reference tables on first use)."""
    return AreaCatalogue()


def resolve_area(text: str) -> Area:
    """``catalogue().resolve(text)``: the area a report or a command names."""
    return catalogue().resolve(text)
