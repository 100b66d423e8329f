"""The 287(g) history rebuilt from 1,148 snapshots: agreements, spells, monthly counts."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt
import polars as pl
import pytest

from sanctuary_atlas.policies.api import PoliciesAPI
from sanctuary_atlas.policies.sheets_287g import Snapshot
from sanctuary_atlas.store import Store
from tests.policies.conftest import ARTIFACTS, SHEETS, LoadedRegistry

TRUNCATED = "participating_2025-04-21T000000.xlsx"
FIRST_MONTH, LAST_MONTH = date(2021, 1, 1), date(2026, 5, 1)


def _participating(snapshots: list[Snapshot]) -> list[Snapshot]:
    return sorted(
        (s for s in snapshots if s.file.list_name == "participating"),
        key=lambda s: s.file.snapshot_time,
    )


def _keys(snapshot: Snapshot) -> set[str]:
    return {listing.agreement_key for listing in snapshot.listings}


def _roots(registry: PoliciesAPI) -> dict[str, str]:
    """Each listing key -> the agreement it belongs to (re-spellings merged)."""
    agreements = registry.agreements_287g()
    return {
        key: root
        for root, keys in zip(agreements["agreement_key"], agreements["merged_keys"], strict=True)
        for key in keys
    }


def _entries_287g(registry: PoliciesAPI) -> pl.DataFrame:
    frame = registry.entries("287g_*")
    keys = [
        json.loads(a)["agreement_key"]
        for a in registry.store.frame(
            "SELECT attributes FROM policies WHERE kind GLOB '287g_*' "
            "ORDER BY kind, state_fips, jurisdiction_name, effective_from"
        )["attributes"]
    ]
    return frame.with_columns(pl.Series("agreement_key", keys))


def test_load_is_fast_and_finds_the_agreements(loaded_registry: LoadedRegistry) -> None:
    report = loaded_registry.report
    print(
        f"\n287(g) load: {report.files_loaded} files, {report.agreements} agreements, "
        f"by model {report.agreements_by_model}, {loaded_registry.seconds_287g:.1f} s; "
        f"defaults {loaded_registry.seconds_defaults:.1f} s"
    )
    assert report.files_found == report.files_loaded == 1148
    assert loaded_registry.seconds_287g < 45
    assert set(report.agreements_by_model) == {"jail_enforcement", "task_force", "warrant_service"}
    assert sum(report.agreements_by_model.values()) > 1800  # the 2026 list alone holds 1,843 rows
    assert report.incomplete_snapshots == (TRUNCATED, "pending_2025-09-22T000000.xlsx")


def test_reloading_the_folder_changes_nothing(loaded_registry: LoadedRegistry) -> None:
    with Store.open(loaded_registry.path) as store:
        registry = PoliciesAPI(store)
        before = registry.agreements_287g()
        again = registry.load_287g(SHEETS)
        after = registry.agreements_287g()
    assert again.files_loaded == 0 and again.files_skipped == 1148
    assert before.equals(after)


def test_first_seen_is_the_earliest_snapshot_listing_each_agreement(
    registry: PoliciesAPI, raw_snapshots: list[Snapshot]
) -> None:
    # A file of the pending folder that is byte for byte a participating list lists no pending
    # agreement (pending_2025-09-22 is such a copy).
    participating = {s.sha256 for s in raw_snapshots if s.file.list_name == "participating"}
    genuine = [
        s
        for s in raw_snapshots
        if s.file.list_name == "participating" or s.sha256 not in participating
    ]
    assert len(genuine) == len(raw_snapshots) - 1
    earliest: dict[str, datetime] = {}
    for snapshot in sorted(genuine, key=lambda s: s.file.snapshot_time):
        for key in _keys(snapshot):
            earliest.setdefault(key, snapshot.file.snapshot_time)
    agreements = registry.agreements_287g()
    roots = _roots(registry)
    assert set(roots) == set(earliest)  # every listed key belongs to exactly one agreement
    expected: dict[str, datetime] = {}
    for key, seen in earliest.items():
        expected[roots[key]] = min(seen, expected.get(roots[key], seen))
    stored = dict(zip(agreements["agreement_key"], agreements["first_seen"], strict=True))
    assert stored == expected
    first_entries = (
        _entries_287g(registry).group_by("agreement_key").agg(pl.col("effective_from").min())
    )
    for key, start in first_entries.iter_rows():
        assert start == expected[key].date()


def test_agreements_missing_only_from_the_truncated_list_stay_continuous(
    registry: PoliciesAPI, raw_snapshots: list[Snapshot]
) -> None:
    lists = _participating(raw_snapshots)
    at = next(i for i, s in enumerate(lists) if s.file.path.name == TRUNCATED)
    before, truncated, after = lists[at - 1], lists[at], lists[at + 1]
    roots = _roots(registry)
    missing = {roots[k] for k in (_keys(before) & _keys(after)) - _keys(truncated)}
    assert len(missing) > 100  # 308 rows where its neighbours list ~445
    day = truncated.file.snapshot_time.date()
    entries = _entries_287g(registry).filter(pl.col("agreement_key").is_in(list(missing)))
    covering = entries.filter(
        (pl.col("effective_from") <= day)
        & (pl.col("effective_to").is_null() | (pl.col("effective_to") >= day))
    )
    assert set(covering["agreement_key"]) == missing
    snapshots = registry.snapshots_287g()
    flagged = snapshots.filter(pl.col("file_name") == TRUNCATED)
    assert flagged["is_complete"].to_list() == [False]


def test_an_agreement_that_leaves_and_returns_has_two_spells(registry: PoliciesAPI) -> None:
    # Butler County, Ohio (jail enforcement) is off the list from mid-2021 to early 2025.
    agreements = registry.agreements_287g().filter(
        pl.col("agreement_key") == "participating|39|BUTLER COUNTY SHERIFFS OFFICE|jail_enforcement"
    )
    assert agreements["spells"].to_list() == [2]
    spells = (
        _entries_287g(registry)
        .filter(pl.col("agreement_key") == agreements["agreement_key"][0])
        .sort("effective_from")
    )
    assert spells.height == 2
    gap_day = date(2023, 1, 1)
    first_end, second_start = spells["effective_to"][0], spells["effective_from"][1]
    assert first_end < gap_day < second_start


def _listed_by_month(snapshots: list[Snapshot]) -> tuple[dict[date, set[str]], set[date]]:
    listed: dict[date, set[str]] = defaultdict(set)
    complete_months: set[date] = set()
    for snapshot in snapshots:
        month = snapshot.file.snapshot_time.date().replace(day=1)
        listed[month] |= _keys(snapshot)
        if snapshot.file.path.name != TRUNCATED:
            complete_months.add(month)
    return listed, complete_months


def test_agreements_in_force_per_month_by_model(
    registry: PoliciesAPI, raw_snapshots: list[Snapshot]
) -> None:
    counts = registry.in_force_by_month("287g_*", FIRST_MONTH, LAST_MONTH)
    months = pl.date_range(FIRST_MONTH, LAST_MONTH, "1mo", eager=True)
    assert counts["month"].unique().sort().to_list() == months.to_list()
    # Independent check: in every month with a complete snapshot, the agreements in force are
    # exactly those the month's snapshots list (a spell can only cross a month unseen when
    # the month has no complete snapshot).
    listed, complete_months = _listed_by_month(_participating(raw_snapshots))
    roots = _roots(registry)
    listed = {month: {roots[key] for key in keys} for month, keys in listed.items()}
    entries = _entries_287g(registry)
    for month in months:
        in_force = entries.filter(
            (pl.col("effective_from") <= _month_end(month))
            & (pl.col("effective_to").is_null() | (pl.col("effective_to") >= month))
        )
        if month in complete_months:
            assert set(in_force["agreement_key"]) == listed[month], month
        by_kind = counts.filter(pl.col("month") == month)
        assert by_kind["entries"].sum() == in_force.height
    _plot(counts)


def _month_end(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _plot(counts: pl.DataFrame) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    wide = counts.pivot(on="kind", index="month", values="entries").sort("month").fill_null(0)
    figure, axes = plt.subplots(figsize=(10, 5))
    for kind in [c for c in wide.columns if c != "month"]:
        label = kind.removeprefix("287g_").replace("_", " ")
        axes.plot(wide["month"].to_list(), wide[kind].to_list(), label=label)
    axes.set_title("ICE 287(g) agreements in force per month, by model (from 912 list snapshots)")
    axes.set_ylabel("agreements in force on any day of the month")
    axes.legend()
    axes.grid(alpha=0.3)
    figure.tight_layout()
    out = ARTIFACTS / "287g_in_force_by_model.png"
    figure.savefig(out, dpi=120)
    plt.close(figure)
    wide.write_csv(ARTIFACTS / "287g_in_force_by_model.csv")
    assert out.stat().st_size > 10_000


@pytest.mark.parametrize("month", [date(2021, 1, 1), date(2025, 1, 1), date(2026, 5, 1)])
def test_counts_grow_as_reported(registry: PoliciesAPI, month: date) -> None:
    counts = registry.in_force_by_month("287g_*", month, month)
    assert counts["entries"].sum() > 100


def test_agencies_ice_respelled_are_one_agreement(registry: PoliciesAPI) -> None:
    agreements = registry.agreements_287g()
    marco = agreements.filter(pl.col("spellings").list.contains("Marco Island Police Department"))
    assert marco["spellings"].to_list() == [
        ["Macro Island Police Department", "Marco Island Police Department"]
    ]
    assert marco["spells"].to_list() == [1]
    haskell = agreements.filter(pl.col("agency").str.starts_with("Haskell"))
    assert all(len(spellings) == 1 for spellings in haskell["spellings"])  # two agencies
