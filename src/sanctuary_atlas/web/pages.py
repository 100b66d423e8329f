"""Server-rendered pages: the national map, area pages, area search, methods and sources.

Pages carry their figures as tables in the HTML, so that they read without scripts, without
colour and with a keyboard; the charts (Vega-Lite, vendored) draw from the same API the page
links to.
"""

from __future__ import annotations

import re
from datetime import date
from difflib import get_close_matches
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import polars as pl
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from sanctuary_atlas.geography.reference import load_states
from sanctuary_atlas.measures.areas import LEVELS, Area, UnknownAreaError, is_remainder_expr
from sanctuary_atlas.measures.bounds import BOUND_LEVELS, bounded_measures
from sanctuary_atlas.measures.definitions import PARTITIONS, finest_level, reaches_level
from sanctuary_atlas.measures.disclosure import DEFAULT_THRESHOLD
from sanctuary_atlas.measures.periods import latest_year
from sanctuary_atlas.policies.operations import operations_frame
from sanctuary_atlas.web.api import records, view_of
from sanctuary_atlas.web.bounds import bounds_frame, summarise
from sanctuary_atlas.web.layers import LAYER_STYLES, MAP_LAYERS, POLICY_LAYERS
from sanctuary_atlas.web.params import MONTH_PATTERN, Level, month_range
from sanctuary_atlas.web.service import AtlasView
from sanctuary_atlas.web.shapes import map_shapes_json

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def code_spans(text: str) -> Markup:
    """Text whose `backticked` names (commands, measures) are shown as code, the rest escaped:
    the analysis writes its sentences for the terminal and the page alike."""
    parts = str(escape(text)).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick is text, not markup
        return Markup(str(escape(text)))
    return Markup(
        "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))
    )


templates.env.filters["code_spans"] = code_spans

MAP_LEVELS = (Level.county, Level.state, Level.aor)
DEFAULT_MEASURE = "arrests_at_large"
TOP_AREAS = 15


def _month_text(value: str | None) -> str | None:
    """A month parameter from a form: bad text is ignored (the default applies), not an error
    page, because a hand-edited address should still show the map."""
    return value if value and re.fullmatch(MONTH_PATTERN, value) else None


def context(request: Request, **values: Any) -> dict[str, Any]:
    return {"request": request, "threshold": DEFAULT_THRESHOLD, **values}


@router.get("/", response_class=HTMLResponse)
def national_map(
    request: Request,
    measure: str = DEFAULT_MEASURE,
    # the AOR: ICE places every arrest in one, while a third of the at-large arrests of some
    # AORs are placed in no county (Cook County would open on a false zero)
    level: str = Level.aor,
    start: str | None = None,
    end: str | None = None,
) -> HTMLResponse:
    view = view_of(request)
    if measure not in view.measure_by_name or not view.months(measure):
        measure = DEFAULT_MEASURE
    if level not in MAP_LEVELS:
        level = Level.county
    # the map opens on the latest twelve months of the chosen measure's record
    opening = latest_year(view.months(measure))
    try:
        first, last = month_range(
            view,
            [measure],
            _month_text(start) or f"{opening[0]:%Y-%m}",
            _month_text(end) or f"{opening[1]:%Y-%m}",
        )
    except HTTPException:
        first, last = month_range(view, [measure], None, None)
    query = {"level": level, "measure": measure, "start": f"{first:%Y-%m}", "end": f"{last:%Y-%m}"}
    values = view.map_values(level, measure, first, last)
    # Remainder areas (events placed in no county, or in no AOR) are not places: they are left
    # out of the ranking and reported once, beside it.
    placed = ~is_remainder_expr()
    unplaced = values.filter(placed.not_())
    ranked = values.filter(placed & pl.col("value").is_not_null()).sort("value", descending=True)
    months = view.months(measure)
    return templates.TemplateResponse(
        request,
        "map.html",
        context(
            request,
            view=view,
            measure=view.measure_by_name[measure],
            level=level,
            placed_to=finest_level(measure),
            bounded=level in BOUND_LEVELS and bool(bounded_measures([measure])),
            levels=MAP_LEVELS,
            first=first,
            last=last,
            min_month=f"{months[0]:%Y-%m}",
            max_month=f"{months[-1]:%Y-%m}",
            map_api="/api/map?" + urlencode(query),
            csv="/api/series.csv?" + urlencode(query),
            top=ranked.head(TOP_AREAS).to_dicts(),
            shown=ranked.height,
            total=values.filter(placed).height,
            unplaced=unplaced.to_dicts(),
            layers=[(key, POLICY_LAYERS[key][1], LAYER_STYLES[key]) for key in MAP_LAYERS],
            this_month=f"{date.today():%Y-%m}",
        ),
    )


