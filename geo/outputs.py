"""The picture and map-file outputs of a selection, built the same way for the app's share tab and the CLI:
one place that knows which texts, colours and years go into a snapshot, an image or an animation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import geopandas as gpd

from geo.citation import PROJECT_NAME, citation, credit_line
from geo.filters import Filters, build_vocabulary, year_bounds
from geo.image_options import ImageOptions, Texts
from geo.load import Atlas
from geo.permalink import MapView
from geo.points import is_lean, points_frame
from geo.publishing import is_local


@dataclass(frozen=True)
class Shared:
    """One selection as it is shared: the records, their colours, the sentence that says what is shown,
    the data version, the link that reopens the view, and the citation."""

    atlas: Atlas
    selection: gpd.GeoDataFrame
    colors: Mapping[str, str]
    sentence: str
    version: str
    link: str
    citation: str
    filters: Filters | None = None  # how the selection was made: the snapshot opens with them, over all the data
    view: MapView | None = None  # the map view to open at (else fitted to the selection)
    outlines: dict[str, Any] | None = None  # the snapshot's country outlines when already made (e.g. cached)

    def texts(self, retrieved: date | None = None) -> Texts:
        day = (retrieved or date.today()).isoformat()
        return Texts(PROJECT_NAME, self.sentence, credit_line(self.version, self.link), day)


def file_citation(shared: Shared) -> str:
    """The citation a published file carries: without the link when the link only works on this computer,
    so that no local host name leaks into the file."""
    return citation(shared.sentence, "", shared.version) if is_local(shared.link) else shared.citation


def snapshot_file(shared: Shared) -> str:
    """The self-contained HTML explorer of the selection. Given the filters that made it, it holds every
    deployment and opens with those filters, so a reader can change them with the app's counts and sentence."""
    from geo.snapshot_html import snapshot_html

    atlas = shared.atlas
    return snapshot_html(
        shared.selection if shared.filters is None else atlas.deployments,
        atlas.countries,
        shared.colors,
        atlas.vendor_names,
        atlas.country_names,
        title=PROJECT_NAME,
        sentence=shared.sentence,
        citation=file_citation(shared),
        filters=shared.filters,
        vocabulary=None if shared.filters is None else build_vocabulary(atlas, year_bounds(atlas.deployments)),
        view=shared.view,
        outlines=shared.outlines,
    )


def drawn_records(selection: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """What a picture of the selection is drawn from: the records, or a large dataset's lean table with its
    points as geometry (a picture needs no more of a record than that table holds, so it is of any size)."""
    return points_frame(selection) if is_lean(selection) else selection


def image_file(shared: Shared, options: ImageOptions, fmt: str) -> bytes:
    """A PNG, SVG or PDF of the selection."""
    from geo import matplotlib_lean  # noqa: F401 (before geo.graphics imports matplotlib)
    from geo.graphics import render_image  # matplotlib: imported only for a picture

    atlas, selection = shared.atlas, drawn_records(shared.selection)
    return render_image(selection, atlas.countries, shared.colors, atlas.vendor_names, shared.texts(), options, fmt)


def timeline_years(filters: Filters, year_bounds: tuple[int, int]) -> tuple[int | None, int]:
    """The years an animation runs over: from the filter's first year (else the selection's first start)
    to its last year (else the data's last)."""
    year_from, year_to = filters["years"]
    return year_from, year_to if year_to is not None else year_bounds[1]


def animation_file(shared: Shared, years: tuple[int | None, int], options: ImageOptions, fmt: str) -> bytes:
    """The GIF or MP4 of the selection's spread, one frame per year."""
    from geo import matplotlib_lean  # noqa: F401 (before geo.graphics imports matplotlib)
    from geo.graphics import render_animation  # matplotlib: imported only for a picture

    atlas, selection = shared.atlas, drawn_records(shared.selection)
    return render_animation(
        selection, atlas.countries, shared.colors, atlas.vendor_names, shared.texts(), years, options, fmt
    )
