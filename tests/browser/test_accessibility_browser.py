"""An accessibility check of both pages with axe-core (the npm package, injected by Playwright): no serious
or critical violation in the app (its page and the map's frame) or in the snapshot file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from browser.conftest import ROOT
from browser.helpers import open_app, wait_for_layer_count
from browser.test_snapshot_browser import snapshot_file  # noqa: F401  (the fixture)

# scripts/test.sh installs the pinned axe-core here (npm install --prefix .cache/npm).
AXE = Path(os.environ.get("AXE_CORE_JS", ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"))
BLOCKING = ("serious", "critical")

RUN_AXE = """async (blocking) => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.filter(v => blocking.includes(v.impact)).map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '')),
    }));
}"""


@pytest.fixture(scope="module")
def axe_path() -> Path:
    if not AXE.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"axe-core not found at {AXE}: scripts/test.sh installs it with npm")
        pytest.skip(f"axe-core not found at {AXE} (npm install --prefix .cache/npm axe-core)")
    return AXE


def blocking_violations(frame, axe: Path) -> list[dict]:
    frame.add_script_tag(path=str(axe))
    return frame.evaluate(RUN_AXE, list(BLOCKING))


@pytest.mark.parametrize("viewport", [(1400, 900), (390, 844)])
def test_the_app_has_no_serious_accessibility_violation(browser, app_url, axe_path, viewport):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    try:
        frame = open_app(page, app_url)
        wait_for_layer_count(frame, 6)
        # Streamlit fades what it is re-rendering; check the page at rest.
        page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=20_000)
        page.wait_for_timeout(500)
        for checked in (page.main_frame, frame):
            found = blocking_violations(checked, axe_path)
            assert found == [], json.dumps(found, indent=1)
    finally:
        context.close()


def test_the_snapshot_has_no_serious_accessibility_violation(browser, snapshot_file, axe_path):  # noqa: F811
    context = browser.new_context(viewport={"width": 1300, "height": 850}, bypass_csp=True)  # to inject axe
    page = context.new_page()
    try:
        page.goto(snapshot_file.as_uri())
        page.wait_for_function("() => window.atlasDeployments && window.atlasDeployments.getLayers().length === 6")
        found = blocking_violations(page.main_frame, axe_path)
        assert found == [], json.dumps(found, indent=1)
    finally:
        context.close()
