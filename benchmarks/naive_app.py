"""The naive map the benchmark compares against: one folium.Marker (with a folium.Popup) per deployment in
a folium MarkerCluster, the whole map re-rendered by streamlit-folium on every run.

It uses the same data (`$ATLAS_DATA_DIR`), the same cached loading and the same vendor filter widget
(key `f_vendors`, same option order) as `app.py`, and loads Leaflet from the same local files, never a
CDN. Run it from the repository root so `.streamlit/config.toml` turns on static serving:

    ATLAS_DATA_DIR=/some/data .venv/bin/python -m streamlit run benchmarks/naive_app.py
"""

from __future__ import annotations

import html
import os
import shutil
import sys
from pathlib import Path

import folium
import streamlit as st
from branca.element import MacroElement
from folium.plugins import MarkerCluster
from jinja2 import Template
from streamlit_folium import st_folium

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.peer_filter import vendor_filtered  # noqa: E402
from geo import web  # noqa: E402
from geo.load import load_atlas  # noqa: E402
from geo.validate import DATA_DIR  # noqa: E402

# Streamlit serves `static/` next to the main script, i.e. `benchmarks/static/` for this page.
STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_URL = "../../app/static"  # from the streamlit-folium iframe (/component/<name>/index.html)
# The same view and tiles as the app's map (components/map.py).
INITIAL_CENTER, INITIAL_ZOOM = (25.0, 15.0), 2
TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILES_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
DEBIAN_JQUERY = Path("/usr/share/javascript/jquery/jquery.min.js")


def jquery_file() -> Path:
    """folium.Popup builds its content with jQuery's `$(...)` (folium takes jQuery from a CDN by default)."""
    try:
        import xstatic.pkg.jquery as xs_jquery

        return Path(xs_jquery.BASE_DIR) / "jquery.min.js"
    except ImportError:
        if DEBIAN_JQUERY.exists():
            return DEBIAN_JQUERY
        raise RuntimeError(
            "the naive page needs jQuery for folium popups: pip install XStatic-jQuery or apt-get install libjs-jquery"
        ) from None


def _copy(source: Path, target: Path) -> None:
    if (
        not target.exists()
        or target.stat().st_size != source.stat().st_size
        or target.stat().st_mtime < source.stat().st_mtime
    ):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def publish_naive_assets() -> dict[str, str]:
    """Leaflet (the XStatic file the app uses), Leaflet.markercluster (XStatic, a test requirement: the app
    clusters with its own code) and jQuery, copied into `benchmarks/static/naive/`; returns name -> URL as
    seen from the streamlit-folium iframe."""
    import xstatic.pkg.leaflet_markercluster as xs_markercluster

    markercluster = Path(xs_markercluster.BASE_DIR)
    files = {"leaflet.js": web.SCRIPTS["leaflet.js"], "leaflet.css": web.STYLES["leaflet.css"]}
    files.update(
        {
            name: markercluster / name
            for name in ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css")
        }
    )
    files["jquery.min.js"] = jquery_file()
    for name, source in files.items():
        _copy(source, STATIC_DIR / "naive" / name)
    for image in web.LEAFLET_IMAGES_DIR.iterdir():
        _copy(image, STATIC_DIR / "naive" / "images" / image.name)
    return {name: f"{STATIC_URL}/naive/{name}" for name in [*files, "images/"]}


class IconPath(MacroElement):
    """Leaflet guesses its default marker images' folder wrongly when its CSS is not applied yet; say it."""

    _template = Template(
        "{% macro script(this, kwargs) %}L.Icon.Default.imagePath = {{ this.path|tojson }};{% endmacro %}"
    )

    def __init__(self, path: str):
        super().__init__()
        self.path = path


@st.cache_resource(show_spinner="Loading deployments…")
def _load(folder: str):
    return load_atlas(Path(folder)), publish_naive_assets()


st.set_page_config(page_title="Naive folium map (benchmark)", layout="wide")
st.title("Naive folium map")

atlas, urls = _load(os.environ.get("ATLAS_DATA_DIR") or str(DATA_DIR))
selection, _ = vendor_filtered(atlas)

fmap = folium.Map(location=INITIAL_CENTER, zoom_start=INITIAL_ZOOM, tiles=None, min_zoom=1)
fmap.default_js = [("jquery", urls["jquery.min.js"]), ("leaflet", urls["leaflet.js"])]
fmap.default_css = [("leaflet_css", urls["leaflet.css"])]
IconPath(urls["images/"]).add_to(fmap)
folium.TileLayer(TILES_URL, attr=TILES_ATTRIBUTION, name="OpenStreetMap", max_zoom=19).add_to(fmap)
cluster = MarkerCluster(name="Deployments")
cluster.default_js = [("markerclusterjs", urls["leaflet.markercluster.js"])]
cluster.default_css = [
    ("markerclustercss", urls["MarkerCluster.css"]),
    ("markerclusterdefaultcss", urls["MarkerCluster.Default.css"]),
]
cluster.add_to(fmap)
for rec in selection.itertuples(index=False):
    text = f"<b>{html.escape(rec.name)}</b><br>{html.escape(', '.join(rec.vendor_names))}"
    folium.Marker([rec.geometry.y, rec.geometry.x], popup=folium.Popup(text, max_width=300)).add_to(cluster)

st_folium(fmap, key="naive", height=600, returned_objects=[])
