"""Load the atlas once per data version and publish the map assets; report data problems plainly."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import NamedTuple

import streamlit as st

from components import assets
from components.assets import (
    asset_urls,
    data_files_published,
    keep_fresh,
    publish_assets,
    publish_data_files,
    publish_static_files,
)
from geo.cache import open_atlas
from geo.filters import Vocabulary, build_vocabulary, year_bounds
from geo.html import markdown_code
from geo.load import Atlas
from geo.mapdata import assign_colors, map_payload
from geo.places import CITIES_FILE
from geo.validate import DATA_DIR

DATA_DIR_ENV = "ATLAS_DATA_DIR"
MAX_PROBLEMS_SHOWN = 20
# The session's own data (components/upload.py puts it here): shown instead of the atlas while it is set.
OWN_DATA_KEY = "own_data"


class Loaded(NamedTuple):
    atlas: Atlas
    colors: dict[str, str]  # vendor id -> marker colour
    asset_urls: dict[str, str]  # map asset name -> URL it is served at
    vocabulary: Vocabulary  # what the filters offer


def data_dir() -> Path:
    """`data/`, or the folder named by $ATLAS_DATA_DIR (tests and benchmarks use their own data)."""
    return Path(os.environ.get(DATA_DIR_ENV) or DATA_DIR)


def folder_version(folder: Path) -> tuple:
    """What changes when any file in `folder` or its `versions/` changes (name, modification time, size):
    a cache key."""
    files = [*sorted(folder.glob("*")), *sorted(folder.glob("versions/*"))]
    return tuple((str(p.relative_to(folder)), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.is_file())


class OwnData(NamedTuple):
    file: str
    loaded: Loaded
    skipped: int  # rows a preset's row filter left aside (e.g. other technologies than face recognition)
    rows_read: int  # rows turned into records


def loaded_from(atlas: Atlas, private: bool = False) -> Loaded:
    """The atlas with what the page draws it with: colours, the published map assets and the vocabulary.
    `private` (one's own data): its records go to the map as data: URLs, never into a served file."""
    colors = assign_colors(atlas.deployments)
    payload = map_payload(atlas.deployments, colors, atlas.vendor_names, atlas.country_names)
    vocabulary = build_vocabulary(atlas, year_bounds(atlas.deployments))
    return Loaded(atlas, colors, publish_assets(atlas.countries, payload, private=private), vocabulary)


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


def own_data() -> OwnData | None:
    """The table this session opened with "Open your own data", if it is being shown."""
    own = st.session_state.get(OWN_DATA_KEY)
    return own if isinstance(own, OwnData) else None


def load() -> Loaded | None:
    """The atlas and what the page draws it with, or None after showing a clear error when the data cannot load."""
    own = own_data()
    if own is not None:
        keep_fresh(own.loaded.asset_urls)
        return own.loaded
    folder = data_dir()
    try:
        loaded = _cached_atlas(str(folder), folder_version(folder))
        keep_fresh(loaded.asset_urls)
        return loaded
    except (OSError, ValueError, KeyError) as error:
        st.error(
            f"Could not load the data in {markdown_code(folder)}: {markdown_code(error)}. Run `python -m geo.validate` for details."
        )
        return None


def report_problems(atlas: Atlas) -> None:
    """Records that failed validation are left off the map and listed here, so nothing is silently lost."""
    if not atlas.problems or own_data() is not None:  # own data lists its problems in its own notice
        return
    with st.expander(f"⚠️ {len(atlas.problems)} data problem(s): affected records are not shown", expanded=False):
        for problem in atlas.problems[:MAX_PROBLEMS_SHOWN]:
            st.text(str(problem))
        if len(atlas.problems) > MAX_PROBLEMS_SHOWN:
            st.text(f"… and {len(atlas.problems) - MAX_PROBLEMS_SHOWN} more (run `python -m geo.validate`).")
