"""Datasets too large to draw record by record (camera inventories of a million sites).

They come as GeoParquet, `deployments.parquet` in the data folder instead of `deployments.geojson`: one row
per record, with its `id`, its GeoJSON `properties` as JSON text (exactly what a GeoJSON feature would
hold, so every field of `geo.schema` keeps its meaning) and its point as WKB in `geometry` (the GeoParquet
"geo" metadata says so; geopandas.read_parquet reads the file). `write_points` writes one.

Every record is checked by the same validator as a GeoJSON file (`geo.validate.validate_deployments`,
same rules, same messages), a row group at a time and in parallel, and the records that pass are kept as
a lean table: the columns the filters, the map and the pictures need, with repeated values (country, place, the tuple
of vendor ids, ...) as pandas categoricals, so a filter costs one test per distinct value and not one per
record. The full record is read back from the file, by its row, when the reader opens it. The map does
not draw these records one by one but counts them on a grid that follows the view (`geo.aggregate`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.load import Atlas, DataError, countries_frame, deployments_frame, join_vendors, vendors_frame
from geo.problems import Problem
from geo.search import search_texts
from geo.validate import (
    CountryIndex,
    check_country_features,
    record_key,
    validate_deployments,
    validate_vendor_rows,
)

POINTS_FILE = "deployments.parquet"
DATA_FILES = (POINTS_FILE, "vendors.csv", "countries.geojson")  # what load_points_atlas reads (cache key)
ID_COLUMN, PROPERTIES_COLUMN, GEOMETRY_COLUMN = "id", "properties", "geometry"
ROW_GROUP_ROWS = 20_000  # records per row group: one is read to open one record, one is checked at a time
GEO_METADATA = {
    "version": "1.1.0",
    "primary_column": GEOMETRY_COLUMN,
    "columns": {GEOMETRY_COLUMN: {"encoding": "WKB", "geometry_types": ["Point"]}},  # no "crs": OGC:CRS84
}
# The lean table's columns besides `row` (the record's row in the file), `lon` and `lat`.
SCALAR_COLUMNS = ("id", "name", "kind", "place", "country", "status", "confidence")
TUPLE_COLUMNS = ("vendors", "sectors")  # list fields, as tuples (hashable, so they can be categories)
YEAR_COLUMNS = ("year_start", "year_end")
# The records a large dataset's outputs (downloads, images, the snapshot, the CLI's files) can hold: they
# are read in full from the file (atlas_of_records), about 0.3 s per 10,000.
MAX_RECORDS_OUT = 10_000


def has_points(data_dir: Path) -> bool:
    """Whether `data_dir` holds a GeoParquet of deployments (and no GeoJSON, which would take precedence)."""
    return (Path(data_dir) / POINTS_FILE).is_file() and not (Path(data_dir) / "deployments.geojson").is_file()


# --- Writing --------------------------------------------------------------------------------------------


def write_points(chunks: Iterable[list[dict[str, Any]]], path: Path) -> int:
    """Write GeoJSON point features (given in lists, a row group each) as GeoParquet; return the rows written.
    The file is written beside `path` and renamed into place, so a reader never sees half of it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    schema_ = pa.schema(
        [(ID_COLUMN, pa.string()), (PROPERTIES_COLUMN, pa.string()), (GEOMETRY_COLUMN, pa.binary())],
        metadata={b"geo": json.dumps(GEO_METADATA).encode()},
    )
    rows = 0
    try:
        with pq.ParquetWriter(temporary, schema_) as writer:
            for features in chunks:
                for start in range(0, len(features), ROW_GROUP_ROWS):
                    writer.write_table(_points_table(features[start : start + ROW_GROUP_ROWS], schema_))
                rows += len(features)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return rows


def _points_table(features: list[dict[str, Any]], schema_: Any) -> Any:
    import pyarrow as pa

    coordinates = np.array([f["geometry"]["coordinates"][:2] for f in features], dtype=float).reshape(-1, 2)
    return pa.table(
        {
            ID_COLUMN: [str(f["properties"].get("id", "")) for f in features],
            PROPERTIES_COLUMN: [
                json.dumps(f["properties"], ensure_ascii=False, separators=(",", ":")) for f in features
            ],
            GEOMETRY_COLUMN: shapely.to_wkb(shapely.points(coordinates)).tolist(),
        },
        schema=schema_,
    )


