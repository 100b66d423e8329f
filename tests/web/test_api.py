"""The JSON API: every route, its status codes, and what may never leave it."""

from __future__ import annotations

import io
import time
from datetime import date
from pathlib import Path

import httpx
import polars as pl
import pytest
from fastapi.testclient import TestClient

from sanctuary_atlas.measures.definitions import MEASURES_BY_NAME
from sanctuary_atlas.measures.disclosure import DEFAULT_THRESHOLD
from sanctuary_atlas.web.app import create_app
from sanctuary_atlas.web.params import month_range, parse_month
from sanctuary_atlas.web.service import MAX_CELLS, share_parts

FY2019 = {"start": "2018-10", "end": "2019-09"}


def error_parameter(response: httpx.Response) -> list[str]:
    """The parameter names a 422 answer blames."""
    detail = response.json()["detail"]
    return [str(item["loc"][-1]) for item in detail]


def test_openapi_lists_the_api_and_no_cdn_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/areas",
        "/api/measures",
        "/api/series",
        "/api/series.{suffix}",
        "/api/map",
        "/api/policies/at",
        "/api/policies/timeline",
        "/api/releases",
        "/api/compare",
        "/api/estimate",
        "/api/claims",
    ):
        assert path in spec["paths"], path
    download = spec["paths"]["/api/series.{suffix}"]["get"]["parameters"][0]
    assert download["name"] == "suffix" and download["schema"]["enum"] == ["csv", "parquet"]
    assert not any("sql" in path for path in spec["paths"])
    # FastAPI's /docs pages load scripts from a CDN: they must not be served
    assert client.get("/docs").status_code == 404
    assert client.get("/api/sql", params={"q": "SELECT 1"}).status_code == 404


def test_area_search_by_name_and_code(client: TestClient) -> None:
    found = client.get("/api/areas", params={"q": "king", "level": "county"}).json()
    assert {"level": "county", "code": "53033", "name": "King County, WA"} in found
    assert all(a["level"] == "county" for a in found)
    assert client.get("/api/areas", params={"q": "CA"}).json()[0]["code"] == "CA"
    bad = client.get("/api/areas", params={"limit": 0})
    assert bad.status_code == 422 and error_parameter(bad) == ["limit"]


def test_one_area_and_unknown_areas(client: TestClient) -> None:
    assert client.get("/api/areas/aor/SEA").json()["name"].startswith("Seattle")
    missing = client.get("/api/areas/county/99999")
    assert missing.status_code == 404 and "99999" in missing.json()["detail"]
    assert client.get("/api/areas/planet/EARTH").status_code == 422


def test_measures_have_definitions_and_coverage(client: TestClient) -> None:
    measures = {m["measure"]: m for m in client.get("/api/measures").json()}
    assert set(MEASURES_BY_NAME) <= set(measures)
    assert measures["arrests"]["first_month"] == "2015-10-01"
    assert measures["at_large_share"]["kind"] == "share"
    assert all(m["definition"] for m in measures.values())


def test_series_of_a_state(client: TestClient) -> None:
    answer = client.get(
        "/api/series",
        params={"level": "state", "measure": ["arrests", "at_large_share"], "area": "CA", **FY2019},
    )
    assert answer.status_code == 200
    rows = answer.json()["rows"]
    assert [r["month"] for r in rows][:2] == ["2018-10-01", "2018-11-01"]
    # FY2019, clipped to the months the release covers (it ends in September 2019)
    assert len(rows) in (11, 12) and {r["area_code"] for r in rows} == {"CA"}
    assert all(r["arrests"] >= DEFAULT_THRESHOLD for r in rows if r["month"] < "2019-09")
    shares = [r["at_large_share"] for r in rows if r["at_large_share"] is not None]
    # complementary suppression hides some months' at-large counts, hence their shares
    assert 6 <= len(shares) < len(rows) and all(0 < s < 1 for s in shares)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"level": "parish", "measure": "arrests"}, "level"),
        ({"level": "state", "measure": "bogus"}, "measure"),
        ({"level": "state"}, "measure"),
        ({"level": "state", "measure": "arrests", "start": "2019-13"}, "start"),
        ({"level": "state", "measure": "arrests", "end": "May 2019"}, "end"),
        ({"level": "state", "measure": "arrests", "start": "2019-05", "end": "2019-01"}, "start"),
        ({"level": "state", "measure": "arrests", "start": "2030-01"}, "start"),
    ],
)
def test_invalid_series_parameters_are_named(
    client: TestClient, params: dict[str, str], parameter: str
) -> None:
    for route in ("/api/series", "/api/series.csv", "/api/series.parquet"):
        answer = client.get(route, params=params)
        assert answer.status_code == 422, (route, answer.text)
        assert parameter in error_parameter(answer)


