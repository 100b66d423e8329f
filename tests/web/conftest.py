"""A served atlas for the web tests: the real national store, panel built, policies loaded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import sanctuary_atlas
from sanctuary_atlas.web.app import create_app
from tests.conftest import DATA


@pytest.fixture(scope="session")
def web_store(tmp_path_factory: pytest.TempPathFactory, panel_store: Path) -> Path:
    """panel_store plus the curated policy registry, Secure Communities, the DHS list and ICE's
    287(g) snapshots (the map's per-model layers)."""
    path = tmp_path_factory.mktemp("web") / "atlas.duckdb"
    path.write_bytes(panel_store.read_bytes())
    with sanctuary_atlas.open(path) as atlas:
        atlas.policies.load_defaults(DATA)
        atlas.policies.load_287g(DATA / "policies" / "287g-sheets")
    return path


@pytest.fixture(scope="session")
def client(web_store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(web_store)) as test_client:
        yield test_client
