"""A corpus of broken data folders: each case breaks the synthetic dataset in one way and says which file,
record and field the problem must name, and a part of the message. `whole_file` cases make a file unusable
(the app shows an error naming it, the CLI exits 2); the others reject records (the app lists them, the
CLI exits 3)."""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import synthetic

DEPLOYMENTS, VENDORS, COUNTRIES = "deployments.geojson", "vendors.csv", "countries.geojson"


@dataclass(frozen=True)
class Case:
    name: str
    breaks: Callable[[Path], None]
    file: str
    record: str
    field: str
    message: str
    whole_file: bool = False

    def __str__(self) -> str:
        return self.name


def _records(folder: Path) -> dict[str, Any]:
    return json.loads((folder / DEPLOYMENTS).read_text(encoding="utf-8"))


def _save(folder: Path, data: Any) -> None:
    (folder / DEPLOYMENTS).write_text(json.dumps(data), encoding="utf-8")  # \u escapes keep lone surrogates


def _apply(target: dict[str, Any], changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if value is DELETE:
            target.pop(key, None)
        else:
            target[key] = value


def first(**changes: Any) -> Callable[[Path], None]:
    """Change the first record's properties (DELETE removes a key)."""

    def apply(folder: Path) -> None:
        data = _records(folder)
        _apply(data["features"][0]["properties"], changes)
        _save(folder, data)

    return apply


def first_feature(change: Callable[[dict[str, Any]], Any]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        data = _records(folder)
        replaced = change(data["features"][0])
        if replaced is not None:
            data["features"][0] = replaced
        _save(folder, data)

    return apply


def first_source(**changes: Any) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        data = _records(folder)
        _apply(data["features"][0]["properties"]["sources"][0], changes)
        _save(folder, data)

    return apply


def write(name: str, content: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(content)


def collection(value: Any, name: str = DEPLOYMENTS) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_text(json.dumps(value), encoding="utf-8")


def remove(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


def deployments_in(encoding: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        data = _records(folder)
        data["features"][0]["properties"]["name"] = "Café gates"
        (folder / DEPLOYMENTS).write_bytes(json.dumps(data, ensure_ascii=False).encode(encoding))

    return apply


def vendors(change: Callable[[list[dict[str, str]]], list[dict[str, str]]]) -> Callable[[Path], None]:
    return lambda folder: synthetic.write_vendors(folder / VENDORS, change([dict(v) for v in synthetic.VENDORS]))


def vendor_field(**changes: str) -> Callable[[Path], None]:
    return vendors(lambda rows: [{**rows[0], **changes}, *rows[1:]])


def country(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        data = synthetic.countries_geojson()
        change(data["features"][0])
        (folder / COUNTRIES).write_text(json.dumps(data), encoding="utf-8")

    return apply


def nested(depth: int) -> bytes:
    return ('{"type": "FeatureCollection", "features": ' + "[" * depth + "]" * depth + "}").encode()


DELETE = object()
LONG_QUOTE = " ".join(["word"] * 31)

CASES: list[Case] = [
    # whole deployments file
    Case("broken json", write(DEPLOYMENTS, b"{broken"), DEPLOYMENTS, "-", "-", "is not valid JSON (line 1, column 2", True),
    Case("empty file", write(DEPLOYMENTS, b""), DEPLOYMENTS, "-", "-", "is empty; expected a GeoJSON FeatureCollection", True),
    Case("only spaces", write(DEPLOYMENTS, b"  \n "), DEPLOYMENTS, "-", "-", "is empty", True),
    Case("latin-1", deployments_in("latin-1"), DEPLOYMENTS, "-", "-", "is not UTF-8 (byte 0xe9", True),
    Case("utf-16", deployments_in("utf-16"), DEPLOYMENTS, "-", "-", "UTF-16", True),
    Case("deeply nested", write(DEPLOYMENTS, nested(5000)), DEPLOYMENTS, "-", "-", "levels", True),
    Case("nested past the limit", write(DEPLOYMENTS, nested(40)), DEPLOYMENTS, "-", "-", "nests 41 levels deep; expected at most 16", True),
    Case("a list, not a collection", collection([]), DEPLOYMENTS, "-", "type", "got a list; expected a GeoJSON FeatureCollection", True),
    Case("a feature, not a collection", collection({"type": "Feature"}), DEPLOYMENTS, "-", "type", "got an object of type 'Feature'", True),
    Case("features is an object", collection({"type": "FeatureCollection", "features": {}}), DEPLOYMENTS, "-", "features", "has 'features' as an object; expected a 'features' list", True),
    Case("no features", collection({"type": "FeatureCollection"}), DEPLOYMENTS, "-", "features", "has no 'features'", True),
    Case("missing deployments", remove(DEPLOYMENTS), DEPLOYMENTS, "-", "-", "file not found", True),
    # records
    Case("id is a list", first(id=["a"]), DEPLOYMENTS, "#0", "id", "expected a slug"),
    Case("id is a number, no geometry", first_feature(lambda f: {**f, "geometry": None, "properties": {**f["properties"], "id": 7}}), DEPLOYMENTS, "#0", "geometry", "expected a GeoJSON Point"),
    Case("id is a number", first(id=7), DEPLOYMENTS, "#0", "id", "got 7"),
    Case("lone surrogate", first(name="\ud800 gates"), DEPLOYMENTS, "aa-metro", "name", "has a lone surrogate (U+D800) at position 0"),
    Case("control character", first(description="bell\x07"), DEPLOYMENTS, "aa-metro", "description", "has the control character U+0007 at position 4"),
    Case("huge description", first(description="x" * 3001), DEPLOYMENTS, "aa-metro", "description", "has 3,001 characters; expected at most 3,000"),
    Case("huge name", first(name="x" * 301), DEPLOYMENTS, "aa-metro", "name", "has 301 characters; expected at most 300"),
    Case("coordinates are text", first_feature(lambda f: {**f, "geometry": {"type": "Point", "coordinates": "10,10"}}), DEPLOYMENTS, "aa-metro", "geometry", "got coordinates '10,10'"),
    Case("coordinates out of range", first_feature(lambda f: {**f, "geometry": {"type": "Point", "coordinates": [200, 10]}}), DEPLOYMENTS, "aa-metro", "geometry", "expected longitude in [-180, 180]"),
    Case("point outside its country", first_feature(lambda f: {**f, "geometry": {"type": "Point", "coordinates": [30, 30]}}), DEPLOYMENTS, "aa-metro", "geometry", "outside AA"),
    Case("a polygon, not a point", first_feature(lambda f: {**f, "geometry": {"type": "Polygon", "coordinates": []}}), DEPLOYMENTS, "aa-metro", "geometry", "expected a GeoJSON Point"),
    Case("unknown vendor", first(vendors=["nobody"]), DEPLOYMENTS, "aa-metro", "vendors", "unknown vendor id 'nobody'"),
    Case("vendors is text", first(vendors="acme"), DEPLOYMENTS, "aa-metro", "vendors", "expected a non-empty list of vendor ids"),
    Case("no vendor", first(vendors=[]), DEPLOYMENTS, "aa-metro", "vendors", "expected a non-empty list of vendor ids"),
    Case("unknown country", first(country="ZZ"), DEPLOYMENTS, "aa-metro", "country", "unknown country code 'ZZ'"),
    Case("country name, not code", first(country="Aland"), DEPLOYMENTS, "aa-metro", "country", "expected an ISO 3166-1 alpha-2 code"),
    Case("bad status", first(status="live"), DEPLOYMENTS, "aa-metro", "status", "got 'live'; expected one of"),
    Case("bad sector", first(sectors=["space"]), DEPLOYMENTS, "aa-metro", "sectors", "got 'space'"),
    Case("bad kind", first(kind="ban"), DEPLOYMENTS, "aa-metro", "kind", "got 'ban'; expected one of deployment, policy"),
    Case("kind missing", first(kind=DELETE), DEPLOYMENTS, "aa-metro", "kind", "is missing"),
    Case("ends before it starts", first(year_end=2010), DEPLOYMENTS, "aa-metro", "year_end", "is 2010, before year_start 2012"),
    Case("year as text", first(year_start="2012"), DEPLOYMENTS, "aa-metro", "year_start", "expected a whole number"),
    Case("year out of range", first(year_start=1800), DEPLOYMENTS, "aa-metro", "year_start", "expected a year between 1990 and 2100"),
    Case("negative cameras", first(cameras=-3), DEPLOYMENTS, "aa-metro", "cameras", "expected a count of 0 or more"),
    Case("operational with an end", first(status="operational"), DEPLOYMENTS, "aa-metro", "year_end", "while status is operational"),
    Case("history out of order", first(history=[{"year": 2016, "status": "stopped", "source": 0}, {"year": 2012, "status": "operational", "source": 0}]), DEPLOYMENTS, "aa-metro", "history", "out of order"),
    Case("history points nowhere", first(history=[{"year": 2012, "status": "stopped", "source": 5}]), DEPLOYMENTS, "aa-metro", "history[0].source", "is 5; expected the index of one of its 1 source(s)"),
    Case("history is text", first(history="2012"), DEPLOYMENTS, "aa-metro", "history", "expected a list of {year, status, source} events"),
    Case("documented on news alone", first(confidence="documented"), DEPLOYMENTS, "aa-metro", "confidence", "needs at least one source of kind primary"),
    Case("javascript url", first_source(url="javascript:alert(1)"), DEPLOYMENTS, "aa-metro", "sources[0].url", "expected an http:// or https:// URL"),
    Case("bad source date", first_source(date="May 2019"), DEPLOYMENTS, "aa-metro", "sources[0].date", "expected YYYY, YYYY-MM or YYYY-MM-DD"),
    Case("long quote", first_source(quote=LONG_QUOTE), DEPLOYMENTS, "aa-metro", "sources[0].quote", "has 31 words; expected at most 30"),
    Case("source without kind", first_source(kind=DELETE), DEPLOYMENTS, "aa-metro", "sources[0].kind", "is missing"),
    Case("no sources", first(sources=[]), DEPLOYMENTS, "aa-metro", "sources", "has no source"),
    Case("duplicate id", first(id="aa-airport"), DEPLOYMENTS, "aa-airport", "id", "is a duplicate"),
    Case("null properties", first_feature(lambda f: {**f, "properties": None}), DEPLOYMENTS, "#0", "properties", "expected a Feature with a properties object"),
    Case("feature is text", first_feature(lambda f: "feature"), DEPLOYMENTS, "#0", "properties", "expected a Feature with a properties object"),
    Case("extra field", first(colour="red"), DEPLOYMENTS, "aa-metro", "colour", "is not a field of the schema"),
    Case("vendor role unknown", first(vendor_roles={"acme": "janitor"}), DEPLOYMENTS, "aa-metro", "vendor_roles", "role 'janitor' of 'acme'"),
    # vendors.csv
    Case("empty vendors", write(VENDORS, b""), VENDORS, "-", "-", "is empty; expected a header row with the columns id, name, kind", True),
    Case("latin-1 vendors", write(VENDORS, "id,name,kind\nacme,Acmé,software\n".encode("latin-1")), VENDORS, "-", "-", "is not UTF-8 (byte 0xe9", True),
    Case("vendors with a bom", write(VENDORS, codecs.BOM_UTF8 + b"id,name,kind\n"), DEPLOYMENTS, "aa-metro", "vendors", "unknown vendor id 'acme'"),
    Case("vendors without a name column", write(VENDORS, b"id,kind\nacme,software\n"), VENDORS, "-", "-", "has no column name", True),
    Case("missing vendors", remove(VENDORS), VENDORS, "-", "-", "file not found", True),
    Case("bad vendor kind", vendor_field(kind="maker"), VENDORS, "acme", "kind", "got 'maker'"),
    Case("vendor home as a name", vendor_field(hq_country="Aland"), VENDORS, "acme", "hq_country", "expected an ISO 3166-1 alpha-2 code"),
    Case("duplicate vendor", vendors(lambda rows: [*rows, rows[0]]), VENDORS, "acme", "id", "is a duplicate"),
    Case("vendor note with a control character", vendor_field(note="a\x1bb"), VENDORS, "acme", "note", "has the control character U+001B at position 1"),
    # countries.geojson
    Case("countries features is an object", collection({"type": "FeatureCollection", "features": {}}, COUNTRIES), COUNTRIES, "-", "features", "has 'features' as an object", True),
    Case("countries without features", collection({"type": "FeatureCollection"}, COUNTRIES), COUNTRIES, "-", "features", "has no 'features'", True),
    Case("broken countries", write(COUNTRIES, b"[1, 2"), COUNTRIES, "-", "-", "is not valid JSON", True),
    Case("empty countries", write(COUNTRIES, b""), COUNTRIES, "-", "-", "is empty; expected a GeoJSON FeatureCollection of country outlines", True),
    Case("country coordinates are text", country(lambda f: f["geometry"].update(coordinates="abc")), COUNTRIES, "AA", "geometry", "is not a readable outline"),
    Case("country without a name", country(lambda f: f["properties"].pop("name")), COUNTRIES, "AA", "properties", "expected a Feature with properties iso_a2 and name"),
]  # fmt: skip


def broken_folder(case: Case, root: Path) -> Path:
    folder = synthetic.write_dataset(root / "data")
    case.breaks(folder)
    return folder
