"""Escaping, the map payload, vendor colours, the legend, summaries and click lookup."""

import base64
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from geo import schema
from geo.html import (
    details_html,
    escape_text,
    link,
    markdown_code,
    overview_html,
    sentence_html,
    tooltip_text,
    years_text,
)
from geo.mapdata import (
    MARKER_COLUMNS,
    OTHER_COLOR,
    PALETTE,
    ROW_COLUMNS,
    assign_colors,
    legend_entries,
    map_payload,
    rows_bitset,
    script_json,
    split_payload,
)
from geo.summaries import (
    find_clicked,
    selection_overview,
    started_per_year,
    table_frame,
    top_countries,
    top_vendors,
    vendor_profile,
)

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>${alert(3)}`\\"


def test_escape_text_neutralises_html_and_template_literals():
    out = escape_text(HOSTILE)
    for dangerous in ("<", ">", "${", "`", "\\"):
        assert dangerous not in out
    assert out.startswith("&lt;script&gt;") and "&#36;{alert(3)}" in out and "&#96;" in out


def test_links_only_for_http_urls_and_open_in_new_tab():
    assert link("javascript:alert(1)", "x") == "x"
    html = link('https://a.org/?q="x"', "T<b>")
    assert 'target="_blank"' in html and 'rel="noopener noreferrer"' in html
    assert "&quot;x&quot;" in html and "T&lt;b&gt;" in html


def test_details_html_escapes_every_field(atlas):
    record = atlas.deployments.iloc[0].to_dict()
    record.update(name=HOSTILE, description=HOSTILE, operator=HOSTILE)
    record["sources"] = [
        {"publisher": HOSTILE, "title": HOSTILE, "date": "2019", "url": "https://a.org", "quote": HOSTILE}
    ]
    html = details_html(record, {"AA": "Aland"})
    assert "<script" not in html and "<img" not in html and "${" not in html
    assert html.count("&lt;script&gt;") == 6  # name, description, operator, publisher, title, quote
    assert "Aland (AA)" in html


def test_tooltip_and_years():
    assert years_text(2015, None) == "since 2015" and years_text(2015, 2018) == "2015–2018"
    assert years_text(2015, pd.NA) == "since 2015"
    assert (
        tooltip_text({"name": "Metro", "vendor_names": ["A", "B"], "year_start": 2018, "year_end": None})
        == "Metro · A, B · since 2018"
    )


def test_script_json_cannot_close_a_script_tag():
    text = script_json({"name": "</script><script>alert(1)</script>", "amp": "&"})
    assert "</script" not in text and "<" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script>", "amp": "&"}


def test_colors_go_to_the_most_frequent_vendors_and_ignore_placeholders(atlas):
    colors = assign_colors(atlas.deployments)
    assert colors["acme"] == PALETTE[0] and colors["bolt"] == PALETTE[1]
    assert colors["unknown"] == OTHER_COLOR


def test_colors_are_shared_beyond_the_palette(atlas):
    colors = assign_colors(atlas.deployments, palette=("#111111",))
    assert colors == {"acme": "#111111", "bolt": OTHER_COLOR, "cobalt": OTHER_COLOR, "unknown": OTHER_COLOR}


def test_legend_lists_vendors_in_the_selection_then_others(atlas):
    colors = assign_colors(atlas.deployments, palette=("#111111", "#222222"))
    entries = legend_entries(atlas.deployments, colors, atlas.vendor_names)
    assert entries == [
        {"name": "Acme Vision", "color": "#111111"},
        {"name": "Bolt AI", "color": "#222222"},
        {"name": "Other vendors", "color": OTHER_COLOR},
    ]
    only_bolt = atlas.deployments[atlas.deployments["id"] == "bb-city"]
    assert legend_entries(only_bolt, colors, atlas.vendor_names) == [{"name": "Bolt AI", "color": "#222222"}]


def test_payload_rows_carry_every_shown_field(atlas):
    payload = map_payload(atlas.deployments, assign_colors(atlas.deployments), atlas.vendor_names, atlas.country_names)
    assert len(payload["rows"]) == 5
    row = dict(zip(ROW_COLUMNS, next(r for r in payload["rows"] if r[0] == "aa-airport")))
    assert (row["lat"], row["lon"]) == (11.0, 11.0)
    assert [payload["vendors"][i]["name"] for i in row["vendors"]] == ["Acme Vision", "Bolt AI"]
    assert (row["y0"], row["y1"], row["cameras"]) == (2018, None, 100)
    assert row["sources"][0][3] == "https://news.example.org/story-1"
    assert payload["labels"]["status"] == schema.STATUSES
    json.dumps(payload)


def test_split_payload_keeps_marker_columns_first_and_the_rest_in_row_order(atlas):
    payload = map_payload(atlas.deployments, assign_colors(atlas.deployments), atlas.vendor_names, atlas.country_names)
    markers, chunks = split_payload(payload)
    details = [row for chunk in chunks for row in chunk]
    assert [m + d for m, d in zip(markers["rows"], details)] == payload["rows"]
    assert {len(r) for r in markers["rows"]} == {MARKER_COLUMNS}
    assert "description" not in ROW_COLUMNS[:MARKER_COLUMNS] and "sources" not in ROW_COLUMNS[:MARKER_COLUMNS]