def test_unknown_area_in_a_series_is_404(client: TestClient) -> None:
    answer = client.get(
        "/api/series", params={"level": "county", "measure": "arrests", "area": ["06073", "99999"]}
    )
    assert answer.status_code == 404 and "99999" in answer.json()["detail"]


def test_oversized_requests_are_413_with_the_limit(client: TestClient) -> None:
    # every county, every month of the detention headcount (2005-2024): ~700,000 cells
    answer = client.get("/api/series.csv", params={"level": "county", "measure": "detained_adp"})
    assert answer.status_code == 413
    assert f"{MAX_CELLS:,}" in answer.json()["detail"]
    within = client.get("/api/series", params={"level": "county", "measure": "arrests", **FY2019})
    assert within.status_code == 200


def test_no_published_count_between_one_and_the_threshold(client: TestClient) -> None:
    counts = [m for m, d in MEASURES_BY_NAME.items() if d.kind == "count"][:5]
    frame = pl.read_csv(
        io.BytesIO(
            client.get(
                "/api/series.csv", params={"level": "county", "measure": counts, **FY2019}
            ).content
        ),
        schema_overrides={"area_code": pl.String},
    )
    values = frame.select(counts).unpivot()["value"]
    assert values.null_count() > 0, "suppression should hide some county-months"
    assert values.drop_nulls().gt(0).sum() > 0
    small = values.drop_nulls().filter((values.drop_nulls() > 0) & (values.drop_nulls() < 10))
    assert small.is_empty(), small.head()
    # the map sums published months only, so its figures obey the same floor
    mapped = client.get(
        "/api/map", params={"level": "county", "measure": "arrests_at_large", **FY2019}
    ).json()
    figures = [v for v in mapped["areas"]["value"] if v is not None]
    assert figures and not [v for v in figures if 0 < v < DEFAULT_THRESHOLD]


def test_csv_and_parquet_hold_the_same_slice_as_json(client: TestClient) -> None:
    params = {"level": "aor", "measure": ["removals", "arrests"], "area": ["SEA", "SFR"], **FY2019}
    rows = client.get("/api/series", params=params).json()["rows"]
    as_csv = client.get("/api/series.csv", params=params)
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    from_csv = pl.read_csv(io.BytesIO(as_csv.content))
    from_parquet = pl.read_parquet(
        io.BytesIO(client.get("/api/series.parquet", params=params).content)
    )
    assert from_csv.columns == ["level", "area_code", "area_name", "month", "removals", "arrests"]
    # two AORs by the months of FY2019 the releases cover
    assert from_csv.height == from_parquet.height == len(rows) in (22, 24)
    assert from_csv["removals"].to_list() == [r["removals"] for r in rows]
    assert from_parquet["arrests"].to_list() == [r["arrests"] for r in rows]
    assert from_parquet.schema["month"] == pl.Date


