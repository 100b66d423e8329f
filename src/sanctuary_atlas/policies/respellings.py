"""Agreements ICE re-spelled: one agreement, not one ending as another begins.

ICE corrects agency names in place ("Alachua Police Departent" -> "Alachua Police Department",
"Ft. Myers" -> "Fort Myers", "Macro Island" -> "Marco Island", "Fish & Wildlife" -> "Fish and
Wildlife"). Read naively, each correction ends one agreement and starts another. A key is taken
as a new spelling of an earlier one when all of these hold:

- same list, state and model;
- the earlier key is last listed just before the later one is first listed, with no complete
  snapshot between them (the hand-over is immediate);
- the distinctive parts of the two names (without "County", "Sheriff's Office", "Police
  Department", "City of" ...) are at least ``SIMILARITY`` alike (difflib ratio). Comparing
  whole names would pair "Madison County Sheriff's Office" with "Marion County Sheriff's
  Office" on the pending list, where one agency leaving as another arrives is common.

A hand-over that is not immediate is treated as an agreement ending and another starting.
"""

from __future__ import annotations

import difflib
from collections import defaultdict

SIMILARITY = 0.8
# Words every second agency name shares; they say nothing about which agency it is.
_GENERIC = frozenset(
    {
        "COUNTY", "PARISH", "SHERIFF", "SHERIFFS", "OFFICE", "POLICE", "DEPARTMENT", "CITY",
        "TOWN", "TOWNSHIP", "VILLAGE", "BOROUGH", "OF", "THE", "SERVICES", "PD", "SO",
    }
)  # fmt: skip
# A sheriff's office and a police department of the same name are two agencies ("Haskell
# County Sheriff's Office", "Haskell Police Department").
_SERVICE_WORDS = {"SHERIFF": "sheriff", "SHERIFFS": "sheriff", "POLICE": "police"}


def _group(key: str) -> tuple[str, str, str]:
    list_name, state, _, model = key.split("|")
    return list_name, state, model


def _service(key: str) -> set[str]:
    return {_SERVICE_WORDS[w] for w in key.split("|")[2].split() if w in _SERVICE_WORDS}


def _distinctive(key: str) -> str:
    words = key.split("|")[2].split()
    kept = [word for word in words if word not in _GENERIC]
    return " ".join(kept or words)


def respelled_keys(present: dict[str, list[int]], complete_before: list[int]) -> dict[str, str]:
    """Each re-spelled key -> the key of the agreement it continues (the earliest spelling).

    ``present`` maps keys to the sorted indexes of the snapshots listing them;
    ``complete_before[i]`` counts the complete snapshots before index ``i``.
    """
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for key in present:
        groups[_group(key)].append(key)
    successor_of: dict[str, str] = {}
    for keys in groups.values():
        ordered = sorted(keys, key=lambda k: (present[k][0], k))
        claimed: set[str] = set()
        for later in ordered:
            first = present[later][0]
            best: tuple[float, str] | None = None
            for earlier in ordered:
                last = present[earlier][-1]
                if earlier == later or earlier in claimed or last >= first:
                    continue
                if complete_before[first] - complete_before[last + 1] != 0:
                    continue  # a complete snapshot lists neither: an end, then a start
                services = _service(earlier), _service(later)
                if all(services) and services[0] != services[1]:
                    continue
                names = _distinctive(earlier), _distinctive(later)
                ratio = difflib.SequenceMatcher(None, *names).ratio()
                if ratio >= SIMILARITY and (best is None or ratio > best[0]):
                    best = (ratio, earlier)
            if best is not None:
                claimed.add(best[1])
                successor_of[later] = best[1]
    return {key: _root(key, successor_of) for key in successor_of}


def _root(key: str, successor_of: dict[str, str]) -> str:
    while key in successor_of:
        key = successor_of[key]
    return key
