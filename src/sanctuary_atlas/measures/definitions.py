"""Measures: each defined once, with the plain-language definition users see.

A count measure is a filter on one table's counted events (each event once, after release
precedence) — ``arrests_cap_local`` counts arrests whose method is "CAP Local Incarceration".
``detained_adp`` is the monthly average of the daily detention headcount. Ratio and per-capita
measures are derived from counts after the panel is built; they are never summed.

``PARTITIONS`` states which measures add up exactly to another in the same area and month:
disclosure control needs them, because a published total and all but one published part
would give the suppressed part away.
"""

from __future__ import annotations

from dataclasses import dataclass

from sanctuary_atlas.releases.methods import ARREST_METHODS


@dataclass(frozen=True)
class Measure:
    name: str
    label: str
    definition: str
    table: str  # arrests | encounters | removals | detainers | detention | ice_book_ins | ice_adp
    condition: str  # SQL on the table's *_counted view; TRUE for every event
    kind: str = "count"  # count | average (people held)


def _methods(detail: str) -> str:
    names = [name for name, (_, d) in ARREST_METHODS.items() if d == detail]
    quoted = ", ".join("'" + name.replace("'", "''") + "'" for name in names)
    return f"method IN ({quoted})"


STATS_SOURCE = "FY2019 onwards, ice.gov detention management"
STATS_DERIVATION = (
    "Each month from the spreadsheet that counts for its fiscal year (the one reaching the "
    "latest month; spreadsheets carrying another year's table under their label are left "
    "out), whole months only (September 2021, 2022 and 2025 have none: no spreadsheet "
    "pulled after them); read from the monthly table, not by differencing year-to-date "
    "totals."
)

_CUSTODIAL_DETAILS = ("cap_local", "cap_state", "cap_federal", "287g")
_AT_LARGE_DETAILS = ("located", "non_custodial")

