"""Static graphics: exact pixel sizes, markers in the vendors' colours, plain-text `$`, empty selections, SVG and
PDF, framing, labels, the shaded style and the animated timeline."""

import io
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from geo import graphics
from geo.graphics import LAND, SIZES, ImageOptions, Texts, draw_map, layout, render_animation, render_image, render_png
from geo.load import load_atlas
from geo.mapdata import assign_colors, legend_entries
from tests import synthetic

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
    left, bottom, w, h = layout(image.size).map_rect
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


@pytest.mark.parametrize("name", list(SIZES))
def test_every_print_and_social_size_is_exact_and_shows_the_markers(atlas, name):
    image = render(atlas, atlas.deployments, size=SIZES[name])
    assert image.size == SIZES[name]
    rgb = pixels(map_area(image))
    assert all(count_color(rgb, color) >= 10 for color in DISTINCT.values()), name


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


def test_a_named_vendors_marker_is_drawn_over_a_placeholders_at_the_same_place(tmp_path):
    same_place = [
        synthetic.deployment("aa-named", 10, 10, vendors=["acme"]),
        synthetic.deployment("aa-unnamed", 10, 10, vendors=["unknown"]),
    ]
    atlas = load_atlas(synthetic.write_dataset(tmp_path / "data", same_place))
    assert len(atlas.deployments) == 2
    named = atlas.deployments[atlas.deployments["id"] == "aa-named"]
    alone = count_color(pixels(map_area(render(atlas, named, colors={"acme": DISTINCT["acme"]}))), DISTINCT["acme"])
    assert alone >= 20
    for records in (atlas.deployments, atlas.deployments.iloc[::-1]):
        rgb = pixels(map_area(render(atlas, records, colors={"acme": DISTINCT["acme"]})))
        assert count_color(rgb, DISTINCT["acme"]) >= 0.9 * alone  # not covered by the grey marker


def marker_shapes(svg: bytes) -> int:
    """How many markers an SVG draws as shapes (`<use>` in a scatter's group; the legend's are apart)."""
    groups = ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g")
    scatters = [g for g in groups if g.get("id", "").startswith("PathCollection")]
    return sum(1 for g in scatters for _ in g.iter("{http://www.w3.org/2000/svg}use"))


def test_many_markers_on_one_pixel_are_drawn_once_and_vector_files_hold_them_as_an_image(atlas, monkeypatch):
    """Above MANY_MARKERS, each record drawn four times makes the very picture of drawing it once (a
    second stamp on the same pixel would darken the markers' edges), and an SVG holds the markers as one
    embedded image per look instead of one shape per record."""
    once, four_times = atlas.deployments, pd.concat([atlas.deployments] * 4)
    assert marker_shapes(image_of(atlas, "svg", four_times)) == 4 * marker_shapes(image_of(atlas, "svg", once)) > 0
    fourfold = pixels(map_area(render(atlas, four_times, sentence="same")))
    assert not np.array_equal(fourfold, pixels(map_area(render(atlas, once, sentence="same"))))
    monkeypatch.setattr(graphics, "MANY_MARKERS", len(once) - 1)
    assert np.array_equal(
        pixels(map_area(render(atlas, four_times, sentence="same"))),
        pixels(map_area(render(atlas, once, sentence="same"))),
    )
    svg = image_of(atlas, "svg", four_times)
    assert marker_shapes(svg) == 0 and b"<image" in svg


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


# Vector formats, framing, labels, styles and the animation.


PLACES = {"aa-metro": "Alpha Town", "aa-airport": "Airport City", "bb-city": "Beta City", "bb-school": "Bee Hill"}
TEXTS = Texts("Atlas title", "Showing 5 of 5 deployments", "Credit: the atlas, CC BY 4.0", "2026-12-02")


@pytest.fixture
def placed(tmp_path):
    """The synthetic data with a distinct place name per record."""
    features = synthetic.deployments()
    for feature in features:
        feature["properties"]["place"] = PLACES.get(feature["properties"]["id"], "Sea Port")
    return load_atlas(synthetic.write_dataset(tmp_path / "placed", features))


def image_of(atlas, fmt="png", selection=None, **options):
    chosen = atlas.deployments if selection is None else selection
    return render_image(chosen, atlas.countries, DISTINCT, atlas.vendor_names, TEXTS, ImageOptions(**options), fmt)


def svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(element.itertext()) for element in root.iter("{http://www.w3.org/2000/svg}text")]


def test_svg_parses_keeps_its_text_as_text_and_contains_the_labels(placed):
    texts = svg_texts(image_of(placed, "svg", labels=True))
    assert "Atlas title" in texts and "Showing 5 of 5 deployments" in texts
    assert {"Alpha Town", "Beta City", "Sea Port"} <= set(texts)
    assert not any("Alpha Town" in t for t in svg_texts(image_of(placed, "svg", labels=False)))


def test_pdf_is_vector_with_extractable_title_and_credit(atlas, tmp_path):
    pdf = image_of(atlas, "pdf")
    assert pdf.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Atlas title" in text and "Credit: the atlas, CC BY 4.0" in text
    assert b"/Subtype /Image" not in pdf  # drawn, not a picture pasted in


def test_fit_framing_contains_every_selected_point_and_zooms_in(atlas):
    chosen = atlas.deployments[atlas.deployments["country"] == "BB"]
    west, south, east, north = draw_map(chosen, atlas.countries, DISTINCT, atlas.vendor_names, TEXTS).extent
    for point in chosen.geometry:
        assert west < point.x < east and south < point.y < north
    assert east - west < 90  # not the world


@pytest.mark.parametrize("region", list(graphics.REGIONS))
@pytest.mark.parametrize("size", ["1600x900", "1080x1350"])
def test_region_framing_contains_the_whole_region(atlas, region, size):
    options = ImageOptions(size=SIZES[size], framing=region)
    west, south, east, north = draw_map(
        atlas.deployments, atlas.countries, DISTINCT, atlas.vendor_names, TEXTS, options
    ).extent
    r_west, r_south, r_east, r_north = graphics.REGIONS[region]
    assert west <= r_west and south <= r_south and east >= r_east and north >= r_north
    assert east - west < 360


def test_region_framing_says_how_many_records_are_in_view(atlas):
    drawn = draw_map(
        atlas.deployments, atlas.countries, DISTINCT, atlas.vendor_names, TEXTS, ImageOptions(framing="europe")
    )
    sentence = [t.get_text() for t in drawn.figure.texts if t.get_text().startswith("Showing")][0]
    assert "Map framed on Europe: 0 of them in view" in sentence  # the synthetic points are all near the equator


