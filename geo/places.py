"""Place names for the offline basemap: country names at a point inside each outline, and major cities.

When map tiles cannot load, the map still shows where things are: country names (from the outlines in
`data/countries.geojson`) and the national capitals and other major cities in `data/cities.csv` (built by
`scripts/build_cities.py`), both Natural Earth, public domain. Each label carries the lowest zoom level at
which the map shows it, so the world view shows large countries only and cities appear as the reader
zooms in: a city in a large country sooner than one in a small country (Europe's microstates would
otherwise crowd each other out).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import Point

CITIES_FILE = Path(__file__).resolve().parent.parent / "data" / "cities.csv"
# A label is [name, lat, lon, min_zoom].
LABEL_FIELDS = ("name", "lat", "lon", "min_zoom")
PLACES_ATTRIBUTION = 'Place names: <a href="https://www.naturalearthdata.com/">Natural Earth</a> (public domain)'
COORDINATE_DECIMALS = 2  # about 1 km: more than a label needs

# Country area (square degrees, on the map's plate carrée) -> lowest zoom showing its name.
COUNTRY_ZOOMS = ((300.0, 2), (40.0, 3), (5.0, 4), (0.5, 5), (0.0, 6))
# The same area -> lowest zoom showing the names of the cities in it; a city in no outline shows from 6.
CITY_ZOOMS = ((300.0, 4), (40.0, 5), (5.0, 5), (0.5, 6), (0.0, 7))
CITY_ZOOM_OUTSIDE = 6


def _zoom_for(value: float, steps: tuple[tuple[float, int], ...]) -> int | None:
    return next((zoom for threshold, zoom in steps if value >= threshold), None)


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


def read_cities(path: Path = CITIES_FILE) -> list[tuple[str, float, float]]:
    """(name, lat, lon) of every city in the file."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [(row["name"], float(row["lat"]), float(row["lon"])) for row in csv.DictReader(handle)]


_CITY_LABELS: dict[int, tuple[tuple[Any, ...], ...]] = {}  # by the countries frame's identity (read once)


def city_labels(countries: gpd.GeoDataFrame) -> tuple[tuple[Any, ...], ...]:
    """Every city of data/cities.csv with the lowest zoom that shows it (by the size of its country)."""
    key = id(countries)
    if key not in _CITY_LABELS:
        rows = read_cities()
        points = gpd.GeoDataFrame(
            {"name": [r[0] for r in rows]}, geometry=[Point(r[2], r[1]) for r in rows], crs=countries.crs
        )
        areas = [g.area if g is not None else 0.0 for g in countries.geometry]  # square degrees, on purpose
        shapes = gpd.GeoDataFrame({"area": areas}, geometry=countries.geometry, crs=countries.crs)
        joined = gpd.sjoin(points, shapes, how="left", predicate="within")
        largest = joined.groupby(level=0)["area"].max()
        labels = []
        for index, (name, lat, lon) in enumerate(rows):
            area = largest.get(index)
            zoom = CITY_ZOOM_OUTSIDE if area is None or area != area else _zoom_for(float(area), CITY_ZOOMS)
            labels.append((name, round(lat, COORDINATE_DECIMALS), round(lon, COORDINATE_DECIMALS), zoom))
        _CITY_LABELS.clear()
        _CITY_LABELS[key] = tuple(sorted(labels, key=lambda label: (label[3], label[0])))
    return _CITY_LABELS[key]


def place_labels(countries: gpd.GeoDataFrame) -> dict[str, Any]:
    """What the map's place-name layer draws: country and city labels, and the credit for the city names."""
    return {
        "countries": country_labels(countries),
        "cities": [list(label) for label in city_labels(countries)],
        "attribution": PLACES_ATTRIBUTION,
    }
