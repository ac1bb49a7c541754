"""Browser assets for the map: Leaflet and MarkerCluster from the XStatic packages that
`requirements.txt` installs (never a CDN), plus this project's own `atlas.js` and `atlas.css`."""

from __future__ import annotations

from pathlib import Path

import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_markercluster

WEB_DIR = Path(__file__).resolve().parent
LEAFLET_DIR = Path(xs_leaflet.BASE_DIR)
MARKERCLUSTER_DIR = Path(xs_markercluster.BASE_DIR)
LEAFLET_VERSION = xs_leaflet.VERSION

# name -> file, in the order a page must load them (scripts) or apply them (styles).
SCRIPTS: dict[str, Path] = {
    "leaflet.js": LEAFLET_DIR / "leaflet.js",
    "leaflet.markercluster.js": MARKERCLUSTER_DIR / "leaflet.markercluster.js",
    "atlas.js": WEB_DIR / "atlas.js",
}
STYLES: dict[str, Path] = {
    "leaflet.css": LEAFLET_DIR / "leaflet.css",
    "MarkerCluster.css": MARKERCLUSTER_DIR / "MarkerCluster.css",
    "MarkerCluster.Default.css": MARKERCLUSTER_DIR / "MarkerCluster.Default.css",
    "atlas.css": WEB_DIR / "atlas.css",
}
LEAFLET_IMAGES_DIR = LEAFLET_DIR / "images"


def read_asset(name: str) -> str:
    """The text of one script or style by its name."""
    path = SCRIPTS.get(name) or STYLES[name]
    return path.read_text(encoding="utf-8")
