"""What the map shows of a large selection in one view: the records counted on a grid of square cells
(CELL_PIXELS wide on screen, in Web Mercator at the view's zoom), or, once few enough are in view, the
records themselves. Computed with numpy over the whole selection in tens of milliseconds at a million
records, so each pan or zoom is answered by the server with a payload of a few hundred cells."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo import schema
from geo.mapdata import OTHER_COLOR

CELL_PIXELS = 40  # as the record-by-record map's clusters (CLUSTER_RADIUS in geo/web/atlas.js)
POINT_LIMIT = 1500  # at most this many records in view are drawn one by one
# How a record's marker is drawn, as the record-by-record map draws it: a policy with its own symbol, any
# other record in the shape of its confidence.
POLICY_STYLE = "policy"
MARKER_STYLES = (*schema.CONFIDENCES, POLICY_STYLE)
VIEW_MARGIN = 0.5  # the view is widened by half its size on every side, so a short pan shows no gap
MAX_LAT = 85.0511287798
WORLD = (-90.0, -180.0, 90.0, 180.0)


@dataclass(frozen=True)
class View:
    """A map view: its bounds (south, west, north, east, in degrees) and its zoom."""

    south: float
    west: float
    north: float
    east: float
    zoom: int

    def widened(self, margin: float = VIEW_MARGIN) -> View:
        height, width = self.north - self.south, self.east - self.west
        return View(
            max(-90.0, self.south - margin * height),
            self.west - margin * width,
            min(90.0, self.north + margin * height),
            self.east + margin * width,
            self.zoom,
        )


def world_view(zoom: int = 2) -> View:
    return View(*WORLD, zoom)


def view_around(lat: float, lng: float, zoom: int, width: int = 1200, height: int = 600) -> View:
    """The bounds a map of `width` x `height` pixels shows around a centre at `zoom` (Web Mercator): the
    view of a saved link, before the map has reported its own."""
    scale = 256 * 2**zoom
    x, y = mercator(np.array([lng]), np.array([lat]))
    half_x, half_y = width / 2 / scale, height / 2 / scale
    west, east = lng - half_x * 360, lng + half_x * 360
    north, south = (_latitude_of(y[0] - half_y), _latitude_of(y[0] + half_y))
    return View(south, west, north, east, zoom)


def _latitude_of(y: float) -> float:
    return float(np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * min(max(y, 0.0), 1.0))))))


def view_from_map(value: Mapping[str, Any] | None, fallback: View) -> View:
    """The view streamlit-folium reports ({"bounds": {"_southWest": {...}, "_northEast": {...}}, "zoom"}),
    or `fallback` when it reports none (before the map has drawn, or without bounds)."""
    if not isinstance(value, Mapping):
        return fallback
    bounds, zoom = value.get("bounds"), value.get("zoom")
    try:
        south_west, north_east = bounds["_southWest"], bounds["_northEast"]  # type: ignore[index]
        south, west = float(south_west["lat"]), float(south_west["lng"])
        north, east = float(north_east["lat"]), float(north_east["lng"])
        zoom_level = int(round(float(zoom)))  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError):
        return fallback
    if not all(np.isfinite([south, west, north, east])) or south > north or west > east:
        return fallback
    return View(south, west, north, east, max(0, min(zoom_level, 22)))


def mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator x, y in [0, 1] (x east, y south), as Leaflet projects them."""
    x = (np.asarray(lon, dtype=float) + 180.0) / 360.0
    sin = np.sin(np.radians(np.clip(np.asarray(lat, dtype=float), -MAX_LAT, MAX_LAT)))
    y = 0.5 - np.log((1 + sin) / (1 - sin)) / (4 * np.pi)
    return x % 1.0, y


def in_view(lon: np.ndarray, lat: np.ndarray, view: View) -> np.ndarray:
    """Which points lie in the view; a view more than 360° wide (or one across the antimeridian, whose
    longitudes Leaflet reports beyond ±180) is handled by longitude modulo 360."""
    inside = (lat >= view.south) & (lat <= view.north)
    if view.east - view.west >= 360:
        return inside
    shifted = (lon - view.west) % 360.0
    return inside & (shifted <= view.east - view.west)


def view_summary(
    lon: np.ndarray,
    lat: np.ndarray,
    color_codes: np.ndarray,
    labels: Sequence[str] | pd.Series,
    selected: np.ndarray,
    view: View,
    point_limit: int = POINT_LIMIT,
    style_codes: np.ndarray | None = None,
) -> dict[str, Any]:
    """The selection in (and around) `view`: {"zoom", "selected" (records in the selection), "total"
    (those in the view), and either "points"
    ([lat, lon, colour code, position in the table, label, style code] for each) or "cells" ([lat, lon
    (their mean), count, [[colour code, count], ...] most first, south, west, north, east])}.
    `color_codes`: each record's colour (an index into the colours the page sends with it); `style_codes`:
    each record's marker style (an index into MARKER_STYLES; by default the first)."""
    wide = view.widened()
    positions = np.flatnonzero(selected & in_view(lon, lat, wide))
    counts = {"zoom": view.zoom, "selected": int(np.count_nonzero(selected))}
    counts["total"] = int(np.count_nonzero(selected & in_view(lon, lat, view)))
    if len(positions) <= point_limit:
        styles = np.zeros(len(lon), dtype=np.int8) if style_codes is None else style_codes
        return {**counts, "points": _points(lon, lat, color_codes, labels, positions, styles)}
    return {**counts, "cells": _cells(lon, lat, color_codes, positions, view.zoom)}


