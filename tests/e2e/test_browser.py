"""Real headless Chromium against `fluxlit run`, in both runtime modes and under a subpath."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CASES = [
    ("inprocess", ""),
    ("sidecar", ""),
    ("inprocess", "/apps/demo"),
    ("sidecar", "/apps/demo"),
]


@pytest.mark.parametrize(("mode", "root_path"), CASES, ids=lambda v: v or "root")
def test_page_renders_reruns_and_shows_api_data(
    browser, launch_fluxlit, mode: str, root_path: str
) -> None:
    app = launch_fluxlit(mode, root_path)
    page = browser.new_page()
    try:
        page.goto(app.base_url + "/", wait_until="domcontentloaded")
        page.get_by_text("FluxLit E2E").first.wait_for(timeout=30_000)
        page.get_by_text("Fruit from API: apple, banana, cherry").wait_for(timeout=30_000)
        page.get_by_text("Clicks: 0").wait_for(timeout=10_000)
        page.get_by_role("button", name="Add one").click()
        page.get_by_text("Clicks: 1").wait_for(timeout=15_000)
        page.get_by_role("button", name="Add one").click()
        page.get_by_text("Clicks: 2").wait_for(timeout=15_000)
    finally:
        page.close()
