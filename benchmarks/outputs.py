"""How long each shared output takes to build from the shipped data (or a synthetic dataset), and its size.

    .venv/bin/python -m benchmarks.outputs                 # the shipped data, 3 runs each
    .venv/bin/python -m benchmarks.outputs --size 10000    # 10,000 synthetic deployments

Prints a Markdown table (median seconds of the runs, bytes of the output). Loading the data is timed
once, apart from the outputs; every output is built as the share tab and the CLI build it (geo.outputs).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from geo.citation import citation, data_version
from geo.export import to_csv, to_xlsx
from geo.filters import Filters, build_vocabulary, selection_sentence, year_bounds
from geo.graphics import SIZES, ImageOptions
from geo.load import load_atlas
from geo.mapdata import assign_colors
from geo.outputs import Shared, animation_file, image_file, snapshot_file, timeline_years
from geo.permalink import permalink
from geo.validate import DATA_DIR


def _time(make: Callable[[], bytes | str], runs: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        out = make()
        times.append(time.perf_counter() - start)
        size = len(out.encode("utf-8") if isinstance(out, str) else out)
    return statistics.median(times), size


def outputs(shared: Shared, years: tuple[int | None, int]) -> dict[str, Callable[[], bytes | str]]:
    wide, social = ImageOptions(), ImageOptions(size=SIZES["1200x675"])
    africa = ImageOptions(framing="africa", labels=True)
    return {
        "HTML snapshot": lambda: snapshot_file(shared),
        "PNG 1600x900": lambda: image_file(shared, wide, "png"),
        "PNG 3200x1800": lambda: image_file(shared, ImageOptions(size=SIZES["3200x1800"]), "png"),
        "PNG Africa, labelled": lambda: image_file(shared, africa, "png"),
        "PNG shaded 1080x1080": lambda: image_file(
            shared, ImageOptions(size=SIZES["1080x1080"], style="shaded"), "png"
        ),
        "SVG 1600x900, labelled": lambda: image_file(shared, ImageOptions(labels=True), "svg"),
        "PDF 1600x900": lambda: image_file(shared, wide, "pdf"),
        "GIF timeline 1200x675": lambda: animation_file(shared, years, social, "gif"),
        "MP4 timeline 1200x675": lambda: animation_file(shared, years, social, "mp4"),
        "CSV": lambda: to_csv(shared.selection, shared.atlas.country_names),
        "XLSX": lambda: to_xlsx(shared.selection, shared.atlas.country_names, shared.citation, shared.version),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, help="synthetic deployments instead of the shipped data")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = DATA_DIR
        if args.size:
            from benchmarks.synthetic_data import write_dataset

            data_dir = write_dataset(Path(folder) / "data", args.size)
        start = time.perf_counter()
        atlas = load_atlas(data_dir)
        load_seconds = time.perf_counter() - start
        vocabulary = build_vocabulary(atlas, year_bounds(atlas.deployments))
        filters = Filters()
        sentence = selection_sentence(len(atlas.deployments), len(atlas.deployments), filters, vocabulary)
        version = data_version(data_dir)
        link = permalink("https://atlas.example.org/", filters)
        shared = Shared(
            atlas,
            atlas.deployments,
            assign_colors(atlas.deployments),
            sentence,
            version,
            link,
            citation(sentence, link, version),
        )
        years = timeline_years(filters, vocabulary.year_bounds)
        label = f"{args.size:,} synthetic" if args.size else f"shipped ({len(atlas.deployments)})"
        print(f"Outputs of all {label} records; load {load_seconds:.2f} s (once); median of {args.runs} runs\n")
        print("| output | seconds | bytes |\n|---|---:|---:|")
        for name, make in outputs(shared, years).items():
            seconds, size = _time(make, args.runs)
            print(f"| {name} | {seconds:.2f} | {size:,} |", flush=True)


if __name__ == "__main__":
    main()
