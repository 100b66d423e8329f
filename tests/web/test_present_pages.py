"""The web atlas in the present: the map opens on each measure's latest twelve months, AOR
pages show detention to February 2026 with the enforcement operations of the public record
marked, and nation-only measures have no figure below the nation."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def _period(html: str) -> tuple[str, str]:
    found = dict(re.findall(r'name="(start|end)"[^>]*value="([^"]+)"', html))
    return found["start"], found["end"]


def test_the_map_opens_on_the_latest_year_of_its_measure(client: TestClient) -> None:
    detention = client.get("/", params={"measure": "detained_adp", "level": "aor"})
    assert _period(detention.text) == ("2025-03", "2026-02")
    arrests = client.get("/")  # at-large arrests: the records end in August 2019
    assert _period(arrests.text) == ("2018-09", "2019-08")


def test_aor_pages_show_detention_to_2026_with_operations_marked(client: TestClient) -> None:
    for aor, operation, day in (
        ("CHI", "midway_blitz_2025", "2025-09-08"),
        ("LOS", "los_angeles_2025", "2025-06-06"),
    ):
        page = client.get(f"/area/aor/{aor}", params={"measure": "detained_adp"})
        assert page.status_code == 200
        assert "Feb 2026" in page.text or "2026-02" in page.text
        series = client.get(
            "/api/series", params={"level": "aor", "area": aor, "measure": "detained_adp"}
        ).json()
        months = [row["month"] for row in series["rows"]]
        assert months[0] == "2005-10-01" and months[-1] == "2026-02-01"
        timeline = client.get("/api/policies/timeline", params={"level": "aor", "area": aor})
        marked = {p["policy_id"]: p for p in timeline.json()["policies"]}
        assert marked[operation]["effective_from"] == day
        assert marked[operation]["source_address"].startswith("https://")
        assert marked["surge_2020"]["effective_from"] == "2020-02-14"
        assert day in page.text


def test_nation_only_measures_have_no_figure_below_the_nation(client: TestClient) -> None:
    nation = client.get(
        "/api/series", params={"level": "nation", "area": "US", "measure": "book_ins_ice"}
    ).json()
    assert nation["rows"][-1]["month"] == "2026-03-01" and nation["rows"][-1]["book_ins_ice"]
    aor = client.get("/api/series", params={"level": "aor", "area": "CHI", "measure": "book_ins"})
    rows = aor.json()["rows"] if aor.status_code == 200 else []
    assert all(row["book_ins"] is None for row in rows)


def test_methods_page_cites_each_operation(client: TestClient) -> None:
    html = client.get("/methods").text
    for name in ("Operation Midway Blitz", "Charlotte", "Catahoula Crunch", "Metro Surge"):
        assert name in html
    assert "startribune.com" in html and "midway" in html.lower()
