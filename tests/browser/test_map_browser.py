"""What only a browser shows: the map draws, stays offline, escapes text, follows filters, opens details."""

from urllib.parse import urlencode, urlparse

from browser.conftest import ALLOWED_EXTERNAL_HOSTS, browser_test_features
from browser.helpers import (
    check_offline_place_names,
    choose,
    drawn_count,
    layer_count,
    map_frame,
    marker_at,
    open_app,
    wait_for_layer_count,
)

TOTAL = len(browser_test_features())


def test_map_draws_every_deployment_with_legend_and_outlines(page, app_url):
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    frame.wait_for_function("document.querySelectorAll('.leaflet-marker-pane .atlas-m, .marker-cluster').length > 0")
    assert drawn_count(frame) == TOTAL
    assert frame.locator(".atlas-legend").get_by_text("Acme Vision").count() == 1
    frame.wait_for_function("document.querySelectorAll('.leaflet-atlasOutlines-pane path').length >= 3")


def test_no_request_leaves_the_machine_except_map_tiles(page, app_url):
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    page.wait_for_timeout(1500)
    hosts = {urlparse(u).hostname for u in page.requests_seen if urlparse(u).scheme in ("http", "https", "ws", "wss")}
    assert hosts - {"127.0.0.1", "localhost"} <= ALLOWED_EXTERNAL_HOSTS, hosts


def test_hostile_text_shows_as_text_and_runs_nothing(page, app_url):
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    marker = marker_at(frame, 32, 12, 7)
    marker.hover()
    tooltip = frame.locator(".atlas-tip").first
    tooltip.wait_for()
    assert "<script>window.__pwned=1</script>" in tooltip.inner_text()
    marker.click()
    popup = frame.locator(".atlas-popup")
    popup.wait_for()
    assert "<img src=x onerror=" in popup.locator("h4").inner_text()
    assert "${window.__pwned=3}" in popup.inner_text()
    assert popup.locator("img, script").count() == 0
    details = page.locator(".atlas-details")
    details.wait_for(timeout=20_000)
    assert "<script>window.__pwned=1</script>" in details.locator("h4").inner_text()
    assert frame.evaluate("window.__pwned === undefined") and page.evaluate("window.__pwned === undefined")


def test_choosing_a_vendor_changes_the_points_drawn(page, app_url):
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    choose(page, "f_vendors", "Bolt AI")
    frame = map_frame(page)
    wait_for_layer_count(frame, 2)
    page.locator("strong", has_text="Showing 2 of 6 deployments: vendor Bolt AI").wait_for()
    assert drawn_count(frame) == 2


def test_a_filter_change_moves_the_map_once(page, app_url):
    """The map fits the new selection once; the legend, drawn again for it, does not fit it a second time,
    but folding it (the reader's toggle) does."""
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    page.wait_for_timeout(500)
    frame.evaluate("() => { window.moves = 0; window.atlasMap.on('moveend', () => { window.moves++; }); }")
    choose(page, "f_vendors", "Bolt AI")
    wait_for_layer_count(frame, 2)
    page.wait_for_timeout(800)
    assert frame.evaluate("window.moves") == 1
    frame.locator(".atlas-legend-toggle summary").click()  # the reader folds the legend: the map refits
    frame.wait_for_function("window.moves === 2")


def test_moving_the_year_slider_changes_the_points_drawn(page, app_url):
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    handle = page.get_by_role("slider").last  # the upper end of the range
    handle.focus()
    for _ in range(6):
        page.keyboard.press("ArrowLeft")  # 2021 -> 2015
    page.locator("strong", has_text="active in or before 2015").wait_for(timeout=20_000)
    wait_for_layer_count(map_frame(page), 1)


def test_map_keeps_its_zoom_and_is_not_reloaded_after_a_filter_change(page, app_url):
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    frame.evaluate("window.atlasMap.setView([10, 20], 5, {animate: false}); window.__sameMap = true;")
    page.wait_for_timeout(500)
    choose(page, "f_countries", "Bland")
    page.locator("strong", has_text="Showing 2 of 6 deployments: in Bland").wait_for()
    wait_for_layer_count(frame, 2)
    assert frame.evaluate("window.__sameMap === true"), "the map iframe was reloaded"
    assert frame.evaluate("window.atlasMap.getZoom()") == 5
    center = frame.evaluate("[window.atlasMap.getCenter().lat, window.atlasMap.getCenter().lng]")
    assert abs(center[0] - 10) < 0.01 and abs(center[1] - 20) < 0.01


def test_clicking_a_point_shows_its_sources_in_the_details_panel(page, app_url):
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    marker_at(frame, 10, 30, 11).click()
    details = page.locator(".atlas-details")
    details.wait_for(timeout=20_000)
    assert details.locator("h4").inner_text() == "Bland safe city"
    source = details.locator("ol.atlas-sources a").first
    assert source.inner_text() == "Story 1"
    assert source.get_attribute("href") == "https://news.example.org/story-1"
    assert source.get_attribute("target") == "_blank"
    assert "Cameras were installed at the station." in details.inner_text()
    popup_source = frame.locator(".atlas-popup ol a").first
    popup_source.wait_for()
    assert popup_source.inner_text() == "Story 1" and popup_source.get_attribute("target") == "_blank"


