"""Detention population from the Deportation Data Project (DDP): people held per detention
facility and day, October 2022 onwards, computed by the DDP from ICE's row-level detention
records (FOIA; CC0: "government data provided by ICE in response to a FOIA request, processed
by the Deportation Data Project").

The midnight count (``n_detained_at_midnight``) is stored, the count ICE's own statistics use,
in the same ``detention_headcount`` table as UWCHR's headcount, under its own release. Where
both releases cover a facility and month, one of them counts (``measures.detention``).

Facility codes are the codes of ``facilities.csv.gz``. Codes that list does not know (hold
rooms, hospitals, contracts opened after it) are placed from their name in ICE's published
facility tables (``ice-detention-stats/facilities.parquet``: name, city, state, AOR), and the
city to its county where the city names one county only. A facility found nowhere stays
unplaced (AOR ``UNKNOWN``), never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from sanctuary_atlas.geography.aors import UnknownAorError, aor_code
from sanctuary_atlas.geography.reference import load_cities, load_counties, load_states
from sanctuary_atlas.geography.resolver import resolve_location
from sanctuary_atlas.releases.detention import require_columns
from sanctuary_atlas.releases.errors import BadInputError
from sanctuary_atlas.releases.ingest import register_table_release, sha256_of
from sanctuary_atlas.store import Store

DDP_COLUMNS = ("detention_facility_code", "date", "n_detained_at_midnight", "detention_facility")
ICE_FACILITY_COLUMNS = ("name", "city", "state", "aor")
SOURCE_FAMILY = "ddp-detention"


@dataclass(frozen=True)
class DdpDetentionLoad:
    facility_days: int
    facilities_added: int
    facilities_in_county: int
    status: str


def _name_key(name: str | None) -> str:
    """Facility names as ICE spells them in different tables: case, punctuation and spacing
    differ ("BAKER C. I." / "BAKER C.I.")."""
    return re.sub(r"[^A-Z0-9]", "", (name or "").upper())


def _read_parquet(path: Path, required: tuple[str, ...]) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several error types for unreadable files
        raise BadInputError(path, f"unreadable Parquet file ({exc})") from exc
    return require_columns(path, frame, required, ", ".join(required), row=None)


def _daily(path: Path) -> pl.DataFrame:
    frame = _read_parquet(path, DDP_COLUMNS).with_row_index("source_row", offset=1)
    bad = frame.filter(
        pl.col("detention_facility_code").is_null()
        | pl.col("date").is_null()
        | pl.col("n_detained_at_midnight").is_null()
        | (pl.col("n_detained_at_midnight") < 0)
    )
    if bad.height:
        first = bad.row(0, named=True)
        column = next(c for c in DDP_COLUMNS[:3] if first[c] is None or c == DDP_COLUMNS[2])
        raise BadInputError(
            path,
            f"missing or negative value {first[column]!r}",
            row=int(first["source_row"]),
            column=column,
            expected="a facility code, a date and a whole number of people",
        )
    return frame


def _known_aor(value: str | None) -> str | None:
    """An AOR code of the atlas's 24, else None: ICE's tables also name offices the atlas's
    AOR geography does not have (Harlingen, 'HLG', split from San Antonio); such facilities
    take the AOR of their county."""
    try:
        return aor_code(value)
    except UnknownAorError:
        return None


def place_by_name(names: pl.DataFrame, ice_facilities: Path) -> pl.DataFrame:
    """facility_code, name -> city, state (from ICE's facility tables, by name), county_fips
    (where the city names one county) and aor (the county's AOR in the atlas's geography, else
    the AOR ICE lists). A name listed in two cities is ambiguous and stays unplaced."""
    tables = _read_parquet(ice_facilities, (*ICE_FACILITY_COLUMNS, "fiscal_year"))
    places = (
        tables.with_columns(
            pl.col("name").map_elements(_name_key, return_dtype=pl.String).alias("key"),
            pl.col("city").str.strip_chars().str.to_uppercase(),
            pl.col("state").str.strip_chars().str.to_uppercase(),
            pl.col("aor").map_elements(_known_aor, return_dtype=pl.String),
        )
        .filter(pl.col("state").is_not_null() & pl.col("city").is_not_null())
        .sort("fiscal_year")
        .group_by("key")
        .agg(
            pl.struct("city", "state").n_unique().alias("places"),
            pl.col("city").last(),
            pl.col("state").last(),
            pl.col("aor").drop_nulls().last().alias("listed_aor"),
        )
        .filter(pl.col("places") == 1)
        .drop("places")
    )
    one_county = (
        load_cities()
        .group_by("city", "state")
        .agg(pl.col("county_fips").unique())
        .filter(pl.col("county_fips").list.len() == 1)
        .select("city", "state", pl.col("county_fips").list.first())
    )
    county_aor = load_counties().select("county_fips", pl.col("aor").alias("county_aor"))
    listed = (
        names.with_columns(
            pl.col("name").map_elements(_name_key, return_dtype=pl.String).alias("key")
        )
        .join(places, on="key", how="left")
        .join(one_county, on=["city", "state"], how="left")
    )
    return (
        _resolved(listed)
        .join(county_aor, on="county_fips", how="left")
        .with_columns(pl.coalesce("county_aor", "listed_aor").alias("aor"))
        .select("facility_code", "name", "city", "state", "aor", "county_fips")
    )


def _state_fips(usps: str) -> str | None:
    states = load_states()
    found = states.filter(pl.col("usps") == usps)["state_fips"]
    return found[0] if found.len() else None


def _resolved(listed: pl.DataFrame) -> pl.DataFrame:
    """Facilities ICE lists with a city whose county the city alone does not give go through
    the location resolver (the rules for arrest landmarks: the facility list, "X COUNTY JAIL"
    within the state, ...). Only a county in the listed state is taken."""
    counties: list[str | None] = []
    states: list[str | None] = []
    for name, city, state, aor, county in listed.select(
        "name", "city", "state", "listed_aor", "county_fips"
    ).iter_rows():
        # a bare name is not enough ("CLARK COUNTY JAIL" is in several states, "CIMARRON
        # CORRECTIONAL FACILITY" is not in Cimarron County): only names ICE lists with a city
        if county is None and name and city and state:
            found = resolve_location(f"{name}, {city}, {state}", aor, state)
            placed = found.county_fips if found.level == "county" else None
            if placed and placed[:2] == _state_fips(state):
                county = placed
        counties.append(county)
        states.append(state)
    return listed.with_columns(
        pl.Series("county_fips", counties, dtype=pl.String),
        pl.Series("state", states, dtype=pl.String),
    )


def load_ddp_detention(store: Store, daily: Path, ice_facilities: Path) -> DdpDetentionLoad:
    """Load the DDP daily population (once per file content) and place the facilities the
    stored facility list lacks. Load the facility list (``load_detention``) first."""
    digest = sha256_of(daily)
    if store.scalar("SELECT count(*) FROM releases WHERE sha256 = ?", [digest]):
        return DdpDetentionLoad(0, 0, 0, "already stored")
    frame = _daily(daily)
    known = set(
        store.frame("SELECT DISTINCT facility_code FROM detention_facilities")[
            "facility_code"
        ].to_list()
    )
    names = (
        frame.filter(~pl.col("detention_facility_code").is_in(list(known)))
        .group_by(pl.col("detention_facility_code").alias("facility_code"))
        .agg(pl.col("detention_facility").drop_nulls().mode().first().alias("name"))
        .sort("facility_code")
    )
    added = place_by_name(names, ice_facilities)
    in_county = added.filter(pl.col("county_fips").is_not_null()).height
    report = {
        "count": "n_detained_at_midnight (people held at midnight)",
        "facility_codes": frame["detention_facility_code"].n_unique(),
        "facilities_not_in_list": added.height,
        "facilities_placed_by_name": added.filter(pl.col("state").is_not_null()).height,
        "facilities_placed_in_county_by_name": in_county,
    }
    with store.transaction():
        release_id = register_table_release(
            store,
            path=daily,
            sha256=digest,
            source_family=SOURCE_FAMILY,
            table_name="detention_headcount",
            coverage=(frame["date"].min(), frame["date"].max()),
            rows=frame.height,
            report=report,
        )
        store.insert_arrow(
            "detention_headcount",
            frame.select(
                pl.lit(release_id).alias("release_id"),
                pl.col("source_row").cast(pl.Int64),
                pl.col("detention_facility_code").alias("facility_code"),
                pl.col("date").alias("day"),
                pl.col("n_detained_at_midnight").cast(pl.Int32).alias("people"),
            ).to_arrow(),
            "SELECT * FROM batch",
        )
        store.insert_arrow(
            "detention_facilities",
            added.with_columns(pl.lit(release_id).alias("release_id")).to_arrow(),
            "SELECT release_id, facility_code, name, city, NULL, state, aor, county_fips, "
            "'placed by name' FROM batch",
        )
    return DdpDetentionLoad(frame.height, added.height, in_county, "ingested")
