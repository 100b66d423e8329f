"""The pages in a real browser (Debian's chromium, headless, driven by Playwright): each loads
with no console error or warning and no request leaving 127.0.0.1; the map draws every measure
at every level and follows the chosen measure; an area page marks its policy dates. Layout
checks hold whatever the machine's fonts: nothing may be wider than the screen, and every text
may break anywhere. Screenshots go to artifacts/web/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from sanctuary_atlas.web.app import create_app
from tests.web.conftest import served

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "web"
PAGES = {
    "map": "/",
    "map-county": "/?level=county",
    "map-aor-removals": "/?level=aor&measure=removals",
    "map-state-share": "/?level=state&measure=at_large_share",
    "map-county-rate": "/?level=county&measure=arrests_per_100k",
    "map-state-rate": "/?level=state&measure=arrests_per_100k",
    "area-county": "/area/county/06073",
    "area-state": "/area/state/CA?measure=at_large_share",
    "compare": "/compare",
    "estimates": "/estimates",
    "claims": "/claims",
    "methods": "/methods",
    "search": "/areas?q=king",
    "policies": "/policies",
    "policies-ca": "/policies?kind=all&day=&state=CA",
    "not-found": "/area/state/06",
}
CHARTED = {
    "map",
    "map-county",
    "map-county-rate",
    "map-state-rate",
    "map-aor-removals",
    "map-state-share",
    "area-county",
    "area-state",
    "compare",
    "estimates",
}


@pytest.fixture(scope="module")
def server(web_store: Path) -> Iterator[str]:
    with served(create_app(web_store)) as port:
        yield f"http://127.0.0.1:{port}"


class Watched:
    """A page that records console errors and every request that leaves 127.0.0.1."""

    def __init__(self, browser: Browser, width: int):
        self.page: Page = browser.new_page(viewport={"width": width, "height": 900})
        # the estimates page computes two estimators on its first visit: seconds alone, more
        # than the default 30 s on a machine whose cores are shared
        self.page.set_default_navigation_timeout(120_000)
        self.errors: list[str] = []
        self.outside: list[str] = []
        # a warning is an error here: Vega-Lite reports a spec it had to repair as a warning
        # ("Conflicting legend property"), and the repair is not what the spec asked for
        self.page.on(
            "console",
            lambda m: (
                self.errors.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", self._request)

    def _request(self, request: object) -> None:
        url: str = request.url  # type: ignore[attr-defined]
        if not url.startswith(("http://127.0.0.1:", "data:", "blob:", "about:")):
            self.outside.append(url)

    def open(self, url: str, charted: bool) -> None:
        self.page.goto(url)
        if charted:
            self.page.wait_for_selector("[data-drawn=true]", timeout=30_000)


@pytest.mark.parametrize("width", [1280, 390], ids=["laptop", "phone"])
def test_every_page_loads_cleanly(browser: Browser, server: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    watched = Watched(browser, width)
    for name, path in PAGES.items():
        watched.open(server + path, name in CHARTED)
        if name == "not-found":  # the page itself answers 404, as it should; chromium logs it
            watched.errors = [e for e in watched.errors if "status of 404" not in e]
        watched.page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)
        # nothing wider than the screen: a phone reader never scrolls the page sideways
        overflow = watched.page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, (name, overflow)
        # and that holds on a machine with wider fonts: any text may break anywhere (a long
        # file name made a report 433 px wide in a 390 px window on another machine)
        wrap = watched.page.evaluate(
            "getComputedStyle(document.querySelector('main')).overflowWrap"
        )
        assert wrap == "anywhere", (name, wrap)
    assert watched.errors == []
    assert watched.outside == []
    watched.page.close()


def test_map_draws_counties_and_follows_the_measure(browser: Browser, server: str) -> None:
    watched = Watched(browser, 1280)
    watched.open(server + "/?level=county", charted=True)
    shapes = watched.page.locator("#map svg path").count()
    assert shapes > 3000, shapes
    watched.page.select_option("select[name=measure]", "arrests_custodial")
    watched.page.click("form.controls button")
    watched.page.wait_for_selector("[data-drawn=true]", timeout=30_000)
    assert watched.page.locator("h1").inner_text().startswith("Custodial arrests")
    assert "measure=arrests_custodial" in (watched.page.get_attribute("#map", "data-api") or "")
    # a policy layer outlines the counties where it was in force
    before = watched.page.locator("#map svg path").count()
    watched.page.check("input[data-layer=limits_detainers]")
    watched.page.wait_for_function(
        f"document.querySelectorAll('#map svg path').length > {before}", timeout=30_000
    )
    watched.page.screenshot(path=SHOTS / "map-policy-layer-1280.png", full_page=False)
    assert watched.errors == [] and watched.outside == []


def test_hovering_a_county_under_outlines_shows_its_figure_and_bounds(
    browser: Browser, server: str
) -> None:
    """State borders and policy outlines are drawn over the counties; the pointer must still
    reach the county beneath them and bring up its tooltip."""
    watched = Watched(browser, 1280)
    watched.open(server + "/?level=county", charted=True)
    watched.page.check("input[data-layer=limits_detainers]")
    watched.page.wait_for_selector("#map g.policy_limits_detainers_marks path", timeout=30_000)
    drawn_again(watched)
    counties = watched.page.locator("#map g.layer_1_marks path")
    # a county large enough on screen that the middle of its box lies inside it
    box = next(
        found
        for index in range(0, counties.count(), 7)
        if (found := counties.nth(index).bounding_box())
        and min(found["width"], found["height"]) > 14
    )
    watched.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
    tooltip = watched.page.locator("#vg-tooltip-element.visible")
    tooltip.wait_for(timeout=10_000)
    text = tooltip.inner_text()
    assert "Area" in text and "Up to" in text and "Coverage of the AOR's events" in text, text
    assert re.search(r"\d+%|not known", text), text
    watched.page.screenshot(path=SHOTS / "map-hover-1280.png", full_page=False)
    assert watched.errors == [] and watched.outside == []


def test_area_page_marks_policy_dates(browser: Browser, server: str) -> None:
    watched = Watched(browser, 1280)
    # California's Values Act (SB 54) took effect on 1 January 2018, inside the series
    watched.open(server + "/area/state/CA", charted=True)
    markers = int(watched.page.get_attribute("#series", "data-policy-markers") or "0")
    assert markers >= 1
    assert watched.page.locator("#series svg.marks").count() == 1
    assert watched.errors == [] and watched.outside == []


def test_keyboard_reaches_the_controls(browser: Browser, server: str) -> None:
    watched = Watched(browser, 1280)
    watched.open(server + "/", charted=True)
    watched.page.keyboard.press("Tab")
    assert watched.page.evaluate("document.activeElement.textContent") == "Skip to content"
    reached = []
    for _ in range(20):
        watched.page.keyboard.press("Tab")
        reached.append(watched.page.evaluate("document.activeElement.name || ''"))
    assert {"q", "measure", "level", "start", "end"} <= set(reached)


def drawn_again(watched: Watched) -> None:
    watched.page.wait_for_selector("#map[data-drawn=true]", timeout=30_000)


def test_map_toggles_a_287g_model_layer_with_the_keyboard(browser: Browser, server: str) -> None:
    """The task-force layer, switched on from the keyboard for June 2025, outlines as many
    counties as the API names, with its own dash pattern; the status line says so in words;
    switching it off removes the outlines."""
    watched = Watched(browser, 1280)
    watched.open(server + "/?level=county", charted=True)
    layer = watched.page.request.get(
        server + "/api/map/policies?level=county&layer=287g_task_force&month=2025-06"
    ).json()
    assert layer["count"] > 50
    watched.page.fill("#policy-month", "2025-06")
    watched.page.dispatch_event("#policy-month", "change")
    drawn_again(watched)
    watched.page.focus('input[data-layer="287g_task_force"]')
    watched.page.keyboard.press("Space")
    outlines = "#map g.policy_287g_task_force_marks path"
    watched.page.wait_for_selector(outlines, timeout=30_000)
    drawn_again(watched)
    drawn = watched.page.locator(outlines)
    # every named county that has a shape in the bundled map (a few FIPS have none)
    assert layer["count"] * 0.95 <= drawn.count() <= layer["count"]
    assert drawn.first.get_attribute("stroke-dasharray") == "1.5,2.5"
    status = watched.page.locator("#layer-status").inner_text()
    assert f"287(g) task force model: {layer['count']} counties in Jun 2025" in status
    watched.page.screenshot(path=SHOTS / "map-287g-task-force-1280.png", full_page=False)
    watched.page.keyboard.press("Space")  # the box still has the focus: off again
    watched.page.wait_for_function(
        f"document.querySelectorAll('{outlines}').length === 0", timeout=30_000
    )
    assert watched.page.locator("#layer-status").inner_text() == ""
    assert watched.errors == [] and watched.outside == []


def test_compare_chart_marks_the_treated_set_policy_dates(browser: Browser, server: str) -> None:
    watched = Watched(browser, 1280)
    watched.open(server + "/compare", charted=True)
    answer = watched.page.request.get(
        server + "/api/compare?measure=arrests_at_large&treated=policy:limits_detainers"
        "&control=rest&level=state"
    ).json()
    dates = {p["effective_from"] for p in answer["policy_dates"]}
    assert dates, "the default comparison has policy dates inside the period"
    assert int(watched.page.get_attribute("#compare", "data-policy-markers") or "0") == len(dates)
    assert watched.page.locator("#compare g.policy_rules_marks line").count() == len(dates)
    assert watched.page.locator("#markers li").count() == len(dates)
    assert watched.errors == [] and watched.outside == []


@pytest.mark.parametrize("level", ["county", "state", "aor"])
def test_every_measure_draws_at_every_level(browser: Browser, server: str, level: str) -> None:
    """Each measure chosen from the form, as a reader would, draws its map (the county rates
    and shares answered 500 while the browser suite changed one count measure)."""
    watched = Watched(browser, 1280)
    watched.open(f"{server}/?level={level}", charted=True)
    options = watched.page.locator("select[name=measure] option")
    names = [options.nth(i).get_attribute("value") for i in range(options.count())]
    assert len(names) > 20
    drawn = []
    for name in names:
        watched.page.select_option("select[name=measure]", name)
        # the button submits the form: wait for the new page, not the old page's drawn map
        with watched.page.expect_navigation():
            watched.page.click("form.controls button")
        watched.page.wait_for_selector("#map[data-drawn=true]", timeout=30_000)
        assert f"measure={name}" in (watched.page.get_attribute("#map", "data-api") or "")
        assert watched.page.locator("#map svg path").count() > 40, name
        drawn.append(name)
        # the legend ends where the colour bar ends: no label past the bar's last value
        labels = watched.page.locator("#map g.mark-text.role-legend-label text")
        bar = watched.page.locator(
            "#map g.mark-rect.role-legend-gradient path, #map g.role-legend-gradient rect"
        )
        if labels.count() and bar.count():
            right = max(
                b["x"] + b["width"] for i in range(bar.count()) if (b := bar.nth(i).bounding_box())
            )
            last = labels.nth(labels.count() - 1).bounding_box()
            assert last is not None and last["x"] <= right + 4, (name, last, right)
    assert drawn == names
    if level == "aor":
        assert watched.page.locator("#map g.outline_aors_marks path").count() >= 1
        watched.page.screenshot(path=SHOTS / "map-aor-borders-1280.png", full_page=False)
    assert watched.errors == [] and watched.outside == []


def test_charts_fit_a_phone(browser: Browser, server: str) -> None:
    """On a 390 px screen the chart legends stack inside the chart, and a wide table shows
    that it scrolls (it has somewhere to scroll to)."""
    watched = Watched(browser, 390)
    for path in ("/area/state/CA?measure=arrests", "/compare", "/estimates"):
        watched.open(server + path, charted=True)
        chart = watched.page.locator(".chart[data-drawn=true]").first.bounding_box()
        assert chart is not None
        for i in range(watched.page.locator(".chart g.role-legend text").count()):
            box = watched.page.locator(".chart g.role-legend text").nth(i).bounding_box()
            assert box is not None and box["x"] + box["width"] <= chart["x"] + chart["width"] + 1, (
                path,
                box,
            )
    watched.open(server + "/area/state/CA?measure=arrests", charted=True)
    watched.page.click("details summary")
    # (chromium reports a scrollWidth of 0 for a moment after a details element opens)
    watched.page.wait_for_function(
        "() => { const e = document.querySelector('.table-wrap');"
        " return e.scrollWidth > e.clientWidth; }",
        timeout=5_000,
    )
    wrap = watched.page.locator(".table-wrap").first
    assert "gradient" in wrap.evaluate("el => getComputedStyle(el).backgroundImage")
    assert watched.errors == [] and watched.outside == []
