"""The loaded atlas (read, validated, joined) kept on disk, so a restart does not read and check the data again.

An entry is named by a key: the SHA-256 of the data files' bytes, the folder they were read from (the
problems name it), this module's FORMAT_VERSION, the source of every module in `geo/` (so a change of
schema, validation or joining code invalidates it) and the versions of the libraries that write and read
it. An entry is a folder in the cache directory (`.cache/atlas/` in the repository, or $ATLAS_CACHE_DIR)
holding the three tables (`<table>.parquet` and a `<table>.<column>.json` per object column) and `atlas.json` (the problems,
the column order and CRS of each table).

Why Parquet: it is a data format, not code (unlike pickle, a cache file someone else wrote cannot run
anything when it is read), it keeps dtypes (nullable Int64, strings) and, as WKB, geometry exactly, and
it reads fast. It is read with `pyarrow.parquet.ParquetFile` and the geometry decoded with shapely:
`geopandas.read_parquet` imports `pyarrow.dataset` and parses the CRS from PROJJSON, which cost more than
reading the table on the shipped data. Columns of Python objects (lists and dicts: vendors, sources, history, ...) are kept apart,
as one JSON file per column (one parse per column reads it back), and only when that round-trips exactly.

The cache is only ever a shortcut: an entry that is missing, unreadable, corrupt or of another format is
ignored (and removed), the data is loaded afresh, and a cache that cannot be written is skipped. Only the
MAX_ENTRIES most recently used entries are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd
import shapely

from geo.load import Atlas, load_atlas
from geo.points import DATA_FILES as POINT_DATA_FILES
from geo.points import has_points, load_points_atlas
from geo.problems import Problem
from geo.validate import DATA_DIR

log = logging.getLogger(__name__)

CACHE_DIR_ENV = "ATLAS_CACHE_DIR"
REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CACHE_DIR = REPO_DIR / ".cache" / "atlas"
CODE_DIR = Path(__file__).resolve().parent  # every module here can change what a load returns
FORMAT_VERSION = 5
DATA_FILES = ("deployments.geojson", "vendors.csv", "countries.geojson")  # what load_atlas reads
TABLES = ("deployments", "vendors", "countries")
MANIFEST = "atlas.json"
MAX_ENTRIES = 6
STALE_TEMPORARY_SECONDS = 3600
HASH_CHUNK = 1 << 20

T = TypeVar("T")


def cache_dir() -> Path:
    """$ATLAS_CACHE_DIR, else `.cache/atlas/` in the repository."""
    return Path(os.environ.get(CACHE_DIR_ENV) or DEFAULT_CACHE_DIR)


def hash_file(digest: Any, path: Path) -> None:
    with path.open("rb") as f:
        while chunk := f.read(HASH_CHUNK):
            digest.update(chunk)


def code_fingerprint() -> str:
    """SHA-256 of the source of every module in `geo/` and of the library versions the cache depends on."""
    import pyarrow

    digest = hashlib.sha256(f"format {FORMAT_VERSION}\n".encode())
    for module in (pd, gpd, shapely, pyarrow):
        digest.update(f"{module.__name__} {module.__version__}\n".encode())
    for path in sorted(CODE_DIR.glob("*.py")):
        digest.update(path.name.encode() + b"\0")
        hash_file(digest, path)
    return digest.hexdigest()


def data_files(data_dir: Path) -> tuple[str, ...]:
    """The files an atlas of `data_dir` is read from: a GeoParquet of points instead of the GeoJSON when
    the folder holds one (geo/points.py)."""
    return POINT_DATA_FILES if has_points(data_dir) else DATA_FILES


def load_any_atlas(data_dir: Path) -> Atlas:
    """load_atlas, or load_points_atlas for a folder of points."""
    return load_points_atlas(data_dir) if has_points(data_dir) else load_atlas(data_dir)


def cache_key(data_dir: Path, files: tuple[str, ...] | None = None) -> str:
    """The entry name for the data in `data_dir`: changes when a data file, the folder's name or the code does."""
    files = data_files(data_dir) if files is None else files
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(b"\0" + str(data_dir).encode() + b"\0")
    for name in files:
        path = Path(data_dir) / name
        digest.update(name.encode() + b"\0")
        if path.is_file():
            hash_file(digest, path)
            digest.update(b"\0end\0")
        else:
            digest.update(b"\0missing\0")
    return digest.hexdigest()[:32]


