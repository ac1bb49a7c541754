"""Write the HTML map, PNG image, CSV, GeoJSON or Excel workbook of a selection without starting the app.

Example:
    python -m geo.snapshot --vendor huawei --from 2015 --to 2020 --html map.html --png map.png --csv map.csv
    python -m geo.snapshot --country KE --region africa --labels --size 1080x1080 --svg kenya.svg --gif kenya.gif

Filters take the same values as the app's link (`--vendor` and the other list filters may repeat; ids and
names in any case). `--list vendors` (or countries, sectors, ...) prints the values a filter takes.
Unknown or malformed values are errors here (exit 2), because a pipeline should not silently publish
a different selection than it asked for. Data that cannot be read at all also exits 2. When some records
fail validation, their problems are printed and nothing is written (exit 3); `--allow-invalid` writes the
valid records anyway, still listing what was left out (exit 0).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import pandas as pd

from geo.cache import Entry, data_version_cached, open_atlas
from geo.citation import citation
from geo.filters import (
    CHOICE_FILTERS,
    Filters,
    Vocabulary,
    add_filter_arguments,
    apply_filters,
    build_vocabulary,
    choice_filter,
    option_counts,
    params_from_args,
    selection_sentence,
    year_bounds,
)
from geo.image_options import FRAMINGS, REGIONS, SIZE_LABELS, SIZES, STYLES, ImageOptions
from geo.load import Atlas
from geo.mapdata import assign_colors, outlines_geojson
from geo.outputs import Shared, animation_file, image_file, snapshot_file, timeline_years
from geo.permalink import parse_link, permalink
from geo.points import (
    MAX_RECORDS_OUT,
    POINTS_FILE,
    atlas_of_records,
    full_record_parts,
    is_lean,
    most_sources,
)
from geo.publishing import PUBLIC_URL_ENV, configured_public_url
from geo.validate import DATA_DIR
from geo.versions import is_dated_version

DEFAULT_BASE_URL = "http://localhost:8501/"
DEFAULT_IMAGE_SIZE = "1600x900"
DEFAULT_ANIMATION_SIZE = "1200x675"
EXIT_BAD_ARGUMENTS = 2  # also: the data cannot be read at all
EXIT_INVALID_RECORDS = 3
MAX_PROBLEMS_PRINTED = 50
LISTABLE = tuple(f.name for f in CHOICE_FILTERS)
OUTPUTS = ("html", "png", "svg", "pdf", "gif", "mp4", "csv", "xlsx", "geojson")
STREAMED_OUTPUTS = ("csv", "geojson")  # written for a large dataset's selection of any size (write_data_files)
PICTURES = ("png", "svg", "pdf", "gif", "mp4")  # drawn from a large dataset's lean table, at any size


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo.snapshot",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    add_filter_arguments(parser)
    parser.add_argument(
        "--list",
        choices=LISTABLE,
        metavar="FILTER",
        help="print the values a filter takes (id, label, deployments) and exit: " + ", ".join(LISTABLE),
    )
    parser.add_argument("--html", type=Path, help="write the self-contained HTML map here")
    parser.add_argument("--png", type=Path, help="write the PNG image here")
    parser.add_argument("--svg", type=Path, help="write the image as SVG (vector, text kept as text) here")
    parser.add_argument("--pdf", type=Path, help="write the image as PDF (vector) here")
    parser.add_argument("--gif", type=Path, help="write the animated timeline (one frame per year) as GIF here")
    parser.add_argument("--mp4", type=Path, help="write the animated timeline as MP4 (H.264) here")
    parser.add_argument(
        "--size",
        "--png-size",
        choices=list(SIZES),
        help="pixel size of images and animations: "
        + "; ".join(f"{k} {v}" for k, v in SIZE_LABELS.items())
        + f" (default {DEFAULT_IMAGE_SIZE} for images, {DEFAULT_ANIMATION_SIZE} for animations)",
    )
    parser.add_argument(
        "--region",
        default="fit",
        choices=list(FRAMINGS),
        help="framing of images: fit (to the selection, the default), world, or a region: " + ", ".join(REGIONS),
    )
    parser.add_argument("--style", default="points", choices=list(STYLES), help="points by vendor, or countries shaded")
    parser.add_argument("--labels", action="store_true", help="label the places with most records (no overlaps)")
    parser.add_argument("--highlight", metavar="ID", help="ring one record (by id) and label it with its name")
    parser.add_argument("--csv", type=Path, help="write CSV here (and its metadata next to it)")
    parser.add_argument("--geojson", type=Path, help="write GeoJSON here")
    parser.add_argument("--xlsx", type=Path, help="write an Excel workbook here (deployments, sources, citation)")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="folder with the data files")
    parser.add_argument(
        "--data",
        type=Path,
        metavar="FILE",
        help="use your own table of deployments instead (CSV, XLSX or GeoJSON; see README 'Open your own data')",
    )
    parser.add_argument("--mapping", type=Path, metavar="FILE.json", help="with --data: which column gives which field")
    parser.add_argument("--preset", choices=["eff-aos"], help="with --data: a known format's mapping (eff-aos)")
    parser.add_argument(
        "--base-url",
        default=configured_public_url() or DEFAULT_BASE_URL,
        help=f"where the app is published, for the permalink and citation (default: ${PUBLIC_URL_ENV}, "
        f"or public_url in .streamlit/atlas.toml, else {DEFAULT_BASE_URL})",
    )
    parser.add_argument(
        "--allow-invalid",
        action="store_true",
        help=f"write the valid records even when others fail validation (otherwise exit {EXIT_INVALID_RECORDS})",
    )
    return parser


def list_values(atlas: Atlas, vocabulary: Vocabulary, name: str) -> str:
    """One line per value of a choice filter: id, label and how many deployments it selects."""
    spec = choice_filter(name)
    assert spec is not None, name
    counts = option_counts(atlas.deployments, Filters(), spec.name)
    lines = [f"{o}\t{vocabulary.label(spec.name, o)}\t{counts.get(o, 0)}" for o in vocabulary.options[spec.name]]
    return "\n".join(["id\tlabel\tdeployments", *lines])


def image_options(args: argparse.Namespace, animation: bool = False) -> ImageOptions:
    size = args.size or (DEFAULT_ANIMATION_SIZE if animation else DEFAULT_IMAGE_SIZE)
    return ImageOptions(
        size=SIZES[size], framing=args.region, style=args.style, labels=args.labels, highlight=args.highlight
    )


def write_outputs(args: argparse.Namespace, shared: Shared, years: tuple[int | None, int]) -> None:
    """Write each output the arguments ask for (the CSV with its metadata file next to it)."""
    from geo.export import to_csv, to_geojson, to_xlsx  # openpyxl is imported only for --xlsx

    if args.html:
        args.html.write_text(snapshot_file(shared), encoding="utf-8")
    write_pictures(args, shared, years)
    if args.csv:
        args.csv.write_text(to_csv(shared.selection, shared.atlas.country_names), encoding="utf-8")
        write_csv_metadata(args.csv, shared.citation, shared.version, len(shared.selection))
    if args.geojson:
        args.geojson.write_text(to_geojson(shared.selection), encoding="utf-8")
    if args.xlsx:
        args.xlsx.write_bytes(to_xlsx(shared.selection, shared.atlas.country_names, shared.citation, shared.version))


def write_pictures(args: argparse.Namespace, shared: Shared, years: tuple[int | None, int]) -> None:
    """Each image (PNG, SVG, PDF) and timeline (GIF, MP4) the arguments ask for."""
    for fmt in ("png", "svg", "pdf"):
        if getattr(args, fmt):
            getattr(args, fmt).write_bytes(image_file(shared, image_options(args), fmt))
    for fmt in ("gif", "mp4"):
        if getattr(args, fmt):
            getattr(args, fmt).write_bytes(animation_file(shared, years, image_options(args, animation=True), fmt))


def write_csv_metadata(csv_path: Path, cite: str, version: str, count: int) -> None:
    """The CSV's metadata and citation, beside it (`<name>-metadata.json`)."""
    from geo.export import csv_metadata

    meta = csv_path.with_name(csv_path.name + "-metadata.json")
    meta.write_text(json.dumps(csv_metadata(cite, version, count), indent=2, ensure_ascii=False), encoding="utf-8")


