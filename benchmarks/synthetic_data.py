"""A large, realistic-looking synthetic atlas for benchmarks: `write_dataset(folder, n, seed)`, or
`cached_dataset(root, n, seed)` to reuse one written before (under `root/<n>-<seed>/`).

Countries and vendors are drawn with the frequencies of the real `data/deployments.geojson` (plus a
share spread over every other country and vendor), every point lies inside its country's outline, and
every record passes `geo.validate`. The same (n, seed) always writes the same files. Generation is
vectorised with numpy (100,000 records in seconds) and the GeoJSON is written in chunks, so a million
records do not have to be held in memory as dicts.
"""

from __future__ import annotations

import collections
import csv
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, shape

from geo import schema
from geo.points import POINTS_FILE, write_points

REPO_DATA = Path(__file__).resolve().parent.parent / "data"
OTHER_COUNTRY_SHARE = 0.15  # records placed in a uniformly random country instead of a "real-like" one
OTHER_VENDOR_SHARE = 0.15  # vendor picks drawn uniformly from all of vendors.csv
MAX_ROUNDS = 50  # rejection-sampling rounds per country before the rest fall back to a representative point
GENERATOR_VERSION = "2"  # bump whenever the same (n, seed) would write different files
CHUNK = 20_000  # features built and written at a time
TEXT_POOL = 4096  # distinct descriptions, titles and quotes drawn from (records pick one by index)

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


def _sentences(rng: np.random.Generator, count: int, low: int, high: int) -> list[str]:
    """`count` sentences of `low`..`high` random WORDS each, capitalised, ending with a full stop."""
    lengths = rng.integers(low, high + 1, size=count)
    picks = rng.integers(0, len(WORDS), size=int(lengths.sum()))
    out, at = [], 0
    for length in lengths:
        text = " ".join(WORDS[k] for k in picks[at : at + length])
        at += length
        out.append(text[0].upper() + text[1:] + ".")
    return out


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

    def points(self, code: str, count: int, rng: np.random.Generator) -> np.ndarray:
        """(count, 2) lon/lat rounded to 5 decimals, inside the country's largest polygon."""
        polygon = self.parts[code]
        shapely.prepare(polygon)
        x0, y0, x1, y1 = polygon.bounds
        fill = max(polygon.area / max((x1 - x0) * (y1 - y0), 1e-12), 0.01)
        found: list[np.ndarray] = []
        missing = count
        for _ in range(MAX_ROUNDS):
            if missing <= 0:
                break
            tries = int(missing / fill * 1.3) + 16
            xy = np.round(np.column_stack([rng.uniform(x0, x1, tries), rng.uniform(y0, y1, tries)]), 5)
            inside = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])][:missing]
            found.append(inside)
            missing -= len(inside)
        if missing > 0:
            rep = polygon.representative_point()
            found.append(np.tile([round(rep.x, 5), round(rep.y, 5)], (missing, 1)))
        return np.concatenate(found)[:count]


def _weights(real: collections.Counter, universe: list[str]) -> tuple[list[str], np.ndarray]:
    keys = sorted(k for k in real if k in universe)
    weights = np.array([float(real[k]) for k in keys])
    return keys, weights / weights.sum()


def _mixed_choice(
    rng: np.random.Generator, n: int, keys: list[str], p: np.ndarray, universe: list[str], other_share: float
) -> np.ndarray:
    """n indices into `universe`: with probability other_share uniform, otherwise weighted like the real data."""
    index = {k: i for i, k in enumerate(universe)}
    weighted = np.array([index[k] for k in keys])[rng.choice(len(keys), size=n, p=p)]
    uniform = rng.integers(0, len(universe), size=n)
    return np.where(rng.random(n) < other_share, uniform, weighted)