# --- Encoding the tables -------------------------------------------------------------------------------


class NotExact(ValueError):
    """A column cannot be stored so that it reads back equal."""


def _is_object_column(frame: pd.DataFrame, name: str) -> bool:
    return frame[name].dtype == object and name != getattr(frame, "_geometry_column_name", None)


def split_table(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[Any]]]:
    """The frame without its object columns (for Parquet), and those columns as lists (for JSON)."""
    names = [c for c in frame.columns if _is_object_column(frame, c)]
    return frame.drop(columns=names), {name: frame[name].tolist() for name in names}


def object_column_json(name: str, values: list[Any]) -> bytes:
    """One object column as ASCII JSON (one parse per column reads it back, far faster than one per cell);
    raises NotExact when a value would not read back equal (a tuple, a non-string key, NaN, ...)."""
    text = json.dumps(values, ensure_ascii=True, allow_nan=False)
    if json.loads(text) != values:
        raise NotExact(f"column {name}: some values do not survive JSON")
    return text.encode("ascii")


def _share_equal_strings(values: list[Any]) -> list[Any]:
    """The lists of strings in `values`, changed in place to hold one string object per distinct text:
    vendor ids, sectors and country codes repeat in every record, and a JSON parse makes a new object for
    each occurrence."""
    shared: dict[str, str] = {}
    for value in values:
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    value[i] = shared.setdefault(item, item)
    return values


def _object_column_path(folder: Path, table: str, column: str) -> Path:
    return folder / f"{table}.{column}.json"


def read_object_column(path: Path) -> list[Any]:
    """A column written by object_column_json. Columns are read one at a time, so that only one column's
    text is in memory at once (the largest, sources, is about 50 MB at 100,000 records)."""
    return _share_equal_strings(json.loads(path.read_bytes()))


def join_table(frame: pd.DataFrame, columns: dict[str, list[Any]], order: list[str]) -> pd.DataFrame:
    """The inverse of split_table: the object columns put back, in the original column order."""
    for name, values in columns.items():
        frame[name] = pd.Series(values, index=frame.index, dtype=object)
    return frame[order]


def _write_table(frame: pd.DataFrame, folder: Path, name: str) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame, tuple_categories = _tuple_categories_as_codes(frame)
    plain, objects = split_table(frame)
    for column, values in objects.items():
        _object_column_path(folder, name, column).write_bytes(object_column_json(column, values))
    info: dict[str, Any] = {"columns": list(frame.columns), "objects": list(objects), "geometry": None, "crs": None}
    if tuple_categories:
        info["tuple_categories"] = tuple_categories
    if isinstance(plain, gpd.GeoDataFrame):
        # Geometry as WKB (exact) in a plain table; the CRS as it was given (e.g. "EPSG:4326").
        info["geometry"] = plain.geometry.name
        info["crs"] = plain.crs.srs if plain.crs is not None else None
        plain = pd.DataFrame(plain).assign(**{plain.geometry.name: shapely.to_wkb(plain.geometry.array)})
    pq.write_table(pa.Table.from_pandas(plain), folder / f"{name}.parquet")
    return info


