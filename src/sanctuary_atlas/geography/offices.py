"""Landmarks that name an ICE ERO office rather than a place: the state the office's area lies in.

ICE's landmark list holds, beside jails and towns, one generic entry per office ("CHI GENERAL
AREA, NON-SPECIFIC", the Chicago field office) and unit names ("PHI AOR FUGITIVE OPERATIONS",
"SEA CAP", "ERO LOUISVILLE, KY SUB OFFICE"). Such an event happened somewhere in the office's
area: a state when that area lies in one state (office_areas.csv says which, and why), never a
county.
"""

from __future__ import annotations

import re

from sanctuary_atlas.geography.gazetteer import Gazetteer

# Words that, beside an office's code or city, only say what kind of ICE unit or arrest it was:
# "CHI GENERAL AREA, NON-SPECIFIC", "PHI AOR FUGITIVE OPERATIONS", "ERO LOUISVILLE, KY SUB
# OFFICE", "SEA CAP", "STUART". Any other word ("JAC - JACKSONVILLE SHERIFFS OFFICE") names a
# place, and the place rules decide.
_OFFICE_ONLY_WORDS = frozenset(
    [
        "GENERAL",
        "GENREAL",
        "AREA",
        "NON",
        "SPECIFIC",
        "NONSPECIFIC",
        "GEN",
        "AOR",
        "FUGITIVE",
        "FUG",
        "FUGOP",
        "FUGOPS",
        "OPERATIONS",
        "OPS",
        "TEAM",
        "TEAMS",
        "ARREST",
        "ARRESTS",
        "CAP",
        "STREET",
        "CUSTODIAL",
        "DETAINED",
        "ERO",
        "ICE",
        "OFFICE",
        "SUB",
        "SUBOFFICE",
        "AT",
        "LARGE",
    ]
)
_GLUED_CODE = re.compile(r"^([A-Z]{3})(FUGITIVE|FUG|FUGOPS|GEN)$")  # "CHIFUGITIVE", "NORGEN"


def office_area_state(gaz: Gazetteer, aor: str | None, words: list[str]) -> str | None:
    """The state of the office a landmark names, when the text names only that office (its code
    or a sub-office's city) and kinds of unit or arrest; otherwise None, and the place rules
    decide. ``words`` are the normalised words of the text."""
    if not aor or not words:
        return None
    glued = _GLUED_CODE.match(words[0])
    if glued:
        words = [*glued.groups(), *words[1:]]
    unit_named = any(w in _OFFICE_ONLY_WORDS for w in words)
    while words and words[0] in _OFFICE_ONLY_WORDS:
        words = words[1:]
    for size in range(min(4, len(words)), 0, -1):
        key = " ".join(words[:size])
        state = gaz.office_names.get((aor, key))
        if size == 1:
            state = state or gaz.office_codes.get((aor, key))
        rest = words[size:]
        # "GRAND RAPIDS, MI" names a city as a place (the place rules give its county); the
        # office is meant when a unit is named ("... SUB OFFICE") or the text is its name alone.
        if (
            state
            and (unit_named or not rest)
            and all(w in _OFFICE_ONLY_WORDS or w == state for w in rest)
        ):
            return state
    return None


def state_written_beside_office(
    gaz: Gazetteer, named_states: list[str], aor_states: frozenset[str], rest: str
) -> str | None:
    """For an office whose area crosses a state line ("PORTLAND FUGITIVE OPERATIONS": OR and
    WA), the one state of the AOR the text writes beside it, if any: Kansas City's office keeps
    "KANSAS CITY MISSOURI AREA" and "KANSAS CITY KANSAS AREA" apart. ``rest`` is the text after
    the office's city."""
    written = set(named_states) | {w for w in rest.split()[:1] if w in gaz.usps}
    written |= {u for name, u in gaz.state_names.items() if rest.startswith(name + " ")}
    inside = written & aor_states
    return next(iter(inside)) if len(inside) == 1 else None