def geojson_to_points(source: Path, target: Path) -> int:
    """Convert a deployments GeoJSON file (read whole) to GeoParquet; return the rows written."""
    from geo.reading import read_feature_collection

    features, problems = read_feature_collection(Path(source), "deployments")
    if features is None:
        raise DataError(problems)
    return write_points([features], target)


# --- Reading and checking -------------------------------------------------------------------------------


def _features(ids: list[Any], texts: list[Any], wkbs: list[Any], first_row: int, file: str) -> tuple[list, list]:
    """The rows as GeoJSON features for the validator, and the problems of rows that are not even that."""
    features: list[dict[str, Any]] = []
    problems: list[Problem] = []
    points = shapely.from_wkb(np.array(wkbs, dtype=object), on_invalid="ignore")
    for offset, (record_id, text, point) in enumerate(zip(ids, texts, points)):
        where = str(record_id) if record_id else f"#{first_row + offset}"
        try:
            props = json.loads(text) if isinstance(text, str) else None
        except ValueError as error:
            props = None
            problems.append(Problem(file, where, PROPERTIES_COLUMN, f"is not JSON ({error}); expected a JSON object"))
        else:
            if not isinstance(props, dict):
                problems.append(
                    Problem(file, where, PROPERTIES_COLUMN, f"got {type(props).__name__}; expected a JSON object")
                )
        if not isinstance(props, dict):
            props = {"id": where}  # still a feature, so the row's other problems are found too
        geometry = (
            {"type": "Point", "coordinates": [point.x, point.y]}
            if point is not None and point.geom_type == "Point" and not point.is_empty
            else None
        )
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return features, problems


_WORKER: dict[str, Any] = {}


def _init_worker(path: str, vendor_ids: set[str] | None, country_features: list[dict[str, Any]] | None) -> None:
    import pyarrow.parquet as pq

    _WORKER["file"] = pq.ParquetFile(path)
    _WORKER["path"] = path
    _WORKER["vendors"] = vendor_ids
    _WORKER["countries"] = CountryIndex(country_features) if country_features is not None else None


def _check_row_group(group: int) -> tuple[list[Problem], dict[str, list[Any]], list[str]]:
    """One row group checked: its problems, the lean columns of its good records, and every id it holds."""
    parquet, file = _WORKER["file"], _WORKER["path"]
    first_row = sum(parquet.metadata.row_group(g).num_rows for g in range(group))
    table = parquet.read_row_group(group, columns=[ID_COLUMN, PROPERTIES_COLUMN, GEOMETRY_COLUMN])
    ids = table.column(ID_COLUMN).to_pylist()
    features, problems = _features(
        ids, table.column(PROPERTIES_COLUMN).to_pylist(), table.column(GEOMETRY_COLUMN).to_pylist(), first_row, file
    )
    found = validate_deployments(
        {"type": "FeatureCollection", "features": features}, file, _WORKER["vendors"], _WORKER["countries"]
    )
    # The validator names a record without an id by its position in this group: in the file it is further on.
    in_file = {f"#{i}": f"#{first_row + i}" for i, f in enumerate(features) if record_key(f["properties"], i)[0] == "#"}
    # The old-format hint is about the whole file: it is given once, by the first group.
    problems += [replace(p, record=in_file.get(p.record, p.record)) for p in found if group == 0 or p.record != "-"]
    bad = {p.record for p in problems}
    keys = [record_key(f["properties"], first_row + i) for i, f in enumerate(features)]
    good = [(first_row + i, f) for i, (f, key) in enumerate(zip(features, keys)) if key not in bad]
    return problems, _lean_columns(good), keys


def _lean_columns(good: list[tuple[int, dict[str, Any]]]) -> dict[str, list[Any]]:
    props = [f["properties"] for _, f in good]
    columns: dict[str, list[Any]] = {
        "row": [row for row, _ in good],
        "lon": [f["geometry"]["coordinates"][0] for _, f in good],
        "lat": [f["geometry"]["coordinates"][1] for _, f in good],
    }
    for name in SCALAR_COLUMNS:
        columns[name] = [str(p.get(name) or "").strip() for p in props]
    for name in TUPLE_COLUMNS:
        columns[name] = [tuple(str(v).strip() for v in p.get(name) or ()) for p in props]
    for name in YEAR_COLUMNS:
        columns[name] = [p.get(name) for p in props]
    columns["history"] = [list(p["history"]) if p.get("history") else None for p in props]
    return columns