def _read_table(folder: Path, name: str, info: dict[str, Any]) -> pd.DataFrame:
    import pyarrow.parquet as pq

    frame = pq.ParquetFile(folder / f"{name}.parquet").read().to_pandas()
    geometry = info["geometry"]
    if geometry is not None:
        shapes = gpd.GeoSeries(shapely.from_wkb(frame[geometry].to_numpy()), index=frame.index, crs=info["crs"])
        frame = gpd.GeoDataFrame(frame.drop(columns=geometry).assign(**{geometry: shapes}), geometry=geometry)
    objects = {column: read_object_column(_object_column_path(folder, name, column)) for column in info["objects"]}
    frame = join_table(frame, objects, info["columns"])
    for column, categories in info.get("tuple_categories", {}).items():
        index = pd.Index([tuple(c) for c in categories], dtype=object, tupleize_cols=False)
        frame[column] = pd.Categorical.from_codes(frame[column].to_numpy(), categories=index)
    return frame


def _is_tuple_categorical(column: pd.Series) -> bool:
    return isinstance(column.dtype, pd.CategoricalDtype) and any(isinstance(c, tuple) for c in column.cat.categories)


def _tuple_categories_as_codes(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[list[Any]]]]:
    """Categorical columns of tuples (the lean table's vendors, sectors, ...: geo/points.py) as their
    codes, and their categories as lists (Parquet cannot hold tuples as categories)."""
    names = [c for c in frame.columns if _is_tuple_categorical(frame[c])]
    if not names:
        return frame, {}
    categories = {c: [list(t) for t in frame[c].cat.categories] for c in names}
    return frame.assign(**{c: frame[c].cat.codes.astype("int32") for c in names}), categories


def _problem_json(problem: Problem) -> list[str]:
    return [problem.file, problem.record, problem.field, problem.message]


# --- Entries ---------------------------------------------------------------------------------------------