def test_map_values_and_shapes(client: TestClient) -> None:
    county = client.get("/api/map", params={"level": "county", "measure": "arrests"}).json()
    assert county["object"] == "counties" and county["shape_areas"]["id"] == []
    codes = county["areas"]["area_code"]
    assert len(codes) > 3000 and "06073" in codes
    assert len(county["areas"]["value"]) == len(codes)
    # one share of events placed: the coverage of the enclosing AOR's events (issue 16)
    assert "located_share" not in county["areas"]
    assert any(s is not None for s in county["areas"]["coverage"])
    state = client.get("/api/map", params={"level": "state", "measure": "at_large_share"}).json()
    keys = dict(zip(state["shape_areas"]["id"], state["shape_areas"]["area"], strict=True))
    assert state["object"] == "states" and keys["06"] == "CA" and keys["48"] == "TX"
    aor = client.get("/api/map", params={"level": "aor", "measure": "removals"}).json()
    keys = dict(zip(aor["shape_areas"]["id"], aor["shape_areas"]["area"], strict=True))
    assert keys["53033"] == "SEA" and "SEA" in aor["areas"]["area_code"]
    nation = client.get("/api/map", params={"level": "nation", "measure": "arrests"})
    assert nation.status_code == 422 and error_parameter(nation) == ["level"]


def test_map_policy_layers(client: TestClient) -> None:
    layer = client.get(
        "/api/map/policies",
        params={"level": "county", "layer": "limits_detainers", "month": "2019-09"},
    ).json()
    # Cook County's 2011 detainer ordinance; every California county through the state law
    assert "17031" in layer["ids"] and "06037" in layer["ids"]
    bad = client.get(
        "/api/map/policies", params={"level": "county", "layer": "x", "month": "2019-09"}
    )
    assert bad.status_code == 422 and error_parameter(bad) == ["layer"]


def test_policies_at_a_date_cite_their_sources(client: TestClient) -> None:
    answer = client.get(
        "/api/policies/at", params={"level": "county", "area": "17031", "day": "2019-01-01"}
    ).json()
    kinds = {p["kind"] for p in answer["policies"]}
    assert "limits_detainers" in kinds
    assert all(p["source_title"] and p["source_publisher"] for p in answer["policies"])
    before = client.get(
        "/api/policies/at", params={"level": "county", "area": "17031", "day": "2005-01-01"}
    ).json()
    assert "limits_detainers" not in {p["kind"] for p in before["policies"]}
    aor = client.get("/api/policies/at", params={"level": "aor", "area": "CHI"}).json()
    assert aor["policies"] == []
    assert (
        client.get("/api/policies/at", params={"level": "county", "area": "00000"}).status_code
        == 404
    )
    bad_day = client.get("/api/policies/at", params={"level": "state", "area": "IL", "day": "soon"})
    assert bad_day.status_code == 422 and error_parameter(bad_day) == ["day"]


def test_policy_timeline(client: TestClient) -> None:
    answer = client.get("/api/policies/timeline", params={"level": "state", "area": "CA"}).json()
    dates = [p["effective_from"] for p in answer["policies"]]
    assert dates == sorted(dates) and len(dates) >= 2
    assert client.get("/api/policies/timeline", params={"level": "state"}).status_code == 422


def test_releases_are_provenance_without_event_rows(client: TestClient) -> None:
    releases = client.get("/api/releases").json()
    assert any(r["file_name"].startswith("EROArrests") for r in releases)
    assert all("sha256" in r and "report" not in r for r in releases)


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"


def test_startup_is_fast_and_a_missing_store_is_an_error(web_store: Path, tmp_path: Path) -> None:
    began = time.perf_counter()
    create_app(web_store).state.view.atlas.close()
    assert time.perf_counter() - began < 3.0
    with pytest.raises(FileNotFoundError, match="no atlas store"):
        create_app(tmp_path / "missing.duckdb")


