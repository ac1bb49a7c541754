"""A large selection counted per view (geo/aggregate.py): cells that add up to the records in and around the
view, records once few are in view, views read from what the map reports, and clicks matched to records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.aggregate import (
    CELL_PIXELS,
    MARKER_STYLES,
    View,
    clicked_position,
    color_codes,
    in_view,
    mercator,
    point_layer,
    style_codes,
    view_around,
    view_from_map,
    view_summary,
    world_view,
)


def grid(n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """n x n records spread over lon -20..20, lat -20..20."""
    lon, lat = np.meshgrid(np.linspace(-20, 20, n), np.linspace(-20, 20, n))
    return lon.ravel(), lat.ravel()


def test_mercator_places_points_as_leaflet_does() -> None:
    x, y = mercator(np.array([0.0, -180.0, 90.0]), np.array([0.0, 0.0, 85.0511287798]))
    assert x.tolist() == pytest.approx([0.5, 0.0, 0.75])
    assert y.tolist() == pytest.approx([0.5, 0.5, 0.0], abs=1e-9)


def test_a_view_across_the_antimeridian_holds_the_points_on_both_sides() -> None:
    lon, lat = np.array([179.0, -179.0, 0.0, 170.0]), np.array([0.0, 0.0, 0.0, 50.0])
    across = View(-10, 175, 10, 185, 5)  # Leaflet reports longitudes beyond 180 after a pan east
    assert in_view(lon, lat, across).tolist() == [True, True, False, False]
    assert in_view(lon, lat, View(-90, -400, 90, 400, 0)).all()


def test_cells_count_every_selected_record_in_and_around_the_view_once() -> None:
    lon, lat = grid()
    selected = np.ones(len(lon), dtype=bool)
    selected[::3] = False
    codes = np.zeros(len(lon), dtype=np.int16)
    codes[::2] = 1
    summary = view_summary(lon, lat, codes, pd.Series(["x"] * len(lon)), selected, world_view(3), point_limit=100)
    assert summary["selected"] == summary["total"] == int(selected.sum())
    cells = summary["cells"]
    assert sum(c[2] for c in cells) == int(selected.sum())
    for lat_c, lon_c, n, shares, south, west, north, east in cells:
        assert sum(count for _, count in shares) == n
        assert [count for _, count in shares] == sorted((count for _, count in shares), reverse=True)
        assert south <= lat_c <= north and west <= lon_c <= east
    assert {code for c in cells for code, _ in c[3]} == {0, 1}


def test_cells_are_a_fixed_number_of_pixels_wide_so_zooming_in_splits_them() -> None:
    lon, lat = grid()
    everything = np.ones(len(lon), dtype=bool)
    codes = np.zeros(len(lon), dtype=np.int16)
    labels = pd.Series(["x"] * len(lon))
    counts = [len(view_summary(lon, lat, codes, labels, everything, world_view(z), 10)["cells"]) for z in (1, 3, 5)]
    assert counts[0] < counts[1] < counts[2]
    # At zoom 1 a 40-pixel cell is 360 / (2 * 256 / 40) = 28.1 degrees wide: the 40 degrees of data span 2-3.
    assert 256 * 2**1 / CELL_PIXELS == 12.8 and counts[0] <= 9


def test_few_records_in_view_are_sent_as_records_with_their_position_and_name() -> None:
    lon, lat = np.array([10.0, 10.5, 50.0]), np.array([10.0, 10.5, 50.0])
    labels = pd.Series(["<a>", "b", "far away"])
    summary = view_summary(lon, lat, np.array([2, 0, 1]), labels, np.ones(3, bool), View(5, 5, 15, 15, 8))
    assert summary["total"] == 2 and summary["selected"] == 3
    assert summary["points"] == [[10.0, 10.0, 2, 0, "<a>", 0], [10.5, 10.5, 0, 1, "b", 0]]


def test_a_record_in_view_carries_its_marker_shape_a_policy_its_own() -> None:
    table = pd.DataFrame(
        {
            "lon": [10.0, 10.2, 10.4, 10.6],
            "lat": [10.0, 10.2, 10.4, 10.6],
            "name": ["a", "b", "c", "ban"],
            "id": ["a", "b", "c", "ban"],
            "vendors": [("x",), ("x",), (), ()],
            "confidence": ["claimed", "documented", "reported", "documented"],
            "kind": ["deployment", "deployment", "deployment", "policy"],
        }
    )
    assert [MARKER_STYLES[c] for c in style_codes(table)] == ["claimed", "documented", "reported", "policy"]
    layer = point_layer(table, {"x": "#123456"}, ["#123456"])
    summary = layer.summary(np.ones(4, bool), View(5, 5, 15, 15, 8))
    assert [MARKER_STYLES[p[5]] for p in summary["points"]] == ["claimed", "documented", "reported", "policy"]
    assert layer.has_policies(np.ones(4, bool)) and not layer.has_policies(np.array([True, True, True, False]))


def test_an_unselected_record_is_neither_counted_nor_drawn() -> None:
    lon, lat = np.array([10.0, 10.5]), np.array([10.0, 10.5])
    summary = view_summary(
        lon, lat, np.zeros(2, np.int16), pd.Series(["a", "b"]), np.array([True, False]), world_view()
    )
    assert [p[4] for p in summary["points"]] == ["a"] and summary["total"] == 1


def test_the_view_the_map_reports_is_read_and_anything_else_falls_back() -> None:
    fallback = world_view(2)
    bounds = {"_southWest": {"lat": -10, "lng": 20}, "_northEast": {"lat": 15, "lng": 60}}
    assert view_from_map({"bounds": bounds, "zoom": 4.0}, fallback) == View(-10, 20, 15, 60, 4)
    assert view_from_map(None, fallback) is fallback
    assert view_from_map({"bounds": None, "zoom": 4}, fallback) is fallback
    assert view_from_map({"bounds": {"_southWest": {"lat": None, "lng": 0}}, "zoom": 4}, fallback) is fallback
    flipped = {"_southWest": {"lat": 20, "lng": 20}, "_northEast": {"lat": 10, "lng": 60}}
    assert view_from_map({"bounds": flipped, "zoom": 4}, fallback) is fallback
    assert view_from_map({"bounds": bounds, "zoom": 99}, fallback).zoom == 22


def test_the_view_around_a_saved_centre_is_as_wide_as_the_map() -> None:
    view = view_around(48.85, 2.35, 10, width=1024, height=512)
    assert view.zoom == 10
    assert view.east - view.west == pytest.approx(1024 / (256 * 2**10) * 360)
    assert view.south < 48.85 < view.north and view.north - view.south < view.east - view.west


def test_a_click_is_matched_to_the_record_drawn_there() -> None:
    summary = {"points": [[10.0, 20.0, 0, 7, "a"], [10.00001, 20.0, 0, 9, "b"]]}
    assert clicked_position(summary, {"lat": 10.00001, "lng": 20.0}) == 9
    assert clicked_position(summary, {"lat": 11.0, "lng": 20.0}) is None
    assert clicked_position({"cells": []}, {"lat": 10.0, "lng": 20.0}) is None
    assert clicked_position(summary, {"lat": "x"}) is None


def test_colours_are_the_first_vendors_and_others_share_the_last_code() -> None:
    vendors = pd.Series([("acme", "bolt"), ("bolt",), ("zeta",), ()], dtype="category")
    codes, shown = color_codes(vendors, {"acme": "#0072B2", "bolt": "#E69F00"}, ("#0072B2", "#E69F00"))
    assert shown == ["#0072B2", "#E69F00", "#999999"]
    assert codes.tolist() == [0, 1, 2, 2]
