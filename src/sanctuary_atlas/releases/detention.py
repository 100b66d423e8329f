"""Detention population: UWCHR's daily headcount by detention facility (derived from an ICE
FOIA release of detention stays) and the facility list that places each facility.

Layouts are recognised by their header: ``detention_facility_code|n|date`` for the headcount,
``detloc|name|...|county|state|...|aor`` for the facilities. Both load in one transaction with
a registry row each, like the event releases. County names carry trailing spaces in the
facility file; they are matched to county FIPS within the state, and a name that matches no
county leaves the facility at state and AOR level (counted in the report).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from sanctuary_atlas.geography.aors import UnknownAorError, aor_code
from sanctuary_atlas.geography.names import county_key
from sanctuary_atlas.geography.reference import load_counties
from sanctuary_atlas.releases.errors import BadInputError
from sanctuary_atlas.releases.ingest import register_table_release, sha256_of
from sanctuary_atlas.store import Store

HEADCOUNT_COLUMNS = ("detention_facility_code", "n", "date")
FACILITY_COLUMNS = ("detloc", "name", "city", "county", "state", "aor", "type")


@dataclass(frozen=True)
class DetentionLoad:
    headcount_rows: int
    facilities: int
    facilities_without_county: int
    status: str


def _read(path: Path, required: tuple[str, ...]) -> pl.DataFrame:
    try:
        frame = pl.read_csv(path, separator="|", infer_schema=False)
    except Exception as exc:  # polars raises several error types for unreadable text
        raise BadInputError(path, f"unreadable delimited file ({exc})") from exc
    return require_columns(
        path, frame, required, f"a '|'-delimited header with {', '.join(required)}", row=1
    )


def require_columns(
    path: Path, frame: pl.DataFrame, required: tuple[str, ...], expected: str, row: int | None
) -> pl.DataFrame:
    """``frame`` if it has every ``required`` column; else an error naming the first missing."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise BadInputError(
            path,
            f"missing column(s) {', '.join(missing)}",
            row=row,
            column=missing[0],
            expected=expected,
        )
    return frame


def _registered(store: Store, digest: str) -> bool:
    return bool(store.scalar("SELECT count(*) FROM releases WHERE sha256 = ?", [digest]))


def _register(
    store: Store,
    path: Path,
    digest: str,
    table: str,
    rows: int,
    report: dict[str, object],
    start: object,
    end: object,
) -> int:
    return register_table_release(
        store,
        path=path,
        sha256=digest,
        source_family="uwchr-detention",
        table_name=table,
        coverage=(start, end),
        rows=rows,
        report=report,
        header_row=1,
    )


def _facilities(path: Path) -> pl.DataFrame:
    frame = _read(path, FACILITY_COLUMNS)
    counties = load_counties().select(pl.col("state"), pl.col("county_key"), pl.col("county_fips"))
    aors: list[str | None] = []
    for index, value in enumerate(frame["aor"].to_list()):
        try:
            aors.append(aor_code(value))
        except UnknownAorError as exc:
            raise BadInputError(path, str(exc), row=index + 2, column="aor") from exc
    return (
        frame.with_columns(
            pl.Series("aor_code", aors, dtype=pl.String),
            pl.col("county").fill_null("").str.strip_chars().alias("county_name"),
            pl.col("state").str.strip_chars(),
        )
        .with_columns(
            pl.col("county_name")
            .map_elements(county_key, return_dtype=pl.String)
            .alias("county_key")
        )
        .join(counties, on=["state", "county_key"], how="left")
        .select(
            pl.col("detloc").alias("facility_code"),
            "name",
            "city",
            "county_name",
            "state",
            pl.col("aor_code").alias("aor"),
            "county_fips",
            pl.col("type").alias("facility_type"),
        )
    )


def load_detention(store: Store, headcount: Path, facilities: Path) -> DetentionLoad:
    """Load the headcount and the facility list (each once per file content)."""
    head_digest, fac_digest = sha256_of(headcount), sha256_of(facilities)
    if _registered(store, head_digest) and _registered(store, fac_digest):
        return DetentionLoad(0, 0, 0, "already stored")
    places = _facilities(facilities)
    counts = _read(headcount, HEADCOUNT_COLUMNS)
    typed = counts.with_row_index("source_row", offset=2).with_columns(
        pl.col("n").cast(pl.Int32, strict=False).alias("people"),
        pl.col("date").str.to_date("%Y-%m-%d", strict=False).alias("day"),
    )
    bad = typed.filter(pl.col("people").is_null() | pl.col("day").is_null())
    if bad.height:
        first = bad.row(0, named=True)
        column = "n" if first["people"] is None else "date"
        raise BadInputError(
            headcount,
            f"unreadable value {first[column]!r}",
            row=first["source_row"],
            column=column,
            expected="a whole number of people and a YYYY-MM-DD date",
        )
    unplaced = places.filter(pl.col("county_fips").is_null()).height
    with store.transaction():
        fac_id = _register(
            store,
            facilities,
            fac_digest,
            "detention_facilities",
            places.height,
            {"facilities_without_county": unplaced},
            None,
            None,
        )
        store.insert_arrow(
            "detention_facilities",
            places.with_columns(pl.lit(fac_id).alias("release_id")).to_arrow(),
            "SELECT release_id, facility_code, name, city, county_name, state, aor, "
            "county_fips, facility_type FROM batch",
        )
        head_id = _register(
            store,
            headcount,
            head_digest,
            "detention_headcount",
            typed.height,
            {"days": typed["day"].n_unique()},
            typed["day"].min(),
            typed["day"].max(),
        )
        store.insert_arrow(
            "detention_headcount",
            typed.select(
                pl.lit(head_id).alias("release_id"),
                pl.col("source_row").cast(pl.Int64),
                pl.col("detention_facility_code").alias("facility_code"),
                "day",
                "people",
            ).to_arrow(),
            "SELECT * FROM batch",
        )
    return DetentionLoad(typed.height, places.height, unplaced, "ingested")
