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

# Source field -> header spellings seen in public releases (compared after ``header_key``, so
# the Deportation Data Project's snake_case names — ``detainer_prepare_date`` — match too).
# DDP spellings follow its ICE data codebook (https://deportationdata.org/docs/ice/codebook.html).
SOURCE_FIELDS: dict[str, tuple[str, ...]] = {
    "aor": (
        "Area of Responsibility",
        "Event Area of Responsibility",
        "Apprehension Area of Responsibility",
        "Apprehension AOR",  # Deportation Data Project releases (2023-)
        "AOR",
        "Facility AOR",  # DDP detainers: the AOR of the jail the detainer was sent to
        "Detainer AOR",
        "Responsible AOR",  # DDP encounters
        "Case AOR",  # DDP removals
        "Book In AOR",  # DDP detention stints
    ),
    "apprehension_date": ("Apprehension Date", "Arrest Date"),
    "encounter_date": ("Event Date", "Encounter Date"),
    "removal_date": ("Removal Date", "Departure Date"),  # DDP removals: departure date
    "departed_date": ("Departed Date",),
    "detainer_date": ("Detainer Prepare Date", "Prepare Date"),
    "book_in_date": ("Book In Date Time", "Detention Book In Date", "Book In Date"),
    "method": ("Apprehension Method", "Arrest Method"),
    "location_text": (
        "Apprehension Landmark",
        "Landmark",
        "Event Landmark",
        "Apprehension Site Landmark",
    ),
    "facility": ("Detainer Facility", "Detainer Detention Facility", "Detention Facility"),
    "facility_code": (
        "Detainer Facility Code",
        "Detainer Detention Facility Code",
        "Detention Facility Code",
    ),
    "state": ("Apprehension State", "Facility State"),
    "lift_reason": ("Detainer Lift Reason",),
    "operation": ("Operation",),
    "disposition": ("Processing Disposition", "Processing Disposition Code", "Disposition"),
    "citizenship": ("Citizenship", "Country of Citizenship", "Citizenship Country"),
    "gender": ("Gender", "Sex"),
    "threat_level": ("RC Threat Level", "Threat Level"),
    "offense_level": ("Removal Case COL",),
    "charge_section": ("Final Charge Section",),
    # ICE's criminality class ("1 Convicted Criminal", "2 Pending Criminal Charges", "3 Other
    # Immigration Violator") and the category of the most serious conviction ("Assault",
    # "Traffic Offense - DUI"): categories, never a person's record.
    "criminality": (
        "Apprehension Criminality",
        "Detainer Criminality",
        "Encounter Criminality",
        "Case Criminality",
        "Book In Criminality",
    ),
    "conviction": (
        "Most Serious Conviction",
        "MSC Criminal Charge Category",
        "Most Serious Criminal Conviction",
        "MSC Charge",
        "Most Serious Conviction (MSC) Charge",
        "MSCC",
    ),
}

# Columns known and deliberately not stored: identifiers and birth dates. ICE redacts them,
# and the atlas never holds anything that could single out a person. (Only mapped columns are
# ever stored: an identifier missing from this list is reported as unknown, and not stored.)
IGNORED_FIELDS: tuple[str, ...] = (
    "Birth Date",
    "Date of Birth",
    "Birth Year",
    "Event Number",
    "Event ID",
    "Unique Identifier",
    "Unique ID",
    "Anonymized Identifier",
    "Alien File Number",
    "EID Case ID",
    "EID Subject ID",
    "Case ID",
    "Subject ID",
    "Detention ID",
    "EID DTA ID",
    "Arrest Created By",
)

# Columns the atlas recognises but does not use yet: skipped, and not reported as unknown.
UNUSED_FIELDS: tuple[str, ...] = (
    "Apprehension County",
    "Final Program",
    "Final Program Group",
    "Case Status",
    "Case Category",
    "Departure Country",
    "Final Order Yes No",
    "Final Order Date",
    "Data Source",
)

# The field name a column map gives a column to skip it on purpose.
IGNORE = "ignore"


def header_key(cell: object) -> str:
    """Normalise a header cell for matching: case, spacing and punctuation do not count."""
    text = "" if cell is None else str(cell)
    return re.sub(r"[^a-z0-9()]+", " ", text.lower()).strip()


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
    TableKind(
        "detainers",
        frozenset({"detainer_date", "lift_reason"}),
        frozenset({"aor", "detainer_date"}),
        "detainer_date",
        ("detainer",),
    ),
    TableKind(
        "book_ins",  # detention stints: one row per stay in one facility (DDP "detentions")
        frozenset({"book_in_date"}),
        frozenset({"aor", "book_in_date"}),
        "book_in_date",
        ("detention", "book"),
    ),
)


