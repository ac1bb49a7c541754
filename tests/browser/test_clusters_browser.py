"""Clusters as a reader uses them: a bubble counts its records and is ringed in their vendors' colours, a click
zooms in until the records separate, records at one point spread around it, and each opens its own details.
Only the groups in view are drawn, however many records there are."""

from __future__ import annotations

import pytest
import synthetic

from browser.conftest import running_app
from browser.helpers import open_app, wait_for_layer_count

# Three records at exactly one point (a city-level place), two close by (apart at city zoom), one far away.
SAME_POINT = [("aa-one", "Station one"), ("aa-two", "Station two"), ("aa-three", "Station three")]
NEARBY = [("aa-north", 10.30, 10.05, "North gate"), ("aa-south", 10.30, 9.95, "South gate")]
FAR = ("aa-far", 14.0, 14.0, "Far away")

BUBBLES = """() => [...document.querySelectorAll('.leaflet-marker-pane .marker-cluster')].map(e => ({
    n: parseInt(e.querySelector('span[aria-hidden]').textContent, 10),
    ring: e.querySelector('.atlas-ring').style.background,
    x: e.getBoundingClientRect().x + 20, y: e.getBoundingClientRect().y + 20,
}))"""
SINGLES = "() => [...document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon.atlas-icon')].map(e => e.getAttribute('aria-label'))"


@pytest.fixture(scope="module")
def cluster_app(tmp_path_factory):
    features = [
        synthetic.deployment(rid, 10.0, 10.0, name=name, vendors=["acme" if i else "bolt"])
        for i, (rid, name) in enumerate(SAME_POINT)
    ]
    features += [synthetic.deployment(rid, lon, lat, name=name) for rid, lon, lat, name in NEARBY]
    features.append(synthetic.deployment(FAR[0], FAR[1], FAR[2], name=FAR[3], vendors=["bolt"]))
    with running_app(synthetic.write_dataset(tmp_path_factory.mktemp("clusters"), features)) as url:
        yield url


def settle(frame, zoom: float) -> None:
    frame.wait_for_function(f"() => Math.abs(window.atlasMap.getZoom() - {zoom}) < 0.01")
    frame.wait_for_timeout(400)  # the zoom animation, then the redraw on moveend


def test_a_bubble_counts_its_records_and_shows_their_vendor_colours(page, cluster_app):
    frame = open_app(page, cluster_app)
    wait_for_layer_count(frame, 6)
    frame.evaluate("() => { window.atlasMap.setView([10, 10.1], 5, {animate: false}); }")
    settle(frame, 5)
    bubbles = frame.evaluate(BUBBLES)
    assert [b["n"] for b in bubbles] == [5], bubbles  # the far record stands alone, the five near ones group
    assert "conic-gradient" in bubbles[0]["ring"], "the ring shows the members' vendor colours"
    assert frame.evaluate(SINGLES) and all("Far away" in s for s in frame.evaluate(SINGLES))


def test_a_click_on_a_bubble_zooms_in_and_records_at_one_point_spread_out(page, cluster_app):
    frame = open_app(page, cluster_app)
    wait_for_layer_count(frame, 6)
    frame.evaluate("() => { window.atlasMap.setView([10, 10.1], 5, {animate: false}); }")
    settle(frame, 5)
    before = frame.evaluate("() => window.atlasMap.getZoom()")
    frame.locator(".leaflet-marker-pane .marker-cluster").first.click()
    frame.wait_for_function(f"() => window.atlasMap.getZoom() > {before}")
    frame.wait_for_timeout(600)
    labels = frame.evaluate(SINGLES)
    assert any("North gate" in s for s in labels) and any("South gate" in s for s in labels), labels
    assert [b["n"] for b in frame.evaluate(BUBBLES)] == [3], "the three at one point stay together"
    frame.locator(".leaflet-marker-pane .marker-cluster").first.click()
    frame.wait_for_function(
        "() => [...document.querySelectorAll('.leaflet-marker-pane .atlas-icon')].filter(e => /Station/.test(e.getAttribute('aria-label'))).length === 3"
    )
    assert frame.evaluate(BUBBLES) == [], "the bubble gives way to its records"
    boxes = frame.evaluate(
        "() => [...document.querySelectorAll('.leaflet-marker-pane .atlas-icon')].filter(e => /Station/.test(e.getAttribute('aria-label'))).map(e => { const r = e.getBoundingClientRect(); return [r.x, r.y]; })"
    )
    assert len({(round(x), round(y)) for x, y in boxes}) == 3, f"spread apart, not stacked: {boxes}"
    frame.locator(".leaflet-marker-pane .atlas-icon[aria-label^='Station two']").click()
    details = page.locator(".atlas-details")  # the details panel opens on the record itself
    details.wait_for(timeout=20_000)
    assert details.locator("h4").inner_text() == "Station two"


def test_a_focused_bubble_opens_with_enter(page, cluster_app):
    frame = open_app(page, cluster_app)
    wait_for_layer_count(frame, 6)
    frame.evaluate("() => { window.atlasMap.setView([10, 10.1], 5, {animate: false}); }")
    settle(frame, 5)
    bubble = frame.locator(".leaflet-marker-pane .marker-cluster").first
    assert bubble.get_attribute("tabindex") == "0" and bubble.get_attribute("role") == "button"
    bubble.focus()
    bubble.press("Enter")
    frame.wait_for_function("() => window.atlasMap.getZoom() > 5")
