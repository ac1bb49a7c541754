"""One field list for a record's details: the details panel (Python) and the map's popup (the map script)
render the same rows, with the same labels and the same text, in the order geo/schema.py gives."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from geo import schema
from geo.html import details_rows
from geo.mapdata import assign_colors, map_payload

SCRIPT = Path(__file__).resolve().parent.parent / "geo" / "web" / "atlas.js"
ROW = re.compile(r"<tr><th>(.*?)</th><td>(.*?)</td></tr>")


def popup_rows(payload: dict, index: int) -> list[tuple[str, str]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    code = (
        f"const Atlas = require({json.dumps(str(SCRIPT))}); const data = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        f"console.log(Atlas.popupHtml(data.rows[{index}], data));"
    )
    html = subprocess.run([node, "-e", code], input=json.dumps(payload), capture_output=True, text=True, check=True)
    return [(label, text.replace("&#x27;", "'")) for label, text in ROW.findall(html.stdout)]


def test_the_payload_carries_the_schemas_detail_rows(atlas):
    payload = map_payload(atlas.deployments, assign_colors(atlas.deployments), atlas.vendor_names, atlas.country_names)
    assert payload["fields"] == [list(row) for row in schema.DETAIL_ROWS]
    assert ["years", "Years"] in payload["fields"] and ["country", "Country"] in payload["fields"]


def test_popup_and_details_panel_show_the_same_rows_labels_and_text(atlas):
    deployments = atlas.deployments
    payload = map_payload(deployments, assign_colors(deployments), atlas.vendor_names, atlas.country_names)
    for index, record in enumerate(deployments.to_dict("records")):
        panel = [(label, text) for label, text in details_rows(record, atlas.country_names) if label != "History"]
        assert popup_rows(payload, index) == panel, record["id"]
