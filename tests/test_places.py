"""Place names for the map without tiles: which countries and cities it names, where, and from which zoom."""

import json

import shapely
import synthetic

from geo.load import load_atlas
from geo.mapdata import script_json
from geo.places import CITY_ZOOMS, LABEL_FIELDS, PLACES_ATTRIBUTION, city_labels, place_labels, read_cities
from geo.validate import DATA_DIR

MAX_PLACES_BYTES = 100_000


def labels_by_name(labels):
    return {label[0]: dict(zip(LABEL_FIELDS, label)) for label in labels}


def test_the_cities_are_natural_earths_capitals_and_major_cities_with_position_and_zoom():
    cities = city_labels(load_atlas(DATA_DIR).countries)
    assert len(cities) == len(read_cities()) == 243
    for name, lat, lon, zoom in cities:
        assert isinstance(name, str) and name.strip() and "?" not in name, name
        assert -90 <= lat <= 90 and -180 <= lon <= 180, (name, lat, lon)
        assert zoom in {z for _, z in CITY_ZOOMS} | {6}, (name, zoom)
    by_name = labels_by_name(cities)
    assert abs(by_name["Tokyo"]["lat"] - 35.69) < 0.1 and "Ōsaka" in by_name
    for capital in ("Nairobi", "Tbilisi", "Belgrade", "Kampala", "Harare", "Reykjavík", "Abuja", "Moscow"):
        assert capital in by_name, capital


def test_cities_in_large_countries_show_before_those_in_small_ones():
    by_name = labels_by_name(city_labels(load_atlas(DATA_DIR).countries))
    assert by_name["Moscow"]["min_zoom"] == 4 and by_name["Brasília"]["min_zoom"] == 4
    assert by_name["Nairobi"]["min_zoom"] == 5
    assert by_name["Vaduz"]["min_zoom"] == 7 and by_name["San Marino"]["min_zoom"] == 7  # microstates wait


def test_each_country_is_named_inside_its_outline_and_large_ones_first():
    atlas = load_atlas(DATA_DIR)
    labels = place_labels(atlas.countries)["countries"]
    assert len(labels) == len(atlas.countries)
    shapes = dict(zip(atlas.countries["name"], atlas.countries.geometry))
    for name, lat, lon, _ in labels:
        assert shapes[name].buffer(0.01).covers(shapely.Point(lon, lat)), name
    zooms = labels_by_name(labels)
    assert zooms["Russia"]["min_zoom"] == 2 and zooms["Brazil"]["min_zoom"] == 2
    assert zooms["Germany"]["min_zoom"] == 3
    assert zooms["Singapore"]["min_zoom"] == 6 and zooms["Belgium"]["min_zoom"] == 5


def test_synthetic_countries_are_named_too(tmp_path):
    atlas = load_atlas(synthetic.write_dataset(tmp_path / "data"))
    labels = labels_by_name(place_labels(atlas.countries)["countries"])
    assert set(labels) == {"Aland", "Bland", "Cland"}
    assert (labels["Aland"]["lat"], labels["Aland"]["lon"]) == (10, 10)


def test_the_place_data_is_small_and_credits_natural_earth():
    places = place_labels(load_atlas(DATA_DIR).countries)
    assert places["attribution"] == PLACES_ATTRIBUTION and "Natural Earth" in PLACES_ATTRIBUTION
    assert "public domain" in PLACES_ATTRIBUTION
    assert len(script_json(places)) <= MAX_PLACES_BYTES
    assert json.loads(script_json(places)) == json.loads(json.dumps(places))