@pytest.mark.parametrize(
    ("level", "measures", "start", "end", "areas"),
    [
        ("county", ("arrests", "at_large_share", "detained_adp"), "2018-10", "2019-06", ("06073",)),
        ("county", ("arrests_custodial",), None, None, None),
        ("aor", ("removals", "arrests_per_100k"), "2016-01", None, ("SEA", "HQ")),
        ("state", ("encounters", "detainer_share"), None, "2017-12", None),
    ],
)
def test_served_slices_equal_the_published_panel(
    client: TestClient,
    level: str,
    measures: tuple[str, ...],
    start: str | None,
    end: str | None,
    areas: tuple[str, ...] | None,
) -> None:
    """The app answers from whole frames held in memory; each answer must be exactly what
    ``atlas.measures.panel`` (where disclosure control lives) gives for the same question."""
    view = client.app.state.view  # type: ignore[attr-defined]
    first, last = parse_month(start), parse_month(end)
    served = view.panel(level, measures, first, last, areas)
    published = view.atlas.measures.panel(
        level, list(measures), first, last, list(areas) if areas else None
    )
    assert served.height > 0
    assert served.equals(published)


G287_MODELS = ("287g_jail_enforcement", "287g_task_force", "287g_warrant_service")


def layer_ids(client: TestClient, layer: str, month: str, level: str = "county") -> list[str]:
    answer = client.get(
        "/api/map/policies", params={"level": level, "layer": layer, "month": month}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["count"] == len(body["ids"])
    ids: list[str] = body["ids"]
    return ids


@pytest.mark.parametrize("model", G287_MODELS)
def test_map_layer_of_each_287g_model_follows_the_registry(client: TestClient, model: str) -> None:
    """Each 287(g) model is a layer of its own. In June 2025 (ICE's lists of that month are in
    the snapshots) every county holding an agreement of the model is outlined, and every
    outlined county is one where the registry says the model applied in that month."""
    view = client.app.state.view  # type: ignore[attr-defined]
    registry = view.atlas.policies
    ids = layer_ids(client, model, "2025-06")
    assert ids, f"no county outlined for {model}"
    first, last = date(2025, 6, 1), date(2025, 6, 30)
    entries = registry.entries(kind=model)
    in_month = entries.filter(
        (pl.col("effective_from") <= last)
        & (pl.col("effective_to").is_null() | (pl.col("effective_to") >= first))
    )
    # (an agreement whose county the registry could not resolve has no shape to outline)
    counties = in_month.filter(pl.col("jurisdiction_level") == "county")
    own = set(counties["jurisdiction_fips"].drop_nulls())
    assert own and own <= set(ids), sorted(own - set(ids))[:5]
    for fips in ids[:: max(1, len(ids) // 12)]:
        kinds = {k for day in (first, last) for k in registry.at(fips, day)["kind"]}
        assert model in kinds, (model, fips)
    # a model's first entry is dated: before it, the layer is empty and says why
    answer = client.get(
        "/api/map/policies", params={"level": "county", "layer": model, "month": "2019-09"}
    ).json()
    assert answer["ids"] == [] and answer["registry_from"] == str(entries["effective_from"].min())


def test_the_287g_models_are_distinct_layers_that_add_up_to_any_model(client: TestClient) -> None:
    by_model = {model: set(layer_ids(client, model, "2025-06")) for model in G287_MODELS}
    assert len({frozenset(ids) for ids in by_model.values()}) == 3
    assert set().union(*by_model.values()) == set(layer_ids(client, "287g", "2025-06"))
    # state maps outline states (two-digit FIPS)
    states = layer_ids(client, "287g_task_force", "2025-06", level="state")
    assert states and all(len(code) == 2 for code in states)


def test_map_page_offers_each_layer_with_a_legend_swatch(client: TestClient) -> None:
    page = client.get("/").text
    for layer in (*G287_MODELS, "limits_detainers", "state_mandates"):
        assert f'data-layer="{layer}"' in page, layer
    assert 'data-layer="287g"' not in page  # the any-model layer would hide the models
    assert page.count('class="swatch"') == 5
    assert 'id="policy-month"' in page and 'role="status"' in page


def series_params(
    level: str,
    measures: tuple[str, ...],
    start: str | None,
    end: str | None,
    areas: tuple[str, ...] | None,
) -> dict[str, str | list[str]]:
    given = {"start": start, "end": end}
    return {
        "level": level,
        "measure": list(measures),
        **({"area": list(areas)} if areas else {}),
        **{k: v for k, v in given.items() if v},
    }


@pytest.mark.parametrize(
    ("level", "measures", "start", "end", "areas"),
    [
        (
            "county",
            ("arrests", "at_large_share", "detained_adp"),
            "2018-10",
            "2019-06",
            ("06073", "53033"),
        ),
        ("aor", ("removals", "arrests_per_100k"), "2016-01", None, ("SEA", "HQ")),
        ("state", ("encounters",), "2017-01", "2017-12", None),
    ],
)
def test_served_series_rows_equal_the_published_panel(
    client: TestClient,
    level: str,
    measures: tuple[str, ...],
    start: str | None,
    end: str | None,
    areas: tuple[str, ...] | None,
) -> None:
    """/api/series slices rows prepared per area; they must be the published panel's rows."""
    view = client.app.state.view  # type: ignore[attr-defined]
    answer = client.get("/api/series", params=series_params(level, measures, start, end, areas))
    rows = answer.json()["rows"]
    first, last = view_month_range(client, list(measures), start, end)
    published = view.atlas.measures.panel(
        level, list(measures), first, last, list(areas) if areas else None
    ).with_columns(pl.col("month").cast(pl.String))
    assert rows and rows == published.to_dicts()


def view_month_range(
    client: TestClient, measures: list[str], start: str | None, end: str | None
) -> tuple[date, date]:
    return month_range(client.app.state.view, measures, start, end)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("level", "measure", "start", "end"),
    [
        ("county", "arrests_at_large", "2018-10", "2019-09"),
        ("state", "at_large_share", "2016-03", "2017-02"),
        ("aor", "detained_adp", "2017-01", "2017-06"),
        ("state", "arrests_per_100k", "2019-01", "2019-01"),
    ],
)
def test_map_figures_equal_a_group_by_of_the_published_panel(
    client: TestClient, level: str, measure: str, start: str, end: str
) -> None:
    """The map answers from a grid; the figures must be what summing (or averaging, or
    recomputing a share from its parts) the published panel gives."""
    view = client.app.state.view  # type: ignore[attr-defined]
    first, last = parse_month(start), parse_month(end)
    assert first and last
    last = date(last.year, last.month, 28)
    parts = share_parts(measure)
    frame = view.atlas.measures.panel(level, [measure, *parts], first, last)
    kind = view.measure_by_name[measure].kind
    if kind == "average":
        value = pl.col(measure).mean()
    elif parts:
        value = pl.when(pl.col(parts[1]).sum() > 0).then(
            pl.col(parts[0]).sum() / pl.col(parts[1]).sum()
        )
    else:
        value = pl.col(measure).sum()
    expected = (
        frame.group_by("area_code")
        .agg(
            value.alias("value"),
            pl.len().alias("months"),
            pl.col(measure).null_count().alias("withheld"),
        )
        .with_columns(
            pl.when(pl.col("withheld") < pl.col("months")).then(pl.col("value")).alias("value")
        )
        .sort("area_code")
    )
    served = client.get(
        "/api/map", params={"level": level, "measure": measure, "start": start, "end": end}
    ).json()["areas"]
    assert served["area_code"] == expected["area_code"].to_list()
    assert served["months"] == expected["months"].to_list()
    assert served["months_suppressed"] == expected["withheld"].to_list()
    nan = float("nan")
    assert [nan if v is None else v for v in served["value"]] == pytest.approx(
        expected["value"].fill_null(nan).to_list(), rel=1e-12, nan_ok=True
    )
    assert any(v is not None for v in served["value"])