def write_entry(folder: Path, key: str, atlas: Atlas) -> None:
    """Write the atlas as entry `key` of `folder`: into a temporary folder first, then renamed into place,
    so a reader never sees half an entry."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{key}.{os.getpid()}.tmp"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    try:
        tables = {name: _write_table(getattr(atlas, name), temporary, name) for name in TABLES}
        manifest = {
            "format": FORMAT_VERSION,
            "key": key,
            "tables": tables,
            "problems": [_problem_json(p) for p in atlas.problems],
        }
        (temporary / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        target = folder / key
        if target.is_file() or target.is_symlink():  # not an entry: in the way
            target.unlink()
        try:
            os.rename(temporary, target)
        except OSError:  # another process wrote the same entry meanwhile: theirs is as good
            shutil.rmtree(temporary, ignore_errors=True)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def read_entry(entry: Path, key: str) -> Atlas:
    """The atlas stored in `entry`; raises (any error) when it is not a complete entry of this format and key."""
    manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT_VERSION or manifest.get("key") != key:
        raise ValueError(f"{entry}: format {manifest.get('format')!r}, key {manifest.get('key')!r}")
    tables = {name: _read_table(entry, name, manifest["tables"][name]) for name in TABLES}
    problems = [Problem(*p) for p in manifest["problems"]]
    return Atlas(tables["deployments"], tables["vendors"], tables["countries"], problems)


def prune(folder: Path, keep: int | None = None) -> list[str]:
    """Remove all but the `keep` most recently used entries, and temporary folders left by a crash; return
    the names removed."""
    keep = MAX_ENTRIES if keep is None else keep
    removed: list[str] = []
    try:
        children = list(folder.iterdir())
    except OSError:
        return removed
    now = time.time()
    entries = []
    for child in children:
        try:
            modified = child.stat().st_mtime
        except OSError:
            continue
        if child.name.endswith(".tmp"):
            if now - modified > STALE_TEMPORARY_SECONDS:
                shutil.rmtree(child, ignore_errors=True)
                removed.append(child.name)
        elif child.is_dir():
            entries.append((modified, child))
    for _, child in sorted(entries, reverse=True)[keep:]:
        shutil.rmtree(child, ignore_errors=True)
        removed.append(child.name)
    return removed


@dataclass(frozen=True)
class Entry:
    """Where one atlas is cached (None: it could not be, e.g. the data files could not be read)."""

    path: Path | None

    def recall(self, name: str, usable: Callable[[Any], bool]) -> Any | None:
        """The JSON value remembered as `name` when it is there and `usable`, else None."""
        if self.path is None:
            return None
        try:
            value = json.loads((self.path / f"{name}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return value if usable(value) else None

    def remembered(self, name: str, compute: Callable[[], T], usable: Callable[[Any], bool]) -> T:
        """A JSON value kept next to the atlas (e.g. the names of files built from it): read from the entry
        when there and `usable`, else computed and stored. A value that cannot be read or stored is computed."""
        known = self.recall(name, usable)
        if known is not None:
            return known
        path = None if self.path is None else self.path / f"{name}.json"
        value = compute()
        if path is not None:
            try:
                temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                temporary.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
                os.replace(temporary, path)
            except (OSError, TypeError, ValueError) as error:
                log.info("could not remember %s in %s: %s", name, self.path, error)
        return value


def cached_entry(data_dir: Path = DATA_DIR, folder: Path | None = None) -> Entry | None:
    """The cache entry holding the data in `data_dir`, if there is one (nothing is loaded or written)."""
    folder = cache_dir() if folder is None else Path(folder)
    try:
        entry = folder / cache_key(Path(data_dir))
    except OSError:
        return None
    return Entry(entry) if (entry / MANIFEST).is_file() else None


def open_atlas(data_dir: Path = DATA_DIR, folder: Path | None = None) -> tuple[Atlas, Entry]:
    """The atlas of `data_dir`, exactly as `geo.load.load_atlas` returns it, from the cache when it holds
    this data (else loaded and cached), and its cache entry. Errors are load_atlas's (DataError, OSError)."""
    folder = cache_dir() if folder is None else Path(folder)
    try:
        key = cache_key(Path(data_dir))
    except OSError:  # a data file cannot be read: load_atlas says which, and how
        return load_any_atlas(data_dir), Entry(None)
    entry = folder / key
    if entry.is_dir():
        try:
            atlas = read_entry(entry, key)
        except Exception as error:  # whatever is wrong with an entry, the data is loaded afresh
            log.info("ignoring the unreadable cache entry %s: %s", entry, error)
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):  # a read-only cache is still used
                os.utime(entry)  # most recently used: kept by prune
            return atlas, Entry(entry)
    atlas = load_any_atlas(data_dir)
    try:
        write_entry(folder, key, atlas)
        prune(folder)
        return atlas, Entry(entry)
    except Exception as error:  # a cache that cannot be written is only slower
        log.info("could not cache the atlas in %s: %s", folder, error)
        return atlas, Entry(None)


def releases_fingerprint(data_dir: Path) -> str:
    """SHA-256 of the release manifests in `data_dir/versions/` (names and bytes): what, besides the data
    files and the code, decides the data version."""
    from geo.versions import VERSIONS_FOLDER

    digest = hashlib.sha256()
    folder = Path(data_dir) / VERSIONS_FOLDER
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        digest.update(path.name.encode() + b"\0")
        hash_file(digest, path)
    return digest.hexdigest()[:16]


def _is_version(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def data_version_cached(data_dir: Path, entry: Entry) -> str:
    """`geo.citation.data_version(data_dir)` (which reads and hashes every record), remembered with the
    atlas while the release manifests are unchanged."""
    from geo.citation import data_version

    try:
        name = f"version-{releases_fingerprint(data_dir)}"
    except OSError:
        return data_version(data_dir)
    return entry.remembered(name, lambda: data_version(data_dir), _is_version)


def data_version_recalled(data_dir: Path, entry: Entry) -> str | None:
    """The data version remembered by `data_version_cached`, if it is (nothing is computed)."""
    try:
        return entry.recall(f"version-{releases_fingerprint(data_dir)}", _is_version)
    except OSError:
        return None


def load_atlas_cached(data_dir: Path = DATA_DIR, folder: Path | None = None) -> Atlas:
    """`geo.load.load_atlas(data_dir)`, from the cache when it holds this data."""
    return open_atlas(data_dir, folder)[0]
