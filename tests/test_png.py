"""The static PNG map: exact pixel size, markers in the vendors' colours, plain-text `$`, empty selections."""

import io
import sys

import matplotlib
import numpy as np
import pytest
from PIL import Image

from geo.mapdata import assign_colors, legend_entries
from geo.png import LAND, MAP_RECT, SIZES, render_png

# Very distinct colours, far from the sea, the land, the borders, the text and each other.
DISTINCT = {"acme": "#ff0000", "bolt": "#00b000", "cobalt": "#0000ff", "unknown": "#ff00ff"}
TEXT = {
    "title": "Facial Recognition Atlas",
    "credit": "Data: Facial Recognition Atlas (CC BY 4.0)",
    "date": "2026-11-22",
}


def render(atlas, selection, colors=DISTINCT, size=SIZES["1600x900"], **text):
    sentence = f"Showing {len(selection)} of {len(atlas.deployments)} deployments"
    args = {**TEXT, "sentence": sentence, **text}
    png = render_png(selection, atlas.countries, colors, atlas.vendor_names, size=size, **args)
    return Image.open(io.BytesIO(png))


def pixels(image):
    return np.asarray(image.convert("RGB")).astype(int)


def map_area(image):
    """Only the map (not the legend below it, whose swatches share the vendors' colours)."""
    width, height = image.size
    left, bottom, w, h = MAP_RECT
    box = (
        round(left * width),
        round((1 - bottom - h) * height),
        round((left + w) * width),
        round((1 - bottom) * height),
    )
    return image.crop(box)


def count_color(rgb, hex_color, tolerance=40):
    target = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.sqrt(((rgb - target) ** 2).sum(axis=-1)) <= tolerance).sum())


def test_png_has_the_exact_pixel_size(atlas):
    image = render(atlas, atlas.deployments)
    assert image.format == "PNG" and image.size == (1600, 900)


def test_large_png_has_the_exact_pixel_size(atlas):
    assert render(atlas, atlas.deployments, size=SIZES["3200x1800"]).size == (3200, 1800)


def test_markers_show_every_vendor_colour_and_the_land(atlas):
    rgb = pixels(map_area(render(atlas, atlas.deployments)))
    for vendor, color in DISTINCT.items():  # every vendor is the first vendor of some deployment
        assert count_color(rgb, color) >= 20, vendor
    assert count_color(rgb, LAND, tolerance=3) >= 1000


def test_default_palette_colours_are_drawn(atlas):
    colors = assign_colors(atlas.deployments)
    rgb = pixels(map_area(render(atlas, atlas.deployments, colors=colors)))
    for entry in legend_entries(atlas.deployments, colors, atlas.vendor_names):
        assert count_color(rgb, entry["color"], tolerance=25) >= 20, entry["name"]


def test_one_vendor_selection_has_no_other_vendor_colours(atlas):
    only_bolt = atlas.deployments[atlas.deployments["id"] == "bb-city"]
    rgb = pixels(render(atlas, only_bolt))
    assert count_color(rgb, DISTINCT["bolt"]) >= 20
    for vendor in ("acme", "cobalt", "unknown"):
        assert count_color(rgb, DISTINCT[vendor]) == 0, vendor


@pytest.mark.parametrize("text", ["$5 ${x}", r"$\notacommand{ and a lone $", "costs $5 – “quoted” · ok"])
def test_dollar_signs_are_plain_text(atlas, text):
    names = {**atlas.vendor_names, "acme": text}
    png = render_png(
        atlas.deployments, atlas.countries, DISTINCT, names, title=text, sentence=text, credit=text, date="2026"
    )
    assert Image.open(io.BytesIO(png)).size == (1600, 900)


def test_empty_selection_renders_outlines_and_no_markers(atlas):
    empty = atlas.deployments.iloc[0:0]
    image = render(atlas, empty)
    assert image.size == (1600, 900)
    rgb = pixels(image)
    assert count_color(rgb, LAND, tolerance=3) >= 1000
    assert all(count_color(rgb, color) == 0 for color in DISTINCT.values())


def test_rendering_leaves_matplotlib_settings_alone(atlas):
    """No pyplot (it would pick a backend for the whole process) and no changed rcParams."""
    had_pyplot = "matplotlib.pyplot" in sys.modules
    before = matplotlib.rcParams.copy()
    render(atlas, atlas.deployments)
    # Compared as plain dicts: RcParams' own == reads rcParams["backend"], which would resolve (and import pyplot).
    assert dict.__eq__(matplotlib.rcParams, before)
    assert had_pyplot or "matplotlib.pyplot" not in sys.modules
