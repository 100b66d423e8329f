"""The curated registry shipped in the package: hand-transcribed, cited policy entries."""

from __future__ import annotations

import re
from functools import cache
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


def place_key(name: str) -> str:
    """A city's name compared across sources: "City of Boston", "Boston city, Massachusetts",
    "New York City" and "New Orleans/Orleans (Parish)" reduce to the city's own name."""
    text = re.split(r"[/(,]", name)[0].strip().upper()
    text = re.sub(r"^CITY OF\s+", "", text)
    return re.sub(r"\s+(CITY|TOWN|VILLAGE)$", "", text)


@cache
def curated_places() -> dict[tuple[str, str], tuple[str, str, tuple[str, ...]]]:
    """(state FIPS, place key) -> (place code, name, counties) of the curated places: the only
    Census place codes the package knows until the geography layer has a place gazetteer."""
    return {
        (e.state_fips, place_key(e.jurisdiction_name)): (
            str(e.jurisdiction_fips),
            e.jurisdiction_name,
            e.county_fips,
        )
        for e in curated_entries()
        if e.jurisdiction_level == "place" and e.jurisdiction_fips
    }
