"""The server-rendered pages, and the `serve` command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sanctuary_atlas.cli import app as cli_app

PAGES = [
    ("/", "At-large arrests"),
    (
        "/?measure=removals&level=aor&start=2017-01&end=2017-12",
        "San Antonio Area of Responsibility",
    ),
    ("/?measure=at_large_share&level=state", "Highest figures"),
    ("/?start=garbage&level=planet&measure=nothing", "At-large arrests"),
    ("/area/county/17031", "Policy for Responding to ICE Detainers"),
    ("/area/state/CA?measure=at_large_share", "At-large share of arrests"),
    ("/area/aor/SEA?measure=removals", "Seattle Area of Responsibility"),
    ("/area/nation/US", "United States"),
    ("/areas?q=king", "King County, WA"),
    ("/methods", "EROArrests"),
]


def assets(html: str) -> list[str]:
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize(("path", "text"), PAGES)
def test_page_renders_with_local_assets_only(client: TestClient, path: str, text: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text[:500]
    assert text in answer.text
    for url in assets(answer.text):
        assert url.startswith("/static/"), url
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("path", ["/", "/area/state/CA", "/compare", "/estimates"])
def test_forms_offer_only_measures_with_a_record(client: TestClient, path: str) -> None:
    """A measure no loaded release has (detainers: the FY2016-2019 releases hold none) is not
    offered: choosing it used to draw another measure under its name."""
    recorded = {m["measure"] for m in client.get("/api/measures").json() if m["first_month"]}
    unrecorded = {m["measure"] for m in client.get("/api/measures").json() if not m["first_month"]}
    assert "detainers" in unrecorded and "arrests" in recorded
    form = client.get(path).text
    select = form[form.index('<select name="measure">') :]
    offered = set(re.findall(r'<option value="([^"]+)"', select[: select.index("</select>")]))
    assert offered and offered <= recorded


def test_the_map_opens_on_the_aor_level(client: TestClient) -> None:
    """At-large arrests are often placed in no county: the default view is the AOR, where
    every arrest ICE records is placed."""
    assert 'data-level="aor"' in client.get("/").text
    assert 'data-level="county"' in client.get("/", params={"level": "county"}).text


def test_unknown_area_page_is_404(client: TestClient) -> None:
    assert client.get("/area/county/99999").status_code == 404
    assert client.get("/area/galaxy/X").status_code == 422


def test_map_page_never_shows_a_small_count(client: TestClient) -> None:
    html = client.get("/", params={"level": "county", "measure": "arrests_cap_local"}).text
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    floor = '<span aria-hidden="true">≥ </span><span class="visually-hidden">at least </span>'
    figures = re.findall(rf'<td class="num">(?:{floor})?([\d,]+)</td>', table)
    assert figures and all(int(f.replace(",", "")) >= 10 or f == "0" for f in figures)
    # remainder areas are not places: they stay out of the ranking
    assert "not placed in" not in table


def test_area_page_lists_sources_coverage_and_downloads(client: TestClient) -> None:
    html = client.get("/area/county/06073").text
    assert "Coverage and caveats" in html
    # one word for a figure not published, and both reasons a month is withheld
    assert "withheld" in html and "suppressed" not in html.lower().replace("months_suppressed", "")
    assert "fewer than 10 events" in html and "worked out" in html
    assert "/api/series.csv?" in html and "/api/series.parquet?" in html
    assert "California Values Act" in html or "TRUST" in html or "SB 54" in html


def test_vendored_libraries_ship_their_licences() -> None:
    vendor = Path(__file__).resolve().parents[2] / "src/sanctuary_atlas/web/static/vendor"
    for name in ("vega", "vega-lite", "vega-embed"):
        assert (vendor / name / "LICENSE").read_text().startswith("Copyright")
        assert (vendor / name / f"{name}.min.js").stat().st_size > 10_000
        assert "sourceMappingURL" not in (vendor / name / f"{name}.min.js").read_text()[-300:]


def test_serve_prints_its_address(web_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def fake_run(app: object, **options: Any) -> None:
        calls.append(options)

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(web_store), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/" in result.output
    # the grids are built before it listens, and it says so
    assert re.search(r"The atlas prepared (\d+) of \1 map grids in [\d.]+ s", result.output)
    assert calls == [{"host": "127.0.0.1", "port": 8123, "log_level": "warning"}]


def test_serve_refuses_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    """(A store that does not exist is made from the default atlas: tests/default_atlas.)"""
    path = tmp_path / "notes.duckdb"
    path.write_text("somebody's notes, not an atlas")
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(path)])
    assert result.exit_code == 1
    assert "cannot open the atlas store" in result.output
    assert path.read_text() == "somebody's notes, not an atlas"


def test_no_source_is_a_path_on_this_machine(client: TestClient) -> None:
    """Secure Communities entries cited the file they were read from on one machine."""
    for path in (
        "/methods",
        "/area/county/06037",
        "/policies?kind=secure_communities_activated&day=",
    ):
        html = client.get(path).text
        assert "shared/data" not in html and "../" not in html, path
    assert "www.ice.gov/doclib/secure-communities" in client.get("/methods").text


def test_cook_county_page_gives_bounds_and_the_chicago_aor(client: TestClient) -> None:
    """Cook County's at-large arrests are mostly placed in no county: the page says "at least
    … up to …", leads with the Chicago AOR's figure and links to it, and the table has the
    bound beside each month."""
    html = client.get("/area/county/17031", params={"measure": "arrests_at_large"}).text
    callout = html[html.index('id="bounds"') : html.index("</div>", html.index('id="bounds"'))]
    assert "At least 0" in callout and "could add" in callout
    assert (
        'href="/area/aor/CHI?measure=arrests_at_large">Chicago Area of Responsibility</a>: '
        in callout
    )
    assert re.search(r"Chicago Area of Responsibility</a>: (at least )?\d{1,3}(,\d{3})+", callout)
    assert '<th scope="col" class="num">Up to</th>' in html
    rows = client.get(
        "/api/series",
        params={
            "level": "county",
            "area": "17031",
            "measure": "arrests_at_large",
            "bounds": "true",
        },
    ).json()["rows"]
    assert rows and all("arrests_at_large_upper" in row for row in rows)
    bounded = [r for r in rows if r["arrests_at_large_upper"] is not None]
    assert bounded and all(r["arrests_at_large_upper"] >= r["arrests_at_large"] for r in bounded)
    # an AOR page has no bound to give: every event is placed in an AOR
    assert 'id="bounds"' not in client.get("/area/aor/CHI").text


def test_the_county_map_carries_bounds_and_fades_low_coverage(client: TestClient) -> None:
    params = {
        "level": "county",
        "measure": "arrests_at_large",
        "start": "2016-11",
        "end": "2016-11",
    }
    areas = client.get("/api/map", params=params).json()["areas"]
    cook = areas["area_code"].index("17031")
    # none placed in Cook County; the Chicago AOR's and Illinois' unplaced could lie there
    assert areas["value"][cook] == 0 and areas["upper"][cook] > 100
    assert areas["coverage"][cook] is None or areas["coverage"][cook] < 0.5
    # a bound is never below its figure; remainder areas get none
    for value, upper in zip(areas["value"], areas["upper"], strict=True):
        assert upper is None or value is None or upper >= value
    assert areas["upper"][areas["area_code"].index("IL-UNASSIGNED")] is None
    assert "<strong>Faded</strong>" in client.get("/", params=params).text
    # nothing to bound at AOR level: every arrest is placed in an AOR
    aors = client.get("/api/map", params={**params, "level": "aor"}).json()["areas"]
    assert "upper" not in aors
    # the hover reads Cook County beside the Chicago AOR's figure for the same period
    chicago = aors["area_code"].index("CHI")
    assert areas["aor_name"][cook] == aors["area_name"][chicago]
    assert areas["aor_value"][cook] == aors["value"][chicago] > 100
    # a state split among AORs has no one AOR to read it beside
    states = client.get("/api/map", params={**params, "level": "state"}).json()["areas"]
    assert states["aor_name"][states["area_code"].index("IL")] == aors["area_name"][chicago]
    assert states["aor_name"][states["area_code"].index("CA")] is None
