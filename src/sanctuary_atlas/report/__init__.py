"""Static reports: one self-contained HTML file per area (or for the claim checks), with
inline CSS and inline SVG charts, that opens offline and loads nothing."""

from sanctuary_atlas.measures.areas import Area, UnknownAreaError, resolve_area
from sanctuary_atlas.report.build import Written, build_area_report
from sanctuary_atlas.report.claims import build_claims_report
from sanctuary_atlas.report.figures import Period

__all__ = [
    "Area",
    "Period",
    "UnknownAreaError",
    "Written",
    "build_area_report",
    "build_claims_report",
    "resolve_area",
]
