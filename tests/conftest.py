"""Shared fixtures: the real public records in ../shared/data, and stores built from them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

import sanctuary_atlas
from sanctuary_atlas.atlas import Atlas

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
NATIONAL = DATA / "ice-lesa" / "national"
SEATTLE = DATA / "ice-lesa" / "seattle" / "2018-ICFO-36170_seattle_encounters_arrests_removals.xlsx"


@pytest.fixture(scope="session")
def national_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the whole national release (2.7 M rows); built once per session."""
    path = tmp_path_factory.mktemp("national") / "atlas.duckdb"
    with sanctuary_atlas.open(path) as atlas:
        atlas.ingest([NATIONAL])
    return path


@pytest.fixture(scope="session")
def full_store(tmp_path_factory: pytest.TempPathFactory, national_store: Path) -> Path:
    """The national release, then the Seattle workbook on top (a copy of national_store)."""
    path = tmp_path_factory.mktemp("full") / "atlas.duckdb"
    path.write_bytes(national_store.read_bytes())
    with sanctuary_atlas.open(path) as atlas:
        atlas.ingest([SEATTLE])
    return path


DETENTION = DATA / "detention"
DDP_DAILY = DETENTION / "ddp" / "facilities-daily-population_2022-10-01_2026-03-10.parquet"
ICE_STATS = DETENTION / "ice-detention-stats"


@pytest.fixture(scope="session")
def panel_store(tmp_path_factory: pytest.TempPathFactory, full_store: Path) -> Path:
    """The full store with the detention population (UWCHR's headcount, the DDP's daily
    count) and ICE's detention statistics loaded, and the panel built."""
    path = tmp_path_factory.mktemp("panel") / "atlas.duckdb"
    path.write_bytes(full_store.read_bytes())
    with sanctuary_atlas.open(path) as atlas:
        atlas.load_detention(
            DETENTION / "inc_headcount_fy12-24ytd.csv.gz", DETENTION / "facilities.csv.gz"
        )
        atlas.load_ddp_detention(DDP_DAILY, ICE_STATS / "facilities.parquet")
        atlas.load_ice_statistics(ICE_STATS)
        atlas.measures.ensure_panel()
        atlas.policies.load_defaults(DATA / "policies")
    return path


@pytest.fixture(scope="session")
def records_store(tmp_path_factory: pytest.TempPathFactory, panel_store: Path) -> Path:
    """Everything `sanctuary-atlas build` loads from ../shared/data: panel_store plus ICE's
    287(g) snapshots (the store the bundled default atlas is exported from)."""
    path = tmp_path_factory.mktemp("records") / "atlas.duckdb"
    path.write_bytes(panel_store.read_bytes())
    with sanctuary_atlas.open(path) as atlas:
        atlas.policies.load_287g(DATA / "policies" / "287g-sheets")
    return path


@pytest.fixture
def atlas_at(tmp_path: Path) -> Iterator[Atlas]:
    """A fresh, empty atlas in a temporary folder."""
    with sanctuary_atlas.open(tmp_path / "atlas.duckdb") as atlas:
        yield atlas


# Debian's chromium, headless, with none of its own background traffic (which would show up as
# requests a page did not make). The browser tests of the web app and of the reports share it.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"the browser tests drive Debian's chromium at {CHROMIUM}, which is not installed: "
            "install it with `sudo apt-get install chromium` (what .ci/run does), or run the "
            "other tests with `pytest --ignore-glob='*test_browser.py'`",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
