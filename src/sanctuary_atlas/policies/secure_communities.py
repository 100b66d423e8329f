"""Secure Communities activation dates by county, as policy entries.

Source file: secure_communities_activation_by_county.csv (county FIPS, month and year ICE
activated Secure Communities there, 2008-2013; 140 counties have no date). The source gives a
month, not a day: entries start on the 1st of the month and say so.

Secure Communities was discontinued by DHS on 2014-11-20 (memorandum of Secretary Jeh Johnson,
replaced by the Priority Enforcement Program) and restored by Executive Order 13768 of
2017-01-25. The fingerprint sharing it activated continued under PEP, so the entries stay open;
each carries that history in its uncertainty note.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sanctuary_atlas.policies.jurisdictions import county_index, state_for
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

FILE_NAME = "secure_communities_activation_by_county.csv"
_HISTORY = (
    "Source gives month and year only: dated the 1st. Program discontinued 2014-11-20 (DHS "
    "memorandum 'Secure Communities', replaced by PEP, which kept the fingerprint sharing) and "
    "restored by Executive Order 13768 (2017-01-25); the entry is left open across both."
)


# The public source, not the local file it was read from (a path on one machine says nothing
# to a reader). ICE published the list of jurisdictions where Secure Communities was activated,
# with the activation dates, and updated it until the nationwide rollout ended in January 2013;
# ICE's reports to Congress cite it at this address (e.g. "Secure Communities: Quarterly
# Report, Fiscal Year 2011, First Quarter", 1 March 2011). The file read here is that list
# by county.
SOURCE = Source(
    title="Secure Communities: Activated Jurisdictions (activation dates, by county)",
    publisher="U.S. Immigration and Customs Enforcement",
    date=None,
    address="https://www.ice.gov/doclib/secure-communities/pdf/sc-activated.pdf",
)


@dataclass(frozen=True)
class SecureCommunitiesReport:
    counties_read: int
    entries: int
    without_date: int  # counties the source lists with no activation month


class SecureCommunitiesFileError(ValueError):
    """The activation file lacks the columns this loader reads."""


def _county_name(fips: str, raw_name: str, usps: str) -> str:
    known = county_index().get(fips)
    if known:
        return f"{known[0]}, {usps}"
    return f"{raw_name.strip().title()}, {usps}"


def secure_communities_entries(path: Path) -> tuple[list[PolicyEntry], SecureCommunitiesReport]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        needed = {"countyname", "countyfips", "state", "activation_month", "activation_year"}
        missing = needed - set(reader.fieldnames or [])
        if missing:
            raise SecureCommunitiesFileError(
                f"{path}: missing column(s) {', '.join(sorted(missing))}; expected {sorted(needed)}"
            )
        rows = list(reader)
    entries: list[PolicyEntry] = []
    without_date = 0
    for row in rows:
        month, year = row["activation_month"].strip(), row["activation_year"].strip()
        if not month or not year:
            without_date += 1
            continue
        fips = row["countyfips"].strip().zfill(5)
        state = state_for(fips[:2])
        usps = state[1] if state else row["state"].strip()
        activated = date(int(year), int(month), 1)
        entries.append(
            PolicyEntry(
                jurisdiction_level=JurisdictionLevel.COUNTY,
                jurisdiction_fips=fips,
                jurisdiction_name=_county_name(fips, row["countyname"], usps),
                state_fips=fips[:2],
                county_fips=(fips,),
                kind=PolicyKind.SECURE_COMMUNITIES_ACTIVATED,
                effective_from=activated,
                effective_to=None,
                description="ICE activated Secure Communities (fingerprint sharing at booking).",
                source=SOURCE,
                date_basis=DateBasis.STATED_IN_SOURCE,
                origin=Origin.SECURE_COMMUNITIES,
                uncertainty=_HISTORY,
                # The file's last column, headed 'l', is kept as found: its meaning is not
                # documented with the file.
                attributes={"l": (row.get("l") or "").strip() or None},
            )
        )
    report = SecureCommunitiesReport(len(rows), len(entries), without_date)
    return entries, report


def load_secure_communities(store: Store, path: Path) -> SecureCommunitiesReport:
    entries, report = secure_communities_entries(path)
    with store.transaction():
        replace_entries(store, Origin.SECURE_COMMUNITIES, entries)
    return report