class _Columns:
    """Every random choice for n records, drawn as numpy arrays (deterministic for the seed)."""

    def __init__(self, n: int, seed: int, data_dir: Path):
        rng = np.random.default_rng(seed)
        countries = json.loads((data_dir / "countries.geojson").read_text(encoding="utf-8"))["features"]
        self.sampler = _CountrySampler(countries)
        self.codes = sorted(self.sampler.parts)
        real = json.loads((data_dir / "deployments.geojson").read_text(encoding="utf-8"))["features"]
        with open(data_dir / "vendors.csv", newline="", encoding="utf-8") as handle:
            self.vendors = sorted(row["id"] for row in csv.DictReader(handle))
        country_keys, country_p = _weights(collections.Counter(f["properties"]["country"] for f in real), self.codes)
        vendor_keys, vendor_p = _weights(
            collections.Counter(v for f in real for v in f["properties"]["vendors"]), self.vendors
        )
        self.country = _mixed_choice(rng, n, country_keys, country_p, self.codes, OTHER_COUNTRY_SHARE)
        self.xy = np.zeros((n, 2))
        for c in np.unique(self.country):
            rows = np.flatnonzero(self.country == c)
            self.xy[rows] = self.sampler.points(self.codes[c], len(rows), rng)
        self.vendor = _mixed_choice(rng, n, vendor_keys, vendor_p, self.vendors, OTHER_VENDOR_SHARE)
        extra = _mixed_choice(rng, n, vendor_keys, vendor_p, self.vendors, OTHER_VENDOR_SHARE)
        self.extra = np.where((rng.random(n) < 0.12) & (extra != self.vendor), extra, -1)
        self.statuses, self.confidences = list(schema.STATUSES), list(schema.CONFIDENCES)
        self.sectors, self.precisions = list(schema.SECTORS), list(PRECISION_WEIGHTS)
        self.status = rng.integers(0, len(self.statuses), n)
        self.year_start = rng.integers(2005, 2026, n)
        self.year_end = rng.integers(self.year_start, 2026)
        self.confidence = rng.integers(0, len(self.confidences), n)
        weights = np.array(list(PRECISION_WEIGHTS.values()), dtype=float)
        self.precision = rng.choice(len(self.precisions), size=n, p=weights / weights.sum())
        self.operator = rng.integers(0, len(OPERATORS), n)
        self.sector_count = np.array((1, 1, 1, 2, 2, 3))[rng.integers(0, 6, n)]
        self.sector_order = np.argsort(rng.random((n, len(self.sectors))), axis=1)
        self.cameras = np.where(rng.random(n) < 0.5, -1, rng.integers(2, 200_001, n))
        self.site = rng.integers(1, 61, n)
        self.description = rng.integers(0, TEXT_POOL, n)
        self.source_count = rng.integers(1, 4, n)
        self.publisher = rng.integers(0, len(PUBLISHERS), (n, 3))
        self.title = rng.integers(0, TEXT_POOL, (n, 3))
        self.quote = rng.integers(0, TEXT_POOL, (n, 3))
        self.source_year = rng.integers(self.year_start[:, None], 2026, (n, 3))
        self.month = rng.integers(1, 13, (n, 3))
        self.day = rng.integers(1, 29, (n, 3))
        self.descriptions = _sentences(rng, TEXT_POOL, 15, 25)
        self.titles = [t.rstrip(".") for t in _sentences(rng, TEXT_POOL, 5, 10)]
        self.quotes = _sentences(rng, TEXT_POOL, 8, 30)
        # Python lists index far faster than numpy arrays one element at a time.
        for name, value in list(vars(self).items()):
            if isinstance(value, np.ndarray):
                setattr(self, name, value.tolist())

    def feature(self, i: int) -> dict[str, Any]:
        code = self.codes[self.country[i]]
        country_name = self.sampler.names[code]
        record_id = f"synthetic-{i:06d}"
        vendors = [self.vendors[self.vendor[i]]] + ([self.vendors[self.extra[i]]] if self.extra[i] >= 0 else [])
        status = self.statuses[self.status[i]]
        year_start = self.year_start[i]
        confidence = self.confidences[self.confidence[i]]
        # The first source is of a kind the confidence level needs (documented: a primary record).
        kinds = ["primary" if confidence == "documented" else "news", "news", "research"]
        sources = []
        for k in range(self.source_count[i]):
            year = self.source_year[i][k]
            sources.append(
                {
                    "publisher": PUBLISHERS[self.publisher[i][k]],
                    "title": self.titles[self.title[i][k]],
                    "date": f"{year}-{self.month[i][k]:02d}-{self.day[i][k]:02d}",
                    "url": f"https://news.example.org/{year}/{record_id}-{k}",
                    "quote": self.quotes[self.quote[i][k]],
                    "kind": kinds[k],
                }
            )
        props = {
            "id": record_id,
            "kind": "deployment",
            "name": f"Synthetic deployment {i} in {country_name}",
            "place": f"{country_name} site {self.site[i]}",
            "country": code,
            "precision": self.precisions[self.precision[i]],
            "vendors": vendors,
            "operator": OPERATORS[self.operator[i]],
            "sectors": [self.sectors[j] for j in self.sector_order[i][: self.sector_count[i]]],
            "status": status,
            "year_start": year_start,
            "year_end": self.year_end[i] if status in ("stopped", "suspended") else None,
            "cameras": self.cameras[i] if self.cameras[i] >= 0 else None,
            "description": self.descriptions[self.description[i]],
            "confidence": confidence,
            "sources": sources,
        }
        lon, lat = self.xy[i]
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}


