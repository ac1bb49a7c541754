"""The downloaded HTML map opened from disk with every network request blocked."""

from pathlib import Path

import pytest
import synthetic
from snapshots import snapshot_of

from browser.conftest import HOSTILE, browser_test_features
from browser.helpers import check_offline_place_names, drawn_count, marker_at, place_names_on_screen
from geo.filters import Filters, apply_filters, build_vocabulary, selection_sentence, year_bounds
from geo.load import load_atlas
from geo.permalink import MapView

TILE_HOST = "tile.openstreetmap.org"


def set_range(page, selector: str, value: str) -> None:
    page.eval_on_selector(selector, f"el => {{ el.value = '{value}'; el.dispatchEvent(new Event('input')); }}")


@pytest.fixture
def snapshot_file(tmp_path) -> Path:
    atlas = load_atlas(synthetic.write_dataset(tmp_path / "data", browser_test_features()))
    page = snapshot_of(
        atlas,
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

    # The end of the years range changes what is drawn (only Metro faces was active by 2012).
    set_range(page, "#atlas-to", "2012")
    page.wait_for_function("() => window.atlasDeployments.getLayers().length === 1")
    assert "1 of 6" in page.inner_text("#atlas-count")
    assert page.inner_text("#atlas-sentence") == "Showing 1 of 6 deployments: active in or before 2012"
    set_range(page, "#atlas-to", "2026")
    page.wait_for_function("() => window.atlasDeployments.getLayers().length === 6")

    # Filters and search work with the network cut.
    page.select_option("#atlas-f-vendors", ["bolt"])
    page.fill("#atlas-q", "gates")
    page.wait_for_function("() => window.atlasDeployments.getLayers().length === 1")
    page.click("#atlas-clear")
    page.wait_for_function("() => window.atlasDeployments.getLayers().length === 6")

    # The details panel shows a record's sources; hostile text stays text.
    marker_at(page, 10, 30, 11).click()
    details = page.locator("#atlas-details .atlas-popup")
    details.wait_for()
    link = details.locator("a").first
    assert link.inner_text() == "Story 1" and link.get_attribute("href") == "https://news.example.org/story-1"
    marker_at(page, 32, 12, 11).click()
    page.wait_for_function("() => document.querySelector('#atlas-details h4').textContent.includes('<script>')")
    assert HOSTILE in page.locator("#atlas-details h4").inner_text()
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
    page.wait_for_selector("#atlas-details .atlas-popup h4", timeout=5000)
    assert page.inner_text("#atlas-details .atlas-popup h4") in focused
    assert page.evaluate("() => document.activeElement.id") == "atlas-details"  # focus follows to the details


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


def world_view(page) -> None:
    page.evaluate("() => { window.atlasMap.setView([20, 20], 2, {animate: false}); }")


def test_snapshot_filters_and_search_draw_what_the_app_selects(browser, snapshot_file, tmp_path):
    atlas = load_atlas(tmp_path / "data")
    vocabulary = build_vocabulary(atlas, year_bounds(atlas.deployments))
    page = browser.new_page(viewport={"width": 1300, "height": 850})
    page.goto(snapshot_file.as_uri())
    page.wait_for_function("() => window.atlasDeployments && window.atlasDeployments.getLayers().length === 6")
    steps = [
        (Filters(vendors=["bolt"]), lambda: page.select_option("#atlas-f-vendors", ["bolt"])),
        (Filters(vendors=["bolt"], text="gates"), lambda: page.fill("#atlas-q", "gates")),
        (Filters(vendors=["bolt"], text="Bländ"), lambda: page.fill("#atlas-q", "Bländ")),
        (Filters(text="Bländ"), lambda: page.select_option("#atlas-f-vendors", [])),
    ]
    for filters, act in steps:
        act()
        expected = apply_filters(atlas.deployments, filters)
        sentence = selection_sentence(len(expected), len(atlas.deployments), filters, vocabulary)
        page.wait_for_function(f"() => window.atlasDeployments.getLayers().length === {len(expected)}")
        world_view(page)
        page.wait_for_function(
            "() => document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon').length >= 1"
        )
        page.wait_for_timeout(400)
        assert drawn_count(page) == len(expected), filters
        assert page.inner_text("#atlas-sentence") == sentence
        assert page.inner_text("#atlas-count").startswith(f"{len(expected)} of 6")
    page.close()


def test_play_steps_the_end_year_to_the_last(browser, snapshot_file):
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    page.goto(snapshot_file.as_uri())
    page.wait_for_function("() => window.atlasDeployments && window.atlasDeployments.getLayers().length === 6")
    set_range(page, "#atlas-from", "2015")
    page.click("#atlas-play")  # the range ends at the last year, so Play starts again from its first
    assert page.inner_text("#atlas-play") == "Pause"
    page.wait_for_function("() => +document.getElementById('atlas-to').value >= 2017", timeout=10_000)
    assert page.inner_text("#atlas-to-label") == page.input_value("#atlas-to")
    assert "active 2015–20" in page.inner_text("#atlas-sentence")
    page.click("#atlas-play")
    stopped = page.input_value("#atlas-to")
    page.wait_for_timeout(1200)
    assert page.input_value("#atlas-to") == stopped and page.inner_text("#atlas-play") == "Play"
    page.close()


def test_snapshot_fits_a_phone_and_opens_at_the_saved_view(browser, tmp_path):
    atlas = load_atlas(synthetic.write_dataset(tmp_path / "data", browser_test_features()))
    page_html = snapshot_of(
        atlas,
        title="Atlas test",
        sentence="S",
        citation="C",
        filters=Filters(vendors=["cobalt"]),
        view=MapView(9.0, 31.0, 7),
    )
    path = tmp_path / "phone.html"
    path.write_text(page_html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.goto(path.as_uri())
    page.wait_for_function("() => window.atlasDeployments && window.atlasDeployments.getLayers().length === 2")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320  # nothing wider than the phone
    assert page.inner_text("#atlas-sentence") == "Showing 2 of 6 deployments: vendor Cobalt Cloud"
    center = page.evaluate(
        "() => [window.atlasMap.getCenter().lat, window.atlasMap.getCenter().lng, window.atlasMap.getZoom()]"
    )
    assert [round(center[0]), round(center[1]), center[2]] == [9, 31, 7]
    # The filters start folded away on a phone, under a summary that says one is set.
    assert not page.is_visible("#atlas-f-vendors")
    page.click("#atlas-filter-summary")
    assert page.inner_text("#atlas-filter-summary") == "Filters (1 set)"
    assert page.is_visible("#atlas-f-vendors")
    assert page.locator("label[for=atlas-f-vendors]").inner_text() == "Vendor"
    page.close()
