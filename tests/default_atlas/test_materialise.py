"""`init`: the bundled default atlas becomes a store that answers as the full one does for
every published figure, refuses loaders, and is never left half-written."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
import polars as pl
import pytest
from fastapi.testclient import TestClient
from polars.testing import assert_frame_equal

import sanctuary_atlas
from sanctuary_atlas.default_atlas import DEFAULT_BUNDLE, BundleError, materialise
from sanctuary_atlas.report import build_area_report, build_claims_report, resolve_area
from sanctuary_atlas.store import StoreError
from sanctuary_atlas.web.app import create_app
from tests.conftest import DETENTION, NATIONAL, REPO

# the registry rows the bundle carries: 19 event and UWCHR files, the DDP's daily count, one
# row per fiscal year of ICE's two monthly statistics tables (8 + 8) and one per run of
# consecutive months of its alternatives-to-detention table (7: releases/ice_atd.py)
BUNDLED_RELEASES = 43

CLI = [sys.executable, "-m", "sanctuary_atlas"]


@pytest.fixture(scope="module")
def default_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("default") / "atlas.duckdb"
    done = materialise(path)
    assert done.tables["panel_cells"] > 200_000
    return path


@pytest.mark.parametrize(
    ("level", "measures"),
    [
        ("nation", ["arrests", "arrests_at_large", "removals", "detained_adp"]),
        ("state", ["arrests_custodial", "encounters_detainer", "at_large_share"]),
        ("county", ["arrests", "arrests_at_large_per_100k"]),
        ("aor", ["removals", "arrests"]),
    ],
)
def test_published_figures_equal_the_full_store(
    default_store: Path, records_store: Path, level: str, measures: list[str]
) -> None:
    with (
        sanctuary_atlas.open(default_store, read_only=True) as bundled,
        sanctuary_atlas.open(records_store, read_only=True) as full,
    ):
        got = bundled.measures.panel(level, measures)
        want = full.measures.panel(level, measures)
    assert got.height > 0
    assert_frame_equal(got, want)


def test_policies_and_claims_answer_as_in_the_full_store(
    default_store: Path, records_store: Path
) -> None:
    day = date(2019, 6, 1)
    with (
        sanctuary_atlas.open(default_store, read_only=True) as bundled,
        sanctuary_atlas.open(records_store, read_only=True) as full,
    ):
        for area in ("06", "06037", "Cook County, IL"):
            want = full.policies.at(area, day)
            assert want.height > 0
            assert_frame_equal(bundled.policies.at(area, day), want)
        assert [c.to_dict()["shows"] for c in bundled.analysis.claims()] == [
            c.to_dict()["shows"] for c in full.analysis.claims()
        ]


def test_reports_from_the_default_atlas_equal_those_from_the_full_store(
    tmp_path: Path, default_store: Path, records_store: Path
) -> None:
    written = {}
    for name, store in (("bundled", default_store), ("full", records_store)):
        with sanctuary_atlas.open(store, read_only=True) as atlas:
            area = build_area_report(atlas, resolve_area("06037"), tmp_path / f"{name}-la.html")
            claims = build_claims_report(atlas, tmp_path / f"{name}-claims.html")
        written[name] = (area.html.read_bytes(), claims.html.read_bytes())
    assert b"Los Angeles County" in written["bundled"][0]
    assert written["bundled"] == written["full"]


def test_every_page_answers_on_the_default_atlas(default_store: Path) -> None:
    """What `make run` serves: every page, including the estimates page, whose default
    estimate loses Callaway-Sant'Anna to withheld cells here and says so."""
    with TestClient(create_app(default_store)) as client:
        for path in (
            "/",
            "/?level=state&measure=at_large_share",
            "/area/county/06037",
            "/area/state/CA",
            "/compare",
            "/estimates",
            "/claims",
            "/methods",
        ):
            assert client.get(path).status_code == 200, path
        answer = client.get(
            "/api/estimate",
            params={"policy": "limits_detainers", "measure": "arrests_custodial", "unit": "state"},
        )
    assert answer.status_code == 200
    estimate = answer.json()
    assert [r["estimator"] for r in estimate["results"]]
    assert any("bundled default atlas" in note for note in estimate["caveats"])


def test_estimates_leave_withheld_cells_out_and_say_so(default_store: Path) -> None:
    with sanctuary_atlas.open(default_store, read_only=True) as bundled:
        effect = bundled.analysis.estimate("limits_notification", "arrests_custodial", "state")
    notes = " ".join(effect.caveats)
    assert "bundled default atlas" in notes and "left out" in notes


