"""The DHS list of "sanctuary jurisdictions" of 2025-05-29, as federal_designation entries.

DHS published the list on 29 May 2025 under Executive Order 14287 ("Protecting American
Communities From Criminal Aliens", 2025-04-28) and took it down within days (reported removed
by 1 June 2025). It names 14 states, 391 counties and 200 cities and gives no effective dates:
each entry marks the day of publication only (effective_from = effective_to = 2025-05-29).

Source file: dhs_sanctuary_jurisdictions_2025-05-29.csv, parsed from the PDF in the same
folder (columns state, jurisdiction_level, jurisdiction_name). Cities get a Census place code
where the curated registry knows the place (the nine cities); others keep their names.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sanctuary_atlas.policies.curated import curated_places, place_key
from sanctuary_atlas.policies.jurisdictions import county_by_name, county_fips_for, state_for
from sanctuary_atlas.policies.model import (
    DateBasis,
    JurisdictionLevel,
    Origin,
    PolicyEntry,
    PolicyKind,
    Source,
)
from sanctuary_atlas.policies.registry import replace_entries
from sanctuary_atlas.store import Store

PUBLISHED = date(2025, 5, 29)
FILE_NAME = "dhs_sanctuary_jurisdictions_2025-05-29.csv"
_SOURCE = Source(
    title="Sanctuary Jurisdictions Defying Federal Immigration Law (list published 2025-05-29)",
    publisher="U.S. Department of Homeland Security",
    date=PUBLISHED,
    address="dhs-sanctuary-jurisdictions-2025-05-29.pdf (DHS website, removed by 2025-06-01)",
)
_LEVELS = {
    "state": JurisdictionLevel.STATE,
    "county": JurisdictionLevel.COUNTY,
    "city": JurisdictionLevel.PLACE,
}


@dataclass(frozen=True)
class DhsListReport:
    rows: int
    entries: int
    unresolved: tuple[str, ...]  # names kept without a FIPS code


class DhsListFileError(ValueError):
    """The list file lacks its columns or names an unknown state or level."""


def _entry(state_name: str, level_text: str, name: str, line: int) -> PolicyEntry:
    state = state_for(state_name)
    level = _LEVELS.get(level_text.strip().lower())
    if state is None or level is None:
        raise DhsListFileError(
            f"{FILE_NAME}:{line}: unknown state {state_name!r} or level {level_text!r} "
            f"(levels: {', '.join(_LEVELS)})"
        )
    fips: str | None
    counties: tuple[str, ...] = ()
    uncertainty = "Named on a list withdrawn within days; marks the day of publication only."
    if level is JurisdictionLevel.STATE:
        fips, display = state[0], state[2]
    elif level is JurisdictionLevel.COUNTY:
        fips = county_by_name(name, state[0]) or county_fips_for(name, state[0])
        counties = (fips,) if fips else ()
        display = f"{name}, {state[1]}"
    elif known := curated_places().get((state[0], place_key(name))):
        fips, display, counties = known
    else:
        # No Census place gazetteer in the package yet: a city keeps its name and, where the
        # geography resolver knows it, the county it lies in.
        fips = None
        county = county_fips_for(name, state[0])
        counties = (county,) if county else ()
        display = f"{name}, {state[1]}"
        uncertainty += " Census place code not resolved."
    if level is not JurisdictionLevel.STATE and fips is None and not counties:
        uncertainty += " County not resolved."
    return PolicyEntry(
        jurisdiction_level=level,
        jurisdiction_fips=fips,
        jurisdiction_name=display,
        state_fips=state[0],
        county_fips=counties,
        kind=PolicyKind.FEDERAL_DESIGNATION,
        effective_from=PUBLISHED,
        effective_to=PUBLISHED,
        description=f"Named by DHS as a sanctuary jurisdiction ({name}).",
        source=_SOURCE,
        date_basis=DateBasis.STATED_IN_SOURCE,
        origin=Origin.DHS_LIST,
        uncertainty=uncertainty,
        attributes={"listed_name": name, "line": line},
    )


def dhs_list_entries(path: Path) -> tuple[list[PolicyEntry], DhsListReport]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        needed = {"state", "jurisdiction_level", "jurisdiction_name"}
        if not needed <= set(reader.fieldnames or []):
            raise DhsListFileError(f"{path}: expected columns {', '.join(sorted(needed))}")
        rows = [(reader.line_num, row) for row in reader]
    entries = [
        _entry(row["state"], row["jurisdiction_level"], row["jurisdiction_name"].strip(), line)
        for line, row in rows
    ]
    unresolved = tuple(
        e.jurisdiction_name
        for e in entries
        if e.jurisdiction_level is JurisdictionLevel.COUNTY and e.jurisdiction_fips is None
    )
    return entries, DhsListReport(len(rows), len(entries), unresolved)


def load_dhs_list(store: Store, path: Path) -> DhsListReport:
    entries, report = dhs_list_entries(path)
    with store.transaction():
        replace_entries(store, Origin.DHS_LIST, entries)
    return report
