"""Release layouts: the one synonyms table of column names, and table-kind detection.

ICE names the same field differently from release to release ("Apprehension Date" in the
national files, "Arrest Date" in the Seattle workbook). Every reader maps header cells through
``SOURCE_FIELDS`` here and detects what table a header describes from its columns, never from
the file name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Source field -> header spellings seen in public releases (compared after ``header_key``).
SOURCE_FIELDS: dict[str, tuple[str, ...]] = {
    "aor": (
        "Area of Responsibility",
        "Event Area of Responsibility",
        "Apprehension Area of Responsibility",
        "Apprehension AOR",  # Deportation Data Project releases (2023-)
        "AOR",
    ),
    "apprehension_date": ("Apprehension Date", "Arrest Date"),
    "encounter_date": ("Event Date", "Encounter Date"),
    "removal_date": ("Removal Date",),
    "departed_date": ("Departed Date",),
    "method": ("Apprehension Method", "Arrest Method"),
    "location_text": (
        "Apprehension Landmark",
        "Landmark",
        "Event Landmark",
        "Apprehension Site Landmark",
    ),
    "operation": ("Operation",),
    "disposition": ("Processing Disposition", "Processing Disposition Code", "Disposition"),
    "citizenship": ("Citizenship", "Country of Citizenship", "Citizenship Country"),
    "gender": ("Gender", "Sex"),
    "threat_level": ("RC Threat Level", "Threat Level"),
    "offense_level": ("Removal Case COL",),
    "charge_section": ("Final Charge Section",),
}

# Columns known and deliberately not stored: identifiers and birth dates. ICE redacts them,
# and the atlas never holds anything that could single out a person.
IGNORED_FIELDS: tuple[str, ...] = (
    "Birth Date",
    "Date of Birth",
    "Birth Year",
    "Event Number",
    "Event ID",
    "Unique Identifier",
    "Alien File Number",
    "EID Case ID",
    "EID Subject ID",
)

# Columns of newer releases (the Deportation Data Project's 2023- ICE productions) that the
# atlas recognises but does not use yet: they are skipped, not an error. Any other column is
# unknown and stops the ingest with its name, so that a new layout is never half-read.
UNUSED_FIELDS: tuple[str, ...] = (
    "Apprehension State",
    "Apprehension County",
    "Final Program",
    "Final Program Group",
    "Apprehension Criminality",
    "Case Status",
    "Case Category",
    "Departure Country",
    "Final Order Yes No",
    "Final Order Date",
)


def header_key(cell: object) -> str:
    """Normalise a header cell for matching: case, spacing and punctuation do not count."""
    text = "" if cell is None else str(cell)
    return re.sub(r"[^a-z0-9()]+", " ", text.lower()).strip()


_FIELD_BY_KEY: dict[str, str] = {
    header_key(spelling): field
    for field, spellings in SOURCE_FIELDS.items()
    for spelling in spellings
}
_IGNORED_KEYS = {header_key(name) for name in (*IGNORED_FIELDS, *UNUSED_FIELDS)}


@dataclass(frozen=True)
class TableKind:
    """What a header must hold to be read as one canonical table."""

    name: str
    signature: frozenset[str]  # fields that identify this kind
    required: frozenset[str]  # fields without which rows cannot be placed
    event_date_field: str | None  # source field that is the event date, in order of preference
    title_words: tuple[str, ...]


TABLE_KINDS: tuple[TableKind, ...] = (
    TableKind(
        "arrests",
        frozenset({"method"}),
        frozenset({"aor", "method"}),
        "apprehension_date",
        ("arrest",),
    ),
    TableKind(
        "removals",
        frozenset({"removal_date", "departed_date", "charge_section", "offense_level"}),
        frozenset({"aor"}),
        "removal_date",
        ("removal",),
    ),
    TableKind(
        "encounters",
        frozenset({"encounter_date", "location_text"}),
        frozenset({"aor", "disposition"}),
        "encounter_date",
        ("encounter",),
    ),
)


@dataclass(frozen=True)
class HeaderMatch:
    """A header row read against the synonyms table."""

    fields: dict[str, int]  # source field -> column index
    ignored: tuple[int, ...]  # column indexes known and not stored
    unknown: tuple[tuple[int, str], ...]  # (column index, header text) matching nothing
    blank: tuple[int, ...]  # column indexes with an empty header cell


def match_header(cells: Sequence[object]) -> HeaderMatch:
    fields: dict[str, int] = {}
    ignored: list[int] = []
    unknown: list[tuple[int, str]] = []
    blank: list[int] = []
    for index, cell in enumerate(cells):
        key = header_key(cell)
        if not key:
            blank.append(index)
        elif key in _IGNORED_KEYS:
            ignored.append(index)
        elif key in _FIELD_BY_KEY and _FIELD_BY_KEY[key] not in fields:
            fields[_FIELD_BY_KEY[key]] = index
        else:
            unknown.append((index, str(cell).strip()))
    return HeaderMatch(fields, tuple(ignored), tuple(unknown), tuple(blank))


def header_score(cells: Sequence[object]) -> int:
    """How many cells of a candidate row are known column names (the header scores highest)."""
    match = match_header(cells)
    return len(match.fields) + len(match.ignored)


def detect_kind(match: HeaderMatch, title: str | None) -> TableKind | None:
    """The table a header describes, from its columns; the banner title breaks a tie.
    ``None`` when no kind fits.

    Arrests: an arrest method, or an apprehension date beside a landmark (an arrest layout
    that lost its method column is still an arrest layout, and then fails as incomplete).
    Removals: removal-only fields. Encounters: an event date, or a landmark without an
    apprehension date (the Seattle encounter sheets have no date column at all).
    """
    present = set(match.fields)
    by_name = {kind.name: kind for kind in TABLE_KINDS}
    fitting: list[TableKind] = []
    if "method" in present or {"apprehension_date", "location_text"} <= present:
        fitting.append(by_name["arrests"])
    if present & by_name["removals"].signature:
        fitting.append(by_name["removals"])
    if "encounter_date" in present or (
        "location_text" in present and "apprehension_date" not in present
    ):
        fitting.append(by_name["encounters"])
    if len(fitting) > 1 and title:
        lowered = title.lower()
        by_title = [k for k in fitting if any(word in lowered for word in k.title_words)]
        if len(by_title) == 1:
            return by_title[0]
    return fitting[0] if fitting else None


def known_headers() -> str:
    """The accepted header spellings, for error messages."""
    return "; ".join(f"{field}: {' / '.join(names)}" for field, names in SOURCE_FIELDS.items())
