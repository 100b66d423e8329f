"""Arrest methods: the one classification of ICE's "Apprehension Method" into custodial,
at-large and other arrests.

Custodial: ICE takes the person from another agency's custody — a jail or prison through the
Criminal Alien Program (CAP), a 287(g) jail model, or a hand-over by another agency. At large:
ICE arrests the person in the community — "Located" (fugitive operations and targeted arrests),
"Non-Custodial Arrest", arrests at probation and parole offices, worksite and traffic
operations. Other: border, ports of entry, task forces and administrative re-processing, where
the record does not say whether the person was in custody.

The split follows the distinction ICE itself draws in its annual reports between CAP /
custodial arrests and at-large arrests; methods that ICE's data dictionary does not place are
kept apart as "other" rather than guessed. A method not listed here is classed "other" and
counted in the ingest report, so a new spelling is seen, not silently absorbed.
"""

from __future__ import annotations

from typing import Literal

MethodClass = Literal["custodial", "at_large", "other"]

# method -> (class, detail used by measures)
ARREST_METHODS: dict[str, tuple[MethodClass, str]] = {
    "CAP Local Incarceration": ("custodial", "cap_local"),
    "CAP State Incarceration": ("custodial", "cap_state"),
    "CAP Federal Incarceration": ("custodial", "cap_federal"),
    "287(g) Program": ("custodial", "287g"),
    "Criminal Alien Program": ("custodial", "cap_unspecified"),
    "Other Agency (turned over to INS)": ("custodial", "other_agency"),
    "Located": ("at_large", "located"),
    "Non-Custodial Arrest": ("at_large", "non_custodial"),
    "Probation and Parole": ("at_large", "probation_parole"),
    "Worksite Enforcement": ("at_large", "worksite"),
    "Traffic Check": ("at_large", "traffic_check"),
    "Patrol Interior": ("at_large", "patrol_interior"),
    "ERO Reprocessed Arrest": ("other", "reprocessed"),
    "Other efforts": ("other", "other_efforts"),
    "Law Enforcement Agency Response Unit": ("other", "learu"),
    "Patrol Border": ("other", "border"),
    "Inspections": ("other", "inspections"),
    "Other Task Force": ("other", "task_force"),
    "Organized Crime Drug Enforcement Task Force": ("other", "task_force"),
    "Anti-Smuggling": ("other", "anti_smuggling"),
    "Boat Patrol": ("other", "border"),
    "Crewman/Stowaway": ("other", "ports"),
    "Transportation Check Aircraft": ("other", "transportation_check"),
    "Transportation Check Bus": ("other", "transportation_check"),
    "Transportation Check Freight Train": ("other", "transportation_check"),
    "Transportation Check Passenger Train": ("other", "transportation_check"),
}


def method_class(method: str | None) -> MethodClass:
    if method is None:
        return "other"
    found = ARREST_METHODS.get(method.strip())
    return found[0] if found else "other"


def method_class_sql(column: str) -> str:
    """A SQL CASE expression classing ``column`` (trimmed method text) like ``method_class``."""
    branches = " ".join(
        f"WHEN '{name.replace(chr(39), chr(39) * 2)}' THEN '{cls}'"
        for name, (cls, _) in ARREST_METHODS.items()
    )
    return f"CASE {column} {branches} ELSE 'other' END"
