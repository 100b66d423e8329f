"""Materialise the bundled default atlas into a DuckDB store (``sanctuary-atlas init``).

The store is written under a temporary name beside the target and renamed into place only when
every table is in and checked, so an interrupted init leaves no half-written store and never
touches an existing one (unless asked to replace it).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from sanctuary_atlas.default_atlas.export import FORMAT, MANIFEST
from sanctuary_atlas.default_atlas.tables import BUNDLED_TABLES
from sanctuary_atlas.measures.panel import inputs_fingerprint
from sanctuary_atlas.store import Store, StoreError, latest_schema_version

DEFAULT_BUNDLE = Path(str(resources.files("sanctuary_atlas") / "data" / "default_atlas"))


class BundleError(StoreError):
    """The bundle is missing, damaged or from a newer program."""


@dataclass(frozen=True)
class Materialised:
    path: Path
    tables: dict[str, int]  # rows per table
    seconds: float
    manifest_sha256: str


def read_manifest(bundle: Path = DEFAULT_BUNDLE) -> dict[str, Any]:
    path = bundle / MANIFEST
    if not path.is_file():
        raise BundleError(
            f"no default atlas at {bundle} ({MANIFEST} missing): rebuild it with "
            "`python scripts/build_default_atlas.py`"
        )
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BundleError(f"{path}: bundle format {manifest.get('format')!r}, expected {FORMAT}")
    if int(manifest["schema_version"]) > latest_schema_version():
        raise BundleError(
            f"{path}: built for store schema {manifest['schema_version']}; this program knows "
            f"up to {latest_schema_version()}. Upgrade sanctuary-atlas."
        )
    return manifest


def _checked_file(bundle: Path, entry: dict[str, Any]) -> Path:
    path = bundle / str(entry["file"])
    if not path.is_file():
        raise BundleError(f"{path}: missing from the default atlas")
    if hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
        raise BundleError(f"{path}: its bytes differ from the manifest's sha256 (damaged copy?)")
    return path


def materialise(
    store_path: str | Path, bundle: Path = DEFAULT_BUNDLE, *, replace: bool = False
) -> Materialised:
    """Create the store at ``store_path`` from ``bundle``. An existing store is kept (and this
    raises ``FileExistsError``) unless ``replace`` is set."""
    started = time.perf_counter()
    target = Path(store_path)
    if target.exists() and not replace:
        raise FileExistsError(
            f"{target} already exists: keep it, or replace it with `sanctuary-atlas init --force`"
        )
    manifest = read_manifest(bundle)
    manifest_sha = hashlib.sha256((bundle / MANIFEST).read_bytes()).hexdigest()
    files = {
        spec.name: _checked_file(bundle, manifest["tables"][spec.name]) for spec in BUNDLED_TABLES
    }
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    _remove(partial)
    rows: dict[str, int] = {}
    try:
        with Store.open(partial) as store, store.transaction():
            for spec in BUNDLED_TABLES:
                table = pq.read_table(files[spec.name])
                store.insert_arrow(spec.name, table, spec.restore)
                rows[spec.name] = table.num_rows
            _record(store, manifest, manifest_sha)
        os.replace(partial, target)
    finally:
        _remove(partial)
    return Materialised(target, rows, time.perf_counter() - started, manifest_sha)


def _record(store: Store, manifest: dict[str, Any], manifest_sha: str) -> None:
    """Mark the store as published-only and its panel as current (it cannot be rebuilt)."""
    store.execute(
        "INSERT INTO atlas_origin VALUES ('bundled', ?, ?, ?)",
        [
            manifest_sha,
            f"default atlas of {len(manifest['releases'])} release tables",
            datetime.now(),
        ],
    )
    threshold = int(manifest["disclosure_threshold"])
    panel = manifest["panel"]
    store.execute(
        "INSERT INTO panel_builds VALUES (?, ?, ?, ?, 0, ?)",
        [
            inputs_fingerprint(store, threshold),
            threshold,
            panel["cells"],
            panel["withheld"],
            datetime.now(),
        ],
    )


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
