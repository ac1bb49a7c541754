"""Filters as a reader uses them with the mouse: combined filters keep their values, Reset clears for good,
and the country shading keeps the reader's choice."""

from urllib.parse import parse_qs, urlparse

import synthetic

from browser.conftest import browser_test_features, running_app
from browser.helpers import choose, map_frame, open_app, wait_for_layer_count

TOTAL = len(browser_test_features())


def sentence_shows(page, text: str) -> None:
    page.locator("strong", has_text=text).wait_for(timeout=20_000)


def url_params(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def chips(page, key: str) -> list[str]:
    """The chosen options of a multiselect, as its chips name them."""
    tags = page.locator(f".st-key-{key} [data-tag]")
    return [tags.nth(i).get_attribute("aria-label") or "" for i in range(tags.count())]


def test_a_vendor_stays_chosen_when_other_filters_change_its_count(page, app_url):
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    choose(page, "f_vendors", "Bolt AI")  # 2 deployments, one of them in Bland
    sentence_shows(page, "Showing 2 of 6 deployments: vendor Bolt AI")
    choose(page, "f_countries", "Bland")  # Bolt AI's count drops to 1
    sentence_shows(page, "Showing 1 of 6 deployments: vendor Bolt AI, in Bland")
    choose(page, "f_statuses", "Operational")
    sentence_shows(page, "Showing 1 of 6 deployments: vendor Bolt AI, in Bland, status operational")
    assert [c.strip() for c in chips(page, "f_vendors")] == ["Bolt AI"]
    page.wait_for_function("location.search.includes('status=operational')")
    assert url_params(page) == {"vendor": ["bolt"], "country": ["BB"], "status": ["operational"]}
    wait_for_layer_count(map_frame(page), 1)


def test_reset_clears_every_filter_and_the_next_change_does_not_bring_them_back(page, app_url):
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    choose(page, "f_vendor_countries", "Aland")
    choose(page, "f_sectors", "Transport")
    search = page.locator(".st-key-f_text input")
    search.fill("metro")
    search.press("Enter")
    sentence_shows(page, "Showing 1 of 6 deployments: vendors based in Aland, sector transport, matching “metro”")
    page.get_by_role("button", name="Reset filters").click()
    sentence_shows(page, f"Showing {TOTAL} of {TOTAL} deployments")
    # The widgets redraw just after the sentence; give them a moment (a box that keeps "metro" still fails).
    page.wait_for_function("document.querySelector('.st-key-f_text input').value === ''", timeout=5_000)
    assert search.input_value() == "" and chips(page, "f_sectors") == [] and chips(page, "f_vendor_countries") == []
    choose(page, "f_countries", "Bland")
    sentence_shows(page, "Showing 2 of 6 deployments: in Bland")
    page.wait_for_timeout(500)
    assert page.locator("strong", has_text="Showing").first.inner_text() == "Showing 2 of 6 deployments: in Bland"
    assert search.input_value() == ""
    page.wait_for_function("location.search === '?country=BB'")


def test_country_shading_stays_on_across_filter_changes_with_a_colour_scale(page, app_url):
    frame = open_app(page, app_url)
    wait_for_layer_count(frame, TOTAL)
    frame.get_by_text("Deployments per country").click()
    frame.wait_for_function("document.querySelectorAll('.leaflet-overlay-pane path').length === 3")
    legend = frame.locator(".atlas-shading-legend")
    assert legend.inner_text().split("\n") == ["Deployments per country", "1", "2"]
    choose(page, "f_countries", "Bland")
    sentence_shows(page, "Showing 2 of 6 deployments: in Bland")
    wait_for_layer_count(frame, 2)
    frame.wait_for_function("document.querySelectorAll('.leaflet-overlay-pane path').length === 1")
    assert frame.locator(".atlas-shading-legend").inner_text().split("\n") == ["Deployments per country", "1", "2"]
    frame.get_by_text("Deployments per country").first.click()  # off again, by the reader
    frame.wait_for_function("document.querySelectorAll('.leaflet-overlay-pane path').length === 0")
    assert frame.locator(".atlas-shading-legend").count() == 0


def test_the_vendor_timeline_is_tall_enough_to_read_with_labelled_years(page, app_url):
    open_app(page, app_url)
    page.get_by_role("tab", name="Vendor profiles").click()
    y_axis = page.locator("[data-testid=stVegaLiteChart] g.role-axis[aria-label^='Y-axis']")
    y_axis.wait_for(timeout=20_000)
    assert y_axis.bounding_box()["height"] >= 120
    x_axis = page.locator("[data-testid=stVegaLiteChart] g.role-axis[aria-label^='X-axis']")
    assert "Year" in x_axis.get_attribute("aria-label") and x_axis.locator("text").count() >= 2


def test_the_timeline_shows_each_records_status_as_of_the_year(page, tmp_path_factory):
    features = [*synthetic.deployments(), synthetic.face_pay()]
    with running_app(synthetic.write_dataset(tmp_path_factory.mktemp("face-pay") / "data", features)) as url:
        page.goto(f"{url}?status=announced&to=2020")
        sentence_shows(page, "Showing 1 of 6 deployments: status announced, active in or before 2020")
        frame = map_frame(page)
        wait_for_layer_count(frame, 1)
        assert frame.evaluate("window.atlasDeployments.getLayers()[0].atlasId") == "aa-face-pay"
        handle = page.get_by_role("slider").last  # the end of the year range: 2020 -> 2021
        handle.focus()
        page.keyboard.press("ArrowRight")
        sentence_shows(page, "Showing 0 of 6 deployments: status announced")  # operational from 2021
        wait_for_layer_count(frame, 0)  # the same map: an empty selection does not remount it


def test_policies_have_their_own_symbol_legend_entry_and_filter(page, tmp_path_factory):
    features = synthetic.deployments()
    features.append(
        synthetic.deployment(
            "bb-city-ban", 33, 12, kind="policy", name="Bland city ban", country="BB", vendors=[],
            sources=[synthetic.source(9, "primary")], confidence="documented",
        )
    )  # fmt: skip
    with running_app(synthetic.write_dataset(tmp_path_factory.mktemp("policy") / "data", features)) as url:
        frame = open_app(page, url)
        wait_for_layer_count(frame, 6)
        sentence_shows(page, "Showing 6 of 6 records")
        assert "Policy (ban, ruling, decision)" in frame.locator(".atlas-legend").inner_text()
        choose(page, "f_kinds", "Policy")
        sentence_shows(page, "Showing 1 of 6 records: kind policy (ban, ruling, decision)")
        wait_for_layer_count(frame, 1)
        frame.evaluate("window.atlasMap.setView([12, 33], 8, {animate: false}); null")
        frame.locator(".leaflet-marker-pane .atlas-k-policy").wait_for()
