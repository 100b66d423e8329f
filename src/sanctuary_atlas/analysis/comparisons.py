"""Comparisons: a measure over time for a set of areas against a comparison set.

Group figures are sums of *published* cells only, so a comparison can never reveal a suppressed
cell (a user could otherwise ask for {A, B} and {A} and subtract). Each month says how many
member cells were suppressed, and per-capita figures divide by the residents of the members
that reported. Sets are area codes, or selectors:

- ``policy:KIND`` — areas where KIND is in force at any time in the period (``@YYYY-MM-DD``
  for one day),
- ``surge2020`` — the AORs of the nine cities named in ICE's 2020 deployment (Boston, New York,
  Detroit, Chicago, San Francisco, Los Angeles, Atlanta, New Orleans, Newark),
- ``operation:KEY`` — the AORs of an enforcement operation of the registry
  (``policies.operations``: ``operation:midway_blitz_2025``),
- ``rest`` — every other area of the level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from sanctuary_atlas.analysis.coverage import CoverageError, coverage_caveat
from sanctuary_atlas.analysis.units import adoption
from sanctuary_atlas.measures.api import MeasuresAPI
from sanctuary_atlas.measures.areas import catalogue, is_remainder
from sanctuary_atlas.measures.definitions import MEASURES_BY_NAME
from sanctuary_atlas.measures.panel import LEVELS
from sanctuary_atlas.measures.periods import measure_span
from sanctuary_atlas.measures.published import with_population
from sanctuary_atlas.policies.api import PoliciesAPI
from sanctuary_atlas.policies.operations import operation
from sanctuary_atlas.store import Store

# The AORs of the nine cities of the February 2020 deployment (the operations registry).
SURGE_2020_AORS = operation("surge_2020").aors


class ComparisonError(ValueError):
    """A comparison that cannot be made as asked."""


@dataclass(frozen=True)
class Comparison:
    measure: str
    level: str
    treated: list[str]
    control: list[str]
    series: pl.DataFrame  # month, group, value, members, suppressed_members, [per_100k, index]
    policy_dates: pl.DataFrame  # area_code, kind, effective_from, source_title
    coverage: str | None = None  # state and county level: how complete the figures are

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "level": self.level,
            "treated": self.treated,
            "control": self.control,
            "series": self.series.with_columns(pl.col("month").dt.strftime("%Y-%m")).to_dicts(),
            "policy_dates": self.policy_dates.with_columns(
                pl.col("effective_from").cast(pl.String)
            ).to_dicts(),
            "coverage": self.coverage,
        }


def resolve_set(
    store: Store, spec: str, level: str, start: date, end: date, other: list[str] | None = None
) -> list[str]:
    """Area codes from a comma-separated list of codes and selectors."""
    known = catalogue().codes(level)
    areas: list[str] = []
    for token in (t.strip() for t in spec.split(",") if t.strip()):
        if token == "surge2020":
            if level != "aor":
                raise ComparisonError("surge2020 is a set of AORs: use --level aor")
            areas += SURGE_2020_AORS
        elif token.startswith("operation:"):
            if level != "aor":
                raise ComparisonError(f"{token} is a set of AORs: use --level aor")
            try:
                areas += operation(token.removeprefix("operation:")).aors
            except KeyError as exc:
                raise ComparisonError(str(exc.args[0])) from None
        elif token == "rest":
            if other is None:
                raise ComparisonError("'rest' needs the other set to be given explicitly")
            areas += sorted(a for a in known if a not in other and not is_remainder(a))
        elif token.startswith("policy:"):
            kind, _, day = token.removeprefix("policy:").partition("@")
            first = date.fromisoformat(day) if day else start
            last = date.fromisoformat(day) if day else end
            adopted = adoption(store, kind, level if level != "nation" else "state", first, last)
            areas += adopted.filter(pl.col("first_treated").is_not_null())["unit"].to_list()
        elif token in known:
            areas.append(token)
        else:
            raise ComparisonError(f"unknown {level} area or selector {token!r}")
    return sorted(set(areas))


def _empty_set(spec: str, level: str, start: date, end: date) -> str:
    """Why a set holds no area, in words: a policy selector names a kind no area had."""
    kinds = [t.strip().removeprefix("policy:") for t in spec.split(",") if "policy:" in t]
    unit = "AOR" if level == "aor" else level
    if kinds:
        return (
            f"no {unit} had a {' or '.join(kinds)} policy in force between {start:%B %Y} and "
            f"{end:%B %Y} in this atlas's policy registry (an atlas built with `ingest` alone "
            "has none: load it with `sanctuary-atlas policies load-defaults`)"
        )
    return f"the set {spec!r} holds no {unit}"


def compare(
    store: Store,
    measure: str,
    treated_spec: str,
    control_spec: str,
    *,
    level: str = "state",
    start: date | None = None,
    end: date | None = None,
    indexed: bool = False,
) -> Comparison:
    """``start``/``end`` default to the first and last month the store has the measure for."""
    if measure not in MEASURES_BY_NAME:
        raise ComparisonError(f"compare takes a count measure, not {measure!r}")
    if level not in LEVELS:
        raise ComparisonError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    if start is None or end is None:
        first, last = measure_span(store, measure)
        start, end = start or first, end or last
    treated = resolve_set(store, treated_spec, level, start, end)
    control = resolve_set(store, control_spec, level, start, end, other=treated)
    for spec, areas in ((treated_spec, treated), (control_spec, control)):
        if not areas:
            raise ComparisonError(_empty_set(spec, level, start, end))
    overlap = sorted(set(treated) & set(control))
    if overlap:
        raise ComparisonError(f"areas in both sets: {', '.join(overlap)}")
    try:
        covered = coverage_caveat(store, level, measure, start, end, treated + control)
    except CoverageError as exc:
        raise ComparisonError(str(exc)) from exc
    panel = MeasuresAPI(store).panel(level, [measure], start, end, treated + control)
    rows = with_population(panel, level).with_columns(
        pl.when(pl.col("area_code").is_in(treated))
        .then(pl.lit("treated"))
        .otherwise(pl.lit("control"))
        .alias("group"),
    )
    series = (
        rows.group_by("month", "group")
        .agg(
            pl.col(measure).sum().alias("value"),
            pl.len().alias("members"),
            pl.col(measure).null_count().alias("suppressed_members"),
            pl.col("population").filter(pl.col(measure).is_not_null()).sum().alias("residents"),
        )
        .with_columns((pl.col("value") / pl.col("residents") * 100_000).alias("per_100k"))
        .sort("group", "month")
    )
    if indexed:
        series = series.with_columns(
            (pl.col("value") / pl.col("value").first().over("group") * 100).alias("index")
        )
    return Comparison(
        measure,
        level,
        treated,
        control,
        series,
        _policy_dates(store, treated, level, start, end),
        covered,
    )


def _policy_dates(
    store: Store, areas: list[str], level: str, start: date, end: date
) -> pl.DataFrame:
    """Policy changes of the treated areas inside the period, to mark on a chart."""
    entries = PoliciesAPI(store).entries()
    schema = {
        "area_code": pl.String,
        "kind": pl.String,
        "effective_from": pl.Date,
        "source_title": pl.String,
    }
    if level not in ("state", "county") or entries.is_empty():
        return pl.DataFrame(schema=schema)
    if level == "state":
        from sanctuary_atlas.geography.reference import load_states

        usps = load_states().select(
            pl.col("state_fips").alias("jurisdiction_fips"), pl.col("usps").alias("area_code")
        )
        marked = entries.join(usps, on="jurisdiction_fips")
    else:
        marked = entries.with_columns(pl.col("jurisdiction_fips").alias("area_code"))
    return (
        marked.filter(
            pl.col("area_code").is_in(areas) & pl.col("effective_from").is_between(start, end)
        )
        .select("area_code", "kind", "effective_from", "source_title")
        .sort("effective_from")
    )
