"""The outlines the map draws: the bundled us-atlas TopoJSON (counties, states, nation), plus
the borders between ICE areas of responsibility, which no public shape file carries.

An AOR is a union of counties (``load_counties`` says which county each office covers), so
its border is every county arc that separates two counties of different AORs. TopoJSON stores
each shared border once as an arc, which makes this a count of which AORs use each arc.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import polars as pl

from sanctuary_atlas.geography.reference import county_shapes_json, load_counties

AOR_BORDERS = "aor_borders"


def _arcs(nested: Any) -> Iterator[int]:
    """Every arc index of a Polygon's or MultiPolygon's nested ``arcs`` lists; a negative
    index (~i) is arc i reversed."""
    if isinstance(nested, int):
        yield nested if nested >= 0 else ~nested
        return
    for part in nested:
        yield from _arcs(part)


def aor_border_arcs(topology: dict[str, Any], aor_of: dict[str, str]) -> list[int]:
    """Arcs between two counties of different AORs (or an AOR county and one of none):
    interior borders only, so a coast is not drawn twice over the states' outline."""
    users: dict[int, list[str]] = {}
    for geometry in topology["objects"]["counties"]["geometries"]:
        aor = aor_of.get(str(geometry.get("id")), "")
        for arc in set(_arcs(geometry.get("arcs", []))):
            users.setdefault(arc, []).append(aor)
    return sorted(arc for arc, aors in users.items() if len(aors) > 1 and len(set(aors)) > 1)


@cache
def map_shapes_json() -> bytes:
    """The county TopoJSON with an ``aor_borders`` object (one MultiLineString)."""
    topology: dict[str, Any] = json.loads(county_shapes_json())
    counties = load_counties().filter(pl.col("aor").is_not_null())
    aor_of = dict(zip(counties["county_fips"], counties["aor"], strict=True))
    arcs = aor_border_arcs(topology, aor_of)
    topology["objects"][AOR_BORDERS] = {
        "type": "GeometryCollection",
        "geometries": [{"type": "MultiLineString", "arcs": [[arc] for arc in arcs]}],
    }
    return json.dumps(topology, separators=(",", ":")).encode()
