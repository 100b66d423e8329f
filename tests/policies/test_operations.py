"""The registry of enforcement operations: every entry cited and checked."""

from __future__ import annotations

from datetime import date

import pytest

from sanctuary_atlas.analysis.comparisons import SURGE_2020_AORS
from sanctuary_atlas.policies.operations import (
    _operation,
    operation,
    operations,
    operations_frame,
)


def test_bundled_operations_are_cited() -> None:
    found = operations()
    assert [o.key for o in found][:1] == ["surge_2020"]
    assert len(found) == 6
    for entry in found:
        assert entry.source_address.startswith("https://") and entry.source_date
        assert entry.effective_to is None or entry.effective_to >= entry.effective_from
    assert SURGE_2020_AORS == ("BOS", "NYC", "DET", "CHI", "SFR", "LOS", "ATL", "NOL", "NEW")
    assert operation("midway_blitz_2025").effective_from == date(2025, 9, 8)
    assert set(operations_frame("CHI")["policy_id"]) == {"surge_2020", "midway_blitz_2025"}
    with pytest.raises(KeyError, match="no operation 'moon'"):
        operation("moon")


def test_a_bad_entry_is_reported_with_its_line() -> None:
    record = {
        "key": "x",
        "name": "X",
        "aors": ["CHI", "ZZZ"],
        "jurisdiction_level": "county",
        "jurisdiction_fips": "17031",
        "jurisdiction_name": "Cook County",
        "effective_from": date(2025, 9, 8),
        "effective_to": date(2025, 9, 1),
        "description": "d",
        "date_basis": "guessed",
        "source_title": "t",
        "source_publisher": "p",
        "source_date": "yesterday",
        "source_address": "https://example.org",
    }
    entry, issues = _operation(12, record)
    messages = " | ".join(i.message for i in issues)
    assert entry is None and {i.line for i in issues} == {12}
    assert "unknown AOR code 'ZZZ'" in messages
    assert "effective_to is before effective_from" in messages
    assert "unknown date_basis 'guessed'" in messages
    assert "source_date must be a date" in messages