def _series_links(area: Area, measures: list[str], bounds: bool = False) -> dict[str, str]:
    pairs = [("level", area.level), ("area", area.code), *[("measure", m) for m in measures]]
    query = urlencode([*pairs, ("bounds", "true")] if bounds else pairs)
    return {
        "json": f"/api/series?{query}",
        "csv": f"/api/series.csv?{query}",
        "parquet": f"/api/series.parquet?{query}",
    }


def _area_measures(view: AtlasView, area: Area, measure: str) -> list[str]:
    """The measure the reader chose and its parts, where the level has them."""
    chosen = [measure]
    if measure in ("arrests", "book_ins"):  # by method; by arresting agency
        chosen += PARTITIONS[measure]
    # removals and ATD are placed no lower than the AOR, ICE's national statistics nowhere
    # below the nation (see each measure's definition)
    chosen = [m for m in chosen if reaches_level(m, area.level)]
    return chosen or ["arrests"]


def close_areas(view: AtlasView, level: str, code: str, limit: int = 8) -> list[Area]:
    """Areas a reader who typed ``code`` at ``level`` may have meant: the same code at another
    level, a state by its FIPS code (``06`` for CA), codes and names that read alike."""
    wanted = code.strip()
    if level == "county" and wanted.isdigit():
        wanted = wanted.zfill(5)  # a FIPS code that lost its leading zero (6037 for 06037)
    found: list[Area] = []
    states = load_states()
    by_fips = dict(zip(states["state_fips"], states["usps"], strict=True))
    if code.strip().zfill(2) in by_fips:
        found.append(view.area("state", by_fips[code.strip().zfill(2)]))
    for lvl in LEVELS:
        by_upper = {c.upper(): c for c in view.areas.codes(lvl)}
        if wanted.upper() in by_upper:
            found.append(view.area(lvl, by_upper[wanted.upper()]))
    codes = sorted(view.areas.codes(level))
    found += [view.area(level, c) for c in get_close_matches(wanted.upper(), codes, n=3)]
    found += view.areas.search(wanted, None, limit) if len(wanted) > 1 else []
    return list(dict.fromkeys(found))[:limit]


@router.get("/area/{level}/{code}", response_class=HTMLResponse)
def area_page(
    request: Request,
    level: Level,
    code: str,
    measure: Annotated[str, Query(max_length=60)] = "arrests",
) -> HTMLResponse:
    view = view_of(request)
    try:
        area = view.area(level, code)
    except UnknownAreaError:
        return templates.TemplateResponse(
            request,
            "not_found.html",
            context(request, level=level, code=code, suggestions=close_areas(view, level, code)),
            status_code=404,
        )
    if measure not in view.measure_by_name:
        measure = "arrests"
    measures = _area_measures(view, area, measure)
    first, last = month_range(view, measures, None, None)
    frame = view.panel(level, tuple(measures), first, last, (code,))
    timeline = view.timeline(area)
    in_force = view.policies_at(area, date.today())
    main = frame[measures[0]]
    bounded = bounds_frame(view, area, measures[0], first, last)
    summary = None
    if bounded is not None:
        summary = summarise(view, area, measures[0], bounded, first, last)
        frame = frame.join(bounded.drop(measures[0]), on="month", how="left", maintain_order="left")
    return templates.TemplateResponse(
        request,
        "area.html",
        context(
            request,
            area=area,
            view=view,
            measure=view.measure_by_name[measures[0]],
            measures=[view.measure_by_name[m] for m in measures],
            rows=records(frame),
            first=first,
            last=last,
            months=frame.height,
            suppressed=main.null_count(),
            bounds=summary,
            timeline=records(timeline),
            in_force=records(in_force),
            policy_levels=("state", "county"),
            links=_series_links(area, measures, bounds=summary is not None),
            series_api=_series_links(area, measures, bounds=summary is not None)["json"],
            timeline_api="/api/policies/timeline?"
            + urlencode({"level": area.level, "area": area.code}),
        ),
    )


@router.get("/geo/us-counties.topo.json")
def county_shapes() -> Response:
    """County, state and nation outlines (us-atlas TopoJSON, bundled with the package), and
    the borders between ICE areas of responsibility drawn from them."""
    return Response(
        map_shapes_json(),
        media_type="application/json",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/areas", response_class=HTMLResponse)
def area_search(request: Request, q: Annotated[str, Query(max_length=100)] = "") -> HTMLResponse:
    view = view_of(request)
    found = view.areas.search(q, None, 100) if q.strip() else []
    return templates.TemplateResponse(request, "areas.html", context(request, q=q, found=found))


@router.get("/methods", response_class=HTMLResponse)
def methods(request: Request) -> HTMLResponse:
    view = view_of(request)
    return templates.TemplateResponse(
        request,
        "methods.html",
        context(
            request,
            view=view,
            releases=records(view.releases()),
            sources=records(view.policy_sources()),
            operations=records(operations_frame()),
            measures=view.measures,
        ),
    )