def write_data_files(args: argparse.Namespace, atlas: Atlas, selection: pd.DataFrame, cite: str, version: str) -> None:
    """--csv and --geojson of a lean selection of any size: its full records read from the points file and
    written MAX_RECORDS_OUT at a time, so that no more than that many are held at once."""
    from geo.export import write_csv, write_geojson

    path = Path(args.data_dir) / POINTS_FILE
    if args.csv:
        with _written_whole(args.csv) as out:
            parts = full_record_parts(path, selection, atlas.vendors, MAX_RECORDS_OUT)
            # The header needs the most sources any record has before the first row: one extra pass over the
            # records' JSON (3.4 s of the 30 s for 110,639 records of 1,000,000), instead of holding them all.
            write_csv(parts, out, atlas.country_names, max_sources=most_sources(path, selection))
        write_csv_metadata(args.csv, cite, version, len(selection))
    if args.geojson:
        with _written_whole(args.geojson) as out:
            write_geojson(full_record_parts(path, selection, atlas.vendors, MAX_RECORDS_OUT), out)


@contextmanager
def _written_whole(target: Path) -> Iterator[TextIO]:
    """A text file written beside `target` and renamed to it once complete, so that a failure part way
    (a full disk, a broken record) leaves no half-written output."""
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            yield out
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def print_problems(problems: Sequence[object], allowed: bool) -> None:
    """Each problem on stderr (at most MAX_PROBLEMS_PRINTED), then what happens because of them."""
    for problem in problems[:MAX_PROBLEMS_PRINTED]:
        print(f"problem: {problem}", file=sys.stderr)
    if len(problems) > MAX_PROBLEMS_PRINTED:
        print(
            f"… and {len(problems) - MAX_PROBLEMS_PRINTED} more (python -m geo.validate lists them all)",
            file=sys.stderr,
        )
    if allowed:
        print(
            f"warning: {len(problems)} problem(s); the records they name are left out of the outputs", file=sys.stderr
        )
    else:
        print(
            f"error: {len(problems)} problem(s) in the data; nothing was written. Fix them, or give --allow-invalid "
            "to write the valid records anyway.",
            file=sys.stderr,
        )


