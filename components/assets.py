"""Publish the map's browser assets into `static/`, which Streamlit serves at `/app/static/`.

Files are copied (Streamlit refuses symlinks that leave `static/`) from the XStatic packages and from
`geo/web/`, and the country outlines are simplified once for drawing. `static/` is generated, not committed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import geopandas as gpd

from geo import web
from geo.mapdata import outlines_geojson, split_payload

APP_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = APP_DIR / "static"
# From the streamlit-folium iframe (/component/<name>/index.html) back to the app's static route.
STATIC_URL = "../../app/static"
OUTLINES_NAME = "countries.json"


def _copy_if_changed(source: Path, target: Path) -> None:
    if (
        target.exists()
        and target.stat().st_mtime >= source.stat().st_mtime
        and target.stat().st_size == source.stat().st_size
    ):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def publish_assets(countries: gpd.GeoDataFrame, payload: dict, static_dir: Path = STATIC_DIR) -> dict[str, str]:
    """Copy every asset into `static_dir` and return name -> URL as seen from the map's iframe.

    `payload` (every deployment, as the map draws them) is written under content-hashed names, so the
    browser fetches it once per data version and filter changes only send which rows to show. It is split
    in two: what the markers need comes first, the descriptions and sources (for popups) right after."""
    for name, source in {**web.SCRIPTS, **web.STYLES}.items():
        _copy_if_changed(source, static_dir / "atlas" / name)
    for image in web.LEAFLET_IMAGES_DIR.iterdir():
        _copy_if_changed(image, static_dir / "atlas" / "images" / image.name)
    _write_if_changed(
        static_dir / "atlas" / OUTLINES_NAME, json.dumps(outlines_geojson(countries), separators=(",", ":"))
    )
    markers, details = split_payload(payload)
    version = hashlib.sha256(json.dumps(payload, separators=(",", ":")).encode()).hexdigest()[:12]
    names = {"deployments.json": f"deployments-{version}.json", "details.json": f"details-{version}.json"}
    _write_if_changed(static_dir / "atlas" / names["deployments.json"], json.dumps(markers, separators=(",", ":")))
    _write_if_changed(static_dir / "atlas" / names["details.json"], json.dumps(details, separators=(",", ":")))
    for stale in [*(static_dir / "atlas").glob("deployments-*.json"), *(static_dir / "atlas").glob("details-*.json")]:
        if stale.name not in names.values():
            stale.unlink(missing_ok=True)
    urls = {name: f"{STATIC_URL}/atlas/{name}" for name in [*web.SCRIPTS, *web.STYLES, OUTLINES_NAME]}
    return {**urls, **{key: f"{STATIC_URL}/atlas/{name}" for key, name in names.items()}}
