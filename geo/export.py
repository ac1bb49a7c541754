"""The selection as CSV and GeoJSON (both load back through the project's loader without losing a field),
the CSV's metadata, and the Frictionless Data package describing the full dataset."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from itertools import zip_longest
from pathlib import Path
from typing import Any, TextIO

import geopandas as gpd
import pandas as pd

from geo import schema
from geo.metadata import DatasetMetadata, load_metadata
from geo.validate import is_ascii_int
from geo.xlsx import Sheet, workbook_bytes

LIST_SEPARATOR = "; "
SOURCE_COLUMN = re.compile(r"^source(\d+)_(" + "|".join(f.name for f in schema.SOURCE_FIELDS) + r")$")
SOURCE_KEYS = tuple(f.name for f in schema.SOURCE_FIELDS)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection). Such text is written
# with a leading apostrophe, which spreadsheets hide, and read back without it; a leading apostrophe in the
# text itself is doubled so that the round trip stays exact.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def spreadsheet_safe(value: Any) -> Any:
    """Text that a spreadsheet shows as text (numbers are left alone)."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def from_spreadsheet_safe(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _plain(value: Any) -> Any:
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _plain_column(column: pd.Series) -> list[Any]:
    """The column's values as plain Python values, missing ones (None, NaN, pd.NA) as None."""
    values = column.tolist()  # numpy and nullable dtypes give Python ints, floats and pd.NA here
    missing = column.isna().tolist()
    if column.dtype == object:
        values = [_plain(value) for value in values]  # in case a cell holds a numpy scalar
    return [None if gone else value for value, gone in zip(values, missing)]


def to_features(selection: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """GeoJSON features with exactly the schema's fields (no join columns)."""
    names = schema.DEPLOYMENT_FIELD_NAMES
    columns = [_plain_column(selection[name]) for name in names]
    xs, ys = selection.geometry.x.tolist(), selection.geometry.y.tolist()
    features = []
    for values, x, y in zip(zip(*columns), xs, ys):
        props = dict(zip(names, values))
        props["vendors"], props["sectors"] = list(props["vendors"]), list(props["sectors"])
        props["sources"] = [dict(s) for s in props["sources"]]
        props["history"] = [dict(e) for e in props["history"] or []] or None
        props["vendor_roles"] = dict(props["vendor_roles"] or {}) or None
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]}, "properties": props})
    return features


def to_geojson(selection: gpd.GeoDataFrame) -> str:
    out = io.StringIO()
    write_geojson([selection], out)
    return out.getvalue()


def write_geojson(parts: Iterable[gpd.GeoDataFrame], out: TextIO) -> None:
    """The records of `parts` as one FeatureCollection, written part by part (a large selection is read a
    part at a time), as `json.dumps(collection, indent=1)` would write it."""
    out.write('{\n "type": "FeatureCollection",\n "features": [')
    written = False
    for part in parts:
        for feature in to_features(part):
            text = json.dumps(feature, ensure_ascii=False, indent=1).replace("\n", "\n  ")
            out.write((",\n  " if written else "\n  ") + text)
            written = True
    out.write("\n ]\n}" if written else "]\n}")


# Names beside the ids they stand for, for readers of the spreadsheet; the loader reads only the ids.
NAME_COLUMNS = {"vendors": "vendor_names", "country": "country_name"}
BYTE_ORDER_MARK = "\ufeff"  # so that Excel reads the file as UTF-8


def csv_columns(max_sources: int) -> list[str]:
    sources = [f"source{i}_{key}" for i in range(1, max_sources + 1) for key in SOURCE_KEYS]
    fields: list[str] = []
    for name in schema.DEPLOYMENT_FIELD_NAMES:
        if name != "sources":
            fields += [name, NAME_COLUMNS[name]] if name in NAME_COLUMNS else [name]
    return [*fields, "longitude", "latitude", *sources]


