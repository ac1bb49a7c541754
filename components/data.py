"""Load the atlas once per data version and publish the map assets; report data problems plainly."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import streamlit as st

from components import assets
from components.assets import (
    BASEMAP_ASSETS,
    DATA_ASSETS,
    asset_urls,
    data_files_published,
    keep_fresh,
    publish_assets,
    publish_basemap_files,
    publish_data_files,
    publish_static_files,
)
from geo.aggregate import PointLayer, point_layer
from geo.cache import cached_entry, data_version_cached, data_version_recalled, open_atlas
from geo.filters import Vocabulary, build_vocabulary, year_bounds
from geo.html import markdown_code
from geo.load import Atlas
from geo.mapdata import PALETTE, assign_colors, map_payload
from geo.places import CITIES_FILE
from geo.points import has_points, is_lean
from geo.validate import DATA_DIR

DATA_DIR_ENV = "ATLAS_DATA_DIR"
MAX_PROBLEMS_SHOWN = 20
# The session's own data (components/upload.py puts it here): shown instead of the atlas while it is set.
OWN_DATA_KEY = "own_data"
# From this size of deployments file on, the atlas is built in a short-lived process (prepare_in_child).
CHILD_BUILD_MIN_BYTES = 16 * 1024 * 1024
CHILD_BUILD_TIMEOUT_SECONDS = 1800
REPO_DIR = Path(__file__).resolve().parent.parent

log = logging.getLogger(__name__)


class Loaded(NamedTuple):
    atlas: Atlas
    colors: dict[str, str]  # vendor id -> marker colour
    asset_urls: dict[str, str]  # map asset name -> URL it is served at
    vocabulary: Vocabulary  # what the filters offer
    version: str  # the data version (geo.versions.current_version), "" for one's own data
    points: PointLayer | None = None  # a large dataset (geo/points.py): drawn as a summary of the view


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
    return Loaded(atlas, colors, publish_assets(atlas.countries, payload, private=private), vocabulary, "")


def _assets_version() -> str:
    """Changes when how the map's data files are written changes (beyond the atlas and geo/, which the
    atlas cache key covers): the publishing code and the city names."""
    digest = hashlib.sha256()
    for path in (Path(assets.__file__), CITIES_FILE):
        digest.update(path.read_bytes() if path.is_file() else b"missing")
    return digest.hexdigest()[:12]


def _assets_entry_name() -> str:
    return f"assets-{_assets_version()}"


def _assets_entry(folder: Path) -> tuple[str, frozenset[str]]:
    """Under which name the published data files of `folder` are remembered, and which files they are (a
    large dataset's records are not published: only the basemap's files are)."""
    if has_points(folder):
        return f"{_assets_entry_name()}-points", BASEMAP_ASSETS
    return _assets_entry_name(), DATA_ASSETS


def is_prepared(folder: Path, static_dir: Path = assets.STATIC_DIR) -> bool:
    """Whether the atlas of `folder` is in the cache with its data version, and its map data files are
    published in `static_dir`."""
    entry = cached_entry(folder)
    if entry is None or data_version_recalled(folder, entry) is None:
        return False
    name, wanted = _assets_entry(folder)
    return entry.recall(name, lambda names: data_files_published(names, static_dir, wanted)) is not None


def prepare_in_child(folder: Path, static_dir: Path = assets.STATIC_DIR) -> bool:
    """Build the cache entry and the map's data files of a large dataset in a short-lived process, and say
    whether it did. Reading, checking and serialising 100,000 records needs about 1 GB for a while, and a
    long-lived server would keep most of it (Python seldom gives freed memory back), so the server then only
    reads the finished Parquet and JSON files. A child that fails changes nothing: `prepare` then does the
    work itself and reports the data's problems as usual."""
    deployments = Path(folder) / "deployments.geojson"
    try:
        large = has_points(folder) or deployments.stat().st_size >= CHILD_BUILD_MIN_BYTES
    except OSError:
        return False
    if not large or is_prepared(folder, static_dir):
        return False
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_DIR), os.environ.get("PYTHONPATH")])),
    }
    command = [sys.executable, "-m", "components.data", str(folder), str(static_dir)]
    try:
        done = subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=CHILD_BUILD_TIMEOUT_SECONDS
        )
    except (OSError, subprocess.SubprocessError) as error:
        log.warning("building the atlas in a child process failed (%s); building it here", error)
        return False
    if done.returncode != 0:
        log.warning("building the atlas in a child process exited with %s: %s", done.returncode, done.stderr[-2000:])
    return done.returncode == 0


def prepare(folder: Path, static_dir: Path = assets.STATIC_DIR) -> Loaded:
    """Load the atlas (from the on-disk cache when it holds this data, see geo/cache.py) and publish its map
    assets. The data files' names are remembered with the cached atlas, so a restart with unchanged data
    neither rebuilds nor re-serialises them while they are still in `static_dir`."""
    atlas, entry = open_atlas(folder)
    colors = assign_colors(atlas.deployments)
    vocabulary = build_vocabulary(atlas, year_bounds(atlas.deployments))
    lean = is_lean(atlas.deployments)

    def publish() -> dict[str, str]:
        if lean:
            return publish_basemap_files(atlas.countries, static_dir)
        payload = map_payload(atlas.deployments, colors, atlas.vendor_names, atlas.country_names)
        return publish_data_files(atlas.countries, payload, static_dir)

    name, wanted = _assets_entry(folder)
    names = entry.remembered(name, publish, lambda names: data_files_published(names, static_dir, wanted))
    version = data_version_cached(folder, entry)  # reading the whole data file again only when it changed
    points = point_layer(atlas.deployments, colors, PALETTE) if lean else None
    return Loaded(atlas, colors, asset_urls(publish_static_files(static_dir), names), vocabulary, version, points)


@st.cache_resource(show_spinner="Loading deployments…")
def _cached_atlas(folder: str, version: tuple) -> Loaded:
    prepare_in_child(Path(folder))
    return prepare(Path(folder))


def cached_atlas(folder: Path) -> Loaded:
    """The prepared atlas of `folder`, from this process's cache while the folder's files are unchanged."""
    return _cached_atlas(str(folder), folder_version(folder))


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
        loaded = cached_atlas(folder)
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


if __name__ == "__main__":  # prepare_in_child: python -m components.data DATA_FOLDER STATIC_FOLDER
    prepare(Path(sys.argv[1]), Path(sys.argv[2]))
