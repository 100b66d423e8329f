"""A served atlas for the web tests: the real national store, panel built, policies loaded."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
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


@contextmanager
def served(app: FastAPI) -> Iterator[int]:
    """``app`` served by uvicorn on a free loopback port (yielded) until the block ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
