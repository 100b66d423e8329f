"""The location resolver: ICE landmark text (+ AOR, + state hint) -> county, state or AOR.

Rules are tried from the most specific to the least; the first that finds a place wins. A rule
only answers with a county when the text names one place that lies in one county: a named
county, a known facility, a police department or city named as a place. Team and office names
("SEATTLE FUG OPS", "SAN ANGELO SUB-OFFICE") cover a region, so they resolve to their state only,
and only when the office's area lies in one state (offices.py); so do state prison systems and
federal prisons the text does not name precisely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sanctuary_atlas.geography.crosswalk import aor_counties, aor_states, normalize_aor
from sanctuary_atlas.geography.gazetteer import Gazetteer, gazetteer
from sanctuary_atlas.geography.names import normalize_text
from sanctuary_atlas.geography.offices import office_area_state, state_written_beside_office

LEVELS = ("county", "state", "aor", "none")


@dataclass(frozen=True)
class Resolution:
    county_fips: str | None
    state: str | None
    level: str  # county | state | aor | none
    match_kind: str
    confidence: float


_EMPTY = re.compile(r"^(NONE|NULL|N/?A|UNKNOWN|)$")
_GENERIC = re.compile(r"\bGENERAL AREA\b|\bNON ?SPECIFIC\b|\bGENERAL NON\b|\bDO NOT USE\b")
_COUNTY_WORDS = {"COUNTY", "PARISH", "BOROUGH", "CNTY", "CTY"}
# "CO" is a county only before words like these or at the very end: "WALKER CO",
# "FRANKLIN CO. JAIL", "DALLAS CO CRIM AT LARGE" - never "DENVER, CO" (a comma breaks it).
_AFTER_CO = frozenset(
    [
        "JAIL",
        "SO",
        "SHERIFF",
        "SHERIFFS",
        "DETENTION",
        "DET",
        "CORRECTIONS",
        "CORRECTIONAL",
        "CRIM",
        "NON",
        "PROBATION",
        "DOC",
        "SD",
        "ADC",
        "JUSTICE",
        "LOCKUP",
        "PRISON",
        "P&P",
    ]
)
_OFFICE = re.compile(
    r"\b(FUG|FUGITIVE|FUGOPS|FUGOP|FOT|OPERATIONS|OPS|TEAM|SUB ?OFFICE|ERO|DOCKET|STREET"
    r"|NON ?CUSTODIAL|AREA|INSPECTIONS|NON ?DETAINED|NON ?FUGITIVE|VCAS|JCART|USCIS"
    r"|PROCESSING|UNIT)\b"
)
_PLACE_AFTER_CITY = re.compile(
    r"^(PD|POLICE( DEPARTMENT| DEPT)?|CITY JAIL|JAIL|MUNICIPAL( COURT| JAIL)?|DISTRICT COURT"
    r"|COURT|DETENTION( CENTER)?|CITY|SHERIFFS? OFFICE|JUSTICE CENTER)\b"
)
# Segments of a landmark: "JAC - JACKSONVILLE SHERIFFS OFFICE", "CHINO, CA", "(POST, TX)".
_SEGMENT_BREAK = re.compile(r"[,()]|\s-\s*|\s*-\s")
# State agencies' acronyms -> the states they may stand for; the AOR picks one.
_STATE_AGENCY_ACRONYMS = {
    "TDCJ": {"TX"},
    "CDCR": {"CA"},
    "NDOC": {"NV"},
    "PADOC": {"PA"},
    "VADOC": {"VA"},
    "FDOC": {"FL"},
    "ADOC": {"AZ", "AL"},
    "ADC": {"AZ"},
    "ODOC": {"OK", "OR"},
    "IDOC": {"IL", "IN", "ID", "IA"},
    "MDOC": {"MI", "MS", "MO", "MT"},
    "GDC": {"GA"},
}
_STATE_PRISON = re.compile(
    r"\b(DOC|DEPT OF CORRECTIONS?|DEPARTMENT OF CORRECTIONS?|CRIMINAL JUSTICE|TDCJ|STATE PRISON"
    r"|CORRECTIONAL (FACILITY|INSTITUTION|CENTER)|STATE JAIL|PENITENTIARY|PAROLE|SCI|PADOC"
    r"|VADOC|NDOC|ADOC|CDCR|STATE INCARCERATION)\b"
)
_ONE_COUNTY_STATES = {"DC": "11001"}
# New York City's boroughs are counties under other names ("QUEENS CENTRAL BOOKING").
_NYC_BOROUGHS = {
    "MANHATTAN": "36061",
    "BROOKLYN": "36047",
    "BRONX": "36005",
    "QUEENS": "36081",
    "STATEN ISLAND": "36085",
}
_INSTITUTION_NOUNS = frozenset(
    ["CORRECTIONAL", "CORRECTIONS", "DETENTION", "JAIL", "PRISON", "REGIONAL", "FEDERAL"]
)
# In the Chicago AOR, landmarks lettered "A - " to "D - " are all Wisconsin places ("B - DANE
# COUNTY JAIL", "C - TREMPEALEAU COUNTY JAIL", "A - WI DOC - RACINE ..."): all 117 such
# landmarks of the FY2016-2019 national arrest files name a place in Wisconsin.
_WISCONSIN_PREFIX = re.compile(r"^\s*[A-D] ?- ")
_FEDERAL_BEFORE_COUNTY = re.compile(r"\b(FCI|USP|FMC|FPC|FDC)\s+([A-Z]+(?: [A-Z]+)?)$")
_INSTITUTION = re.compile(
    r"\b(CI|FCI|BOP|USP|CORR|CORRECTIONAL|CORRECTIONS|PRISON|DETENTION|JAIL|PENITENTIARY|FEDERAL)\b"
)
_FEDERAL_PRISON = re.compile(r"\b(BOP|USBOP|FCI|USP|FDC|FMC|MCC|FPC|FEDERAL PRISON|FEDERAL CORR)")


def resolve_location(text: str, aor: str | None = None, state: str | None = None) -> Resolution:
    """Resolve one landmark text. ``aor`` is a code or ICE's spelled-out name (unknown names raise
    ``UnknownAorError``); ``state`` a USPS hint (e.g. the state of a 287(g) agency)."""
    code = normalize_aor(aor)
    gaz = gazetteer()
    if state is not None and state.upper() not in gaz.usps:
        raise ValueError(f"unknown state {state!r}: expected a USPS code such as 'TX'")
    return _Resolving(gaz, text or "", code, state.upper() if state else None).run()


class _Resolving:
    """One resolution: the text's words, the states it may lie in, and the rules in order."""

    def __init__(self, gaz: Gazetteer, text: str, aor: str | None, hint: str | None):
        self.gaz, self.aor, self.raw = gaz, aor, text.upper()
        self.norm = normalize_text(text)
        self.words = self.norm.split()
        self.aor_states = aor_states(aor) if aor else frozenset()
        self.named_states = self._named_states()
        if hint:
            self.named_states = [hint, *(s for s in self.named_states if s != hint)]
        self.allowed = frozenset(self.named_states) or self.aor_states or gaz.usps
        # Without an AOR or a state, names shared by many states are not to be guessed.
        self.has_context = self.allowed != gaz.usps
        self.office = bool(_OFFICE.search(self.norm))
        # An ambiguous answer (a name found in two counties) is kept while later rules try.
        self.fallback: Resolution | None = None

    def run(self) -> Resolution:
        if _EMPTY.match(self.norm):  # placed only where the AOR lies in one state
            return self._area("empty", 0.5, with_state=len(self.aor_states) == 1)
        for rule in (self._facility_exact, self._named_county, self._agency, self._office_area):
            found = rule()
            if found:
                return found
        if _GENERIC.search(self.norm):
            return self.fallback or self._area("generic_area", 0.6)
        for rule in (
            self._facility_words,
            self._county_named_institution,
            self._named_city,
            self._institution_system,
        ):
            found = rule()
            if found:
                return found
        if self.fallback:
            return self.fallback
        if self.named_states:
            return self._area("named_state", 0.8)
        return self._area("unresolvable", 0.5)

    # -- states named in the text -----------------------------------------------------------
    def _named_states(self) -> list[str]:
        found: list[str] = []
        text = f" {self.norm} "
        for name, usps in self.gaz.state_names.items():
            if f" {name} " not in text:  # a plain substring test spares most regex scans
                continue
            for match in re.finditer(rf" {name} ", text):
                after = text[match.end() :].split(" ", 1)[0]
                if after not in ("COUNTY", "CO", "PARISH", "CITY", "BEACH", "PD"):
                    found.append(usps)
                    text = text[: match.start()] + " # " + text[match.end() :]
        # two-letter codes: after a comma or dash, at the end, or before "STATE"
        pattern = r"(?:[,\-(]\s*|\b)([A-Z]{2})(?:\s+STATE\b|\s+\d{5}|\s*\)?\s*$|(?=\s*,))"
        for match in re.finditer(pattern, self.raw):
            usps = match.group(1)
            if usps in self.gaz.usps and not self._is_county_co(match):
                found.append(usps)
        if self.aor in ("CHI", None) and _WISCONSIN_PREFIX.match(self.raw):
            found.append("WI")
        leading = re.match(r"^([A-Z]{2}) (DOC|DEPARTMENT|DEPT|STATE)\b", self.norm)
        if leading and leading.group(1) in self.gaz.usps:
            found.append(leading.group(1))
        for word in self.words:
            candidates = _STATE_AGENCY_ACRONYMS.get(word, set())
            within = candidates & self.aor_states if self.aor_states else candidates
            if len(within) == 1:
                found.extend(within)
        return list(dict.fromkeys(found))

    def _is_county_co(self, match: re.Match[str]) -> bool:
        """'WALKER CO' at the end is Walker County, not Colorado."""
        before = self.raw[: match.start(1)]
        return match.group(1) == "CO" and not re.search(r"[,\-(]\s*$", before)

    # -- rules ------------------------------------------------------------------------------
    def _facility_exact(self) -> Resolution | None:
        key = self.norm.replace("SAINT", "ST")
        if not self.has_context and key in self.gaz.curated_names:
            return None  # "FEDERAL DETENTION CENTER (FDC)" was written for Seattle's AOR
        places = self.gaz.facilities_exact.get(key, set())
        return self._pick(places, "facility", 0.95)

    def _facility_words(self) -> Resolution | None:
        if self.office or not self.has_context:  # "SAN DIEGO FUGOPS" is a team, not the jail
            return None
        # A one-word key that is also a city ("STUART", "BUFFALO") names the facility only when
        # the text is about an institution; otherwise the city rule decides.
        institution = bool(_INSTITUTION.search(self.norm))
        places = self.gaz.facility_matches(frozenset(self.words), allow_city_keys=institution)
        return self._pick(places, "facility", 0.85)

    def _office_area(self) -> Resolution | None:
        state = office_area_state(self.gaz, self.aor, self.words)
        if state and state in self.aor_states:
            return Resolution(None, state, "state", "ice_office_area", 0.7)
        return None

    def _agency(self) -> Resolution | None:
        if not self.has_context:  # "JEFFERSON COUNTY JAIL" with no AOR or state: 25 states
            return None
        statewide = {s for s in self.allowed if (self.norm, s) in self.gaz.state_agencies}
        if statewide:  # "ALABAMA DEPARTMENT OF PUBLIC SAFETY" is the state, not Montgomery
            return self._state_only(statewide, "state_agency", 0.9)
        places = {
            (state, fips)
            for state in self.allowed
            for fips in self.gaz.agencies.get((self.norm, state), ())
        }
        return self._pick(places, "law_enforcement_agency", 0.9)

    def _named_county(self) -> Resolution | None:
        if "NY" in self.allowed:
            text = f" {self.norm} "
            boroughs = {f for name, f in _NYC_BOROUGHS.items() if f" {name} " in text}
            if len(boroughs) == 1:
                return self._pick({("NY", next(iter(boroughs)))}, "named_county", 0.9)
        places: set[tuple[str, str]] = set()
        for i, word in enumerate(self.words):
            after = self.words[i + 1] if i + 1 < len(self.words) else ""
            is_county = word in _COUNTY_WORDS or (
                word == "CO"
                and (after in _AFTER_CO or after in self.named_states or after == "")
                and not self._co_is_state(i)
            )
            is_city = word == "CITY"
            if not (is_county or is_city):
                continue
            for size in range(min(self.gaz.max_county_words, i), 0, -1):
                name = " ".join(self.words[i - size : i])
                key = f"{name} CITY" if is_city else name
                places |= {(s, f) for s in self.allowed if (f := self.gaz.county(s, key))}
                if places:
                    break
            if places:
                break
        return self._pick(places, "named_county", 0.95)

    def _county_named_institution(self) -> Resolution | None:
        federal = _FEDERAL_BEFORE_COUNTY.search(self.norm)
        if federal:  # "FCI MCDOWELL", "USBOP FCI-MCKEAN": federal prisons named for a county
            name = federal.group(2)
            places = {(s, f) for s in self.allowed if (f := self.gaz.county(s, name))}
            if places:
                return self._pick(places, "facility", 0.85)
        return self._county_then_institution()

    def _county_then_institution(self) -> Resolution | None:
        """An institution named after its county without the word COUNTY: "LUNENBURG
        CORRECTIONAL CENTER-VA", "SUSSEX CORRECTIONAL INSTITUTE" (state prisons often are).
        The county name must open its segment: in "BILL JOHNSON CORRECTIONAL CENTER" Johnson is
        a person."""
        for segment in _SEGMENT_BREAK.split(self.raw):
            words = normalize_text(segment).split()
            for size in range(min(self.gaz.max_county_words, len(words) - 1), 0, -1):
                if words[size] not in _INSTITUTION_NOUNS:
                    continue
                name = " ".join(words[:size])
                places = {(s, f) for s in self.allowed if (f := self.gaz.county(s, name))}
                if places:
                    return self._pick(places, "named_county", 0.8)
        return None

    def _co_is_state(self, index: int) -> bool:
        return "CO" in self.named_states and index == len(self.words) - 1 and "," in self.raw

    def _named_city(self) -> Resolution | None:
        """A city named as a place: "ATLANTA, GA", "WACO, TEXAS", "NEWARK PD", "CITY OF X",
        "... CHINO, CA". In a team or office name ("SEATTLE FUG OPS") the city gives the state."""
        segments = [normalize_text(s) for s in _SEGMENT_BREAK.split(self.raw)]
        segments = [s for s in segments if s]
        for position, segment in enumerate(segments):
            words = segment.split()
            city_of = words[:2] == ["CITY", "OF"]
            if city_of:
                words = words[2:]
            followed_by_state = position + 1 < len(segments) and (
                segments[position + 1] in self.gaz.state_names
                or segments[position + 1].split()[0] in self.gaz.usps
            )
            for city, rest in self._city_spans(words, followed_by_state):
                named_as_place = (
                    city_of
                    or _PLACE_AFTER_CITY.match(rest) is not None
                    or (not rest and (position > 0 or len(segments) > 1 or bool(self.named_states)))
                )
                if not (named_as_place or self.office):
                    continue
                places = {(s, f) for s in self.allowed if (f := self.gaz.cities.get((city, s)))}
                if places and self.office and (self.aor, city) in self.gaz.offices_spanning_states:
                    return self._spanning_office(rest)
                if places and self.office:
                    counties = self._dominant({f for _, f in places})
                    states = {self.gaz.county_state[f] for f in counties}
                    return self._state_only(states, "ice_office", 0.75)
                if places:
                    return self._pick(places, "named_city", 0.8)
        return None

    def _spanning_office(self, rest: str) -> Resolution:
        state = state_written_beside_office(self.gaz, self.named_states, self.aor_states, rest)
        if state:
            return Resolution(None, state, "state", "ice_office_named_state", 0.6)
        return self._area("ice_office_spanning_states", 0.5, with_state=False)

    def _city_spans(self, words: list[str], at_end_too: bool) -> list[tuple[str, str]]:
        """(city, rest of segment) candidates, longest first: leading words, and trailing
        words when a state follows the segment ("CALIFORNIA INSTITUTION FOR MEN CHINO, CA")."""
        spans: list[tuple[str, str]] = []
        for size in range(min(self.gaz.max_city_words, len(words)), 0, -1):
            spans.append((" ".join(words[:size]), " ".join(words[size:])))
            if at_end_too and size < len(words):
                spans.append((" ".join(words[-size:]), ""))
        return [(c, r) for c, r in spans if c not in self.gaz.state_names]

    def _institution_system(self) -> Resolution | None:
        if _FEDERAL_PRISON.search(self.norm):
            return self._area("federal_prison", 0.7)
        if _STATE_PRISON.search(self.norm):
            return self._area("state_prison_system", 0.8)
        if _OFFICE.search(self.norm):
            return self._area("ice_office", 0.6)
        return None

    # -- choosing among candidates ----------------------------------------------------------
    def _pick(
        self, places: set[tuple[str, str]], kind: str, confidence: float
    ) -> Resolution | None:
        places = {(s, f) for s, f in places if s in self.allowed}
        if not places:
            return None
        counties = {f for _, f in places}
        if len(counties) > 1 and self.aor:
            # Same name in two states of the AOR: keep the one in the AOR's own counties.
            inside = counties & aor_counties(self.aor)
            if len(inside) == 1:
                counties, confidence = inside, confidence - 0.1
        if len(counties) > 1:
            counties, confidence = self._dominant(counties), confidence - 0.15
        if len(counties) == 1:
            fips = next(iter(counties))
            return Resolution(fips, self.gaz.county_state[fips], "county", kind, confidence)
        if not self.fallback:
            states = {s for s, _ in places}
            self.fallback = self._state_only(states, f"ambiguous_{kind}", 0.6)
        return None

    def _dominant(self, counties: set[str]) -> set[str]:
        """The one county at least 20 times as populous as every other candidate, if any:
        "CLARK COUNTY DETENTION CENTER" in the Salt Lake City AOR is Las Vegas's (Clark, NV,
        2.2M people), not Clark County, Idaho (~900)."""
        if len(counties) < 2:
            return counties
        ranked = sorted(counties, key=lambda f: -self.gaz.population.get(f, 0))
        first, second = (self.gaz.population.get(f, 0) for f in ranked[:2])
        return {ranked[0]} if first >= 20 * max(second, 1) else counties

    def _state_only(self, states: set[str], kind: str, confidence: float) -> Resolution:
        if len(states) == 1:
            return Resolution(None, next(iter(states)), "state", kind, confidence)
        return self._area(kind, 0.5, with_state=False)

    def _area(self, kind: str, confidence: float, with_state: bool = True) -> Resolution:
        """The widest answer: a state if one is known, else the AOR, else nothing."""
        state = self._known_state() if with_state else None
        if state in _ONE_COUNTY_STATES:  # the District of Columbia is its own county
            return Resolution(_ONE_COUNTY_STATES[state], state, "county", kind, confidence)
        if state:
            return Resolution(None, state, "state", kind, confidence)
        if self.aor:
            return Resolution(None, None, "aor", kind, min(confidence, 0.5))
        return Resolution(None, None, "none", kind, 0.0)

    def _known_state(self) -> str | None:
        if len(set(self.named_states)) == 1:
            return self.named_states[0]
        docket = self.words[0] if self.words else ""
        in_aor = self.gaz.docket_state.get(docket) in (self.aor_states or self.gaz.usps)
        if in_aor and _GENERIC.search(self.norm):  # "WCD" (Maryland) under San Antonio: no
            return self.gaz.docket_state[docket]
        return next(iter(self.aor_states)) if len(self.aor_states) == 1 else None
