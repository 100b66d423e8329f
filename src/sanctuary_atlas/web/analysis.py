"""Comparisons, policy-effect estimates and claim checks: their API routes and pages.

Each answer comes from ``atlas.analysis`` (which reads published cells only) and is computed
once per process: an estimate runs two staggered difference-in-differences estimators and
takes seconds.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from sanctuary_atlas.analysis.units import UNIT_LEVELS
from sanctuary_atlas.measures.definitions import UnknownMeasureError
from sanctuary_atlas.policies.model import PolicyKind
from sanctuary_atlas.web.api import view_of
from sanctuary_atlas.web.pages import context, templates
from sanctuary_atlas.web.params import MonthQuery, invalid, parse_month

api = APIRouter(prefix="/api", tags=["analysis"])
pages = APIRouter(include_in_schema=False)

Text = Annotated[str, Query(min_length=1, max_length=500)]
UnitQuery = Annotated[str, Query(pattern=f"^({'|'.join(UNIT_LEVELS)})$")]
DEFAULT_COMPARE = {
    "measure": "arrests_at_large",
    "treated": "policy:limits_detainers",
    "control": "rest",
    "level": "state",
}
DEFAULT_ESTIMATE = {"policy": "limits_detainers", "measure": "arrests_custodial", "unit": "state"}


def _blame(exc: Exception, **given: str) -> HTTPException:
    """A 422 naming the parameter the analysis refused: the one whose value the message
    quotes, else the measure."""
    if isinstance(exc, UnknownMeasureError):
        return invalid("measure", str(exc))
    for name, value in given.items():
        if any(token and token.strip() in str(exc) for token in value.split(",")):
            return invalid(name, str(exc))
    return invalid("measure", str(exc))


def _message(exc: HTTPException) -> str:
    detail: Any = exc.detail
    return str(detail[0]["msg"]) if isinstance(detail, list) else str(detail)


async def _compare(
    request: Request,
    measure: str,
    treated: str,
    control: str,
    level: str,
    start: date | None,
    end: date | None,
) -> dict[str, Any]:
    view = view_of(request)
    try:
        result: dict[str, Any] = await run_in_threadpool(
            view.compare, measure, treated, control, level, start, end
        )
    except ValueError as exc:
        raise _blame(exc, treated=treated, control=control, measure=measure) from None
    return result


async def _estimate(request: Request, policy: str, measure: str, unit: str) -> dict[str, Any]:
    if policy not in {str(kind) for kind in PolicyKind}:
        raise invalid("policy", f"unknown policy kind {policy!r}; see /methods")
    try:
        result: dict[str, Any] = await run_in_threadpool(
            view_of(request).estimate, policy, measure, unit
        )
    except ValueError as exc:
        raise _blame(exc, measure=measure, unit=unit) from None
    return result


@api.get("/compare", summary="A measure for a set of areas against a comparison set")
async def compare(
    request: Request,
    measure: Text,
    treated: Annotated[str, Query(max_length=500, description="codes or selectors")],
    control: Annotated[str, Query(max_length=500, description="codes, selectors or 'rest'")],
    level: Annotated[str, Query(pattern="^(aor|state|county)$")] = "state",
    start: MonthQuery = None,
    end: MonthQuery = None,
) -> dict[str, Any]:
    # by default every month the store has the measure for (analysis.compare)
    first, last = parse_month(start), parse_month(end)
    if first and last and first > last:
        raise invalid("start", f"start {start} is after end {end}")
    return await _compare(request, measure, treated, control, level, first, last)


@api.get("/estimate", summary="The effect of adopting a policy on a measure (staggered DiD)")
async def estimate(
    request: Request, policy: Text, measure: Text, unit: UnitQuery = "state"
) -> dict[str, Any]:
    return await _estimate(request, policy, measure, unit)


@api.get("/claims", summary="Claims made in public debate, checked against the record")
async def claims(request: Request) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = await run_in_threadpool(view_of(request).claims)
    return result


@pages.get("/compare", response_class=HTMLResponse)
async def compare_page(
    request: Request,
    measure: Annotated[str, Query(max_length=60)] = DEFAULT_COMPARE["measure"],
    treated: Annotated[str, Query(max_length=500)] = DEFAULT_COMPARE["treated"],
    control: Annotated[str, Query(max_length=500)] = DEFAULT_COMPARE["control"],
    level: Annotated[str, Query(pattern="^(aor|state|county)$")] = DEFAULT_COMPARE["level"],
) -> HTMLResponse:
    query = {"measure": measure, "treated": treated, "control": control, "level": level}
    error = None
    try:
        result = await _compare(request, measure, treated, control, level, None, None)
    except HTTPException as exc:
        result, error = None, _message(exc)
    return templates.TemplateResponse(
        request,
        "compare.html",
        context(
            request,
            nav="compare",
            view=view_of(request),
            query=query,
            result=result,
            error=error,
            api="/api/compare?" + urlencode(query),
        ),
        status_code=422 if error else 200,
    )


@pages.get("/estimates", response_class=HTMLResponse)
async def estimates_page(
    request: Request,
    policy: Annotated[str, Query(max_length=60)] = DEFAULT_ESTIMATE["policy"],
    measure: Annotated[str, Query(max_length=60)] = DEFAULT_ESTIMATE["measure"],
    unit: Annotated[str, Query(pattern=f"^({'|'.join(UNIT_LEVELS)})$")] = "state",
) -> HTMLResponse:
    query = {"policy": policy, "measure": measure, "unit": unit}
    error = None
    try:
        result = await _estimate(request, policy, measure, unit)
    except HTTPException as exc:
        result, error = None, _message(exc)
    return templates.TemplateResponse(
        request,
        "estimates.html",
        context(
            request,
            nav="estimates",
            view=view_of(request),
            kinds=[str(kind) for kind in PolicyKind],
            units=UNIT_LEVELS,
            query=query,
            result=result,
            error=error,
            api="/api/estimate?" + urlencode(query),
        ),
        status_code=422 if error else 200,
    )


@pages.get("/claims", response_class=HTMLResponse)
async def claims_page(request: Request) -> HTMLResponse:
    checks = await run_in_threadpool(view_of(request).claims)
    return templates.TemplateResponse(
        request, "claims.html", context(request, nav="claims", claims=checks)
    )
