"""Render the map with streamlit-folium and report which deployment (if any) was clicked."""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from components.map import base_map, selection_layers
from geo.filters import count_by_country
from geo.mapdata import legend_entries, rows_bitset
from geo.permalink import MapView
from geo.summaries import find_clicked

MAP_KEY = "atlas_map"
MAP_HEIGHT = 600
TAB_KEY = "tab"  # the key of the page's tabs (app.py)
TABLE_TAB = "Table"


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
) -> tuple[str | None, MapView | None]:
    """Draw the selection; return the id of the deployment clicked last (if any) and, when `track_view`
    is on, the map's current view (only then do pans and zooms rerun the page).

    The base map is identical on every run, so streamlit-folium keeps it mounted (pan and zoom survive);
    only the feature groups are swapped. Only clicks are returned, so panning does not rerun the page."""
    visible_rows = rows_bitset(all_deployments.index.get_indexer(selection.index), len(all_deployments))
    legend = legend_entries(selection, colors, vendor_names)
    returned = ["last_object_clicked", "last_object_clicked_tooltip"] + (["center", "zoom"] if track_view else [])
    layers = selection_layers(
        visible_rows, legend, count_by_country(selection), country_names, returned, keep_view=view is not None
    )
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


def current_view(result: Mapping) -> MapView | None:
    center, zoom = result.get("center"), result.get("zoom")
    if not center or zoom is None:
        return None
    return MapView(round(float(center["lat"]), 4), round(float(center["lng"]), 4), int(zoom))
