"""Filters <-> URL: parsing, notices for bad values, round trips, and arbitrary query strings."""

from pathlib import Path
from urllib.parse import parse_qs

import pytest
import synthetic
from hypothesis import given, settings
from hypothesis import strategies as st
from page import multiselect, sentence, shown, url_params
from streamlit.testing.v1 import AppTest

from components.data import DATA_DIR_ENV
from geo import schema
from geo.filters import Filters, Vocabulary
from geo.permalink import MapView, link_params, parse_link, permalink

VOCAB = Vocabulary(
    options={
        "vendors": ("acme", "bolt"),
        "vendor_countries": ("AA",),
        "countries": ("AA", "BB"),
        "sectors": tuple(schema.SECTORS),
        "statuses": tuple(schema.STATUSES),
        "confidences": tuple(schema.CONFIDENCES),
    },
    labels={
        "vendors": {"acme": "Acme Vision", "bolt": "Bolt AI"},
        "vendor_countries": {"AA": "Aland"},
        "countries": {"AA": "Aland", "BB": "Bland"},
        "sectors": schema.SECTORS,
        "statuses": schema.STATUSES,
        "confidences": schema.CONFIDENCES,
    },
    year_bounds=(2012, 2021),
)
APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_a_full_link_parses_into_filters_and_view():
    params = {
        "vendor": ["acme", "bolt"],
        "from": "2014",
        "to": "2019",
        "country": ["BB"],
        "sector": ["policing"],
        "status": ["pilot"],
        "confidence": ["claimed"],
        "home": ["AA"],
        "q": "metro",
        "view": "10.5,20.25,6",
    }
    parsed = parse_link(params, VOCAB)
    assert parsed.ignored == []
    assert parsed.filters == Filters(
        vendors=("acme", "bolt"),
        vendor_countries=("AA",),
        countries=("BB",),
        sectors=("policing",),
        statuses=("pilot",),
        confidences=("claimed",),
        years=(2014, 2019),
        text="metro",
    )
    assert parsed.view == MapView(10.5, 20.25, 6)


@pytest.mark.parametrize(
    "params,notice",
    [
        ({"vendor": ["acme", "nobody"]}, "vendor='nobody' (no deployment by this vendor)"),
        ({"from": "abc"}, "from='abc' (expected a year"),
        ({"to": "1999"}, "to=1999 (outside the data's years 2012–2021)"),
        ({"from": "2019", "to": "2014"}, "the range ends before it starts"),
        ({"q": "x" * 5000}, "q of 5000 characters"),
        ({"status": ["live"]}, "status='live' (unknown status)"),
        ({"view": "north,pole"}, "view='north,pole' (expected latitude,longitude,zoom)"),
        ({"colour": "red"}, "'colour' (not a filter of this map)"),
    ],
)
def test_bad_values_are_ignored_with_a_notice_and_the_rest_applies(params, notice):
    parsed = parse_link({**params, "country": ["AA"]}, VOCAB)
    assert any(notice in n for n in parsed.ignored), parsed.ignored
    assert parsed.filters["countries"] == ("AA",)
    if "vendor" in params:
        assert parsed.filters["vendors"] == ("acme",)


def test_link_params_round_trip():
    filters = Filters(vendors=("bolt",), countries=("AA", "BB"), years=(2015, None), text="gates")
    params = link_params(filters, MapView(1.5, 2.5, 4))
    assert params == {
        "vendor": ["bolt"],
        "country": ["AA", "BB"],
        "q": ["gates"],
        "from": ["2015"],
        "view": ["1.5000,2.5000,4"],
    }
    assert parse_link(params, VOCAB).filters == filters
    link = permalink("http://host/app?old=1", filters)
    assert link.startswith("http://host/app?vendor=bolt&country=AA&country=BB&q=gates&from=2015")
    assert parse_link(parse_qs(link.split("?", 1)[1]), VOCAB).filters == filters


TEXT = st.text(max_size=300)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["vendor", "from", "to", "country", "home", "sector", "status", "confidence", "q", "view"])
        | TEXT,
        TEXT | st.lists(TEXT, max_size=60),
        max_size=12,
    )
)
def test_arbitrary_query_strings_never_raise(params):
    parsed = parse_link(params, VOCAB)
    assert set(parsed.filters["vendors"]) <= set(VOCAB.options["vendors"])
    year_from, year_to = parsed.filters["years"]
    assert year_from is None or 2012 <= year_from <= 2021
    assert year_to is None or 2012 <= year_to <= 2021
    assert len(parsed.filters["text"]) <= 200


@pytest.fixture
def app(data_dir, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(data_dir))
    return AppTest.from_file(APP, default_timeout=60)


