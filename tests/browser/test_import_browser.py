"""Open your own data as a reader does it: choose a file in the browser, show it on the map, go back."""

from browser.conftest import browser_test_features
from browser.helpers import map_frame, open_app, wait_for_layer_count

TOTAL = len(browser_test_features())
OWN_CSV = (
    "id,name,city,country,lat,lon,vendor,sector,status,year,source_url,publisher,date,quote,source_kind\n"
    "aa-one,First own,Capital,AA,10.5,10.5,Zed Optics,transport,pilot,2019,https://news.example.org/1,Paper,2019,Seen.,news\n"
    "aa-two,Second own,Capital,AA,11.5,11.5,Acme Vision,policing,operational,2020,https://news.example.org/2,Paper,2020,Seen.,news\n"
    "aa-bad,Broken own,Capital,AA,12.5,12.5,Acme Vision,policing,operational,soon,https://news.example.org/3,Paper,2020,Seen.,news\n"
)


def test_a_chosen_file_is_drawn_with_its_notice_and_the_way_back(page, app_url, tmp_path):
    own = tmp_path / "mine.csv"
    own.write_text(OWN_CSV, encoding="utf-8")
    wait_for_layer_count(open_app(page, app_url), TOTAL)
    page.get_by_text("Open your own data").click()
    page.locator(".st-key-own_upload input[type=file]").set_input_files(str(own))
    seen_before = len(page.requests_seen)
    page.get_by_role("button", name="Show my data").click()
    page.get_by_text("Showing your own data: mine.csv (2 records)").wait_for(timeout=30_000)
    page.get_by_text("1 of 3 rows left out").wait_for()
    assert page.get_by_text("got 'soon'; expected a whole number").count() == 1
    frame = map_frame(page)
    wait_for_layer_count(frame, 2)
    # The records reach the map as data: URLs: no file of them is fetched from the server (or written there).
    assert frame.evaluate("window.atlasLoadDetails().then(() => true)")
    fetched = [u for u in page.requests_seen[seen_before:] if "/atlas/deployments-" in u or "/atlas/details-" in u]
    assert fetched == []
    page.get_by_role("button", name="Back to the atlas").click()
    page.locator("strong", has_text=f"Showing {TOTAL} of {TOTAL} deployments").wait_for(timeout=30_000)
    wait_for_layer_count(map_frame(page), TOTAL)
