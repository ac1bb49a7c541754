"""Static graphics of a selection for print and social media, rendered without a browser or network:
PNG, SVG and PDF of the map (outlines, deployments coloured by vendor and shaped by confidence, or
countries shaded by their count), with a legend, the title, the filter sentence and a credit line; the
framing (world, fit to the selection, or a named region); place labels placed without overlaps; a
highlighted record; and an animated timeline (GIF, MP4) with one frame per year.

Pure: no Streamlit and no pyplot (so no global backend state); it draws on a `Figure` with the Agg canvas.
Layout is in pixels of a 1600x900 page scaled with the page's area, so every size shows the same picture
with text and markers in proportion.
"""

from __future__ import annotations

import io
import itertools
import math
import tempfile
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from shapely.geometry.base import BaseGeometry

from geo import schema
from geo.filters import Filters, selection_mask
from geo.image_options import (  # apart from matplotlib, so offering the options does not import it
    ANIMATION_FORMATS,
    FORMATS,
    REGION_NAMES,
    REGIONS,
    SIZES,
    WORLD,
    Framing,
    ImageOptions,
    Texts,
)
from geo.mapdata import OTHER_COLOR, legend_entries

BASE_SIZE = (1600, 900)  # the page the layout below is measured on, at dpi 100
BASE_DPI = 100
FONT = "DejaVu Sans"

SEA = "#dcebf5"
LAND = "#f2efe9"
BORDER = "#a3a3a3"
INK = "#222222"
MUTED = "#555555"
OUTLINE = "#333333"
POLICY_COLOR = "#222222"  # as in the app: policies name no vendor, so they share one dark square
HIGHLIGHT = "#000000"
# Country shading: counts in classes 1, 2-4, 5-9, 10-19, 20-49, ...; the same classes and shades as the map
# script's `countBins` in geo/web/atlas.js (a test keeps them equal).
SHADES = ("#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603", "#7f2704")

MIN_FIT_WIDTH = 20.0  # degrees: a fitted view is never narrower than this
MAX_FIT_WIDTH = 200.0  # degrees: wider selections get the world view
MAX_FIT_HEIGHT = 110.0

# Layout in pixels of the base page (scaled with the page): margins, the band for the title and sentence,
# the band for the legend and footer (taller on square and portrait pages, whose legend has more rows).
MARGIN = 20
HEADER = 108
TITLE_Y = 16
SENTENCE_Y = 58
FOOTER_Y = 14
LEGEND_GAP = 12

TITLE_SIZE = 22.0
SENTENCE_SIZE = 12.5
LEGEND_SIZE = 10.5
FOOTER_SIZE = 9.5
LABEL_SIZE = 9.5
MAX_LABEL_CHARS = 42
MAX_PLACE_LABELS = 12
MAX_PLACE_CHARS = 26
LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}
LABEL_OFFSETS = ((6, 4), (6, -12), (-6, 4), (-6, -12), (0, 9), (0, -17))  # points from the marker (dx, dy)

MARKER_AREA = 60.0  # points²
RING_WIDTH = 2.3  # points: the coloured edge of hollow markers
OUTLINE_WIDTH = 0.6  # points: the dark outline around every marker
# Above this many records drawn, the markers of one look that fall on the same pixel are drawn once (the
# picture is the same; a million markers would take seconds to stamp), and in an SVG or PDF each look's
# markers are one embedded image at the page's resolution (text, outlines and legend stay vector), so that
# the file does not hold one shape per record.
MANY_MARKERS = 20_000

# A circle as a 48-sided polygon: at marker size it looks the same as matplotlib's "o", whose Bezier curves
# made every scatter draw work out their extents again (a third of an animation's drawing time).
ROUND = MplPath.unit_regular_polygon(48)
# Confidence -> how the marker looks. Documented is filled; the others are hollow (white face, coloured edge).
CONFIDENCE_STYLES: dict[str, dict[str, Any]] = {
    "documented": {"marker": ROUND, "filled": True, "zorder": 5},
    "reported": {"marker": ROUND, "filled": False, "zorder": 4},
    "claimed": {"marker": "D", "filled": False, "zorder": 3, "scale": 0.8},
}

POLICY_LOOK: dict[str, Any] = {
    "s": MARKER_AREA * 0.8,
    "marker": "s",
    "c": POLICY_COLOR,
    "edgecolors": "white",
    "linewidths": 0.8,
    "zorder": 6,
}

# Animation: seconds a year is shown, and one closing frame (the whole period) held longer: for as long as
# four years, so every frame lasts a whole number of FRAME_SECONDS and the MP4 encoder is sent each frame
# once per FRAME_SECONDS (not once per 1/MP4_FPS: that piped each frame several times and took most of the
# encoding time).
FRAME_SECONDS = 0.8
PAUSE_SECONDS = 4 * FRAME_SECONDS
PAUSE_FRAMES = 1
MP4_FPS = 5


@dataclass(frozen=True)
class Layout:
    """Where things go on a page of `size` pixels (figure fractions, bottom-left origin)."""

    size: tuple[int, int]
    scale: float
    legend_rows: int
    map_rect: tuple[float, float, float, float]

    @property
    def dpi(self) -> float:
        return BASE_DPI * self.scale

    def x(self, pixels: float) -> float:
        return pixels * self.scale / self.size[0]

    def y_from_top(self, pixels: float) -> float:
        return 1 - pixels * self.scale / self.size[1]

    def y_from_bottom(self, pixels: float) -> float:
        return pixels * self.scale / self.size[1]


@dataclass
class Drawn:
    """A finished figure and what was placed on it (for callers and tests that need to know)."""

    figure: Figure
    extent: tuple[float, float, float, float]
    labels: list[tuple[str, tuple[float, float, float, float]]] = field(default_factory=list)  # text, pixel box


