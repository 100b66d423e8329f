"""Serving the app with uvicorn, in one process or several.

One process is the default (`sanctuary-atlas serve`): it starts in about a second and holds one
copy of the answers it has computed. Several worker processes answer concurrent requests on
several cores (the app is CPU-bound under the GIL); each opens the store read-only and builds
its own caches, so memory grows with the workers, and each worker warms up on its own.
"""

from __future__ import annotations

import os
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from sanctuary_atlas.web.app import create_app

# uvicorn starts each worker by importing a factory: the store it serves travels in this variable
STORE_VARIABLE = "SANCTUARY_ATLAS_STORE"


def app_from_environment() -> FastAPI:
    """The app over the store named by ``SANCTUARY_ATLAS_STORE`` (for uvicorn's workers)."""
    return create_app(os.environ[STORE_VARIABLE])


def run(
    store: str | Path, host: str, port: int, workers: int = 1, app: FastAPI | None = None
) -> None:
    """Serve until interrupted. ``app``: the app over ``store`` if the caller already made it
    (and so checked the store); otherwise it is made here, so that a missing or stale store
    fails once, with its message, before any worker starts."""
    checked = app or create_app(store)
    if workers <= 1:
        uvicorn.run(checked, host=host, port=port, log_level="warning")
        return
    # each worker opens the store itself; this process's copy is not needed
    checked.state.view.atlas.close()
    os.environ[STORE_VARIABLE] = str(Path(store).resolve())
    uvicorn.run(
        "sanctuary_atlas.web.serve:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
