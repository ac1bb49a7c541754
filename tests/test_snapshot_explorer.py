"""The snapshot's explorer filters and describes a selection exactly as the app does: its JavaScript
(`Atlas.filterRows`, `Atlas.sentence`, run here on Node) gives Python's apply_filters and selection_sentence."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import synthetic
from snapshots import snapshot_of

from geo import snapshot
from geo.explorer import explorer_data, filter_values
from geo.filters import Filters, apply_filters, build_vocabulary, selection_sentence, year_bounds
from geo.load import load_atlas
from geo.mapdata import assign_colors, map_payload
from geo.permalink import MapView
from geo.search import SPELLING_VARIANTS, fold
from geo.snapshot_html import embedded_data
from geo.web import WEB_DIR

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")

RUN = """
const Atlas = require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = input.filters.map((f) => {
  const rows = Atlas.filterRows(input.data, f);
  return {ids: rows.map((r) => r[Atlas.COL.id]), sentence: Atlas.sentence(input.data, f, rows.length)};
});
process.stdout.write(JSON.stringify(out));
"""

CASES = [
    Filters(),
    Filters(vendors=["bolt"]),
    Filters(vendors=["acme", "cobalt"], countries=["AA"]),
    Filters(vendor_countries=["BB"]),
    Filters(sectors=["education", "transport"]),
    Filters(confidences=["documented", "claimed"]),
    Filters(years=(2017, None)),
    Filters(years=(2014, 2017)),
    Filters(years=(None, 2015)),
    Filters(statuses=["announced"], years=(None, 2020)),  # the face-pay record, announced until 2021
    Filters(statuses=["operational"], years=(2019, 2020)),
    Filters(statuses=["operational"]),
    Filters(text="MALL"),
    Filters(text="  special   operator "),  # from the description; spaces collapse
    Filters(text="Bland", vendors=["bolt"], years=(2018, 2025)),
    Filters(text="no such thing"),
]


@pytest.fixture
def explorer_atlas(tmp_path: Path):
    return load_atlas(synthetic.write_dataset(tmp_path / "data", [*synthetic.deployments(), synthetic.face_pay()]))


def run_node(data: dict, filters: list[Filters]) -> list[dict]:
    values = [filter_values(f) for f in filters]
    result = subprocess.run(
        [NODE or "node", "-e", RUN, str(WEB_DIR / "atlas.js")],
        input=json.dumps({"data": data, "filters": values}),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)


def test_the_explorer_selects_and_describes_what_the_app_does(explorer_atlas):
    atlas = explorer_atlas
    vocabulary = build_vocabulary(atlas, year_bounds(atlas.deployments))
    data = map_payload(atlas.deployments, assign_colors(atlas.deployments), atlas.vendor_names, atlas.country_names)
    data["explorer"] = explorer_data(atlas.deployments, vocabulary)
    results = run_node(data, CASES)
    sizes = set()
    for filters, got in zip(CASES, results):
        expected = apply_filters(atlas.deployments, filters)
        sentence = selection_sentence(len(expected), len(atlas.deployments), filters, vocabulary)
        assert got == {"ids": list(expected["id"]), "sentence": sentence}, filters
        sizes.add(len(expected))
    assert len(sizes) > 4, "the cases should select different numbers of records"


def test_the_snapshot_opens_with_the_filters_and_view_it_was_given(explorer_atlas):
    atlas = explorer_atlas
    filters = Filters(vendors=["bolt"], years=(2018, None))
    page = snapshot_of(
        atlas,
        title="T",
        sentence="S",
        citation="C",
        filters=filters,
        view=MapView(10.5, 30.25, 6),
    )
    data = embedded_data(page)["data"]
    assert data["explorer"]["values"]["vendors"] == ["bolt"] and data["explorer"]["values"]["years"] == [2018, None]
    assert 'var view = {"lat":10.5,"lng":30.25,"zoom":6};' in page
    assert [f["label"] for f in data["explorer"]["filters"] if f["type"] != "years"][:4] == [
        "Record kind",
        "Vendor",
        "Vendor's home country",
        "Deployment country",
    ]
    assert str(WEB_DIR) not in page and str(Path.home()) not in page


def test_the_cli_snapshot_holds_every_record_and_opens_with_the_filters_asked_for(tmp_path, data_dir, capsys):
    out = tmp_path / "map.html"
    assert snapshot.main(["--data-dir", str(data_dir), "--vendor", "bolt", "--html", str(out)]) == 0
    data = embedded_data(out.read_text())["data"]
    assert len(data["rows"]) == len(load_atlas(data_dir).deployments)
    assert data["explorer"]["values"]["vendors"] == ["bolt"]
    assert "Showing 2 of 5 deployments: vendor Bolt" in capsys.readouterr().out


def test_the_explorer_folds_search_text_as_python_does():
    texts = ["  Ürümqi   MOSKVA ", "São Paulo, Kiev", "Straße in St. Petersburg", "Kievan Rus", "Nur-Sultan ÉCOLE"]
    script = (
        "const A = require(process.argv[1]); const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(input.texts.map((t) => A.fold(t, input.variants))));"
    )
    result = subprocess.run(
        [NODE or "node", "-e", script, str(WEB_DIR / "atlas.js")],
        input=json.dumps({"texts": texts, "variants": dict(SPELLING_VARIANTS)}),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(result.stdout) == [fold(t) for t in texts]
