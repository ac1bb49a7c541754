"""The map at 100,000 deployments: it draws every record (grouped, only the groups in view on the page) and a
vendor filter narrows it to exactly that vendor's records. Slow (the first load validates 100,000 records),
so it is marked `slow`; it runs in the whole suite and in `.ci/run`."""

from __future__ import annotations

import json

import pytest

from benchmarks.synthetic_data import write_dataset
from browser.conftest import running_app
from browser.helpers import DRAWN_JS, choose, drawn_count, map_frame, wait_for_layer_count

SIZE = 100_000
FIRST_LOAD_TIMEOUT_MS = 240_000  # validating and caching 100,000 records on a busy 2-core machine (before the
# app answers, components/serve.py), then the first page load
MAX_MARKER_ELEMENTS = 2_000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    folder = write_dataset(tmp_path_factory.mktemp("large"), SIZE)
    features = json.loads((folder / "deployments.geojson").read_text(encoding="utf-8"))["features"]
    huawei = sum("huawei" in f["properties"]["vendors"] for f in features)
    with running_app(folder, start_timeout=FIRST_LOAD_TIMEOUT_MS / 1000) as url:
        yield url, huawei


def test_the_map_draws_100000_records_and_a_vendor_filter_narrows_it(browser, large):
    url, huawei = large
    assert 0 < huawei < SIZE
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(url, timeout=FIRST_LOAD_TIMEOUT_MS)
    frame = map_frame(page, timeout=FIRST_LOAD_TIMEOUT_MS)
    wait_for_layer_count(frame, SIZE, timeout=60_000)
    frame.wait_for_function(f"() => ({DRAWN_JS})() === {SIZE}", timeout=30_000)
    elements = frame.evaluate("() => document.querySelectorAll('.leaflet-marker-pane > *').length")
    assert 0 < elements < MAX_MARKER_ELEMENTS, f"{elements} marker elements for {SIZE} records"

    choose(page, "f_vendors", "Huawei")
    wait_for_layer_count(frame, huawei, timeout=60_000)
    frame.wait_for_function(f"() => ({DRAWN_JS})() === {huawei}", timeout=30_000)
    assert drawn_count(frame) == huawei
    page.context.close()
