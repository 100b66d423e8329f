"""What the web app asks of an atlas: areas, published series, map values, policies.

Every figure comes from ``atlas.measures.panel``, so disclosure control has already been
applied; nothing here reads ``panel_cells`` or an event table. The store is opened read-only
for the life of the app, so answers are cached: the same request gives the same frame until the
process restarts. One DuckDB connection is shared, and DuckDB connections are not safe to use
from several threads at once (a half-read result blocks the connection), so every call into the
atlas holds one lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar

import polars as pl

from sanctuary_atlas.atlas import Atlas
from sanctuary_atlas.geography.reference import load_counties, load_states
from sanctuary_atlas.measures.areas import Area, UnknownAreaError
from sanctuary_atlas.measures.definitions import DERIVED_BY_NAME, MEASURES_BY_NAME
from sanctuary_atlas.measures.panel import LEVELS, UNASSIGNED
from sanctuary_atlas.measures.published import area_names
from sanctuary_atlas.policies.operations import operations_frame
from sanctuary_atlas.policies.queries import UnknownJurisdictionError
from sanctuary_atlas.web.answers import KEYS, AreaRows, MapGrid, encode, map_frame, series_rows

# Areas x months x measures one request may ask for. The county panel of one measure over five
# years is ~200,000 cells; a larger slice is a bulk export, which `sanctuary-atlas panel` makes.
MAX_CELLS = 250_000
# Policy entries are held for states, counties and places; an AOR or the nation has none.
POLICY_LEVELS = ("state", "county")

T = TypeVar("T")


class TooLargeError(ValueError):
    """A request for more cells than MAX_CELLS."""

    def __init__(self, cells: int):
        super().__init__(
            f"the request covers {cells:,} cells (areas x months x measures); the limit is "
            f"{MAX_CELLS:,}: ask for fewer areas, months or measures"
        )
        self.cells = cells


@dataclass(frozen=True)
class MeasureInfo:
    name: str
    label: str
    definition: str
    kind: str  # count | average | share | per_100k


def month_count(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


class AtlasView:
    """Read-only questions the web pages and the API ask, answered from one open atlas."""

    def __init__(self, atlas: Atlas):
        self.atlas = atlas
        self._lock = threading.Lock()
        self.names = {level: area_names(level) for level in LEVELS}
        self._name_of = {
            level: dict(frame.select("area_code", "area_name").iter_rows())
            for level, frame in self.names.items()
        }
        self._codes = {level: set(names) for level, names in self._name_of.items()}
        self.measures = [
            MeasureInfo(row["measure"], row["label"], row["definition"], row["kind"])
            for row in atlas.measures.definitions().to_dicts()
        ]
        self.measure_by_name = {m.name: m for m in self.measures}
        # the store never changes under a read-only app: one answer per question is enough
        self.panel = lru_cache(maxsize=512)(self._panel)
        self.months = lru_cache(maxsize=64)(self._months)
        self.map_values = lru_cache(maxsize=256)(self._map_values)
        # encoded answers of the hot routes (a county map is ~200 kB: 256 of them ~50 MB)
        self.map_json = lru_cache(maxsize=256)(self._map_json)
        self.series_json = lru_cache(maxsize=1024)(self._series_json)
        self._grids: dict[tuple[str, str], MapGrid] = {}
        self._rows: dict[tuple[str, str], dict[str, AreaRows]] = {}
        self.compare = lru_cache(maxsize=128)(self._compare)
        self.estimate = lru_cache(maxsize=64)(self._estimate)
        self.claims = lru_cache(maxsize=1)(self._claims)
        self.shape_keys = lru_cache(maxsize=None)(self._shape_keys)
        # whole frames are loaded once each: concurrent first requests wait for one load
        # instead of each running the same query behind the connection lock
        self._frames: dict[tuple[str, str], pl.DataFrame] = {}
        self._split: dict[tuple[str, str], dict[str, pl.DataFrame]] = {}
        self._load_lock = threading.RLock()
        self.policy_shapes = lru_cache(maxsize=256)(self._policy_shapes)
        self.policy_first_day = lru_cache(maxsize=32)(self._policy_first_day)

    def _locked(self, call: Callable[[], T]) -> T:
        with self._lock:
            return call()

    # -- areas ------------------------------------------------------------------------------
    def area(self, level: str, code: str) -> Area:
        name = self._name_of[level].get(code)
        if name is None:
            raise UnknownAreaError(f"no {level} area with code {code!r}")
        return Area(level, code, name)

    def search(self, text: str, level: str | None, limit: int) -> list[Area]:
        """Areas whose name or code contains ``text`` (case-insensitive), best match first."""
        wanted = text.strip().lower()
        found: list[tuple[int, Area]] = []
        for lvl in [level] if level else LEVELS:
            for code, name in self.names[lvl].select("area_code", "area_name").iter_rows():
                lowered = name.lower()
                if wanted and wanted not in lowered and wanted != code.lower():
                    continue
                rank = 0 if code.lower() == wanted or lowered.startswith(wanted) else 1
                found.append((rank, Area(lvl, code, name)))
        found.sort(key=lambda item: (item[0], LEVELS.index(item[1].level), item[1].name))
        return [area for _, area in found[:limit]]

    def placeless(self, level: str) -> frozenset[str]:
        """Codes of the level's remainder areas: events ICE recorded but the atlas could not
        place (``UNASSIGNED``, ``CA-UNASSIGNED``), or recorded at headquarters."""
        return frozenset(
            code
            for code in self._codes[level]
            if code.endswith(UNASSIGNED) or code in ("HQ", "UNKNOWN")
        )

    # -- figures ----------------------------------------------------------------------------
    def check_size(self, level: str, areas: int | None, months: int, measures: int) -> None:
        cells = (areas if areas is not None else len(self._codes[level])) * months * measures
        if cells > MAX_CELLS:
            raise TooLargeError(cells)

    def published(self, level: str, measure: str) -> pl.DataFrame:
        """The whole published panel of one measure at one level, as ``measures.panel`` gives
        it. Requests are answered by slicing these frames in memory: a DuckDB round trip per
        request, behind the one-connection lock, would serialise concurrent readers."""
        with self._load_lock:
            key = (level, measure)
            if key not in self._frames:
                self._frames[key] = self._locked(
                    lambda: self.atlas.measures.panel(level, [measure])
                )
            return self._frames[key]

    def by_area(self, level: str, measure: str) -> dict[str, pl.DataFrame]:
        """``published`` split by area, so that a series of a few areas is a lookup."""
        with self._load_lock:
            key = (level, measure)
            if key not in self._split:
                parts = self.published(level, measure).partition_by("area_code", as_dict=True)
                self._split[key] = {str(code[0]): part for code, part in parts.items()}
            return self._split[key]

    def _needed(self, level: str, measures: list[str]) -> set[tuple[str, str]]:
        names = set(measures)
        for name in measures:
            derived = DERIVED_BY_NAME.get(name)
            if derived and derived.denominator:
                names |= {derived.numerator, derived.denominator}
        return {(lvl, name) for name in names for lvl in (level, "nation")}

    def loaded(self, level: str, measures: list[str]) -> bool:
        """Whether answering about ``measures`` at ``level`` needs nothing from the store."""
        return self._needed(level, measures) <= self._split.keys()

    def load(self, level: str, measures: list[str]) -> None:
        for lvl, name in self._needed(level, measures):
            self.by_area(lvl, name)

    def _areas_of(self, level: str, measure: str, areas: tuple[str, ...]) -> pl.DataFrame:
        split = self.by_area(level, measure)
        found = [split[code] for code in areas if code in split]
        # the empty frame keeps the columns when no area has rows
        return pl.concat([*found, self.published(level, measure).clear()])

    def _months(self, measure: str) -> tuple[date, ...]:
        """Months some release covers for ``measure`` (where the nation has a figure)."""
        return tuple(self.published("nation", measure)["month"].to_list())

    def _panel(
        self,
        level: str,
        measures: tuple[str, ...],
        start: date | None,
        end: date | None,
        areas: tuple[str, ...] | None,
    ) -> pl.DataFrame:
        """The columns and rows ``measures.panel(level, measures, start, end, areas)`` gives:
        a measure's rows exist for the months its releases cover, null where another covers
        months it does not."""
        keys = KEYS
        wanted = [pl.lit(True)]
        if start is not None:
            wanted.append(pl.col("month") >= start)
        if end is not None:
            wanted.append(pl.col("month") <= end)
        if areas is not None:
            wanted.append(pl.col("area_code").is_in(list(areas)))
        if areas is not None:
            parts = [self._areas_of(level, name, areas).filter(*wanted) for name in measures]
        else:
            parts = [self.published(level, name).filter(*wanted) for name in measures]
        frame = parts[0]
        for part in parts[1:]:
            frame = frame.join(part, on=keys, how="full", coalesce=True)
        shares = [c for c in frame.columns if c not in keys and c not in measures]
        return frame.select(*keys, *measures, *sorted(shares)).sort("area_code", "month")

    def _parts(self, measure: str) -> tuple[str, ...]:
        derived = DERIVED_BY_NAME.get(measure)
        return (derived.numerator, derived.denominator) if derived and derived.denominator else ()

    def map_grid(self, level: str, measure: str) -> MapGrid:
        """The measure's published panel at ``level`` as an areas x months grid (see
        ``answers.MapGrid``), built once."""
        with self._load_lock:
            key = (level, measure)
            if key not in self._grids:
                parts = self._parts(measure)
                frame = self.panel(level, (measure, *parts), None, None, None)
                kind = self.measure_by_name[measure].kind
                self._grids[key] = MapGrid.build(frame, measure, kind, parts)
            return self._grids[key]

    def _map_values(self, level: str, measure: str, start: date, end: date) -> pl.DataFrame:
        """One row per area: the measure over the period, from the published months only
        (``answers.MapGrid.period`` says how). ``months_suppressed`` says how many months
        were withheld."""
        return map_frame(self.map_grid(level, measure).period(start, end))

    def _map_json(self, level: str, measure: str, start: date, end: date) -> bytes:
        """The /api/map answer, encoded. Columns, not rows: a county map is 3,000 areas, and
        lists of values are a fraction of the size of as many objects."""
        shape_object, keys = self.shape_keys(level)
        info = self.measure_by_name[measure]
        return encode(
            {
                "level": level,
                "measure": measure,
                "label": info.label,
                "kind": info.kind,
                "start": str(start),
                "end": str(end),
                "object": shape_object,
                "areas": self.map_grid(level, measure).period(start, end),
                "shape_areas": keys,
            }
        )

    def area_rows(self, level: str, measure: str) -> dict[str, AreaRows]:
        with self._load_lock:
            key = (level, measure)
            if key not in self._rows:
                self._rows[key] = AreaRows.split(self.published(level, measure))
            return self._rows[key]

    def _series_json(
        self,
        level: str,
        measures: tuple[str, ...],
        start: date,
        end: date,
        areas: tuple[str, ...] | None,
    ) -> bytes:
        """The /api/series answer, encoded. A few areas are sliced from rows prepared per
        area; a whole level goes through ``panel``."""
        if areas is None:
            rows = (
                self.panel(level, measures, start, end, None)
                .with_columns(pl.col("month").cast(pl.String))
                .to_dicts()
            )
        else:
            parts = [self.area_rows(level, name) for name in measures]
            shares = sorted(
                {c for name in measures for c in self.published(level, name).columns}
                - {*KEYS, *measures}
            )
            rows = series_rows(parts, measures, shares, areas, start, end)
        return encode(
            {
                "level": level,
                "measures": list(measures),
                "note": "null: suppressed (fewer events than the disclosure threshold) or no data",
                "rows": rows,
            }
        )

    def _shape_keys(self, level: str) -> tuple[str, dict[str, list[str]]]:
        """The TopoJSON object a level's map draws, and which area each shape shows: counties
        for county maps (the shape id is the area code) and AOR maps (an AOR is the union of
        its counties), states for state maps (shape ids are state FIPS, areas USPS codes)."""
        if level == "state":
            states = load_states()
            return "states", {
                "id": states["state_fips"].to_list(),
                "area": states["usps"].to_list(),
            }
        if level == "aor":
            counties = load_counties().filter(pl.col("aor").is_not_null())
            return "counties", {
                "id": counties["county_fips"].to_list(),
                "area": counties["aor"].to_list(),
            }
        return "counties", {"id": [], "area": []}

    # -- policies and provenance -------------------------------------------------------------
    def policies_at(self, area: Area, day: date) -> pl.DataFrame:
        return self._policies(area, lambda: self.atlas.policies.at(area.code, day))

    def timeline(self, area: Area) -> pl.DataFrame:
        """Policies that ever applied in a state or county; for an AOR (or the nation) the
        enforcement operations of the public record that took place there."""
        if area.level in ("aor", "nation"):
            return operations_frame(area.code if area.level == "aor" else None)
        return self._policies(area, lambda: self.atlas.policies.timeline(area.code))

    def _policies(self, area: Area, ask: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        """Entries that apply in ``area``; none for an AOR, the nation, or a remainder area
        (events not placed in a county), which are no jurisdiction."""
        if area.level not in POLICY_LEVELS:
            return pl.DataFrame()
        try:
            return self._locked(ask)
        except UnknownJurisdictionError:
            return pl.DataFrame()

    def policy_sources(self) -> pl.DataFrame:
        """Each distinct source the registry cites, with how many entries cite it."""
        frame = self._locked(lambda: self.atlas.policies.entries())
        columns = ["source_title", "source_publisher", "source_date", "source_address"]
        return (
            frame.group_by(columns)
            .agg(pl.len().alias("entries"))
            .sort(["entries", "source_title"], descending=[True, False])
        )

    def _policy_shapes(self, level: str, kinds: str, month: date) -> tuple[str, ...]:
        """Shape ids (county or state FIPS) where an entry of ``kinds`` was in force on some day
        of ``month``: a county's own entries, its state's, or a place's inside it."""
        unit = "state" if level == "state" else "county"
        frame = self._locked(
            lambda: self.atlas.policies.panel(month, month, level=unit, kinds=kinds)
        )
        flags = [c for c in frame.columns if c not in ("jurisdiction_fips", "month")]
        if not flags:
            return ()
        marked = frame.filter(pl.any_horizontal(pl.col(flags).fill_null(False)))
        return tuple(sorted(marked["jurisdiction_fips"].unique()))

    def _policy_first_day(self, kinds: str) -> date | None:
        """The first day any entry of ``kinds`` took effect: a layer that is empty in a month
        before it is empty because the record starts later (ICE's 287(g) lists in 2021)."""
        first = self._locked(lambda: self.atlas.policies.entries(kind=kinds))["effective_from"]
        day: date | None = first.min()  # type: ignore[assignment]
        return day

    # -- analysis (each answer is computed once: an estimate takes seconds) -----------------
    def _compare(
        self,
        measure: str,
        treated: str,
        control: str,
        level: str,
        start: date | None,
        end: date | None,
    ) -> dict[str, Any]:
        return self._locked(
            lambda: self.atlas.analysis.compare(
                measure, treated, control, level=level, start=start, end=end
            ).to_dict()
        )

    def _estimate(self, policy: str, measure: str, unit: str) -> dict[str, Any]:
        return self._locked(lambda: self.atlas.analysis.estimate(policy, measure, unit).to_dict())

    def _claims(self) -> list[dict[str, Any]]:
        return self._locked(lambda: [c.to_dict() for c in self.atlas.analysis.claims()])

    def releases(self) -> pl.DataFrame:
        frame = self._locked(self.atlas.releases)
        # the ingest report holds reader internals (JSON); the registry columns say enough
        return frame.drop("report", strict=False)

    def measure_names(self) -> list[str]:
        return [*MEASURES_BY_NAME, *DERIVED_BY_NAME]
