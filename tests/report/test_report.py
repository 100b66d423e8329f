"""The static report on the real records: what it holds, that it loads nothing, its PNGs, and
the command's errors."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sanctuary_atlas.report import UnknownAreaError, resolve_area
from tests.report.conftest import Built
from tests.test_cli import run


class Loads(HTMLParser):
    """Every tag that could make a browser fetch something: scripts, stylesheets, frames,
    images, media, and any src or non-fragment href outside an <a>."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "link", "iframe", "img", "object", "embed", "source", "video"):
            self.found.append(tag)
        for name, value in attrs:
            if name in ("src", "srcset", "data", "poster"):
                self.found.append(f"{tag} {name}={value}")
            if name.endswith("href") and tag != "a" and not (value or "").startswith("#"):
                self.found.append(f"{tag} {name}={value}")


def loads(page: str) -> list[str]:
    parser = Loads()
    parser.feed(page)
    css = page[page.index("<style>") : page.index("</style>")]
    return parser.found + (["css url()"] if "url(" in css or "@import" in css else [])


def test_area_report_holds_the_sections(built: Built) -> None:
    page = built.area.read_text(encoding="utf-8")
    assert "ICE enforcement in Los Angeles County, CA" in page
    for heading in ("In figures", "Policies", "Data coverage", "Caveats", "Sources and licences"):
        assert f">{heading}</h2>" in page, heading
    assert "Custodial and at-large arrests, by month" in page
    assert "People in ICE detention, by month" in page
    assert "No chart of removals" in page  # removals have no place below the AOR
    assert page.count("<svg") >= 6  # three series and the map, each in two widths
    assert "EROArrests_FY2016.csv.gz" in page and "Sanctuary Atlas 0.1.0" in page


def test_area_report_lists_every_policy_in_force_with_its_source(built: Built) -> None:
    page = html.unescape(built.area.read_text(encoding="utf-8"))
    assert built.in_force.height >= 5  # SB 54, the TRUTH Act, the LAPD order, ...
    for entry in built.in_force.iter_rows(named=True):
        assert entry["jurisdiction_name"] in page, entry
        assert entry["source_title"] in page, entry
        if entry["source_publisher"]:
            assert entry["source_publisher"] in page, entry
    assert "California Values Act" in page
    # a policy date inside the series is drawn on the chart and keyed below it
    assert "2018-01-01: limits detainers (California)" in page


@pytest.mark.parametrize("which", ["area", "claims"])
def test_report_loads_nothing(built: Built, which: str) -> None:
    page = getattr(built, which).read_text(encoding="utf-8")
    assert loads(page) == []
    assert "<a href=" in page or which == "claims"  # links to sources are fine


def test_pngs_are_written(built: Built) -> None:
    names = sorted(p.name for p in built.pngs.glob("*.png"))
    for name in ("06037-arrests.png", "06037-detainers.png", "06037-detention.png"):
        assert name in names
    assert "06037-map.png" in names
    assert sum(n.startswith("claims-") for n in names) == 5
    for path in built.pngs.glob("*.png"):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_claims_report_holds_every_check(built: Built) -> None:
    page = html.unescape(built.claims.read_text(encoding="utf-8"))
    for question in built.questions:
        assert question in page
    assert page.count("<svg") == 10  # five charts, two widths each
    assert page.count("What the records cannot show") == len(built.questions)


def test_reports_take_seconds(built: Built) -> None:
    assert built.seconds["area"] < 60 and built.seconds["claims"] < 60, built.seconds


@pytest.mark.parametrize(
    ("text", "level", "code"),
    [
        ("06037", "county", "06037"),
        ("Los Angeles County, CA", "county", "06037"),
        ("los angeles county", "county", "06037"),
        ("CA", "state", "CA"),
        ("California", "state", "CA"),
        ("LOS", "aor", "LOS"),
        ("Los Angeles", "aor", "LOS"),
        ("US", "nation", "US"),
    ],
)
def test_areas_resolve_at_every_level(text: str, level: str, code: str) -> None:
    area = resolve_area(text)
    assert (area.level, area.code) == (level, code)


def test_unknown_area_suggests_close_matches() -> None:
    with pytest.raises(UnknownAreaError, match=r"Los Angeles County, CA \(06037\)"):
        resolve_area("Los Angles County, CA")
    with pytest.raises(UnknownAreaError, match=r"names \d+ areas"):
        resolve_area("Washington County")


def test_command_unknown_area_exits_2(panel_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    done = run("report", "Los Angles County, CA", "--db", panel_store, "--out", out)
    assert done.returncode == 2, done.stderr
    assert "Los Angles County, CA" in done.stderr and "06037" in done.stderr
    assert not out.exists()


def test_command_compares_measures_and_months(panel_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "cmp.html"
    done = run(
        "report", "LOS", "--db", panel_store, "--out", out, "--compare", "Cook County, IL",
        "--measure", "removals", "--measure", "arrests,arrests_custodial",
        "--from", "2017-01", "--to", "2017-12", "--png", tmp_path / "png",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "ICE enforcement in Los Angeles Area of Responsibility" in page
    assert "Cook County, IL" in page
    assert "Jan 2017 to Dec 2017" in page
    assert len(list((tmp_path / "png").glob("*.png"))) == 3  # two charts and the map


def test_cook_county_report_reads_its_floor_beside_the_chicago_aor(
    panel_store: Path, tmp_path: Path
) -> None:
    """Issue 16: most Chicago-area arrests are placed in no county, so Cook County's headline
    is "at least …; up to …" with the Chicago AOR's figure beside it, never a bare count."""
    out = tmp_path / "cook.html"
    done = run(
        "report", "Cook County, IL", "--db", panel_store, "--out", out,
        "--from", "2016-10", "--to", "2017-09",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = " ".join(html.unescape(out.read_text(encoding="utf-8")).split())
    assert re.search(r"at least [\d,]+; up to [\d,]+", page)
    assert "Chicago Area of Responsibility: " in page