@dataclass(frozen=True)
class HeaderMatch:
    """A header row read against the synonyms table."""

    fields: dict[str, int]  # source field -> column index
    ignored: tuple[int, ...]  # column indexes known and not stored
    unknown: tuple[tuple[int, str], ...]  # (column index, header text) matching nothing
    blank: tuple[int, ...]  # column indexes with an empty header cell


@dataclass(frozen=True)
class Layout:
    """The synonyms table in force: the package's spellings, plus the spellings of a user's
    column map (``ingest --columns MAP.yaml``), and whether an unknown column stops the ingest.
    A spelling's position in its field's list is its priority: where two columns map to one
    field (DDP detainers carry an empty ``detention_facility`` beside ``detainer_facility``),
    the earlier spelling is read and the other is skipped."""

    spellings: tuple[tuple[str, str, int], ...]  # (header key, field, priority)
    ignored_keys: frozenset[str]
    strict: bool = False

    @classmethod
    def default(cls) -> Layout:
        return cls(
            tuple(
                (header_key(spelling), field, rank)
                for field, names in SOURCE_FIELDS.items()
                for rank, spelling in enumerate(names)
            ),
            frozenset(header_key(name) for name in (*IGNORED_FIELDS, *UNUSED_FIELDS)),
        )

    def with_columns(self, column_map: dict[str, str], *, strict: bool | None = None) -> Layout:
        """This layout plus a user's spellings (``ignore`` skips a column on purpose); a user's
        spelling comes before the package's for its field."""
        added = tuple(
            (header_key(name), field, -1) for name, field in column_map.items() if field != IGNORE
        )
        skipped = {header_key(name) for name, field in column_map.items() if field == IGNORE}
        mapped = {key for key, _, _ in added} | skipped
        kept = tuple(entry for entry in self.spellings if entry[0] not in mapped)
        return Layout(
            added + kept,
            (self.ignored_keys - mapped) | frozenset(skipped),
            self.strict if strict is None else strict,
        )

    def match_header(self, cells: Sequence[object]) -> HeaderMatch:
        by_key = {key: (field, rank) for key, field, rank in self.spellings}
        best: dict[str, tuple[int, int]] = {}  # field -> (priority, column index)
        ignored: list[int] = []
        unknown: list[tuple[int, str]] = []
        blank: list[int] = []
        for index, cell in enumerate(cells):
            key = header_key(cell)
            if not key:
                blank.append(index)
            elif key in self.ignored_keys:
                ignored.append(index)
            elif key in by_key:
                field, rank = by_key[key]
                if field in best and best[field] <= (rank, index):
                    ignored.append(index)  # a second column for a field already read
                else:
                    if field in best:
                        ignored.append(best[field][1])
                    best[field] = (rank, index)
            else:
                unknown.append((index, str(cell).strip()))
        fields = {field: index for field, (_, index) in sorted(best.items(), key=lambda x: x[1][1])}
        return HeaderMatch(fields, tuple(sorted(ignored)), tuple(unknown), tuple(blank))

    def header_score(self, cells: Sequence[object]) -> int:
        """How many cells of a candidate row are known column names (the header scores
        highest)."""
        match = self.match_header(cells)
        return len(match.fields) + len(match.ignored)


DEFAULT_LAYOUT = Layout.default()


def match_header(cells: Sequence[object]) -> HeaderMatch:
    return DEFAULT_LAYOUT.match_header(cells)


def header_score(cells: Sequence[object]) -> int:
    return DEFAULT_LAYOUT.header_score(cells)


def detect_kind(match: HeaderMatch, title: str | None) -> TableKind | None:
    """The table a header describes, from its columns; the banner title breaks a tie.
    ``None`` when no kind fits.

    Arrests: an arrest method, or an apprehension date beside a landmark (an arrest layout
    that lost its method column is still an arrest layout, and then fails as incomplete).
    Detainers: a detainer prepare date or lift reason; detention stints: a book-in date (both
    also carry arrest fields, so they are tested first). Removals: removal-only fields.
    Encounters: an event date, or a landmark without an
    apprehension date (the Seattle encounter sheets have no date column at all).
    """
    present = set(match.fields)
    by_name = {kind.name: kind for kind in TABLE_KINDS}
    # A detainer or a detention stint also carries the arrest's method and dates: its own
    # date field decides first.
    if present & by_name["detainers"].signature:
        return by_name["detainers"]
    if "book_in_date" in present:
        return by_name["book_ins"]
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
