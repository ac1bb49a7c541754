"""The compact, JSON-safe payload the map's JavaScript draws from, and stable vendor colours."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.load import list_values, vendor_counts

# Okabe–Ito: distinguishable with the common forms of colour blindness. Grey is for "all other vendors".
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000")
OTHER_COLOR = "#999999"
OTHER_LABEL = "Other vendors"
# Placeholders for "no vendor named" never take one of the few distinct colours.
PLACEHOLDER_VENDORS = frozenset({"unknown", "unnamed-chinese"})


def assign_colors(deployments: gpd.GeoDataFrame, palette: tuple[str, ...] = PALETTE) -> dict[str, str]:
    """Vendor id -> colour: the most frequent vendors (over the whole dataset, so colours never shift
    when filters change) get their own colour; every other vendor shares OTHER_COLOR."""
    counts = vendor_counts(deployments)
    ranked = sorted((v for v in counts.index if v not in PLACEHOLDER_VENDORS), key=lambda v: (-counts[v], v))
    colors = {vendor: palette[i] for i, vendor in enumerate(ranked[: len(palette)])}
    return {vendor: colors.get(vendor, OTHER_COLOR) for vendor in counts.index}


def _int_or_none(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def legend_entries(
    selection: gpd.GeoDataFrame, colors: Mapping[str, str], names: Mapping[str, str]
) -> list[dict[str, str]]:
    """Legend rows for the vendors of the deployments in the selection (policies have their own symbol):
    own colours first, then one row for all others."""
    vendors = selection["vendors"]
    if "kind" in selection:
        vendors = vendors[selection["kind"] != "policy"]  # the column alone: no copy of the whole frame
    present = list_values(vendors)
    own = sorted((v for v in present if colors.get(v, OTHER_COLOR) != OTHER_COLOR), key=lambda v: names.get(v, v))
    entries = [{"name": names.get(v, v), "color": colors[v]} for v in own]
    if any(colors.get(v, OTHER_COLOR) == OTHER_COLOR for v in present):
        entries.append({"name": OTHER_LABEL, "color": OTHER_COLOR})
    return entries


# Column order of a payload row, mirrored by COL in `geo/web/atlas.js` (a test keeps them equal). The first
# MARKER_COLUMNS draw a marker and its tooltip; the rest are only needed once a popup opens.
ROW_COLUMNS = (
    "id",
    "lat",
    "lon",
    "name",
    "vendors",
    "y0",
    "y1",
    "confidence",
    "kind",
    "place",
    "country",
    "operator",
    "status",
    "sectors",
    "cameras",
    "description",
    "precision",
    "sources",
)
MARKER_COLUMNS = 9


# The record fields a payload row is made of (its lat and lon come from the geometry).
ROW_FIELDS: tuple[str, ...] = (
    *("id", "name", "vendors", "year_start", "year_end", "confidence", "kind", "place", "country"),
    *("operator", "status", "sectors", "cameras", "description", "precision", "sources"),
)


def _row(rec: Mapping[str, Any], lat: float, lon: float, vendor_index: Mapping[str, int]) -> list[Any]:
    return [
        rec["id"],
        round(lat, 5),
        round(lon, 5),
        rec["name"],
        [vendor_index[v] for v in rec["vendors"]],
        _int_or_none(rec["year_start"]),
        _int_or_none(rec["year_end"]),
        rec["confidence"],
        rec["kind"],
        rec["place"],
        rec["country"],
        rec["operator"],
        rec["status"],
        list(rec["sectors"]),
        _int_or_none(rec["cameras"]),
        rec["description"],
        rec["precision"],
        [[s["publisher"], s["title"], s["date"], s["url"], s["quote"]] for s in rec["sources"]],
    ]


def _rows(selection: gpd.GeoDataFrame, vendor_index: Mapping[str, int]) -> list[list[Any]]:
    """Every record as a payload row. Read column by column (`tolist`), which is several times faster than
    `itertuples` over Arrow-backed string columns."""
    columns = {name: selection[name].tolist() for name in ROW_FIELDS}
    records = (dict(zip(ROW_FIELDS, values)) for values in zip(*columns.values()))
    lats, lons = selection.geometry.y.tolist(), selection.geometry.x.tolist()
    return [_row(rec, lat, lon, vendor_index) for rec, lat, lon in zip(records, lats, lons)]


# The labels of coded values that the map's script shows (popups, legend), by field.
MAP_LABELS: dict[str, Mapping[str, str]] = {
    "status": schema.STATUSES,
    "confidence": schema.CONFIDENCES,
    "sector": schema.SECTORS,
    "precision": schema.PRECISIONS,
    "kind": schema.RECORD_KINDS,
}


def map_payload(
    selection: gpd.GeoDataFrame,
    colors: Mapping[str, str],
    vendor_names: Mapping[str, str],
    country_names: Mapping[str, str],
) -> dict[str, Any]:
    """Rows as compact arrays (columns in ROW_COLUMNS order) plus the lookup tables they index."""
    vendor_ids = sorted(list_values(selection["vendors"]))
    vendor_index = {v: i for i, v in enumerate(vendor_ids)}
    return {
        "vendors": [{"id": v, "name": vendor_names.get(v, v), "color": colors.get(v, OTHER_COLOR)} for v in vendor_ids],
        "legend": legend_entries(selection, colors, vendor_names),
        "countries": {c: country_names.get(c, c) for c in sorted(set(selection["country"]))},
        "labels": MAP_LABELS,
        "fields": [list(row) for row in schema.DETAIL_ROWS],  # the popup's rows and labels, as the details panel's
        "hasPolicies": bool((selection["kind"] == "policy").any()) if "kind" in selection else False,
        "rows": _rows(selection, vendor_index),
    }


DETAILS_CHUNK_ROWS = 1000  # rows per details file: a popup fetches only its row's chunk


def split_payload(
    payload: dict[str, Any], chunk_rows: int = DETAILS_CHUNK_ROWS
) -> tuple[dict[str, Any], list[list[list[Any]]]]:
    """The payload with only the marker columns (and `detailsChunk`, the rows per details chunk), and the
    remaining columns of each row (same order) in chunks of `chunk_rows` rows, so a browser draws the
    markers before any description or source has been downloaded, and fetches only the chunks it opens."""
    markers = {**payload, "detailsChunk": chunk_rows, "rows": [row[:MARKER_COLUMNS] for row in payload["rows"]]}
    details = [row[MARKER_COLUMNS:] for row in payload["rows"]]
    return markers, [details[i : i + chunk_rows] for i in range(0, len(details), chunk_rows)] or [[]]


OUTLINE_TOLERANCE_DEGREES = 0.05


def outlines_geojson(countries: gpd.GeoDataFrame, tolerance: float = OUTLINE_TOLERANCE_DEGREES) -> dict[str, Any]:
    """Country outlines light enough to draw on every page load (about a third of the source size)."""
    light = countries[["iso_a2", "name", "geometry"]].copy()
    light["geometry"] = light.geometry.simplify(tolerance, preserve_topology=True).set_precision(0.01)
    return json.loads(light[~light.geometry.is_empty].to_json(drop_id=True))


def rows_bitset(positions: Sequence[int] | np.ndarray, total: int) -> str:
    """Which of `total` rows are shown, as base64 of one bit per row (row i is bit i % 8 of byte i // 8):
    about 17 kB at 100,000 rows, where a JSON list of their numbers is up to 600 kB (Atlas.rowsFromBitset)."""
    shown = np.zeros(total, dtype=bool)
    shown[np.asarray(positions, dtype=np.int64)] = True
    return base64.b64encode(np.packbits(shown, bitorder="little").tobytes()).decode("ascii")


def script_json(value: Any) -> str:
    """JSON that is safe to embed in a <script> element or an eval'd string: no `<`, `>`, `&` or
    line separators survive unescaped, so record text can never close the script or break out."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
