"""From 287(g) list snapshots to agreements, their spells on the list, and policy entries.

ICE publishes no agreement identifiers, so an agreement is (list, state, agency, model), with the
agency name compared loosely (see ``sheets_287g.agency_key_of``). Its spells are the stretches
of snapshots that list it. Only a *complete* snapshot that omits it ends a spell: the
participating list of 2025-04-21 holds 308 rows where its neighbours hold ~445 (rows missing
from every state, not a cut-off tail), and an agreement missing from it alone stays continuous.
A snapshot is judged incomplete when it omits many agreements that both its neighbours list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

from sanctuary_atlas.policies.jurisdictions import county_by_name, county_fips_for, state_for
from sanctuary_atlas.policies.model import (
    DateBasis,
    JurisdictionLevel,
    Origin,
    PolicyEntry,
    PolicyKind,
    Source,
)
from sanctuary_atlas.policies.respellings import respelled_keys

ICE_287G_PAGE = "https://www.ice.gov/identify-and-arrest/287g"
# A snapshot omitting more than this share of the agreements both neighbours list (and at
# least a handful) is incomplete. Real turnover between two scrapes a few days apart is a few
# agreements; the truncated 2025-04-21 list omits 156 of ~440.
_MISSING_SHARE = 0.05
_MISSING_MIN = 5
_KIND_BY_MODEL = {
    "jail_enforcement": PolicyKind.G287_JAIL_ENFORCEMENT,
    "task_force": PolicyKind.G287_TASK_FORCE,
    "warrant_service": PolicyKind.G287_WARRANT_SERVICE,
}
_AGENCY_TYPES = {
    "COUNTY": "county",
    "MUNICIPALITY": "municipality",
    "MUNCIPALITY": "municipality",  # sic, in 2025 lists
    "STATE AGENCY": "state",
    "STATE": "state",
}


@dataclass(frozen=True)
class Completeness:
    is_complete: bool
    note: str | None


@dataclass(frozen=True)
class Spell:
    first_seen: datetime
    last_seen: datetime
    first_file: str
    ends_open: bool  # listed in the latest complete snapshot: still in force


def list_keys(keys: set[str], list_name: str) -> set[str]:
    """The agreement keys of one list. A file of the pending folder can hold the participating
    list (pending_2025-09-22 is byte for byte participating_2025-09-18): its rows are not
    pending agreements, and the snapshot counts as incomplete for the pending list."""
    prefix = f"{list_name}|"
    return {key for key in keys if key.startswith(prefix)}


def snapshot_completeness(keys_by_snapshot: list[set[str]]) -> list[Completeness]:
    """Judge each snapshot of one list (oldest first) against its neighbours."""
    judged: list[Completeness] = []
    last = len(keys_by_snapshot) - 1
    for i, keys in enumerate(keys_by_snapshot):
        before = keys_by_snapshot[i - 1] if i > 0 else None
        after = keys_by_snapshot[i + 1] if i < last else None
        if before is not None and after is not None:
            expected = before & after
        else:  # an end of the series has one neighbour; demand a larger gap there
            expected = before if before is not None else (after or set())
        missing = len(expected - keys)
        threshold = max(_MISSING_MIN, _MISSING_SHARE * len(expected))
        if before is None or after is None:
            threshold *= 5
        if missing > threshold:
            note = f"omits {missing} of the {len(expected)} agreements its neighbours list"
            judged.append(Completeness(False, note))
        else:
            judged.append(Completeness(True, None))
    return judged


@dataclass(frozen=True)
class ListTimeline:
    """The snapshots of one list, oldest first, as spells need them."""

    files: list[str]
    times: list[datetime]
    complete_before: list[int]  # complete snapshots before each index (prefix counts)
    latest_complete: int

    @classmethod
    def of(cls, files: list[str], times: list[datetime], complete: list[bool]) -> ListTimeline:
        before = [0]
        for flag in complete:
            before.append(before[-1] + int(flag))
        latest = max((i for i, flag in enumerate(complete) if flag), default=len(complete) - 1)
        return cls(files, times, before, latest)


def spells_of(present: list[int], timeline: ListTimeline) -> list[Spell]:
    """Spells of one agreement from the (sorted) indexes of the snapshots listing it."""
    before = timeline.complete_before
    spells: list[Spell] = []
    start = present[0]
    for previous, current in zip(present, [*present[1:], None], strict=True):
        if current is not None and before[current] - before[previous + 1] == 0:
            continue  # no complete snapshot between two listings: the spell goes on
        ends_open = current is None and previous >= timeline.latest_complete
        spells.append(
            Spell(timeline.times[start], timeline.times[previous], timeline.files[start], ends_open)
        )
        if current is not None:
            start = current
    return spells


def agency_type_of(raw: str | None, agency: str) -> tuple[str | None, bool]:
    """The agency's type (county | municipality | state) and whether it was inferred.

    Lists before 2025 have no TYPE column: the type is then read from the agency's name.
    """
    if raw and raw.strip().upper() in _AGENCY_TYPES:
        return _AGENCY_TYPES[raw.strip().upper()], False
    name = agency.upper()
    if any(word in name for word in ("SHERIFF", "COUNTY", "PARISH")):
        return "county", True
    if any(word in name for word in ("STATE", "DEPARTMENT OF CORRECTIONS", "HIGHWAY PATROL")):
        return "state", True
    if "POLICE" in name:
        return "municipality", True
    return None, True


def agreements_frame(
    snapshots: pl.DataFrame, listings: pl.DataFrame
) -> tuple[pl.DataFrame, dict[str, list[Spell]]]:
    """One row per agreement, and each agreement's spells. Keys ICE merely re-spelled are
    merged into the agreement they continue (``respellings``); ``merged_keys`` lists them.

    ``snapshots`` needs sha256, list_name, file_name, snapshot_time, is_complete (one row per
    observation; several may share a content sha256); ``listings`` the columns of
    ``policy_287g_listings`` (one set of rows per content).
    """
    keys_by_sha: dict[str, set[str]] = defaultdict(set)
    for sha, key in listings.select("sha256", "agreement_key").unique().iter_rows():
        keys_by_sha[sha].add(key)
    ordered = snapshots.sort(["list_name", "snapshot_time", "file_name"])
    spells: dict[str, list[Spell]] = {}
    aliases: dict[str, str] = {}  # re-spelled key -> the agreement it continues
    for _, group in ordered.group_by(["list_name"], maintain_order=True):
        present: dict[str, list[int]] = defaultdict(list)
        for index, sha in enumerate(group["sha256"]):
            for key in list_keys(keys_by_sha[sha], group["list_name"][0]):
                present[key].append(index)
        timeline = ListTimeline.of(
            group["file_name"].to_list(),
            group["snapshot_time"].to_list(),
            group["is_complete"].to_list(),
        )
        respelled = respelled_keys(present, timeline.complete_before)
        aliases.update(respelled)
        for alias, root in respelled.items():
            present[root] = sorted(set(present[root]) | set(present.pop(alias)))
        for key, indexes in present.items():
            spells[key] = spells_of(indexes, timeline)
    observed = snapshots.select("sha256", "list_name", "snapshot_time")
    timed = listings.join(observed, on="sha256").with_columns(
        pl.col("agreement_key").alias("listed_key"),
        pl.col("agreement_key").replace(aliases),
    )
    seen = pl.col("snapshot_time")
    frame = (
        timed.sort("snapshot_time", "source_row")
        .group_by("agreement_key")
        .agg(
            pl.col("list_name").first(),
            pl.col("state_fips").drop_nulls().last(),
            pl.col("state_raw").drop_nulls().last().alias("state_name"),
            pl.col("agency_raw").last().alias("agency"),
            pl.col("agency_type").drop_nulls().last(),
            pl.col("model").first(),
            pl.col("county_raw").drop_nulls().last().alias("county_name"),
            pl.col("signed_date").min().alias("signed_first"),
            pl.col("signed_date").max().alias("signed_last"),
            pl.col("signed_raw")
            .filter(pl.col("signed_date").is_null())
            .drop_nulls()
            .unique()
            .sort()
            .alias("signed_unreadable"),
            seen.min().alias("first_seen"),
            seen.max().alias("last_seen"),
            seen.n_unique().alias("snapshots_listed"),
            pl.col("listed_key").unique().sort().alias("merged_keys"),
            pl.col("agency_raw").unique().sort().alias("spellings"),
        )
        .sort("agreement_key")
    )
    return frame, spells


def _jurisdiction(
    row: dict[str, Any],
) -> tuple[JurisdictionLevel, str | None, str, tuple[str, ...]]:
    """Where an agreement applies: its state for state agencies, else its county when known."""
    state_fips = row["state_fips"]
    agency_type, _ = agency_type_of(row["agency_type"], row["agency"])
    if agency_type == "state":
        state = state_for(state_fips)
        return JurisdictionLevel.STATE, state_fips, state[2] if state else row["state_name"], ()
    county = row["county_fips"]
    if county:
        return JurisdictionLevel.COUNTY, county, row["county_name"] or row["agency"], (county,)
    level = JurisdictionLevel.PLACE if agency_type == "municipality" else JurisdictionLevel.COUNTY
    return level, None, row["county_name"] or row["agency"], ()


def county_fips_of_agreement(row: dict[str, Any]) -> str | None:
    """The county an agreement's agency serves: ICE's COUNTY column (2025 on), else its name."""
    if not row["state_fips"]:
        return None
    if row["county_name"]:
        exact = county_by_name(row["county_name"], row["state_fips"])
        if exact:
            return exact
    for text in (row["county_name"], row["agency"]):
        if text:
            found = county_fips_for(text, row["state_fips"])
            if found:
                return found
    return None


def policy_entries(
    agreements: pl.DataFrame, spells: dict[str, list[Spell]], series_start: dict[str, datetime]
) -> tuple[list[PolicyEntry], int]:
    """Policy entries, one per agreement spell, and the number of agreements left out
    (unknown model or state: no kind or jurisdiction to file them under). ``series_start``
    gives each list's earliest snapshot: a spell starting there began at some unknown date
    before it."""
    entries: list[PolicyEntry] = []
    left_out = 0
    for row in agreements.iter_rows(named=True):
        pending = row["list_name"] == "pending"
        kind = PolicyKind.PENDING_287G if pending else _KIND_BY_MODEL.get(row["model"])
        if kind is None or not row["state_fips"]:
            left_out += 1
            continue
        level, fips, name, counties = _jurisdiction(row)
        agreement_spells = spells[row["agreement_key"]]
        agency_type, type_inferred = agency_type_of(row["agency_type"], row["agency"])
        for number, spell in enumerate(agreement_spells, start=1):
            listed = "pending list" if pending else "participating list"
            entries.append(
                PolicyEntry(
                    jurisdiction_level=level,
                    jurisdiction_fips=fips,
                    jurisdiction_name=name,
                    state_fips=row["state_fips"],
                    county_fips=counties,
                    kind=kind,
                    effective_from=spell.first_seen.date(),
                    effective_to=None if spell.ends_open else spell.last_seen.date(),
                    description=(
                        f"{row['agency']}: 287(g) {row['model'].replace('_', ' ')} "
                        f"on ICE's {listed}; signed {row['signed_last'] or 'date not readable'}"
                    ),
                    source=Source(
                        title=f"ICE 287(g) {listed}, snapshot {spell.first_file}",
                        publisher="U.S. Immigration and Customs Enforcement",
                        date=spell.first_seen.date(),
                        address=ICE_287G_PAGE,
                    ),
                    date_basis=DateBasis.FIRST_SEEN_IN_SNAPSHOT,
                    origin=Origin.ICE_287G_SNAPSHOTS,
                    uncertainty=_uncertainty(
                        row, fips, spell, spell.first_seen == series_start[row["list_name"]]
                    ),
                    agency=row["agency"],
                    attributes={
                        "agreement_key": row["agreement_key"],
                        "model": row["model"],
                        "agency_type": agency_type,
                        "agency_type_inferred": type_inferred,
                        "signed_first": row["signed_first"],
                        "signed_last": row["signed_last"],
                        "signed_unreadable": row["signed_unreadable"],
                        "spell": number,
                        "spells": len(agreement_spells),
                        "last_seen": spell.last_seen,
                    },
                )
            )
    return entries, left_out


def _uncertainty(
    row: dict[str, Any], fips: str | None, spell: Spell, from_series_start: bool
) -> str | None:
    notes = []
    if from_series_start:
        notes.append(
            "listed in the earliest snapshot, so in force since at least then "
            f"(ICE's signing date: {row['signed_first'] or 'not given'})"
        )
    if fips is None:
        notes.append("county not resolved from the agency name")
    if not spell.ends_open:
        notes.append("ended between its last listing and the next complete snapshot")
    if row["signed_unreadable"]:
        notes.append(f"signing date not readable: {', '.join(row['signed_unreadable'])}")
    return "; ".join(notes) or None
