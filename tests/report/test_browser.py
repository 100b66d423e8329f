"""The reports opened by double-click, as it were: file:// in Debian's chromium (headless,
driven by Playwright), every request recorded. Nothing but the file itself may load, no console
error, nothing wider than the screen. Screenshots go to artifacts/report/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Request

from tests.report.conftest import Built

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "report"


@pytest.mark.parametrize("width", [1280, 390], ids=["laptop", "phone"])
@pytest.mark.parametrize("which", ["area", "claims"])
def test_report_opens_offline_and_cleanly(
    browser: Browser, built: Built, which: str, width: int
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path: Path = getattr(built, which)
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    def on_request(request: Request) -> None:
        requests.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", on_request)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_load_state("networkidle")
    name = "los-angeles-county" if which == "area" else "claims"
    page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)
    assert requests == [path.as_uri()]
    assert errors == []
    # the chart of the right width is the one showing, and it drew its lines
    visible = page.locator("figure svg:visible")
    assert visible.count() >= 3
    assert page.locator("figure svg:visible path").count() > 50
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.close()
