"""Value rules on edge cases the real files lack: redaction spellings, dates, AOR names."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctuary_atlas.atlas import Atlas
from sanctuary_atlas.geography.aors import UnknownAorError, aor_code
from sanctuary_atlas.releases.banner import parse_banner
from sanctuary_atlas.releases.layouts import detect_kind, match_header
from sanctuary_atlas.releases.methods import ARREST_METHODS, method_class, method_class_sql
from tests.releases.corpus.make_corpus import BANNER, HEADER

VALUE_ROW = (
    '"Seattle Area of Responsibility"|{date}|"Located"|"{landmark}"|"{operation}"|"Other"|"x"|'
    '"{country}"|"Male"'
)


def _ingest(atlas: Atlas, tmp_path: Path, rows: list[dict[str, str]]) -> None:
    body = [VALUE_ROW.format(**r) for r in rows]
    path = tmp_path / "values.csv"
    path.write_text("\n".join([*BANNER, HEADER, *body]) + "\n", encoding="latin-1")
    atlas.ingest([path])


@pytest.mark.parametrize(
    "marker",
    ["(B)(6);(B)(7)(C) ", "(B)(7)(E) ", "(b)(7)(E )", "(b)(6),(b)(7)(c )", "(b)(7)e)", "--"],
)
def test_redaction_spellings(atlas_at: Atlas, tmp_path: Path, marker: str) -> None:
    _ingest(
        atlas_at,
        tmp_path,
        [
            {
                "date": "10/1/2015",
                "landmark": "KING COUNTY JAIL",
                "operation": marker,
                "country": "CANADA",
            },
        ],
    )
    found = atlas_at.sql("SELECT operation, redacted, location_text FROM arrests").row(0)
    assert found == (None, ["operation"], "KING COUNTY JAIL")


def test_values_that_only_look_like_markers_are_kept(atlas_at: Atlas, tmp_path: Path) -> None:
    _ingest(
        atlas_at,
        tmp_path,
        [
            {
                "date": "10/1/2015",
                "landmark": "(OLD) JAIL - ANNEX",
                "operation": "-B-",
                "country": "CÔTE D'IVOIRE",
            },
        ],
    )
    found = atlas_at.sql("SELECT location_text, operation, citizenship, redacted FROM arrests")
    assert found.row(0) == ("(OLD) JAIL - ANNEX", "-B-", "CÔTE D'IVOIRE", [])


@pytest.mark.parametrize(
    ("raw", "stored", "invalid", "fiscal_year"),
    [
        ("10/1/2015", "2015-10-01", False, 2016),
        ("2/29/2016", "2016-02-29", False, 2016),
        ("10/1/2016", "2016-10-01", False, 2017),  # the event date decides, not the banner
        ("2/30/2016", None, True, 2016),  # undated rows take the banner's fiscal year
        ("1/1/999", None, True, 2016),
        ("1/1/1970", None, True, 2016),
        ("13/1/2016", None, True, 2016),
        ("1/1/2999", None, True, 2016),
        ("", None, False, 2016),
    ],
)
def test_dates(
    atlas_at: Atlas,
    tmp_path: Path,
    raw: str,
    stored: str | None,
    invalid: bool,
    fiscal_year: int,
) -> None:
    _ingest(
        atlas_at,
        tmp_path,
        [
            {"date": raw, "landmark": "X", "operation": "", "country": "PERU"},
        ],
    )
    date, flags, stored_year = atlas_at.sql(
        "SELECT event_date::VARCHAR, invalid_dates, fiscal_year FROM arrests"
    ).row(0)
    assert date == stored
    assert flags == (["event_date"] if invalid else [])
    assert stored_year == fiscal_year
    report = atlas_at.releases()["dates_invalid"][0]
    assert report == int(invalid)


def test_aor_names() -> None:
    assert aor_code("Houston Area of Responsibility") == "HOU"
    assert aor_code("  St. Paul Area of Responsibility ") == "SPM"
    assert aor_code("HQ Area of Responsibility") == "HQ"
    assert aor_code("") is None and aor_code(None) is None
    with pytest.raises(UnknownAorError, match="unknown Area of Responsibility 'Gotham'"):
        aor_code("Gotham")


def test_header_synonyms_and_kinds() -> None:
    seattle = match_header(
        [
            "Event Number",
            "Area of Responsibility",
            "Apprehension Landmark",
            "Operation",
            "Processing Disposition",
            "Date of Birth",
            "Country of Citizenship",
            "Gender",
            "Arrest Method",
            "Arrest Date",
        ]
    )
    assert seattle.unknown == () and seattle.fields["method"] == 8
    assert seattle.fields["apprehension_date"] == 9 and seattle.fields["citizenship"] == 6
    kind = detect_kind(seattle, None)
    assert kind is not None and kind.name == "arrests"
    undated_encounters = match_header(
        [
            "Event Number",
            "Event Area of Responsibility",
            "Landmark",
            "Operation",
            "Processing Disposition",
            "Date of Birth",
            "Country of Citizenship",
            "Gender",
        ]
    )
    kind = detect_kind(undated_encounters, None)
    assert kind is not None and kind.name == "encounters"


def test_banner_variants() -> None:
    national = parse_banner(
        [
            "ERO-LESA Statistical Tracking Unit",
            "2019-ICFO-53623",
            "ERO Encounters for FY2019 YTD (10/1/2018 - 8/31/2019)",
        ]
    )
    assert national.foia_number == "2019-ICFO-53623" and national.fiscal_year == 2019
    assert str(national.coverage_end) == "2019-08-31" and national.program == "all"
    assert national.aor_named is None


def test_every_listed_method_is_classed_the_same_in_python_and_sql() -> None:
    import duckdb

    con = duckdb.connect()
    for method, (cls, _) in ARREST_METHODS.items():
        assert method_class(method) == cls
        sql = method_class_sql("m")
        assert con.execute(f"SELECT {sql} FROM (SELECT ? AS m)", [method]).fetchall()[0][0] == cls
    assert method_class("Teleportation") == "other"
