"""Checking policy entries written by people: the curated registry and user edits.

Every problem is reported with the line it is on, and a file with any problem imports nothing:
a registry half-updated from a file with a typo would be wrong in a way nobody could see.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from sanctuary_atlas import safe_yaml
from sanctuary_atlas.policies.jurisdictions import county_index, state_for
from sanctuary_atlas.policies.model import (
    FIPS_LENGTH,
    DateBasis,
    JurisdictionLevel,
    Origin,
    PolicyEntry,
    PolicyKind,
    Source,
)

REQUIRED = (
    "jurisdiction_level",
    "jurisdiction_fips",
    "jurisdiction_name",
    "kind",
    "effective_from",
    "description",
    "date_basis",
)
SOURCE_REQUIRED = ("source_title", "source_publisher", "source_address")
OPTIONAL = ("effective_to", "source_date", "uncertainty", "county_fips", "agency")
FIELDS = REQUIRED + SOURCE_REQUIRED + OPTIONAL


@dataclass(frozen=True)
class Issue:
    line: int
    message: str


class PolicyValidationError(ValueError):
    """One or more entries of a file are invalid; ``issues`` lists each with its line."""

    def __init__(self, origin_name: str, issues: list[Issue]):
        self.origin_name = origin_name
        self.issues = issues
        lines = [f"{origin_name}:{issue.line}: {issue.message}" for issue in issues]
        super().__init__(f"{len(issues)} problem(s); nothing was imported:\n" + "\n".join(lines))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _date(value: Any, field: str, problems: list[str]) -> date | None:
    if isinstance(value, date):
        return value
    text = _text(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"{field} {text!r} is not a date: expected YYYY-MM-DD")
        return None


def _choice(
    value: str | None, field: str, allowed: Iterable[str], problems: list[str]
) -> str | None:
    options = sorted(allowed)
    if value is not None and value not in options:
        problems.append(f"unknown {field} {value!r}: expected one of {', '.join(options)}")
        return None
    return value


def _check_fips(level: str | None, fips: str | None, problems: list[str]) -> None:
    if level is None or fips is None:
        return
    length = FIPS_LENGTH[JurisdictionLevel(level)]
    if not re.fullmatch(rf"\d{{{length}}}", fips):
        problems.append(f"{level} FIPS {fips!r} must be {length} digits (a code, not a number)")
    elif state_for(fips[:2]) is None:
        problems.append(f"unknown FIPS {fips!r}: no state has code {fips[:2]!r}")
    elif level == JurisdictionLevel.COUNTY and county_index() and fips not in county_index():
        problems.append(f"unknown FIPS {fips!r}: no county has this code")


def _counties(
    value: Any, level: str | None, fips: str | None, problems: list[str]
) -> tuple[str, ...]:
    if level == JurisdictionLevel.COUNTY and fips:
        return (fips,)
    if isinstance(value, list | tuple):
        codes = [str(code).strip() for code in value]
    else:
        codes = re.split(r"[\s;,]+", _text(value) or "")
    codes = [code for code in codes if code]
    for code in codes:
        _check_fips(JurisdictionLevel.COUNTY, code, problems)
    return tuple(codes)


def entry_from_record(
    record: Mapping[str, Any], origin: Origin
) -> tuple[PolicyEntry | None, list[str]]:
    """A policy entry from one record of field -> value, or the problems that prevent it."""
    problems: list[str] = []
    unknown = sorted(set(record) - set(FIELDS))
    if unknown:
        problems.append(f"unknown field(s) {', '.join(unknown)}: expected {', '.join(FIELDS)}")
    for field in REQUIRED:
        if _text(record.get(field)) is None:
            problems.append(f"missing {field}")
    missing_source = [f for f in SOURCE_REQUIRED if _text(record.get(f)) is None]
    if missing_source:
        problems.append(
            f"missing source: {', '.join(missing_source)} (every entry cites its source: title, "
            "publisher or body, and an address, statute, bill or case citation)"
        )
    level = _choice(
        _text(record.get("jurisdiction_level")), "jurisdiction_level", JurisdictionLevel, problems
    )
    kind = _choice(_text(record.get("kind")), "kind", PolicyKind, problems)
    basis = _choice(_text(record.get("date_basis")), "date_basis", DateBasis, problems)
    fips = _text(record.get("jurisdiction_fips"))
    _check_fips(level, fips, problems)
    counties = _counties(record.get("county_fips"), level, fips, problems)
    start = _date(record.get("effective_from"), "effective_from", problems)
    end = _date(record.get("effective_to"), "effective_to", problems)
    source_date = _date(record.get("source_date"), "source_date", problems)
    if start and end and start > end:
        problems.append(f"effective_from {start} is after effective_to {end}")
    if problems or not (level and kind and basis and fips and start):
        return None, problems
    entry = PolicyEntry(
        jurisdiction_level=JurisdictionLevel(level),
        jurisdiction_fips=fips,
        jurisdiction_name=str(_text(record.get("jurisdiction_name"))),
        state_fips=fips[:2],
        county_fips=counties,
        kind=PolicyKind(kind),
        effective_from=start,
        effective_to=end,
        description=str(_text(record.get("description"))),
        source=Source(
            title=str(_text(record.get("source_title"))),
            publisher=str(_text(record.get("source_publisher"))),
            date=source_date,
            address=str(_text(record.get("source_address"))),
        ),
        date_basis=DateBasis(basis),
        origin=origin,
        uncertainty=_text(record.get("uncertainty")),
        agency=_text(record.get("agency")),
    )
    return entry, []


def entries_from_records(
    records: Iterable[tuple[int, Mapping[str, Any]]], origin: Origin, origin_name: str
) -> list[PolicyEntry]:
    """Entries from (line, record) pairs; raises ``PolicyValidationError`` listing every
    problem of every record if there is any."""
    entries: list[PolicyEntry] = []
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    for line, record in records:
        entry, problems = entry_from_record(record, origin)
        issues.extend(Issue(line, problem) for problem in problems)
        if entry is not None:
            if entry.policy_id in seen:
                issues.append(Issue(line, f"the same entry as line {seen[entry.policy_id]}"))
            seen.setdefault(entry.policy_id, line)
            entries.append(entry)
    if issues:
        raise PolicyValidationError(origin_name, issues)
    return entries


def yaml_records(text: str, origin_name: str) -> list[tuple[int, dict[str, Any]]]:
    """The entries of a YAML list of mappings, each with the line it starts on."""
    try:
        root = safe_yaml.compose(text)
        data = safe_yaml.load(text)
    except safe_yaml.UnsafeYamlError as exc:
        raise PolicyValidationError(origin_name, [Issue(exc.line, exc.problem)]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise PolicyValidationError(origin_name, [Issue(line, f"not valid YAML: {exc}")]) from exc
    if not isinstance(data, list) or root is None or not isinstance(root, yaml.SequenceNode):
        raise PolicyValidationError(origin_name, [Issue(1, "expected a YAML list of entries")])
    records: list[tuple[int, dict[str, Any]]] = []
    issues: list[Issue] = []
    for node, item in zip(root.value, data, strict=True):
        line = node.start_mark.line + 1
        if isinstance(item, dict):
            records.append((line, {str(k): v for k, v in item.items()}))
        else:
            issues.append(Issue(line, "expected a mapping of field: value"))
    if issues:
        raise PolicyValidationError(origin_name, issues)
    return records


def csv_records(text: str, origin_name: str) -> list[tuple[int, dict[str, Any]]]:
    """The rows of a CSV file with a header, each with the line it starts on."""
    # Cells beyond the header land under this name and are reported as an unknown field.
    reader = csv.DictReader(io.StringIO(text), restkey="(extra cells)")
    records: list[tuple[int, dict[str, Any]]] = []
    line = 2
    for row in reader:
        records.append((line, dict(row)))
        line = reader.line_num + 1
    if reader.fieldnames is None:
        raise PolicyValidationError(origin_name, [Issue(1, "empty file: expected a CSV header")])
    return records


def entries_from_file(path: Path, origin: Origin = Origin.USER) -> list[PolicyEntry]:
    """Entries of a user's YAML or CSV file, all valid, or ``PolicyValidationError``."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        records = yaml_records(text, path.name)
    elif path.suffix.lower() == ".csv":
        records = csv_records(text, path.name)
    else:
        raise PolicyValidationError(
            path.name,
            [Issue(1, f"unknown file type {path.suffix!r}: expected .yaml, .yml or .csv")],
        )
    return entries_from_records(records, origin, path.name)
