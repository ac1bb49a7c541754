#!/usr/bin/env python3
"""Build data/cities.csv, the city names of the offline basemap, from Natural Earth's populated places.

Source data
-----------
Natural Earth "Populated Places" (simple), version 2.0.0, public domain, as redistributed inside the
geopandas 0.14.4 wheel on PyPI (its `geopandas/datasets/naturalearth_cities` shapefile: 243 places, the
national capitals and a few other major cities). Fetch the wheel once (no other network access is needed):

    pip download geopandas==0.14.4 --no-deps -d /tmp/gp
    python scripts/build_cities.py /tmp/gp/geopandas-0.14.4-py3-none-any.whl [-o data/cities.csv]

Writes name, lat, lon (rounded to 0.01 degree), sorted by name. The two names whose letters the shapefile's
encoding lost are restored (NAME_FIXES).
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd

MEMBER = "geopandas/datasets/naturalearth_cities/"
NAME_FIXES = {"?saka": "Ōsaka", "Chi?in?u": "Chișinău"}
DECIMALS = 2


def build(wheel: Path, out: Path) -> int:
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.startswith(MEMBER):
                archive.extract(name, folder)
        places = gpd.read_file(Path(folder) / MEMBER / "naturalearth_cities.shp")
    rows = sorted(
        (NAME_FIXES.get(name, name), round(point.y, DECIMALS), round(point.x, DECIMALS))
        for name, point in zip(places["name"], places.geometry)
    )
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["name", "lat", "lon"])
        writer.writerows(rows)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="the geopandas 0.14.4 wheel")
    parser.add_argument(
        "-o", "--out", type=Path, default=Path(__file__).resolve().parent.parent / "data" / "cities.csv"
    )
    args = parser.parse_args()
    print(f"wrote {build(args.wheel, args.out)} places to {args.out}")


if __name__ == "__main__":
    main()
