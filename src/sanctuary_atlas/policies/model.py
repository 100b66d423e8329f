"""The policy entry: one dated, sourced statement that a policy was in force at a jurisdiction.

The vocabularies here are closed: a kind, a date basis or a jurisdiction level outside them is an
error, never a new category made up on the fly. Dates are inclusive: an entry is in force on day
``d`` when ``effective_from <= d`` and (``effective_to`` is open or ``d <= effective_to``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import pyarrow as pa


class PolicyKind(StrEnum):
    # Local or state limits on cooperation ("sanctuary" policies, in public debate).
    LIMITS_DETAINERS = "limits_detainers"  # declines to hold people on ICE detainers alone
    LIMITS_NOTIFICATION = "limits_notification"  # limits telling ICE of release dates
    LIMITS_JAIL_ACCESS = "limits_jail_access"  # limits ICE interviews / access in jails
    LIMITS_COOPERATION_GENERAL = "limits_cooperation_general"  # general non-cooperation rules
    LIMITS_COURTHOUSE_ARRESTS = "limits_courthouse_arrests"  # civil arrests at courthouses
    # Formal cooperation: 287(g) agreements by model, and applications awaiting ICE.
    G287_JAIL_ENFORCEMENT = "287g_jail_enforcement"
    G287_TASK_FORCE = "287g_task_force"
    G287_WARRANT_SERVICE = "287g_warrant_service"
    PENDING_287G = "pending_287g"  # on ICE's pending list; named so `287g_*` excludes it
    SECURE_COMMUNITIES_ACTIVATED = "secure_communities_activated"
    STATE_MANDATES_COOPERATION = "state_mandates_cooperation"  # anti-sanctuary laws
    FEDERAL_DESIGNATION = "federal_designation"  # a federal list naming the jurisdiction


class DateBasis(StrEnum):
    STATED_IN_SOURCE = "stated_in_source"
    FIRST_SEEN_IN_SNAPSHOT = "first_seen_in_snapshot"
    INFERRED = "inferred"


class JurisdictionLevel(StrEnum):
    STATE = "state"  # 2-digit state FIPS
    COUNTY = "county"  # 5-digit county FIPS
    PLACE = "place"  # 7-digit Census place code (state FIPS + 5-digit place)


class Origin(StrEnum):
    """Which loader wrote an entry; reloading a source replaces exactly its own entries."""

    CURATED = "curated"
    ICE_287G_SNAPSHOTS = "ice_287g_snapshots"
    SECURE_COMMUNITIES = "secure_communities"
    DHS_LIST = "dhs_list_2025_05_29"
    USER = "user"


FIPS_LENGTH: dict[JurisdictionLevel, int] = {
    JurisdictionLevel.STATE: 2,
    JurisdictionLevel.COUNTY: 5,
    JurisdictionLevel.PLACE: 7,
}


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str  # the publisher, legislature, court or agency
    date: date | None  # the source's own date (enactment, decision, publication)
    address: str  # URL, statute / session-law section, bill or ordinance number, case citation


@dataclass(frozen=True)
class PolicyEntry:
    jurisdiction_level: JurisdictionLevel
    # None only where the jurisdiction could not be resolved to a code (e.g. a city on the DHS
    # list with no place gazetteer yet); ``jurisdiction_name`` and ``state_fips`` always hold.
    jurisdiction_fips: str | None
    jurisdiction_name: str
    state_fips: str
    kind: PolicyKind
    effective_from: date
    effective_to: date | None
    description: str
    source: Source
    date_basis: DateBasis
    origin: Origin
    # Counties a place lies in (a place's policy applies there); a county lists itself.
    county_fips: tuple[str, ...] = ()
    uncertainty: str | None = None
    agency: str | None = None  # the law enforcement agency party to an agreement, as named
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def policy_id(self) -> str:
        """A stable identifier: reloading the same fact yields the same id."""
        key = "|".join(
            [
                self.origin,
                self.jurisdiction_fips or f"{self.state_fips}:{self.jurisdiction_name}",
                self.kind,
                self.effective_from.isoformat(),
                self.agency or "",
                self.source.address,
                # Loaders with their own identity (287(g) agreement keys) add it here.
                str(self.attributes.get("agreement_key", "")),
            ]
        )
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


POLICY_SCHEMA = pa.schema(
    [
        ("policy_id", pa.string()),
        ("jurisdiction_level", pa.string()),
        ("jurisdiction_fips", pa.string()),
        ("jurisdiction_name", pa.string()),
        ("state_fips", pa.string()),
        ("county_fips", pa.list_(pa.string())),
        ("kind", pa.string()),
        ("effective_from", pa.date32()),
        ("effective_to", pa.date32()),
        ("description", pa.string()),
        ("source_title", pa.string()),
        ("source_publisher", pa.string()),
        ("source_date", pa.date32()),
        ("source_address", pa.string()),
        ("date_basis", pa.string()),
        ("uncertainty", pa.string()),
        ("origin", pa.string()),
        ("agency", pa.string()),
        ("attributes", pa.string()),
    ]
)

# The column order of every policy frame the package returns and of the CSV the CLI writes.
POLICY_COLUMNS: tuple[str, ...] = tuple(POLICY_SCHEMA.names)


def entries_to_arrow(entries: list[PolicyEntry]) -> pa.Table:
    """Entries as an Arrow table in ``POLICY_SCHEMA``, ready for ``Store.insert_arrow``."""
    rows = [
        {
            "policy_id": e.policy_id,
            "jurisdiction_level": str(e.jurisdiction_level),
            "jurisdiction_fips": e.jurisdiction_fips,
            "jurisdiction_name": e.jurisdiction_name,
            "state_fips": e.state_fips,
            "county_fips": list(e.county_fips),
            "kind": str(e.kind),
            "effective_from": e.effective_from,
            "effective_to": e.effective_to,
            "description": e.description,
            "source_title": e.source.title,
            "source_publisher": e.source.publisher,
            "source_date": e.source.date,
            "source_address": e.source.address,
            "date_basis": str(e.date_basis),
            "uncertainty": e.uncertainty,
            "origin": str(e.origin),
            "agency": e.agency,
            "attributes": json.dumps(e.attributes, sort_keys=True, default=str),
        }
        for e in entries
    ]
    return pa.Table.from_pylist(rows, schema=POLICY_SCHEMA)