def test_a_popup_says_so_when_its_details_cannot_be_fetched(page, app_url):
    page.route("**/details-*.json", lambda route: route.abort())
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    marker_at(frame, 10, 30, 11).click()
    popup = frame.locator(".atlas-popup")
    popup.filter(has_text="details could not be loaded").wait_for()
    assert "Bland safe city" in popup.inner_text()


def test_country_layer_draws_shading_with_counts(page, app_url):
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    assert frame.locator(".leaflet-overlay-pane path").count() == 0  # off until the reader turns it on
    frame.get_by_text("Deployments per country").click()
    frame.wait_for_function("window.atlasShading && window.atlasShading.getLayers().length === 3")
    tooltips = frame.evaluate("window.atlasShading.getLayers().map(l => l.getTooltip().getContent()).sort()")
    assert tooltips == ["Aland: 2 deployments", "Bland: 2 deployments", "Cland: 2 deployments"]
    assert layer_count(frame) == TOTAL


def test_a_crafted_link_cannot_inject_markup_into_the_page(page, app_url):
    payload = "![x](https://evil.example/pixel.png) [click](https://evil.example/) :red[alarm] $x^2$"
    page.goto(f"{app_url}?{urlencode({'q': payload, 'vendor': payload})}")
    sentence = page.locator("strong", has_text="Showing").first
    sentence.wait_for(timeout=30_000)
    page.get_by_text("Part of the link was ignored").wait_for()
    page.wait_for_timeout(1000)
    assert "![x](https://evil.example/pixel.png)" in sentence.inner_text()
    injected = page.locator("img[src*='evil.example'], a[href*='evil.example'], .katex")
    assert injected.count() == 0, [
        injected.nth(i).evaluate("e => e.parentElement.outerHTML.slice(0, 300)") for i in range(injected.count())
    ]
    assert "evil.example" not in {urlparse(url).hostname for url in page.requests_seen}


def test_the_link_takes_the_map_view_once_the_reader_asks_for_it(page, app_url):
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    frame.evaluate("window.atlasMap.setView([10, 30], 6, {animate: false}); null")  # before asking: no rerun, no view
    page.get_by_role("tab", name="Share & cite").click()
    page.get_by_text("Include the map view").click()
    page.wait_for_function(
        "location.search.includes('view=10.0000%2C30.0000%2C6') || location.search.includes('view=10.0000,30.0000,6')",
        timeout=20_000,
    )
    map_frame(page).evaluate("window.atlasMap.setView([12, 32], 7, {animate: false}); null")
    page.wait_for_function(
        "location.search.includes('view=12.0000%2C32.0000%2C7') || location.search.includes('view=12.0000,32.0000,7')",
        timeout=20_000,
    )
    page.get_by_text("Include the map view").click()
    page.wait_for_function("!location.search.includes('view=')", timeout=20_000)
    map_frame(page).evaluate("window.atlasMap.setView([11, 31], 5, {animate: false}); null")
    page.wait_for_timeout(1500)
    assert "view=" not in page.evaluate("location.search")


def test_panning_and_zooming_do_not_rerun_the_page(page, app_url):
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    page.wait_for_timeout(1000)
    before = len(sent)
    frame.evaluate("window.atlasMap.setView([10, 30], 6, {animate: false}); null")
    frame.evaluate("window.atlasMap.setView([12, 12], 4, {animate: false}); null")
    page.wait_for_timeout(2000)
    assert len(sent) == before, "a pan or zoom sent a message to the server (a rerun)"
    choose(page, "f_vendors", "Bolt AI")  # the same listener does see a rerun
    wait_for_layer_count(map_frame(page), 2)
    assert len(sent) > before


def test_confidence_is_shown_by_marker_shape_not_only_colour(page, app_url):
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    shapes = frame.evaluate(
        """() => Object.fromEntries(['documented', 'reported', 'claimed'].map(c => {
            const s = getComputedStyle(document.querySelector('.atlas-legend .atlas-c-' + c));
            return [c, [s.borderTopStyle, s.borderTopWidth, s.transform, s.borderTopLeftRadius].join(' ')];
        }))"""
    )
    assert len(set(shapes.values())) == 3, shapes
    marker_at(frame, 9, 31, 9)  # School gates, claimed: drawn with the claimed shape
    assert frame.locator(".leaflet-marker-pane .atlas-c-claimed").count() == 1


def test_fullscreen_control_puts_the_map_in_full_screen(page, app_url):
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    frame.locator(".atlas-fullscreen").click()
    frame.wait_for_function("document.fullscreenElement === window.atlasMap.getContainer()")
    frame.locator(".atlas-fullscreen").click()
    frame.wait_for_function("document.fullscreenElement === null")


def test_offline_the_map_names_places_by_zoom_and_says_the_tiles_are_missing(page, app_url):
    for host in ALLOWED_EXTERNAL_HOSTS:  # the tile server
        page.route(f"https://{host}/**", lambda route: route.abort())
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    check_offline_place_names(frame)