def table_rows(
    selection: gpd.GeoDataFrame,
    country_names: Mapping[str, str] | None = None,
    features: list[dict[str, Any]] | None = None,
    max_sources: int | None = None,
) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and rows of the CSV and the XLSX's first sheet: one row per record, list fields joined
    with '; ', vendor and country names beside their ids, every source as a numbered column group (as many
    groups as `max_sources`, by default as the selection's records need). `features` are the selection's
    to_features when the caller has them already."""
    features = to_features(selection) if features is None else features
    vendor_names = list(selection["vendor_names"]) if "vendor_names" in selection else [[] for _ in features]
    if max_sources is None:
        max_sources = max((len(f["properties"]["sources"]) for f in features), default=1)
    rows = []
    for feature, names in zip(features, vendor_names):
        props = feature["properties"]
        row: dict[str, Any] = {k: ("" if v is None else v) for k, v in props.items() if k != "sources"}
        for name in schema.LIST_FIELDS:
            row[name] = LIST_SEPARATOR.join(props[name])
        for name in ("history", "vendor_roles"):
            row[name] = json.dumps(props[name], ensure_ascii=False) if props.get(name) else ""
        row["vendor_names"] = LIST_SEPARATOR.join(names)
        row["country_name"] = (country_names or {}).get(props["country"], "")
        row["longitude"], row["latitude"] = feature["geometry"]["coordinates"]
        for i, source in enumerate(props["sources"], start=1):
            row.update({f"source{i}_{key}": source[key] for key in SOURCE_KEYS})
        rows.append(row)
    return csv_columns(max_sources), rows


def to_csv(selection: gpd.GeoDataFrame, country_names: Mapping[str, str] | None = None) -> str:
    """The table rows as CSV with a byte-order mark (so Excel reads UTF-8), every cell spreadsheet-safe."""
    out = io.StringIO()
    write_csv([selection], out, country_names)
    return out.getvalue()


def write_csv(
    parts: Iterable[gpd.GeoDataFrame],
    out: TextIO,
    country_names: Mapping[str, str] | None = None,
    max_sources: int | None = None,
) -> None:
    """to_csv of the records of `parts`, written part by part. With more than one part, `max_sources` (the
    most sources any of the records has) must be given, so that every part has the same columns."""
    out.write(BYTE_ORDER_MARK)
    writer: csv.DictWriter | None = None
    for part in parts:
        columns, rows = table_rows(part, country_names, max_sources=max_sources)
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
        for row in rows:
            writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
    if writer is None:
        csv.writer(out, lineterminator="\n").writerow(csv_columns(max_sources or 1))


def _csv_value(name: str, text: str) -> Any:
    field = schema.deployment_field(name)
    if field.kind == "int":
        number = text.strip()
        return int(number) if is_ascii_int(number.lstrip("-")) else (number or None)
    if field.kind.startswith("list"):
        return [v.strip() for v in text.split(";") if v.strip()]
    if field.kind in ("history", "roles"):
        return json.loads(text) if text.strip() else None
    return text


def csv_to_features(text: str) -> list[dict[str, Any]]:
    """GeoJSON features from the CSV export, ready for the loader's validation and normalisation."""
    features = []
    for raw in csv.DictReader(io.StringIO(text.removeprefix(BYTE_ORDER_MARK))):
        row = {k: from_spreadsheet_safe(v) if isinstance(v, str) else v for k, v in raw.items()}
        props = {
            name: _csv_value(name, row.get(name, "")) for name in schema.DEPLOYMENT_FIELD_NAMES if name != "sources"
        }
        sources: dict[int, dict[str, str]] = {}
        for column, value in row.items():
            match = SOURCE_COLUMN.match(column or "")
            if match:
                sources.setdefault(int(match.group(1)), {})[match.group(2)] = value or ""
        props["sources"] = [sources[i] for i in sorted(sources) if any(sources[i].values())]
        coordinates = [float(row["longitude"]), float(row["latitude"])]
        features.append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": coordinates}, "properties": props}
        )
    return features


