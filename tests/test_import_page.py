"""The page's "Open your own data", driven through Streamlit's AppTest (which can set a file_uploader)."""

from pathlib import Path

from page import sentence, shown

APP = str(Path(__file__).resolve().parent.parent / "app.py")
HEADER = "id,name,city,country,lat,lon,vendor,sector,status,year,source_url,publisher,title,date,quote,source_kind"
GOOD = "aa-own,Own faces,Capital,AA,10.5,10.5,Zed Optics,transport,pilot,2019,https://news.example.org/a,Paper,Story,2019,Seen.,news"
BAD = GOOD.replace("aa-own", "aa-bad").replace(",2019,https", ",soon,https")


def upload(at, *rows: str, name: str = "mine.csv"):
    content = ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")
    at.file_uploader(key="own_upload").set_value((name, content, "text/csv")).run()
    assert not at.exception, at.exception
    return at


def show(at):
    at.button(key="own_show").click().run()
    assert not at.exception, at.exception
    return at


def test_own_data_is_shown_with_a_notice_and_its_left_out_rows_and_the_way_back(app):
    assert sentence(app) == "Showing 5 of 5 deployments"
    upload(app, GOOD, BAD)
    assert app.selectbox(key="own_map_mine.csv_guess_vendors").value == "vendor"  # prefilled from the guess
    show(app)
    assert shown(app.info[0].value).startswith("Showing your own data: mine.csv (1 record).")
    assert app.warning[0].value == "1 of 2 rows left out: they fail the atlas's checks (listed below)."
    listed = " ".join(t.value for t in app.text)
    assert (
        "record 'row 3 (aa-bad)': field \"year_start (column 'year')\": got 'soon'; expected a whole number" in listed
    )
    assert sentence(app) == "Showing 1 of 1 deployment"
    app.session_state["tab"] = "Vendor profiles"
    app.run()
    assert "Zed Optics" in app.selectbox(key="profile_vendor").options
    app.button(key="own_back").click().run()
    assert sentence(app) == "Showing 5 of 5 deployments" and not app.info


def test_the_share_tab_says_a_link_cannot_reopen_ones_own_file(app):
    show(upload(app, GOOD))
    app.session_state["tab"] = "Share & cite"
    app.run()
    assert not app.exception, app.exception
    assert any("A link cannot reopen it" in w.value for w in app.warning)
    assert not [m for m in app.markdown if m.value == "**Link to this view**"]
    assert not [c for c in app.code if "localhost" in c.value]  # no link to the atlas, no citation with one


def test_a_file_with_no_valid_row_is_refused_with_its_problems(app):
    show(upload(app, BAD))
    assert sentence(app) == "Showing 5 of 5 deployments" and not app.info
    assert app.error[0].value == "This file was not shown: no row passes the checks."
    assert any("got 'soon'; expected a whole number" in t.value for t in app.text)


def test_a_file_that_cannot_be_read_says_why(app):
    app.file_uploader(key="own_upload").set_value(("mine.csv", b"", "text/csv")).run()
    assert app.error[0].value == "This file cannot be opened:"
    assert "is empty; expected a header row and one row per deployment" in app.text[0].value


def test_a_hostile_file_name_is_shown_as_text_not_markdown(app):
    show(upload(app, GOOD, name="[click](https://evil.example) **x**.csv"))
    assert app.info[0].value.startswith("Showing your own data: ` [click](https://evil.example) **x**.csv ` (1 record)")


def test_filters_work_on_ones_own_data(app):
    second = GOOD.replace("aa-own", "aa-two").replace("Zed Optics", "Acme Vision").replace("pilot", "operational")
    show(upload(app, GOOD, second))
    assert sentence(app) == "Showing 2 of 2 deployments"
    next(w for w in app.multiselect if w.label == "Status").set_value(["pilot"]).run()
    assert sentence(app) == "Showing 1 of 2 deployments: status pilot"


def test_an_export_of_the_atlas_opens_without_a_mapping(app, data_dir):
    text = (data_dir / "deployments.geojson").read_bytes()
    app.file_uploader(key="own_upload").set_value(("export.geojson", text, "application/geo+json")).run()
    assert app.selectbox(key="own_preset_export.geojson").value == "atlas"
    assert not [s for s in app.selectbox if s.key and s.key.startswith("own_map_")]
    show(app)
    assert shown(app.info[0].value).startswith("Showing your own data: export.geojson (5 records).")
