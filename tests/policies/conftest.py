"""Fixtures for the policy registry: the real records in ../shared/data/policies, loaded once.

Loading all 1,148 ICE 287(g) snapshots takes seconds, so one store per session holds them, the
curated registry, Secure Communities and the DHS 2025 list; tests that write use their own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from sanctuary_atlas.policies.api import PoliciesAPI
from sanctuary_atlas.policies.ingest_287g import Load287gReport
from sanctuary_atlas.policies.sheets_287g import (
    Snapshot,
    file_sha256,
    read_snapshot,
    snapshot_files,
)
from sanctuary_atlas.store import Store

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
POLICY_DATA = DATA / "policies"
SHEETS = POLICY_DATA / "287g-sheets"
ARTIFACTS = REPO / "artifacts" / "policies"


@dataclass(frozen=True)
class LoadedRegistry:
    path: Path
    report: Load287gReport
    seconds_287g: float
    seconds_defaults: float


@pytest.fixture(scope="session")
def loaded_registry(tmp_path_factory: pytest.TempPathFactory) -> LoadedRegistry:
    """A store with every policy source loaded; the time each load took."""
    assert SHEETS.is_dir(), f"the 287(g) snapshots are expected at {SHEETS}"
    path = tmp_path_factory.mktemp("policies") / "atlas.duckdb"
    with Store.open(path) as store:
        registry = PoliciesAPI(store)
        started = time.perf_counter()
        report = registry.load_287g(SHEETS)
        seconds_287g = time.perf_counter() - started
        started = time.perf_counter()
        registry.load_defaults(DATA)
        seconds_defaults = time.perf_counter() - started
    return LoadedRegistry(path, report, seconds_287g, seconds_defaults)


@pytest.fixture()
def registry(loaded_registry: LoadedRegistry) -> Iterator[PoliciesAPI]:
    """The loaded store, read-only."""
    with Store.open(loaded_registry.path, read_only=True) as store:
        yield PoliciesAPI(store)


@pytest.fixture(scope="session")
def raw_snapshots() -> list[Snapshot]:
    """Every snapshot parsed straight from its file, without the store (files with the same
    bytes parsed once: scrapes days apart often hold identical lists)."""
    parsed: dict[str, Snapshot] = {}
    snapshots = []
    for file in snapshot_files(SHEETS):
        sha = file_sha256(file.path)
        if sha not in parsed:
            parsed[sha] = read_snapshot(file, sha)
        snapshots.append(replace(parsed[sha], file=file))
    return snapshots


@pytest.fixture()
def fresh_registry(tmp_path: Path) -> Iterator[PoliciesAPI]:
    """An empty store with the curated registry loaded, for tests that write."""
    with Store.open(tmp_path / "atlas.duckdb") as store:
        registry = PoliciesAPI(store)
        registry.load_curated()
        yield registry
