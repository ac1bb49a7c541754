"""A print-quality static PNG of the map: country outlines, deployments coloured by vendor and shaped by
confidence, a legend, the title, the filter sentence and a credit line.

Pure: no Streamlit and no pyplot (so no global backend state); it draws on a `Figure` with the Agg canvas.
Layout is defined in figure fractions of a 16:9 page, and the dpi grows with the width, so the large size
is the same picture with everything (text, markers, lines) twice as sharp.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any, Literal, cast

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.path import Path
from matplotlib.text import Text
from shapely.geometry.base import BaseGeometry

from geo import schema
from geo.mapdata import OTHER_COLOR, legend_entries

SIZES: dict[str, tuple[int, int]] = {"1600x900": (1600, 900), "3200x1800": (3200, 1800)}

BASE_WIDTH = 1600  # pixels at dpi 100; other widths scale the dpi so text and markers scale with them
BASE_DPI = 100
FONT = "DejaVu Sans"

SEA = "#dcebf5"
LAND = "#f2efe9"
BORDER = "#a3a3a3"
INK = "#222222"
MUTED = "#555555"
OUTLINE = "#333333"

WORLD = (-180.0, -60.0, 180.0, 85.0)  # lon/lat extent of the world view (EPSG:4326, plain lon/lat)
MIN_FIT_WIDTH = 20.0  # degrees: a fitted view is never narrower than this
MAX_FIT_WIDTH = 200.0  # degrees: wider selections get the world view
MAX_FIT_HEIGHT = 110.0

# Figure fractions (left, bottom, width, height) of the map on a 16:9 page: 20 px margins at 1600x900,
# a 108 px band for the title and sentence, the map at the world view's aspect (360:145), then the legend.
MARGIN = 20 / 1600
MAP_RECT = (MARGIN, 1 - 736 / 900, 1 - 2 * MARGIN, 628 / 900)
TITLE_Y = 1 - 16 / 900
SENTENCE_Y = 1 - 58 / 900
LEGEND_Y = MAP_RECT[1] - 12 / 900
FOOTER_Y = 14 / 900

TITLE_SIZE = 22.0
SENTENCE_SIZE = 12.5
LEGEND_SIZE = 10.5
FOOTER_SIZE = 9.5
MAX_LEGEND_ROWS = 3
MAX_LEGEND_ENTRIES = 12
MAX_LABEL_CHARS = 42

MARKER_AREA = 60.0  # points²
RING_WIDTH = 2.3  # points: the coloured edge of hollow markers
OUTLINE_WIDTH = 0.6  # points: the dark outline around every marker

# Confidence -> how the marker looks. Documented is filled; the others are hollow (white face, coloured edge).
CONFIDENCE_STYLES: dict[str, dict[str, Any]] = {
    "documented": {"marker": "o", "filled": True, "zorder": 5},
    "reported": {"marker": "o", "filled": False, "zorder": 4},
    "claimed": {"marker": "D", "filled": False, "zorder": 3, "scale": 0.8},
}


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


def _figure(size: tuple[int, int]) -> tuple[Figure, float]:
    """A white figure of exactly `size` pixels on an Agg canvas, and its dpi."""
    width, height = size
    dpi = BASE_DPI * width / BASE_WIDTH
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    return fig, dpi


def _polygon_path(polygon: BaseGeometry) -> Path:
    """One polygon (with its holes) as a matplotlib path."""
    rings = [polygon.exterior, *polygon.interiors]
    return Path.make_compound_path(*(Path(list(ring.coords), closed=True) for ring in rings))


def _geometry_paths(geometry: BaseGeometry | None) -> list[Path]:
    if geometry is None or geometry.is_empty:
        return []
    if geometry.geom_type == "Polygon":
        return [_polygon_path(geometry)]
    if hasattr(geometry, "geoms"):
        return [path for part in geometry.geoms for path in _geometry_paths(part)]
    return []


def _draw_countries(ax: Axes, countries: gpd.GeoDataFrame, line_width: float = 0.4) -> None:
    """Country shapes in a light fill with thin grey borders."""
    paths = [path for geometry in countries.geometry for path in _geometry_paths(geometry)]
    ax.add_collection(
        PathCollection(paths, facecolors=LAND, edgecolors=BORDER, linewidths=line_width, zorder=1),
        autolim=False,
    )


def _map_extent(selection: gpd.GeoDataFrame, box_ratio: float) -> tuple[float, float, float, float]:
    """The (west, south, east, north) extent that fills a map box of width/height `box_ratio`: the world
    view, unless the selection covers a small area; then its bounds with padding, stretched vertically by
    1/cos(latitude) so that shapes look right away from the equator."""
    points = selection.geometry[~(selection.geometry.isna() | selection.geometry.is_empty)] if len(selection) else None
    extent, aspect = WORLD, 1.0
    if points is not None and len(points):
        x0, y0, x1, y1 = points.total_bounds
        pad = max(3.0, 0.15 * max(x1 - x0, y1 - y0))
        width, height = max(x1 - x0 + 2 * pad, MIN_FIT_WIDTH), y1 - y0 + 2 * pad
        if width <= MAX_FIT_WIDTH and height <= MAX_FIT_HEIGHT:
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            extent = (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
            aspect = min(2.0, 1 / max(math.cos(math.radians(cy)), 0.1))
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


def _map_axes(fig: Figure, selection: gpd.GeoDataFrame, size: tuple[int, int]) -> Axes:
    """The map axes: sea background, no ticks, extent fitted to the box."""
    ax = fig.add_axes(MAP_RECT)
    ax.set_facecolor(SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor(BORDER)
        spine.set_linewidth(0.6)
    box_ratio = (MAP_RECT[2] * size[0]) / (MAP_RECT[3] * size[1])
    west, south, east, north = _map_extent(selection, box_ratio)
    ax.set_aspect("auto")
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    return ax


def _first_vendor(vendors: Any) -> str | None:
    return vendors[0] if vendors is not None and len(vendors) else None


def _marker_groups(
    selection: gpd.GeoDataFrame, colors: Mapping[str, str]
) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """(colour of the first vendor, confidence) -> the points drawn that way."""
    groups: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for vendors, confidence, point in zip(selection["vendors"], selection["confidence"], selection.geometry):
        if point is None or point.is_empty:
            continue
        first = _first_vendor(vendors)
        color = colors.get(first, OTHER_COLOR) if first else OTHER_COLOR
        key = (color, confidence if confidence in CONFIDENCE_STYLES else "reported")
        groups.setdefault(key, []).append((point.x, point.y))
    return groups


def _draw_group(ax: Axes, points: list[tuple[float, float]], color: str, confidence: str) -> None:
    """One colour and confidence: filled markers get a thin dark edge; hollow ones a coloured ring laid
    over a slightly wider dark ring, so even light colours stand out on the pale land."""
    style = CONFIDENCE_STYLES[confidence]
    xs, ys = zip(*points)
    area = MARKER_AREA * style.get("scale", 1.0)
    z = style["zorder"]
    if style["filled"]:
        ax.scatter(
            xs, ys, s=area, marker=style["marker"], c=color, edgecolors=OUTLINE, linewidths=OUTLINE_WIDTH, zorder=z
        )
        return
    ax.scatter(
        xs,
        ys,
        s=area,
        marker=style["marker"],
        c="white",
        edgecolors=OUTLINE,
        linewidths=RING_WIDTH + 2 * OUTLINE_WIDTH,
        zorder=z,
    )
    ax.scatter(xs, ys, s=area, marker=style["marker"], c="white", edgecolors=color, linewidths=RING_WIDTH, zorder=z)


def _draw_markers(ax: Axes, selection: gpd.GeoDataFrame, colors: Mapping[str, str]) -> None:
    """A marker per deployment at its point, coloured by its first vendor and shaped by confidence."""
    for (color, confidence), points in _marker_groups(selection, colors).items():
        _draw_group(ax, points, color, confidence)


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


def _confidence_handle(confidence: str) -> Line2D:
    style = CONFIDENCE_STYLES[confidence]
    size = 9 * math.sqrt(style.get("scale", 1.0))
    if style["filled"]:
        return Line2D(
            [],
            [],
            linestyle="none",
            marker=style["marker"],
            markersize=size,
            markerfacecolor=MUTED,
            markeredgecolor=OUTLINE,
            markeredgewidth=OUTLINE_WIDTH,
        )
    return Line2D(
        [],
        [],
        linestyle="none",
        marker=style["marker"],
        markersize=size,
        markerfacecolor="white",
        markeredgecolor=MUTED,
        markeredgewidth=RING_WIDTH,
    )


def _legend(
    fig: Figure,
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
        bbox_to_anchor=(x, LEGEND_Y),
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
    selection: gpd.GeoDataFrame, colors: Mapping[str, str], vendor_names: Mapping[str, str]
) -> list[tuple[str, str]]:
    """(name, colour) per legend row, at most MAX_LEGEND_ENTRIES (the last then says how many more)."""
    rows = [(e["name"], e["color"]) for e in legend_entries(selection, colors, vendor_names)] if len(selection) else []
    if len(rows) > MAX_LEGEND_ENTRIES:
        hidden = len(rows) - (MAX_LEGEND_ENTRIES - 1)
        rows = rows[: MAX_LEGEND_ENTRIES - 1] + [(f"… and {hidden} more", OTHER_COLOR)]
    return rows


def _draw_legend(
    fig: Figure, selection: gpd.GeoDataFrame, colors: Mapping[str, str], vendor_names: Mapping[str, str]
) -> None:
    """Confidence shapes on the right; vendors present in the selection on the left, their names cut
    shorter until the two legends do not touch."""
    confidences = list(CONFIDENCE_STYLES)
    shapes = _legend(
        fig,
        [_confidence_handle(c) for c in confidences],
        [schema.CONFIDENCES[c] for c in confidences],
        "Confidence",
        "upper right",
        1 - MARGIN,
        1,
    )
    rows = _vendor_rows(selection, colors, vendor_names)
    if not rows:
        return
    renderer = cast(FigureCanvasAgg, fig.canvas).get_renderer()
    room = shapes.get_window_extent(renderer).x0 - MARGIN * fig.bbox.width - 2 * LEGEND_SIZE * fig.dpi / 72
    ncol = math.ceil(len(rows) / MAX_LEGEND_ROWS)
    for limit in (MAX_LABEL_CHARS, 34, 28, 22, 16, 12):
        legend = _legend(
            fig,
            [_vendor_handle(c) for _, c in rows],
            [_shorten(n, limit) for n, _ in rows],
            "Vendor (first named)",
            "upper left",
            MARGIN,
            ncol,
        )
        if legend.get_window_extent(renderer).width <= room or limit == 12:
            return
        legend.remove()


def _fit_width(text: Text, max_width: float, min_size: float) -> None:
    """Shrink a text's font until it fits `max_width` pixels (or reaches `min_size`), then cut it short."""
    figure = text.get_figure(root=True)
    if figure is None:
        return
    renderer = cast(FigureCanvasAgg, figure.canvas).get_renderer()
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


