"""Generated requests against every API route of the OpenAPI document: none may answer 5xx.

Parameters are drawn from the document itself (each route's query parameters), mixing values
the atlas knows (measure names, area codes, months, policy kinds) with arbitrary text, so that
both the validation and the code behind it are reached.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctuary_atlas.policies.model import PolicyKind

KNOWN: dict[str, list[str]] = {
    "level": ["nation", "aor", "state", "county"],
    "unit": ["state", "county", "aor"],
    "measure": ["arrests", "arrests_at_large", "at_large_share", "removals", "detained_adp"],
    "area": ["US", "SEA", "HQ", "CA", "UNASSIGNED", "CA-UNASSIGNED", "06073", "17031"],
    "code": ["US", "SEA", "CA", "06073"],
    "start": ["2015-10", "2018-10", "2019-09", "2030-01", "1999-01"],
    "end": ["2015-10", "2019-06", "2024-01"],
    "month": ["2019-09", "2016-01", "2030-12"],
    "day": ["2019-01-01", "2005-06-30", "2100-01-01"],
    "policy": [str(kind) for kind in PolicyKind],
    "layer": ["limits_detainers", "287g", "state_mandates"],
    "treated": ["CA", "policy:limits_detainers", "surge2020", "rest", "policy:287g_*@2019-01-01"],
    "control": ["rest", "TX", "surge2020"],
    "q": ["king", "", "CA"],
    "limit": ["1", "500", "0", "-3"],
}
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    max_size=24,
)


def routes() -> list[tuple[str, list[str]]]:
    """(path, query parameter names) of every GET route under /api/."""
    from sanctuary_atlas.web import analysis, api

    found = []
    for router in (api.router, analysis.api):
        for route in router.routes:
            if isinstance(route, APIRoute):
                found.append((route.path, [p.name for p in route.dependant.query_params]))
    return found


def value(name: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(KNOWN.get(name, ["x"])), TEXT)


@st.composite
def request_for(draw: st.DrawFn, path: str, names: list[str]) -> tuple[str, dict[str, Any]]:
    url = path
    for segment in ("level", "code"):
        if "{" + segment + "}" in url:
            url = url.replace("{" + segment + "}", quote(draw(value(segment)), safe="") or "x")
    params: dict[str, Any] = {}
    for name in names:
        if draw(st.booleans()):
            params[name] = draw(st.lists(value(name), min_size=1, max_size=3))
    return url, params


@pytest.mark.parametrize(("path", "names"), routes(), ids=[r[0] for r in routes()])
def test_no_generated_request_answers_5xx(client: TestClient, path: str, names: list[str]) -> None:
    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(request_for(path, names))
    def check(request: tuple[str, dict[str, Any]]) -> None:
        url, params = request
        answer = client.get(url, params=params)
        assert answer.status_code < 500, (url, params, answer.text[:300])

    check()