COUNT_MEASURES: tuple[Measure, ...] = (
    Measure(
        "arrests",
        "ICE administrative arrests",
        "Every ICE ERO administrative arrest in the period and area.",
        "arrests",
        "TRUE",
    ),
    Measure(
        "arrests_custodial",
        "Custodial arrests",
        "Arrests of people taken from another agency's custody: a jail or prison through "
        "the Criminal Alien Program, the 287(g) program, or a hand-over.",
        "arrests",
        "method_class = 'custodial'",
    ),
    Measure(
        "arrests_at_large",
        "At-large arrests",
        "Arrests in the community: 'Located' (fugitive and targeted operations), "
        "non-custodial arrests, probation and parole, worksite and traffic operations.",
        "arrests",
        "method_class = 'at_large'",
    ),
    Measure(
        "arrests_other",
        "Other arrests",
        "Arrests whose method does not say whether the person was in custody: border "
        "and port operations, task forces, re-processed arrests.",
        "arrests",
        "method_class = 'other'",
    ),
    Measure(
        "arrests_cap_local",
        "Custodial: CAP local jails",
        "Arrests through the Criminal Alien Program in local (county or city) jails.",
        "arrests",
        _methods("cap_local"),
    ),
    Measure(
        "arrests_cap_state",
        "Custodial: CAP state prisons",
        "Arrests through the Criminal Alien Program in state prisons.",
        "arrests",
        _methods("cap_state"),
    ),
    Measure(
        "arrests_cap_federal",
        "Custodial: CAP federal prisons",
        "Arrests through the Criminal Alien Program in federal prisons.",
        "arrests",
        _methods("cap_federal"),
    ),
    Measure(
        "arrests_287g",
        "Custodial: 287(g) program",
        "Arrests through a 287(g) agreement with a local law enforcement agency.",
        "arrests",
        _methods("287g"),
    ),
    Measure(
        "arrests_custodial_other",
        "Custodial: other",
        "Custodial arrests not in the four kinds above (CAP unspecified, hand-overs).",
        "arrests",
        "method_class = 'custodial' AND NOT ("
        + " OR ".join(_methods(d) for d in _CUSTODIAL_DETAILS)
        + ")",
    ),
    Measure(
        "arrests_located",
        "At large: located",
        "Arrests recorded as 'Located': fugitive operations and targeted arrests.",
        "arrests",
        _methods("located"),
    ),
    Measure(
        "arrests_non_custodial",
        "At large: non-custodial",
        "Arrests recorded as 'Non-Custodial Arrest'.",
        "arrests",
        _methods("non_custodial"),
    ),
    Measure(
        "arrests_at_large_other",
        "At large: other",
        "At-large arrests that are neither 'Located' nor 'Non-Custodial Arrest' (probation "
        "and parole, worksite, traffic check, interior patrol).",
        "arrests",
        "method_class = 'at_large' AND NOT ("
        + " OR ".join(_methods(d) for d in _AT_LARGE_DETAILS)
        + ")",
    ),
    Measure(
        "encounters",
        "ICE encounters",
        "Every ERO encounter (a person ICE identified, whatever followed).",
        "encounters",
        "TRUE",
    ),
    Measure(
        "encounters_detainer",
        "Encounters ending in a detainer",
        "Encounters whose processing disposition is 'Detainer': ICE lodged a detainer "
        "asking the holding agency to keep the person for transfer.",
        "encounters",
        "disposition = 'Detainer'",
    ),
    Measure(
        "detainers",
        "Detainers issued",
        "Detainers (requests to hold a person for ICE) issued to a jail or prison in the area, "
        "by the date ICE prepared them; placed by the detention facility the detainer names. "
        "Only releases of detainer records (such as the Deportation Data Project's) have them.",
        "detainers",
        "TRUE",
    ),
    Measure(
        "detainers_declined",
        "Detainers declined",
        "Detainers whose recorded lift reason says the receiving agency declined them. Only "
        "releases that record how a detainer ended can show it.",
        "detainers",
        "lift_reason ILIKE '%declin%'",
    ),
    Measure(
        "removals",
        "Removals",
        "Removals (deportations) by ICE, by removal date. Removals carry no place below "
        "the AOR, so they exist at nation and AOR level only.",
        "removals",
        "TRUE",
    ),
    Measure(
        "detained_adp",
        "People in detention (average daily)",
        "The monthly average of the daily number of people held in ICE detention "
        "facilities in the area (facilities placed by their county). UWCHR's headcount from "
        "2005-09 and the Deportation Data Project's midnight count to 2026-02, one release "
        "per facility-month where both cover it (the one with more days holding someone; on "
        "a tie the midnight count). Facilities the facility list lacks are placed by their "
        "name in ICE's facility tables.",
        "detention",
        "TRUE",
        kind="average",
    ),
    *(
        Measure(
            name,
            label,
            f"{what} National only: ICE's detention statistics (bi-weekly spreadsheets, "
            f"{STATS_SOURCE}) give no place. {STATS_DERIVATION}",
            "ice_book_ins",
            "TRUE",
        )
        for name, label, what in (
            (
                "book_ins",
                "Initial book-ins into ICE detention",
                "Initial book-ins into ICE detention in the month, all arresting agencies "
                "(ICE's 'Total' row).",
            ),
            (
                "book_ins_ice",
                "Initial book-ins: arrested by ICE",
                "Initial book-ins into ICE detention of people arrested by ICE.",
            ),
            (
                "book_ins_cbp",
                "Initial book-ins: arrested by CBP",
                "Initial book-ins into ICE detention of people arrested by CBP (Border Patrol "
                "and ports of entry).",
            ),
        )
    ),
    *(
        Measure(
            name,
            label,
            f"{what} National only: ICE's detention statistics ({STATS_SOURCE}), as ICE "
            f"computes it. {STATS_DERIVATION}",
            "ice_adp",
            "TRUE",
            kind="average",
        )
        for name, label, what in (
            (
                "ice_adp",
                "People in detention, ICE's own figure (average daily)",
                "ICE's average daily population in detention for the month ('Average' row).",
            ),
            (
                "ice_adp_ice",
                "ICE's average daily population: arrested by ICE",
                "ICE's average daily population in detention of people arrested by ICE.",
            ),
            (
                "ice_adp_cbp",
                "ICE's average daily population: arrested by CBP",
                "ICE's average daily population in detention of people arrested by CBP.",
            ),
        )
    ),
    Measure(
        "atd_enrolled",
        "People in alternatives to detention (ATD)",
        "People enrolled in ICE's Alternatives to Detention programme (SmartLINK, GPS, ankle "
        "monitors, telephone check-ins) on the day ICE's statistics were pulled: the last pull in "
        f"the month, by AOR ({STATS_SOURCE}; FY2020 onwards). A headcount on one day, not an "
        "average: a period's figure is the mean of its months' counts. Placed no lower than the "
        "AOR; Harlingen's office is counted in San Antonio, whose area held its counties. Months "
        "without a pull, and tables ICE filed under another year or date, have no figure (the "
        "release's report names every table left out).",
        "ice_atd",
        "TRUE",
        kind="average",
    ),
)