def _draw_text(fig: Figure, title: str, sentence: str, credit: str, date: str, empty: bool) -> None:
    """Title, the filter sentence under it, and the footer with the credit and retrieval date."""
    max_width = fig.bbox.width * (1 - 2 * MARGIN)
    heading = fig.text(MARGIN, TITLE_Y, title, va="top", ha="left", **_text_props(TITLE_SIZE, fontweight="bold"))
    _fit_width(heading, max_width, 14)
    lines = fig.text(
        MARGIN,
        SENTENCE_Y,
        _wrap(sentence, 150, 2),
        va="top",
        ha="left",
        linespacing=1.3,
        **_text_props(SENTENCE_SIZE, color=MUTED),
    )
    _fit_width(lines, max_width, 9)
    footer = " · ".join(part for part in (credit, f"Retrieved {date}" if date else "") if part)
    _fit_width(
        fig.text(MARGIN, FOOTER_Y, footer, va="bottom", ha="left", **_text_props(FOOTER_SIZE, color=MUTED)),
        max_width,
        7,
    )
    if empty:
        fig.text(
            MAP_RECT[0] + MAP_RECT[2] / 2,
            MAP_RECT[1] + MAP_RECT[3] / 2,
            "No deployment matches these filters",
            ha="center",
            va="center",
            **_text_props(16, color=MUTED, zorder=10, bbox={"facecolor": "white", "edgecolor": BORDER, "pad": 8}),
        )


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
    """The selection as a PNG of exactly `size` pixels (see SIZES): outlines, markers coloured by the first
    vendor's colour (filled circle: documented; ring: reported; hollow diamond: claimed), a legend, the
    title, the filter sentence and a footer `credit · Retrieved date`."""
    fig, dpi = _figure(size)
    ax = _map_axes(fig, selection, size)
    _draw_countries(ax, countries)
    _draw_markers(ax, selection, colors)
    _draw_legend(fig, selection, colors, vendor_names)
    _draw_text(fig, title, sentence, credit, date, empty=len(selection) == 0)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", metadata={"Title": title, "Description": sentence})
    return buffer.getvalue()
