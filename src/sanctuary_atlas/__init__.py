"""Sanctuary Atlas: public records of ICE enforcement and local cooperation, as a queryable atlas.

The public Python API::

    import sanctuary_atlas
    with sanctuary_atlas.open("atlas.duckdb") as atlas:
        atlas.ingest(["../shared/data/ice-lesa/national"])
        atlas.summary()
"""

from __future__ import annotations

from pathlib import Path

from sanctuary_atlas.atlas import Atlas

__all__ = ["Atlas", "open"]
__version__ = "0.1.0"


def open(path: str | Path = "atlas.duckdb", *, read_only: bool = False) -> Atlas:
    """Open (creating if needed) the atlas store at ``path``."""
    return Atlas.open(path, read_only=read_only)
