"""Browser assets for the map: Leaflet from the XStatic package that `requirements.txt` installs (never a
CDN), plus this project's own `atlas.js` (markers, clustering, popups, legend) and `atlas.css`."""

from __future__ import annotations

from pathlib import Path

import xstatic.pkg.leaflet as xs_leaflet

WEB_DIR = Path(__file__).resolve().parent
LEAFLET_DIR = Path(xs_leaflet.BASE_DIR)
LEAFLET_VERSION = xs_leaflet.VERSION

# name -> file, in the order a page must load them (scripts) or apply them (styles).
SCRIPTS: dict[str, Path] = {
    "leaflet.js": LEAFLET_DIR / "leaflet.js",
    "atlas.js": WEB_DIR / "atlas.js",
}
STYLES: dict[str, Path] = {
    "leaflet.css": LEAFLET_DIR / "leaflet.css",
    "atlas.css": WEB_DIR / "atlas.css",
}
LEAFLET_IMAGES_DIR = LEAFLET_DIR / "images"


def read_asset(name: str) -> str:
    """The text of one script or style by its name."""
    path = SCRIPTS.get(name) or STYLES[name]
    return path.read_text(encoding="utf-8")
