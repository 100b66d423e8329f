"""Load a folder of ICE 287(g) list snapshots into the store; rerun it as new scrapes arrive.

Files already in the store (same sha256) are skipped; agreements, spells and policy entries are
then rebuilt from every listing in the store, so a new snapshot can extend, end or revive an
agreement first seen years earlier.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import polars as pl
import pyarrow as pa

from sanctuary_atlas.policies.agreements_287g import (
    agreements_frame,
    county_fips_of_agreement,
    list_keys,
    policy_entries,
    snapshot_completeness,
)
from sanctuary_atlas.policies.model import Origin
from sanctuary_atlas.policies.registry import replace_entries
from sanctuary_atlas.policies.sheets_287g import (
    Snapshot,
    file_sha256,
    read_snapshot,
    snapshot_files,
)
from sanctuary_atlas.store import Store


@dataclass(frozen=True)
class Load287gReport:
    files_found: int
    files_loaded: int
    files_skipped: int  # already in the store
    incomplete_snapshots: tuple[str, ...]
    agreements: int
    agreements_by_model: dict[str, int]  # participating list only
    entries: int
    left_out: int
    seconds: float


class NoSnapshotsError(ValueError):
    """The folder holds no 287(g) snapshot files."""


def _snapshot_rows(snapshot: Snapshot, loaded_at: datetime) -> dict[str, object]:
    return {
        "sha256": snapshot.sha256,
        "list_name": snapshot.file.list_name,
        "file_name": snapshot.file.path.name,
        "snapshot_time": snapshot.file.snapshot_time,
        "time_source": snapshot.file.time_source,
        "source_repository": snapshot.file.source_repository,
        "layout": snapshot.layout,
        "rows_listed": len(snapshot.listings),
        "reader": snapshot.reader,
        "is_complete": True,  # judged below, against the neighbours
        "completeness_note": None,
        "loaded_at": loaded_at,
    }


def _listing_table(snapshots: list[Snapshot]) -> pa.Table:
    rows = [
        {"sha256": snapshot.sha256, **listing.__dict__}
        for snapshot in snapshots
        for listing in snapshot.listings
    ]
    return pa.Table.from_pylist(rows)


def _judge_snapshots(store: Store) -> list[str]:
    """Mark incomplete snapshots in the store; return their file names."""
    snapshots = store.frame(
        "SELECT sha256, snapshot_time, list_name, file_name FROM policy_287g_snapshots "
        "ORDER BY list_name, snapshot_time, file_name"
    )
    keys = store.frame("SELECT DISTINCT sha256, agreement_key FROM policy_287g_listings")
    keys_by_sha: dict[str, set[str]] = {}
    for sha, key in keys.iter_rows():
        keys_by_sha.setdefault(sha, set()).add(key)
    incomplete: list[str] = []
    # Judged afresh on every load: a new neighbour can change a verdict. Few are incomplete,
    # so reset all in one statement and mark those.
    store.execute("UPDATE policy_287g_snapshots SET is_complete = TRUE, completeness_note = NULL")
    for _, group in snapshots.group_by(["list_name"], maintain_order=True):
        shas = group["sha256"].to_list()
        list_name = str(group["list_name"][0])
        judged = snapshot_completeness(
            [list_keys(keys_by_sha.get(sha, set()), list_name) for sha in shas]
        )
        observations = zip(shas, group["snapshot_time"], group["file_name"], judged, strict=True)
        for sha, when, name, verdict in observations:
            if verdict.is_complete:
                continue
            note = verdict.note
            if keys_by_sha.get(sha) and not list_keys(keys_by_sha[sha], list_name):
                note = "holds another list's rows (a misfiled copy): read as listing nothing"
            store.execute(
                "UPDATE policy_287g_snapshots SET is_complete = FALSE, completeness_note = ? "
                "WHERE sha256 = ? AND snapshot_time = ? AND list_name = ?",
                [note, sha, when, list_name],
            )
            incomplete.append(str(name))
    return incomplete


def load_287g_folder(store: Store, folder: Path) -> Load287gReport:
    """Load every new snapshot of ``folder`` and rebuild the 287(g) agreements and entries."""
    started = time.perf_counter()
    files = snapshot_files(folder)
    if not files:
        raise NoSnapshotsError(
            f"no 287(g) snapshots in {folder}: expected participating_*.xlsx / pending_*.xlsx "
            "files (optionally with a MANIFEST.csv)"
        )
    known = set(store.rows("SELECT list_name, snapshot_time, sha256 FROM policy_287g_snapshots"))
    contents = {row[0] for row in store.rows("SELECT DISTINCT sha256 FROM policy_287g_listings")}
    # A snapshot is a file's content at a time; the same content seen again is a new snapshot.
    hashed = [(file, file_sha256(file.path)) for file in files]
    new_files = [(f, sha) for f, sha in hashed if (f.list_name, f.snapshot_time, sha) not in known]
    # Scrapes days apart often hold the same bytes: parse each content once.
    parsed: dict[str, Snapshot] = {}
    read: list[Snapshot] = []
    for file, sha in new_files:
        if sha not in parsed:
            parsed[sha] = read_snapshot(file, sha)
        read.append(replace(parsed[sha], file=file))
    snapshots = list({(s.file.list_name, s.file.snapshot_time, s.sha256): s for s in read}.values())
    new_contents = list({s.sha256: s for s in snapshots if s.sha256 not in contents}.values())
    loaded_at = datetime.now()
    with store.transaction():
        if snapshots:
            store.insert_arrow(
                "policy_287g_snapshots",
                pa.Table.from_pylist([_snapshot_rows(s, loaded_at) for s in snapshots]),
                "SELECT * FROM batch",
            )
        if new_contents:
            store.insert_arrow(
                "policy_287g_listings",
                _listing_table(new_contents),
                "SELECT sha256, source_row, agreement_key, state_raw, state_fips, agency_raw, "
                "agency_type, county_raw, support_raw, model, signed_raw, signed_date FROM batch",
            )
        incomplete = _judge_snapshots(store)
        agreements, entries_count, left_out, by_model = _rebuild_agreements(store)
    return Load287gReport(
        files_found=len(files),
        files_loaded=len(snapshots),
        files_skipped=len(files) - len(snapshots),
        incomplete_snapshots=tuple(incomplete),
        agreements=agreements,
        agreements_by_model=by_model,
        entries=entries_count,
        left_out=left_out,
        seconds=round(time.perf_counter() - started, 2),
    )


def _rebuild_agreements(store: Store) -> tuple[int, int, int, dict[str, int]]:
    snapshots = store.frame(
        "SELECT sha256, list_name, file_name, snapshot_time, is_complete FROM policy_287g_snapshots"
    )
    listings = store.frame("SELECT * FROM policy_287g_listings")
    agreements, spells = agreements_frame(snapshots, listings)
    agreements = agreements.with_columns(
        pl.Series(
            "county_fips",
            [county_fips_of_agreement(row) for row in agreements.iter_rows(named=True)],
            dtype=pl.String,
        ),
        pl.Series(
            "spells", [len(spells[key]) for key in agreements["agreement_key"]], dtype=pl.Int32
        ),
        pl.Series(
            "in_latest",
            [spells[key][-1].ends_open for key in agreements["agreement_key"]],
            dtype=pl.Boolean,
        ),
    )
    store.execute("DELETE FROM policy_287g_agreements")
    store.insert_arrow(
        "policy_287g_agreements",
        agreements.to_arrow(),
        "SELECT agreement_key, list_name, state_fips, state_name, agency, agency_type, model, "
        "county_name, county_fips, signed_first, signed_last, signed_unreadable, first_seen, "
        "last_seen, snapshots_listed, spells, in_latest, merged_keys, spellings FROM batch",
    )
    series_start = {
        str(name): start
        for name, start in snapshots.group_by("list_name")
        .agg(pl.col("snapshot_time").min())
        .iter_rows()
    }
    entries, left_out = policy_entries(agreements, spells, series_start)
    replace_entries(store, Origin.ICE_287G_SNAPSHOTS, entries)
    participating = agreements.filter(pl.col("list_name") == "participating")
    by_model = Counter(participating["model"].to_list())
    return len(agreements), len(entries), left_out, dict(sorted(by_model.items()))
