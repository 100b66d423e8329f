"""Location resolutions in the store, and the resolution coverage report.

Resolution runs once per distinct (AOR, location text) of the event tables and is stored in
``location_resolutions`` (migration 002); events join to it on both columns, NULL-safe.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from importlib import resources

import polars as pl
import pyarrow as pa

from sanctuary_atlas.geography.aors import UnknownAorError
from sanctuary_atlas.geography.resolver import Resolution, resolve_location
from sanctuary_atlas.store import Store

# The resolver's version is a digest of its rules and bundled tables, stored with every
# resolution: any change to either makes old rows stale, and they are resolved again, without
# anyone having to remember to bump a number.
_VERSIONED_MODULES = (
    "resolver.py",
    "gazetteer.py",
    "offices.py",
    "names.py",
    "crosswalk.py",
    "aors.py",
)
_VERSIONED_TABLES = (
    "states.csv",
    "counties.csv",
    "aor_states.csv",
    "facilities.csv",
    "agencies.csv",
    "cities.csv",
    "dockets.csv",
    "office_areas.csv",
)


@cache
def resolver_version() -> str:
    digest = hashlib.sha256()
    package = resources.files("sanctuary_atlas.geography")
    data = resources.files("sanctuary_atlas") / "data" / "geography"
    for entry in [package / m for m in _VERSIONED_MODULES] + [data / t for t in _VERSIONED_TABLES]:
        digest.update(entry.name.encode())
        digest.update(entry.read_bytes())
    return digest.hexdigest()[:16]


LOCATED_TABLES = ("arrests", "encounters", "detainers")

_UNRESOLVED_PAIRS = """
    SELECT DISTINCT e.aor, e.location_text
    FROM ({events}) AS e
    WHERE NOT EXISTS (
        SELECT 1 FROM location_resolutions AS r
        WHERE r.aor IS NOT DISTINCT FROM e.aor
          AND r.location_text IS NOT DISTINCT FROM e.location_text
          AND r.resolver_version = ?)
"""
_INSERT = """
    SELECT aor, location_text, county_fips, state, level, match_kind, confidence,
           resolver_version, resolved_at
    FROM batch
"""


def _events_union(tables: tuple[str, ...]) -> str:
    return " UNION ALL ".join(f"SELECT aor, location_text FROM {t}" for t in tables)


def _present_tables(store: Store) -> tuple[str, ...]:
    return tuple(t for t in LOCATED_TABLES if store.table_exists(t))


def resolve_pair(aor: str | None, text: str | None) -> Resolution:
    """Resolve one stored pair. An AOR value this program does not know is recorded as
    explicitly unresolved (level 'none', match_kind 'unknown_aor'), never guessed."""
    try:
        return resolve_location(text or "", aor)
    except UnknownAorError:
        return Resolution(None, None, "none", "unknown_aor", 0.0)


def resolve_store_locations(store: Store) -> int:
    """Resolve every distinct (aor, location_text) of arrests and encounters not yet in
    ``location_resolutions``; store them in one transaction and return how many were added.

    Rows written by another resolver version are stale: they are dropped and resolved again in
    the same transaction (and counted), so an upgrade never leaves old answers behind."""
    tables = _present_tables(store)
    if not tables:
        return 0
    current = [resolver_version()]
    pairs = store.rows(_UNRESOLVED_PAIRS.format(events=_events_union(tables)), current)
    if not pairs:
        return 0
    now = datetime.now()
    columns: dict[str, list[object]] = {
        name: []
        for name in (
            "aor",
            "location_text",
            "county_fips",
            "state",
            "level",
            "match_kind",
            "confidence",
        )
    }
    for aor, text in pairs:
        found = resolve_pair(aor, text)
        for name, value in (
            ("aor", aor),
            ("location_text", text),
            ("county_fips", found.county_fips),
            ("state", found.state),
            ("level", found.level),
            ("match_kind", found.match_kind),
            ("confidence", found.confidence),
        ):
            columns[name].append(value)
    batch = pa.table(
        {
            **{
                n: pa.array(v, pa.float64() if n == "confidence" else pa.string())
                for n, v in columns.items()
            },
            "resolver_version": pa.array([current[0]] * len(pairs), pa.string()),
            "resolved_at": pa.array([now] * len(pairs), pa.timestamp("us")),
        }
    )
    with store.transaction():
        store.execute("DELETE FROM location_resolutions WHERE resolver_version <> ?", current)
        store.insert_arrow("location_resolutions", batch, _INSERT)
    return len(pairs)


def resolution_coverage(store: Store) -> pl.DataFrame:
    """Per table, AOR and fiscal year: events, and the shares resolved to a county, to a state
    only, to the AOR only, and not at all. Pairs not yet stored are resolved in memory."""
    tables = _present_tables(store)
    if not tables:
        raise ValueError(
            f"{store.path} holds no arrests or encounters table: ingest releases first"
        )
    counts = store.frame(
        " UNION ALL ".join(
            f"SELECT '{t}' AS table_name, aor, fiscal_year, location_text, count(*) AS events "
            f"FROM {t} GROUP BY ALL"
            for t in tables
        )
    )
    if counts.is_empty():
        return _empty_coverage()
    stored = store.frame("SELECT aor, location_text, level FROM location_resolutions")
    levels = _levels_for(counts.select("aor", "location_text").unique(), stored)
    joined = counts.join(levels, on=["aor", "location_text"], how="left", nulls_equal=True)
    share = {
        f"{level}_share": (
            pl.col("events").filter(pl.col("level") == level).sum() / pl.col("events").sum()
        ).round(4)
        for level in ("county", "state", "aor", "none")
    }
    return (
        joined.group_by("table_name", "aor", "fiscal_year")
        .agg(pl.col("events").sum(), **share)
        .sort("table_name", "aor", "fiscal_year", nulls_last=True)
    )


def _levels_for(pairs: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    known = pairs.join(stored, on=["aor", "location_text"], how="inner", nulls_equal=True)
    missing = pairs.join(stored, on=["aor", "location_text"], how="anti", nulls_equal=True)
    fresh = pl.DataFrame(
        {
            "aor": missing["aor"],
            "location_text": missing["location_text"],
            "level": [resolve_pair(a, t).level for a, t in missing.iter_rows()],
        },
        schema={"aor": pl.String, "location_text": pl.String, "level": pl.String},
    )
    return pl.concat([known.unique(["aor", "location_text"]), fresh])


def _empty_coverage() -> pl.DataFrame:
    schema = {
        "table_name": pl.String,
        "aor": pl.String,
        "fiscal_year": pl.Int16,
        "events": pl.Int64,
    }
    schema.update({f"{lv}_share": pl.Float64 for lv in ("county", "state", "aor", "none")})
    return pl.DataFrame(schema=schema)
