"""The panel: measure x area x month at nation, AOR, state and county level, built in DuckDB
SQL from the counted events, cached in the store (``panel_cells``), rebuilt when its inputs
change.

Events are placed by the location resolver (``location_resolutions``): at state level where it
found a state, at county level where it found a county. Events it could not place stay in the
panel as explicit remainder areas — ``UNKNOWN`` and ``HQ`` AORs, ``UNASSIGNED`` state, and
``<USPS>-UNASSIGNED`` within each state at county level — so that every level adds up to the
nation exactly, and so that disclosure control sees every relation a reader could use.
Removals carry no place below the AOR: they exist at nation and AOR level only. ICE's
detention statistics (book-ins, ICE's average daily population) carry no place at all: they
exist at nation level only. A month no counted release covers has no cell (no data), never a
zero.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime

import polars as pl

from sanctuary_atlas.geography.reference import load_states
from sanctuary_atlas.measures.areas import AOR_NO_STATE
from sanctuary_atlas.measures.areas import LEVELS as LEVELS
from sanctuary_atlas.measures.areas import NATION as NATION
from sanctuary_atlas.measures.areas import UNASSIGNED as UNASSIGNED
from sanctuary_atlas.measures.definitions import (
    COUNT_MEASURES,
    NATION_ONLY_TABLES,
    Measure,
    is_bounded,
)
from sanctuary_atlas.measures.detention import DETENTION_BASE
from sanctuary_atlas.measures.disclosure import DEFAULT_THRESHOLD, suppress
from sanctuary_atlas.measures.relations import panel_relations
from sanctuary_atlas.store import Store

EVENT_TABLES = ("arrests", "encounters", "removals", "detainers")
# Bumped when the way cells are computed changes, so that stored panels are rebuilt.
PANEL_VERSION = 9
# Averages (people held) are rounded: summed in a thread-dependent order, their last bits
# would differ from build to build, and the bundled default atlas must be reproducible.
AVERAGE_DECIMALS = 6


def _event_base_sql(table: str, measures: list[Measure]) -> str:
    sums = ", ".join(
        f'sum(CASE WHEN {m.condition} THEN 1 ELSE 0 END)::DOUBLE AS "{m.name}"' for m in measures
    )
    placed = table != "removals"
    join = (
        "LEFT JOIN location_resolutions r ON r.aor IS NOT DISTINCT FROM e.aor "
        "AND r.location_text IS NOT DISTINCT FROM e.location_text"
        if placed
        else ""
    )
    state = "CASE WHEN r.level IN ('county', 'state') THEN r.state END" if placed else "NULL"
    county = "CASE WHEN r.level = 'county' THEN r.county_fips END" if placed else "NULL"
    if table == "detainers":
        # a detainer names the jail it was sent to: its facility code places it first (the
        # detention facility list), its name through the resolver otherwise
        join += (
            " LEFT JOIN (SELECT DISTINCT ON (facility_code) facility_code, state AS f_state, "
            "county_fips AS f_county FROM detention_facilities) f "
            "ON f.facility_code = e.facility_code"
        )
        state, county = f"coalesce(f.f_state, {state})", f"coalesce(f.f_county, {county})"
    # only months some counted release covers: elsewhere there is no data, not zero
    return f"""
        SELECT date_trunc('month', e.event_date)::DATE AS month,
               coalesce(e.aor, 'UNKNOWN') AS aor, {state} AS state, {county} AS county,
               {sums}
        FROM {table}_counted e {join}
        WHERE e.event_date IS NOT NULL
          AND date_trunc('month', e.event_date) IN (
              SELECT month FROM release_choice WHERE table_name = '{table}' AND counted)
        GROUP BY ALL"""


def base_cells(store: Store) -> pl.DataFrame:
    """Every measure at the finest grain (month, AOR, state, county), long format."""
    frames: list[pl.DataFrame] = []
    for table in EVENT_TABLES:
        measures = [m for m in COUNT_MEASURES if m.table == table]
        wide = store.frame(_event_base_sql(table, measures))
        frames.append(
            wide.unpivot(
                index=["month", "aor", "state", "county"],
                variable_name="measure",
                value_name="value",
            )
        )
    detention = store.frame(DETENTION_BASE)
    frames.append(
        detention.unpivot(
            index=["month", "aor", "state", "county"], variable_name="measure", value_name="value"
        )
    )
    # ICE's statistics carry no place below the AOR (national tables none at all: they are
    # kept out of the levels below the nation)
    frames.append(
        store.frame(
            "SELECT month, aor, NULL AS state, NULL AS county, measure, value FROM ice_statistics"
        )
    )
    schema = {
        "month": pl.Date,
        "aor": pl.String,
        "state": pl.String,
        "county": pl.String,
        "measure": pl.String,
        "value": pl.Float64,
    }
    return pl.concat([f.cast(schema) for f in frames]).filter(pl.col("value") != 0)  # type: ignore[arg-type]


def placed_base(base: pl.DataFrame) -> pl.DataFrame:
    """The base with ``st``: the state an event is placed in (``UNASSIGNED`` where none); a
    county's own state wins over a state the resolver gave the text."""
    usps_of_fips = _usps_of_fips()
    county_state = pl.col("county").str.slice(0, 2).replace_strict(usps_of_fips, default=None)
    return base.with_columns(
        pl.when(pl.col("county").is_not_null())
        .then(county_state)
        .otherwise(pl.col("state").fill_null(UNASSIGNED))
        .alias("st")
    )