def own_data_atlas(args: argparse.Namespace) -> Atlas:
    """--data FILE: the atlas of one's own file (checked against the vendors and countries of --data-dir)."""
    from geo.importer import load_import

    return load_import(args.data, args.mapping, args.preset, args.data_dir)


def _is_dict(value: object) -> bool:
    return isinstance(value, dict)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    outputs = [getattr(args, name) for name in OUTPUTS if getattr(args, name)]
    if not outputs and not args.list:
        parser.error("nothing to write: give at least one of " + ", ".join(f"--{n}" for n in OUTPUTS) + " (or --list)")
    if (args.mapping or args.preset) and args.data is None:
        parser.error("--mapping and --preset describe the file of --data FILE; give --data too")
    missing = sorted({str(p.parent) for p in outputs if not p.parent.is_dir()})
    if missing:
        parser.error("no such folder for the output: " + ", ".join(missing))
    try:
        if args.data is None:
            atlas, cached = open_atlas(args.data_dir)
        else:  # one's own file is read afresh, never cached on disk
            atlas, cached = own_data_atlas(args), Entry(None)
    except (OSError, ValueError) as error:
        print(f"error: could not load the data in {args.data or args.data_dir}: {error}", file=sys.stderr)
        return EXIT_BAD_ARGUMENTS
    if atlas.problems:
        print_problems(atlas.problems, allowed=args.allow_invalid)
        if not args.allow_invalid:
            return EXIT_INVALID_RECORDS
    vocabulary = build_vocabulary(atlas, year_bounds(atlas.deployments))
    if args.list:
        print(list_values(atlas, vocabulary, args.list))
        return 0
    parsed = parse_link(params_from_args(args), vocabulary)
    if parsed.ignored:
        parser.error("could not use: " + "; ".join(parsed.ignored) + " (`--list FILTER` shows the valid values)")
    selection = apply_filters(atlas.deployments, parsed.filters)
    if args.highlight and args.highlight not in set(selection["id"]):
        parser.error(f"--highlight {args.highlight}: no record with that id in the selection")
    if (args.gif or args.mp4) and selection.empty:
        parser.error("--gif/--mp4: no record matches these filters, so there is no timeline to animate")
    colors = assign_colors(atlas.deployments)
    sentence = selection_sentence(len(selection), len(atlas.deployments), parsed.filters, vocabulary)
    streamed = is_lean(selection) and len(selection) > MAX_RECORDS_OUT
    if streamed:  # a large selection of a large dataset: only the data files, written a part at a time
        held = [f"--{n}" for n in OUTPUTS if getattr(args, n) and n not in (*STREAMED_OUTPUTS, *PICTURES)]
        if held:
            parser.error(
                f"these filters select {len(selection):,} records of a large dataset; {', '.join(held)} "
                f"hold at most {MAX_RECORDS_OUT:,}: narrow them (--vendor, --country, --from, …); "
                "--csv and --geojson are written, and the images and timelines drawn, for any number"
            )
    elif is_lean(selection):  # a large dataset (geo/points.py): the outputs are made of its selected records in full
        atlas = atlas_of_records(atlas, args.data_dir, selection)
        selection = atlas.deployments
    if args.data:  # one's own file: no released version, and no link could reopen it
        version, link = f"own data: {args.data.name}", ""
    else:
        version = data_version_cached(args.data_dir, cached)
        link = permalink(args.base_url, parsed.filters, version=version if is_dated_version(version) else None)
    cite = citation(sentence, link, version)
    years = timeline_years(parsed.filters, vocabulary.year_bounds)
    if streamed:
        lean = Shared(atlas, selection, colors, sentence, version, link, cite, parsed.filters)
        try:
            write_data_files(args, atlas, selection, cite, version)
            write_pictures(args, lean, years)
        except OSError as error:
            return _write_failed(error)
        print(cite)
        return 0
    outlines = cached.remembered("outlines", lambda: outlines_geojson(atlas.countries), _is_dict) if args.html else None
    shared = Shared(atlas, selection, colors, sentence, version, link, cite, parsed.filters, outlines=outlines)
    try:
        write_outputs(args, shared, years)
    except OSError as error:
        return _write_failed(error)
    print(cite)
    return 0


def _write_failed(error: OSError) -> int:
    print(f"error: could not write {error.filename or 'an output file'}: {error.strerror or error}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
