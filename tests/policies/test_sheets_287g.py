"""Reading one ICE 287(g) snapshot: layouts, model spellings, signing dates, reader fallback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import fastexcel
import pytest

from sanctuary_atlas.policies import sheets_287g
from sanctuary_atlas.policies.sheets_287g import (
    SnapshotReadError,
    agency_key_of,
    model_of,
    read_snapshot,
    signed_date_of,
    snapshot_files,
)
from tests.policies.conftest import SHEETS

OLD_LAYOUT = "participating_2021-01-13T002027.xlsx"
NEW_LAYOUT = "participating_2026-05-18T000000.xlsx"


def _file(name: str) -> sheets_287g.SnapshotFile:
    return next(f for f in snapshot_files(SHEETS) if f.path.name == name)


def test_manifest_gives_every_snapshot_its_time() -> None:
    files = snapshot_files(SHEETS)
    assert len(files) == 1148
    assert sum(f.list_name == "participating" for f in files) == 912
    assert sum(f.list_name == "pending" for f in files) == 236
    assert files == sorted(files, key=lambda f: f.snapshot_time)
    assert {f.time_source for f in files} >= {"scrape_ts_in_filename", "ice_date_in_filename"}


@pytest.mark.parametrize(
    ("spelling", "model"),
    [
        ("Jail Enforcement Model", "jail_enforcement"),
        ("Jail Enforcment Model ", "jail_enforcement"),
        ("Warrant Services Officer", "warrant_service"),
        ("Warrant Service Office", "warrant_service"),
        ("Task Force Officer ", "task_force"),
        ("Task Force Model", "task_force"),
        (None, "unknown"),
        ("Something else", "unknown"),
    ],
)
def test_model_spellings_found_in_the_lists(spelling: str | None, model: str) -> None:
    assert model_of(spelling) == model


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-06-25 00:00:00", date(2025, 6, 25)),
        ("2020-06-09", date(2020, 6, 9)),
        ("05/082025", date(2025, 5, 8)),  # a slash lost, participating list of 2025-07-07
        ("7/72025", date(2025, 7, 7)),
        ("8/282025", date(2025, 8, 28)),
        ("13/012025", None),
        ("link", None),
        (None, None),
    ],
)
def test_signing_dates_in_every_format_met(raw: str | None, expected: date | None) -> None:
    assert signed_date_of(raw) == expected


def test_agency_spellings_compare_equal() -> None:
    assert agency_key_of("Oklahoma Dept. of Public Safety") == agency_key_of(
        "OKLAHOMA DEPARTMENT OF PUBLIC SAFETY"
    )
    assert agency_key_of("Hardee County Sheriff\u2019s Office") == agency_key_of(
        "Hardee County Sheriff's Office "
    )
    assert agency_key_of("Etowah County Sheriff's Office") != agency_key_of("Etowah County Jail")


def test_both_layouts_read_by_header_name() -> None:
    old, new = read_snapshot(_file(OLD_LAYOUT)), read_snapshot(_file(NEW_LAYOUT))
    assert old.layout == "STATE|LAW ENFORCEMENT AGENCY|SUPPORT TYPE|SIGNED|MOA"
    assert "COUNTY" in new.layout.split("|") and "ADDENDUM" in new.layout.split("|")
    assert len(old.listings) == 150 and len(new.listings) == 1843
    first = old.listings[0]
    assert (first.state_fips, first.model, first.signed_date) == (
        "01",
        "jail_enforcement",
        date(2016, 6, 8),
    )
    assert first.county_raw is None and first.agency_type is None
    autauga = new.listings[0]
    assert autauga.county_raw == "Autauga County" and autauga.agency_type == "County"
    assert autauga.state_fips == "01"


def test_misspelt_state_names_still_resolve() -> None:
    snapshot = read_snapshot(_file("participating_2026-02-27T000000.xlsx"))
    assert "PENNSLYVANIA" in {listing.state_raw for listing in snapshot.listings}
    assert all(listing.state_fips is not None for listing in snapshot.listings)


def test_blank_rows_are_not_agreements() -> None:
    # The 2025-09-24..26 lists end with an empty row (MANIFEST counts 1,035 agreements).
    snapshot = read_snapshot(_file("participating_2025-09-26T000000.xlsx"))
    assert len(snapshot.listings) == 1035


def test_openpyxl_reads_what_fastexcel_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = read_snapshot(_file(NEW_LAYOUT))

    def refuse(path: str) -> None:
        raise RuntimeError("Range is missing the expected column component")

    monkeypatch.setattr(fastexcel, "read_excel", refuse)
    fallback = read_snapshot(_file(NEW_LAYOUT))
    assert fallback.reader == "openpyxl" and expected.reader == "fastexcel"
    assert fallback.listings == expected.listings


def test_a_file_no_reader_can_open_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "participating_2025-01-01T000000.xlsx"
    broken.write_bytes(b"not a workbook")
    file = sheets_287g.SnapshotFile(
        broken, "participating", _file(NEW_LAYOUT).snapshot_time, "test", None
    )
    with pytest.raises(SnapshotReadError, match=r"fastexcel said .*openpyxl said"):
        read_snapshot(file)


def test_spells_bridge_incomplete_snapshots_only() -> None:
    from datetime import datetime

    from sanctuary_atlas.policies.agreements_287g import ListTimeline, spells_of

    times = [datetime(2025, 1, day) for day in range(1, 7)]
    files = [f"s{day}" for day in range(1, 7)]
    timeline = ListTimeline.of(files, times, [True, True, False, True, True, True])
    bridged = spells_of([0, 1, 3, 4, 5], timeline)  # absent only from the incomplete s3
    assert [(s.first_seen.day, s.last_seen.day, s.ends_open) for s in bridged] == [(1, 6, True)]
    split = spells_of([0, 3, 4], timeline)  # absent from the complete s2: leaves, comes back
    assert [(s.first_seen.day, s.last_seen.day, s.ends_open) for s in split] == [
        (1, 1, False),
        (4, 5, False),
    ]


def test_a_list_missing_many_rows_its_neighbours_hold_is_incomplete() -> None:
    from sanctuary_atlas.policies.agreements_287g import snapshot_completeness

    full = {f"a{i}" for i in range(200)}
    judged = snapshot_completeness([full, full - {"a1"}, set(list(full)[:120]), full, full])
    assert [j.is_complete for j in judged] == [True, True, False, True, True]


def test_a_respelling_continues_the_agreement_only_on_an_immediate_hand_over() -> None:
    from sanctuary_atlas.policies.respellings import respelled_keys

    old, new = (
        "p|12|MACRO ISLAND POLICE DEPARTMENT|task_force",
        "p|12|MARCO ISLAND POLICE DEPARTMENT|task_force",
    )
    other = "p|12|MADISON COUNTY SHERIFFS OFFICE|task_force"
    later = "p|12|MARION COUNTY SHERIFFS OFFICE|task_force"
    before = [0, 1, 2, 3, 4, 5, 6]  # every snapshot complete
    assert respelled_keys({old: [0, 1, 2], new: [3, 4]}, before) == {new: old}
    assert respelled_keys({old: [0, 1], new: [3, 4]}, before) == {}  # snapshot 2 lists neither
    assert respelled_keys({other: [0, 1, 2], later: [3, 4]}, before) == {}  # other county
