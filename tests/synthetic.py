"""Tiny synthetic atlas data for tests: three box-shaped countries, four vendors, a handful of deployments."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

from geo import schema

# Boxes: AA around (10, 10), BB around (30, 10), CC around (10, 30); each 10 degrees wide.
COUNTRY_BOXES = {"AA": (5, 5, 15, 15), "BB": (25, 5, 35, 15), "CC": (5, 25, 15, 35)}
COUNTRY_NAMES = {"AA": "Aland", "BB": "Bland", "CC": "Cland"}

VENDORS = [
    {
        "id": "acme",
        "name": "Acme Vision",
        "hq_country": "AA",
        "kind": "camera maker",
        "ownership": "State holds 40%",
        "aliases": "Acme;AV",
        "parent": "",
        "entity_list_year": "2019",
        "note": "Makes cameras.",
        "source_url": "https://example.org/acme",
    },
    {
        "id": "bolt",
        "name": "Bolt AI",
        "hq_country": "BB",
        "kind": "software",
        "ownership": "",
        "aliases": "",
        "parent": "",
        "entity_list_year": "",
        "note": "Face matching.",
        "source_url": "https://example.org/bolt",
    },
    {
        "id": "cobalt",
        "name": "Cobalt Cloud",
        "hq_country": "AA",
        "kind": "cloud",
        "ownership": "",
        "aliases": "",
        "parent": "Acme Vision",
        "entity_list_year": "",
        "note": "",
        "source_url": "",
    },
    {
        "id": "unknown",
        "name": "Unknown vendor",
        "hq_country": "",
        "kind": "unknown",
        "ownership": "",
        "aliases": "",
        "parent": "",
        "entity_list_year": "",
        "note": "No vendor named.",
        "source_url": "",
    },
]

for _vendor in VENDORS:
    for _name in schema.VENDOR_FIELD_NAMES:
        _vendor.setdefault(_name, "")


def source(n: int = 1, kind: str = "news") -> dict[str, str]:
    return {
        "publisher": f"Paper {n}",
        "title": f"Story {n}",
        "date": "2019-05-01",
        "url": f"https://news.example.org/story-{n}",
        "quote": "Cameras were installed at the station.",
        "kind": kind,
    }


def deployment(id: str, lon: float, lat: float, **overrides: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": id,
        "kind": "deployment",
        "name": f"Deployment {id}",
        "place": "Capital",
        "country": "AA",
        "precision": "city",
        "vendors": ["acme"],
        "operator": "City police",
        "sectors": ["policing"],
        "status": "operational",
        "year_start": 2015,
        "year_end": None,
        "cameras": 100,
        "description": "Cameras watch the square.",
        "confidence": "reported",
        "sources": [source()],
    }
    props.update(overrides)
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}


def deployments() -> list[dict[str, Any]]:
    return [
        deployment(
            "aa-metro",
            10,
            10,
            name="Metro faces",
            sectors=["transport"],
            year_start=2012,
            year_end=2016,
            status="stopped",
        ),
        deployment(
            "aa-airport",
            11,
            11,
            name="Airport gates",
            vendors=["acme", "bolt"],
            sectors=["airport-border"],
            year_start=2018,
            confidence="documented",
            sources=[source(), source(2, "primary")],
        ),
        deployment(
            "bb-city",
            30,
            10,
            name="Bland safe city",
            country="BB",
            vendors=["bolt"],
            year_start=2019,
            operator="Interior ministry",
            description="A citywide network with a special operator.",
        ),
        deployment(
            "bb-school",
            31,
            9,
            name="School gates",
            country="BB",
            vendors=["cobalt"],
            sectors=["education"],
            year_start=2020,
            status="pilot",
            confidence="claimed",
            cameras=None,
        ),
        deployment(
            "cc-mall",
            10,
            30,
            name="Mall payments",
            country="CC",
            vendors=["unknown"],
            sectors=["retail-payments"],
            year_start=2016,
            year_end=2021,
            status="suspended",
        ),
    ]


def countries_geojson() -> dict[str, Any]:
    features = []
    for code, (x0, y0, x1, y1) in COUNTRY_BOXES.items():
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        features.append(
            {
                "type": "Feature",
                "properties": {"iso_a2": code, "iso_n3": "", "name": COUNTRY_NAMES[code]},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_vendors(path: Path, rows: list[dict[str, str]] | None = None) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(schema.VENDOR_FIELD_NAMES))
        writer.writeheader()
        writer.writerows(VENDORS if rows is None else rows)


def write_dataset(folder: Path, features: list[dict[str, Any]] | None = None) -> Path:
    """Write deployments.geojson, vendors.csv and countries.geojson into `folder`; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    collection = {
        "type": "FeatureCollection",
        "features": copy.deepcopy(deployments() if features is None else features),
    }
    (folder / "deployments.geojson").write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    write_vendors(folder / "vendors.csv")
    (folder / "countries.geojson").write_text(json.dumps(countries_geojson()), encoding="utf-8")
    return folder


def face_pay() -> dict[str, Any]:
    """A record announced in 2019 and operational from 2021, each status dated by one of its sources."""
    return deployment(
        "aa-face-pay", 12, 12, name="Face pay", year_start=2019, sources=[source(5), source(6)],
        history=[{"year": 2019, "status": "announced", "source": 0}, {"year": 2021, "status": "operational", "source": 1}],
    )  # fmt: skip


def write_points_dataset(
    folder: Path, features: list[dict[str, Any]] | None = None, row_group_rows: int | None = None
) -> Path:
    """The same dataset with its records in deployments.parquet (geo/points.py) instead of the GeoJSON;
    `row_group_rows` splits them into row groups of that many records."""
    from geo import points

    folder.mkdir(parents=True, exist_ok=True)
    records = copy.deepcopy(deployments() if features is None else features)
    size = row_group_rows or max(1, len(records))
    points.write_points([records[i : i + size] for i in range(0, len(records), size)], folder / points.POINTS_FILE)
    write_vendors(folder / "vendors.csv")
    (folder / "countries.geojson").write_text(json.dumps(countries_geojson()), encoding="utf-8")
    return folder