def layout(size: tuple[int, int]) -> Layout:
    """The layout of a page: text and markers scale with the square root of its area; a page narrower
    than 3:2 gets a five-row legend instead of three."""
    width, height = size
    scale = math.sqrt(width * height / (BASE_SIZE[0] * BASE_SIZE[1]))
    rows = 3 if width / height >= 1.5 else 5
    bottom_band = (101 + 21 * rows) * scale
    left = MARGIN * scale / width
    map_height = (height - HEADER * scale - bottom_band) / height
    return Layout(size, scale, rows, (left, bottom_band / height, 1 - 2 * left, map_height))


def _text_props(size: float, **extra: Any) -> dict[str, Any]:
    """Plain text: DejaVu Sans, and `$` is a dollar sign, never the start of mathtext or TeX."""
    return {"fontsize": size, "fontfamily": FONT, "parse_math": False, "usetex": False, "color": INK, **extra}


def _plain(texts: Iterable[Text]) -> None:
    """Make existing Text artists (legend labels) plain text too."""
    for text in texts:
        text.set_parse_math(False)
        text.set_usetex(False)
        text.set_fontfamily(FONT)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _renderer(fig: Figure) -> Any:
    return cast(FigureCanvasAgg, fig.canvas).get_renderer()


def _figure(page: Layout) -> Figure:
    """A white figure of exactly `page.size` pixels on an Agg canvas."""
    width, height = page.size
    fig = Figure(figsize=(width / page.dpi, height / page.dpi), dpi=page.dpi, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def _polygon_path(polygon: BaseGeometry) -> MplPath:
    """One polygon (with its holes) as a matplotlib path."""
    rings = [polygon.exterior, *polygon.interiors]
    # The ring's coordinates as one array (not a list of tuples): the same vertices, built in C.
    return MplPath.make_compound_path(*(MplPath(shapely.get_coordinates(ring), closed=True) for ring in rings))


def _geometry_paths(geometry: BaseGeometry | None) -> list[MplPath]:
    if geometry is None or geometry.is_empty:
        return []
    if geometry.geom_type == "Polygon":
        return [_polygon_path(geometry)]
    if hasattr(geometry, "geoms"):
        return [path for part in geometry.geoms for path in _geometry_paths(part)]
    return []


OUTLINE_DETAIL = 4000  # outlines are simplified to about 1/OUTLINE_DETAIL of the map's width: finer is invisible


def simplified_outlines(shapes: gpd.GeoSeries, tolerance: float) -> gpd.GeoSeries:
    """Shapes simplified to `tolerance` (a fraction of a pixel) for drawing. Without keeping topology, which
    takes seven times longer and cannot be seen at that scale; a shape so small that it would vanish (a
    microstate on a world map) is kept as it is."""
    simple = shapes.simplify(tolerance, preserve_topology=False)
    return simple.where(~simple.is_empty, shapes)


def _draw_countries(ax: Axes, countries: gpd.GeoDataFrame, fills: Mapping[str, str] | None = None) -> None:
    """Country shapes in a light fill (or the fill given for their ISO code) with thin grey borders,
    simplified to what the map's scale can show (smaller SVG and PDF files, faster drawing)."""
    paths: list[MplPath] = []
    colors: list[str] = []
    codes = countries["iso_a2"] if "iso_a2" in countries else [None] * len(countries)
    west, _, east, _ = _extent(ax)
    shapes = simplified_outlines(countries.geometry, (east - west) / OUTLINE_DETAIL)
    for code, geometry in zip(codes, shapes):
        shapes = _geometry_paths(geometry)
        paths += shapes
        colors += [(fills or {}).get(code, LAND)] * len(shapes)
    ax.add_collection(
        PathCollection(paths, facecolors=colors, edgecolors=BORDER, linewidths=0.4, zorder=1), autolim=False
    )


def _points(selection: gpd.GeoDataFrame) -> gpd.GeoSeries:
    geometry = selection.geometry
    return geometry[~(geometry.isna() | geometry.is_empty)]


def _fitted_extent(selection: gpd.GeoDataFrame) -> tuple[tuple[float, float, float, float], float]:
    """The selection's bounds with padding and the vertical stretch (1/cos latitude) that makes shapes look
    right away from the equator; the world when the selection is empty or spread too wide."""
    points = _points(selection)
    if not len(points):
        return WORLD, 1.0
    x0, y0, x1, y1 = points.total_bounds
    pad = max(3.0, 0.15 * max(x1 - x0, y1 - y0))
    width, height = max(x1 - x0 + 2 * pad, MIN_FIT_WIDTH), y1 - y0 + 2 * pad
    if width > MAX_FIT_WIDTH or height > MAX_FIT_HEIGHT:
        return WORLD, 1.0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2), _stretch(cy)


def _stretch(latitude: float) -> float:
    return min(2.0, 1 / max(math.cos(math.radians(latitude)), 0.1))


def map_extent(
    selection: gpd.GeoDataFrame, box_ratio: float, framing: Framing = "fit"
) -> tuple[float, float, float, float]:
    """The (west, south, east, north) extent that fills a map box of width/height `box_ratio`, for the
    framing: the whole world, a named region, or the selection (see `_fitted_extent`)."""
    if framing == "world":
        extent, aspect = WORLD, 1.0
    elif framing in REGIONS:
        extent = REGIONS[framing]
        aspect = _stretch((extent[1] + extent[3]) / 2)
    else:
        extent, aspect = _fitted_extent(selection)
    return _fill_box(extent, aspect, box_ratio)


