"""The dataset in figures: records, countries, placeholder vendors, records by kind and confidence,
sources by kind and how many lack their page's title. `python -m geo.stats [data folder]`."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

from geo.cache import load_atlas_cached
from geo.load import Atlas
from geo.mapdata import PLACEHOLDER_VENDORS
from geo.schema import is_untitled_source
from geo.validate import DATA_DIR


def dataset_figures(atlas: Atlas) -> dict[str, Any]:
    d = atlas.deployments
    deployments = d[d["kind"] == "deployment"]
    placeholder = deployments["vendors"].map(lambda ids: bool(set(ids) & PLACEHOLDER_VENDORS) or not ids)
    sources = [s for ss in d["sources"] for s in ss]
    return {
        "records": len(d),
        "countries": d["country"].nunique(),
        "deployment records": len(deployments),
        "deployment records with a placeholder vendor": int(placeholder.sum()),
        "share with a placeholder vendor": round(float(placeholder.mean()) if len(deployments) else 0.0, 3),
        "records by kind": dict(Counter(d["kind"])),
        "records by confidence": dict(Counter(d["confidence"])),
        "records with a history": int(d["history"].map(bool).sum()),
        "sources": len(sources),
        "sources by kind": dict(Counter(s["kind"] for s in sources)),
        "sources without their page's title": sum(is_untitled_source(s["title"]) for s in sources),
        "vendors named": len({v for ids in d["vendors"] for v in ids} - PLACEHOLDER_VENDORS),
        "problems": len(atlas.problems),
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    figures = dataset_figures(load_atlas_cached(Path(args[0]) if args else DATA_DIR))
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key.ljust(width)}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