def test_loaders_refuse_the_bundled_store_and_change_nothing(
    tmp_path: Path, default_store: Path
) -> None:
    path = tmp_path / "atlas.duckdb"
    shutil.copyfile(default_store, path)
    before = path.read_bytes()
    with sanctuary_atlas.open(path) as atlas:
        attempts = [
            lambda: atlas.ingest([NATIONAL / "EROArrests_FY2019.csv.gz"]),
            lambda: atlas.load_detention(
                DETENTION / "inc_headcount_fy12-24ytd.csv.gz", DETENTION / "facilities.csv.gz"
            ),
            lambda: atlas.prefer(1),
            lambda: atlas.clear_preferences(),
        ]
        for attempt in attempts:
            with pytest.raises(StoreError, match="bundled default atlas"):
                attempt()
        assert atlas.store.scalar("SELECT count(*) FROM arrests") == 0
        assert atlas.store.scalar("SELECT count(*) FROM releases") == BUNDLED_RELEASES
    assert path.read_bytes() == before


def test_event_audits_say_what_the_default_atlas_lacks(default_store: Path) -> None:
    with sanctuary_atlas.open(default_store, read_only=True) as atlas:
        overlaps = atlas.overlaps()
        # the precedence travelled with the bundle; the rows it counted did not
        assert overlaps["cells_counted"].sum() > 0
        assert overlaps["rows_counted"].null_count() == overlaps.height
        with pytest.raises(StoreError, match="cannot count events"):
            atlas.summary()
        with pytest.raises(StoreError, match="cannot measure location coverage"):
            atlas.geography.coverage()
        with pytest.raises(ValueError, match="no events, no"):
            atlas.sql("SELECT count(*) FROM arrests_counted")
        assert atlas.sql("SELECT count(*) AS n FROM releases")["n"][0] == BUNDLED_RELEASES


def test_init_keeps_an_existing_store_and_replaces_it_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "atlas.duckdb"
    path.write_bytes(b"not a store, but somebody's file")
    with pytest.raises(FileExistsError, match="--force"):
        materialise(path)
    assert path.read_bytes() == b"not a store, but somebody's file"
    materialise(path, replace=True)
    with sanctuary_atlas.open(path, read_only=True) as atlas:
        assert atlas.store.published_only()


def test_a_damaged_bundle_leaves_nothing_behind(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(DEFAULT_BUNDLE, bundle)
    damaged = bundle / "policies.parquet"
    damaged.write_bytes(damaged.read_bytes()[:-100])
    target = tmp_path / "out" / "atlas.duckdb"
    target.parent.mkdir()
    with pytest.raises(BundleError, match=r"policies\.parquet.*sha256"):
        materialise(target, bundle)
    assert list(target.parent.iterdir()) == []
    (bundle / "manifest.json").unlink()
    with pytest.raises(BundleError, match=r"manifest\.json missing"):
        materialise(target, bundle)


def test_cli_init_then_refuses_twice(tmp_path: Path) -> None:
    path = tmp_path / "atlas.duckdb"
    first = subprocess.run([*CLI, "init", "--db", str(path)], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "default atlas materialised" in first.stdout
    # the cells are counted as they are: published and withheld, not all called published
    said = " ".join(first.stdout.split())
    with sanctuary_atlas.open(path, read_only=True) as atlas:
        stats = atlas.measures.build_stats()
    assert stats is not None
    cells, withheld = int(str(stats["cells"])), int(str(stats["suppressed"]))
    assert withheld > 0
    assert f"{cells:,} area-month cells: {cells - withheld:,} published, {withheld:,} withheld" in (
        said
    )
    again = subprocess.run([*CLI, "init", "--db", str(path)], capture_output=True, text=True)
    assert again.returncode == 1 and "already exists" in again.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_first_serve_materialises_the_default_atlas_and_serves_it(tmp_path: Path) -> None:
    path, port = tmp_path / "new" / "atlas.duckdb", _free_port()
    path.parent.mkdir()
    server = subprocess.Popen(
        [*CLI, "serve", "--db", str(path), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline() for _ in range(5)]
        assert any(f"http://127.0.0.1:{port}/" in line for line in lines), lines
        deadline = time.monotonic() + 30
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.2)
        assert page.status_code == 200
        series = httpx.get(
            f"http://127.0.0.1:{port}/api/series",
            params={"level": "nation", "measure": "arrests", "area": "US"},
            timeout=10,
        ).json()
        months = [row["month"] for row in series["rows"]]
        assert months[0] == "2015-10-01" and months[-1] == "2019-08-01"
        assert path.is_file()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_bundled_store_keeps_the_panel_current_without_events(default_store: Path) -> None:
    with sanctuary_atlas.open(default_store, read_only=True) as atlas:
        assert atlas.measures.ensure_panel() is False
        withheld = atlas.store.frame(
            "SELECT count(*) AS n FROM panel_cells WHERE suppressed = 'withheld'"
        )["n"][0]
        assert atlas.store.scalar("SELECT count(*) FROM panel_cells WHERE value IS NULL") == (
            withheld
        )
        assert not atlas.store.scalar(
            "SELECT count(*) FROM panel_cells WHERE suppressed IN ('primary', 'complementary')"
        )
        assert pl.DataFrame(atlas.releases())["release_id"].len() == BUNDLED_RELEASES
