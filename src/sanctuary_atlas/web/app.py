"""The web application: ``create_app(store_path)`` serves one atlas store, read-only."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import sanctuary_atlas
from sanctuary_atlas.measures.definitions import UnknownMeasureError
from sanctuary_atlas.measures.published import PanelQueryError
from sanctuary_atlas.web import analysis, api, pages, policies
from sanctuary_atlas.web.params import MONTH_MESSAGE, MONTH_PATTERN
from sanctuary_atlas.web.service import AtlasView

LOG = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
WORKER_THREADS = 4

# Everything a page uses is served from here; the policy makes a browser refuse anything else,
# so a stray external reference fails loudly in the browser tests instead of leaking requests.
# Vega compiles its expressions with Function(), hence 'unsafe-eval'; vega-embed injects its
# stylesheet, hence inline styles.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class EveryAnswer:
    """Adds the security headers to every response, and answers an unhandled error with a 500
    that keeps the connection. Starlette's own error handler re-raises after answering, and
    uvicorn then closes the connection: a client holding it open (a browser, a pool) would lose
    it to one failing request. The error is logged here instead. A plain ASGI middleware:
    Starlette's ``BaseHTTPMiddleware`` costs more per request than the figures themselves."""

    HEADERS = (
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        # no referrer leaves with a followed source link: nothing about the reader is passed on
        (b"referrer-policy", b"no-referrer"),
        (b"x-content-type-options", b"nosniff"),
    )
    ERROR = b'{"detail":"internal error: the request could not be answered"}'

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception:
            if started:  # half an answer cannot be mended: let the server close it
                raise
            LOG.exception("error answering %s %s", scope.get("method"), scope.get("path"))
            length = str(len(self.ERROR)).encode()
            await with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", length),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": self.ERROR})


def create_app(store_path: str | Path, prepare: bool = False) -> FastAPI:
    """A FastAPI app over the store at ``store_path``, opened read-only for the app's life.

    The store's panel must be current: a read-only store cannot rebuild it, and the app refuses
    to start rather than serve figures that disagree with the releases. ``prepare``: build the
    map grids before the first request (``AtlasView.prepare``; what ``serve`` does), so that
    no reader's first question waits for one; ``app.state.prepared`` says what was built."""
    path = Path(store_path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no atlas store at {path}: build one with `sanctuary-atlas ingest`."
        )
    atlas = sanctuary_atlas.open(path, read_only=True)
    try:
        atlas.measures.ensure_panel()
        view = AtlasView(atlas)
        prepared = view.prepare() if prepare else None
    except Exception:
        atlas.close()
        raise

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Requests that read the store or build an answer run in worker threads. On a few
        # cores more of them at once only share the CPU and multiply the memory of answers
        # being built; answers already made wait behind fewer of them.
        to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        yield
        atlas.close()

    app = FastAPI(
        title="Sanctuary Atlas",
        summary="ICE enforcement and local cooperation policies, by area and month, from "
        "public records. Aggregates only; small counts are withheld.",
        version=sanctuary_atlas.__version__,
        lifespan=lifespan,
        # FastAPI's /docs and /redoc pages load their scripts from a CDN; the atlas loads
        # nothing from outside the machine, so only the OpenAPI document itself is served.
        docs_url=None,
        redoc_url=None,
    )
    app.state.view = view
    app.state.prepared = prepared
    app.include_router(api.router)
    app.include_router(analysis.api)
    app.include_router(pages.router)
    app.include_router(analysis.pages)
    app.include_router(policies.api)
    app.include_router(policies.pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    app.add_middleware(EveryAnswer)

    async def bad_query(_: Request, exc: Exception) -> Response:
        return JSONResponse(
            status_code=422,
            content={"detail": [{"loc": ["query"], "msg": str(exc), "type": "value_error"}]},
        )

    async def bad_parameter(_: Request, exc: Exception) -> Response:
        """FastAPI's 422, with a month's pattern said in words."""
        assert isinstance(exc, RequestValidationError)
        errors = [
            {**error, "msg": MONTH_MESSAGE}
            if error.get("ctx", {}).get("pattern") == MONTH_PATTERN
            else error
            for error in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": jsonable_encoder(errors)})

    app.add_exception_handler(RequestValidationError, bad_parameter)
    app.add_exception_handler(PanelQueryError, bad_query)
    app.add_exception_handler(UnknownMeasureError, bad_query)
    return app
