"""Loader, join and filters on tiny synthetic data."""

import json

import pytest

from geo.filters import (
    Filters,
    Vocabulary,
    apply_filters,
    count_by_country,
    relax_suggestions,
    selection_sentence,
    vendor_counts,
    year_bounds,
)
from geo.load import explode_vendors, load_atlas


def ids(frame):
    return sorted(frame["id"])


def only(atlas, **values):
    return ids(apply_filters(atlas.deployments, Filters(**values)))


def names(**labels):
    return Vocabulary({}, labels, (2000, 2030))


def test_loader_normalises_types_and_crs(atlas):
    d = atlas.deployments
    assert d.crs.to_epsg() == 4326
    assert str(d["year_start"].dtype) == "Int64" and str(d["year_end"].dtype) == "Int64"
    assert d.loc[d["id"] == "bb-school", "cameras"].isna().all()
    assert d.loc[d["id"] == "aa-metro"].geometry.iloc[0].coords[0] == (10.0, 10.0)
    assert atlas.problems == []


def test_join_adds_vendor_names_and_home_countries(atlas):
    row = atlas.deployments.set_index("id").loc["aa-airport"]
    assert row["vendor_names"] == ["Acme Vision", "Bolt AI"]
    assert row["vendor_countries"] == ["AA", "BB"]


def test_deployment_with_several_vendors_counts_under_each(atlas):
    exploded = explode_vendors(atlas.deployments)
    assert len(exploded) == 6
    assert sorted(exploded.loc[exploded["id"] == "aa-airport", "vendor"]) == ["acme", "bolt"]


def test_bad_record_is_reported_and_left_off_but_others_load(data_dir):
    path = data_dir / "deployments.geojson"
    collection = json.loads(path.read_text())
    collection["features"][2]["properties"]["vendors"] = ["ghost"]
    path.write_text(json.dumps(collection))
    atlas = load_atlas(data_dir)
    assert len(atlas.deployments) == 4
    assert [(p.record, p.field) for p in atlas.problems] == [("bb-city", "vendors")]


def test_vendor_table_types(atlas):
    acme = atlas.vendors.set_index("id").loc["acme"]
    assert acme["entity_list_year"] == 2019 and acme["aliases"] == ["Acme", "AV"]
    assert atlas.vendors.set_index("id").loc["bolt"]["entity_list_year"] is not None


def test_filter_by_vendor_matches_any_listed_vendor(atlas):
    assert only(atlas, vendors=["bolt"]) == ["aa-airport", "bb-city"]


@pytest.mark.parametrize(
    "year_from,year_to,expected",
    [
        (2017, 2017, ["cc-mall"]),  # metro ended 2016; airport starts 2018
        (2016, 2016, ["aa-metro", "cc-mall"]),  # ends in the range's first year still count
        (2010, 2012, ["aa-metro"]),  # started exactly at the range's end
        (2021, 2030, ["aa-airport", "bb-city", "bb-school", "cc-mall"]),
        (None, 2015, ["aa-metro"]),
        (2022, None, ["aa-airport", "bb-city", "bb-school"]),
    ],
)
def test_year_range_shows_what_was_active_at_some_point(atlas, year_from, year_to, expected):
    assert only(atlas, years=(year_from, year_to)) == expected


def test_filter_by_country_and_text(atlas):
    assert only(atlas, countries=["BB"]) == ["bb-city", "bb-school"]
    assert only(atlas, text="SPECIAL operator") == ["bb-city"]
    assert only(atlas, text="interior") == ["bb-city"]
    assert only(atlas, text="capital") == ids(atlas.deployments)


@pytest.mark.parametrize(
    "filters,expected",
    [
        (Filters(sectors=("education",)), ["bb-school"]),
        (Filters(statuses=("stopped", "suspended")), ["aa-metro", "cc-mall"]),
        (Filters(confidences=("documented",)), ["aa-airport"]),
        (Filters(vendor_countries=("BB",)), ["aa-airport", "bb-city"]),
        (Filters(vendors=("acme",), countries=("AA",), years=(2017, 2020)), ["aa-airport"]),
        (Filters(), ["aa-airport", "aa-metro", "bb-city", "bb-school", "cc-mall"]),
    ],
)
def test_combined_filters(atlas, filters, expected):
    assert ids(apply_filters(atlas.deployments, filters)) == expected


def test_vendor_counts_ignore_the_vendor_filter_but_respect_others(atlas):
    counts = vendor_counts(atlas.deployments, Filters(vendors=("bolt",), countries=("AA",)))
    assert counts == {"acme": 2, "bolt": 1}


def test_country_aggregation(atlas):
    assert count_by_country(atlas.deployments) == {"AA": 2, "BB": 2, "CC": 1}


def test_year_bounds_cover_starts_and_ends(atlas):
    assert year_bounds(atlas.deployments) == (2012, 2021)


def test_data_that_all_starts_in_one_year_still_gets_a_range_of_two_years(atlas):
    one_year = atlas.deployments[atlas.deployments["year_end"].isna()].assign(year_start=2015)
    assert year_bounds(one_year) == (2015, 2016)


def test_selection_sentence_says_exactly_what_is_shown():
    filters = Filters(vendors=("huawei",), years=(2014, 2019), sectors=("policing",))
    sentence = selection_sentence(14, 83, filters, names(vendors={"huawei": "Huawei"}))
    assert sentence == "Showing 14 of 83 deployments: vendor Huawei, sector policing, active 2014–2019"


def test_selection_sentence_lists_several_values_and_text():
    filters = Filters(vendors=("a", "b"), countries=("KE",), text=" metro ")
    sentence = selection_sentence(2, 5, filters, names(vendors={"a": "A", "b": "B"}, countries={"KE": "Kenya"}))
    assert sentence == "Showing 2 of 5 deployments: vendors A or B, in Kenya, matching “metro”"
    assert selection_sentence(5, 5, Filters(), names()) == "Showing 5 of 5 deployments"


def test_relax_suggestions_name_the_filter_to_clear(atlas):
    filters = Filters(countries=("CC",), sectors=("education",))
    assert apply_filters(atlas.deployments, filters).empty
    assert relax_suggestions(atlas.deployments, filters) == [("countries", 1), ("sectors", 1)]


def test_dataset_figures_count_placeholders_among_deployments_only(atlas):
    from geo.stats import dataset_figures

    figures = dataset_figures(atlas)
    assert figures["records"] == 5 and figures["countries"] == 3
    assert figures["deployment records with a placeholder vendor"] == 1  # the mall names no vendor
    assert figures["sources by kind"] == {"news": 5, "primary": 1}
    assert figures["sources without their page's title"] == 0


def test_dataset_figures_count_the_sources_whose_page_showed_no_title(atlas):
    from geo.stats import dataset_figures

    sources = atlas.deployments["sources"].iat[0]
    atlas.deployments.at[atlas.deployments.index[0], "sources"] = [
        {**sources[0], "title": "(title not in stored text; URL slug: police-buy-cameras)"},
        *sources[1:],
    ]
    assert dataset_figures(atlas)["sources without their page's title"] == 1
