from __future__ import annotations

import socket
import struct
from pathlib import Path

import polars as pl
import pytest

from sanctuary_atlas.geography import GeographyAPI, UnknownCountyError, load_counties

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_county_choropleth_renders_offline_to_png(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("rendering a map must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    values = load_counties().select(
        "county_fips", (pl.col("population").log10()).alias("log_population")
    )
    out = GeographyAPI().choropleth(values, "log_population", tmp_path / "map.png", "Population")
    data = out.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert 700 <= width <= 1200 and 450 <= height <= 800
    assert 100_000 < len(data) < 5_000_000  # thousands of coloured shapes, not a blank canvas


def test_choropleth_rejects_unknown_counties(tmp_path: Path) -> None:
    values = pl.DataFrame({"county_fips": ["99999"], "value": [1.0]})
    with pytest.raises(UnknownCountyError):
        GeographyAPI().choropleth(values, "value", tmp_path / "map.png")
    with pytest.raises(ValueError, match="county_fips"):
        GeographyAPI().choropleth(pl.DataFrame({"x": [1]}), "x", tmp_path / "map.png")
