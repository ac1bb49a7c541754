"""A self-contained HTML map of a selection: every script, style and the data inlined, so it opens from
disk with no network and keeps working. Tiles load on top when online; country outlines are the fallback."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import geopandas as gpd

from geo import web
from geo.mapdata import ROW_COLUMNS, map_payload, outlines_geojson, script_json

TEMPLATE = web.WEB_DIR / "snapshot.html"
TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILES_ATTRIBUTION = "&copy; OpenStreetMap contributors"


def _inline_script(text: str) -> str:
    # A library's own text could contain "</script"; split it so the HTML parser never ends the element early.
    return text.replace("</script", "<\\/script")


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
        "{{CSS}}": css.replace("</style", "<\\/style"),
        "{{JS}}": js,
        "{{DATA_JSON}}": script_json(payload),
        "{{OUTLINES_JSON}}": script_json(outlines if outlines is not None else outlines_geojson(countries)),
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
        "{{DATA_JSON}}",
        "{{JS}}",
    ):
        page = page.replace(key, replacements[key])
    return page


def embed_code(url: str, title: str, height: int = 600) -> str:
    """An <iframe> snippet for a newsroom CMS, pointing at wherever the snapshot file is hosted."""
    return (
        f'<iframe src="{html.escape(url, quote=True)}" title="{html.escape(title, quote=True)}" '
        f'width="100%" height="{int(height)}" style="border:0" loading="lazy"></iframe>'
    )
