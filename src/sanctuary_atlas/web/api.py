"""The JSON API under /api/: areas, measures, series, map values, policies, releases, downloads.

Figures only ever come from the published panel (``atlas.measures.panel``):
aggregates by area and month with small counts suppressed. There is no event-level endpoint and
no SQL endpoint, by design.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse

from sanctuary_atlas.measures.areas import Area, UnknownAreaError
from sanctuary_atlas.web.layers import POLICY_LAYERS, PolicyLayer
from sanctuary_atlas.web.params import (
    MONTH_PATTERN,
    BoundsQuery,
    Level,
    LevelQuery,
    MonthQuery,
    checked_measures,
    checked_size,
    invalid,
    month_range,
    parse_month,
)
from sanctuary_atlas.web.service import AtlasView

router = APIRouter(prefix="/api", tags=["api"])
JSON = "application/json"

MeasureList = Annotated[
    list[str], Query(description="one or more measure names (see /api/measures)")
]
AreaList = Annotated[
    list[str] | None,
    Query(description="area codes of the level (FIPS for counties, USPS for states, AOR codes)"),
]
AreaCode = Annotated[str, Query(max_length=20, description="an area code of the level")]


def view_of(request: Request) -> AtlasView:
    view: AtlasView = request.app.state.view
    return view


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: dates as ISO text, floats as they are (null stays null)."""
    dates = [c for c, t in frame.schema.items() if t in (pl.Date, pl.Datetime)]
    if dates:
        frame = frame.with_columns([pl.col(c).cast(pl.String) for c in dates])
    return frame.to_dicts()


def area_or_404(view: AtlasView, level: str, code: str) -> Area:
    try:
        return view.area(level, code)
    except UnknownAreaError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None


def series_query(
    view: AtlasView,
    level: str,
    measure: list[str],
    area: list[str] | None,
    start: str | None,
    end: str | None,
) -> tuple[tuple[str, ...], tuple[str, ...] | None, date, date]:
    """The measures, areas and months a series or download asks for, after every check."""
    measures = checked_measures(view, measure)
    areas = list(dict.fromkeys(area)) if area else None
    for code in areas or []:
        area_or_404(view, level, code)
    first, last = month_range(view, measures, start, end)
    checked_size(view, level, areas, first, last, len(measures))
    return tuple(measures), tuple(areas) if areas else None, first, last


@router.get("/areas", summary="Areas, searched by name or code")
def areas(
    request: Request,
    q: Annotated[str, Query(max_length=100, description="part of a name, or a code")] = "",
    level: Annotated[
        str | None, Query(pattern="^(nation|aor|state|county)$", description="one level only")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, str]]:
    found = view_of(request).areas.search(q, level, limit)
    return [{"level": a.level, "code": a.code, "name": a.name} for a in found]


@router.get("/areas/{level}/{code}", summary="One area, and the months each measure covers")
def area(request: Request, level: Level, code: str) -> dict[str, Any]:
    view = view_of(request)
    found = area_or_404(view, level, code)
    return {"level": found.level, "code": found.code, "name": found.name}


@router.get("/measures", summary="Every measure with its definition and the months covered")
def measures(request: Request) -> list[dict[str, Any]]:
    view = view_of(request)
    rows = []
    for m in view.measures:
        months = view.months(m.name)
        rows.append(
            {
                "measure": m.name,
                "label": m.label,
                "definition": m.definition,
                "kind": m.kind,
                "first_month": str(months[0]) if months else None,
                "last_month": str(months[-1]) if months else None,
            }
        )
    return rows


# The two hot routes return bytes the view encoded (and cached) with orjson: FastAPI's generic
# encoder walks every value of thousands of rows, many times slower. Routes that may read the
# store are plain functions, which FastAPI runs in its thread pool.
@router.get(
    "/series", summary="Published figures: measures x areas x months", response_class=JSONResponse
)
def series(
    request: Request,
    level: LevelQuery,
    measure: MeasureList,
    area: AreaList = None,
    start: MonthQuery = None,
    end: MonthQuery = None,
    bounds: BoundsQuery = False,
) -> Response:
    view = view_of(request)
    measures, areas, first, last = series_query(view, level, measure, area, start, end)
    return Response(view.series_json(level, measures, first, last, areas, bounds), media_type=JSON)


