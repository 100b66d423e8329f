"""Comparison, estimate and claim routes and pages."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient


def blamed(response: httpx.Response) -> list[str]:
    return [str(item["loc"][-1]) for item in response.json()["detail"]]


def test_compare_a_state_against_the_rest(client: TestClient) -> None:
    answer = client.get(
        "/api/compare", params={"measure": "arrests", "treated": "CA", "control": "rest"}
    )
    assert answer.status_code == 200
    result = answer.json()
    assert result["treated"] == ["CA"] and "CA" not in result["control"]
    groups = {row["group"] for row in result["series"]}
    assert len(groups) == 2
    # group totals add published cells only: none can be a small count
    assert not [r for r in result["series"] if r["value"] is not None and 0 < r["value"] < 10]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"measure": "arrests", "treated": "ZZ", "control": "rest"}, "treated"),
        ({"measure": "arrests", "treated": "CA", "control": "QQ"}, "control"),
        ({"measure": "nope", "treated": "CA", "control": "rest"}, "measure"),
        ({"measure": "arrests", "treated": "CA", "control": "rest", "level": "x"}, "level"),
        ({"measure": "arrests", "treated": "CA", "control": "rest", "start": "2019"}, "start"),
    ],
)
def test_compare_names_the_bad_parameter(
    client: TestClient, params: dict[str, str], parameter: str
) -> None:
    answer = client.get("/api/compare", params=params)
    assert answer.status_code == 422 and parameter in blamed(answer)


@pytest.mark.parametrize("level", ["state", "county", "aor"])
def test_compare_takes_a_glob_of_policy_kinds(client: TestClient, level: str) -> None:
    # found by the fuzz test: a glob reached the adoption panel as a column name (500)
    params = {"measure": "arrests", "treated": "policy:limits_*@2017-01-01", "control": "rest"}
    answer = client.get("/api/compare", params={**params, "level": level})
    assert answer.status_code in (200, 422), answer.text
    if answer.status_code == 200:
        assert answer.json()["treated"]  # a kind it matches was in force somewhere
    # a glob whose kinds no area had in force is said, not a server error
    params["treated"] = "policy:287g_*@2019-01-01"
    answer = client.get("/api/compare", params={**params, "level": level})
    assert answer.status_code == 422 and "in force" in answer.text


def test_estimate_of_a_policy(client: TestClient) -> None:
    result = client.get(
        "/api/estimate", params={"policy": "limits_detainers", "measure": "arrests_custodial"}
    ).json()
    assert result["unit"] == "state" and result["adopters"]
    estimators = {r["estimator"] for r in result["results"]}
    assert len(estimators) == 2
    assert all(r["event_study"] for r in result["results"])
    assert result["caveats"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"policy": "nope", "measure": "arrests"}, "policy"),
        ({"policy": "limits_detainers", "measure": "nope"}, "measure"),
        ({"policy": "limits_detainers", "measure": "arrests", "unit": "planet"}, "unit"),
    ],
)
def test_estimate_names_the_bad_parameter(
    client: TestClient, params: dict[str, str], parameter: str
) -> None:
    answer = client.get("/api/estimate", params=params)
    assert answer.status_code == 422 and parameter in blamed(answer)


def test_claims(client: TestClient) -> None:
    checks = client.get("/api/claims").json()
    assert len(checks) >= 3
    assert all(c["claim"] and c["shows"] and c["limits"] for c in checks)


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/claims", 200, "What the records show"),
        ("/compare", 200, "per 100,000"),
        ("/compare?level=aor&treated=surge2020&control=rest", 200, "Compare areas"),
        ("/compare?treated=ZZ", 422, "unknown state area or selector"),
        ("/estimates", 200, "Callaway"),
        ("/estimates?policy=bogus", 422, "unknown policy kind"),
    ],
)
def test_analysis_pages(client: TestClient, path: str, status: int, text: str) -> None:
    answer = client.get(path)
    assert answer.status_code == status
    assert text in answer.text


def test_estimates_page_prints_each_estimators_caveats(client: TestClient) -> None:
    """The caveats travel with the numbers: the estimators' own (few treated clusters) too."""
    page = client.get("/estimates").text
    assert "Sun-Abraham: only" in page and "treated cluster" in page
