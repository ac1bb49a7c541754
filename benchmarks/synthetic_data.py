"""A large, realistic-looking synthetic atlas for benchmarks: `write_dataset(folder, n, seed)`.

Countries and vendors are drawn with the frequencies of the real `data/deployments.geojson` (plus a
share spread over every other country and vendor), every point lies inside its country's outline, and
every record passes `geo.validate`. The same (n, seed) always writes the same files.
"""

from __future__ import annotations

import collections
import csv
import json
import random
import shutil
from pathlib import Path
from typing import Any

from shapely import prepared
from shapely.geometry import MultiPolygon, Point, shape

from geo import schema

REPO_DATA = Path(__file__).resolve().parent.parent / "data"
OTHER_COUNTRY_SHARE = 0.15  # records placed in a uniformly random country instead of a "real-like" one
OTHER_VENDOR_SHARE = 0.15  # vendor picks drawn uniformly from all of vendors.csv
MAX_TRIES = 2000

OPERATORS = (
    "City police",
    "Ministry of the Interior",
    "Metro operator",
    "Airport authority",
    "School district",
    "Retail chain",
    "National police",
    "Border agency",
    "Municipal government",
    "Stadium operator",
    "",
)
PUBLISHERS = (
    "Daily Ledger",
    "Global Times Review",
    "Tech Monitor",
    "Rights Watch Bulletin",
    "Metro Herald",
    "Surveillance Report",
    "Open Data Journal",
    "City Wire",
)
WORDS = (
    "cameras",
    "faces",
    "station",
    "system",
    "police",
    "installed",
    "network",
    "matching",
    "watchlist",
    "public",
    "square",
    "officials",
    "contract",
    "pilot",
    "vendor",
    "airport",
    "gates",
    "biometric",
    "operators",
    "residents",
    "database",
    "alerts",
    "city",
    "streets",
    "footage",
    "identify",
    "trial",
    "expanded",
    "reported",
    "documents",
    "procurement",
    "ministry",
    "software",
    "checkpoints",
)
PRECISION_WEIGHTS = {"city": 50, "site": 20, "region": 12, "country": 18}


def _words(rng: random.Random, count: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(count))
    return text[0].upper() + text[1:] + "."


class _CountrySampler:
    """Random points inside a country: rejection sampling in the bounds of its largest polygon part."""

    def __init__(self, features: list[dict[str, Any]]):
        self.parts: dict[str, Any] = {}
        self.names: dict[str, str] = {}
        for feature in features:
            code = (feature.get("properties") or {}).get("iso_a2") or ""
            if not code or not feature.get("geometry"):
                continue
            geom = shape(feature["geometry"])
            polygons = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
            largest = max(polygons, key=lambda p: p.area)
            if code not in self.parts or largest.area > self.parts[code].area:
                self.parts[code] = largest
            self.names.setdefault(code, feature["properties"].get("name") or code)
        self._prepared: dict[str, Any] = {}

    def point(self, code: str, rng: random.Random) -> tuple[float, float]:
        polygon = self.parts[code]
        if code not in self._prepared:
            self._prepared[code] = prepared.prep(polygon)
        inside = self._prepared[code]
        x0, y0, x1, y1 = polygon.bounds
        for _ in range(MAX_TRIES):
            lon, lat = round(rng.uniform(x0, x1), 5), round(rng.uniform(y0, y1), 5)
            if inside.contains(Point(lon, lat)):
                return lon, lat
        rep = polygon.representative_point()
        return round(rep.x, 5), round(rep.y, 5)


def _weights(real: collections.Counter, universe: list[str]) -> tuple[list[str], list[float]]:
    keys = sorted(k for k in real if k in universe)
    return keys, [float(real[k]) for k in keys]


def _source(rng: random.Random, record_id: str, year: int, k: int, kind: str) -> dict[str, str]:
    year = rng.randint(year, 2025)
    return {
        "publisher": rng.choice(PUBLISHERS),
        "title": _words(rng, rng.randint(5, 10)).rstrip("."),
        "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "url": f"https://news.example.org/{year}/{record_id}-{k}",
        "quote": _words(rng, rng.randint(8, 30)),
        "kind": kind,
    }


def make_features(n: int, seed: int = 0, data_dir: Path = REPO_DATA) -> list[dict[str, Any]]:
    """n synthetic deployment features (deterministic for a given seed and input data)."""
    rng = random.Random(seed)
    countries = json.loads((data_dir / "countries.geojson").read_text(encoding="utf-8"))["features"]
    sampler = _CountrySampler(countries)
    all_codes = sorted(sampler.parts)
    real = json.loads((data_dir / "deployments.geojson").read_text(encoding="utf-8"))["features"]
    with open(data_dir / "vendors.csv", newline="", encoding="utf-8") as handle:
        all_vendors = sorted(row["id"] for row in csv.DictReader(handle))
    country_keys, country_w = _weights(collections.Counter(f["properties"]["country"] for f in real), all_codes)
    vendor_keys, vendor_w = _weights(
        collections.Counter(v for f in real for v in f["properties"]["vendors"]), all_vendors
    )
    sectors, statuses, confidences = list(schema.SECTORS), list(schema.STATUSES), list(schema.CONFIDENCES)
    precisions, precision_w = list(PRECISION_WEIGHTS), list(PRECISION_WEIGHTS.values())

    def vendor() -> str:
        if rng.random() < OTHER_VENDOR_SHARE:
            return rng.choice(all_vendors)
        return rng.choices(vendor_keys, vendor_w)[0]

    features = []
    for i in range(n):
        code = rng.choice(all_codes) if rng.random() < OTHER_COUNTRY_SHARE else rng.choices(country_keys, country_w)[0]
        lon, lat = sampler.point(code, rng)
        record_id = f"synthetic-{i:06d}"
        vendors = [vendor()]
        if rng.random() < 0.12:
            extra = vendor()
            if extra not in vendors:
                vendors.append(extra)
        status = rng.choice(statuses)
        year_start = rng.randint(2005, 2025)
        year_end = rng.randint(year_start, 2025) if status in ("stopped", "suspended") else None
        confidence = rng.choice(confidences)
        # The first source is of a kind the confidence level needs (documented: a primary record).
        kinds = ["primary" if confidence == "documented" else "news"] + ["news", "research"]
        props = {
            "id": record_id,
            "kind": "deployment",
            "name": f"Synthetic deployment {i} in {sampler.names[code]}",
            "place": f"{sampler.names[code]} site {rng.randint(1, 60)}",
            "country": code,
            "precision": rng.choices(precisions, precision_w)[0],
            "vendors": vendors,
            "operator": rng.choice(OPERATORS),
            "sectors": rng.sample(sectors, rng.choice((1, 1, 1, 2, 2, 3))),
            "status": status,
            "year_start": year_start,
            "year_end": year_end,
            "cameras": rng.choice((None, rng.randint(2, 200_000))),
            "description": _words(rng, rng.randint(15, 25)),
            "confidence": confidence,
            "sources": [_source(rng, record_id, year_start, k, kinds[k]) for k in range(rng.randint(1, 3))],
        }
        features.append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}
        )
    return features


def write_dataset(folder: Path, n: int, seed: int = 0) -> Path:
    """Write deployments.geojson (n synthetic records), vendors.csv and countries.geojson into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    collection = {"type": "FeatureCollection", "features": make_features(n, seed)}
    (folder / "deployments.geojson").write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    shutil.copyfile(REPO_DATA / "vendors.csv", folder / "vendors.csv")
    shutil.copyfile(REPO_DATA / "countries.geojson", folder / "countries.geojson")
    return folder
