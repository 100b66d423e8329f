"""The report's small map: the area among its surroundings, coloured by arrests per 100,000
residents from published counts, drawn from the bundled us-atlas shapes the web map uses.

Only the shapes shown are kept, with only the arcs they use: the inline spec stays small and
vl-convert renders a state's counties in a fraction of the time the whole country takes."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import polars as pl

from sanctuary_atlas.geography.reference import county_shapes_json, load_counties, load_states
from sanctuary_atlas.report.charts import FONT, Spec

NO_FIGURE = "#e4e4e4"
BLUES = ["#dbe9f6", "#a6cbe3", "#6aaed6", "#2f7dbb", "#0b4a8b"]
# albersUsa places Alaska and Hawaii but drops Puerto Rico and the island areas.
OUTSIDE_ALBERS_USA = {"60", "66", "69", "72", "78"}


@dataclass(frozen=True)
class MapLayer:
    """Which shapes to draw (``object``: counties or states, by FIPS id), the value of each
    (None: no figure), and which ones are the report's area (outlined)."""

    object: str
    values: dict[str, float | None]
    highlight: frozenset[str]


@cache
def _topology() -> dict[str, Any]:
    topology: dict[str, Any] = json.loads(county_shapes_json())
    return topology


def _arc_ids(arcs: Any) -> list[int]:
    """Arc indices of a geometry's (nested) arc lists; ~i stands for arc i reversed."""
    if isinstance(arcs, int):
        return [arcs if arcs >= 0 else ~arcs]
    return [i for part in arcs for i in _arc_ids(part)]


def _remap(arcs: Any, index: dict[int, int]) -> Any:
    if isinstance(arcs, int):
        return index[arcs] if arcs >= 0 else ~index[~arcs]
    return [_remap(part, index) for part in arcs]


def subset(layer: MapLayer) -> dict[str, Any]:
    """A TopoJSON holding only ``layer``'s shapes (object ``shapes``), with its value and
    whether it is highlighted as properties."""
    whole = _topology()
    geometries = [
        g
        for g in whole["objects"][layer.object]["geometries"]
        if g.get("id") in layer.values and "arcs" in g
    ]
    used = sorted({i for g in geometries for i in _arc_ids(g["arcs"])})
    index = {old: new for new, old in enumerate(used)}
    kept = [
        {
            "type": g["type"],
            "id": g["id"],
            "arcs": _remap(g["arcs"], index),
            "properties": {
                "value": layer.values[g["id"]],
                "highlight": g["id"] in layer.highlight,
            },
        }
        for g in geometries
    ]
    return {
        "type": "Topology",
        "transform": whole["transform"],
        "objects": {"shapes": {"type": "GeometryCollection", "geometries": kept}},
        "arcs": [whole["arcs"][i] for i in used],
    }


def class_breaks(values: list[float], classes: int = 5) -> list[float]:
    """Breaks for ``classes`` colours: none published (0) in the first, quantiles of the
    positive values in the others, each rounded to two significant digits."""
    positive = sorted(v for v in values if v > 0)
    if not positive:
        return []
    magnitude = 10 ** math.floor(math.log10(positive[0]))
    first = math.floor(positive[0] / magnitude) * magnitude  # rounded down: stays in class 2
    steps = classes - 1
    cuts = [positive[min(len(positive) * k // steps, len(positive) - 1)] for k in range(1, steps)]
    return sorted({float(first), *(float(f"{c:.2g}") for c in cuts if c > first)})


def aspect(topology: dict[str, Any]) -> float:
    """Width over height of the shapes' bounding box, longitude shrunk by the cosine of the
    mid latitude (roughly what a conic projection shows), so the map gets the height it needs
    instead of a fixed box with a tall state lost in the middle."""
    scale_x, scale_y = topology["transform"]["scale"]
    xs, ys = [], []
    for arc in topology["arcs"]:
        x = y = 0
        for dx, dy in arc:  # delta-encoded, quantized positions
            x, y = x + dx, y + dy
            xs.append(x)
            ys.append(y)
    if not xs:
        return 1.0
    lat = topology["transform"]["translate"][1] + (min(ys) + max(ys)) / 2 * scale_y
    wide = (max(xs) - min(xs)) * scale_x * math.cos(math.radians(lat))
    high = (max(ys) - min(ys)) * scale_y
    return wide / high if high else 1.0


def map_spec(layer: MapLayer, width: int, legend_title: str) -> Spec:
    topology = subset(layer)
    # Alaska's Aleutians cross the antimeridian: its box says nothing useful; albersUsa
    # insets it anyway.
    ratio = 1.6 if "02" in {i[:2] for i in layer.values} else aspect(topology)
    shapes = {"values": topology, "format": {"type": "topojson", "feature": "shapes"}}
    breaks = class_breaks([v for v in layer.values.values() if v is not None])
    outside = any(i[:2] in OUTSIDE_ALBERS_USA for i in layer.values)
    fill: Spec = {
        "field": "properties.value",
        "type": "quantitative",
        "title": legend_title,
        # classes at quantiles: one prison county's rate would otherwise wash out the rest
        "scale": {"type": "threshold", "domain": breaks, "range": BLUES[: len(breaks) + 1]},
        "legend": {"orient": "bottom", "direction": "horizontal", "format": ",.0f"},
        "condition": {"test": "datum.properties.value == null", "value": NO_FIGURE},
    }
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": width,
        "height": round(width / min(max(ratio, 0.75), 1.8)),
        "projection": {"type": "mercator" if outside else "albersUsa"},
        "layer": [
            {
                "data": shapes,
                # "invalid": None keeps shapes without a figure (drawn grey), not dropped
                "mark": {
                    "type": "geoshape",
                    "stroke": "#fff",
                    "strokeWidth": 0.5,
                    "invalid": None,
                },
                "encoding": {"color": fill},
            },
            {
                "data": shapes,
                "transform": [{"filter": "datum.properties.highlight"}],
                "mark": {"type": "geoshape", "fill": None, "stroke": "#111", "strokeWidth": 2},
            },
        ],
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "legend": {
                "titleFontWeight": "normal",
                "titleFontSize": 14,
                "labelFontSize": 13,
                "titleLimit": 1000,
            },
        },
    }


def county_layer(
    state_usps: list[str], values: pl.DataFrame, highlight: set[str], only: set[str] | None
) -> MapLayer:
    """Counties of the given states; ``values`` has area_code (county FIPS) and value.
    Counties outside ``only`` (when given) are drawn without a figure."""
    counties = load_counties().filter(pl.col("state").is_in(state_usps))["county_fips"]
    by_code = dict(values.select("area_code", "value").iter_rows())
    return MapLayer(
        "counties",
        {c: by_code.get(c) if only is None or c in only else None for c in counties},
        frozenset(highlight),
    )


def state_layer(values: pl.DataFrame) -> MapLayer:
    """The states and DC (the island areas would force a projection that distorts the rest);
    ``values`` has area_code (USPS) and value."""
    states = load_states().filter(pl.col("is_state_or_dc"))
    by_code = dict(values.select("area_code", "value").iter_rows())
    return MapLayer(
        "states",
        {fips: by_code.get(usps) for fips, usps in states.select("state_fips", "usps").iter_rows()},
        frozenset(),
    )
