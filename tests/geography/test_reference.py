from __future__ import annotations

import csv

import polars as pl

from sanctuary_atlas.geography import load_aors, load_counties, load_states
from sanctuary_atlas.geography.reference import POPULATION_COLUMNS

from .helpers import DATA


def test_states_are_the_50_states_dc_and_the_aor_territories() -> None:
    states = load_states()
    assert states.schema["state_fips"] == pl.String
    assert states.filter(pl.col("is_state_or_dc")).height == 51
    assert set(states["usps"]) >= {"TX", "DC", "PR", "GU"}
    assert states.filter(pl.col("usps") == "CA")["state_fips"].item() == "06"


def test_counties_have_string_fips_and_yearly_population() -> None:
    counties = load_counties()
    assert counties.schema["county_fips"] == pl.String
    assert counties["county_fips"].str.len_chars().eq(5).all()
    assert counties["county_fips"].is_unique().all()
    assert counties.filter(pl.col("county_fips") == "06037")["county_name"].item() == (
        "Los Angeles County"
    )
    mainland = counties.filter(pl.col("state") != "PR")
    assert mainland.height == 3142  # Census county equivalents of the 50 states and DC, 2019
    for column in POPULATION_COLUMNS:
        assert mainland[column].null_count() == 0, column
    harris = counties.filter(pl.col("county_fips") == "48201")
    assert 4_500_000 < harris["population_2019"].item() < 4_800_000


def test_counties_match_the_acs_reference_file() -> None:
    with (DATA / "reference" / "county_population_aor.csv").open(newline="") as handle:
        reference = {row["geoid"]: int(row["estimate"]) for row in csv.DictReader(handle)}
    ours = dict(load_counties().select("county_fips", "population_acs").iter_rows())
    assert ours == reference


def test_aors_are_the_24_field_offices() -> None:
    aors = load_aors()
    assert aors.height == 24
    assert aors.filter(pl.col("code") == "SPM")["field_office_state"].item() == "MN"
    assert set(aors["field_office_state"]) >= {"TX", "CA", "NY"}
