"""`serve`: the web atlas (map, area pages, JSON API) over one store, read-only."""

from __future__ import annotations

from typing import Annotated

import typer

from sanctuary_atlas.cli.options import DbOption, bring_up_to_date, exit_codes
from sanctuary_atlas.store import DEFAULT_STORE


def serve(
    db: DbOption = DEFAULT_STORE,
    host: Annotated[
        str, typer.Option(help="Address to listen on; 127.0.0.1 keeps the atlas on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=32,
            help="Worker processes: more answer more concurrent readers, each with its own "
            "memory and caches.",
        ),
    ] = 1,
    prepare: Annotated[
        bool,
        typer.Option(
            help="Build the map grids before listening (a few seconds), so that no reader's "
            "first question about a measure waits for one.",
        ),
    ] = True,
) -> None:
    """Serve the web atlas and its API (OpenAPI at /openapi.json) until interrupted. A store
    that does not exist yet is first made from the bundled default atlas (as `init` does)."""
    # Imported here: FastAPI and uvicorn are needed by this command only, and the other
    # commands should not pay for loading them.
    from sanctuary_atlas.web.app import create_app
    from sanctuary_atlas.web.serve import run

    with exit_codes():
        if not db.exists():
            # the first serve of a fresh checkout: the bundled default atlas, in seconds
            from sanctuary_atlas.cli.build import init_store

            init_store(db)
        # after new releases, the panel is rebuilt here: the app itself only reads the store
        bring_up_to_date(db, panel=True)
        # opened here, inside exit_codes: a missing or stale store fails with its message
        app = create_app(db, prepare=prepare and workers == 1)
    if app.state.prepared:
        typer.echo(f"The atlas {app.state.prepared}.")
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"Serving the atlas at http://{shown}:{port}/ (OpenAPI: /openapi.json)")
    run(db, host, port, workers, app=app, prepare=prepare)
