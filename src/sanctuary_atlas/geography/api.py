"""GeographyAPI: the one object the CLI, the web app and Python users call for geography."""

from __future__ import annotations

import csv
from dataclasses import asdict
from pathlib import Path

import polars as pl

from sanctuary_atlas.geography.coverage import resolution_coverage, resolve_store_locations
from sanctuary_atlas.geography.reference import POPULATION_COLUMNS, load_counties
from sanctuary_atlas.geography.resolver import Resolution, resolve_location
from sanctuary_atlas.store import Store

RESOLUTION_COLUMNS = ("county_fips", "state", "level", "match_kind", "confidence")


class GeographyInputError(ValueError):
    """An input file the geography commands cannot use (missing columns, unknown AOR...)."""


class GeographyAPI:
    """Geography over an optional store: resolving text needs none; coverage needs one."""

    def __init__(self, store: Store | None = None):
        self.store = store

    def resolve(self, text: str, aor: str | None = None, state: str | None = None) -> Resolution:
        """Resolve one location text (see ``resolve_location``)."""
        return resolve_location(text, aor, state)

    def resolve_frame(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with columns aor, text -> the same rows plus the resolution columns.
        Each distinct (aor, text) is resolved once."""
        missing = {"aor", "text"} - set(frame.columns)
        if missing:
            raise GeographyInputError(
                f"input needs columns 'aor' and 'text'; missing {sorted(missing)} "
                f"(found {frame.columns})"
            )
        cache: dict[tuple[str | None, str], Resolution] = {}
        rows: list[dict[str, object]] = []
        for number, (aor, text) in enumerate(frame.select("aor", "text").iter_rows(), start=2):
            key = (aor or None, text or "")
            if key not in cache:
                try:
                    cache[key] = resolve_location(key[1], key[0])
                except ValueError as exc:
                    raise GeographyInputError(f"line {number}: {exc}") from exc
            rows.append(asdict(cache[key]))
        resolved = pl.DataFrame(
            rows,
            schema={
                "county_fips": pl.String,
                "state": pl.String,
                "level": pl.String,
                "match_kind": pl.String,
                "confidence": pl.Float64,
            },
        )
        return pl.concat([frame, resolved], how="horizontal")

    def resolve_csv(self, in_path: str | Path, out_path: str | Path) -> int:
        """Read a CSV with columns aor,text; write it back with the resolution columns added.
        Returns the number of rows written."""
        source = Path(in_path)
        if not source.is_file():
            raise FileNotFoundError(f"no such input file: {source}")
        with source.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            records = list(reader)
            columns = list(reader.fieldnames or [])
        frame = pl.DataFrame(
            {c: [r.get(c) for r in records] for c in columns},
            schema={c: pl.String for c in columns},
        )
        resolved = self.resolve_frame(frame)
        resolved.write_csv(Path(out_path))
        return resolved.height

    def counties(self) -> pl.DataFrame:
        """county_fips, county_name, state, aor, population (latest estimate) and the yearly
        Census estimates 2016-2019."""
        return load_counties().select(
            "county_fips",
            "county_name",
            "state",
            "state_fips",
            "aor",
            "population",
            *POPULATION_COLUMNS,
        )

    def resolve_store(self) -> int:
        """Resolve and store the store's not-yet-resolved (AOR, location text) pairs."""
        return resolve_store_locations(self._require_store())

    def coverage(self) -> pl.DataFrame:
        """Share of events resolved to a county / state / AOR, by table, AOR and fiscal year."""
        store = self._require_store()
        store.refuse_if_published_only("measure location coverage")
        return resolution_coverage(store)

    def choropleth(
        self, values: pl.DataFrame, value_column: str, out_path: str | Path, title: str = ""
    ) -> Path:
        """Render a county choropleth PNG offline."""
        # Imported here: Altair and vl-convert take a second to load, and most callers of the
        # geography API never draw a map.
        from sanctuary_atlas.geography.maps import render_county_choropleth

        return render_county_choropleth(values, value_column, out_path, title)

    def _require_store(self) -> Store:
        if self.store is None:
            raise ValueError("this needs an atlas store: open one with sanctuary_atlas.open(path)")
        return self.store
