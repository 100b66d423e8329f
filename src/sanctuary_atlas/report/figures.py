"""The numbers a report prints, all from ``atlas.measures.panel`` (disclosure control applied):
series, headline totals, withheld cells and the share of events placed below the AOR."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from sanctuary_atlas.atlas import Atlas
from sanctuary_atlas.geography.reference import load_states
from sanctuary_atlas.measures.areas import Area
from sanctuary_atlas.measures.bounds import BOUND_PARTS
from sanctuary_atlas.measures.definitions import DERIVED_BY_NAME, MEASURES_BY_NAME, reaches_level
from sanctuary_atlas.measures.panel import NATION
from sanctuary_atlas.report.charts import span_label


@dataclass(frozen=True)
class Period:
    start: date | None
    end: date | None


@dataclass(frozen=True)
class Headline:
    label: str
    value: str  # formatted; "withheld" when most months are
    note: str


def measure_label(name: str) -> str:
    found = MEASURES_BY_NAME.get(name) or DERIVED_BY_NAME.get(name)
    return found.label if found else name


def measure_kind(name: str) -> str:
    if name in MEASURES_BY_NAME:
        return MEASURES_BY_NAME[name].kind
    derived = DERIVED_BY_NAME[name]
    return "share" if derived.denominator else "per_100k"


def available(area: Area, measure: str) -> bool:
    """Whether the level has the measure at all (removals: nation and AOR only)."""
    return reaches_level(measure, area.level)


class Figures:
    """Published series of one atlas, fetched once per (area, measure)."""

    def __init__(self, atlas: Atlas, period: Period):
        self.atlas = atlas
        self.period = period
        self._cache: dict[tuple[str, str, str], pl.DataFrame] = {}

    def series(self, area: Area, measure: str) -> pl.DataFrame:
        """month, value (null: withheld) and, at state and county level, the bound's parts: one
        measure at a time, so that every null is a withheld cell and not a month another
        measure's releases cover."""
        key = (area.level, area.code, measure)
        if key not in self._cache:
            frame = self.atlas.measures.panel(
                area.level, [measure], self.period.start, self.period.end, [area.code], True
            )
            extra = [
                pl.col(f"{measure}_{suffix}").alias(suffix)
                for suffix in BOUND_PARTS
                if f"{measure}_{suffix}" in frame.columns
            ]
            self._cache[key] = frame.select("month", pl.col(measure).alias("value"), *extra)
        return self._cache[key]

    def withheld(self, area: Area, measures: list[str]) -> tuple[int, int]:
        """(withheld cells, cells) of ``area`` over ``measures`` in the period."""
        frames = [self.series(area, m) for m in measures if available(area, m)]
        return (
            sum(f["value"].null_count() for f in frames),
            sum(f.height for f in frames),
        )

    def headlines(self, area: Area) -> list[Headline]:
        found = [
            self._total(area, "arrests"),
            self._total(area, "arrests_custodial"),
            self._total(area, "arrests_at_large"),
            self._at_large_share(area),
            self._total(area, "encounters_detainer"),
        ]
        if reaches_level("removals", area.level):
            found.append(self._total(area, "removals"))
        found.append(self._latest(area, "detained_adp"))
        return [h for h in found if h is not None]

    def _total(self, area: Area, measure: str) -> Headline | None:
        frame = self.series(area, measure)
        if frame.is_empty():
            return None
        withheld, months = frame["value"].null_count(), frame.height
        span = span_label(frame)
        if withheld * 2 > months:
            return Headline(
                measure_label(measure),
                "withheld",
                f"{span}: {withheld} of {months} months withheld (fewer than the disclosure "
                "threshold, or withheld to protect a month that is)",
            )
        note = span if not withheld else f"{span}; sum of published months ({withheld} withheld)"
        placed = float(frame["value"].sum())
        shown = frame.drop_nulls("value")
        if "upper" in frame.columns and shown["upper"].null_count() == 0:
            upper = float(shown["upper"].sum())
            if upper > placed:  # events placed nowhere smaller could lie here
                return Headline(
                    measure_label(measure),
                    f"at least {placed:,.0f}; up to {upper:,.0f}",
                    f"{note}; up to: with the events ICE's records place in no smaller area "
                    f"that could lie here; {self._enclosing_aors(area, measure)}",
                )
        return Headline(measure_label(measure), f"{placed:,.0f}", note)

    def _enclosing_aors(self, area: Area, measure: str) -> str:
        """The AORs that hold ``area`` and their figures over the same period: the complete
        count a bounded one should be read beside."""
        figures = []
        for aor in (a for a in self.atlas.areas.enclosing(area) if a.level == "aor"):
            frame = self.series(aor, measure)
            withheld = frame["value"].null_count()
            total = f"{float(frame['value'].sum()):,.0f}"
            figures.append(f"{aor.name}: {'at least ' if withheld else ''}{total}")
        return "; ".join(figures)

    def _at_large_share(self, area: Area) -> Headline | None:
        joined = (
            self.series(area, "arrests_at_large")
            .rename({"value": "at_large"})
            .join(self.series(area, "arrests").select("month", "value"), on="month")
        )
        both = joined.drop_nulls(["at_large", "value"])
        # a share from a few published months would stand for the whole period: same rule as
        # the totals, no figure when most months are withheld
        if both.height * 2 < joined.height or not both["value"].sum():
            return None
        share = float(both["at_large"].sum()) / float(both["value"].sum())
        return Headline(
            "At-large share of arrests",
            f"{share:.0%}",
            f"{span_label(both)}; the {both.height} months where both counts are published",
        )

    def _latest(self, area: Area, measure: str) -> Headline | None:
        frame = self.series(area, measure).drop_nulls("value")
        if frame.is_empty():
            return None
        last = frame.sort("month").row(-1, named=True)
        return Headline(
            measure_label(measure),
            f"{last['value']:,.0f}",
            f"{last['month']:%B %Y}, the latest published month",
        )

    def located_share(self, area: Area, measure: str) -> tuple[float, str] | None:
        """The share of events placed below the level ICE records (the AOR), and what it is
        the share of. Computed from published cells only."""
        frame = self.series(area, measure)
        if "coverage" in frame.columns and frame["coverage"].drop_nulls().len():
            return (
                float(frame["coverage"].drop_nulls().mean()),  # type: ignore[arg-type]
                "the enclosing AOR's events placed here without doubt (coverage)",
            )
        if area.level == "county":
            return None  # a county's coverage is the one share that means something there
        areas = self.atlas.areas
        if area.level == "state":
            enclosing, what = area, f"{area.name}'s events placed in a county"
        else:
            enclosing, what = areas.area("nation", NATION), "the nation's events placed in a state"
        remainder = areas.remainder_of(enclosing)
        assert remainder is not None  # a state and the nation each have one
        whole, rest = self.series(enclosing, measure), self.series(remainder, measure)
        # months where both are published: a withheld remainder is unknown, not zero events
        both = whole.join(rest.select("month", pl.col("value").alias("rest")), on="month")
        both = both.drop_nulls(["value", "rest"])
        total = float(both["value"].sum())
        if not total:
            return None
        return 1 - float(both["rest"].sum()) / total, what


def state_fips_of(usps: str) -> str | None:
    found = load_states().filter(pl.col("usps") == usps)["state_fips"]
    return str(found[0]) if found.len() else None


def arrest_rates(figures: Figures, level: str, codes: list[str]) -> pl.DataFrame:
    """area_code, value: arrests per 100,000 residents over the period — the sum of the
    published monthly rates (``arrests_per_100k``, derived in one place with the population
    of each month's year); no figure where most months are withheld (the rate of the few left
    would mislead)."""
    period = figures.period
    panel = figures.atlas.measures.panel(
        level, ["arrests_per_100k"], period.start, period.end, codes
    )
    return (
        panel.group_by("area_code")
        .agg(
            pl.col("arrests_per_100k").sum().alias("total"),
            pl.col("arrests_per_100k").null_count().alias("withheld"),
            pl.len().alias("months"),
        )
        .select(
            "area_code",
            pl.when(pl.col("withheld") * 2 <= pl.col("months")).then("total").alias("value"),
        )
    )
