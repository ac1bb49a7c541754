"""A self-contained HTML map of a selection: every script, style and the data inlined, so it opens from
disk with no network and keeps working. Tiles load on top when online; country outlines and place names
(geo/places.py) are the fallback, with a notice when the tiles fail."""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
import re
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import web
from geo.explorer import explorer_data
from geo.filters import Filters, Vocabulary, build_vocabulary, year_bounds
from geo.load import Atlas
from geo.mapdata import map_payload, outlines_geojson, script_json
from geo.permalink import MapView
from geo.places import place_labels

TEMPLATE = web.WEB_DIR / "snapshot.html"
TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILES_ATTRIBUTION = "&copy; OpenStreetMap contributors"


SOURCE_MAP = re.compile(r"^\s*(//[#@]\s*sourceMappingURL=.*|/\*[#@]\s*sourceMappingURL=.*?\*/)\s*$", re.M)
SCRIPT_ELEMENT = re.compile(r"<script>(.*?)</script>", re.S)
# Only the file's own inline scripts (by hash) may run; nothing may be fetched but map tiles.
CSP = (
    "default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data: https://tile.openstreetmap.org; "
    "connect-src 'none'; font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
)


def _inline_script(text: str) -> str:
    # A library's own text could contain "</script"; split it so the HTML parser never ends the element early.
    return SOURCE_MAP.sub("", text).replace("</script", "<\\/script")


def content_security_policy(page: str) -> str:
    """A policy that lets exactly this page's inline scripts run (by their SHA-256)."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
        for body in SCRIPT_ELEMENT.findall(page)
    ]
    return CSP.format(hashes=" ".join(hashes))


def default_vocabulary(
    records: gpd.GeoDataFrame, countries: gpd.GeoDataFrame, vendor_names: Mapping[str, str]
) -> Vocabulary:
    """What the filters offer when only the records are known (as the app builds it from the dataset)."""
    vendors = pd.DataFrame({"id": list(vendor_names), "name": list(vendor_names.values())})
    return build_vocabulary(Atlas(records, vendors, countries), year_bounds(records))


# The data, outlines and place names travel as one gzip-compressed JSON value in base64 (a third of the size
# of the plain JSON), decoded in the page with the browser's DecompressionStream (works from disk, offline).
# The payload's rows are sent column by column ("rowColumns"), which compresses better; the page turns
# them back into rows, so atlas.js sees the payload exactly as map_payload built it.
PACKED_SCRIPT = re.compile(r'var packed = "([A-Za-z0-9+/=]*)";')
COMPRESS_LEVEL = 6


def pack_rows(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with `rows` replaced by `rowColumns`: one list per column of ROW_COLUMNS."""
    rows = payload["rows"]
    width = len(rows[0]) if rows else 0
    packed = {k: v for k, v in payload.items() if k != "rows"}
    packed["rowColumns"] = [[row[i] for row in rows] for i in range(width)]
    return packed


def unpack_rows(packed: dict[str, Any]) -> dict[str, Any]:
    """The inverse of pack_rows (the page's `unpackRows` does the same)."""
    payload = {k: v for k, v in packed.items() if k != "rowColumns"}
    payload["rows"] = [list(row) for row in zip(*packed["rowColumns"])]
    return payload


def pack(value: Any) -> str:
    """JSON, gzip-compressed (level COMPRESS_LEVEL, no timestamp: the same data gives the same file), in base64."""
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=COMPRESS_LEVEL, mtime=0)).decode("ascii")


def embedded_data(page: str) -> dict[str, Any]:
    """What a snapshot page carries, decoded as the page decodes it: {"data", "outlines", "places"}."""
    match = PACKED_SCRIPT.search(page)
    if match is None:
        raise ValueError('expected a snapshot page with its packed data (var packed = "...";)')
    bundle: dict[str, Any] = json.loads(gzip.decompress(base64.b64decode(match.group(1))))
    bundle["data"] = unpack_rows(bundle["data"])
    return bundle


def view_json(view: MapView | None) -> dict[str, float] | None:
    return None if view is None else {"lat": view.lat, "lng": view.lng, "zoom": view.zoom}


