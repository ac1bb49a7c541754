"""A self-contained HTML map of a selection: every script, style and the data inlined, so it opens from
disk with no network and keeps working. Tiles load on top when online; country outlines and place names
(geo/places.py) are the fallback, with a notice when the tiles fail."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Mapping
from typing import Any

import geopandas as gpd

from geo import web
from geo.mapdata import ROW_COLUMNS, map_payload, outlines_geojson, script_json
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


def snapshot_html(
    selection: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    colors: Mapping[str, str],
    vendor_names: Mapping[str, str],
    country_names: Mapping[str, str],
    *,
    title: str,
    sentence: str,
    citation: str,
    outlines: dict[str, Any] | None = None,
) -> str:
    """The whole page as one string. Record text reaches the page only as escaped JSON or escaped HTML."""
    payload = map_payload(selection, colors, vendor_names, country_names)
    years = [r[ROW_COLUMNS.index("y0")] for r in payload["rows"]] or [2000]
    css = "\n".join(web.read_asset(name) for name in web.STYLES)
    js = "\n;\n".join(_inline_script(web.read_asset(name)) for name in web.SCRIPTS)
    replacements = {
        "{{TITLE}}": html.escape(title),
        "{{SENTENCE}}": html.escape(sentence),
        "{{CITATION}}": html.escape(citation),
        "{{YEAR_MIN}}": str(min(years)),
        "{{YEAR_MAX}}": str(max(years)),
        "{{CSS}}": SOURCE_MAP.sub("", css).replace("</style", "<\\/style"),
        "{{JS}}": js,
        "{{DATA_JSON}}": script_json(payload),
        "{{OUTLINES_JSON}}": script_json(outlines if outlines is not None else outlines_geojson(countries)),
        "{{PLACES_JSON}}": script_json(place_labels(countries)),
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
        "{{CSS}}",
        "{{OUTLINES_JSON}}",
        "{{PLACES_JSON}}",
        "{{DATA_JSON}}",
        "{{JS}}",
    ):
        page = page.replace(key, replacements[key])
    return page.replace("{{CSP}}", html.escape(content_security_policy(page)), 1)


def embed_code(url: str, title: str, height: int = 600) -> str:
    """An <iframe> snippet for a newsroom CMS, pointing at wherever the snapshot file is hosted."""
    return (
        f'<iframe src="{html.escape(url, quote=True)}" title="{html.escape(title, quote=True)}" '
        f'width="100%" height="{int(height)}" style="border:0" loading="lazy" '
        'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer"></iframe>'
    )