def test_details_come_in_chunks_of_rows_so_a_popup_fetches_only_its_own(atlas):
    payload = map_payload(atlas.deployments, assign_colors(atlas.deployments), atlas.vendor_names, atlas.country_names)
    rows = len(payload["rows"])
    markers, chunks = split_payload(payload, chunk_rows=2)
    assert markers["detailsChunk"] == 2
    assert [len(c) for c in chunks] == [2] * (rows // 2) + ([rows % 2] if rows % 2 else [])
    # Row i's details are in chunk i // detailsChunk, at position i % detailsChunk (as atlas.js reads them).
    for i, row in enumerate(payload["rows"]):
        assert chunks[i // 2][i % 2] == row[MARKER_COLUMNS:]


def test_the_browser_reads_rows_in_the_same_column_order(atlas):
    script = (Path(__file__).resolve().parent.parent / "geo" / "web" / "atlas.js").read_text()
    body = re.search(r"var COL = \{(.*?)\};", script, re.S).group(1)
    columns = {name: int(i) for name, i in re.findall(r"(\w+): (\d+)", body)}
    assert sorted(columns, key=columns.get) == list(ROW_COLUMNS)
    assert int(re.search(r"var MARKER_COLUMNS = (\d+);", script).group(1)) == MARKER_COLUMNS


def test_summaries(atlas):
    colors = assign_colors(atlas.deployments, palette=("#111111",))
    per_year = started_per_year(atlas.deployments, colors, atlas.vendor_names)
    assert per_year.set_index(["year", "vendor"])["deployments"].to_dict() == {
        (2012, "Acme Vision"): 1,
        (2016, "Other vendors"): 1,
        (2018, "Acme Vision"): 0.5,  # the airport names Acme and Bolt: it counts once, half for each
        (2018, "Other vendors"): 0.5,
        (2019, "Other vendors"): 1,
        (2020, "Other vendors"): 1,
    }
    started = atlas.deployments["year_start"].astype(int).value_counts().to_dict()
    assert per_year.groupby("year")["deployments"].sum().to_dict() == started  # the bars add up to deployments
    assert top_vendors(atlas.deployments, atlas.vendor_names).iloc[0].tolist() == ["Acme Vision", 2]
    assert set(top_countries(atlas.deployments, atlas.country_names)["country"]) == {"Aland", "Bland", "Cland"}
    table = table_frame(atlas.deployments, atlas.country_names)
    assert list(table.columns) == [
        "Name",
        "Place",
        "Country",
        "Vendors",
        "Since",
        "Until",
        "Status",
        "Confidence",
        "First source",
    ]
    assert table.loc[1, "Vendors"] == "Acme Vision, Bolt AI"


def test_vendor_profile(atlas):
    profile = vendor_profile(atlas.deployments, atlas.vendors, "bolt")
    assert profile["deployments"] == 2 and profile["countries"] == ["AA", "BB"] and profile["since"] == 2018
    assert profile["per_year"].to_dict("list") == {"year": [2018, 2019], "deployments": [1, 1]}
    acme = vendor_profile(atlas.deployments, atlas.vendors, "acme")["per_year"]
    assert acme["year"].tolist() == list(range(2012, 2019))  # every year on the axis, not only those with starts
    assert acme["deployments"].tolist() == [1, 0, 0, 0, 0, 0, 1]


def test_find_clicked_uses_the_point_and_the_tooltip(atlas):
    d = atlas.deployments
    assert find_clicked(d, 11.0, 11.0) == "aa-airport"
    assert find_clicked(d, 50.0, 50.0) is None
    twin = d[d["id"] == "aa-airport"].copy()
    twin["id"], twin["name"] = "aa-twin", "Twin"
    both = pd.concat([d, twin])
    assert find_clicked(both, 11.0, 11.0, "Twin · Acme Vision · since 2018") == "aa-twin"


@pytest.mark.parametrize(
    "text",
    [
        "![x](https://evil.example/x.png)",
        "[click](https://evil.example)",
        ":red[alarm]",
        "$x^2$",
        "<b>bold</b>",
        "a `tick` and ``two``",
        "ends with `",
        "line\nbreak",
    ],
)
def test_untrusted_text_becomes_one_literal_code_span(text):
    span = markdown_code(text)
    fence = re.match(r"`+", span).group(0)
    assert span == f"{fence} {' '.join(text.split())} {fence}"
    assert fence not in " ".join(text.split())


def test_the_sentence_is_escaped_html():
    assert sentence_html("matching “<img src=x>`${1}`”") == (
        "<p class='atlas-sentence'><strong>matching “&lt;img src=x&gt;&#96;&#36;{1}&#96;”</strong></p>"
    )


def test_overview_counts_the_selection_and_explains_confidence(atlas):
    d = atlas.deployments
    facts = selection_overview(d)
    assert (facts["deployments"], facts["countries"], facts["first_year"], facts["last_year"]) == (5, 3, 2012, 2020)
    assert facts["by_confidence"] == {"documented": 1, "reported": 3, "claimed": 1}
    assert sum(facts["by_status"].values()) == 5 and list(facts["by_status"]) == list(schema.STATUSES)
    text = overview_html(facts)
    assert "5 deployments in 3 countries" in text and escape_text(schema.CONFIDENCE_MEANINGS["claimed"]) in text
    empty = selection_overview(d.iloc[0:0])
    assert empty["deployments"] == 0 and empty["first_year"] is None
    assert "0 deployments in 0 countries, 0 named vendors." in overview_html(empty)


def test_overview_leaves_placeholder_vendors_uncounted(atlas):
    d = atlas.deployments.copy()
    d["vendors"] = [["unknown"]] * len(d)
    assert selection_overview(d)["vendors"] == 0


def test_the_visible_rows_travel_as_one_bit_per_row_in_the_layout_the_map_script_reads():
    # The same rows and bytes as the map script's test ("the visible rows arrive as a bitset").
    assert base64.b64decode(rows_bitset([0, 3, 8, 17], 20)) == bytes([0b00001001, 0b00000001, 0b00000010])
    assert rows_bitset([], 0) == ""
    assert len(rows_bitset(range(0, 100_000, 2), 100_000)) < 17_000
