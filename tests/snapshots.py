"""Build the HTML snapshot of a test atlas the way the tests need it: the atlas's own countries, colours and
names, with short texts unless a test cares about them."""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from geo.load import Atlas
from geo.mapdata import assign_colors
from geo.snapshot_html import snapshot_html


def snapshot_of(
    atlas: Atlas,
    selection: gpd.GeoDataFrame | None = None,
    *,
    title: str = "T",
    sentence: str = "S",
    citation: str = "C",
    **options: Any,
) -> str:
    """snapshot_html of `selection` (all of the atlas's deployments by default)."""
    records = atlas.deployments if selection is None else selection
    return snapshot_html(
        records,
        atlas.countries,
        assign_colors(atlas.deployments),
        atlas.vendor_names,
        atlas.country_names,
        title=title,
        sentence=sentence,
        citation=citation,
        **options,
    )
