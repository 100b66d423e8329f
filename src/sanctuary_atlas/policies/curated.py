"""The curated registry shipped in the package: hand-transcribed, cited policy entries."""

from __future__ import annotations

from importlib import resources

from sanctuary_atlas.policies.model import Origin, PolicyEntry
from sanctuary_atlas.policies.registry import replace_entries
from sanctuary_atlas.policies.validate import entries_from_records, yaml_records
from sanctuary_atlas.store import Store

CURATED_FILE = "curated.yaml"


def curated_text() -> str:
    """The bundled curated registry, as written."""
    path = resources.files("sanctuary_atlas") / "data" / "policies" / CURATED_FILE
    return path.read_text(encoding="utf-8")


def curated_entries() -> list[PolicyEntry]:
    """Every curated entry, validated like a user's file (a bad entry fails the whole load)."""
    text = curated_text()
    return entries_from_records(yaml_records(text, CURATED_FILE), Origin.CURATED, CURATED_FILE)


def load_curated(store: Store) -> int:
    """Replace the store's curated entries by the bundled ones; the number loaded."""
    entries = curated_entries()
    with store.transaction():
        return replace_entries(store, Origin.CURATED, entries)