# Measures with no place: they exist at nation level only, never as remainder cells below it.
NATION_ONLY_TABLES = frozenset({"ice_book_ins", "ice_adp"})

# parent -> parts that add up to it exactly, in the same area and month
PARTITIONS: dict[str, tuple[str, ...]] = {
    "arrests": ("arrests_custodial", "arrests_at_large", "arrests_other"),
    "arrests_custodial": (
        "arrests_cap_local",
        "arrests_cap_state",
        "arrests_cap_federal",
        "arrests_287g",
        "arrests_custodial_other",
    ),
    "arrests_at_large": ("arrests_located", "arrests_non_custodial", "arrests_at_large_other"),
    "book_ins": ("book_ins_ice", "book_ins_cbp"),
}


@dataclass(frozen=True)
class DerivedMeasure:
    name: str
    label: str
    definition: str
    numerator: str
    denominator: str | None  # None: per 100,000 residents
    scale: float


DERIVED_MEASURES: tuple[DerivedMeasure, ...] = (
    DerivedMeasure(
        "at_large_share",
        "At-large share of arrests",
        "At-large arrests divided by all arrests.",
        "arrests_at_large",
        "arrests",
        1.0,
    ),
    DerivedMeasure(
        "detainer_share",
        "Share of encounters ending in a detainer",
        "Encounters ending in a detainer divided by all encounters.",
        "encounters_detainer",
        "encounters",
        1.0,
    ),
    DerivedMeasure(
        "detainer_declined_share",
        "Share of detainers declined",
        "Detainers declined divided by detainers issued.",
        "detainers_declined",
        "detainers",
        1.0,
    ),
    *(
        DerivedMeasure(
            f"{m.name}_per_100k",
            f"{m.label} per 100,000 residents",
            f"{m.definition} Per 100,000 residents: the Census county estimate of the "
            "month's own year (vintage 2019 for 2016-2019, vintage 2024 for 2020-2024), the "
            "earliest year for earlier months and the latest for later ones. Connecticut's "
            "counties have no estimate after 2019 (its planning regions replace them): no "
            "county figure there, but the regions count in the state, AOR and nation.",
            m.name,
            None,
            100_000.0,
        )
        for m in COUNT_MEASURES
    ),
)

MEASURES_BY_NAME: dict[str, Measure] = {m.name: m for m in COUNT_MEASURES}
# Removals and ATD carry no place below the AOR in any release the atlas reads.
UNPLACED_TABLES = frozenset({"removals", "ice_atd"})
DERIVED_BY_NAME: dict[str, DerivedMeasure] = {m.name: m for m in DERIVED_MEASURES}
_LEVEL_ORDER = ("nation", "aor", "state", "county")


def finest_level(name: str) -> str:
    """The lowest level a measure (or the count a derived one comes from) has figures at:
    ICE's national statistics the nation, removals and ATD the AOR, the rest the county."""
    base = DERIVED_BY_NAME[name].numerator if name in DERIVED_BY_NAME else name
    table = MEASURES_BY_NAME[base].table
    return (
        "nation" if table in NATION_ONLY_TABLES else "aor" if table in UNPLACED_TABLES else "county"
    )


def reaches_level(name: str, level: str) -> bool:
    return _LEVEL_ORDER.index(level) <= _LEVEL_ORDER.index(finest_level(name))


def is_bounded(name: str) -> bool:
    """Event counts placed down to the county get upper bounds (issue 16): the events of the
    enclosing AOR placed in no state could lie in any of its states. People held (an average
    by facility) are not events an arrest landmark failed to place, so they get none."""
    measure = MEASURES_BY_NAME.get(name)
    return measure is not None and measure.kind == "count" and finest_level(name) == "county"


class UnknownMeasureError(ValueError):
    """A measure name that is not defined."""


def check_measures(names: list[str]) -> list[str]:
    known = [*MEASURES_BY_NAME, *DERIVED_BY_NAME]
    for name in names:
        if name not in MEASURES_BY_NAME and name not in DERIVED_BY_NAME:
            raise UnknownMeasureError(
                f"unknown measure {name!r}; known measures: {', '.join(known)}"
            )
    return names


def definitions() -> list[dict[str, str]]:
    """Every measure with its label and definition, for users."""
    rows = [
        {"measure": m.name, "label": m.label, "definition": m.definition, "kind": m.kind}
        for m in COUNT_MEASURES
    ]
    rows += [
        {
            "measure": d.name,
            "label": d.label,
            "definition": d.definition,
            "kind": "share" if d.denominator else "per_100k",
        }
        for d in DERIVED_MEASURES
    ]
    return rows
