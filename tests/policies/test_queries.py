"""Asking the registry: `policies at` for the nine cities, lists, timelines, the panel."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from sanctuary_atlas.cli.policies import policies_app
from sanctuary_atlas.policies.api import PoliciesAPI
from sanctuary_atlas.policies.curated import curated_text
from tests.policies.conftest import LoadedRegistry

DAY = "2020-03-01"
CITIES = {  # as a user would type them -> (place code, state FIPS)
    "Boston, MA": ("2507000", "25"),
    "New York, NY": ("3651000", "36"),
    "Detroit, MI": ("2622000", "26"),
    "Chicago, IL": ("1714000", "17"),
    "San Francisco, CA": ("0667000", "06"),
    "Los Angeles, CA": ("0644000", "06"),
    "Atlanta, GA": ("1304000", "13"),
    "New Orleans, LA": ("2255000", "22"),
    "Newark, NJ": ("3451000", "34"),
}
runner = CliRunner()


def _state_entries_in_force(state_fips: str, day: date) -> set[str]:
    """State entries in force on ``day``, read straight from the curated file."""
    found = set()
    for entry in yaml.safe_load(curated_text()):
        if entry["jurisdiction_level"] == "state" and entry["jurisdiction_fips"] == state_fips:
            end = entry.get("effective_to")
            if entry["effective_from"] <= day and (end is None or end >= day):
                found.add(entry["kind"])
    return found


@pytest.mark.parametrize("city", CITIES)
def test_policies_at_each_city_lists_city_county_and_state_entries(
    loaded_registry: LoadedRegistry, city: str
) -> None:
    result = runner.invoke(
        policies_app, ["at", city, "--date", DAY, "--db", str(loaded_registry.path), "--csv"]
    )
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(io.StringIO(result.output), infer_schema=False)
    place, state = CITIES[city]
    roles = frame.group_by("applies_as").len()
    own = frame.filter(pl.col("applies_as") == "own")
    assert set(own["jurisdiction_fips"]) == {place}
    assert own.height >= 1
    assert frame.filter(pl.col("applies_as") == "county").height >= 1, roles
    state_kinds = set(frame.filter(pl.col("applies_as") == "state")["kind"])
    assert state_kinds == _state_entries_in_force(state, date(2020, 3, 1))
    for column in ("source_title", "source_publisher", "source_address"):
        assert frame[column].null_count() == 0, column
    assert (frame["effective_from"] <= DAY).all()


def test_states_without_a_law_have_no_state_entries_before_2024(registry: PoliciesAPI) -> None:
    # Michigan and Louisiana had no state law either way on 2020-03-01 in the registry.
    for city in ("Detroit, MI", "New Orleans, LA"):
        frame = registry.at(city, date(2020, 3, 1))
        assert frame.filter(pl.col("applies_as") == "state").is_empty()


def test_a_sanctuary_city_in_a_mandating_state_keeps_both(registry: PoliciesAPI) -> None:
    frame = registry.at("Atlanta, GA", date(2019, 1, 1))
    kinds = set(zip(frame["applies_as"], frame["kind"], strict=True))
    assert ("own", "limits_jail_access") in kinds
    assert ("state", "state_mandates_cooperation") in kinds


def test_timeline_is_ordered_and_includes_ended_entries(registry: PoliciesAPI) -> None:
    frame = registry.timeline("CA")
    assert frame["effective_from"].is_sorted()
    trust_act = frame.filter(pl.col("source_title").str.starts_with("AB 4"))
    assert trust_act["effective_to"].to_list() == [date(2017, 12, 31)]
    assert (
        registry.at("CA", date(2019, 1, 1))
        .filter(pl.col("source_title").str.starts_with("AB 4"))
        .is_empty()
    )


def test_list_by_kind_glob_and_date(loaded_registry: LoadedRegistry) -> None:
    args = ["list", "--kind", "287g_*", "--date", "2026-05-18", "--db", str(loaded_registry.path)]
    result = runner.invoke(policies_app, [*args, "--csv"])
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(io.StringIO(result.output), infer_schema=False)
    required = {"jurisdiction_fips", "jurisdiction_name", "kind", "effective_from"}
    assert required | {"effective_to", "date_basis", "source_title"} <= set(frame.columns)
    assert set(frame["kind"]) == {
        "287g_jail_enforcement",
        "287g_task_force",
        "287g_warrant_service",
    }
    # On the day of the last snapshot, every agreement it lists is in force.
    assert frame.height == 1843
    assert frame["effective_to"].null_count() == frame.height


def test_dhs_list_entries_are_dated_the_day_of_publication(registry: PoliciesAPI) -> None:
    frame = registry.entries("federal_designation")
    assert frame.height == 605
    assert set(frame["effective_from"]) == {date(2025, 5, 29)}
    assert set(frame["effective_to"]) == {date(2025, 5, 29)}
    assert frame.group_by("jurisdiction_level").len().sort("jurisdiction_level").rows() == [
        ("county", 391), ("place", 200), ("state", 14)
    ]  # fmt: skip
    assert registry.entries("federal_designation", date(2025, 6, 2)).is_empty()


def test_secure_communities_dates_are_months_of_activation(registry: PoliciesAPI) -> None:
    frame = registry.entries("secure_communities_activated")
    assert frame.height == 3242 - 140  # 140 counties have no activation month
    assert (frame["effective_from"].dt.day() == 1).all()
    starts = frame["effective_from"].to_list()
    assert min(starts) >= date(2008, 1, 1)
    assert max(starts) <= date(2013, 12, 31)


def test_panel_indicators_by_route_and_rule(registry: PoliciesAPI) -> None:
    panel = registry.panel(
        date(2011, 8, 1), date(2020, 3, 1), jurisdictions=["17031", "48201"], kinds="limits_*"
    )
    assert panel.height == 2 * 104
    cook = panel.filter(pl.col("jurisdiction_fips") == "17031").sort("month")
    by_month = {row["month"]: row for row in cook.iter_rows(named=True)}
    assert not by_month[date(2011, 8, 1)]["limits_detainers"]
    assert by_month[date(2011, 9, 1)]["limits_detainers"]  # ordinance of 2011-09-07
    assert by_month[date(2020, 3, 1)]["limits_detainers__state"]  # Illinois TRUST Act
    assert by_month[date(2020, 3, 1)]["limits_detainers__place"]  # Chicago
    assert not by_month[date(2017, 7, 1)]["limits_detainers__state"]
    harris = panel.filter(pl.col("jurisdiction_fips") == "48201")
    assert not harris.select(pl.exclude("jurisdiction_fips", "month")).to_numpy().any()
    start_rule = registry.panel(
        date(2011, 9, 1), date(2011, 10, 1), jurisdictions=["17031"], kinds="limits_detainers",
        rule="month_start",
    )  # fmt: skip
    assert start_rule["limits_detainers"].to_list() == [False, True]


def test_unknown_jurisdiction_and_kind_are_user_errors(loaded_registry: LoadedRegistry) -> None:
    db = str(loaded_registry.path)
    result = runner.invoke(policies_app, ["at", "Gotham, ZZ", "--date", DAY, "--db", db])
    assert result.exit_code == 1 and "unknown jurisdiction" in result.output
    result = runner.invoke(policies_app, ["list", "--kind", "sanctuary", "--db", db])
    assert result.exit_code == 1 and "no policy kind matches" in result.output


def test_the_nine_cities_on_the_dhs_list_carry_their_place_codes(registry: PoliciesAPI) -> None:
    named = {}
    for city, (place, _) in CITIES.items():
        frame = registry.at(city, date(2025, 5, 29))
        own = frame.filter(
            (pl.col("applies_as") == "own") & (pl.col("kind") == "federal_designation")
        )
        named[city] = own.height
        assert set(own["jurisdiction_fips"]) <= {place}
    # Detroit is not on the list; the eight others are, each once.
    assert named == {city: int(city != "Detroit, MI") for city in CITIES}
