"""Vega-Lite specs (plain dicts) for the report's charts, rendered to inline SVG or PNG by
vl-convert: no script runs in the report, and nothing is fetched to draw it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
import vl_convert as vlc

Spec = dict[str, Any]

VEGA_LITE = "5.21"
FONT = "Helvetica Neue, Helvetica, Arial, sans-serif"
# Distinguishable in colour and in greyscale print; the first is the report's accent.
PALETTE = ["#1f4e79", "#d1792b", "#4b8b3b", "#8e3b8e", "#7f7f7f", "#b8860b"]
WIDE, NARROW = 680, 300
_NAMESPACE = itertools.count(1)


@dataclass(frozen=True)
class Rule:
    """A policy date drawn across a series chart, lettered to match the policy table."""

    day: date
    letter: str
    label: str  # the entries that took effect that day, for the key under the chart


@dataclass(frozen=True)
class Rendered:
    """A chart in the two widths the page switches between, and its spec for PNG export."""

    key: str
    wide: str
    narrow: str
    spec: Spec


def axis_format(kind: str) -> str:
    return {"share": ".0%", "per_100k": ",.1~f"}.get(kind, ",.0f")


def _config(width: int) -> Spec:
    small = width < 400
    return {
        "font": FONT,
        "view": {"stroke": None},
        "axis": {
            "labelFontSize": 12 if small else 11,
            "titleFontSize": 12,
            "titleFontWeight": "normal",
            "titleColor": "#555",
            "labelColor": "#333",
            "gridColor": "#e6e6e6",
            "domainColor": "#888",
            "tickColor": "#888",
        },
        "legend": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 320},
    }


def month_bounds(data: pl.DataFrame) -> tuple[date, date]:
    """The first and last ``month`` of a non-empty frame."""
    first, last = data["month"].min(), data["month"].max()
    if not isinstance(first, date) or not isinstance(last, date):
        raise ValueError("no months to chart")
    return first, last


def span_label(data: pl.DataFrame) -> str:
    first, last = month_bounds(data)
    return f"{first:%b %Y} to {last:%b %Y}"


def _time_axis(data: pl.DataFrame) -> Spec:
    """Years for a long series; months when it spans two years or less."""
    first, last = month_bounds(data)
    if (last - first).days < 731:
        return {"format": "%b %Y", "tickCount": 6, "labelOverlap": "greedy"}
    return {"format": "%Y", "tickCount": "year", "labelOverlap": "greedy"}


def series_spec(
    data: pl.DataFrame,
    kind: str,
    rules: list[Rule],
    width: int,
    *,
    y_title: str,
    dash: bool,
) -> Spec:
    """Lines of ``data`` (month, series, value; ``measure`` when ``dash``) with the policy
    dates as dashed rules. A null value breaks its line: a withheld month is a gap, never a
    line drawn across it."""
    values = data.with_columns(pl.col("month").dt.strftime("%Y-%m-%d")).to_dicts()
    order = list(dict.fromkeys(data["series"].to_list()))
    encoding: Spec = {
        "x": {
            "field": "month",
            "type": "temporal",
            "title": None,
            "axis": _time_axis(data),
        },
        "y": {
            "field": "value",
            "type": "quantitative",
            "title": y_title,
            "axis": {"format": axis_format(kind), "tickCount": 5},
        },
        "color": {
            "field": "series",
            "type": "nominal",
            "sort": order,
            "scale": {"domain": order, "range": PALETTE[: len(order)]},
            "legend": {"title": None, "orient": "top", "direction": "vertical"},
        },
    }
    if dash:
        measures = list(dict.fromkeys(data["measure"].to_list()))
        encoding["strokeDash"] = {
            "field": "measure",
            "type": "nominal",
            "scale": {"domain": measures, "range": [[1, 0], [5, 3], [1, 2], [8, 2, 2, 2]]},
            # a stroke, not the point marks' circle: the legend must show the dash pattern
            "legend": {
                "title": None,
                "orient": "top",
                "direction": "vertical",
                "symbolType": "stroke",
                "symbolStrokeColor": "#333",
                "symbolStrokeWidth": 2,
                "symbolSize": 400,
            },
        }
    dots = {k: v for k, v in encoding.items() if k != "strokeDash"}
    layers: list[Spec] = [
        {
            "mark": {"type": "line", "strokeWidth": 2, "invalid": "break-paths-show-domains"},
            "encoding": encoding,
        },
        # dots in their own layer: a month between two withheld ones is a dot, not nothing;
        # and on the line itself they would turn the dash legend's strokes into blank circles
        {"mark": {"type": "point", "size": 14, "filled": True, "opacity": 1}, "encoding": dots},
    ]
    shown = rules_within(rules, data)
    if shown:
        marks: Spec = {
            "data": {"values": [{"day": f"{r.day:%Y-%m-%d}", "letter": r.letter} for r in shown]},
            "encoding": {"x": {"field": "day", "type": "temporal"}},
        }
        layers += [
            {**marks, "mark": {"type": "rule", "color": "#444", "strokeDash": [3, 3]}},
            {
                **marks,
                "mark": {
                    "type": "text",
                    "y": -6,
                    "fontSize": 11,
                    "fontWeight": "bold",
                    "color": "#444",
                },
                "encoding": {**marks["encoding"], "text": {"field": "letter"}},
            },
        ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": width,
        "height": 220 if width >= 400 else 200,
        "padding": {"top": 12, "left": 4, "right": 8, "bottom": 4},
        "data": {"values": values},
        "layer": layers,
        "config": _config(width),
    }


def every_month(data: pl.DataFrame) -> pl.DataFrame:
    """``data`` with a null row for every month of its span a line has none: a month no
    release covers is then a gap, not a straight line drawn across a year the record lacks."""
    keys = [c for c in ("series", "measure") if c in data.columns]
    first, last = month_bounds(data)
    months = pl.DataFrame({"month": pl.date_range(first, last, "1mo", eager=True)})
    return (
        data.select(keys)
        .unique(maintain_order=True)
        .join(months, how="cross")
        .join(data, on=[*keys, "month"], how="left")
        .select(data.columns)
    )


def rules_within(rules: list[Rule], data: pl.DataFrame) -> list[Rule]:
    """The rules that fall inside the months ``data`` spans."""
    first, last = month_bounds(data)
    return [r for r in rules if first <= r.day <= last]


def group_spec(data: pl.DataFrame, kind: str, width: int, *, y_title: str, facet: bool) -> Spec:
    """A claim's figures: one line per group (``series``). Groups of very different size get
    one panel each with its own scale (``facet``), so the smaller is not flattened."""
    spec = series_spec(every_month(data), kind, [], width, y_title=y_title, dash=False)
    if not facet:
        return spec
    layer = spec.pop("layer")
    for part in layer:
        part["encoding"]["y"]["title"] = None  # the panel header and heading say what it is
        part["encoding"]["color"]["legend"] = None
    encoding = layer[0]["encoding"]
    spec.pop("width")
    height = spec.pop("height") // 2
    header = {
        "labelAngle": 0,
        "labelOrient": "top",
        "labelAnchor": "start",
        "labelFontSize": 12,
        "labelFontWeight": "bold",
        "labelFont": FONT,
    }
    order = encoding["color"]["sort"]
    return {
        **spec,
        "facet": {
            "row": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "sort": order,
                "header": header,
            }
        },
        "spec": {"width": width, "height": height, "layer": layer},
        "resolve": {"scale": {"y": "independent"}},
    }


def render_svg(spec: Spec, label: str) -> str:
    """Inline SVG that scales to its container, with ids made unique in the page (several
    charts in one document must not share a clip-path id) and a title for screen readers."""
    svg = vlc.vegalite_to_svg(spec, vl_version=VEGA_LITE)
    prefix = f"c{next(_NAMESPACE)}-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m[1]}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m[1]})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m[1]}"', svg)
    head, _, body = svg.partition(">")
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    title = label.replace("&", "&amp;").replace("<", "&lt;")
    return f'{head} role="img" preserveAspectRatio="xMinYMin meet"><title>{title}</title>{body}'


def render(key: str, label: str, build: Callable[[int], Spec]) -> Rendered:
    """``build(width)`` gives the spec at a width; both widths are rendered."""
    wide = build(WIDE)
    return Rendered(key, render_svg(wide, label), render_svg(build(NARROW), label), wide)


def write_png(spec: Spec, path: str) -> None:
    with open(path, "wb") as handle:
        handle.write(vlc.vegalite_to_png(spec, scale=2, vl_version=VEGA_LITE))
