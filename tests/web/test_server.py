"""The app served by uvicorn on loopback, as a browser or a connection pool uses it."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from sanctuary_atlas.web.app import create_app
from tests.web.conftest import served


@pytest.fixture(scope="module")
def failing_server(web_store: Path) -> Iterator[int]:
    """The app with one route that fails as an unforeseen error would, served by uvicorn."""
    app: FastAPI = create_app(web_store)

    @app.get("/api/fails")
    def fails() -> None:
        raise RuntimeError("an unforeseen error")

    with served(app) as port:
        yield port


def test_a_500_keeps_the_kept_alive_connection(failing_server: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", failing_server, timeout=10)
    try:
        connection.request("GET", "/api/fails")
        failed = connection.getresponse()
        body = failed.read()
        assert failed.status == 500 and b"internal error" in body
        assert failed.getheader("content-security-policy")  # the headers every answer has
        opened = connection.sock
        assert opened is not None and not failed.will_close
        connection.request("GET", "/api/areas/county/06073")
        answer = connection.getresponse()
        assert answer.status == 200 and b"San Diego" in answer.read()
        assert connection.sock is opened  # the same connection answered both
    finally:
        connection.close()
