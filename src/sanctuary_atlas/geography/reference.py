"""The bundled reference tables (built by scripts/build_geography.py), loaded as Polars frames.

Every code column (FIPS, USPS, AOR) is read as a string: a FIPS read as an integer loses its
leading zero and silently stops joining.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from importlib.abc import Traversable

import polars as pl

_POPULATION_COLUMN = re.compile(r"^population_(\d{4})$")


class ReferenceDataError(RuntimeError):
    """A bundled table is missing or malformed: the package was built or installed wrongly."""


def _data_dir() -> Traversable:
    return resources.files("sanctuary_atlas") / "data" / "geography"


def _read_strings(name: str, integer_columns: tuple[str, ...] = ()) -> pl.DataFrame:
    path = _data_dir() / name
    if not path.is_file():
        raise ReferenceDataError(
            f"bundled geography table {name} is missing; rebuild it with "
            "`python scripts/build_geography.py`"
        )
    with path.open("rb") as handle:
        frame = pl.read_csv(handle.read(), infer_schema=False)
    return frame.with_columns(pl.col(c).cast(pl.Int64, strict=True) for c in integer_columns)


@cache
def load_states() -> pl.DataFrame:
    """States, DC and the territories ICE AORs cover: state_fips, usps, name, is_state_or_dc."""
    return _read_strings("states.csv").with_columns(pl.col("is_state_or_dc") == "True")


def _population_years() -> tuple[int, ...]:
    path = _data_dir() / "counties.csv"
    if not path.is_file():
        raise ReferenceDataError("bundled geography table counties.csv is missing")
    with path.open("r", encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    return tuple(sorted(int(m.group(1)) for c in header if (m := _POPULATION_COLUMN.match(c))))


# The years of the bundled Census estimates (vintage 2019 for 2016-2019, vintage 2024 for
# 2020 on), read from the table's columns: the table says which years it holds.
POPULATION_YEARS = _population_years()
POPULATION_COLUMNS = tuple(f"population_{year}" for year in POPULATION_YEARS)


@cache
def load_counties() -> pl.DataFrame:
    """Counties and equivalents of the 2016 county list: county_fips (5-char string),
    county_name, state, state_fips, aor, population_<year> (Census estimates: vintage 2019 for
    2016-2019, vintage 2024 from 2020; none after 2019 for Connecticut's old counties and
    Valdez-Cordova), population_acs, plus ``population`` (the latest estimate the county has,
    falling back to ACS where there is none, e.g. PR)."""
    frame = _read_strings("counties.csv", (*POPULATION_COLUMNS, "population_acs"))
    return frame.with_columns(
        pl.coalesce(*reversed(POPULATION_COLUMNS), "population_acs").alias("population")
    )


@cache
def load_other_population() -> pl.DataFrame:
    """Census county equivalents after 2019 that the county list lacks (Connecticut's planning
    regions, Alaska's Chugach and Copper River): area_fips, name, state, aor and their
    population_<year> columns. They count in state, AOR and national totals only."""
    columns = [c for c in POPULATION_COLUMNS if c != "population_acs"]
    frame = _read_strings("population_other.csv")
    present = [c for c in columns if c in frame.columns]
    return frame.with_columns(pl.col(c).cast(pl.Int64) for c in present)


@cache
def load_aors() -> pl.DataFrame:
    """The 24 AORs: code, name, field_office_city, field_office_state, address."""
    return _read_strings("aors.csv")


@cache
def load_aor_states() -> pl.DataFrame:
    """Which AOR covers which state; whole_state is False where the state is split."""
    return _read_strings("aor_states.csv").with_columns(pl.col("whole_state") == "True")


@cache
def load_facilities() -> pl.DataFrame:
    """Detention facilities and named institutions with their county (name, city, state,
    county_fips, source)."""
    return _read_strings("facilities.csv")


@cache
def load_agencies() -> pl.DataFrame:
    """HIFLD local law-enforcement agencies: name, city, state, county_fips, type."""
    return _read_strings("agencies.csv")


@cache
def load_cities() -> pl.DataFrame:
    """City -> county of its police department (HIFLD): city, state, county_fips, agencies."""
    return _read_strings("cities.csv", ("agencies",))


@cache
def load_dockets() -> pl.DataFrame:
    """ERO docket code -> states of the facilities filed under it, with counts."""
    return _read_strings("dockets.csv", ("facilities",))


@cache
def load_office_areas() -> pl.DataFrame:
    """ERO office codes and sub-office names -> the one state the office's area lies in (aor,
    key, kind 'code' | 'name', state, basis); state is blank where the area spans states."""
    return _read_strings("office_areas.csv")


def county_shapes_json() -> str:
    """The us-atlas county TopoJSON (objects: counties, states, nation) as text."""
    path = _data_dir() / "us-counties-10m.topo.json"
    if not path.is_file():
        raise ReferenceDataError("bundled county shapes are missing; rebuild the geography data")
    return path.read_text(encoding="utf-8")
