"""The first view, as a reader meets it on a laptop and on a phone: the map has the full width, shows every
selected record clear of the legend and the controls, refits when the filters change until the reader moves
it, and its frame has a real name."""

from __future__ import annotations

import json

import pytest
import synthetic

from browser.conftest import running_app
from browser.helpers import choose, open_app, wait_for_layer_count

# Spread over the world, so that fitting them is not trivial on a narrow screen.
WORLD_POINTS = [
    ("us-west", -122.4, 37.8, "acme"),
    ("br-south", -46.6, -23.5, "bolt"),
    ("uk-london", -0.1, 51.5, "acme"),
    ("ke-nairobi", 36.8, -1.3, "cobalt"),
    ("in-delhi", 77.2, 28.6, "bolt"),
    ("cn-beijing", 116.4, 39.9, "cobalt"),
    ("au-sydney", 151.2, -33.9, "acme"),
    ("jp-tokyo", 139.7, 35.7, "unknown"),
]
SIZES = {"laptop": (1400, 900), "phone": (390, 844)}

ICONS_VS_MAP = """() => {
    const box = window.atlasMap.getContainer().getBoundingClientRect();
    const icons = [...document.querySelectorAll('.leaflet-marker-pane .atlas-m, .leaflet-marker-pane .marker-cluster')]
        .map(e => e.getBoundingClientRect());
    const legend = document.querySelector('.atlas-legend-box').getBoundingClientRect();
    const controls = [...document.querySelectorAll('.leaflet-control-layers, .leaflet-control-zoom')]
        .map(e => e.getBoundingClientRect());
    const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    return {
        icons: icons.length,
        outside: icons.filter(r => r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom).length,
        underLegend: icons.filter(r => overlaps(r, legend)).length,
        underControls: icons.filter(r => controls.some(c => overlaps(r, c))).length,
        mapWidth: box.width,
    };
}"""


@pytest.fixture(scope="module")
def world_app(tmp_path_factory):
    features = [
        synthetic.deployment(rid, lon, lat, name=f"Record {rid}", country="AA", vendors=[vendor])
        for rid, lon, lat, vendor in WORLD_POINTS
    ]
    folder = synthetic.write_dataset(tmp_path_factory.mktemp("world"), features)
    world = synthetic.countries_geojson()
    world["features"][0]["geometry"]["coordinates"] = [[[-179, -59], [179, -59], [179, 84], [-179, 84], [-179, -59]]]
    (folder / "countries.geojson").write_text(json.dumps(world))  # Aland spans the world: every point is in it
    with running_app(folder) as url:
        yield url


IN_VIEW = "() => window.atlasMap.atlasFitRows.filter(r => window.atlasMap.getBounds().contains([r[1], r[2]])).length"


def drawn_within_the_view(frame) -> int:
    """How many records the map's view contains (whether drawn singly or in a cluster)."""
    return frame.evaluate(IN_VIEW)


@pytest.mark.parametrize("device", list(SIZES))
def test_the_first_view_shows_every_record_clear_of_the_legend_and_controls(browser, world_app, device):
    width, height = SIZES[device]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        frame = open_app(page, world_app)
        wait_for_layer_count(frame, len(WORLD_POINTS))
        frame.wait_for_function("window.atlasMap.atlasFitRows && window.atlasMap.atlasFitRows.length === 8")
        # The fit may wait for the frame's final size (a resize refits): wait for the view to settle on them.
        frame.wait_for_function(f"() => ({IN_VIEW})() === {len(WORLD_POINTS)}", timeout=10_000)
        page.wait_for_timeout(300)
        assert drawn_within_the_view(frame) == len(WORLD_POINTS)
        seen = frame.evaluate(ICONS_VS_MAP)
        assert seen["icons"] >= 3 and seen["outside"] == 0, seen
        assert seen["underLegend"] == 0 and seen["underControls"] == 0, seen
        content = page.evaluate("document.querySelector('[data-testid=stMainBlockContainer]').clientWidth")
        assert seen["mapWidth"] >= 0.85 * content, (seen, content)  # no empty details column beside it
        if device == "phone":
            assert frame.evaluate("!document.querySelector('.atlas-legend-toggle').open")  # legend starts collapsed
        else:
            assert frame.evaluate("document.querySelector('.atlas-legend-toggle').open")
    finally:
        context.close()


def test_the_map_refits_to_the_filters_until_the_reader_moves_it(page, world_app):
    frame = open_app(page, world_app)
    wait_for_layer_count(frame, len(WORLD_POINTS))
    world_zoom = frame.evaluate("window.atlasMap.getZoom()")
    choose(page, "f_vendors", "Cobalt")  # Nairobi and Beijing
    wait_for_layer_count(frame, 2)
    frame.wait_for_function(f"window.atlasMap.getZoom() > {world_zoom}")
    assert drawn_within_the_view(frame) == 2
    box = page.locator("iframe[title='Map of the selected facial-recognition records']").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 150, box["y"] + box["height"] / 2 + 60, steps=8)
    page.mouse.up()
    page.wait_for_timeout(1000)  # Leaflet's inertia carries the map on for a moment after the drag
    moved = frame.evaluate("[window.atlasMap.getCenter().lng, window.atlasMap.getZoom()]")
    choose(page, "f_vendors", "Acme Vision")  # adds three more, but the reader has moved the map
    wait_for_layer_count(frame, 5)
    page.wait_for_timeout(500)
    assert frame.evaluate("[window.atlasMap.getCenter().lng, window.atlasMap.getZoom()]") == moved


def test_opening_a_record_puts_the_details_beside_the_map(page, world_app):
    frame = open_app(page, world_app)
    wait_for_layer_count(frame, len(WORLD_POINTS))
    full = page.locator("iframe[title='Map of the selected facial-recognition records']").bounding_box()
    page.goto(world_app + "?open=ke-nairobi")
    page.get_by_role("heading", name="Details").wait_for(timeout=20_000)
    beside = page.locator("iframe[title='Map of the selected facial-recognition records']").bounding_box()
    details = page.get_by_role("heading", name="Details").bounding_box()
    assert full and beside and details
    assert beside["width"] < 0.8 * full["width"] and details["x"] > beside["x"] + beside["width"] - 5