def snapshot_html(
    records: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    colors: Mapping[str, str],
    vendor_names: Mapping[str, str],
    country_names: Mapping[str, str],
    *,
    title: str,
    sentence: str,
    citation: str,
    outlines: dict[str, Any] | None = None,
    filters: Filters | None = None,
    vocabulary: Vocabulary | None = None,
    view: MapView | None = None,
) -> str:
    """The whole page as one string: an explorer of `records` that opens with `filters` applied (none by
    default) at `view` (else fitted to what is shown). For the app's sentence and counts, `records` are
    all the deployments and `filters` the app's. Record text reaches the page only as escaped JSON or
    escaped HTML."""
    if vocabulary is None:
        vocabulary = default_vocabulary(records, countries, vendor_names)
    payload = map_payload(records, colors, vendor_names, country_names)
    payload["explorer"] = explorer_data(records, vocabulary, filters)
    year_min, year_max = vocabulary.year_bounds
    css = "\n".join(web.read_asset(name) for name in web.STYLES)
    js = "\n;\n".join(_inline_script(web.read_asset(name)) for name in web.SCRIPTS)
    replacements = {
        "{{TITLE}}": html.escape(title),
        "{{SENTENCE}}": html.escape(sentence),
        "{{CITATION}}": html.escape(citation),
        "{{YEAR_MIN}}": str(year_min),
        "{{YEAR_MAX}}": str(year_max),
        "{{VIEW_JSON}}": script_json(view_json(view)),
        "{{CSS}}": SOURCE_MAP.sub("", css).replace("</style", "<\\/style"),
        "{{JS}}": js,
        "{{PACKED}}": pack(
            {
                "data": pack_rows(payload),
                "outlines": outlines if outlines is not None else outlines_geojson(countries),
                "places": place_labels(countries),
            }
        ),
        "{{TILES_JSON}}": script_json(TILES_URL),
        "{{ATTRIBUTION_JSON}}": script_json(TILES_ATTRIBUTION),
    }
    page = TEMPLATE.read_text(encoding="utf-8")
    # Data and library text are substituted last, so their contents are never scanned for placeholders.
    for key in (
        "{{TITLE}}",
        "{{SENTENCE}}",
        "{{CITATION}}",
        "{{YEAR_MIN}}",
        "{{YEAR_MAX}}",
        "{{TILES_JSON}}",
        "{{ATTRIBUTION_JSON}}",
        "{{VIEW_JSON}}",
        "{{CSS}}",
        "{{PACKED}}",
        "{{JS}}",
    ):
        page = page.replace(key, replacements[key])
    return page.replace("{{CSP}}", html.escape(content_security_policy(page)), 1)


EMBED_SANDBOX = "allow-scripts allow-popups allow-popups-to-escape-sandbox"
EMBED_HEIGHTS = (600, 800)  # the fixed-size variants, in pixels
EMBED_RATIO = "16 / 10"  # the responsive frame's width to height, above its minimum height
EMBED_MIN_HEIGHT = 560  # enough for the filters and a usable map on a phone


def _iframe(url: str, title: str, size: str) -> str:
    return (
        f'<iframe src="{html.escape(url, quote=True)}" title="{html.escape(title, quote=True)}" {size} '
        f'loading="lazy" sandbox="{EMBED_SANDBOX}" referrerpolicy="no-referrer"></iframe>'
    )


def embed_code(url: str, title: str, height: int | None = None) -> str:
    """A snippet for a newsroom CMS, pointing at wherever the snapshot file is hosted: by default a frame
    whose height follows its width (EMBED_RATIO, at least EMBED_MIN_HEIGHT px); given `height`, a frame of
    the full width and that many pixels tall."""
    if height is not None:
        return _iframe(url, title, f'width="100%" height="{int(height)}" style="border:0"')
    frame = _iframe(url, title, 'style="position:absolute;top:0;left:0;width:100%;height:100%;border:0"')
    return (
        f'<div style="position:relative;width:100%;aspect-ratio:{EMBED_RATIO};min-height:{EMBED_MIN_HEIGHT}px">'
        f"{frame}</div>"
    )


def embed_codes(url: str, title: str) -> dict[str, str]:
    """The responsive snippet and the fixed-size ones, by a short description of each."""
    codes = {"Responsive (the height follows the width)": embed_code(url, title)}
    codes.update({f"Fixed, {h} px tall": embed_code(url, title, h) for h in EMBED_HEIGHTS})
    return codes
