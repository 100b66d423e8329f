"""The curated registry: every entry cites a source, and it covers what the issue asks for."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from sanctuary_atlas.policies.curated import curated_entries, curated_text
from sanctuary_atlas.policies.model import Origin
from sanctuary_atlas.policies.validate import (
    SOURCE_REQUIRED,
    PolicyValidationError,
    entries_from_records,
    yaml_records,
)

LIMITING_STATES = {  # CA IL NY NJ WA OR CO VT CT NM RI MA
    "06", "17", "36", "34", "53", "41", "08", "50", "09", "35", "44", "25",
}  # fmt: skip
MANDATING_STATES = {"48", "12", "13", "47", "01", "04", "37", "19"}  # TX FL GA TN AL AZ NC IA
NINE_CITIES = {  # Census place codes
    "2507000": "Boston", "3651000": "New York", "2622000": "Detroit", "1714000": "Chicago",
    "0667000": "San Francisco", "0644000": "Los Angeles", "1304000": "Atlanta",
    "2255000": "New Orleans", "3451000": "Newark",
}  # fmt: skip


def _raw_entries() -> list[dict[str, Any]]:
    data = yaml.safe_load(curated_text())
    assert isinstance(data, list) and data
    return data


@pytest.mark.parametrize("field", SOURCE_REQUIRED)
def test_every_curated_entry_has_a_source(field: str) -> None:
    # Read the raw file, not through the validator: this test must fail on its own.
    missing = [
        f"{e.get('jurisdiction_name')} / {e.get('kind')}"
        for e in _raw_entries()
        if not str(e.get(field) or "").strip()
    ]
    assert missing == [], f"curated entries without {field}: {missing}"


def test_the_validator_refuses_an_entry_without_a_source() -> None:
    text = curated_text()
    records = yaml_records(text, "curated.yaml")
    line, first = records[0]
    stripped = {k: v for k, v in first.items() if k != "source_address"}
    with pytest.raises(PolicyValidationError, match=rf"curated.yaml:{line}: missing source"):
        entries_from_records([(line, stripped)], Origin.CURATED, "curated.yaml")


def test_the_curated_file_is_valid_and_loads_whole() -> None:
    entries = curated_entries()
    assert len(entries) == len(_raw_entries())
    assert all(e.source.title and e.source.publisher and e.source.address for e in entries)


def test_states_that_limit_and_that_mandate_cooperation_are_all_there() -> None:
    entries = curated_entries()
    limiting = {e.jurisdiction_fips for e in entries if e.kind.startswith("limits_")}
    mandating = {e.jurisdiction_fips for e in entries if e.kind == "state_mandates_cooperation"}
    assert limiting >= LIMITING_STATES
    assert mandating == MANDATING_STATES


def test_each_of_the_nine_cities_has_a_policy_in_force_in_2016_2020() -> None:
    from datetime import date

    entries = curated_entries()
    for fips, city in NINE_CITIES.items():
        own = [e for e in entries if e.jurisdiction_fips == fips]
        assert own, city
        assert all(e.county_fips for e in own), f"{city}: places list their counties"
        assert any(
            e.effective_from <= date(2020, 12, 31)
            and (e.effective_to is None or e.effective_to >= date(2016, 1, 1))
            for e in own
        ), city


def test_uncertain_dates_say_so() -> None:
    # An entry whose date was inferred must explain it.
    unexplained = [
        f"{e.jurisdiction_name} / {e.kind}"
        for e in curated_entries()
        if e.date_basis == "inferred" and not (e.uncertainty or "").strip()
    ]
    assert unexplained == []
