"""Claim checks: claims from public debate, each put as a question the record can speak to,
with the measure, the comparison, the numbers, and what the data cannot show.

The answer states what the figures are; it never rules on the claim. Figures are sums of
published cells (see ``comparisons``), so a claim check reveals nothing disclosure control hid.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from sanctuary_atlas.analysis.claim_check import STATEMENTS, ClaimCheck
from sanctuary_atlas.analysis.comparisons import Comparison, ComparisonError, compare
from sanctuary_atlas.analysis.surges import surge_2020_claim, surge_2025_claim
from sanctuary_atlas.measures.api import MeasuresAPI
from sanctuary_atlas.measures.periods import NoDataError, measure_span
from sanctuary_atlas.store import Store

# The measures a detainer limit would move, in the order the claim lists them.
BACKLOG_MEASURES = ("arrests_custodial", "encounters_detainer")


def _group_totals(comparison: Comparison, value: str = "value") -> dict[str, float]:
    totals = comparison.series.group_by("group").agg(pl.col(value).sum())
    return dict(zip(totals["group"], totals[value], strict=True))


def _against_detainer_limits(store: Store, measure: str, level: str) -> Comparison:
    """``measure`` where limits_detainers was in force at some time in the record vs the rest,
    over every month the store has the measure for (the arrest records: FY2016-2019)."""
    start, end = measure_span(store, measure)
    return compare(
        store, measure, "policy:limits_detainers", "rest", level=level, start=start, end=end
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
            "Months with a suppressed cell count only their published cells.",
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


CLAIMS: dict[str, Callable[[Store], ClaimCheck]] = {
    "at_large_without_cooperation": at_large_share_claim,
    "detainer_limits_backlog": detainer_backlog_claim,
    "surge_2020": surge_2020_claim,
    "surge_2025": surge_2025_claim,
}


def check_claim(store: Store, key: str) -> ClaimCheck:
    """The check of claim ``key``; a claim this atlas cannot check (no policy registry loaded,
    no area in a set, no release of a measure it needs) is stated with the reason instead of a
    figure."""
    try:
        return CLAIMS[key](store)
    except (ComparisonError, NoDataError) as exc:
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