@pytest.mark.parametrize("size", list(SIZES))
def test_labels_do_not_overlap_each_other(placed, size):
    drawn = draw_map(
        placed.deployments,
        placed.countries,
        DISTINCT,
        placed.vendor_names,
        TEXTS,
        ImageOptions(size=SIZES[size], labels=True),
    )
    assert len(drawn.labels) >= 3
    for (_, a), (_, b) in combinations(drawn.labels, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_a_highlighted_record_gets_its_name_first_and_a_ring(placed):
    options = ImageOptions(labels=True, highlight="bb-school")
    drawn = draw_map(placed.deployments, placed.countries, DISTINCT, placed.vendor_names, TEXTS, options)
    assert drawn.labels[0][0] == "School gates"
    plain = pixels(Image.open(io.BytesIO(image_of(placed))))
    ringed = pixels(Image.open(io.BytesIO(image_of(placed, highlight="bb-school"))))
    assert count_color(ringed, graphics.HIGHLIGHT, 30) > count_color(plain, graphics.HIGHLIGHT, 30) + 50


def test_shaded_style_fills_countries_by_count_and_draws_no_markers(atlas):
    image = Image.open(io.BytesIO(image_of(atlas, style="shaded", framing="world")))
    rgb = pixels(map_area(image))
    bins = graphics.count_bins(2)  # AA and BB have 2 records, CC has 1
    assert [b["label"] for b in bins] == ["1", "2"]
    assert count_color(rgb, bins[1]["color"], 3) > 200 and count_color(rgb, bins[0]["color"], 3) > 100
    assert all(count_color(rgb, color) == 0 for color in DISTINCT.values())


def test_count_classes_match_the_map_script():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = Path(__file__).resolve().parent.parent / "geo" / "web" / "atlas.js"
    maxima = [1, 2, 3, 4, 9, 10, 41, 99, 100, 250, 5000, 123456]
    code = (
        f"const Atlas = require({json.dumps(str(script))});"
        f"console.log(JSON.stringify({json.dumps(maxima)}.map(m => Atlas.countBins(m))));"
    )
    from_js = json.loads(subprocess.run([node, "-e", code], capture_output=True, text=True, check=True).stdout)
    assert from_js == [graphics.count_bins(m) for m in maxima]


def animation(atlas, fmt, selection=None):
    chosen = atlas.deployments if selection is None else selection
    size = ImageOptions(size=SIZES["1200x675"])
    return render_animation(chosen, atlas.countries, DISTINCT, atlas.vendor_names, TEXTS, (None, 2022), size, fmt)


def test_gif_has_a_frame_per_year_and_the_pause_and_shows_the_spread(atlas):
    gif = Image.open(io.BytesIO(animation(atlas, "gif")))
    years = list(range(2012, 2023))
    assert gif.n_frames == len(years) + graphics.PAUSE_FRAMES
    durations = []
    colors_per_frame = []
    for index in range(gif.n_frames):
        gif.seek(index)
        durations.append(gif.info["duration"])
        rgb = pixels(map_area(gif.convert("RGB")))
        colors_per_frame.append({v for v, c in DISTINCT.items() if count_color(rgb, c) >= 10})
    assert durations[0] == round(graphics.FRAME_SECONDS * 1000) and durations[-1] == round(
        graphics.PAUSE_SECONDS * 1000
    )
    assert colors_per_frame[0] == {"acme"}  # 2012: only the metro
    assert colors_per_frame[years.index(2020)] == {"acme", "bolt", "cobalt", "unknown"}
    assert "unknown" not in colors_per_frame[years.index(2022)]  # the mall ended in 2021
    assert colors_per_frame[-1] == set(DISTINCT)  # the closing frame shows the whole period


def test_mp4_is_readable_and_lasts_the_expected_time(atlas, tmp_path):
    import imageio_ffmpeg

    path = tmp_path / "timeline.mp4"
    path.write_bytes(animation(atlas, "mp4"))
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    frames = sum(1 for _ in reader)
    expected = 11 * graphics.FRAME_SECONDS + graphics.PAUSE_SECONDS
    assert meta["codec"] == "h264" and meta["size"] == (1200, 676)
    assert frames == round(expected * graphics.MP4_FPS)
    assert abs(meta["duration"] - expected) < 0.5


def test_an_empty_selection_has_no_animation(atlas):
    with pytest.raises(ValueError, match="empty"):
        animation(atlas, "gif", atlas.deployments.iloc[0:0])


def test_outlines_are_simplified_for_drawing_but_a_shape_too_small_to_keep_stays() -> None:
    import geopandas as gpd
    import shapely

    from geo.graphics import simplified_outlines

    circle = shapely.Point(0, 0).buffer(10, quad_segs=64)
    speck = shapely.Point(50, 50).buffer(0.01)
    simple = simplified_outlines(gpd.GeoSeries([circle, speck]), 0.5)
    assert 8 < shapely.get_num_coordinates(simple[0]) < shapely.get_num_coordinates(circle)
    assert simple[1].equals(speck)


def test_skipping_matplotlibs_import_docstrings_changes_no_pixel(tmp_path) -> None:
    import synthetic

    data = synthetic.write_dataset(tmp_path / "data")
    script = (
        "import sys\n"
        "if sys.argv[1] == 'lean':\n    import geo.matplotlib_lean\n"
        "import matplotlib.lines\n"
        "from geo import snapshot\n"
        "snapshot.main(['--data-dir', sys.argv[2], '--png', sys.argv[3]])\n"
        "print(len(matplotlib.lines.Line2D.set.__doc__ or ''))\n"
    )
    docs = {}
    for mode in ("plain", "lean"):
        done = subprocess.run(
            [sys.executable, "-c", script, mode, str(data), str(tmp_path / f"{mode}.png")],
            capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent,
        )  # fmt: skip
        docs[mode] = int(done.stdout.strip().splitlines()[-1])
    assert docs["lean"] < docs["plain"] / 3, docs  # the property list was not written
    assert (tmp_path / "lean.png").read_bytes() == (tmp_path / "plain.png").read_bytes()
