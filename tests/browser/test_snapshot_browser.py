"""The downloaded HTML map opened from disk with every network request blocked."""

from pathlib import Path

import pytest
import synthetic

from browser.conftest import HOSTILE, browser_test_features
from browser.helpers import check_offline_place_names, marker_at, place_names_on_screen
from geo.load import load_atlas
from geo.mapdata import assign_colors
from geo.snapshot_html import snapshot_html

TILE_HOST = "tile.openstreetmap.org"


@pytest.fixture
def snapshot_file(tmp_path) -> Path:
    atlas = load_atlas(synthetic.write_dataset(tmp_path / "data", browser_test_features()))
    page = snapshot_html(
        atlas.deployments,
        atlas.countries,
        assign_colors(atlas.deployments),
        atlas.vendor_names,
        atlas.country_names,
        title="Atlas test",
        sentence="Showing 6 of 6 deployments",
        citation="Facial Recognition Atlas (data version test). Retrieved 2026-11-22.",
    )
    path = tmp_path / "snapshot.html"
    path.write_text(page, encoding="utf-8")
    return path


def test_snapshot_works_offline_from_disk(browser, snapshot_file):
    context = browser.new_context(viewport={"width": 1300, "height": 850})
    attempted: list[str] = []

    def block(route):
        attempted.append(route.request.url)
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", block)
    context.add_init_script(
        "window.__cspViolations = []; document.addEventListener('securitypolicyviolation', "
        "e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    page.goto(snapshot_file.as_uri())
    page.wait_for_function("() => window.atlasDeployments && window.atlasDeployments.getLayers().length === 6")
    assert page.get_by_text("Showing 6 of 6 deployments").count() == 1
    assert "Retrieved 2026-11-22" in page.inner_text("#atlas-citation")
    page.wait_for_function("() => document.querySelectorAll('.leaflet-atlasOutlines-pane path').length >= 3")

    # The year slider changes what is drawn (only Metro faces started by 2012).
    page.eval_on_selector("#atlas-year", "el => { el.value = '2012'; el.dispatchEvent(new Event('input')); }")
    page.wait_for_function("() => window.atlasDeployments.getLayers().length === 1")
    assert "1 of 6" in page.inner_text("#atlas-count")
    page.eval_on_selector("#atlas-year", "el => { el.value = el.max; el.dispatchEvent(new Event('input')); }")
    page.wait_for_function("() => window.atlasDeployments.getLayers().length === 6")

    # A popup shows its sources; hostile text stays text.
    marker_at(page, 10, 30, 11).click()
    popup = page.locator(".atlas-popup")
    popup.wait_for()
    link = popup.locator("a").first
    assert link.inner_text() == "Story 1" and link.get_attribute("href") == "https://news.example.org/story-1"
    marker_at(page, 32, 12, 11).click()
    page.wait_for_function(
        "() => document.querySelector('.atlas-popup h4') && document.querySelector('.atlas-popup h4').textContent.includes('<script>')"
    )
    assert HOSTILE in page.locator(".atlas-popup h4").inner_text()
    assert page.evaluate("() => window.__pwned === undefined")
    assert page.evaluate("() => window.__cspViolations") == []  # the file's own policy lets everything it needs run

    # The tiles can be turned off; the outlines stay.
    page.get_by_text("Map tiles (OpenStreetMap)").click()
    page.wait_for_function(
        "() => !window.atlasMap.hasLayer(window.atlasTiles) && !document.querySelector('.leaflet-tile-pane img')"
    )
    assert page.locator(".leaflet-atlasOutlines-pane path").count() >= 3

    external = {url.split("/")[2] for url in attempted if not url.startswith("file:")}
    assert external <= {TILE_HOST}, external
    context.close()


def test_snapshot_policy_refuses_a_script_it_does_not_name(browser, snapshot_file):
    page = browser.new_page()
    page.goto(snapshot_file.as_uri())
    page.wait_for_function("() => window.atlasDeployments && window.atlasDeployments.getLayers().length === 6")
    policy = page.locator("meta[http-equiv='Content-Security-Policy']").get_attribute("content")
    assert (
        "default-src 'none'" in policy
        and "connect-src 'none'" in policy
        and "unsafe-inline" not in policy.split(";")[1]
    )
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.append(s); }"
    )
    assert page.evaluate("() => window.__ran === undefined")
    page.close()


def test_keyboard_alone_reaches_a_deployment_and_opens_its_details(browser, snapshot_file):
    page = browser.new_page(viewport={"width": 1300, "height": 850})
    page.goto(snapshot_file.as_uri())
    page.wait_for_function("() => window.atlasDeployments && window.atlasDeployments.getLayers().length === 6")
    page.wait_for_selector(".leaflet-marker-icon")
    names = page.eval_on_selector_all(".leaflet-marker-icon", "els => els.map(e => e.getAttribute('aria-label'))")
    clusters = page.eval_on_selector_all(".marker-cluster", "els => els.map(e => e.textContent)")
    assert all(names) or clusters, names
    assert all("cluster of" in text for text in clusters)
    # Tab to the first marker or cluster; Enter on a cluster zooms in, so go on until a single deployment.
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; return e.classList.contains('leaflet-marker-icon') ? "
            "(e.classList.contains('marker-cluster') ? 'cluster' : e.getAttribute('aria-label')) : null; }"
        )
        if focused == "cluster":
            page.keyboard.press("Enter")
            page.wait_for_timeout(700)
        elif focused:
            break
    else:
        pytest.fail("Tab never reached a single deployment")
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup .atlas-popup h4", timeout=5000)
    assert page.inner_text(".leaflet-popup .atlas-popup h4") in focused


def test_snapshot_offline_names_places_by_zoom_and_says_the_tiles_are_missing(browser, snapshot_file):
    context = browser.new_context(viewport={"width": 1300, "height": 850})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page = context.new_page()
    page.goto(snapshot_file.as_uri())
    check_offline_place_names(page)
    # Tiles switched off by the reader: the labels stay, the notice goes (there is nothing left to fail).
    page.get_by_text("Map tiles (OpenStreetMap)").click()
    page.locator(".atlas-tile-notice").wait_for(state="detached")
    assert "Abuja" in place_names_on_screen(page, 9, 8, 6)
    context.close()