def _points(
    lon: np.ndarray, lat: np.ndarray, codes: np.ndarray, labels: Any, positions: np.ndarray, styles: np.ndarray
) -> list[list[Any]]:
    names = labels.take(positions).tolist() if isinstance(labels, pd.Series) else [labels[i] for i in positions]
    return [
        [round(float(a), 5), round(float(o), 5), int(c), int(p), str(n), int(s)]
        for a, o, c, p, n, s in zip(
            lat[positions], lon[positions], codes[positions], positions, names, styles[positions]
        )
    ]


def _cells(lon: np.ndarray, lat: np.ndarray, codes: np.ndarray, positions: np.ndarray, zoom: int) -> list[list[Any]]:
    lon, lat, codes = lon[positions], lat[positions], codes[positions].astype(np.int64)
    x, y = mercator(lon, lat)
    scale = 256 * 2**zoom / CELL_PIXELS
    keys = np.floor(x * scale).astype(np.int64) * (1 << 31) + np.floor(y * scale).astype(np.int64)
    cells, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    mean_lat = np.bincount(inverse, weights=lat) / counts
    mean_lon = np.bincount(inverse, weights=lon) / counts
    colors = int(codes.max()) + 1 if len(codes) else 1
    shares = np.bincount(inverse * colors + codes, minlength=len(cells) * colors).reshape(len(cells), colors)
    south, north = _extreme(inverse, lat, len(cells), np.minimum), _extreme(inverse, lat, len(cells), np.maximum)
    west, east = _extreme(inverse, lon, len(cells), np.minimum), _extreme(inverse, lon, len(cells), np.maximum)
    out = []
    for i in range(len(cells)):
        order = np.argsort(-shares[i], kind="stable")
        ring = [[int(c), int(shares[i, c])] for c in order if shares[i, c]]
        out.append(
            [
                round(float(mean_lat[i]), 5),
                round(float(mean_lon[i]), 5),
                int(counts[i]),
                ring,
                *(round(float(v[i]), 5) for v in (south, west, north, east)),
            ]
        )
    return out


def _extreme(groups: np.ndarray, values: np.ndarray, size: int, ufunc: Any) -> np.ndarray:
    start = np.inf if ufunc is np.minimum else -np.inf
    out = np.full(size, start)
    ufunc.at(out, groups, values)
    return out


def _codes_per_category(values: pd.Series, code_of: Callable[[Any], int], missing: int, dtype: Any) -> np.ndarray:
    """Each value's code, `code_of` worked out once per distinct value (`missing` for a missing value)."""
    column = values.astype("category")
    per_category = np.array([code_of(c) for c in column.cat.categories], dtype=dtype)
    codes = column.cat.codes.to_numpy()
    return np.where(codes >= 0, per_category[np.maximum(codes, 0)], missing).astype(dtype)


def color_codes(vendors: pd.Series, colors: Mapping[str, str], palette: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Each record's colour as an index into the returned list of colours (its first vendor's colour, as
    the record-by-record map draws it), worked out once per distinct tuple of vendors."""
    shown = [*palette, OTHER_COLOR]
    index = {c: i for i, c in enumerate(shown)}

    def code_of(ids: Any) -> int:
        return index.get(colors.get(ids[0], OTHER_COLOR), len(palette)) if len(ids) else len(palette)

    return _codes_per_category(vendors, code_of, len(palette), np.int16), shown


def style_codes(deployments: pd.DataFrame) -> np.ndarray:
    """Each record's marker style, as an index into MARKER_STYLES: POLICY_STYLE for a policy record, else
    its confidence (a value outside schema.CONFIDENCES, which validation does not let through, as the first)."""
    index = {style: i for i, style in enumerate(MARKER_STYLES)}
    codes = _codes_per_category(deployments["confidence"], lambda c: index.get(c, 0), 0, np.int8)
    if "kind" in deployments:
        codes = np.where(deployments["kind"].to_numpy() == "policy", index[POLICY_STYLE], codes).astype(np.int8)
    return codes


@dataclass(frozen=True, eq=False)
class PointLayer:
    """What the summaries of one large dataset are computed from, made once per loaded dataset: each
    record's position, colour code, marker style and label, in the order of the deployments table."""

    lon: np.ndarray
    lat: np.ndarray
    codes: np.ndarray
    colors: list[str]  # the colour of each code
    labels: pd.Series  # what a record's marker is called (its name)
    ids: pd.Series
    styles: np.ndarray  # style_codes()

    def summary(self, selected: np.ndarray, view: View, point_limit: int = POINT_LIMIT) -> dict[str, Any]:
        return view_summary(self.lon, self.lat, self.codes, self.labels, selected, view, point_limit, self.styles)

    def has_policies(self, selected: np.ndarray) -> bool:
        """Whether the selection (a mask over the records) holds a policy record."""
        return bool(np.any(selected & (self.styles == MARKER_STYLES.index(POLICY_STYLE))))


def point_layer(deployments: pd.DataFrame, colors: Mapping[str, str], palette: Sequence[str]) -> PointLayer:
    """The PointLayer of a lean deployments table (geo/points.py)."""
    codes, shown = color_codes(deployments["vendors"], colors, palette)
    return PointLayer(
        deployments["lon"].to_numpy(dtype=float),
        deployments["lat"].to_numpy(dtype=float),
        codes,
        shown,
        deployments["name"],
        deployments["id"],
        style_codes(deployments),
    )


def clicked_position(summary: Mapping[str, Any], clicked: Mapping[str, Any]) -> int | None:
    """The table position of the record whose marker in `summary` was clicked (streamlit-folium reports
    the marker's own position), or None when the click was on none of them."""
    try:
        lat, lng = float(clicked["lat"]), float(clicked["lng"])
    except (KeyError, TypeError, ValueError):
        return None
    for point in summary.get("points", ()):
        if abs(point[0] - lat) < 1e-6 and abs(point[1] - lng) < 1e-6:
            return int(point[3])
    return None
