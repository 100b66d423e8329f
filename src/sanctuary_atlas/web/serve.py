"""Serving the app with uvicorn, in one process or several.

One process is the default (`sanctuary-atlas serve`): it opens the store in about a second,
builds the map grids every first question would need (``AtlasView.prepare``: 2-4 s on the
default atlas) and then holds one copy of the answers it has computed. Several worker processes
answer concurrent requests on several cores (the app is CPU-bound under the GIL); each opens
the store read-only and prepares its own caches, so memory grows with the workers.
"""

from __future__ import annotations

import os
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from sanctuary_atlas.web.app import create_app

# uvicorn starts each worker by importing a factory: the store it serves travels in this variable
STORE_VARIABLE = "SANCTUARY_ATLAS_STORE"
PREPARE_VARIABLE = "SANCTUARY_ATLAS_PREPARE"


def app_from_environment() -> FastAPI:
    """The app over the store named by ``SANCTUARY_ATLAS_STORE`` (for uvicorn's workers)."""
    return create_app(os.environ[STORE_VARIABLE], os.environ.get(PREPARE_VARIABLE) == "1")


def run(
    store: str | Path,
    host: str,
    port: int,
    workers: int = 1,
    app: FastAPI | None = None,
    prepare: bool = True,
) -> None:
    """Serve until interrupted. ``app``: the app over ``store`` if the caller already made it
    (and so checked the store); otherwise it is made here, so that a missing or stale store
    fails once, with its message, before any worker starts. ``prepare``: each process builds
    its map grids before it listens (see ``create_app``)."""
    checked = app or create_app(store, prepare=prepare and workers <= 1)
    if workers <= 1:
        uvicorn.run(checked, host=host, port=port, log_level="warning")
        return
    # each worker opens the store itself; this process's copy is not needed
    checked.state.view.atlas.close()
    os.environ[STORE_VARIABLE] = str(Path(store).resolve())
    os.environ[PREPARE_VARIABLE] = "1" if prepare else "0"
    uvicorn.run(
        "sanctuary_atlas.web.serve:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