def read_points(
    path: Path,
    vendor_ids: set[str] | None = None,
    country_features: list[dict[str, Any]] | None = None,
    workers: int | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """The lean table of the records in a GeoParquet file that pass validation, and every problem found
    (with the record's id and field, as for GeoJSON). `workers` processes check row groups in parallel
    (default: one per CPU, at most 4; 1 checks them here)."""
    import pyarrow.parquet as pq

    path = Path(path)
    try:
        parquet = pq.ParquetFile(path)
        names = set(parquet.schema_arrow.names)
    except Exception as error:  # pyarrow raises its own error types for a file that is not Parquet
        raise DataError([Problem(str(path), "-", "-", f"cannot be read as Parquet ({error})")]) from error
    missing = [c for c in (ID_COLUMN, PROPERTIES_COLUMN, GEOMETRY_COLUMN) if c not in names]
    if missing:
        raise DataError(
            [
                Problem(
                    str(path),
                    "-",
                    ", ".join(missing),
                    f"missing column(s); expected {ID_COLUMN}, {PROPERTIES_COLUMN} "
                    f"(the record's properties as JSON) and {GEOMETRY_COLUMN} (WKB points), as geo.points.write_points writes",
                )
            ]
        )
    groups = list(range(parquet.num_row_groups))
    workers = min(4, os.cpu_count() or 1) if workers is None else workers
    if workers <= 1 or len(groups) <= 1:
        _init_worker(str(path), vendor_ids, country_features)
        results: Iterator = map(_check_row_group, groups)
        return _combine(results, str(path))
    with ProcessPoolExecutor(
        workers, initializer=_init_worker, initargs=(str(path), vendor_ids, country_features)
    ) as pool:
        return _combine(pool.map(_check_row_group, groups), str(path))


def _combine(
    results: Iterable[tuple[list[Problem], dict[str, list[Any]], list[str]]], file: str
) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    columns: dict[str, list[Any]] = {}
    seen: dict[str, int] = {}
    for found, lean, keys in results:
        problems += found
        for name, values in lean.items():
            columns.setdefault(name, []).extend(values)
        for key in keys:
            seen[key] = seen.get(key, 0) + 1
    frame = lean_frame(columns)
    # Row groups are checked apart, so an id repeated across groups is found here.
    repeated = {key for key, count in seen.items() if count > 1}
    if repeated:
        already = {p.record for p in problems if p.field == "id"}
        problems += [
            Problem(file, key, "id", "is a duplicate; ids must be unique") for key in sorted(repeated - already)
        ]
        frame = frame[~frame["id"].isin(repeated)].reset_index(drop=True)
    return frame, problems


def lean_frame(columns: dict[str, list[Any]]) -> pd.DataFrame:
    """The lean table from its columns (as _lean_columns makes them)."""
    names = ["row", "lon", "lat", *SCALAR_COLUMNS, *TUPLE_COLUMNS, *YEAR_COLUMNS, "history"]
    frame = pd.DataFrame({name: columns.get(name, []) for name in names})
    frame["row"] = frame["row"].astype("int64")
    frame["lon"] = frame["lon"].astype("float64")
    frame["lat"] = frame["lat"].astype("float64")
    for name in YEAR_COLUMNS:
        frame[name] = pd.array([None if v is None else int(v) for v in columns.get(name, [])], dtype="Int64")
    for name in ("kind", "place", "country", "status", "confidence", *TUPLE_COLUMNS):
        frame[name] = frame[name].astype("category")
    return frame


def load_points_atlas(data_dir: Path, workers: int | None = None) -> Atlas:
    """The atlas of a folder holding `deployments.parquet`, `vendors.csv` and `countries.geojson`: like
    `geo.load.load_atlas`, but its deployments are the lean table (plus `vendor_countries`)."""
    data_dir = Path(data_dir)
    return load_points_files(data_dir / POINTS_FILE, data_dir / "vendors.csv", data_dir / "countries.geojson", workers)


def validate_points_files(points_path: Path, vendors_path: Path, countries_path: Path) -> list[Problem]:
    """Every problem of a large dataset's three files (what `python -m geo.validate FILE.parquet ...` prints)."""
    try:
        return load_points_files(points_path, vendors_path, countries_path).problems
    except DataError as error:
        return error.problems


def load_points_files(points_path: Path, vendors_path: Path, countries_path: Path, workers: int | None = None) -> Atlas:
    """load_points_atlas of files named one by one; a file that cannot be used at all raises DataError."""
    from geo.reading import read_csv_rows, read_feature_collection

    problems: list[Problem] = []
    vendor_rows, found = read_csv_rows(vendors_path, tuple(f.name for f in schema.VENDOR_FIELDS if f.required))
    problems += found
    raw_countries, found = read_feature_collection(countries_path, "country outlines")
    problems += found
    if vendor_rows is None or raw_countries is None:
        raise DataError(problems)
    problems += validate_vendor_rows(vendor_rows, str(vendors_path))
    country_features, found = check_country_features(raw_countries, str(countries_path))
    problems += found
    vendor_ids = {row["id"].strip() for row in vendor_rows if row.get("id")}
    frame, found = read_points(Path(points_path), vendor_ids, country_features, workers)
    vendors = vendors_frame(vendor_rows)
    return Atlas(with_vendor_countries(frame, vendors), vendors, countries_frame(country_features), problems + found)


def with_vendor_countries(frame: pd.DataFrame, vendors: pd.DataFrame) -> pd.DataFrame:
    """The lean table with `vendor_countries`: the vendors' home countries, worked out once per distinct
    tuple of vendors (a category), not once per record."""
    homes = dict(zip(vendors["id"], vendors["hq_country"]))
    frame = frame.copy()
    frame["vendor_countries"] = map_categories(
        frame["vendors"], lambda ids: tuple(sorted({homes[v] for v in ids if homes.get(v)}))
    )
    return frame


def map_categories(column: pd.Series, function: Any) -> pd.Series:
    """A categorical column with `function` applied once per category (pandas' own `map` would turn
    tuple results into a MultiIndex)."""
    mapped = [function(c) for c in column.cat.categories]
    unique = list(dict.fromkeys(mapped))
    position = {value: i for i, value in enumerate(unique)}
    remap = np.array([position[m] for m in mapped] or [0], dtype=np.int64)
    codes = column.cat.codes.to_numpy()
    new_codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
    categories = pd.Index(unique, dtype=object, tupleize_cols=False)
    return pd.Series(pd.Categorical.from_codes(new_codes, categories=categories), index=column.index, name=column.name)


def is_lean(deployments: pd.DataFrame) -> bool:
    """Whether a deployments table is a lean table of points (not the full records)."""
    return "row" in deployments.columns and "sources" not in deployments.columns


def points_frame(selection: pd.DataFrame) -> gpd.GeoDataFrame:
    """A lean selection with its points as geometry: what its images and timeline are drawn from, at any
    size (they need no more of a record than the lean table holds)."""
    points = shapely.points(selection["lon"].to_numpy(), selection["lat"].to_numpy())
    return gpd.GeoDataFrame(selection, geometry=points, crs="EPSG:4326")


def _rows_by_group(parquet: Any, path: Path, rows: Iterable[int]) -> Iterator[tuple[int, int, np.ndarray]]:
    """(row group, its first row, the asked-for rows it holds, sorted) for each row group of a points file that
    holds any of `rows`, in file order; a row outside the file is refused."""
    sizes = [parquet.metadata.row_group(g).num_rows for g in range(parquet.num_row_groups)]
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    wanted = np.unique(np.fromiter((int(r) for r in rows), dtype=np.int64))
    outside = wanted[(wanted < 0) | (wanted >= starts[-1])]
    if len(outside):
        raise IndexError(f"row {outside[0]} is not in {path} ({starts[-1]} rows)")
    groups = np.searchsorted(starts, wanted, side="right") - 1
    found, first = np.unique(groups, return_index=True)
    for group, held in zip(found, np.split(wanted, first[1:])):
        yield int(group), int(starts[group]), held


def read_records(path: Path, rows: Iterable[int], vendors: pd.DataFrame) -> pd.DataFrame:
    """The full records in these rows of a points file, in that order, as a deployments frame (joined with
    the vendors): for a record's details, or a page of the table. Only the row groups holding them are read."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    wanted = [int(r) for r in rows]
    features: dict[int, dict[str, Any]] = {}
    for group, start, held in _rows_by_group(parquet, path, wanted):
        table = parquet.read_row_group(group, columns=[PROPERTIES_COLUMN, GEOMETRY_COLUMN])
        texts, wkbs = table.column(PROPERTIES_COLUMN), table.column(GEOMETRY_COLUMN)
        for row in held.tolist():
            point = shapely.from_wkb(wkbs[row - start].as_py())
            features[row] = {
                "type": "Feature",
                "properties": json.loads(texts[row - start].as_py()),
                "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
            }
    return join_vendors(deployments_frame([features[row] for row in wanted]), vendors)


def _selected_properties(path: Path, rows: np.ndarray) -> Iterator[dict[str, Any]]:
    """The properties of the records in these rows of a points file (in file order), one row group at a time."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    for group, start, held in _rows_by_group(parquet, path, rows):
        texts = parquet.read_row_group(group, columns=[PROPERTIES_COLUMN]).column(PROPERTIES_COLUMN)
        for row in held.tolist():
            yield json.loads(texts[row - start].as_py())


def most_sources(path: Path, selection: pd.DataFrame) -> int:
    """The most sources any record of a lean selection has (read from the points file; at least 1)."""
    return max(
        (len(p.get("sources") or []) for p in _selected_properties(path, selection["row"].to_numpy())), default=1
    )


def full_record_parts(
    path: Path, selection: pd.DataFrame, vendors: pd.DataFrame, size: int = MAX_RECORDS_OUT
) -> Iterator[pd.DataFrame]:
    """A lean selection's full records (read_records), `size` at a time, in the selection's order: what the
    command line writes a selection of any size from, without holding all of it."""
    rows = selection["row"].to_numpy()
    for start in range(0, len(rows), size):
        yield read_records(path, rows[start : start + size], vendors)


def atlas_of_records(atlas: Atlas, data_dir: Path, selection: pd.DataFrame) -> Atlas:
    """The atlas of a lean selection's full records (read from the points file of `data_dir`), as
    `geo.load.build_atlas` makes one: what the outputs made of whole records (files, images, the snapshot)
    are made from. At most MAX_RECORDS_OUT records are read."""
    if len(selection) > MAX_RECORDS_OUT:
        raise ValueError(
            f"{len(selection):,} records selected; outputs of a large dataset hold at most {MAX_RECORDS_OUT:,}"
        )
    full = read_records(Path(data_dir) / POINTS_FILE, selection["row"], atlas.vendors)
    aliases = dict(zip(atlas.vendors["id"], atlas.vendors["aliases"]))
    full["search_text"] = search_texts(full, aliases, atlas.country_names)
    return Atlas(full, atlas.vendors, atlas.countries)


def page_count(total: int, size: int) -> int:
    """How many pages of `size` rows `total` rows fill (at least one, which may be empty)."""
    return max(1, -(-total // size))


def page_rows(total: int, page: int, size: int) -> range:
    """The positions of the rows on page `page` (from 1) of `total` rows, `size` a page; a page past the end
    (the selection has since shrunk) is the last page."""
    page = min(max(page, 1), page_count(total, size))
    return range((page - 1) * size, min(page * size, total))


def read_record(path: Path, row: int, vendors: pd.DataFrame) -> pd.DataFrame:
    """The full record in row `row` of a points file, as a one-row deployments frame (read_records)."""
    return read_records(path, [row], vendors)


def main(argv: list[str] | None = None) -> int:
    """python -m geo.points DEPLOYMENTS.geojson [OUT.parquet]: convert a deployments file to GeoParquet."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m geo.points", description=main.__doc__)
    parser.add_argument("source", type=Path, help="a deployments GeoJSON file")
    parser.add_argument(
        "target", type=Path, nargs="?", help=f"the GeoParquet to write (default: {POINTS_FILE} beside it)"
    )
    args = parser.parse_args(argv)
    target = args.target or args.source.with_name(POINTS_FILE)
    try:
        rows = geojson_to_points(args.source, target)
    except DataError as error:
        print(error)
        return 1
    print(f"wrote {rows:,} records to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
