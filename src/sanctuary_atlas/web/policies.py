"""The policy registry as a list: which jurisdictions had which policy, on a day or ever, with
sources; filtered by kind, day and state; as a page, JSON and CSV.

Entries come from ``atlas.policies.entries`` unchanged: the registry holds public facts about
jurisdictions (laws, agreements, lists), no figure under disclosure control.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

import polars as pl
from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse

from sanctuary_atlas.geography.reference import load_states
from sanctuary_atlas.policies.model import PolicyKind
from sanctuary_atlas.web.api import records, view_of
from sanctuary_atlas.web.pages import context, templates
from sanctuary_atlas.web.params import invalid

api = APIRouter(prefix="/api", tags=["policies"])
pages = APIRouter(include_in_schema=False)

# The kinds a reader picks from: each kind, and every 287(g) model at once (the glob the
# registry understands). The map's question "which counties have a 287(g) agreement now?" is
# the default.
ANY_287G = "287g_*"
KINDS = (ANY_287G, *(str(kind) for kind in PolicyKind))
ROWS_SHOWN = 1_000
COLUMNS = [
    "jurisdiction_name",
    "jurisdiction_level",
    "jurisdiction_fips",
    "state",
    "kind",
    "effective_from",
    "effective_to",
    "date_basis",
    "agency",
    "description",
    "source_title",
    "source_publisher",
    "source_date",
    "source_address",
    "uncertainty",
]

KindQuery = Annotated[
    str, Query(max_length=60, description="a policy kind, 287g_* for every 287(g) model, or all")
]
DayQuery = Annotated[
    date | None, Query(description="YYYY-MM-DD: entries in force that day; omit for every entry")
]
StateQuery = Annotated[
    str, Query(max_length=2, description="a state's postal code (CA); empty for every state")
]


def kind_label(kind: str) -> str:
    if kind == ANY_287G:
        return "287(g) agreement (any model)"
    return kind.replace("_", " ").replace("287g", "287(g)")


def policy_rows(request: Request, kind: str, day: date | None, state: str) -> pl.DataFrame:
    """The registry's entries under the filters, one row each, with the state's postal code."""
    if kind != "all" and kind not in KINDS:
        raise invalid("kind", f"unknown policy kind {kind!r}; known: all, {', '.join(KINDS)}")
    states = load_states().select(
        pl.col("state_fips").alias("fips2"), pl.col("usps").alias("state")
    )
    usps = state.strip().upper()
    if usps and usps not in set(states["state"]):
        raise invalid("state", f"unknown state {state!r}: give a postal code such as CA")
    frame = (
        view_of(request)
        .policy_list(None if kind == "all" else kind, day)
        .with_columns(pl.col("state_fips").alias("fips2"))
        .join(states, on="fips2", how="left")
    )
    if usps:
        frame = frame.filter(pl.col("state") == usps)
    return frame.select(COLUMNS).sort(
        "state", "jurisdiction_name", "kind", "effective_from", nulls_last=True
    )


def _download_name(kind: str, day: date | None, state: str) -> str:
    what = "287g-any" if kind == ANY_287G else kind
    when = f"in-force-{day}" if day else "all-dates"
    return f"sanctuary-atlas_policies_{what}_{state.upper() or 'all-states'}_{when}.csv"


@api.get("/policies", summary="Policy entries by kind, day and state, with their sources")
def policies_json(
    request: Request, kind: KindQuery = ANY_287G, day: DayQuery = None, state: StateQuery = ""
) -> dict[str, Any]:
    rows = policy_rows(request, kind, day, state)
    return {
        "kind": kind,
        "day": str(day) if day else None,
        "state": state.upper() or None,
        "count": rows.height,
        "policies": records(rows),
    }


@api.get("/policies.csv", summary="The same list as /api/policies, as CSV")
def policies_csv(
    request: Request, kind: KindQuery = ANY_287G, day: DayQuery = None, state: StateQuery = ""
) -> Response:
    buffer = io.BytesIO()
    policy_rows(request, kind, day, state).write_csv(buffer)
    name = _download_name(kind, day, state)
    return Response(
        buffer.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@pages.get("/policies", response_class=HTMLResponse)
def policies_page(
    request: Request,
    kind: Annotated[str, Query(max_length=60)] = ANY_287G,
    day: Annotated[str | None, Query(max_length=10)] = None,
    state: Annotated[str, Query(max_length=2)] = "",
) -> HTMLResponse:
    """Which jurisdictions have a policy: by default, every 287(g) agreement in force today.
    An empty day (the form's date cleared) lists entries of every date."""
    error, rows = None, pl.DataFrame(schema=dict.fromkeys(COLUMNS, pl.String))
    try:
        when = date.fromisoformat(day) if day else None if day == "" else date.today()
    except ValueError:
        when, error = None, f"{day!r} is not a day: give it as YYYY-MM-DD"
    asked = {"kind": kind, "day": str(when) if when else "", "state": state.upper()}
    try:
        rows = policy_rows(request, kind, when, state) if not error else rows
    except HTTPException as exc:
        detail: Any = exc.detail
        error = str(detail[0]["msg"]) if isinstance(detail, list) else str(detail)
    return templates.TemplateResponse(
        request,
        "policies.html",
        context(
            request,
            nav="policies",
            kinds=[("all", "Every kind"), *((k, kind_label(k)) for k in KINDS)],
            states=load_states().sort("usps")["usps"].to_list(),
            query=asked,
            kind_text=kind_label(kind) if kind != "all" else "Any policy",
            day=when,
            today=date.today(),
            rows=records(rows.head(ROWS_SHOWN)),
            count=rows.height,
            shown=min(rows.height, ROWS_SHOWN),
            counties=rows.filter(pl.col("jurisdiction_level") == "county")[
                "jurisdiction_fips"
            ].n_unique(),
            error=error,
            csv="/api/policies.csv?" + urlencode({k: v for k, v in asked.items() if v}),
            json="/api/policies?" + urlencode({k: v for k, v in asked.items() if v}),
        ),
        status_code=422 if error else 200,
    )
