"""A large dataset (GeoParquet, geo/points.py) in a real browser: the map draws the server's counts of the
view, zooming in brings the records themselves, a click opens one, and a vendor filter narrows the counts."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
import shapely

from benchmarks.synthetic_data import write_dataset
from browser.conftest import running_app
from browser.helpers import MAP_FRAME, choose
from geo.aggregate import POINT_LIMIT
from geo.points import POINTS_FILE

SIZE = 5_000  # more than POINT_LIMIT in the world view, so the first view is counted in cells
BUBBLE_COUNTS_JS = """() => [...document.querySelectorAll('.leaflet-marker-pane .marker-cluster span[aria-hidden]')]
    .reduce((n, el) => n + parseInt(el.textContent, 10), 0)"""


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    assert SIZE > POINT_LIMIT
    folder = write_dataset(tmp_path_factory.mktemp("points"), SIZE, points=True)
    table = pq.read_table(folder / POINTS_FILE)
    records = [json.loads(text) for text in table.column("properties").to_pylist()]
    places = shapely.from_wkb(table.column("geometry").to_pylist())
    for record, point in zip(records, places):
        record["lon"], record["lat"] = point.x, point.y
    with running_app(folder, start_timeout=120) as url:
        yield url, records


def summary_frame(page):
    page.wait_for_selector(f'iframe[src*="{MAP_FRAME}"]', timeout=60_000)
    frame = next(f for f in page.frames if MAP_FRAME in f.url)
    frame.wait_for_function("window.atlasSummary !== undefined && window.atlasMap !== undefined", timeout=60_000)
    return frame


def summary(frame) -> dict:
    return frame.evaluate("() => window.atlasSummary")


def move(frame, lat: float, lon: float, zoom: int) -> dict:
    """Move the map and wait for the server's summary of the new view."""
    drawn = summary(frame)["drawn"]
    frame.evaluate(
        "([lat, lon, zoom]) => { window.atlasMap.setView([lat, lon], zoom, {animate: false}); }", [lat, lon, zoom]
    )
    frame.wait_for_function(
        f"() => window.atlasSummary.drawn > {drawn} && window.atlasSummary.zoom === {zoom}", timeout=30_000
    )
    return summary(frame)


def test_counts_then_records_then_details_then_a_filter(browser, large):
    url, records = large
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(url, timeout=120_000)
    frame = summary_frame(page)
    first = summary(frame)
    assert first["selected"] == SIZE and first["cells"] > 0 and first["points"] == 0
    assert frame.locator(".leaflet-marker-pane .marker-cluster").count() == first["cells"]
    assert 0 < frame.evaluate(BUBBLE_COUNTS_JS) <= SIZE

    # Close in on one record: the map then shows records, and clicking the one at its place opens it.
    record = records[0]
    close = move(frame, record["lat"], record["lon"], 14)
    assert close["points"] > 0 and close["cells"] == 0
    shape = frame.evaluate(
        """([lat, lon]) => {
            let found = null;
            window.atlasMap.eachLayer((l) => {
                if (l.atlasPosition !== undefined && l.getLatLng().lat === lat && l.getLatLng().lng === lon) { found = l; }
            });
            const shape = found.getElement().querySelector(".atlas-m").className;
            found.fire("click", {latlng: found.getLatLng()});
            return shape;
        }""",
        [round(record["lat"], 5), round(record["lon"], 5)],
    )
    assert shape == f"atlas-m atlas-c-{record['confidence']}"  # drawn in the shape of its confidence
    assert "Confidence" in frame.locator(".atlas-legend").inner_text()
    page.get_by_role("heading", name="Details").wait_for(timeout=30_000)
    details = page.locator('[data-testid="stColumn"]').filter(has_text="Details").last
    details.get_by_text(record["name"]).first.wait_for(timeout=10_000)
    assert record["sources"][0]["title"] in details.inner_text()

    # Back to the world: a vendor filter narrows what is counted to that vendor's records.
    move(frame, 25, 15, 2)
    vendor_records = sum("huawei" in r["vendors"] for r in records)
    assert 0 < vendor_records < SIZE
    drawn = summary(frame)["drawn"]
    choose(page, "f_vendors", "Huawei")
    frame.wait_for_function(
        f"() => window.atlasSummary.drawn > {drawn} && window.atlasSummary.selected === {vendor_records}",
        timeout=30_000,
    )
    assert frame.evaluate(BUBBLE_COUNTS_JS) <= vendor_records
    page.context.close()
