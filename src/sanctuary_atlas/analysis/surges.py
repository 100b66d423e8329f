"""Claim checks for the enforcement surges of the public record: the 2020 deployment of CBP
officers to nine sanctuary cities, and the 2025-26 operations (Los Angeles, Chicago,
Charlotte, New Orleans, the Twin Cities). Operations, their AORs and dates come from the cited
registry (``policies.operations``); the figures are published cells only.

What the records can show: people held in ICE detention, by the AOR of the facility, month by
month (to February 2026), and ICE's own count of initial book-ins, for the nation only. What
they cannot: arrests by AOR after September 2019, where a person held was arrested, or what
would have happened without the operation.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from sanctuary_atlas.analysis.claim_check import STATEMENTS, ClaimCheck
from sanctuary_atlas.analysis.comparisons import compare
from sanctuary_atlas.measures.api import MeasuresAPI
from sanctuary_atlas.measures.periods import NoDataError, measure_span
from sanctuary_atlas.policies.operations import Operation, operation, operations
from sanctuary_atlas.store import Store

NATIONAL_BOOK_INS = "ICE book-ins, nation"


def _month_before(day: date) -> date:
    return date(day.year - (day.month == 1), 12 if day.month == 1 else day.month - 1, 1)


def _last_month(store: Store, measure: str) -> date | None:
    try:
        return measure_span(store, measure)[1]
    except NoDataError:
        return None


def _national_book_ins(store: Store, start: date, end: date) -> pl.DataFrame:
    """month, group, value, index: ICE's national book-ins of people ICE arrested, indexed to
    the first month (empty where the store has no ICE statistics)."""
    if _last_month(store, "book_ins_ice") is None:
        return pl.DataFrame()
    frame = MeasuresAPI(store).panel("nation", ["book_ins_ice"], start, end)
    return frame.select(
        "month",
        pl.lit(NATIONAL_BOOK_INS).alias("group"),
        pl.col("book_ins_ice").alias("value"),
        (pl.col("book_ins_ice") / pl.col("book_ins_ice").first() * 100).alias("index"),
    )


def _change(series: pl.DataFrame, group: str, first: date, last: date) -> float | None:
    values = dict(series.filter(pl.col("group") == group).select("month", "value").iter_rows())
    before, after = values.get(first), values.get(last)
    return after / before if before and after is not None else None


def _book_ins_line(book_ins: pl.DataFrame, first: date, last: date) -> str:
    ratio = _change(book_ins, NATIONAL_BOOK_INS, first, last) if book_ins.height else None
    if ratio is None:
        return "ICE's national book-ins are not in this atlas for these months."
    return (
        f"Nationally, ICE book-ins of people ICE arrested were {ratio:.0%} of their "
        f"{first:%B %Y} level in {last:%B %Y} (ICE's statistics give no AOR)."
    )


def surge_2020_claim(store: Store) -> ClaimCheck:
    """(c) The 2020 deployment of CBP officers to nine sanctuary cities."""
    surge = operation("surge_2020")
    start = _month_before(surge.effective_from)
    end = date(surge.effective_from.year, 12, 1)
    detention = compare(
        store, "detained_adp", "surge2020", "rest", level="aor", start=start, end=end, indexed=True
    )
    book_ins = _national_book_ins(store, start, end)
    series = detention.series
    last = series["month"].max() if series.height else None
    shows = []
    for group, label in (("treated", "the nine AORs"), ("control", "the other AORs")):
        ratio = _change(series, group, start, last) if isinstance(last, date) else None
        if ratio is not None and isinstance(last, date):
            shows.append(
                f"People held on an average day in {label}: {ratio:.0%} in {last:%B %Y} of "
                f"their {start:%B %Y} level."
            )
    if isinstance(last, date):
        shows.append(_book_ins_line(book_ins, start, last))
    figures = pl.concat([series, book_ins], how="diagonal_relaxed") if book_ins.height else series
    return ClaimCheck(
        **STATEMENTS["surge_2020"],
        measure="detained_adp (by AOR), book_ins_ice (nation)",
        comparison=f"the AORs {', '.join(surge.aors)} vs the other AORs, {start:%B %Y} to "
        f"{end:%B %Y}, indexed to {start:%B %Y}; deployment {surge.effective_from} to "
        f"{surge.effective_to} ({surge.source_publisher}, {surge.source_date})",
        shows=shows or ["No detention data for 2020 in this atlas."],
        limits=[
            "COVID-19 cut detention and book-ins everywhere from March 2020 (fewer arrests, "
            "releases ordered by courts, border expulsions under Title 42): any surge effect "
            "is mixed with it, and the deployment was planned to end in May.",
            "Detention counts people held, wherever arrested: someone arrested in Chicago may "
            "be held in another AOR's facility.",
            "ICE's book-in statistics have no AOR: the nine AORs' book-ins cannot be told "
            "from the rest.",
            "The arrest records in this atlas end in September 2019, so the surge's arrests "
            "themselves cannot be counted here.",
        ],
        figures=figures,
    )


def _operation_lines(store: Store, op: Operation, last: date) -> tuple[list[str], pl.DataFrame]:
    before = _month_before(op.effective_from)
    result = compare(
        store,
        "detained_adp",
        ",".join(op.aors),
        "rest",
        level="aor",
        start=before,
        end=last,
        indexed=True,
    )
    lines = []
    treated, control = (_change(result.series, g, before, last) for g in ("treated", "control"))
    if treated is not None and control is not None:
        lines.append(
            f"{op.name} (from {op.effective_from}, {'/'.join(op.aors)} AOR): people held "
            f"in {last:%B %Y} were {treated:.0%} of {before:%B %Y} there, {control:.0%} in "
            "the other AORs."
        )
    aors = "/".join(op.aors)
    labelled = result.series.with_columns(
        pl.col("group").replace_strict(
            {"treated": f"{aors} AOR", "control": f"Other AORs (vs {aors})"}
        ),
        pl.lit(op.key).alias("operation"),
    )
    return lines, labelled


def surge_2025_claim(store: Store) -> ClaimCheck:
    """(d) The 2025-26 enforcement operations in named cities."""
    chosen = [o for o in operations() if o.effective_from.year >= 2025]
    last = _last_month(store, "detained_adp")
    shows: list[str] = []
    frames: list[pl.DataFrame] = []
    if last is not None:
        for op in chosen:
            if _month_before(op.effective_from) < last:
                lines, frame = _operation_lines(store, op, last)
                shows += lines
                frames.append(frame)
        first = _month_before(chosen[0].effective_from)
        book_ins = _national_book_ins(store, first, last)
        shows.append(_book_ins_line(book_ins, first, last))
        if book_ins.height:
            frames.append(book_ins)
    return ClaimCheck(
        **STATEMENTS["surge_2025"],
        measure="detained_adp (by AOR), book_ins_ice (nation)",
        comparison="each operation's AOR(s) vs every other AOR, from the month before it "
        "began to the last month with data, indexed to the month before; operations and "
        "dates from the cited registry: "
        + "; ".join(f"{o.name} {o.effective_from} ({o.source_publisher})" for o in chosen),
        shows=shows or ["No detention data after May 2025 in this atlas."],
        limits=[
            "Detention rose everywhere in 2025 (national book-ins and the detained population "
            "grew all year): an operation's AOR is compared with the others, not with what "
            "would have happened without it.",
            "Detention is counted where people are held: people arrested in Chicago, Los "
            "Angeles or Charlotte are often moved to facilities in other AORs (Indiana, "
            "Texas, Louisiana, Georgia), so an operation can raise other AORs' figures.",
            "ICE's book-in statistics have no AOR, and the arrest records in this atlas end "
            "in September 2019: arrests by city are not in these records.",
            "Operation dates come from news reports and reference pages quoting DHS; several "
            "had no announced end. The DDP's count ends in early March 2026.",
        ],
        figures=pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame(),
    )
