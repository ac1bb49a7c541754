"""Place names for the map without tiles: which countries and cities it names, where, and from which zoom."""

import json

import shapely
import synthetic

from geo.load import load_atlas
from geo.mapdata import script_json
from geo.places import (
    CAPITAL_ZOOM,
    LABEL_FIELDS,
    PLACES_ATTRIBUTION,
    SMALL_CAPITAL_ZOOM,
    city_labels,
    place_labels,
)
from geo.validate import DATA_DIR

MAX_PLACES_BYTES = 100_000


def labels_by_name(labels):
    return {label[0]: dict(zip(LABEL_FIELDS, label)) for label in labels}


def test_major_cities_come_with_name_position_and_zoom():
    cities = city_labels()
    assert 1_000 <= len(cities) <= 1_600, len(cities)
    for name, lat, lon, zoom in cities:
        assert isinstance(name, str) and name.strip(), name
        assert -90 <= lat <= 90 and -180 <= lon <= 180, (name, lat, lon)
        assert zoom in (4, 5, 6, 7), (name, zoom)
    by_name = labels_by_name(cities)
    assert by_name["Tokyo"]["min_zoom"] == 4 and abs(by_name["Tokyo"]["lat"] - 35.69) < 0.1
    assert by_name["São Paulo"]["min_zoom"] == 4


def test_capitals_show_by_the_capital_zoom_even_when_small():
    by_name = labels_by_name(city_labels())
    for capital in ("Nairobi", "Tbilisi", "Belgrade", "Kampala", "Harare", "Bogotá", "Reykjavík", "Astana"):
        assert capital in by_name, capital
        assert by_name[capital]["min_zoom"] <= CAPITAL_ZOOM, by_name[capital]
    assert by_name["Reykjavík"]["min_zoom"] == CAPITAL_ZOOM  # about 120,000 people: a capital, not a big city
    assert by_name["Vaduz"]["min_zoom"] == SMALL_CAPITAL_ZOOM  # a microstate's capital waits until zoom 7


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


def test_the_place_data_is_small_and_credits_geonames():
    places = place_labels(load_atlas(DATA_DIR).countries)
    assert places["attribution"] == PLACES_ATTRIBUTION and "GeoNames" in PLACES_ATTRIBUTION
    assert "CC BY 4.0" in PLACES_ATTRIBUTION
    assert len(script_json(places)) <= MAX_PLACES_BYTES
    assert json.loads(script_json(places)) == json.loads(json.dumps(places))
