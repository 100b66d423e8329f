"""Writing a report: one HTML file with its CSS and charts inline, and the charts as PNGs."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from sanctuary_atlas.report.charts import Rendered, write_png


def figure(value: float | None, kind: str) -> Markup | str:
    """A published figure as the page prints it; None is a withheld cell."""
    if value is None:
        return Markup('<span class="withheld">withheld</span>')
    if kind == "share":
        return f"{value:.1%}"
    if kind in ("average", "per_100k", "index"):
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def kind_label(kind: str) -> str:
    return kind.replace("_", " ").replace("287g", "287(g)")


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("sanctuary_atlas.report", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["figure"] = figure
    env.filters["kind_label"] = kind_label
    # an SVG rendered by vl-convert from our own spec: markup to place as is
    env.filters["svg"] = Markup
    return env


def write_page(template: str, context: dict[str, Any], out: Path) -> Path:
    page = _environment().get_template(template).render(**context)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def write_pngs(rendered: Iterable[Rendered], folder: Path, prefix: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for chart in rendered:
        path = folder / f"{prefix}-{chart.key}.png"
        write_png(chart.spec, str(path))
        written.append(path)
    return written
