"""Load the atlas once per data version and publish the map assets; report data problems plainly."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import NamedTuple

import streamlit as st

from components import assets
from components.assets import asset_urls, data_files_published, keep_fresh, publish_data_files, publish_static_files
from geo.cache import open_atlas
from geo.filters import Vocabulary, build_vocabulary, year_bounds
from geo.html import markdown_code
from geo.load import Atlas
from geo.mapdata import assign_colors, map_payload
from geo.places import CITIES_FILE
from geo.validate import DATA_DIR

DATA_DIR_ENV = "ATLAS_DATA_DIR"
MAX_PROBLEMS_SHOWN = 20


class Loaded(NamedTuple):
    atlas: Atlas
    colors: dict[str, str]  # vendor id -> marker colour
    asset_urls: dict[str, str]  # map asset name -> URL it is served at
    vocabulary: Vocabulary  # what the filters offer


def data_dir() -> Path:
    """`data/`, or the folder named by $ATLAS_DATA_DIR (tests and benchmarks use their own data)."""
    return Path(os.environ.get(DATA_DIR_ENV) or DATA_DIR)


def _version(folder: Path) -> tuple:
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*")) if p.is_file())


def _assets_version() -> str:
    """Changes when how the map's data files are written changes (beyond the atlas and geo/, which the
    atlas cache key covers): the publishing code and the city names."""
    digest = hashlib.sha256()
    for path in (Path(assets.__file__), CITIES_FILE):
        digest.update(path.read_bytes() if path.is_file() else b"missing")
    return digest.hexdigest()[:12]


def prepare(folder: Path, static_dir: Path = assets.STATIC_DIR) -> Loaded:
    """Load the atlas (from the on-disk cache when it holds this data, see geo/cache.py) and publish its map
    assets. The data files' names are remembered with the cached atlas, so a restart with unchanged data
    neither rebuilds nor re-serialises them while they are still in `static_dir`."""
    atlas, entry = open_atlas(folder)
    colors = assign_colors(atlas.deployments)
    vocabulary = build_vocabulary(atlas, year_bounds(atlas.deployments))

    def publish() -> dict[str, str]:
        payload = map_payload(atlas.deployments, colors, atlas.vendor_names, atlas.country_names)
        return publish_data_files(atlas.countries, payload, static_dir)

    names = entry.remembered(
        f"assets-{_assets_version()}", publish, lambda names: data_files_published(names, static_dir)
    )
    return Loaded(atlas, colors, asset_urls(publish_static_files(static_dir), names), vocabulary)


@st.cache_resource(show_spinner="Loading deployments…")
def _cached_atlas(folder: str, version: tuple) -> Loaded:
    return prepare(Path(folder))


def load() -> Loaded | None:
    """The atlas and what the page draws it with, or None after showing a clear error when the data cannot load."""
    folder = data_dir()
    try:
        loaded = _cached_atlas(str(folder), _version(folder))
        keep_fresh(loaded.asset_urls)
        return loaded
    except (OSError, ValueError, KeyError) as error:
        st.error(
            f"Could not load the data in {markdown_code(folder)}: {markdown_code(error)}. Run `python -m geo.validate` for details."
        )
        return None


def report_problems(atlas: Atlas) -> None:
    """Records that failed validation are left off the map and listed here, so nothing is silently lost."""
    if not atlas.problems:
        return
    with st.expander(f"⚠️ {len(atlas.problems)} data problem(s): affected records are not shown", expanded=False):
        for problem in atlas.problems[:MAX_PROBLEMS_SHOWN]:
            st.text(str(problem))
        if len(atlas.problems) > MAX_PROBLEMS_SHOWN:
            st.text(f"… and {len(atlas.problems) - MAX_PROBLEMS_SHOWN} more (run `python -m geo.validate`).")
