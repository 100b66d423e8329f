"""Writing policy entries to the store: each loader replaces exactly its own entries."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from sanctuary_atlas.policies.model import POLICY_COLUMNS, Origin, PolicyEntry, entries_to_arrow
from sanctuary_atlas.store import Store

_INSERT_SELECT = f"SELECT {', '.join(POLICY_COLUMNS)}, ? FROM batch"


class DuplicatePolicyError(ValueError):
    """Two entries with the same identity (same origin, jurisdiction, kind, start and source)."""


def _check_unique(entries: list[PolicyEntry]) -> None:
    seen: dict[str, PolicyEntry] = {}
    for entry in entries:
        earlier = seen.setdefault(entry.policy_id, entry)
        if earlier is not entry:
            raise DuplicatePolicyError(
                f"the same policy twice: {entry.kind} at {entry.jurisdiction_name} from "
                f"{entry.effective_from} ({entry.source.address})"
            )


def _insert(store: Store, entries: list[PolicyEntry]) -> None:
    table: pa.Table = entries_to_arrow(entries)
    # insert_arrow takes no parameters; the load time is the same for the whole batch.
    stamp = datetime.now().replace(microsecond=0).isoformat(sep=" ")
    store.insert_arrow(
        "policies",
        table,
        _INSERT_SELECT.replace("?", f"TIMESTAMP '{stamp}'"),
    )


def replace_entries(store: Store, origin: Origin, entries: list[PolicyEntry]) -> int:
    """Replace every entry of ``origin`` by ``entries``; call inside a transaction."""
    if any(entry.origin != origin for entry in entries):
        raise ValueError(f"replace_entries({origin}) was given entries of another origin")
    _check_unique(entries)
    store.execute("DELETE FROM policies WHERE origin = ?", [str(origin)])
    if entries:
        _insert(store, entries)
    return len(entries)


def add_entries(store: Store, entries: list[PolicyEntry]) -> int:
    """Add entries (user edits); an entry already in the store is an error, not a duplicate."""
    _check_unique(entries)
    ids = [entry.policy_id for entry in entries]
    clash = store.rows("SELECT policy_id FROM policies WHERE list_contains(?, policy_id)", [ids])
    if clash:
        raise DuplicatePolicyError(f"already in the registry: policy {clash[0][0]}")
    if entries:
        _insert(store, entries)
    return len(entries)
