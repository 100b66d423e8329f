"""Every view a newcomer reaches on the default atlas (what `make run` serves): every measure
at every level, impossible months, unknown areas, downloads, the policy list, the claims and
estimates pages, and a crawl of every link from the map. Nothing answers 5xx."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

import sanctuary_atlas
from sanctuary_atlas.default_atlas import materialise
from sanctuary_atlas.web.app import create_app
from sanctuary_atlas.web.shapes import aor_border_arcs
from tests.conftest import NATIONAL

MAP_LEVELS = ("county", "state", "aor")


@pytest.fixture(scope="module")
def default_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("default-views") / "atlas.duckdb"
    materialise(path)
    with TestClient(create_app(path), raise_server_exceptions=False) as client:
        yield client


def measure_names(client: TestClient) -> list[str]:
    return [m["measure"] for m in client.get("/api/measures").json()]


def test_every_measure_answers_at_every_map_level(default_client: TestClient) -> None:
    """The county map is the default, and its rates and shares answered 500 (the template
    asked every row for a located share that only counts have)."""
    failed = []
    names = measure_names(default_client)
    assert len(names) > 20
    for measure in names:
        for level in MAP_LEVELS:
            page = f"/?measure={measure}&level={level}"
            if (status := default_client.get(page).status_code) != 200:
                failed.append((page, status))
            # the API may refuse a measure the bundle holds no release of, in words (4xx);
            # it never fails (5xx)
            api = f"/api/map?measure={measure}&level={level}&start=2018-10&end=2019-09"
            if (status := default_client.get(api).status_code) >= 500:
                failed.append((api, status))
        series = f"/api/series?level=state&area=CA&measure={measure}"
        if (status := default_client.get(series).status_code) >= 500:
            failed.append((series, status))
    assert failed == []


def test_the_county_map_of_a_rate_ranks_counties_without_a_bound(
    default_client: TestClient,
) -> None:
    html = default_client.get("/?measure=arrests_per_100k&level=county").text
    assert "Highest figures" in html and "/area/county/" in html
    assert '<th scope="col" class="num">Coverage</th>' not in html
    # a count has its bound and coverage beside it (issue 16: one share, the coverage)
    count = default_client.get("/?measure=arrests&level=county").text
    assert '<th scope="col" class="num">Up to</th>' in count
    assert '<th scope="col" class="num">Coverage</th>' in count
    assert "Share located" not in count and "share of its state" not in count


@pytest.mark.parametrize(
    "path",
    [
        "/api/series?level=state&measure=arrests&start=0000-01",
        "/api/series.csv?level=state&measure=arrests&end=0000-12",
        "/api/map?level=state&measure=arrests&start=0000-03",
        "/api/map/policies?level=state&layer=287g&month=0000-01",
        "/api/compare?measure=arrests&treated=CA&control=rest&start=0000-01",
    ],
)
def test_a_month_that_does_not_exist_is_refused_in_words(
    default_client: TestClient, path: str
) -> None:
    answer = default_client.get(path)
    assert answer.status_code == 422, answer.text
    assert "give one as YYYY-MM" in answer.json()["detail"][0]["msg"]


def test_the_map_page_ignores_a_month_that_does_not_exist(default_client: TestClient) -> None:
    answer = default_client.get("/?start=0000-01&end=0000-02")
    assert answer.status_code == 200
    # the default period, in words, not an error
    assert re.search(
        r"<h1>[^<]*, [A-Z][a-z]{2} \d{4} \N{EN DASH} [A-Z][a-z]{2} \d{4}</h1>", answer.text
    )


def test_no_infinite_rate_where_the_population_is_not_known(default_client: TestClient) -> None:
    """Puerto Rico has no 2016-2019 Census estimate: its rate is not known, not "≥ inf"."""
    html = default_client.get("/?measure=arrests_per_100k&level=state").text
    assert "inf" not in re.sub(r"<[^>]+>", " ", html).split()
    areas = default_client.get("/api/map?measure=arrests_per_100k&level=state").json()["areas"]
    rates = dict(zip(areas["area_code"], areas["value"], strict=True))
    assert rates["PR"] is None and rates["CA"] is not None and rates["CA"] > 0


def test_an_unknown_area_is_a_page_with_close_matches(default_client: TestClient) -> None:
    answer = default_client.get("/area/state/06", headers={"accept": "text/html"})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "No such area" in answer.text
    assert 'href="/area/state/CA"' in answer.text  # 06 is California's FIPS code
    misspelt = default_client.get("/area/county/6037").text
    assert 'href="/area/county/06037"' in misspelt


def test_downloads_are_named_for_what_they_hold(default_client: TestClient) -> None:
    one = default_client.get(
        "/api/series.csv?level=county&area=06037&measure=arrests&start=2018-10&end=2019-09"
    )
    assert one.status_code == 200
    # the months are those served: the request clipped to the months the releases cover
    assert (
        'filename="sanctuary-atlas_county-06037_arrests_2018-10_2019-0'
        in (one.headers["content-disposition"])
    )
    many = default_client.get(
        "/api/series.parquet?level=state&measure=arrests&measure=removals&area=CA&area=TX"
    )
    assert (
        "sanctuary-atlas_state-2-areas_arrests-and-1-more_" in many.headers["content-disposition"]
    )


def test_claims_show_code_not_backticks(default_client: TestClient) -> None:
    html = default_client.get("/claims").text
    assert "`" not in html
    assert "<code>estimate</code>" in html or "<code>estimate --policy" in html


def test_estimate_caveats_speak_in_months_without_library_errors(
    default_client: TestClient,
) -> None:
    """The default estimate on the default atlas loses Callaway-Sant'Anna to withheld cells:
    the caveat says why in words, and no caveat numbers periods from January 2000."""
    default = {"policy": "limits_detainers", "measure": "arrests_custodial", "unit": "state"}
    answer = default_client.get("/api/estimate", params=default).json()
    notes = [*answer["caveats"], *(c for r in answer["results"] for c in r["caveats"])]
    text = " ".join(notes)
    assert "Error" not in text and "out of bounds" not in text and "said:" not in text
    assert not re.search(r"periods? \[?\d{3}", text), text
    months = "January|February|March|April|May|June|July|August|September|October|November"
    assert re.search(rf"({months}|December) 20\d\d", text), text
    page = default_client.get("/estimates").text
    assert "IndexError" not in page and "[2" not in re.sub(r"<[^>]+>", "", page)


def test_policies_page_lists_287g_agreements_in_force_today(
    default_client: TestClient,
) -> None:
    answer = default_client.get("/policies")
    assert answer.status_code == 200
    listed = default_client.get("/api/policies", params={"day": str(date.today())}).json()
    assert listed["count"] > 500
    assert all(p["kind"].startswith("287g_") for p in listed["policies"])
    assert f"{listed['count']:,} entries" in answer.text
    texas = default_client.get(
        "/api/policies", params={"state": "TX", "kind": "limits_detainers"}
    ).json()
    assert texas["count"] == 0 or all(p["state"] == "TX" for p in texas["policies"])
    california = default_client.get(
        "/api/policies", params={"state": "CA", "kind": "limits_detainers"}
    ).json()
    assert california["count"] >= 1 and {p["state"] for p in california["policies"]} == {"CA"}
    csv = default_client.get("/api/policies.csv", params={"kind": "287g_task_force", "state": "FL"})
    assert csv.text.splitlines()[0].startswith("jurisdiction_name,")
    assert (
        "sanctuary-atlas_policies_287g_task_force_FL_all-dates.csv"
        in csv.headers["content-disposition"]
    )
    assert default_client.get("/policies?kind=nothing").status_code == 422
    assert default_client.get("/api/policies?state=ZZ").status_code == 422
    # the map links to it
    assert 'href="/policies?kind=287g_*"' in default_client.get("/").text


def test_the_aor_map_has_aor_borders(default_client: TestClient) -> None:
    shapes = default_client.get("/geo/us-counties.topo.json").json()
    borders = shapes["objects"]["aor_borders"]["geometries"][0]
    assert borders["type"] == "MultiLineString" and len(borders["arcs"]) > 300


def test_aor_border_arcs_separate_two_aors_only() -> None:
    # three counties in a row: A|B share arc 1 (same AOR), B|C share arc 2 (another AOR)
    topology = {
        "objects": {
            "counties": {
                "geometries": [
                    {"id": "1", "type": "Polygon", "arcs": [[0, 1]]},
                    {"id": "2", "type": "Polygon", "arcs": [[~1, 2, 3]]},
                    {"id": "3", "type": "MultiPolygon", "arcs": [[[~2, 4]]]},
                ]
            }
        }
    }
    assert aor_border_arcs(topology, {"1": "SEA", "2": "SEA", "3": "SFR"}) == [2]


def test_crawl_every_link_from_the_map(default_client: TestClient) -> None:
    """Every link on the map page, and every link on the pages it leads to (one step
    further), answers without a server error."""
    seen: dict[str, int] = {}
    frontier = ["/"]
    for depth in range(2):
        found: list[str] = []
        for path in frontier:
            answer = default_client.get(path)
            seen[path] = answer.status_code
            if depth == 0 or "html" in answer.headers.get("content-type", ""):
                for href in re.findall(r'(?:href|src|data-api|data-series)="([^"#]+)', answer.text):
                    link = urljoin(path, href.replace("&amp;", "&"))
                    if urlsplit(link).netloc:
                        continue  # a source cited on the web: not this server's
                    if link not in seen and link not in found:
                        found.append(link)
        frontier = found
    for path in frontier:
        seen[path] = default_client.get(path).status_code
    assert len(seen) > 60
    assert [(p, s) for p, s in seen.items() if s >= 500] == []


def test_claims_on_a_store_without_policies_say_why_they_cannot_be_checked(
    tmp_path: Path,
) -> None:
    """A store built with `ingest` alone (one real arrests file, no policy registry)."""
    path = tmp_path / "atlas.duckdb"
    with sanctuary_atlas.open(path) as atlas:
        atlas.ingest([NATIONAL / "EROArrests_FY2019.csv.gz"])
        atlas.measures.ensure_panel()
    with TestClient(create_app(path), raise_server_exceptions=False) as client:
        answer = client.get("/api/claims")
        assert answer.status_code == 200
        unchecked = [c for c in answer.json() if not c["checked"]]
        assert unchecked and all("cannot be checked" in c["shows"][0] for c in unchecked)
        assert any("policy registry" in c["shows"][0] for c in unchecked)
        page = client.get("/claims")
        assert page.status_code == 200
        assert "cannot be checked in this atlas" in page.text
