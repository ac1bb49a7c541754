"""The page on a large dataset (geo/points.py): the map gets the server's summary of the view, the
filters narrow it, a click opens the full record, and the tabs work on the records read from the file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import synthetic
from page import map_call_arguments, map_summary, multiselect, sentence, url_params

from components.map_view import POINT_MAP_KEY

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def points_app(tmp_path: Path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from components.data import DATA_DIR_ENV

    folder = synthetic.write_points_dataset(tmp_path / "points", [*synthetic.deployments(), synthetic.face_pay()])
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_map_gets_the_records_in_view_and_not_a_file_of_all_records(points_app) -> None:
    assert sentence(points_app).startswith("Showing 6 of 6 deployments")
    summary = map_summary(points_app)
    assert summary["total"] == 6 and "cells" not in summary
    assert sorted(p[4] for p in summary["points"]) == sorted(
        ["Metro faces", "Airport gates", "Bland safe city", "School gates", "Mall payments", "Face pay"]
    )
    assert "deployments-" not in points_app.get("component_instance")[0].proto.json_args  # no records file


def test_each_record_is_drawn_in_the_shape_of_its_confidence_and_the_legend_names_them(points_app) -> None:
    summary, _, styles = map_call_arguments(points_app, "Atlas.showSummary(L, map, group, ")
    shapes = {p[4]: styles[p[5]] for p in summary["points"]}
    assert shapes["Airport gates"] == "documented" and shapes["School gates"] == "claimed"
    assert shapes["Metro faces"] == "reported"
    legend_data, _ = map_call_arguments(points_app, "Atlas.legendControl(L, ")
    assert legend_data["labels"]["confidence"]["claimed"] == "Claimed by vendor or officials"
    assert legend_data["hasPolicies"] is False  # the synthetic records are all deployments


def test_a_vendor_filter_narrows_the_sentence_and_the_map(points_app) -> None:
    multiselect(points_app, "Vendor").select("bolt").run()
    assert sentence(points_app).startswith("Showing 2 of 6 deployments: vendor Bolt AI")
    assert sorted(p[4] for p in map_summary(points_app)["points"]) == ["Airport gates", "Bland safe city"]


def test_the_view_the_map_reports_decides_what_is_summarised(points_app) -> None:
    bounds = {"_southWest": {"lat": 0, "lng": 20}, "_northEast": {"lat": 20, "lng": 40}}
    points_app.session_state[POINT_MAP_KEY] = {"bounds": bounds, "zoom": 5, "last_object_clicked": None}
    points_app.run()
    summary = map_summary(points_app)
    assert summary["zoom"] == 5 and summary["total"] == 2  # the two records in Bland
    assert sentence(points_app).startswith("Showing 6 of 6 deployments")  # the filters still select all


def test_a_clicked_record_opens_with_its_description_and_sources_from_the_file(points_app) -> None:
    airport = next(p for p in map_summary(points_app)["points"] if p[4] == "Airport gates")
    points_app.session_state[POINT_MAP_KEY] = {"last_object_clicked": {"lat": airport[0], "lng": airport[1]}}
    points_app.run()
    assert not points_app.exception, points_app.exception
    assert points_app.session_state["selected_id"] == "aa-airport"
    details = " ".join(h.value for h in points_app.get("html"))
    assert "Airport gates" in details and "Cameras watch the square." in details


@pytest.mark.parametrize("tab", ["Overview", "Table", "Charts", "Vendor profiles", "Share & cite"])
def test_every_tab_works_on_a_large_dataset(points_app, tab: str) -> None:
    points_app.session_state["tab"] = tab
    points_app.run()
    assert not points_app.exception, points_app.exception
    assert not points_app.error, [e.value for e in points_app.error]


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def test_the_table_of_a_large_selection_turns_its_pages(points_app, monkeypatch) -> None:
    import components.tables

    monkeypatch.setattr(components.tables, "LARGE_TABLE_ROWS", 4)
    points_app.session_state["tab"] = "Table"
    points_app.run()
    first = set(points_app.dataframe[0].value["Name"])
    assert len(first) == 4 and "Records 1–4 of these 6, 4 a page." in captions(points_app)
    points_app.number_input(key="table_page").set_value(2).run()
    second = set(points_app.dataframe[0].value["Name"])
    assert len(second) == 2 and not first & second
    assert "Records 5–6 of these 6, 4 a page." in captions(points_app)
    multiselect(points_app, "Vendor").select("bolt").run()  # 2 records: one page, and page 2 is gone
    assert len(points_app.dataframe[0].value) == 2 and not points_app.number_input


def test_the_table_lists_records_read_in_full(points_app) -> None:
    points_app.session_state["tab"] = "Table"
    points_app.run()
    table = points_app.dataframe[0].value
    assert len(table) == 6 and set(table["Place"]) == {"Capital"}
    assert table["First source"].str.startswith("https://").all()


def test_downloads_of_a_large_selection_ask_to_narrow_it_and_its_images_show_it_all(points_app, monkeypatch) -> None:
    from components import share

    monkeypatch.setattr(share, "MAX_RECORDS_OUT", 3)
    points_app.session_state["tab"] = "Share & cite"
    points_app.run()
    assert not points_app.exception, points_app.exception
    assert any("at most 3 records; these filters select 6" in i.value for i in points_app.info)
    assert any("The images and the timeline below show all 6." in i.value for i in points_app.info)
    labels = [b.label for b in points_app.get("download_button")]
    assert {"Image (PNG)", "Image (SVG)", "Image (PDF)", "Timeline (GIF)", "Timeline (MP4)"} <= set(labels)
    assert "Download data (CSV)" not in labels and "Download map (HTML)" not in labels
    multiselect(points_app, "Vendor").select("bolt").run()
    assert not any("at most 3 records" in i.value for i in points_app.info)
    assert "Download data (CSV)" in [b.label for b in points_app.get("download_button")]


def test_the_share_tab_reads_a_large_selections_records_only_when_a_download_asks(
    points_app, tmp_path: Path, monkeypatch
) -> None:
    """Reading 10,000 records of a million takes seconds: not on every rerun of the tab, only for a file."""
    from components.data import DATA_DIR_ENV
    from components.share import in_full
    from geo import points
    from geo.cache import open_atlas
    from geo.filters import Filters, apply_filters
    from geo.outputs import Shared

    reads: list[int] = []
    read_records = points.read_records
    monkeypatch.setattr(points, "read_records", lambda *a: reads.append(len(a[1])) or read_records(*a))
    points_app.session_state["tab"] = "Share & cite"
    multiselect(points_app, "Vendor").select("bolt").run()
    assert not points_app.exception, points_app.exception
    assert "Download data (CSV)" in [b.label for b in points_app.get("download_button")] and reads == []

    folder = Path(os.environ[DATA_DIR_ENV])
    atlas, _ = open_atlas(folder, tmp_path / "cache")
    lean = apply_filters(atlas.deployments, Filters(vendors=("bolt",)))
    full = in_full(Shared(atlas, lean, {}, "", "", "", ""), folder)
    assert reads == []
    assert sorted(full().selection["id"]) == ["aa-airport", "bb-city"] and "sources" in full().selection
    assert reads == [2]  # read once, for every download of that run


@pytest.fixture
def points_folder(tmp_path: Path, monkeypatch) -> Path:
    from components.data import DATA_DIR_ENV

    folder = synthetic.write_points_dataset(tmp_path / "points", [*synthetic.deployments(), synthetic.face_pay()])
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    return folder


def test_a_link_with_a_view_opens_the_map_there_and_the_link_follows_the_map(points_folder: Path) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["view"] = "10.0000,30.0000,6"
    at.run()
    assert not at.exception, at.exception
    summary = map_summary(at)
    assert summary["zoom"] == 6 and summary["total"] == 2  # the two records in Bland, around (30, 10)
    assert url_params(at)["view"] == ["10.0000,30.0000,6"]

    bounds = {"_southWest": {"lat": 5, "lng": 5}, "_northEast": {"lat": 15, "lng": 15}}
    at.session_state[POINT_MAP_KEY] = {"bounds": bounds, "zoom": 7, "last_object_clicked": None}
    at.run()
    assert url_params(at)["view"] == ["10.0000,10.0000,7"]
    assert map_summary(at)["zoom"] == 7


def test_a_large_dataset_whose_records_all_fail_lists_them_and_does_not_crash(tmp_path: Path, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from components.data import DATA_DIR_ENV

    broken = [synthetic.deployment(f"bad-{i}", 10, 10, status="rumoured") for i in range(3)]
    monkeypatch.setenv(DATA_DIR_ENV, str(synthetic.write_points_dataset(tmp_path / "points", broken)))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    assert sentence(at).startswith("Showing 0 of 0 deployments")
    assert any("3 data problem(s)" in e.label for e in at.expander)
    assert map_summary(at)["points"] == []


def test_a_policy_record_is_drawn_with_its_own_symbol_and_the_legend_says_so(tmp_path: Path, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from components.data import DATA_DIR_ENV

    ban = synthetic.deployment("aa-ban", 13, 13, kind="policy", vendors=[], name="A ban")
    folder = synthetic.write_points_dataset(tmp_path / "points", [*synthetic.deployments(), ban])
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    summary, _, styles = map_call_arguments(at, "Atlas.showSummary(L, map, group, ")
    assert {p[4]: styles[p[5]] for p in summary["points"]}["A ban"] == "policy"
    legend_data, _ = map_call_arguments(at, "Atlas.legendControl(L, ")
    assert legend_data["hasPolicies"] is True


def test_template_syntax_in_a_record_name_reaches_the_map_as_text(tmp_path: Path, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from components.data import DATA_DIR_ENV

    name = "Gates {{ 6 * 7007 }} {% raw %} {# x"  # Jinja would read it as an expression, a tag and a comment
    records = [*synthetic.deployments(), synthetic.deployment("aa-odd", 13, 13, name=name)]
    monkeypatch.setenv(DATA_DIR_ENV, str(synthetic.write_points_dataset(tmp_path / "points", records)))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert name in [p[4] for p in map_summary(at)["points"]]
