"""What the web app asks of an atlas: request handlers over the Python API.

Every figure comes from ``atlas.measures.panel``, so disclosure control has already been
applied; nothing here reads ``panel_cells`` or an event table, and nothing re-derives a figure
the panel gives. The store is opened read-only for the life of the app, so answers are kept in
one cache bounded by bytes (``web.cache``); the store serialises its own connection.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import polars as pl

from sanctuary_atlas.atlas import Atlas
from sanctuary_atlas.geography.reference import load_counties, load_states
from sanctuary_atlas.measures.areas import Area
from sanctuary_atlas.measures.bounds import BOUND_LEVELS, bounded_measures
from sanctuary_atlas.measures.definitions import DERIVED_BY_NAME
from sanctuary_atlas.measures.panel import LEVELS
from sanctuary_atlas.policies.operations import operations_frame
from sanctuary_atlas.policies.queries import UnknownJurisdictionError
from sanctuary_atlas.web.answers import Grid, encode, map_frame, with_enclosing_aor
from sanctuary_atlas.web.cache import DEFAULT_BUDGET, ByteBudgetCache

# Areas x months x measures one request may ask for. The county panel of one measure over five
# years is ~200,000 cells; a larger slice is a bulk export, which `sanctuary-atlas panel` makes.
MAX_CELLS = 250_000
# Policy entries are held for states, counties and places; an AOR or the nation has none.
POLICY_LEVELS = ("state", "county")
SERIES_NOTE = (
    "null: withheld (fewer events than the disclosure threshold, or to protect such a cell) "
    "or no data"
)

T = TypeVar("T")
LOG = logging.getLogger(__name__)
PREPARE_THREADS = 2

# A level whose whole panel of one measure is never kept: every county of a measure is 5.5 MB
# (29 MB for detention, 2005 on); it is read to build the grid (1-8 MB), which holds its rows.
UNKEPT_PANEL_LEVEL = "county"


class TooLargeError(ValueError):
    """A request for more cells than MAX_CELLS."""

    def __init__(self, cells: int):
        super().__init__(
            f"the request covers {cells:,} cells (areas x months x measures); the limit is "
            f"{MAX_CELLS:,}: ask for fewer areas, months or measures"
        )
        self.cells = cells


@dataclass(frozen=True)
class Prepared:
    """What ``AtlasView.prepare`` built: how many grids of the total, in how long, and the
    bytes the cache then held."""

    grids: int
    total: int
    seconds: float
    cached_bytes: int

    def __str__(self) -> str:
        return (
            f"prepared {self.grids} of {self.total} map grids in {self.seconds:.1f} s "
            f"({self.cached_bytes / 1e6:.0f} MB)"
        )


@dataclass(frozen=True)
class MeasureInfo:
    name: str
    label: str
    definition: str
    kind: str  # count | average | share | per_100k


def month_count(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def share_parts(measure: str) -> tuple[str, ...]:
    """A share's numerator and denominator (a map recomputes a share from their sums)."""
    derived = DERIVED_BY_NAME.get(measure)
    return (derived.numerator, derived.denominator) if derived and derived.denominator else ()


