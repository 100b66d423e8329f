"""Claim checks: claims from public debate, each put as a question the record can speak to,
with the measure, the comparison, the numbers, and what the data cannot show.

The answer states what the figures are; it never rules on the claim. Figures are sums of
published cells (see ``comparisons``), so a claim check reveals nothing disclosure control hid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict

import polars as pl

from sanctuary_atlas.analysis.comparisons import Comparison, ComparisonError, compare
from sanctuary_atlas.measures.api import MeasuresAPI
from sanctuary_atlas.store import Store


@dataclass(frozen=True)
class ClaimCheck:
    key: str
    claim: str  # the claim as made in public debate, attributed
    question: str  # what the record can answer
    measure: str
    comparison: str
    shows: list[str]  # what the data shows: numbers, no verdict
    limits: list[str]  # what it cannot show
    figures: pl.DataFrame = field(default_factory=pl.DataFrame)
    checked: bool = True  # False: the atlas lacks what the check needs; ``shows`` says what

    def to_dict(self) -> dict[str, Any]:
        figures = self.figures
        if "month" in figures.columns:
            figures = figures.with_columns(pl.col("month").dt.strftime("%Y-%m"))
        return {
            "key": self.key,
            "claim": self.claim,
            "question": self.question,
            "measure": self.measure,
            "comparison": self.comparison,
            "shows": self.shows,
            "limits": self.limits,
            "checked": self.checked,
            "figures": figures.to_dicts(),
        }


# Each claim as made in public debate and the question the record can answer, kept apart from
# the checks so that a claim the atlas cannot check is still stated, with the reason.
class Statement(TypedDict):
    key: str
    claim: str  # the claim as made in public debate, attributed
    question: str  # what the record can answer


STATEMENTS: dict[str, Statement] = {
    "at_large_without_cooperation": {
        "key": "at_large_without_cooperation",
        "claim": "Without local cooperation (jail transfers), ICE must make at-large arrests in "
        "the community instead — the argument ICE officials gave for the 2020 deployment.",
        "question": "In FY2016-2019, was the at-large share of ICE arrests higher in AORs where "
        "most residents lived under a state or local limit on detainers than elsewhere?",
    },
    "detainer_limits_backlog": {
        "key": "detainer_limits_backlog",
        "claim": "Limits on honouring detainers leave people ICE wanted released into the "
        "community, so detainers and custodial arrests fall where limits apply.",
        "question": "Did encounters ending in a detainer, and custodial arrests, change after a "
        "state's detainer limit took effect, compared with states without one?",
    },
    "surge_2020": {
        "key": "surge_2020",
        "claim": "In February 2020 ICE sent extra officers, including Border Patrol tactical "
        "units, to nine sanctuary cities to make at-large arrests; critics called the surge "
        "unnecessary.",
        "question": "How did the number of people held in ICE detention in those nine cities' "
        "AORs move through 2020, compared with the other AORs?",
    },
}


def _group_totals(comparison: Comparison, value: str = "value") -> dict[str, float]:
    totals = comparison.series.group_by("group").agg(pl.col(value).sum())
    return dict(zip(totals["group"], totals[value], strict=True))


# The measures a detainer limit would move, in the order the claim lists them.
BACKLOG_MEASURES = ("arrests_custodial", "encounters_detainer")
# The record's years: the national ERO-LESA release runs from FY2016 to FY2019.
RECORD_START, RECORD_END = date(2015, 10, 1), date(2019, 9, 30)


def _against_detainer_limits(store: Store, measure: str, level: str) -> Comparison:
    """``measure`` where limits_detainers was in force at some time in the record vs the rest."""
    return compare(
        store,
        measure,
        "policy:limits_detainers",
        "rest",
        level=level,
        start=RECORD_START,
        end=RECORD_END,
    )


def at_large_share_claim(store: Store) -> ClaimCheck:
    """(a) Without jail transfers ICE must arrest people at large."""
    at_large = _against_detainer_limits(store, "arrests_at_large", "aor")
    arrests = _against_detainer_limits(store, "arrests", "aor")
    num, den = _group_totals(at_large), _group_totals(arrests)
    share = {g: num[g] / den[g] for g in num if den.get(g)}
    figures = (
        at_large.series.select("month", "group", pl.col("value").alias("at_large"))
        .join(
            arrests.series.select("month", "group", pl.col("value").alias("arrests")),
            on=["month", "group"],
        )
        .with_columns((pl.col("at_large") / pl.col("arrests")).alias("at_large_share"))
    )
    return ClaimCheck(
        **STATEMENTS["at_large_without_cooperation"],
        measure="arrests_at_large / arrests",
        comparison="AORs where at least half the residents lived under a limits_detainers "
        f"policy at some time in the period ({', '.join(at_large.treated)}) vs the other AORs",
        shows=[
            f"At-large share, FY2016-2019: {share.get('treated', float('nan')):.1%} in the AORs "
            f"with detainer limits, {share.get('control', float('nan')):.1%} in the others.",
            f"Arrests counted: {den.get('treated', 0):,.0f} and {den.get('control', 0):,.0f}.",
        ],
        limits=[
            "AORs span several states; an AOR is grouped by where most of its residents live.",
            "A difference in shares is not an effect: AORs differ in many ways besides policy, "
            "and several limits predate the data (see `estimate` for adoption within the data).",
            "The arrest method is ICE's own record; 'Located' and 'Non-Custodial Arrest' are "
            "read as at large, CAP and 287(g) as custodial (see the methods page).",
            "Months with a withheld cell count only their published cells.",
        ],
        figures=figures,
    )


def detainer_backlog_claim(store: Store) -> ClaimCheck:
    """(b) Detainer limits leave a backlog of people released instead of transferred."""
    detainers = _against_detainer_limits(store, "encounters_detainer", "state")
    custodial = _against_detainer_limits(store, "arrests_custodial", "state")
    adoptions = detainers.policy_dates.filter(pl.col("kind") == "limits_detainers")
    shows = []
    for area, adopted in adoptions.select("area_code", "effective_from").iter_rows():
        # published months only: a withheld month is unknown, not zero
        panel = MeasuresAPI(store).panel("state", list(BACKLOG_MEASURES), areas=[area])
        earlier = panel["month"] < adopted
        for measure in BACKLOG_MEASURES:
            before = panel.filter(earlier)[measure].cast(pl.Float64).mean()
            after = panel.filter(~earlier)[measure].cast(pl.Float64).mean()
            if isinstance(before, float) and isinstance(after, float):
                shows.append(
                    f"{area}, limit from {adopted}: {measure} averaged {before:,.0f} a month "
                    f"before and {after:,.0f} after (published months only)."
                )
    return ClaimCheck(
        **STATEMENTS["detainer_limits_backlog"],
        measure="encounters_detainer, arrests_custodial",
        comparison=f"states adopting limits_detainers in FY2016-2019 "
        f"({', '.join(adoptions['area_code'].unique().sort().to_list())}) before vs after; "
        "all other states as the comparison series",
        shows=shows or ["No state adopted a detainer limit inside the data's months."],
        limits=[
            "Before/after averages are not effects: national enforcement changed in 2017 for "
            "every state (run `estimate --policy limits_detainers` for a staggered "
            "difference-in-differences with its pre-trend test).",
            "There is no national encounters file for FY2018: detainers are missing for "
            "October 2017 - September 2018.",
            "A detainer lodged says nothing of whether it was honoured; releases are not in "
            "these records.",
            "Encounters are placed in a state by their landmark text; unplaced ones are left "
            "out of state figures.",
        ],
        figures=detainers.series.join(
            custodial.series.select("month", "group", pl.col("value").alias("custodial")),
            on=["month", "group"],
            how="left",
        ).rename({"value": "detainers"}),
    )


def surge_2020_claim(store: Store) -> ClaimCheck:
    """(c) The 2020 deployment of extra agents to nine sanctuary cities."""
    start, end = date(2020, 1, 1), date(2020, 12, 31)
    detention = compare(
        store, "detained_adp", "surge2020", "rest", level="aor", start=start, end=end, indexed=True
    )
    series = detention.series
    by_group = {
        g: series.filter(pl.col("group") == g).sort("month")["value"].to_list()
        for g in ("treated", "control")
    }
    shows = []
    for group, label in (("treated", "the nine AORs"), ("control", "the other AORs")):
        values = by_group.get(group) or []
        if len(values) >= 2 and values[0]:
            shows.append(
                f"People held on an average day in {label}: {values[0]:,.0f} in January 2020, "
                f"{values[-1]:,.0f} in the last month with data ({values[-1] / values[0]:.0%} "
                "of January)."
            )
    return ClaimCheck(
        **STATEMENTS["surge_2020"],
        measure="detained_adp",
        comparison="the AORs of Boston, New York, Detroit, Chicago, San Francisco, Los Angeles, "
        "Atlanta, New Orleans and Newark vs the other AORs, January-December 2020, indexed to "
        "January",
        shows=shows or ["No detention data for 2020 in this atlas."],
        limits=[
            "COVID-19 cut detention everywhere from March 2020; any surge effect is mixed with it.",
            "Detention counts people held, wherever arrested: someone arrested in Chicago may "
            "be held in another AOR's facility.",
            "The arrest records in this atlas end in September 2019, so the surge's arrests "
            "themselves cannot be counted here.",
        ],
        figures=series,
    )


CLAIMS: dict[str, Callable[[Store], ClaimCheck]] = {
    "at_large_without_cooperation": at_large_share_claim,
    "detainer_limits_backlog": detainer_backlog_claim,
    "surge_2020": surge_2020_claim,
}


def check_claim(store: Store, key: str) -> ClaimCheck:
    """The check of claim ``key``; a claim this atlas cannot check (no policy registry loaded,
    no area in a set) is stated with the reason instead of a figure."""
    try:
        return CLAIMS[key](store)
    except ComparisonError as exc:
        return ClaimCheck(
            **STATEMENTS[key],
            measure="",
            comparison="",
            shows=[f"This claim cannot be checked in this atlas: {exc}."],
            limits=[],
            checked=False,
        )


def check_claims(store: Store) -> list[ClaimCheck]:
    return [check_claim(store, key) for key in CLAIMS]
