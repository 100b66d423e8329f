"""Write the bundled default atlas from a store built from the records.

The output is a folder of Parquet files (``tables.BUNDLED_TABLES``) and ``manifest.json``
naming the releases and sources they came from. Nothing in it depends on when or where it was
built: rows are written in a fixed order, load times are left out, release paths are made
relative to the records folder, and the manifest holds no timestamp. The same records and the
same library versions give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import sanctuary_atlas
from sanctuary_atlas.default_atlas.tables import BUNDLED_TABLES, WITHHELD
from sanctuary_atlas.measures.disclosure import DEFAULT_THRESHOLD
from sanctuary_atlas.measures.panel import panel_is_current
from sanctuary_atlas.store import Store, StoreError, latest_schema_version

MANIFEST = "manifest.json"
FORMAT = 1
# Public sources of what the bundle holds (the reference geography has its own SOURCES.md).
SOURCES = [
    "U.S. Immigration and Customs Enforcement, ERO-LESA statistics released under FOIA "
    "(arrests, encounters, removals FY2016-2019; Seattle AOR workbook 2018-ICFO-36170), as "
    "published by the Deportation Data Project and the University of Washington Center for "
    "Human Rights. U.S. government works, public domain.",
    "Daily ICE detention headcount by facility (FY2012-2024), UWCHR derivation of an ICE FOIA "
    "release; facility list from the same repository.",
    "People detained per facility and day, October 2022 - March 2026: government data provided "
    "by ICE in response to a FOIA request, processed by the Deportation Data Project (CC0).",
    "ICE detention statistics (bi-weekly spreadsheets, FY2019-2026): initial book-ins by "
    "arresting agency, average daily population, facility list. U.S. government works.",
    "U.S. Census Bureau county population estimates, vintages 2019 and 2024. Public domain.",
    "Enforcement operations and their dates from the news reports cited in "
    "data/policies/operations.yaml.",
    "ICE 287(g) program lists of participating and pending agencies (1,148 archived snapshots).",
    "ICE Secure Communities activation dates by county.",
    "DHS list of sanctuary jurisdictions, 29 May 2025 (as published, later withdrawn).",
    "State and local laws and policies transcribed in data/policies/curated.yaml, each entry "
    "with its own source (see data/policies/SOURCES.md).",
]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _relative_paths(table: pa.Table, data_root: Path) -> pa.Table:
    """Release paths relative to the records folder: an absolute path names the builder's
    machine, and would make two builds differ. Both sides are resolved, so a records folder
    reached through a symbolic link or ``..`` gives the same relative path."""
    root = data_root.resolve()

    def relative(path: str, name: str) -> str:
        resolved = Path(path).resolve()
        return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else name

    paths = [
        relative(path, name)
        for path, name in zip(
            table.column("file_path").to_pylist(),
            table.column("file_name").to_pylist(),
            strict=True,
        )
    ]
    index = table.schema.get_field_index("file_path")
    return table.set_column(index, "file_path", pa.array(paths, pa.string()))


def _write(table: pa.Table, path: Path) -> None:
    # one row group per 64k rows and a fixed codec: the layout depends on the rows only
    pq.write_table(table, path, compression="zstd", compression_level=9, row_group_size=65_536)


def export_default_atlas(store_path: Path, out_dir: Path, data_root: Path) -> dict[str, Any]:
    """Write every bundled table of the store at ``store_path`` and the manifest into
    ``out_dir``; returns the manifest. The store must hold events and a current panel."""
    with sanctuary_atlas.open(store_path, read_only=True) as atlas:
        store = atlas.store
        store.refuse_if_published_only("export the default atlas")
        if not panel_is_current(store, DEFAULT_THRESHOLD):
            raise StoreError(f"the panel of {store_path} is out of date: build it first")
        out_dir.mkdir(parents=True, exist_ok=True)
        tables: dict[str, dict[str, Any]] = {}
        for spec in BUNDLED_TABLES:
            table = store.arrow(spec.export)
            if spec.name == "releases":
                table = _relative_paths(table, data_root)
            path = out_dir / spec.file_name
            _write(table, path)
            tables[spec.name] = {
                "file": spec.file_name,
                "rows": table.num_rows,
                "sha256": _sha256(path),
            }
        manifest = {
            "format": FORMAT,
            "schema_version": latest_schema_version(),
            "disclosure_threshold": DEFAULT_THRESHOLD,
            "withheld_marker": WITHHELD,
            "panel": _panel_summary(store),
            "tables": tables,
            "releases": _releases(store),
            "policy_entries_by_origin": dict(
                store.rows("SELECT origin, count(*) FROM policies GROUP BY 1 ORDER BY 1")
            ),
            "sources": SOURCES,
            "geography": "bundled with the package: data/geography (see its SOURCES.md)",
            "licence": "Derived aggregates of public-domain U.S. government records and of "
            "sources named per policy entry; the code is Apache-2.0.",
        }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=1, default=str) + "\n")
    return manifest


def _panel_summary(store: Store) -> dict[str, Any]:
    cells, withheld, first, last = store.rows(
        """SELECT count(*), count(*) FILTER (WHERE published IS NULL),
                  min(month)::VARCHAR, max(month)::VARCHAR FROM panel_cells"""
    )[0]
    return {"cells": cells, "withheld": withheld, "first_month": first, "last_month": last}


def _releases(store: Store) -> list[dict[str, Any]]:
    frame = store.frame(
        """SELECT file_name, sheet, table_name, foia_number, fiscal_year,
                  coverage_start::VARCHAR AS coverage_start, coverage_end::VARCHAR AS
                  coverage_end, is_complete, rows_loaded, sha256
           FROM releases ORDER BY release_id"""
    )
    return frame.to_dicts()
