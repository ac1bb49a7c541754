"""Publish the map's browser assets into `static/`, which Streamlit serves at `/app/static/`.

Files are copied (Streamlit refuses symlinks that leave `static/`) from the XStatic packages and from
`geo/web/`, and the country outlines are simplified once for drawing. `static/` is generated, not committed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

import geopandas as gpd

from geo import web
from geo.mapdata import outlines_geojson, split_payload
from geo.places import place_labels

APP_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = APP_DIR / "static"
# From the streamlit-folium iframe (/component/<name>/index.html) back to the app's static route.
STATIC_URL = "../../app/static"
OUTLINES_NAME = "countries.json"
PLACES_NAME = "places.json"  # country and city names for the map without tiles
VERSIONED = re.compile(r"^(countries|deployments|details|places)-[0-9a-f]{12}(-[0-9]+)?\.json$")
CHUNK = "{chunk}"  # in the details URL: the browser puts the chunk number here
STALE_AFTER_SECONDS = 7 * 24 * 3600
DATA_ASSETS = frozenset({OUTLINES_NAME, "deployments.json", "details.json", PLACES_NAME})  # the content-hashed files
BASEMAP_ASSETS = frozenset({OUTLINES_NAME, PLACES_NAME})  # all that a large dataset publishes (geo/points.py)


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
        _write_atomically(path, text)


def _write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file and rename it, so another instance never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _publish_versioned(folder: Path, stem: str, text: str) -> str:
    """Write `text` as `<stem>-<content hash>.json` (once) and mark it as in use; return the file name.
    Files are named by content, so instances serving different data from one checkout never overwrite
    each other's files."""
    name = f"{stem}-{hashlib.sha256(text.encode()).hexdigest()[:12]}.json"
    path = folder / name
    if not path.exists():
        _write_atomically(path, text)
    os.utime(path)
    return name


def remove_stale_versions(folder: Path, keep: set[str], max_age_seconds: float = STALE_AFTER_SECONDS) -> list[str]:
    """Delete versioned data files that no instance has published for `max_age_seconds` (another running
    instance may still serve a file that is not ours, so only age decides); return their names."""
    now = time.time()
    removed = []
    for path in folder.glob("*-*.json"):
        if path.name in keep or not VERSIONED.match(path.name):
            continue
        try:
            if now - path.stat().st_mtime > max_age_seconds:
                path.unlink()
                removed.append(path.name)
        except FileNotFoundError:
            pass
    return removed


def keep_fresh(asset_urls: dict[str, str], static_dir: Path = STATIC_DIR, every_seconds: float = 3600) -> None:
    """Mark this instance's data files as still in use (at most once an hour), so no other instance's
    clean-up removes them while this one runs."""
    now = time.time()
    folder = static_dir / "atlas"
    for url in asset_urls.values():
        if not url.startswith(STATIC_URL):  # one's own data travels as data: URLs, not files
            continue
        pattern = url.rsplit("/", 1)[-1].replace(CHUNK, "*")
        for path in folder.glob(pattern) if "*" in pattern else [folder / pattern]:
            if not VERSIONED.match(path.name):
                continue
            try:
                if now - path.stat().st_mtime > every_seconds:
                    os.utime(path)
            except FileNotFoundError:
                pass


def _publish_details(folder: Path, chunks: list[list[list]]) -> tuple[str, list[str]]:
    """Write the details chunks as `details-<hash of all>-<n>.json`; return the URL name with {chunk} for
    the number, and the file names."""
    texts = [json.dumps(chunk, separators=(",", ":")) for chunk in chunks]
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:12]
    names = []
    for number, text in enumerate(texts):
        path = folder / f"details-{digest}-{number}.json"
        if not path.exists():
            _write_atomically(path, text)
        os.utime(path)
        names.append(path.name)
    return f"details-{digest}-{CHUNK}.json", names


def _files_of(name: str, folder: Path) -> list[Path]:
    """The files behind one published name: itself, or every chunk of a {chunk} name (numbered from 0)."""
    if CHUNK not in name:
        return [folder / name]
    chunks = [p for p in folder.glob(name.replace(CHUNK, "*")) if p.stem.rsplit("-", 1)[-1].isdigit()]
    numbered = sorted(chunks, key=lambda p: int(p.stem.rsplit("-", 1)[-1]))
    return numbered if [int(p.stem.rsplit("-", 1)[-1]) for p in numbered] == list(range(len(numbered))) else []


def data_url(text: str) -> str:
    """JSON as a data: URL, which the map fetches like any other (nothing is written or served)."""
    return "data:application/json;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")