def test_opening_a_link_restores_the_filters(app):
    app.query_params["vendor"] = ["acme"]
    app.query_params["country"] = ["AA"]
    app.query_params["from"] = "2017"
    app.run()
    assert not app.exception
    assert sentence(app) == "Showing 1 of 5 deployments: vendor Acme Vision, in Aland, active in or after 2017"
    assert multiselect(app, "Vendor").value == ["acme"]
    assert app.slider[0].value == (2017, 2021)
    assert not app.warning


def test_a_bad_link_value_is_ignored_with_a_visible_notice(app):
    app.query_params["vendor"] = ["acme", "<script>"]
    app.query_params["from"] = "abc"
    app.run()
    assert not app.exception
    assert "vendor='<script>' (no deployment by this vendor)" in shown(app.warning[0].value) and "from='abc'" in shown(
        app.warning[0].value
    )
    assert sentence(app) == "Showing 2 of 5 deployments: vendor Acme Vision"


def test_changing_a_filter_updates_the_link(app):
    app.run()
    next(w for w in app.multiselect if w.label == "Sector").set_value(["education", "transport"]).run()
    app.text_input[0].input("gates").run()
    assert app.query_params["sector"] == ["education", "transport"]
    assert app.query_params["q"] in ("gates", ["gates"])
    next(b for b in app.button if b.label == "Reset filters").click().run()
    assert dict(app.query_params) == {}


def test_the_map_view_stays_in_the_link_after_the_share_tab_closes(app):
    app.query_params["view"] = "48.8566,2.3522,11"
    app.run()
    app.session_state["tab"] = "Share & cite"
    app.run()
    assert app.checkbox(key="w_link_include_view").value
    app.checkbox(key="w_link_include_view").uncheck().run()
    app.checkbox(key="w_link_include_view").check().run()
    app.session_state["tab"] = "Table"
    app.run()
    next(w for w in app.multiselect if w.label == "Sector").set_value(["education"]).run()
    assert app.query_params["view"] in ("48.8566,2.3522,11", ["48.8566,2.3522,11"])
    app.session_state["tab"] = "Share & cite"
    app.run()
    app.checkbox(key="w_link_include_view").uncheck().run()
    assert "view" not in app.query_params and app.query_params["sector"] in ("education", ["education"])


def test_the_include_view_choice_survives_closing_the_share_tab(app):
    app.run()
    app.session_state["tab"] = "Share & cite"
    app.run()
    app.checkbox(key="w_link_include_view").check().run()
    app.session_state["tab"] = "Table"
    app.run()
    app.text_input[0].input("metro").run()
    app.session_state["tab"] = "Share & cite"
    app.run()
    assert app.checkbox(key="w_link_include_view").value


def test_a_link_to_a_country_without_deployments_is_ignored_with_a_notice(tmp_path, monkeypatch):
    features = [
        f for f in synthetic.deployments() if f["properties"]["country"] != "CC"
    ]  # Cland has an outline, no records
    monkeypatch.setenv(DATA_DIR_ENV, str(synthetic.write_dataset(tmp_path / "data", features)))
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["country"] = ["CC", "AA"]
    app.run()
    assert not app.exception
    assert "country='CC' (no deployment in this country)" in shown(app.warning[0].value)
    assert sentence(app) == "Showing 2 of 4 deployments: in Aland"
    assert multiselect(app, "Deployment country").value == ["AA"]
    app.run()
    assert sentence(app) == "Showing 2 of 4 deployments: in Aland"


def test_a_link_with_open_reopens_that_records_details(app):
    app.query_params["open"] = "bb-city"
    app.query_params["sector"] = "policing"
    app.run()
    assert not app.exception and not app.warning
    assert any("atlas-details" in h.value and "Bland safe city" in h.value for h in app.get("html"))
    assert url_params(app) == {"sector": ["policing"], "open": ["bb-city"]}
    app.session_state["tab"] = "Share & cite"
    app.run()
    codes = [c.value for c in app.code]
    assert "?sector=policing" in codes and "?sector=policing&open=bb-city" in codes, codes


def test_a_link_to_an_unknown_record_says_so_and_opens_nothing(app):
    app.query_params["open"] = "no-such-record"
    app.run()
    assert "open='no-such-record' (no deployment with this id)" in shown(app.warning[0].value)
    assert "open" not in url_params(app)
    assert not any("atlas-details" in h.value for h in app.get("html"))


def test_a_link_with_many_bad_values_names_a_few_and_counts_the_rest(app):
    app.query_params["vendor"] = [f"nobody-{i}" for i in range(20)]
    app.run()
    warning = shown(app.warning[0].value)
    assert warning.count("nobody-") == 8 and "and 12 more" in warning