def level_cells(placed: pl.DataFrame) -> pl.DataFrame:
    """Roll the placed base up to each level; remainder areas keep every level's sum exact."""
    area_by_level = {
        "nation": pl.lit(NATION),
        "aor": pl.col("aor"),
        "state": pl.col("st"),
        "county": pl.when(pl.col("county").is_not_null())
        .then(pl.col("county"))
        .when(pl.col("st") == UNASSIGNED)
        .then(pl.lit(UNASSIGNED))
        .otherwise(pl.col("st") + "-" + UNASSIGNED),
    }
    frames = [
        placed.group_by(area.alias("area_code"), "month", "measure")
        .agg(pl.col("value").sum())
        .with_columns(pl.lit(level).alias("level"))
        for level, area in area_by_level.items()
    ]
    # each AOR's events placed in no state: what the bounds of its states and counties add
    # (event counts placed below the AOR only: removals and ATD are wholly "in no state")
    bounded = [m.name for m in COUNT_MEASURES if is_bounded(m.name)]
    frames.append(
        placed.filter((pl.col("st") == UNASSIGNED) & pl.col("measure").is_in(bounded))
        .group_by(pl.col("aor").alias("area_code"), "month", "measure")
        .agg(pl.col("value").sum())
        .with_columns(pl.lit(AOR_NO_STATE).alias("level"))
    )
    nation_only = [m.name for m in COUNT_MEASURES if m.table in NATION_ONLY_TABLES]
    return (
        pl.concat(frames, how="diagonal")
        .filter((pl.col("level") == "nation") | ~pl.col("measure").is_in(nation_only))
        .select("level", "area_code", "month", "measure", "value")
        .sort("level", "area_code", "month", "measure")
    )


def _usps_of_fips() -> dict[str, str]:
    states = load_states()
    return dict(zip(states["state_fips"], states["usps"], strict=True))


def inputs_fingerprint(store: Store, threshold: int) -> str:
    """What the panel depends on: releases, precedence overrides, resolutions, threshold."""
    parts = store.rows(
        """SELECT
             (SELECT string_agg(sha256 || ':' || release_id, ',' ORDER BY release_id)
                FROM releases),
             (SELECT string_agg(release_id || table_name || month_from || month_to
                                || coalesce(aor, '*'), ',' ORDER BY created_at)
                FROM precedence_overrides),
             (SELECT count(*) || ':' || max(resolved_at) FROM location_resolutions)"""
    )[0]
    text = (
        "|".join(str(p) for p in parts) + f"|t{threshold}|m{len(COUNT_MEASURES)}|v{PANEL_VERSION}"
    )
    # the method's version leads, so that a build knows whether the last one used its method
    return f"v{PANEL_VERSION}-" + hashlib.sha256(text.encode()).hexdigest()


def panel_is_current(store: Store, threshold: int = DEFAULT_THRESHOLD) -> bool:
    latest = store.scalar("SELECT fingerprint FROM panel_builds ORDER BY built_at DESC LIMIT 1")
    return bool(latest == inputs_fingerprint(store, threshold))


def _withheld_before(store: Store, cells: pl.DataFrame) -> list[bool]:
    """Cells the previous build withheld whose value is unchanged: they stay withheld, so that
    comparing two builds of the store (before and after a release) reveals none of them. Only
    a build by the same method carries them over."""
    last = store.scalar("SELECT fingerprint FROM panel_builds ORDER BY built_at DESC LIMIT 1")
    if not str(last).startswith(f"v{PANEL_VERSION}-"):
        return [False] * cells.height  # a new method starts afresh: its choices are its own
    before = store.frame(
        "SELECT level, area_code, month, measure, value, true AS withheld FROM panel_cells "
        "WHERE suppressed IS NOT NULL"
    )
    if before.is_empty():
        return [False] * cells.height
    joined = cells.join(before, on=["level", "area_code", "month", "measure", "value"], how="left")
    return joined["withheld"].fill_null(False).to_list()


def build_panel(store: Store, threshold: int = DEFAULT_THRESHOLD) -> int:
    """Build (or rebuild) the panel and its disclosure control; returns the number of cells."""
    store.refuse_if_published_only("rebuild the panel")
    started = time.perf_counter()
    placed = placed_base(base_cells(store))
    cells = level_cells(placed).with_columns(pl.col("value").round(AVERAGE_DECIMALS))
    relations = panel_relations(cells, placed, _usps_of_fips())
    before = _withheld_before(store, cells)
    # the inputs of the upper bounds (measures.bounds): withheld as complements last
    costly = (pl.col("level") == AOR_NO_STATE) | pl.col("area_code").str.ends_with(UNASSIGNED)
    costly = costly.alias("costly")
    result = suppress(
        cells["value"].to_list(),
        relations,
        threshold,
        withheld_before=before,
        costly=cells.select(costly)["costly"].to_list(),
        # the nation's figures are what every bound falls back on, and what a reader checks
        # first: never withheld to protect another cell (only when small themselves)
        spared=(cells["level"] == "nation").to_list(),
    )
    status = [
        "primary" if p else "complementary" if c else None
        for p, c in zip(result.primary.tolist(), result.complementary.tolist(), strict=True)
    ]
    published = cells.with_columns(
        pl.when(pl.Series(result.suppressed))
        .then(None)
        .otherwise(pl.col("value"))
        .alias("published"),
        pl.Series("suppressed", status, dtype=pl.String),
    )
    fingerprint = inputs_fingerprint(store, threshold)
    with store.transaction():
        store.execute("DELETE FROM panel_cells")
        store.insert_arrow("panel_cells", published.to_arrow(), "SELECT * FROM batch")
        store.execute(
            "INSERT INTO panel_builds VALUES (?, ?, ?, ?, ?, ?)",
            [
                fingerprint,
                threshold,
                published.height,
                int(result.suppressed.sum()),
                time.perf_counter() - started,
                datetime.now(),
            ],
        )
    return published.height