def _download(frame: pl.DataFrame, suffix: str, media_type: str, name: str) -> Response:
    buffer = io.BytesIO()
    if suffix == "csv":
        frame.write_csv(buffer)
    else:
        frame.write_parquet(buffer)
    return Response(
        buffer.getvalue(),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{suffix}"'},
    )


def download_name(
    level: str, measures: tuple[str, ...], areas: tuple[str, ...] | None, first: date, last: date
) -> str:
    """A file name that says what the download holds: level and area, measure, months
    (``sanctuary-atlas_county-06037_arrests_2015-10_2019-09``)."""
    if not areas:
        where = f"{level}-all"
    elif len(areas) == 1:
        where = f"{level}-{areas[0]}"
    else:
        where = f"{level}-{len(areas)}-areas"
    what = measures[0] if len(measures) == 1 else f"{measures[0]}-and-{len(measures) - 1}-more"
    name = f"sanctuary-atlas_{where}_{what}_{first:%Y-%m}_{last:%Y-%m}"
    # area codes are the atlas's own, but a header value takes no quote or path character
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name)


_DOWNLOAD_TYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}


@router.get("/series.{suffix}", summary="The same slice as /api/series, as CSV or Parquet")
def series_download(
    request: Request,
    suffix: Literal["csv", "parquet"],
    level: LevelQuery,
    measure: MeasureList,
    area: AreaList = None,
    start: MonthQuery = None,
    end: MonthQuery = None,
    bounds: BoundsQuery = False,
) -> Response:
    view = view_of(request)
    measures, areas, first, last = series_query(view, level, measure, area, start, end)
    frame = view.panel(level, measures, first, last, areas, bounds)
    name = download_name(level, measures, areas, first, last)
    return _download(frame, suffix, _DOWNLOAD_TYPES[suffix], name)


@router.get(
    "/map",
    summary="One figure per area over a period, with the shapes to draw",
    response_class=JSONResponse,
)
def map_values(
    request: Request,
    level: LevelQuery,
    measure: Annotated[str, Query(description="a measure name (see /api/measures)")],
    start: MonthQuery = None,
    end: MonthQuery = None,
) -> Response:
    view = view_of(request)
    checked_measures(view, [measure])
    first, last = month_range(view, [measure], start, end)
    if level == "nation":
        raise invalid("level", "the map shows aor, state or county areas")
    checked_size(view, level, None, first, last, 1)
    return Response(view.map_json(level, measure, first, last), media_type=JSON)


@router.get("/map/policies", summary="Shapes where a policy layer was in force in a month")
def map_policies(
    request: Request,
    level: LevelQuery,
    layer: Annotated[PolicyLayer, Query(description="the policy layer to outline")],
    month: Annotated[str, Query(pattern=MONTH_PATTERN, description="YYYY-MM")],
) -> dict[str, Any]:
    view = view_of(request)
    kinds, label = POLICY_LAYERS[layer]
    day = parse_month(month)
    assert day is not None  # the pattern above makes the month required and well-formed
    ids = list(view.policy_shapes(level, kinds, day))
    first = view.policy_first_day(kinds)
    return {
        "layer": layer,
        "label": label,
        "kinds": kinds,
        "month": month,
        "object": "states" if level == "state" else "counties",
        "ids": ids,
        "count": len(ids),
        # so that an empty layer can say whether the record even reaches back that far
        "registry_from": str(first) if first else None,
    }


@router.get("/policies/at", summary="Policies in force in an area on a day, with sources")
def policies_at(
    request: Request,
    level: LevelQuery,
    area: AreaCode,
    day: Annotated[date | None, Query(description="YYYY-MM-DD; today if omitted")] = None,
) -> dict[str, Any]:
    view = view_of(request)
    found = area_or_404(view, level, area)
    when = day or date.today()
    return {
        "area": found.code,
        "name": found.name,
        "day": str(when),
        "policies": records(view.policies_at(found, when)),
    }


@router.get("/policies/timeline", summary="Every policy that ever applied in an area")
def policies_timeline(request: Request, level: LevelQuery, area: AreaCode) -> dict[str, Any]:
    view = view_of(request)
    found = area_or_404(view, level, area)
    return {"area": found.code, "name": found.name, "policies": records(view.timeline(found))}


@router.get("/releases", summary="Every ingested release file: provenance and coverage")
def releases(request: Request) -> list[dict[str, Any]]:
    return records(view_of(request).releases())
