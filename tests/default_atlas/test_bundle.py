"""The bundled default atlas: what the records give, byte for byte; small; aggregates only."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from sanctuary_atlas.default_atlas import DEFAULT_BUNDLE, read_manifest
from sanctuary_atlas.default_atlas.export import MANIFEST, export_default_atlas
from sanctuary_atlas.default_atlas.tables import BUNDLED_TABLES
from tests.conftest import DATA

# columns that would hold a row per event or person; none may leave in the bundle
EVENT_COLUMNS = {"source_row", "event_date", "location_text", "citizenship", "gender"}


@pytest.fixture(scope="module")
def fresh_export(tmp_path_factory: pytest.TempPathFactory, records_store: Path) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    export_default_atlas(records_store, out, DATA)
    return out


def test_committed_bundle_is_what_the_records_give(fresh_export: Path) -> None:
    committed = sorted(p.name for p in DEFAULT_BUNDLE.iterdir())
    assert committed == sorted(p.name for p in fresh_export.iterdir())
    for name in committed:
        assert (DEFAULT_BUNDLE / name).read_bytes() == (fresh_export / name).read_bytes(), (
            f"{name} differs from a fresh export: rerun scripts/build_default_atlas.py"
        )


def test_export_twice_gives_the_same_bytes(
    tmp_path: Path, records_store: Path, fresh_export: Path
) -> None:
    export_default_atlas(records_store, tmp_path, DATA)
    for path in fresh_export.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes()


def test_bundle_is_small_and_holds_aggregates_only() -> None:
    size = sum(p.stat().st_size for p in DEFAULT_BUNDLE.iterdir())
    assert size < 20_000_000
    tables = {spec.name for spec in BUNDLED_TABLES}
    assert not tables & {"arrests", "encounters", "removals", "location_resolutions"}
    for spec in BUNDLED_TABLES:
        columns = set(pq.read_schema(DEFAULT_BUNDLE / spec.file_name).names)
        assert not columns & EVENT_COLUMNS, spec.name
    panel = pl.read_parquet(DEFAULT_BUNDLE / "panel_cells.parquet")
    assert panel.columns == ["level", "area_code", "month", "measure", "published"]
    # every published count is at or above the disclosure threshold (5)
    counts = panel.filter(
        pl.col("published").is_not_null() & ~pl.col("measure").str.contains("detained")
    )
    assert counts["published"].min() >= read_manifest()["disclosure_threshold"]


def test_manifest_names_every_release_with_its_raw_file_hash() -> None:
    manifest = read_manifest()
    for release in manifest["releases"]:
        matches = list(DATA.rglob(release["file_name"]))
        assert len(matches) == 1, release["file_name"]
        assert hashlib.sha256(matches[0].read_bytes()).hexdigest() == release["sha256"]
    assert {r["table_name"] for r in manifest["releases"]} >= {
        "arrests",
        "encounters",
        "removals",
        "detention_headcount",
    }
    for spec in BUNDLED_TABLES:
        entry = manifest["tables"][spec.name]
        path = DEFAULT_BUNDLE / entry["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
        assert pq.read_metadata(path).num_rows == entry["rows"]
    assert manifest["sources"]
    # no timestamp or machine path: the manifest must not change between rebuilds
    text = json.dumps(manifest)
    assert "/shared/data" not in text and str(Path.cwd()) not in text
    assert json.loads((DEFAULT_BUNDLE / MANIFEST).read_text()) == manifest
