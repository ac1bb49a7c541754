"""The WebGL peer the benchmark compares against: Streamlit's own `st.pydeck_chart` with one deck.gl
`ScatterplotLayer` of the selected deployments, rebuilt and sent on every run.

It uses the same data (`$ATLAS_DATA_DIR`), the same cached loading and the same vendor filter widget
(key `f_vendors`, same option order and labels) as `benchmarks/naive_app.py`. There is no basemap
(`map_provider=None` and no `map_style`: nothing is fetched from Mapbox or Carto); each point is coloured by
its first vendor and hovering shows its name. Run it from the repository root:

    ATLAS_DATA_DIR=/some/data .venv/bin/python -m streamlit run benchmarks/pydeck_app.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd
import pydeck
import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.peer_filter import vendor_filtered  # noqa: E402
from geo.cache import load_atlas_cached  # noqa: E402
from geo.validate import DATA_DIR  # noqa: E402

# The naive page's start view (Leaflet zoom 2). deck.gl's zoom counts 512-pixel tiles where Leaflet counts
# 256-pixel ones, so Leaflet's zoom 2 is deck.gl's zoom 1: the same part of the world is in view.
INITIAL_LATITUDE, INITIAL_LONGITUDE, INITIAL_ZOOM = 25.0, 15.0, 1
HEIGHT = 600
# Tableau's 10 categorical colours, one per vendor in option order (cycled).
PALETTE = (
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
)


@st.cache_resource(show_spinner="Loading deployments…")
def _load(folder: str):
    # A folder of points (geo/points.py) is read as the app reads it: the lean table, from the same cache.
    return load_atlas_cached(Path(folder))


def vendor_colours(options: list[str]) -> dict[str, list[int]]:
    """A colour per vendor id, stable for the session (by position in the full option list)."""
    return {v: [*PALETTE[i % len(PALETTE)], 200] for i, v in enumerate(options)}


def points(selection: pd.DataFrame, colours: dict[str, list[int]]) -> pd.DataFrame:
    """lon, lat, name and colour (of the first vendor) of each selected deployment."""
    grey = [*PALETTE[7], 200]
    lean = "lon" in selection.columns  # a large dataset's lean table has its coordinates as columns
    return pd.DataFrame(
        {
            "lon": selection["lon"].to_numpy() if lean else selection.geometry.x.to_numpy(),
            "lat": selection["lat"].to_numpy() if lean else selection.geometry.y.to_numpy(),
            "name": selection["name"].to_numpy(),
            "color": [colours.get(vs[0], grey) if len(vs) else grey for vs in selection["vendors"]],
        }
    )


st.set_page_config(page_title="pydeck map (benchmark)", layout="wide")
st.title("pydeck map")

folder = os.environ.get("ATLAS_DATA_DIR") or str(DATA_DIR)
try:
    atlas = _load(folder)
except (OSError, ValueError) as error:
    st.error(f"Could not load the data in `{folder}`: {error}")
    st.stop()
selection, options = vendor_filtered(atlas)

layer = pydeck.Layer(
    "ScatterplotLayer",
    data=points(selection, vendor_colours(options)),
    id="deployments",
    get_position="[lon, lat]",
    get_fill_color="color",
    get_radius=3000,
    radius_min_pixels=3,
    radius_max_pixels=12,
    pickable=True,
)
deck = pydeck.Deck(
    layers=[layer],
    initial_view_state=pydeck.ViewState(latitude=INITIAL_LATITUDE, longitude=INITIAL_LONGITUDE, zoom=INITIAL_ZOOM),
    map_provider=None,  # no basemap; map_style is left out on purpose: Streamlit reads map_style=None as
    # "the default Carto basemap for the theme" and would fetch basemaps.cartocdn.com
    tooltip={"text": "{name}"},
)
st.pydeck_chart(deck, height=HEIGHT)