def iter_features(n: int, seed: int = 0, data_dir: Path = REPO_DATA) -> Iterator[list[dict[str, Any]]]:
    """n synthetic deployment features in chunks of CHUNK (deterministic for a seed and the input data)."""
    columns = _Columns(n, seed, data_dir)
    for start in range(0, n, CHUNK):
        yield [columns.feature(i) for i in range(start, min(start + CHUNK, n))]


def make_features(n: int, seed: int = 0, data_dir: Path = REPO_DATA) -> list[dict[str, Any]]:
    """n synthetic deployment features (deterministic for a given seed and input data)."""
    return [f for chunk in iter_features(n, seed, data_dir) for f in chunk]


def write_dataset(folder: Path, n: int, seed: int = 0, points: bool = False) -> Path:
    """Write deployments.geojson (n synthetic records), vendors.csv and countries.geojson into `folder`;
    with `points`, the records go to deployments.parquet instead (GeoParquet, see geo/points.py)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if points:
        write_points(iter_features(n, seed), folder / POINTS_FILE)
    else:
        _write_geojson(folder / "deployments.geojson", n, seed)
    shutil.copyfile(REPO_DATA / "vendors.csv", folder / "vendors.csv")
    shutil.copyfile(REPO_DATA / "countries.geojson", folder / "countries.geojson")
    return folder


def _write_geojson(path: Path, n: int, seed: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"type": "FeatureCollection", "features": [')
        for k, chunk in enumerate(iter_features(n, seed)):
            text = json.dumps(chunk, ensure_ascii=False)[1:-1]
            out.write((", " if k and text else "") + text)
        out.write("]}")


def cached_dataset(root: Path, n: int, seed: int = 0, points: bool = False) -> Path:
    """`root/<n>-<seed>/` (`<n>-<seed>-points/` with `points`), written by this generator version (a stamp
    file says which), or written now. The data is written into a temporary folder first, so an interrupted
    run leaves nothing to reuse."""
    folder = Path(root) / (f"{n}-{seed}-points" if points else f"{n}-{seed}")
    stamp = folder / "GENERATOR_VERSION"
    if stamp.exists() and stamp.read_text().strip() == GENERATOR_VERSION:
        return folder
    partial = Path(root) / f".{n}-{seed}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    write_dataset(partial, n, seed, points)
    (partial / "GENERATOR_VERSION").write_text(GENERATOR_VERSION + "\n")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return folder