def publish_static_files(static_dir: Path = STATIC_DIR) -> dict[str, str]:
    """Copy the scripts, styles and Leaflet's images into `static_dir`; return script/style name -> URL."""
    folder = static_dir / "atlas"
    for name, source in {**web.SCRIPTS, **web.STYLES}.items():
        _copy_if_changed(source, folder / name)
    for image in web.LEAFLET_IMAGES_DIR.iterdir():
        _copy_if_changed(image, folder / "images" / image.name)
    return {name: f"{STATIC_URL}/atlas/{name}" for name in [*web.SCRIPTS, *web.STYLES]}


def _publish_basemap_files(countries: gpd.GeoDataFrame, folder: Path) -> dict[str, str]:
    return {
        OUTLINES_NAME: _publish_versioned(
            folder, "countries", json.dumps(outlines_geojson(countries), separators=(",", ":"))
        ),
        PLACES_NAME: _publish_versioned(
            folder, "places", json.dumps(place_labels(countries), ensure_ascii=False, separators=(",", ":"))
        ),
    }


def publish_basemap_files(countries: gpd.GeoDataFrame, static_dir: Path = STATIC_DIR) -> dict[str, str]:
    """Only the basemap's files: a large dataset's records are summarised per view, never published."""
    return _publish_basemap_files(countries, static_dir / "atlas")


def publish_data_files(countries: gpd.GeoDataFrame, payload: dict, static_dir: Path = STATIC_DIR) -> dict[str, str]:
    """Write the data files (see publish_assets) under content-hashed names; return asset name -> file name
    (the details' name has {chunk} for the chunk number)."""
    folder = static_dir / "atlas"
    markers, details = split_payload(payload)
    details_name, details_files = _publish_details(folder, details)
    names = {
        **_publish_basemap_files(countries, folder),
        "deployments.json": _publish_versioned(folder, "deployments", json.dumps(markers, separators=(",", ":"))),
        "details.json": details_name,
    }
    remove_stale_versions(folder, {*names.values(), *details_files})
    return names


def data_files_published(names: object, static_dir: Path = STATIC_DIR, wanted: frozenset[str] = DATA_ASSETS) -> bool:
    """True when `names` (as publish_data_files returned them, or publish_basemap_files for `wanted`
    BASEMAP_ASSETS, e.g. remembered from an earlier start) are all still in `static_dir`; each is then
    marked as in use again, as publishing it would."""
    if not isinstance(names, dict) or set(names) != wanted:
        return False
    folder = static_dir / "atlas"
    groups = [_files_of(str(name), folder) for name in names.values()]
    paths = [p for group in groups for p in group]
    if not all(groups) or not all(VERSIONED.match(p.name) and p.is_file() for p in paths):
        return False
    try:
        for path in paths:
            os.utime(path)
    except OSError:
        return False
    remove_stale_versions(folder, {p.name for p in paths})
    return True


def asset_urls(static_urls: dict[str, str], data_names: dict[str, str]) -> dict[str, str]:
    """Asset name -> URL as seen from the map's iframe, for the static files and the data files."""
    return {**static_urls, **{key: f"{STATIC_URL}/atlas/{name}" for key, name in data_names.items()}}


def publish_assets(
    countries: gpd.GeoDataFrame, payload: dict, static_dir: Path = STATIC_DIR, private: bool = False
) -> dict[str, str]:
    """Copy every asset into `static_dir` and return name -> URL as seen from the map's iframe.
    With `private` (a session's own data), the deployments are not written anywhere: their URLs are data:
    URLs (the details in one chunk, so the URL needs no chunk number).

    `payload` (every deployment, as the map draws them) and the country outlines are written under
    content-hashed names, so the browser fetches them once per data version and filter changes only send
    which rows to show. The payload is split in two: what the markers need comes first, the descriptions
    and sources (for popups) in chunks of rows, each fetched when a popup first needs it (its URL has
    {chunk} for the chunk number). The place names (geo/places.py) are published the same way."""
    static_urls = publish_static_files(static_dir)
    if not private:
        return asset_urls(static_urls, publish_data_files(countries, payload, static_dir))
    markers, details = split_payload(payload, chunk_rows=max(len(payload["rows"]), 1))
    private_urls = {
        "deployments.json": data_url(json.dumps(markers, separators=(",", ":"))),
        "details.json": data_url(json.dumps(details[0], separators=(",", ":"))),
    }
    return asset_urls(static_urls, _publish_basemap_files(countries, static_dir / "atlas")) | private_urls