def csv_metadata(
    citation_text: str, version: str, rows: int, metadata: DatasetMetadata | None = None
) -> dict[str, Any]:
    """What accompanies a CSV download: the citation, data version, publisher, licence and a column guide."""
    meta = metadata or load_metadata()
    return {
        "title": f"{meta.title}: filtered deployments",
        "citation": citation_text,
        "data_version": version,
        "rows": rows,
        "publisher": meta.publisher,
        "maintainer": meta.maintainer,
        "licence": meta.licence_note,
        "licence_url": meta.licence.url,
        "columns": {f.name: f.description for f in schema.DEPLOYMENT_FIELDS if f.name != "sources"}
        | {
            "longitude": "WGS84 longitude",
            "latitude": "WGS84 latitude",
            "vendor_names": "the vendors' names, in the order of their ids",
            "country_name": "the country's name",
            "sourceN_*": "Nth source: " + ", ".join(schema.SOURCE_FIELD_NAMES),
            "history": "JSON list of {year, status, source} events, when the status changed",
            "vendor_roles": "JSON object of vendor id -> role, where the sources say",
        },
        "list_separator": LIST_SEPARATOR,
    }


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SOURCES_SHEET_COLUMNS = ("deployment_id", "deployment_name", "source_number", *SOURCE_KEYS)
CITATION_SHEET_FIELDS = {
    "title": "Title",
    "citation": "Citation",
    "data_version": "Data version",
    "rows": "Rows",
    "publisher": "Publisher",
    "maintainer": "Maintainer",
    "licence": "Licence",
    "licence_url": "Licence URL",
    "list_separator": "List separator",
}
MAX_COLUMN_WIDTH = 60


def _sheet(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Sheet:
    """A sheet with a bold, frozen header row; text that a spreadsheet would run as a formula is kept as text
    (also when the cell is edited); columns are as wide as their content, up to a limit."""
    cells = [list(values) for values in rows]
    by_column = zip_longest(*cells) if cells else [()] * len(columns)
    widths = [max(len(name), _widest(values)) for name, values in zip(columns, by_column)]
    return Sheet(title, columns, cells, [min(w + 2, MAX_COLUMN_WIDTH) for w in widths], FORMULA_STARTS)


def _widest(values: Sequence[Any]) -> int:
    return max(map(len, map(str, values)), default=0)  # None counts as 4 ("None"): near enough for a width


def to_xlsx(
    selection: gpd.GeoDataFrame,
    country_names: Mapping[str, str] | None,
    citation_text: str,
    version: str,
    metadata: DatasetMetadata | None = None,
) -> bytes:
    """An Excel workbook: "Deployments" (the CSV's columns and rows), "Sources" (one row per source of each
    record) and "Citation" (the citation, data version, row count, publisher and licence)."""
    features = to_features(selection)
    columns, rows = table_rows(selection, country_names, features)
    sources = [
        (feature["properties"]["id"], feature["properties"]["name"], number, *(source[k] for k in SOURCE_KEYS))
        for feature in features
        for number, source in enumerate(feature["properties"]["sources"], start=1)
    ]
    about = csv_metadata(citation_text, version, len(rows), metadata)
    return workbook_bytes(
        [
            _sheet("Deployments", columns, ([row.get(c, "") for c in columns] for row in rows)),
            _sheet("Sources", SOURCES_SHEET_COLUMNS, sources),
            _sheet(
                "Citation", ("field", "value"), ((CITATION_SHEET_FIELDS[k], about[k]) for k in CITATION_SHEET_FIELDS)
            ),
        ]
    )


FRICTIONLESS_TYPES = {
    "str": "string",
    "id": "string",
    "iso2": "string",
    "enum": "string",
    "int": "integer",
    "date": "string",
    "url": "string",
    "quote": "string",
    "history": "array",
    "roles": "object",
}


def _table_field(f: schema.Field) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": f.name,
        "title": f.label,
        "description": f.description,
        "type": FRICTIONLESS_TYPES.get(f.kind, "array" if f.kind.startswith("list") else "object"),
    }
    constraints: dict[str, Any] = {}
    if f.required and not f.nullable:
        constraints["required"] = True
    if f.choices and f.kind == "enum":
        constraints["enum"] = list(f.choices)
    if f.kind == "url":
        entry["format"] = "uri"
    if constraints:
        entry["constraints"] = constraints
    return entry