def _fill_box(
    extent: tuple[float, float, float, float], aspect: float, box_ratio: float
) -> tuple[float, float, float, float]:
    """Grow `extent` (around its centre) so that, drawn with `aspect`, it exactly fills the map box."""
    west, south, east, north = extent
    dx, dy = east - west, north - south
    dx = max(dx, dy * box_ratio * aspect)
    dy = dx / (box_ratio * aspect)
    cx, cy = (west + east) / 2, (south + north) / 2
    cy = min(max(cy, -90 + dy / 2), 90 - dy / 2) if dy < 180 else cy
    return (cx - dx / 2, cy - dy / 2, cx + dx / 2, cy + dy / 2)


def in_extent(selection: gpd.GeoDataFrame, extent: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """The records whose point lies inside `extent`."""
    west, south, east, north = extent
    points = selection.geometry
    inside = points.notna() & ~points.is_empty
    inside &= points.x.between(west, east) & points.y.between(south, north)
    return selection[inside.fillna(False).astype(bool)]


def _map_axes(fig: Figure, page: Layout, selection: gpd.GeoDataFrame, framing: Framing) -> Axes:
    """The map axes: sea background, no ticks, extent fitted to the box."""
    ax = fig.add_axes(page.map_rect)
    ax.set_facecolor(SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor(BORDER)
        spine.set_linewidth(0.6)
    box_ratio = (page.map_rect[2] * page.size[0]) / (page.map_rect[3] * page.size[1])
    west, south, east, north = map_extent(selection, box_ratio, framing)
    world_height = WORLD[3] - WORLD[1]
    if north - south > world_height:  # a tall page: the world is shown whole, the box shrunk to fit it
        x, y, w, h = page.map_rect
        shown = h * world_height / (north - south)
        ax.set_position((x, y + h - shown, w, shown))  # the legend follows it up
        south, north = WORLD[1], WORLD[3]
    ax.set_aspect("auto")
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    return ax


def _extent(ax: Axes) -> tuple[float, float, float, float]:
    (west, east), (south, north) = ax.get_xlim(), ax.get_ylim()
    return (float(west), float(south), float(east), float(north))


def _first_vendor(vendors: Any) -> str | None:
    return vendors[0] if vendors is not None and len(vendors) else None


def _is_policy(kind: Any) -> bool:
    return kind == "policy"


@dataclass(frozen=True)
class MarkerLayer:
    """One scatter of markers of a single look (Agg stamps a one-colour marker instead of drawing each one,
    many times faster) and the selection rows (positions) it draws, in drawing order."""

    collection: PathCollection
    rows: np.ndarray
    xy: np.ndarray
    pixels: np.ndarray | None = None  # per row, its pixel on the page, when markers on one pixel are drawn once

    def show_only(self, active: np.ndarray) -> bool:
        """Keep the markers of the rows where `active` (a mask over the selection) is true; False if none."""
        keep = active[self.rows]
        xy = self.xy[keep]
        self.collection.set_offsets(xy if self.pixels is None else one_per_pixel(xy, self.pixels[keep]))
        return bool(keep.any())


def one_per_pixel(xy: np.ndarray, pixels: np.ndarray) -> np.ndarray:
    """The points of `xy` whose pixel (same position in `pixels`) no earlier point has, in their order."""
    _, first = np.unique(pixels, return_index=True)
    return xy[np.sort(first)]


def _pixel_keys(ax: Axes, xy: np.ndarray) -> np.ndarray:
    """Each point's pixel on the page, as one integer."""
    px = np.rint(ax.transData.transform(xy)).astype(np.int64)
    return px[:, 0] * 1_000_003 + px[:, 1]


def _per_value(column: pd.Series, function: Callable[[Any], Any]) -> np.ndarray:
    """`function` of each value of the column, as an object array; worked out once per category of a
    categorical column (a large dataset's lean table), else once per row."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        by_code = np.array([*(function(c) for c in column.cat.categories), function(None)], dtype=object)
        return by_code[column.cat.codes.to_numpy()]  # a missing value's code, -1, takes the last
    return np.array([function(v) for v in column.tolist()], dtype=object)


def _marker_styles(selection: gpd.GeoDataFrame, colors: Mapping[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Per row of the selection, its marker style ("policy" or a confidence of CONFIDENCE_STYLES) and colour
    (its first vendor's, else OTHER_COLOR)."""
    policy = (
        _per_value(selection["kind"], _is_policy).astype(bool)
        if "kind" in selection
        else np.zeros(len(selection), bool)
    )
    confidence = _per_value(selection["confidence"], lambda c: c if c in CONFIDENCE_STYLES else "reported")
    first = _per_value(selection["vendors"], lambda v: colors.get(_first_vendor(v) or "", OTHER_COLOR))
    styles = np.where(policy, "policy", confidence).astype(object)
    return styles, np.where(policy, POLICY_COLOR, first).astype(object)


def _colour_order(point_colors: Sequence[str]) -> list[str]:
    """First the grey of records with no named vendor, drawn underneath, then the vendors' colours in order
    of first appearance, so that a named vendor's marker is not hidden under a placeholder's."""
    ordered = list(dict.fromkeys(point_colors))
    return sorted(ordered, key=lambda color: color != OTHER_COLOR)


def marker_layers(ax: Axes, selection: gpd.GeoDataFrame, colors: Mapping[str, str]) -> list[MarkerLayer]:
    """The selection's markers on `ax`, coloured by first vendor and shaped by confidence (filled circle:
    documented; ring: reported; hollow diamond: claimed; dark square: policy), in drawing order. Hollow
    markers are a coloured ring over a slightly wider dark ring, so even light colours stand out on the
    pale land; the dark rings of a style are one layer under all its coloured ones."""
    geometry = selection.geometry
    drawn = ~(geometry.isna() | geometry.is_empty).to_numpy()
    xy = np.column_stack([shapely.get_x(geometry.values), shapely.get_y(geometry.values)])
    style_of, color_of = _marker_styles(selection, colors)
    many = int(drawn.sum()) > MANY_MARKERS
    pixels = _pixel_keys(ax, np.where(drawn[:, None], xy, 0.0)) if many else None
    layers: list[MarkerLayer] = []

    def add(rows: np.ndarray, **look: Any) -> None:
        layer = MarkerLayer(ax.scatter([], [], **look), rows, xy[rows], None if pixels is None else pixels[rows])
        layer.collection.set_rasterized(many)
        layer.show_only(np.ones(len(selection), dtype=bool))
        layers.append(layer)

    for style_name in pd.unique(style_of).tolist():
        in_style = drawn & (style_of == style_name)
        if style_name == "policy":
            add(np.flatnonzero(in_style), **POLICY_LOOK)
            continue
        style = CONFIDENCE_STYLES[style_name]
        shape = {"s": MARKER_AREA * style.get("scale", 1.0), "marker": style["marker"], "zorder": style["zorder"]}
        if not style["filled"]:
            add(
                np.flatnonzero(in_style),
                c="white",
                edgecolors=OUTLINE,
                linewidths=RING_WIDTH + 2 * OUTLINE_WIDTH,
                **shape,
            )
        for color in _colour_order(pd.unique(color_of[in_style]).tolist()):
            rows = np.flatnonzero(in_style & (color_of == color))
            if style["filled"]:
                add(rows, c=color, edgecolors=OUTLINE, linewidths=OUTLINE_WIDTH, **shape)
            else:
                add(rows, c="white", edgecolors=color, linewidths=RING_WIDTH, **shape)
    return sorted(layers, key=lambda layer: layer.collection.get_zorder())  # as savefig draws them (stable)


def count_bins(maximum: int) -> list[dict[str, Any]]:
    """Classes of per-country counts: 1, 2-4, 5-9, 10-19, 20-49, ... up to `maximum`, at most len(SHADES)
    of them (the lowest merged first), each with its label and shade. Mirrors `countBins` in atlas.js."""
    edges = [1]
    scale = 1
    while edges[-1] <= maximum and scale < 10**9:
        for step in (2, 5, 10):
            if step * scale <= maximum and step * scale not in edges:
                edges.append(step * scale)
        scale *= 10
    edges = [e for e in edges if e <= maximum]
    while len(edges) > len(SHADES):
        del edges[1]
    bins = []
    for i, low in enumerate(edges):
        high = edges[i + 1] - 1 if i + 1 < len(edges) else maximum
        # floor(x + 0.5) is JavaScript's Math.round (Python's round() rounds halves to even)
        shade_index = len(SHADES) - 1 if len(edges) == 1 else math.floor(i * (len(SHADES) - 1) / (len(edges) - 1) + 0.5)
        label = str(low) if low == high else f"{low}\u2013{high}"
        bins.append({"from": low, "to": high, "label": label, "color": SHADES[shade_index]})
    return bins


def country_counts(selection: gpd.GeoDataFrame) -> dict[str, int]:
    """Records per country code in the selection."""
    counts = selection["country"].value_counts() if len(selection) else {}
    return {str(k): int(v) for k, v in counts.items() if v}  # a category no record has counts 0


def _shade_of(count: int, bins: Sequence[Mapping[str, Any]]) -> str:
    return next((str(b["color"]) for b in reversed(bins) if count >= b["from"]), LAND)


def _vendor_handle(color: str) -> Line2D:
    return Line2D(
        [],
        [],
        linestyle="none",
        marker="o",
        markersize=9,
        markerfacecolor=color,
        markeredgecolor=OUTLINE,
        markeredgewidth=OUTLINE_WIDTH,
    )


def _policy_handle() -> Line2D:
    return Line2D(
        [], [], linestyle="none", marker="s", markersize=8, markerfacecolor=POLICY_COLOR, markeredgecolor="white"
    )


def _confidence_handle(confidence: str) -> Line2D:
    style = CONFIDENCE_STYLES[confidence]
    size = 9 * math.sqrt(style.get("scale", 1.0))
    filled = style["filled"]
    return Line2D(
        [],
        [],
        linestyle="none",
        marker=style["marker"],
        markersize=size,
        markerfacecolor=MUTED if filled else "white",
        markeredgecolor=OUTLINE if filled else MUTED,
        markeredgewidth=OUTLINE_WIDTH if filled else RING_WIDTH,
    )


def _legend(
    fig: Figure,
    page: Layout,
    handles: list[Any],
    labels: list[str],
    title: str,
    loc: Literal["upper left", "upper right"],
    x: float,
    ncol: int,
) -> Legend:
    legend = fig.legend(
        handles,
        labels,
        title=title,
        loc=loc,
        bbox_to_anchor=(x, fig.axes[0].get_position().y0 - page.y_from_bottom(LEGEND_GAP)),
        bbox_transform=fig.transFigure,
        ncol=ncol,
        frameon=False,
        borderpad=0,
        borderaxespad=0,
        handletextpad=0.4,
        columnspacing=1.6,
        labelspacing=0.45,
        alignment="left",
        prop={"family": FONT, "size": LEGEND_SIZE},
        title_fontproperties={"family": FONT, "size": LEGEND_SIZE, "weight": "bold"},
    )
    _plain([*legend.get_texts(), legend.get_title()])
    return legend


def _vendor_rows(
    selection: gpd.GeoDataFrame, colors: Mapping[str, str], vendor_names: Mapping[str, str], limit: int
) -> list[tuple[str, str]]:
    """(name, colour) per legend row, at most `limit` (the last then says how many more)."""
    rows = [(e["name"], e["color"]) for e in legend_entries(selection, colors, vendor_names)] if len(selection) else []
    if len(rows) > limit:
        hidden = len(rows) - (limit - 1)
        rows = rows[: limit - 1] + [(f"… and {hidden} more", OTHER_COLOR)]
    return rows


def _has_policies(selection: gpd.GeoDataFrame) -> bool:
    return "kind" in selection and bool((selection["kind"] == "policy").any())


def _draw_point_legend(
    fig: Figure, page: Layout, selection: gpd.GeoDataFrame, colors: Mapping[str, str], names: Mapping[str, str]
) -> None:
    """Confidence shapes (and the policy square) on the right; vendors present in the selection on the
    left, their names cut shorter until the two legends do not touch."""
    confidences = list(CONFIDENCE_STYLES)
    handles: list[Any] = [_confidence_handle(c) for c in confidences]
    labels = [schema.CONFIDENCES[c] for c in confidences]
    if _has_policies(selection):
        handles.append(_policy_handle())
        labels.append(schema.RECORD_KINDS.get("policy", "Policy"))
    shapes = _legend(fig, page, handles, labels, "Confidence", "upper right", 1 - page.x(MARGIN), 1)
    rows = _vendor_rows(selection, colors, names, page.legend_rows * 4)
    if not rows:
        return
    renderer = _renderer(fig)
    room = shapes.get_window_extent(renderer).x0 - MARGIN * page.scale - 2 * LEGEND_SIZE * fig.dpi / 72
    ncol = math.ceil(len(rows) / page.legend_rows)
    for limit in (MAX_LABEL_CHARS, 34, 28, 22, 16, 12):
        legend = _legend(
            fig,
            page,
            [_vendor_handle(c) for _, c in rows],
            [_shorten(n, limit) for n, _ in rows],
            "Vendor (first named)",
            "upper left",
            page.x(MARGIN),
            ncol,
        )
        if legend.get_window_extent(renderer).width <= room or limit == 12:
            return
        legend.remove()


def _draw_shading_legend(fig: Figure, page: Layout, bins: Sequence[Mapping[str, Any]]) -> None:
    handles = [Patch(facecolor=str(b["color"]), edgecolor=BORDER, linewidth=0.5) for b in bins]
    labels = [str(b["label"]) for b in bins]
    _legend(fig, page, handles, labels, "Records per country", "upper left", page.x(MARGIN), max(1, len(bins)))


def _fit_width(text: Text, max_width: float, min_size: float) -> None:
    """Shrink a text's font until it fits `max_width` pixels (or reaches `min_size`), then cut it short."""
    figure = text.get_figure(root=True)
    if figure is None:
        return
    renderer = _renderer(cast(Figure, figure))
    while text.get_window_extent(renderer).width > max_width and float(text.get_fontsize()) > min_size:
        text.set_fontsize(max(min_size, float(text.get_fontsize()) * 0.92))
    while text.get_window_extent(renderer).width > max_width and len(text.get_text()) > 8:
        text.set_text(_shorten(text.get_text(), int(len(text.get_text()) * 0.95)))


def _wrap(text: str, width: int, max_lines: int) -> str:
    """Word-wrap to at most `max_lines` lines of about `width` characters."""
    lines = textwrap.wrap(text, width) or [""]
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [_shorten(" ".join(lines[max_lines - 1 :]), width)]
    return "\n".join(lines)


def _draw_text(fig: Figure, page: Layout, texts: Texts, empty: bool) -> None:
    """Title, the filter sentence under it, and the footer with the credit and retrieval date."""
    left = page.x(MARGIN)
    max_width = fig.bbox.width * (1 - 2 * left)
    heading = fig.text(
        left, page.y_from_top(TITLE_Y), texts.title, va="top", ha="left", **_text_props(TITLE_SIZE, fontweight="bold")
    )
    _fit_width(heading, max_width, 14)
    chars = int(150 * page.size[0] / page.scale / BASE_SIZE[0])
    lines = fig.text(
        left,
        page.y_from_top(SENTENCE_Y),
        _wrap(texts.sentence, chars, 2),
        va="top",
        ha="left",
        linespacing=1.3,
        **_text_props(SENTENCE_SIZE, color=MUTED),
    )
    _fit_width(lines, max_width, 9)
    footer = " · ".join(part for part in (texts.credit, f"Retrieved {texts.date}" if texts.date else "") if part)
    _fit_width(
        fig.text(
            left,
            page.y_from_bottom(FOOTER_Y),
            _wrap(footer, int(chars * 1.3), 2),
            va="bottom",
            ha="left",
            linespacing=1.2,
            **_text_props(FOOTER_SIZE, color=MUTED),
        ),
        max_width,
        7,
    )
    if empty:
        x, y, w, h = page.map_rect
        fig.text(
            x + w / 2,
            y + h / 2,
            "No deployment matches these filters",
            ha="center",
            va="center",
            **_text_props(16, color=MUTED, zorder=10, bbox={"facecolor": "white", "edgecolor": BORDER, "pad": 8}),
        )


def _halo(width: float = 2.5) -> list[Any]:
    return [patheffects.withStroke(linewidth=width, foreground="white")]


def _overlaps(box: Bbox, others: Iterable[Bbox]) -> bool:
    return any(box.overlaps(other) for other in others)


def label_candidates(selection: gpd.GeoDataFrame, limit: int = MAX_PLACE_LABELS) -> list[tuple[str, float, float]]:
    """The places worth naming, most records first: (place, lon, lat) at the first record of each place,
    at most 3 x `limit` of them (some will not find room)."""
    points = selection[selection.geometry.notna() & ~selection.geometry.is_empty]
    if not len(points):
        return []
    keys = points["place"].astype(object).fillna("").astype(str).str.strip() + "|" + points["country"].astype(str)
    order = keys.value_counts(sort=True)
    ranked = sorted(order.items(), key=lambda item: (-item[1], item[0]))
    first = ~keys.duplicated().to_numpy()
    geometry = points.geometry.values[first]
    first_point = dict(zip(keys[first], zip(shapely.get_x(geometry), shapely.get_y(geometry))))
    return [
        (_shorten(str(key).split("|")[0], MAX_PLACE_CHARS), *first_point[key])
        for key, _ in ranked
        if str(key).split("|")[0]
    ][: limit * 3]


def _marker_centres(ax: Axes, selection: gpd.GeoDataFrame) -> np.ndarray:
    """The pixel centres of the drawn markers, which labels should not cover (one per pixel when many)."""
    points = _points(selection)
    xy = np.column_stack([shapely.get_x(points.values), shapely.get_y(points.values)]).reshape(-1, 2)
    if len(xy) > MANY_MARKERS:
        xy = one_per_pixel(xy, _pixel_keys(ax, xy))
    return ax.transData.transform(xy).reshape(-1, 2)


def _near(centres: np.ndarray, x0: float, y0: float, x1: float, y1: float, radius: float) -> np.ndarray:
    """Per marker centre, whether its box (`radius` around it) touches the pixel box (x0, y0, x1, y1)."""
    x, y = centres[:, 0], centres[:, 1]
    return (x - radius <= x1) & (x0 <= x + radius) & (y - radius <= y1) & (y0 <= y + radius)


def _place_label(
    ax: Axes,
    text: str,
    lon: float,
    lat: float,
    taken: list[Bbox],
    bold: bool = False,
    markers: np.ndarray | None = None,
    radius: float = 0.0,
) -> tuple[Text, Bbox] | None:
    """Try the positions around the point; keep the first whose box is inside the map and overlaps no
    label already placed (nor, where it can, another marker)."""
    renderer = _renderer(cast(Figure, ax.get_figure(root=True)))
    frame = ax.get_window_extent(renderer)
    for dx, dy in LABEL_OFFSETS:
        artist = ax.annotate(
            text,
            (lon, lat),
            xytext=(dx, dy),
            textcoords="offset points",
            ha="left" if dx > 0 else "right" if dx < 0 else "center",
            va="bottom",
            zorder=8,
            bbox=LABEL_BOX,  # not a path-effect halo: that would turn the text into outlines in SVG and PDF
            annotation_clip=True,
            **_text_props(LABEL_SIZE, fontweight="bold" if bold else "normal"),
        )
        box = artist.get_window_extent(renderer).padded(2)
        inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
        covers = markers is not None and bool(_near(markers, box.xmin, box.ymin, box.xmax, box.ymax, radius).any())
        if inside and not _overlaps(box, taken) and not covers:
            return artist, box
        artist.remove()
    return None


def _draw_highlight(ax: Axes, record: Mapping[str, Any], taken: list[Bbox]) -> list[tuple[Text, Bbox]]:
    """A black ring around the record's marker and its name in bold, placed before any other label."""
    point = record["geometry"]
    if point is None or point.is_empty:
        return []
    ax.scatter(
        [point.x],
        [point.y],
        s=MARKER_AREA * 4,
        marker="o",
        facecolors="none",
        edgecolors="white",
        linewidths=5,
        zorder=7,
    )
    ax.scatter(
        [point.x],
        [point.y],
        s=MARKER_AREA * 4,
        marker="o",
        facecolors="none",
        edgecolors=HIGHLIGHT,
        linewidths=2.2,
        zorder=7,
    )
    placed = _place_label(ax, _shorten(str(record["name"]), MAX_LABEL_CHARS), point.x, point.y, taken, bold=True)
    return [placed] if placed else []


def _draw_labels(
    ax: Axes, selection: gpd.GeoDataFrame, highlight: Mapping[str, Any] | None, scale: float, framing: Framing
) -> list[tuple[str, tuple[float, float, float, float]]]:
    """The highlighted record's name, then the places with most records (those in the framed region
    first), none overlapping another."""
    taken: list[Bbox] = []
    placed: list[tuple[Text, Bbox]] = []
    if highlight is not None:
        placed += _draw_highlight(ax, highlight, taken)
        taken += [box for _, box in placed]
    budget = max(4, round(MAX_PLACE_LABELS * scale)) if highlight is not None or len(selection) else 0
    named = 0
    visible = in_extent(selection, _extent(ax))
    candidates = label_candidates(visible, budget)
    if framing in REGIONS:
        region = label_candidates(in_extent(visible, REGIONS[framing]), budget)
        candidates = region + [c for c in candidates if c not in region]
    radius = 4 * ax.figure.dpi / 72
    markers = _marker_centres(ax, visible)
    for place, lon, lat in candidates:
        if named >= budget:
            break
        x, y = ax.transData.transform((lon, lat))
        others = markers[~_near(markers, x, y, x, y, radius)]  # not the markers under the label's own point
        result = _place_label(ax, place, lon, lat, taken, markers=others, radius=radius)
        if result:
            placed.append(result)
            taken.append(result[1])
            named += 1
    return [(text.get_text(), tuple(box.extents)) for text, box in placed]  # type: ignore[misc]


def _highlight_record(selection: gpd.GeoDataFrame, record_id: str | None) -> Mapping[str, Any] | None:
    if not record_id:
        return None
    rows = selection[selection["id"] == record_id]
    return rows.iloc[0] if len(rows) else None


def draw_map(
    selection: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    colors: Mapping[str, str],
    vendor_names: Mapping[str, str],
    texts: Texts,
    options: ImageOptions = ImageOptions(),
) -> Drawn:
    """The selection drawn on a figure (see `render_image`), and what was placed where."""
    page = layout(options.size)
    fig = _figure(page)
    ax = _map_axes(fig, page, selection, options.framing)
    if options.style == "shaded":
        counts = country_counts(selection)
        bins = count_bins(max(counts.values(), default=0))
        _draw_countries(ax, countries, {code: _shade_of(n, bins) for code, n in counts.items()})
        _draw_shading_legend(fig, page, bins)
    else:
        _draw_countries(ax, countries)
        marker_layers(ax, selection, colors)
        _draw_point_legend(fig, page, selection, colors, vendor_names)
    sentence = texts.sentence + framing_note(selection, _extent(ax), options.framing)
    _draw_text(fig, page, Texts(texts.title, sentence, texts.credit, texts.date), empty=len(selection) == 0)
    drawn = Drawn(fig, _extent(ax))
    highlight = _highlight_record(selection, options.highlight)
    if options.labels or highlight is not None:
        labelled = selection if options.labels else selection.iloc[0:0]
        drawn.labels = _draw_labels(ax, labelled, highlight, page.scale, options.framing)
    return drawn


def framing_note(selection: gpd.GeoDataFrame, extent: tuple[float, float, float, float], framing: Framing) -> str:
    """For a region, how many of the selected records it shows (the others are outside the frame)."""
    if framing not in REGIONS or not len(selection):
        return ""
    return f". Map framed on {REGION_NAMES[framing]}: {len(in_extent(selection, extent))} of them in view"


def _save(fig: Figure, fmt: str, texts: Texts) -> bytes:
    """PNG, or vector SVG (text kept as text) and PDF (TrueType fonts embedded, so its text can be extracted)."""
    if fmt not in FORMATS:
        raise ValueError(f"image format {fmt!r}: expected one of {', '.join(FORMATS)}")
    buffer = io.BytesIO()
    metadata = {
        "png": {"Title": texts.title, "Description": texts.sentence},
        "svg": {"Title": texts.title, "Description": texts.sentence, "Date": texts.date or None},
        "pdf": {"Title": texts.title, "Subject": texts.sentence, "Author": texts.credit},
    }[fmt]
    # PNG at zlib level 3: 40% less time to compress than the default 6, for a file 3% larger.
    extra: dict[str, Any] = {"pil_kwargs": {"compress_level": 3}} if fmt == "png" else {}
    with rc_context({"svg.fonttype": "none", "pdf.fonttype": 42, "svg.hashsalt": "atlas"}):
        fig.savefig(buffer, format=fmt, dpi=fig.dpi, facecolor="white", metadata=metadata, **extra)
    return buffer.getvalue()


def render_image(
    selection: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    colors: Mapping[str, str],
    vendor_names: Mapping[str, str],
    texts: Texts,
    options: ImageOptions = ImageOptions(),
    fmt: str = "png",
) -> bytes:
    """The selection as a PNG of exactly `options.size` pixels, or the same picture as SVG or PDF: outlines,
    markers coloured by the first vendor (filled circle: documented; ring: reported; hollow diamond:
    claimed; dark square: policy) or countries shaded by count, a legend, the title, the filter sentence
    and a footer `credit · Retrieved date`."""
    return _save(draw_map(selection, countries, colors, vendor_names, texts, options).figure, fmt, texts)


def render_png(
    selection: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    colors: Mapping[str, str],
    vendor_names: Mapping[str, str],
    *,
    title: str,
    sentence: str,
    credit: str,
    date: str,
    size: tuple[int, int] = SIZES["1600x900"],
) -> bytes:
    """The whole-selection PNG with the default options (see `render_image`)."""
    texts = Texts(title, sentence, credit, date)
    return render_image(selection, countries, colors, vendor_names, texts, ImageOptions(size=size))


# The animated timeline.


def timeline_years(selection: gpd.GeoDataFrame, years: tuple[int | None, int]) -> list[int]:
    """One frame per year of `years` (first, last); without a first year, from the selection's first start."""
    if not len(selection):
        return []
    first = int(selection["year_start"].min()) if years[0] is None else years[0]
    return list(range(first, max(first, years[1]) + 1))


def active_mask(selection: gpd.GeoDataFrame, first: int, last: int) -> np.ndarray:
    """Per record, whether it is active at some point in [first, last], by the app's own year filter."""
    return selection_mask(selection, Filters(years=(first, last))).to_numpy(dtype=bool)


def _even(size: tuple[int, int]) -> tuple[int, int]:
    """Video encoders want even sides: an odd side gets one more pixel."""
    return (size[0] + size[0] % 2, size[1] + size[1] % 2)


def _frame_label(ax: Axes, page: Layout) -> tuple[Text, Text]:
    """The big year and the running count, in the map's top-right corner."""
    big = ax.text(
        0.985,
        0.97,
        "",
        transform=ax.transAxes,
        ha="right",
        va="top",
        zorder=9,
        path_effects=_halo(4),
        **_text_props(44, fontweight="bold"),
    )
    count = ax.text(
        0.985,
        0.97 - 70 * page.scale / (page.map_rect[3] * page.size[1]),
        "",
        transform=ax.transAxes,
        ha="right",
        va="top",
        zorder=9,
        path_effects=_halo(3),
        **_text_props(15),
    )
    return big, count


def count_phrase(n: int) -> str:
    return f"{n} record{'s' if n != 1 else ''} active"


def animation_frames(
    selection: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    colors: Mapping[str, str],
    vendor_names: Mapping[str, str],
    texts: Texts,
    years: tuple[int | None, int],
    options: ImageOptions = ImageOptions(size=SIZES["1200x675"]),
) -> Iterator[tuple[np.ndarray, float]]:
    """(RGB frame, seconds shown) per year of the selection, the records active that year on the map with
    the year and count large; then PAUSE_FRAMES closing frames of the whole period, held longer. The
    legend lists the vendors of the whole selection, so it does not change from frame to frame. Each frame
    is drawn when it is asked for, so an encoder can work on one while the next is drawn."""
    page = layout(_even(options.size))
    fig = _figure(page)
    ax = _map_axes(fig, page, selection, options.framing)
    _draw_countries(ax, countries)
    _draw_point_legend(fig, page, selection, colors, vendor_names)
    _draw_text(fig, page, texts, empty=len(selection) == 0)
    year_text, count_text = _frame_label(ax, page)
    canvas = cast(FigureCanvasAgg, fig.canvas)
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)  # outlines, legend and text drawn once, then blitted

    layers = marker_layers(ax, selection, colors)  # made once; each frame shows some of their markers

    def frame(active: np.ndarray, year: str, count: str) -> np.ndarray:
        canvas.restore_region(background)
        shown = [layer.collection for layer in layers if layer.show_only(active)]
        year_text.set_text(year)
        count_text.set_text(count)
        for artist in (*shown, year_text, count_text):
            ax.draw_artist(artist)
        return np.asarray(canvas.buffer_rgba())[..., :3].copy()

    shown_years = timeline_years(selection, years)
    for year in shown_years:
        active = active_mask(selection, year, year)
        yield frame(active, str(year), count_phrase(int(active.sum()))), FRAME_SECONDS
    if shown_years:
        first, last = shown_years[0], shown_years[-1]
        period = active_mask(selection, first, last)
        closing = frame(period, f"{first}\u2013{last}", f"{int(period.sum())} records active in all")
        yield from [(closing, PAUSE_SECONDS / PAUSE_FRAMES)] * PAUSE_FRAMES


def _hex_rgb(color: str) -> tuple[int, int, int]:
    return (int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16))


