"""Federal enforcement operations named in the public record (the 2020 deployment to nine
sanctuary cities, the 2025-26 surges in Los Angeles, Chicago, Charlotte, New Orleans and the
Twin Cities): a small registry bundled with the package (``data/policies/operations.yaml``),
each entry with its AORs, dates and cited source, like a policy entry.

They are events, not a jurisdiction's policy: they are not in the store's policy registry
(no map layer, no estimator treats them as an adoption). Area pages and reports mark them on
the charts of their AORs; the claim checks compare their AORs with the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import polars as pl

from sanctuary_atlas.geography.aors import AOR_CODES
from sanctuary_atlas.policies.model import DateBasis
from sanctuary_atlas.policies.validate import Issue, PolicyValidationError, yaml_records

OPERATIONS_FILE = "operations.yaml"
OPERATION_KIND = "enforcement_operation"
_REQUIRED = (
    "key",
    "name",
    "aors",
    "jurisdiction_level",
    "jurisdiction_fips",
    "jurisdiction_name",
    "effective_from",
    "description",
    "date_basis",
    "source_title",
    "source_publisher",
    "source_date",
    "source_address",
)


@dataclass(frozen=True)
class Operation:
    key: str
    name: str
    aors: tuple[str, ...]
    jurisdiction_level: str
    jurisdiction_fips: str
    jurisdiction_name: str
    effective_from: date
    effective_to: date | None
    description: str
    date_basis: str
    source_title: str
    source_publisher: str
    source_date: date
    source_address: str
    uncertainty: str | None


def _operation(line: int, record: dict[str, Any]) -> tuple[Operation | None, list[Issue]]:
    issues = [Issue(line, f"missing field {f!r}") for f in _REQUIRED if not record.get(f)]
    known = set(AOR_CODES.values())
    issues += [
        Issue(line, f"unknown AOR code {a!r}") for a in record.get("aors") or [] if a not in known
    ]
    for field in ("effective_from", "effective_to", "source_date"):
        value = record.get(field)
        if value is not None and not isinstance(value, date):
            issues.append(Issue(line, f"{field} must be a date YYYY-MM-DD, not {value!r}"))
    if record.get("date_basis") not in {str(b) for b in DateBasis}:
        issues.append(Issue(line, f"unknown date_basis {record.get('date_basis')!r}"))
    start, end = record.get("effective_from"), record.get("effective_to")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        issues.append(Issue(line, "effective_to is before effective_from"))
    if issues:
        return None, issues
    return (
        Operation(
            key=record["key"],
            name=record["name"],
            aors=tuple(record["aors"]),
            jurisdiction_level=record["jurisdiction_level"],
            jurisdiction_fips=str(record["jurisdiction_fips"]),
            jurisdiction_name=record["jurisdiction_name"],
            effective_from=record["effective_from"],
            effective_to=record.get("effective_to"),
            description=" ".join(str(record["description"]).split()),
            date_basis=record["date_basis"],
            source_title=record["source_title"],
            source_publisher=record["source_publisher"],
            source_date=record["source_date"],
            source_address=record["source_address"],
            uncertainty=record.get("uncertainty"),
        ),
        [],
    )


@cache
def operations() -> tuple[Operation, ...]:
    """Every bundled operation, checked (one bad entry fails the whole registry)."""
    path = resources.files("sanctuary_atlas") / "data" / "policies" / OPERATIONS_FILE
    found: list[Operation] = []
    issues: list[Issue] = []
    for line, record in yaml_records(path.read_text(encoding="utf-8"), OPERATIONS_FILE):
        operation, problems = _operation(line, record)
        issues += problems
        if operation is not None:
            found.append(operation)
    if issues:
        raise PolicyValidationError(OPERATIONS_FILE, issues)
    return tuple(sorted(found, key=lambda o: (o.effective_from, o.key)))


def operation(key: str) -> Operation:
    for found in operations():
        if found.key == key:
            return found
    raise KeyError(f"no operation {key!r}; known: {', '.join(o.key for o in operations())}")


def operations_frame(aor: str | None = None) -> pl.DataFrame:
    """The operations (of one AOR, or all), in the columns of a policy timeline: kind is
    ``enforcement_operation``, the jurisdiction where it was centred."""
    rows = [
        {
            "jurisdiction_level": o.jurisdiction_level,
            "jurisdiction_fips": o.jurisdiction_fips,
            "jurisdiction_name": f"{o.name}: {o.jurisdiction_name}",
            "kind": OPERATION_KIND,
            "effective_from": o.effective_from,
            "effective_to": o.effective_to,
            "date_basis": o.date_basis,
            "description": o.description,
            "source_title": o.source_title,
            "source_publisher": o.source_publisher,
            "source_date": o.source_date,
            "source_address": o.source_address,
            "uncertainty": o.uncertainty,
            "origin": "operations",
            "agency": None,
            "policy_id": o.key,
            "applies_as": "aor",
        }
        for o in operations()
        if aor is None or aor in o.aors
    ]
    schema = {
        "jurisdiction_level": pl.String,
        "jurisdiction_fips": pl.String,
        "jurisdiction_name": pl.String,
        "kind": pl.String,
        "effective_from": pl.Date,
        "effective_to": pl.Date,
        "date_basis": pl.String,
        "description": pl.String,
        "source_title": pl.String,
        "source_publisher": pl.String,
        "source_date": pl.Date,
        "source_address": pl.String,
        "uncertainty": pl.String,
        "origin": pl.String,
        "agency": pl.String,
        "policy_id": pl.String,
        "applies_as": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)
