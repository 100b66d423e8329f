"""Which area a report is about: a code or a name at any level, resolved against the same area
names the published panel uses (``measures.published.area_names``)."""

from __future__ import annotations

import difflib
from functools import cache

from sanctuary_atlas.measures.areas import Area, UnknownAreaError
from sanctuary_atlas.measures.panel import LEVELS, UNASSIGNED
from sanctuary_atlas.measures.published import area_names


@cache
def _areas() -> tuple[Area, ...]:
    """Every real area, nation first. Remainder areas (events not placed in a county, HQ,
    AOR not recorded) are bookkeeping for the panel, not places a report can be about."""
    found = []
    for level in LEVELS:
        for code, name in area_names(level).select("area_code", "area_name").iter_rows():
            if code.endswith(UNASSIGNED) or code in ("HQ", "UNKNOWN"):
                continue
            found.append(Area(level, code, name))
    return tuple(found)


def _key(text: str) -> str:
    return " ".join(text.lower().replace(",", " ").split())


def resolve_area(text: str) -> Area:
    """An area from its code (``06037``, ``CA``, ``LOS``, ``US``) or its name
    ("Los Angeles County, CA", "California", "Los Angeles Area of Responsibility"); a part of
    a name is enough when exactly one area has it."""
    wanted = _key(text)
    areas = _areas()
    for match in (
        lambda a: a.code.lower() == wanted,
        lambda a: _key(a.name) == wanted,
        lambda a: _key(a.name).startswith(wanted + " area of responsibility"),
    ):
        found = [a for a in areas if match(a)]
        if len(found) == 1:
            return found[0]
    partial = [a for a in areas if wanted and wanted in _key(a.name)]
    if len(partial) == 1:
        return partial[0]
    raise UnknownAreaError(_unknown_message(text, partial))


def _unknown_message(text: str, partial: list[Area]) -> str:
    areas = _areas()
    if partial:
        candidates = partial[:8]
        lead = f"{text!r} names {len(partial)} areas; say which"
    else:
        by_key = {_key(a.name): a for a in areas}
        close = difflib.get_close_matches(_key(text), list(by_key), n=5, cutoff=0.6)
        candidates = [by_key[k] for k in close]
        lead = f"unknown area {text!r}"
    if not candidates:
        return (
            f"{lead}: give a county FIPS code ('06037') or name ('Los Angeles County, CA'), a "
            "state ('CA', 'California'), an ICE AOR code ('LOS') or 'US'"
        )
    listed = "; ".join(f"{a.name} ({a.code})" for a in candidates)
    return f"{lead}. Did you mean: {listed}?"
