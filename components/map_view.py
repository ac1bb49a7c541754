"""Render the map with streamlit-folium and report which deployment (if any) was clicked."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping, MutableMapping
from typing import Any, cast

import folium
import geopandas as gpd
import numpy as np
import streamlit as st
from streamlit_folium import st_folium

from components.details import SELECTED_KEY
from components.map import INITIAL_ZOOM, base_map, selection_layers, summary_layers
from geo.aggregate import PointLayer, clicked_position, view_around, view_from_map, world_view
from geo.filters import count_by_country
from geo.mapdata import legend_entries, rows_bitset
from geo.permalink import MapView
from geo.summaries import find_clicked

MAP_KEY = "atlas_map"
POINT_MAP_KEY = "atlas_point_map"  # the map of a large dataset (_render_point_map)
HANDLED_CLICK_KEY = "point_map_click"  # the click on that map the page has already opened
TRACKED_VIEW_KEY = "point_map_view"  # the view of that map the page last reran for (with the view in the link)
MAP_HEIGHT = 600
TAB_KEY = "tab"  # the key of the page's tabs (app.py)
TABLE_TAB = "Table"
# When the map's selection has changed, the widgets drawn after it (the sidebar) are sent no sooner than this
# after the map's update started: Streamlit's browser side renders the deltas that arrive together in one pass,
# and the sidebar's nine widgets take about 60 ms of it at 10,000 deployments, so the map would wait for them
# (benchmarks/README.md).
MAP_HEAD_START_SECONDS = 0.04
SHOWN_SELECTION_KEY = "map_shown_selection"  # a digest of the selection the map showed in the last run
MAP_CHANGED_AT_KEY = "map_changed_at"  # time.monotonic() when this run sent the map a new selection, else None


def _show_table() -> None:
    st.session_state[TAB_KEY] = TABLE_TAB


def render_skip_link(count: int) -> None:
    """A first stop for keyboard and screen-reader users: the same selection as a table, without the map."""
    st.button(
        f"Skip the map: show these {count:,} records as a table",
        key="skip_map",
        on_click=_show_table,
        type="tertiary",
        icon=":material/table_rows:",
    )


def render_map(
    all_deployments: gpd.GeoDataFrame,
    selection: gpd.GeoDataFrame,
    colors: Mapping[str, str],
    vendor_names: Mapping[str, str],
    country_names: Mapping[str, str],
    asset_urls: Mapping[str, str],
    view: MapView | None = None,
    track_view: bool = False,
    points: PointLayer | None = None,
) -> tuple[str | None, MapView | None]:
    """Draw the selection; return the id of the deployment clicked last (if any) and, when `track_view`
    is on, the map's current view (only then do pans and zooms rerun the page). A large dataset (`points`)
    is drawn by _render_point_map, which opens a clicked record itself.

    The base map is identical on every run, so streamlit-folium keeps it mounted (pan and zoom survive);
    only the feature groups are swapped. Only clicks are returned, so panning does not rerun the page."""
    positions = all_deployments.index.get_indexer(selection.index)
    state = cast(MutableMapping[str, Any], st.session_state)
    legend = legend_entries(selection, colors, vendor_names)
    counts = count_by_country(selection)
    if points is not None:
        selected = np.zeros(len(all_deployments), dtype=bool)
        selected[positions] = True
        note_selection_sent(state, np.packbits(selected).tobytes())
        return None, _render_point_map(points, selected, legend, counts, country_names, asset_urls, view, track_view)
    visible_rows = rows_bitset(positions, len(all_deployments))
    note_selection_sent(state, visible_rows.encode("ascii"))
    returned = ["last_object_clicked", "last_object_clicked_tooltip"] + (["center", "zoom"] if track_view else [])
    layers = selection_layers(visible_rows, legend, counts, country_names, returned, keep_view=view is not None)
    result = st_folium(
        base_map(asset_urls),
        key=MAP_KEY,
        height=MAP_HEIGHT,
        use_container_width=True,
        feature_group_to_add=layers,
        layer_control=folium.LayerControl(collapsed=False),
        returned_objects=returned,
        center=(view.lat, view.lng) if view else None,
        zoom=view.zoom if view else None,
    )
    st.caption("Click a point, or Tab to it and press Enter, for its details and sources.")
    result = result or {}
    clicked = result.get("last_object_clicked")
    clicked_id = (
        find_clicked(selection, clicked["lat"], clicked["lng"], result.get("last_object_clicked_tooltip"))
        if clicked
        else None
    )
    return clicked_id, current_view(result) if track_view else None


def note_selection_sent(state: MutableMapping[str, Any], shown: bytes, now: float | None = None) -> bool:
    """Record whether this run sends the map a different selection from the last run's (and when). `shown` is
    the selection as one bit per record (a bitset: 125 kB at 1,000,000 records, hashed in well under 1 ms)."""
    digest = hashlib.blake2b(shown, digest_size=16).hexdigest()
    changed = state.get(SHOWN_SELECTION_KEY) != digest
    state[SHOWN_SELECTION_KEY] = digest
    state[MAP_CHANGED_AT_KEY] = (time.monotonic() if now is None else now) if changed else None
    return changed


def map_head_start_left(state: Mapping[str, Any], now: float | None = None) -> float:
    """Seconds still to wait before drawing the widgets after a map that got a new selection (0 if none)."""
    changed_at = state.get(MAP_CHANGED_AT_KEY)
    if changed_at is None:
        return 0.0
    return max(0.0, MAP_HEAD_START_SECONDS - ((time.monotonic() if now is None else now) - changed_at))


def give_the_map_a_head_start() -> None:
    """Pause (once per new selection) so that the browser draws the map before it renders the widgets."""
    left = map_head_start_left(cast(Mapping[str, Any], st.session_state))
    st.session_state[MAP_CHANGED_AT_KEY] = None
    if left > 0:
        time.sleep(left)


def current_view(result: Mapping) -> MapView | None:
    center, zoom = result.get("center"), result.get("zoom")
    if not center or zoom is None:
        return None
    return MapView(round(float(center["lat"]), 4), round(float(center["lng"]), 4), int(zoom))


def _render_point_map(
    points: PointLayer,
    selected: np.ndarray,
    legend: list[dict[str, str]],
    counts: Mapping[str, int],
    country_names: Mapping[str, str],
    asset_urls: Mapping[str, str],
    view: MapView | None,
    track_view: bool,
) -> MapView | None:
    """Draw a large selection (geo/points.py; `selected`: a mask over its records) as the server's summary
    of the view, opening at `view` (a saved link's) if given; return the map's current view when
    `track_view` is on. Panning and zooming rerun only the map (a fragment), which sends the summary of the
    new view, unless the view is tracked (then the page reruns, so that its link follows); a click on a
    record opens it (a rerun of the whole page)."""
    _point_map(points, selected, legend, counts, country_names, asset_urls, view, track_view)
    st.caption("Zoom in, or click a bubble, to see the records themselves; click one for its details and sources.")
    return reported_view() if track_view else None


def reported_view() -> MapView | None:
    """The view the large dataset's map last reported (its centre and zoom), if it has."""
    reported = st.session_state.get(POINT_MAP_KEY)
    if not isinstance(reported, Mapping) or not reported.get("bounds"):
        return None
    shown = view_from_map(reported, world_view(INITIAL_ZOOM))
    return MapView(round((shown.south + shown.north) / 2, 4), round((shown.west + shown.east) / 2, 4), shown.zoom)


@st.fragment
def _point_map(
    points: PointLayer,
    selected: np.ndarray,
    legend: list[dict[str, str]],
    counts: Mapping[str, int],
    country_names: Mapping[str, str],
    asset_urls: Mapping[str, str],
    view: MapView | None,
    track_view: bool,
) -> None:
    state = st.session_state
    reported = state.get(POINT_MAP_KEY)  # what the map last reported (its view, the last click)
    opening = view_around(view.lat, view.lng, view.zoom, height=MAP_HEIGHT) if view else world_view(INITIAL_ZOOM)
    summary = points.summary(selected, view_from_map(reported, opening))
    st_folium(
        base_map(asset_urls),
        key=POINT_MAP_KEY,
        height=MAP_HEIGHT,
        use_container_width=True,
        feature_group_to_add=summary_layers(
            summary, points.colors, legend, counts, country_names, points.has_policies(selected)
        ),
        layer_control=folium.LayerControl(collapsed=False),
        returned_objects=["last_object_clicked", "bounds", "zoom"],
        center=(view.lat, view.lng) if view else None,
        zoom=view.zoom if view else None,
    )
    clicked = reported.get("last_object_clicked") if isinstance(reported, Mapping) else None
    if clicked and clicked != state.get(HANDLED_CLICK_KEY):
        state[HANDLED_CLICK_KEY] = clicked
        position = clicked_position(summary, clicked)
        if position is not None:
            state[SELECTED_KEY] = str(points.ids.iat[position])
            st.rerun(scope="app")
    if track_view and reported_view() != state.get(TRACKED_VIEW_KEY):
        state[TRACKED_VIEW_KEY] = reported_view()
        st.rerun(scope="app")  # the page's link and share tab follow the view
