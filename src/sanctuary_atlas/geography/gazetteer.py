"""In-memory indexes over the bundled tables, built once, that the resolver looks names up in.

All keys are ``names.place_key`` spellings; lookups are dictionary hits, so resolving a text costs
microseconds and the national files' ~10k distinct landmarks resolve in well under a second.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

import polars as pl

from sanctuary_atlas.geography.names import normalize_text, place_key
from sanctuary_atlas.geography.reference import (
    load_agencies,
    load_cities,
    load_counties,
    load_dockets,
    load_facilities,
    load_office_areas,
    load_states,
)

# Words that say what kind of place a facility is, not which one. A facility is found by its
# remaining, distinctive words ("KROME", "DALBY", "GREAT PLAINS").
FACILITY_STOPWORDS = frozenset(
    [
        "THE",
        "OF",
        "AND",
        "AT",
        "IN",
        "ON",
        "A",
        "ICE",
        "ERO",
        "USMS",
        "USM",
        "US",
        "U",
        "S",
        "CAP",
        "BOP",
        "USBOP",
        "FEDERAL",
        "STATE",
        "COUNTY",
        "CO",
        "CITY",
        "JAIL",
        "JAILS",
        "DETENTION",
        "DET",
        "CENTER",
        "CTR",
        "CENTRE",
        "FACILITY",
        "FACILITIES",
        "FAC",
        "CORRECTIONAL",
        "CORRECTIONS",
        "CORRECTION",
        "CORR",
        "INSTITUTION",
        "INSTITUTE",
        "INST",
        "CI",
        "FCI",
        "USP",
        "FDC",
        "FMC",
        "FPC",
        "MDC",
        "MCC",
        "SPC",
        "IPC",
        "CDF",
        "PRISON",
        "PENITENTIARY",
        "HOLD",
        "HOLDROOM",
        "ROOM",
        "PROCESSING",
        "SERVICE",
        "REGIONAL",
        "ADULT",
        "COMPLEX",
        "UNIT",
        "MEDIUM",
        "LOW",
        "HIGH",
        "MAXIMUM",
        "MINIMUM",
        "SECURITY",
        "CAMP",
        "SHERIFF",
        "SHERIFFS",
        "OFFICE",
        "DEPARTMENT",
        "DEPT",
        "POLICE",
        "PD",
        "CONTRACT",
        "JUSTICE",
        "CRIMINAL",
        "DIVISION",
        "MEN",
        "MENS",
        "WOMEN",
        "WOMENS",
        "NORTH",
        "SOUTH",
        "EAST",
        "WEST",
        "CENTRAL",
        "NEW",
        "PROGRAM",
        "COURT",
        "HOUSE",
        "JUVENILE",
    ]
)
# Single distinctive words too common to identify a facility on their own.
_WEAK_SINGLE = frozenset(
    [
        "NORTHERN",
        "SOUTHERN",
        "EASTERN",
        "WESTERN",
        "VALLEY",
        "RIVER",
        "LAKE",
        "MOUNTAIN",
        "COUNTRY",
        "DISTRICT",
    ]
)

_COUNTY_TOKENS = frozenset({"COUNTY", "CO", "CNTY", "PARISH"})
_CITY_ABBREVIATIONS = (("MOUNT ", "MT "), ("FORT ", "FT "), ("PORT ", "PT "))
STATE_NAME_EXCLUDED_AFTER = frozenset(["COUNTY", "CO", "PARISH", "CITY", "BEACH"])


@dataclass
class Gazetteer:
    usps: frozenset[str]
    state_names: dict[str, str]  # place_key(name) -> USPS, longest first
    counties: dict[tuple[str, str], str]  # (USPS, county key or compact key) -> FIPS
    county_states: dict[str, set[str]]  # county key -> USPS codes having it
    county_state: dict[str, str]  # FIPS -> USPS
    cities: dict[tuple[str, str], str]  # (city key, USPS) -> FIPS
    agencies: dict[tuple[str, str], set[str]]  # (agency key, USPS) -> FIPS
    facilities_exact: dict[str, set[tuple[str, str]]]  # name key -> {(USPS, FIPS)}
    # hand-curated spellings, written for the AOR they appear in: never matched without one
    curated_names: frozenset[str] = frozenset()
    # (distinctive words, USPS, FIPS) of each facility
    facility_keys: list[tuple[frozenset[str], str, str]] = field(default_factory=list)
    facility_by_token: dict[str, list[int]] = field(default_factory=dict)
    docket_state: dict[str, str] = field(default_factory=dict)
    population: dict[str, int] = field(default_factory=dict)
    city_words: frozenset[str] = frozenset()  # one-word city names, in any state
    # HIFLD "PRIMARY STATE AGENCY" names: statewide, whatever county their office is in
    state_agencies: frozenset[tuple[str, str]] = frozenset()
    # (AOR, office code or sub-office name key) -> the state the office's area lies in
    office_codes: dict[tuple[str, str], str] = field(default_factory=dict)
    office_names: dict[tuple[str, str], str] = field(default_factory=dict)
    offices_spanning_states: frozenset[tuple[str, str]] = frozenset()  # (AOR, name key)
    max_county_words: int = 4
    max_city_words: int = 4

    def county(self, state: str, name_key: str) -> str | None:
        return self.counties.get((state, name_key)) or self.counties.get(
            (state, name_key.replace(" ", ""))
        )

    def _single_word_key_applies(
        self, key: frozenset[str], state: str, tokens: frozenset[str], allow_city_keys: bool
    ) -> bool:
        """A one-word key that is a city needs an institution text; one that is a county name
        ("JOHNSON COUNTY JAIL" -> {JOHNSON}) needs the word COUNTY or CO beside it, else it
        matches "BILL JOHNSON CORRECTIONAL CENTER"."""
        word = min(key)
        if not allow_city_keys and word in self.city_words:
            return False
        return (state, word) not in self.counties or bool(tokens & _COUNTY_TOKENS)

    def facility_matches(
        self, tokens: frozenset[str], allow_city_keys: bool = True
    ) -> set[tuple[str, str]]:
        """(USPS, FIPS) of the facilities whose distinctive words all appear in ``tokens``,
        keeping only the most specific matches: "GILES DALBY (POST, TX) ... LUBBOCK DIV" is the
        Dalby facility, not a Lubbock one."""
        found: dict[tuple[str, str], int] = {}
        for token in tokens:
            for position in self.facility_by_token.get(token, ()):
                key, state, fips = self.facility_keys[position]
                if not key <= tokens:
                    continue
                if len(key) == 1 and not self._single_word_key_applies(
                    key, state, tokens, allow_city_keys
                ):
                    continue
                found[(state, fips)] = max(found.get((state, fips), 0), len(key))
        best = max(found.values(), default=0)
        return {place for place, size in found.items() if size == best}


def distinctive_words(name: str, state_words: frozenset[str] = frozenset()) -> frozenset[str]:
    """The words that tell one facility from another; state names and codes excluded."""
    return frozenset(
        w for w in place_key(name).split() if w not in FACILITY_STOPWORDS and w not in state_words
    )


def _usable_facility_key(words: frozenset[str]) -> bool:
    if len(words) >= 2:
        return True
    return len(words) == 1 and len(w := next(iter(words))) >= 5 and w not in _WEAK_SINGLE


@cache
def gazetteer() -> Gazetteer:
    states = load_states()
    counties = load_counties()
    county_index: dict[tuple[str, str], str] = {}
    county_states: dict[str, set[str]] = defaultdict(set)
    for fips, key, state in counties.select("county_fips", "county_key", "state").iter_rows():
        county_index[(state, key)] = fips
        county_index.setdefault((state, key.replace(" ", "")), fips)
        county_states[key].add(state)
    state_names = {place_key(n): u for n, u in zip(states["name"], states["usps"], strict=True)}
    state_names = dict(sorted(state_names.items(), key=lambda kv: -len(kv[0])))

    agencies: dict[tuple[str, str], set[str]] = defaultdict(set)
    statewide: set[tuple[str, str]] = set()
    table = load_agencies().select("name", "state", "county_fips", "type")
    for name, state, fips, kind in table.iter_rows():
        agencies[(place_key(name), state)].add(fips)
        if kind == "PRIMARY STATE AGENCY":
            statewide.add((place_key(name), state))
    state_words = frozenset(
        {w for n in states["name"] for w in place_key(n).split()} | set(states["usps"])
    )
    exact: dict[str, set[tuple[str, str]]] = defaultdict(set)
    keys: list[tuple[frozenset[str], str, str]] = []
    by_token: dict[str, list[int]] = defaultdict(list)
    facilities = load_facilities().select("name", "state", "county_fips", "source")
    curated: set[str] = set()
    for name, state, fips, source in facilities.iter_rows():
        exact[place_key(name)].add((state, fips))
        if source.startswith("curated"):
            curated.add(place_key(name))
        if source == "curated-exact":
            continue
        # Hand-curated names keep their state words: "CALIFORNIA MENS COLONY" needs both.
        words = distinctive_words(name, frozenset() if source == "curated" else state_words)
        if _usable_facility_key(words):
            by_token[min(words)].append(len(keys))
            keys.append((words, state, fips))
    cities: dict[tuple[str, str], str] = {}
    for city, state, fips in load_cities().select("city", "state", "county_fips").iter_rows():
        cities[(city, state)] = fips
        # ICE abbreviates as people do: "MT ARLINGTON PD", "FT WORTH".
        for full, short in _CITY_ABBREVIATIONS:
            if city.startswith(full):
                cities.setdefault((short + city[len(full) :], state), fips)
    return Gazetteer(
        usps=frozenset(states["usps"]),
        state_names=state_names,
        counties=county_index,
        county_states=dict(county_states),
        county_state=dict(zip(counties["county_fips"], counties["state"], strict=True)),
        cities=cities,
        agencies=dict(agencies),
        state_agencies=frozenset(statewide),
        facilities_exact=dict(exact),
        curated_names=frozenset(curated),
        facility_keys=keys,
        facility_by_token=dict(by_token),
        docket_state=_single_state_dockets(),
        office_codes=_office_areas("code"),
        office_names=_office_areas("name"),
        offices_spanning_states=frozenset(
            load_office_areas().filter(pl.col("state").is_null()).select("aor", "key").iter_rows()
        ),
        city_words=frozenset(city for city, _ in cities if " " not in city),
        population={
            f: int(p or 0) for f, p in counties.select("county_fips", "population").iter_rows()
        },
    )


def _office_areas(kind: str) -> dict[tuple[str, str], str]:
    table = load_office_areas().filter((pl.col("kind") == kind) & (pl.col("state") != ""))
    return {(a, k): s for a, k, s in table.select("aor", "key", "state").iter_rows()}


def _single_state_dockets() -> dict[str, str]:
    """Dockets whose facilities all lie in one state (facilities.csv.gz), e.g. LVG -> NV."""
    dockets = load_dockets()
    found: dict[str, str] = {}
    for (docket,), group in dockets.group_by("docket"):
        if group.height == 1 and int(group["facilities"][0]) >= 2:
            found[str(docket)] = str(group["state"][0])
    return found


_TOKEN = re.compile(r"[A-Z0-9]+")


def tokens_of(text: str) -> list[str]:
    return _TOKEN.findall(normalize_text(text))
