"""The one catalogue of areas (``atlas.areas``), on the bundled reference tables."""

from __future__ import annotations

import pytest

from sanctuary_atlas.measures.areas import (
    UnknownAreaError,
    area_names,
    catalogue,
    is_remainder,
    is_remainder_expr,
)
from sanctuary_atlas.measures.panel import LEVELS


def test_remainder_areas_are_one_test_in_both_forms() -> None:
    for code in ("HQ", "UNKNOWN", "UNASSIGNED", "CA-UNASSIGNED", "XX-UNASSIGNED"):
        assert is_remainder(code), code
    for code in ("06037", "CA", "LOS", "US", "UNASSIGNEDX", "HQX"):
        assert not is_remainder(code), code
    for level in LEVELS:
        names = area_names(level)
        flagged = names.filter(is_remainder_expr())["area_code"].to_list()
        assert flagged == [c for c in names["area_code"] if is_remainder(c)]
    assert "CA-UNASSIGNED" in area_names("county")["area_code"].to_list()


def test_look_up_search_and_resolve() -> None:
    areas = catalogue()
    assert areas.area("county", "06037").name == "Los Angeles County, CA"
    with pytest.raises(UnknownAreaError, match="no state area with code 'ZZ'"):
        areas.area("state", "ZZ")
    assert areas.search("los angeles", level="county")[0].code == "06037"
    assert {a.code for a in areas.search("not placed", level="state")} == {"UNASSIGNED"}
    assert areas.resolve("California").code == "CA"
    assert areas.resolve("LOS").level == "aor"
    with pytest.raises(UnknownAreaError, match=r"Did you mean: .*Los Angeles County, CA"):
        areas.resolve("Los Angles County, CA")
    # a remainder is bookkeeping, never a place a report is about
    with pytest.raises(UnknownAreaError):
        areas.resolve("CA-UNASSIGNED")
    assert not any(is_remainder(a.code) for a in areas.places())


def test_enclosing_areas() -> None:
    areas = catalogue()
    la = areas.area("county", "06037")
    assert [(a.level, a.code) for a in areas.enclosing(la)] == [
        ("state", "CA"),
        ("aor", "LOS"),
        ("nation", "US"),
    ]
    # a state spanning several AORs lies in each of them
    california = [a.code for a in areas.enclosing(areas.area("state", "CA")) if a.level == "aor"]
    assert {"LOS", "SFR"} <= set(california)
    assert [a.code for a in areas.enclosing(areas.area("county", "CA-UNASSIGNED"))] == ["CA", "US"]
    assert [a.code for a in areas.enclosing(areas.area("aor", "HQ"))] == ["US"]
    assert areas.enclosing(areas.area("nation", "US")) == []
    assert areas.remainder_of(areas.area("state", "TX")) == areas.area("county", "TX-UNASSIGNED")
    assert areas.remainder_of(areas.area("nation", "US")) == areas.area("state", "UNASSIGNED")