class AtlasView:
    """Read-only questions the web pages and the API ask, answered from one open atlas."""

    def __init__(self, atlas: Atlas, cache_budget: int = DEFAULT_BUDGET):
        self.atlas = atlas
        self.areas = atlas.areas
        self.cache = ByteBudgetCache(cache_budget)
        self.measures = [
            MeasureInfo(row["measure"], row["label"], row["definition"], row["kind"])
            for row in atlas.measures.definitions().to_dicts()
        ]
        self.measure_by_name = {m.name: m for m in self.measures}

    def _cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        return self.cache.get(key, compute)

    def _answer(self, key: Hashable, compute: Callable[[], T]) -> T:
        """An answer to one question (its period, its areas): made again in milliseconds from
        what is ``_cached``, and so the first to go when the budget is spent."""
        return self.cache.get(key, compute, cheap=True)

    # -- areas and sizes --------------------------------------------------------------------
    def area(self, level: str, code: str) -> Area:
        return self.areas.area(level, code)

    def check_size(self, level: str, areas: int | None, months: int, measures: int) -> None:
        count = areas if areas is not None else len(self.areas.codes(level))
        cells = count * months * measures
        if cells > MAX_CELLS:
            raise TooLargeError(cells)

    def months(self, measure: str) -> tuple[date, ...]:
        """Months some release covers for ``measure`` (where the nation has a figure)."""
        return self._cached(
            ("months", measure),
            lambda: tuple(self.published("nation", measure)["month"].to_list()),
        )

    def recorded_measures(self) -> list[MeasureInfo]:
        """The measures some loaded release has: the forms offer only these, so a reader never
        chooses a measure and silently gets another (the methods page lists them all)."""
        return [m for m in self.measures if self.months(m.name)]

    # -- figures ----------------------------------------------------------------------------
    def published(self, level: str, measure: str) -> pl.DataFrame:
        """``atlas.measures.panel(level, [measure])``: one measure's whole published panel at
        a level, sorted by area and month, what grids are built from. Above county level it is
        kept while the budget allows (a count is a part of several shares); see
        ``UNKEPT_PANEL_LEVEL``."""
        if level == UNKEPT_PANEL_LEVEL:
            return self.atlas.measures.panel(level, [measure])
        return self._cached(
            ("published", level, measure), lambda: self.atlas.measures.panel(level, [measure])
        )

    def panel(
        self,
        level: str,
        measures: tuple[str, ...],
        start: date | None,
        end: date | None,
        areas: tuple[str, ...] | None,
        bounds: bool = False,
    ) -> pl.DataFrame:
        """``atlas.measures.panel(level, measures, start, end, areas, bounds)``. For one
        measure these are rows of its grid (``grid``: each row of the panel depends only on
        its area and month), so the grid a map is sliced from answers series too; several
        measures, and bounds, are asked of the store."""
        if bounds:
            return self._answer(
                ("bounded", level, measures, start, end, areas),
                lambda: self.atlas.measures.panel(
                    level, list(measures), start, end, list(areas) if areas else None, True
                ),
            )
        if len(measures) > 1:
            return self._answer(
                ("panel", level, measures, start, end, areas),
                lambda: self.atlas.measures.panel(
                    level, list(measures), start, end, list(areas) if areas else None
                ),
            )
        # no areas means every area, as in the branches above
        return self.grid(level, measures[0]).rows(level, measures[0], areas or None, start, end)

    def bounds(self, level: str, measure: str, start: date, end: date, code: str) -> pl.DataFrame:
        """One state's or county's monthly figure with its upper bound and coverage."""
        return self.panel(level, (measure,), start, end, (code,), bounds=True)

    def series_json(
        self,
        level: str,
        measures: tuple[str, ...],
        start: date,
        end: date,
        areas: tuple[str, ...] | None,
        bounds: bool = False,
    ) -> bytes:
        """The /api/series answer, encoded: the rows as polars writes them (the same JSON as
        orjson gives for ``to_dicts``, in a fraction of the time for a whole level)."""

        def answer() -> bytes:
            head = encode({"level": level, "measures": list(measures), "note": SERIES_NOTE})
            rows = self.panel(level, measures, start, end, areas, bounds).write_json().encode()
            return head[:-1] + b',"rows":' + rows + b"}"

        return self._answer(("series", level, measures, start, end, areas, bounds), answer)

    def grid(self, level: str, measure: str) -> Grid:
        """The measure's published panel at ``level`` as an areas x months grid (see
        ``answers.Grid``), built from the panels of the measure and of its parts: what maps
        and one-measure series are sliced from."""

        def build() -> Grid:
            parts = share_parts(measure)
            frames = [self.published(level, name) for name in parts]
            # the measure itself with its bounds where it has them (states and counties)
            bounded = level in BOUND_LEVELS and bool(bounded_measures([measure]))
            if bounded:
                main = self.atlas.measures.panel(level, [measure], bounds=True)
            else:
                main = self.published(level, measure)
            frames.insert(0, main)
            return Grid.build(frames, measure, self.measure_by_name[measure].kind, parts)

        return self._cached(("grid", level, measure), build)

    def prepare(self, threads: int = PREPARE_THREADS) -> Prepared:
        """Build the grid of every recorded measure at every level, as the first question
        about each would, while they fill at most half the budget (the rest is for answers):
        after this no first answer of a (level, measure) waits for one. Levels go from the
        smallest, so a budget too small for every county still holds every other level."""
        began = time.perf_counter()
        pairs = [(level, m.name) for level in LEVELS for m in self.recorded_measures()]

        def build(pair: tuple[str, str]) -> bool:
            if self.cache.used > self.cache.budget // 2:
                return False
            try:
                self.grid(*pair)
            except Exception:  # the server still starts; that grid's questions say the error
                LOG.exception("could not prepare the %s grid of %s", *pair)
                return False
            return True

        # polars and DuckDB release the GIL while they work: two at once use two cores
        with ThreadPoolExecutor(max_workers=threads) as pool:
            built = sum(pool.map(build, pairs))
        return Prepared(built, len(pairs), time.perf_counter() - began, self.cache.used)

    def map_values(self, level: str, measure: str, start: date, end: date) -> pl.DataFrame:
        """One row per area: the measure over the period, from the published months only
        (``answers.Grid.period`` says how). ``months_suppressed`` says how many months
        were withheld."""
        return map_frame(self.grid(level, measure).period(start, end))

    def map_json(self, level: str, measure: str, start: date, end: date) -> bytes:
        """The /api/map answer, encoded. Columns, not rows: a county map is 3,000 areas, and
        lists of values are a fraction of the size of as many objects."""

        def answer() -> bytes:
            shape_object, keys = shape_keys(level)
            info = self.measure_by_name[measure]
            areas = self.grid(level, measure).period(start, end)
            if level in BOUND_LEVELS and bounded_measures([measure]):
                aors = self.grid("aor", measure).period(start, end)
                areas = with_enclosing_aor(areas, level, aors)
            return encode(
                {
                    "level": level,
                    "measure": measure,
                    "label": info.label,
                    "kind": info.kind,
                    "start": str(start),
                    "end": str(end),
                    "object": shape_object,
                    "areas": areas,
                    "shape_areas": keys,
                }
            )

        return self._answer(("map", level, measure, start, end), answer)

    # -- policies and provenance -------------------------------------------------------------
    def policies_at(self, area: Area, day: date) -> pl.DataFrame:
        return self._policies(area, lambda: self.atlas.policies.at(area.code, day))

    def timeline(self, area: Area) -> pl.DataFrame:
        """Policies that ever applied in a state or county; for an AOR (or the nation) the
        enforcement operations of the public record that took place there."""
        if area.level in ("aor", "nation"):
            return operations_frame(area.code if area.level == "aor" else None)
        return self._policies(area, lambda: self.atlas.policies.timeline(area.code))

    @staticmethod
    def _policies(area: Area, ask: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        """Entries that apply in ``area``; none for an AOR, the nation, or a remainder area
        (events not placed in a county), which are no jurisdiction."""
        if area.level not in POLICY_LEVELS:
            return pl.DataFrame()
        try:
            return ask()
        except UnknownJurisdictionError:
            return pl.DataFrame()

    def policy_list(self, kind: str | None, day: date | None) -> pl.DataFrame:
        """Registry entries of ``kind`` (a name or glob; every kind if None), in force on
        ``day`` if given."""
        return self.atlas.policies.entries(kind, day)

    def policy_sources(self) -> pl.DataFrame:
        """Each distinct source the registry cites, with how many entries cite it."""
        columns = ["source_title", "source_publisher", "source_date", "source_address"]
        return (
            self.atlas.policies.entries()
            .group_by(columns)
            .agg(pl.len().alias("entries"))
            .sort(["entries", "source_title"], descending=[True, False])
        )

    def policy_shapes(self, level: str, kinds: str, month: date) -> tuple[str, ...]:
        """Shape ids (county or state FIPS) where an entry of ``kinds`` was in force on some day
        of ``month``: a county's own entries, its state's, or a place's inside it."""

        def shapes() -> tuple[str, ...]:
            unit = "state" if level == "state" else "county"
            frame = self.atlas.policies.panel(month, month, level=unit, kinds=kinds)
            flags = [c for c in frame.columns if c not in ("jurisdiction_fips", "month")]
            if not flags:
                return ()
            marked = frame.filter(pl.any_horizontal(pl.col(flags).fill_null(False)))
            return tuple(sorted(marked["jurisdiction_fips"].unique()))

        return self._cached(("policy_shapes", level, kinds, month), shapes)

    def policy_first_day(self, kinds: str) -> date | None:
        """The first day any entry of ``kinds`` took effect: a layer that is empty in a month
        before it is empty because the record starts later (ICE's 287(g) lists in 2021)."""

        def first() -> date | None:
            day: date | None = self.atlas.policies.entries(kind=kinds)["effective_from"].min()  # type: ignore[assignment]
            return day

        return self._cached(("policy_first_day", kinds), first)

    # -- analysis (each answer is computed once: an estimate takes seconds) -----------------
    def compare(
        self,
        measure: str,
        treated: str,
        control: str,
        level: str,
        start: date | None,
        end: date | None,
    ) -> dict[str, Any]:
        return self._cached(
            ("compare", measure, treated, control, level, start, end),
            lambda: self.atlas.analysis.compare(
                measure, treated, control, level=level, start=start, end=end
            ).to_dict(),
        )

    def estimate(self, policy: str, measure: str, unit: str) -> dict[str, Any]:
        return self._cached(
            ("estimate", policy, measure, unit),
            lambda: self.atlas.analysis.estimate(policy, measure, unit).to_dict(),
        )

    def claims(self) -> list[dict[str, Any]]:
        return self._cached(
            ("claims",), lambda: [c.to_dict() for c in self.atlas.analysis.claims()]
        )

    def releases(self) -> pl.DataFrame:
        # the ingest report holds reader internals (JSON); the registry columns say enough
        return self.atlas.releases().drop("report", strict=False)


def shape_keys(level: str) -> tuple[str, dict[str, list[str]]]:
    """The TopoJSON object a level's map draws, and which area each shape shows: counties
    for county maps (the shape id is the area code) and AOR maps (an AOR is the union of
    its counties), states for state maps (shape ids are state FIPS, areas USPS codes)."""
    if level == "state":
        states = load_states()
        return "states", {"id": states["state_fips"].to_list(), "area": states["usps"].to_list()}
    if level == "aor":
        counties = load_counties().filter(pl.col("aor").is_not_null())
        return "counties", {
            "id": counties["county_fips"].to_list(),
            "area": counties["aor"].to_list(),
        }
    return "counties", {"id": [], "area": []}
