from __future__ import annotations

import csv
import gzip

import polars as pl

from sanctuary_atlas.geography import load_aors, load_counties, load_states
from sanctuary_atlas.geography.crosswalk import aor_states as states_of
from sanctuary_atlas.geography.reference import (
    POPULATION_COLUMNS,
    POPULATION_YEARS,
    load_office_areas,
    load_other_population,
)

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
    # vintage 2024 (2020 on) has Connecticut's planning regions and Alaska's Chugach and
    # Copper River instead of its eight counties and Valdez-Cordova: those have no estimate
    replaced = pl.col("state").eq("CT") | pl.col("county_fips").eq("02261")
    assert mainland.filter(replaced).height == 9
    for column in POPULATION_COLUMNS:
        year = int(column.removeprefix("population_"))
        rows = mainland.filter(~replaced) if year >= 2020 else mainland
        assert rows[column].null_count() == 0, column
    assert tuple(range(2016, 2025)) == POPULATION_YEARS
    harris = counties.filter(pl.col("county_fips") == "48201")
    assert 4_500_000 < harris["population_2019"].item() < 4_800_000
    assert 4_900_000 < harris["population_2024"].item() < 5_100_000
    other = load_other_population()
    assert sorted(other["area_fips"]) == [
        "02063", "02066", *(f"09{n}0" for n in range(11, 20))
    ]  # fmt: skip
    ct_2024 = other.filter(pl.col("state") == "CT")["population_2024"].sum()
    assert ct_2024 == 3_675_069  # the Census state total, from its nine regions


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


def test_office_areas_agree_with_the_detention_facility_list() -> None:
    """Every office code placed in a state: its hold rooms (facility code = office code + HOLD)
    lie in that state, and its docket files no facility in another state of its AOR."""
    areas = load_office_areas()
    with gzip.open(DATA / "detention" / "facilities.csv.gz", "rt", encoding="utf-8") as handle:
        facilities = list(csv.DictReader(handle, delimiter="|"))
    codes = areas.filter((pl.col("kind") == "code") & pl.col("state").is_not_null())
    assert codes.height >= 150
    for aor, code, state in codes.select("aor", "key", "state").iter_rows():
        assert state in states_of(aor), (aor, code, state)
        for row in facilities:
            if row["aor"] == aor and row["detloc"] == f"{code}HOLD":
                assert row["state"] == state, (aor, code, row)
            if code != aor and row["docket"] == code and row["state"] in states_of(aor):
                assert row["state"] == state, (aor, code, row)
    placed = {(a, k): s for a, k, s in areas.select("aor", "key", "state").iter_rows()}
    assert placed[("CHI", "CHI")] == "IL" and placed[("DAL", "BSC")] == "TX"
    # the Washington field office also works DC, which has no sub-office; Kansas City, both KS
    # and MO
    assert placed[("WAS", "WAS")] is None and placed[("CHI", "KAN")] is None