def _contributors(meta: DatasetMetadata) -> list[dict[str, str]]:
    maintainer = {"title": meta.maintainer, "role": "maintainer"}
    if meta.maintainer_email:
        maintainer["email"] = meta.maintainer_email
    return [{"title": meta.publisher, "role": "publisher"}, maintainer]


def datapackage(version: str, metadata: DatasetMetadata | None = None) -> dict[str, Any]:
    """A Frictionless Data package descriptor for `data/`, generated from the schema and data/metadata.json."""
    meta = metadata or load_metadata()
    outlines = meta.country_outlines
    homepage = {"homepage": meta.homepage} if meta.homepage else {}
    return {
        "profile": "data-package",
        "name": "facial-recognition-atlas",
        "title": meta.title,
        "description": meta.description,
        **homepage,
        "version": version,
        "licenses": [{"name": meta.licence.id, "title": meta.licence.name, "path": meta.licence.url}],
        "contributors": _contributors(meta),
        "sources": [
            {
                "title": "Seed articles and further public reporting; each record cites its own sources "
                "(publisher, title, date, URL, quote)."
            },
            {
                "title": "Natural Earth Admin 0 – Countries 1:50m (public domain), via npm world-atlas 2.0.2",
                "path": "https://www.naturalearthdata.com/",
            },
        ],
        "resources": [
            {
                "name": "deployments",
                "path": "deployments.geojson",
                "format": "geojson",
                "mediatype": "application/geo+json",
                "description": "One Point feature per deployment; fields below are the features' properties.",
                "schema": {
                    "fields": [_table_field(f) for f in schema.DEPLOYMENT_FIELDS],
                    "sourceFields": [_table_field(f) for f in schema.SOURCE_FIELDS],
                },
            },
            {
                "name": "vendors",
                "path": "vendors.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "profile": "tabular-data-resource",
                "schema": {"fields": [_table_field(f) for f in schema.VENDOR_FIELDS], "primaryKey": "id"},
            },
            {
                "name": "countries",
                "path": "countries.geojson",
                "format": "geojson",
                "mediatype": "application/geo+json",
                "licenses": [
                    {"name": outlines.licence_id, "title": f"{outlines.licence_name.capitalize()} ({outlines.source})"}
                ],
                "description": "Country outlines (Polygon and MultiPolygon features); fields below are the features' properties.",
                "schema": {
                    "fields": [
                        {
                            "name": "iso_a2",
                            "title": "Country code",
                            "type": "string",
                            "description": "ISO 3166-1 alpha-2 code, as used by deployments and vendors",
                        },
                        {
                            "name": "iso_n3",
                            "title": "Numeric code",
                            "type": "string",
                            "description": "ISO 3166-1 numeric code",
                        },
                        {
                            "name": "name",
                            "title": "Name",
                            "type": "string",
                            "description": "Country name (Natural Earth)",
                        },
                    ]
                },
            },
        ],
    }


def write_datapackage(data_dir: Path, version: str) -> Path:
    path = Path(data_dir) / "datapackage.json"
    path.write_text(json.dumps(datapackage(version), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    from geo.citation import data_version
    from geo.validate import DATA_DIR

    print(write_datapackage(DATA_DIR, data_version(DATA_DIR)))
