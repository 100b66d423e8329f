"""Where the figures come from and what they cannot say: release coverage, withheld cells,
caveats, sources and licences. Shared by the area and claims reports."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

import sanctuary_atlas
from sanctuary_atlas.atlas import Atlas
from sanctuary_atlas.measures.areas import Area

ABOUT = (
    "Sanctuary Atlas turns ICE's public records — FOIA releases of arrests, encounters and "
    "removals, the daily detention population, ICE's detention statistics, 287(g) agreements "
    "and local policies — into aggregates by area and month. It never tracks, locates or "
    "identifies a person. It shows the record and its uncertainty; it does not judge whether a "
    "policy is right or whether it worked."
)

SOURCES = [
    (
        "ICE ERO-LESA releases (arrests, encounters, removals), FOIA 2019-ICFO-53623 and "
        "2018-ICFO-36170, obtained by the University of Washington Center for Human Rights",
        "records of a federal agency, public",
    ),
    ("UWCHR daily ICE detention headcount and facility list", "public"),
    (
        "People detained per facility and day, 2022-2026: government data provided by ICE in "
        "response to a FOIA request, processed by the Deportation Data Project",
        "CC0",
    ),
    ("ICE detention statistics (book-ins, average daily population), FY2019-2026", "public"),
    ("Enforcement operations: the news reports cited in data/policies/operations.yaml", "cited"),
    ("ICE 287(g) program lists; Secure Communities activation dates", "public"),
    ("DHS list of sanctuary jurisdictions, 29 May 2025", "public"),
    ("Deportation Data Project AOR table", "CC0"),
    ("U.S. Census Bureau population estimates (vintages 2019 and 2024)", "public domain"),
    ("HIFLD local law-enforcement locations", "public domain"),
    ("County and state shapes: us-atlas (from Census cartographic boundaries)", "ISC"),
    ("Sanctuary Atlas code", "Apache-2.0"),
]


def release_coverage(atlas: Atlas) -> list[dict[str, Any]]:
    """One row per release with the months it covers; the facility list covers none."""
    frame = atlas.releases().filter(pl.col("coverage_start").is_not_null())
    return (
        frame.select(
            "file_name",
            "sheet",
            "table_name",
            "foia_number",
            "coverage_start",
            "coverage_end",
            "is_complete",
            "scope_aors",
        )
        .sort("table_name", "coverage_start")
        .to_dicts()
    )


def threshold(atlas: Atlas) -> int:
    return int(atlas.measures.threshold)


def atlas_withheld(atlas: Atlas) -> tuple[int, int] | None:
    """(withheld, cells) over the whole published panel, as its last build recorded."""
    stats = atlas.measures.build_stats()
    if not stats:
        return None
    return int(str(stats["suppressed"])), int(str(stats["cells"]))


def caveats(area: Area | None) -> list[str]:
    found = [
        "Counts are ICE's own records as released under FOIA; they show what ICE recorded, "
        "not everything that happened.",
        "Figures below the disclosure threshold are withheld, and so are a few larger ones "
        "that would let a withheld figure be worked out. Withheld months are gaps in the "
        "charts; totals add up the published months only and say so.",
        "A month no release covers whole has no figure: there is no national encounters file "
        "for FY2018 (October 2017 to September 2018), and FY2019 ends in August 2019.",
        "Custodial and at-large are read from ICE's arrest method: CAP and 287(g) as "
        "custodial; 'Located' and 'Non-Custodial Arrest' as at large; others (task forces, "
        "border operations) neither.",
        "A policy date marks when an entry took effect by its source; a change in a series "
        "after it is not, by itself, evidence that the policy caused it.",
    ]
    if area is not None and area.level in ("state", "county"):
        found += [
            "ICE records events by area of responsibility; below that, the atlas places an "
            "event from its landmark text. Events it cannot place count for no county (or "
            "state), so county and state figures are lower bounds.",
            "Removals carry no place below the area of responsibility and are not shown for "
            "states or counties.",
        ]
    if area is not None and area.level != "nation":
        found.append(
            "Detention counts people held in facilities in the area, wherever they were arrested."
        )
    return found


def stamp() -> dict[str, str]:
    return {"generated": f"{date.today():%d %B %Y}", "version": sanctuary_atlas.__version__}