def encode_gif(frames: Sequence[tuple[np.ndarray, float]], exact_colors: Iterable[str] = ()) -> bytes:
    """A looping GIF, each frame shown for its seconds. One palette for all frames: the `exact_colors`
    (vendor colours: a median cut alone can merge a colour that few pixels use), then the frames' own."""
    from PIL import Image

    if not frames:
        raise ValueError("no frames to encode: the selection is empty")
    images = [Image.fromarray(rgb) for rgb, _ in frames]
    fixed = list(dict.fromkeys(_hex_rgb(c) for c in (*exact_colors, SEA, LAND, BORDER, INK, MUTED, OUTLINE, "#ffffff")))
    rest = images[-1].quantize(colors=256 - len(fixed), method=Image.Quantize.MEDIANCUT).getpalette() or []
    palette = Image.new("P", (1, 1))
    palette.putpalette([v for rgb in fixed for v in rgb] + rest[: 3 * (256 - len(fixed))])
    paletted = [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images]
    buffer = io.BytesIO()
    paletted[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=paletted[1:],
        duration=[round(seconds * 1000) for _, seconds in frames],
        loop=0,
        disposal=1,
    )
    return buffer.getvalue()


def encode_mp4(frames: Iterable[tuple[np.ndarray, float]], fps: int = MP4_FPS) -> bytes:
    """An H.264 MP4 (yuv420p, plays everywhere) through the ffmpeg that imageio-ffmpeg ships, at `fps`
    frames a second. The frames may come from a generator: ffmpeg (a process of its own) encodes each
    while the next is drawn. Each is sent once per FRAME_SECONDS it lasts, and ffmpeg repeats it to `fps`."""
    import imageio_ffmpeg

    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        raise ValueError("no frames to encode: the selection is empty")
    height, width = first[0].shape[:2]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "timeline.mp4"
        writer = imageio_ffmpeg.write_frames(
            str(path),
            (width, height),
            fps=Fraction(1) / Fraction(FRAME_SECONDS).limit_denominator(),
            codec="libx264",
            pix_fmt_out="yuv420p",
            macro_block_size=2,
            quality=7,
            # superfast: a quarter of the default's encoding time (veryfast: half); the shipped data's
            # timeline is 0.35 MB instead of 0.2 MB, and the CLI's --mp4 0.13 s faster than with veryfast
            output_params=["-preset", "superfast", "-r", str(fps)],
        )
        writer.send(None)
        for rgb, seconds in itertools.chain([first], frames):
            data = np.ascontiguousarray(rgb)
            for _ in range(max(1, round(seconds / FRAME_SECONDS))):
                writer.send(data)
        writer.close()
        return path.read_bytes()


def render_animation(
    selection: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    colors: Mapping[str, str],
    vendor_names: Mapping[str, str],
    texts: Texts,
    years: tuple[int | None, int],
    options: ImageOptions = ImageOptions(size=SIZES["1200x675"]),
    fmt: str = "gif",
) -> bytes:
    """The spread over time as a GIF or MP4: one frame per year, then a closing frame held longer."""
    if fmt not in ANIMATION_FORMATS:
        raise ValueError(f"animation format {fmt!r}: expected one of {', '.join(ANIMATION_FORMATS)}")
    frames = animation_frames(selection, countries, colors, vendor_names, texts, years, options)
    if fmt == "mp4":
        return encode_mp4(frames)
    return encode_gif(list(frames), [*colors.values(), OTHER_COLOR, POLICY_COLOR])
