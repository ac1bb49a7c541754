"""Check the data files against the schema and report every problem with file, record id and field.

Usage: `python -m geo.validate [DEPLOYMENTS.geojson [VENDORS.csv [COUNTRIES.geojson]]]`
(defaults: the files in `data/`). A large dataset's `deployments.parquet` (geo/points.py) is checked by the
same rules. Exits 1 when any problem is found, 0 otherwise.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard
from urllib.parse import urlparse

from shapely.geometry import Point, shape
from shapely.strtree import STRtree

from geo import schema
from geo.problems import Problem

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_DEPLOYMENTS = DATA_DIR / "deployments.geojson"
DEFAULT_VENDORS = DATA_DIR / "vendors.csv"
DEFAULT_COUNTRIES = DATA_DIR / "countries.geojson"
DEFAULT_SOURCE_QUALITY = DATA_DIR / "source_quality.csv"
OLD_FORMAT_HINT = (
    "no record has 'kind': this looks like the format before record and source kinds; give every record "
    "kind 'deployment' or 'policy' and every source a kind (primary, news, research, vendor), see data/README.md"
)


def _describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def is_http_url(value: Any) -> bool:
    """True for an absolute http(s) URL with a host."""
    if not isinstance(value, str):
        return False
    parsed = urlparse(value.strip())
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def word_count(text: str) -> int:
    return len(text.split())


def is_ascii_int(text: str) -> bool:
    """True for text made only of ASCII digits (str.isdigit also accepts '²' and other digits int() rejects)."""
    return bool(re.fullmatch(r"[0-9]+", text))


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def check_text(f: schema.Field, value: str) -> list[str]:
    """Text is well-formed Unicode without control characters (newline and tab allowed), and not too long."""
    surrogate = LONE_SURROGATE.search(value)
    if surrogate:
        return [
            f"has a lone surrogate (U+{ord(surrogate.group()):04X}) at position {surrogate.start()}; expected well-formed Unicode"
        ]
    control = CONTROL_CHARACTERS.search(value)
    if control:
        return [
            f"has the control character U+{ord(control.group()):04X} at position {control.start()}; expected text (newline and tab are allowed)"
        ]
    if f.kind in schema.MAX_TEXT_LENGTH and len(value) > f.longest:
        return [f"has {len(value):,} characters; expected at most {f.longest:,}"]
    return []


def check_value(f: schema.Field, value: Any, known_vendors: set[str] | None = None) -> list[str]:
    """Messages for one field's value (empty when it is fine)."""
    if value is None:
        return [] if f.nullable or not f.required else [f"is null; expected {f.kind}"]
    if isinstance(value, str):
        text_problems = check_text(f, value)
        if text_problems:
            return text_problems
    kind = f.kind
    if kind == "str":
        if not isinstance(value, str):
            return [f"got {_describe(value)}; expected text"]
        if f.required and not f.allow_empty and not value.strip():
            return ["is empty; expected text"]
        return []
    if kind == "id":
        if not isinstance(value, str) or not schema.ID_PATTERN.match(value):
            return [f"got {_describe(value)}; expected a slug of lowercase letters, digits and hyphens"]
        return []
    if kind == "iso2":
        if not isinstance(value, str) or not schema.ISO2_PATTERN.match(value):
            return [f"got {_describe(value)}; expected an ISO 3166-1 alpha-2 code such as 'KE'"]
        return []
    if kind == "int":
        if not _is_int(value):
            return [f"got {_describe(value)}; expected a whole number" + (" or null" if f.nullable else "")]
        if f.name.startswith("year") and not schema.MIN_YEAR <= value <= schema.MAX_YEAR:
            return [f"got {value}; expected a year between {schema.MIN_YEAR} and {schema.MAX_YEAR}"]
        if f.name == "cameras" and value < 0:
            return [f"got {value}; expected a count of 0 or more"]
        return []
    if kind == "enum":
        if not isinstance(value, str) or value not in f.choices:
            return [f"got {_describe(value)}; expected one of {', '.join(f.choices)}"]
        return []
    if kind == "list[enum]":
        if not isinstance(value, list) or not value:
            return [f"got {_describe(value)}; expected a non-empty list from {', '.join(f.choices)}"]
        return [
            f"got {_describe(v)}; expected one of {', '.join(f.choices)}"
            for v in value
            if not isinstance(v, str) or v not in f.choices
        ]
    if kind == "list[vendor]":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            return [f"got {_describe(value)}; expected a non-empty list of vendor ids"]
        if known_vendors is None:
            return []
        return [f"unknown vendor id {v!r}; expected an id from vendors.csv" for v in value if v not in known_vendors]
    if kind == "date":
        if not isinstance(value, str) or not schema.DATE_PATTERN.match(value):
            return [f"got {_describe(value)}; expected YYYY, YYYY-MM or YYYY-MM-DD"]
        return []
    if kind == "url":
        if not is_http_url(value):
            return [f"got {_describe(value)}; expected an http:// or https:// URL"]
        return []
    if kind == "quote":
        if not isinstance(value, str) or not value.strip():
            return [f"got {_describe(value)}; expected a short verbatim quote"]
        if word_count(value) > schema.MAX_QUOTE_WORDS:
            return [f"has {word_count(value)} words; expected at most {schema.MAX_QUOTE_WORDS}"]
        return []
    if kind == "sources":
        if not isinstance(value, list) or not value:
            return ["has no source; expected at least one {publisher, title, date, url, quote, kind}"]
        return []
    if kind == "roles":
        if not isinstance(value, dict):
            return [f"got {_describe(value)}; expected an object of vendor id -> role"]
        problems = [
            f"role {r!r} of {v!r}; expected one of {', '.join(f.choices)}"
            for v, r in value.items()
            if not isinstance(r, str) or r not in f.choices
        ]
        if known_vendors is not None:
            problems += [f"names vendor {v!r}, which is not in vendors.csv" for v in value if v not in known_vendors]
        return problems
    if kind == "history":
        if not isinstance(value, list):
            return [f"got {_describe(value)}; expected a list of {{year, status, source}} events"]
        return []
    raise ValueError(f"schema field {f.name!r} has unknown kind {kind!r}")


def check_sources(sources: Any) -> list[tuple[str, str]]:
    """(field, message) pairs for every problem inside a record's `sources` list."""
    if not isinstance(sources, list):
        return []
    problems: list[tuple[str, str]] = []
    for i, source in enumerate(sources):
        where = f"sources[{i}]"
        if not isinstance(source, dict):
            problems.append((where, f"got {_describe(source)}; expected an object"))
            continue
        problems += check_object(source, schema.SOURCE_FIELDS, where, "a source field")
        problems += [(f"{where}.title", m) for m in check_untitled(source.get("title"))]
    return problems


def check_untitled(title: Any) -> list[str]:
    """A title that speaks of the URL slug must be the one placeholder form, so that every source without
    its page's headline is found and counted (python -m geo.stats)."""
    if not isinstance(title, str) or "url slug" not in title.casefold() or schema.is_untitled_source(title):
        return []
    example = schema.UNTITLED_SOURCE_TITLE.format(slug="…")
    return [f"got {_describe(title)}; expected the page's own title, or {example!r} when the page shows none"]


def check_object(obj: dict[str, Any], fields: tuple[schema.Field, ...], where: str, what: str) -> list[tuple[str, str]]:
    """(field, message) pairs for an object nested in a record (a source, a history event): every field
    present and valid, and nothing else."""
    problems: list[tuple[str, str]] = []
    for f in fields:
        if f.name not in obj:
            problems.append((f"{where}.{f.name}", "is missing"))
        else:
            problems += [(f"{where}.{f.name}", m) for m in check_value(f, obj[f.name])]
    for extra in sorted(set(obj) - {f.name for f in fields}):
        problems.append((f"{where}.{extra}", f"is not {what}"))
    return problems


def check_properties(
    props: dict[str, Any], known_vendors: set[str] | None, known_countries: set[str] | None
) -> list[tuple[str, str]]:
    """(field, message) pairs for one deployment's properties, without geometry checks."""
    problems: list[tuple[str, str]] = []
    policy = props.get("kind") == "policy"
    for f in schema.DEPLOYMENT_FIELDS:
        if f.name not in props:
            if f.required:
                problems.append((f.name, "is missing"))
            continue
        if f.name == "vendors" and policy and props[f.name] == []:
            continue  # a policy need not name a vendor
        problems += [(f.name, m) for m in check_value(f, props[f.name], known_vendors)]
    for extra in sorted(set(props) - set(schema.DEPLOYMENT_FIELD_NAMES)):
        problems.append((extra, "is not a field of the schema"))
    start, end = props.get("year_start"), props.get("year_end")
    if _is_int(start) and _is_int(end) and end < start:
        problems.append(("year_end", f"is {end}, before year_start {start}"))
    if props.get("status") == "operational" and end is not None:
        problems.append(("year_end", f"is {end!r} while status is operational; expected null (it has not ended)"))
    roles, vendors = props.get("vendor_roles"), props.get("vendors")
    if isinstance(roles, dict) and isinstance(vendors, list):
        problems += [
            ("vendor_roles", f"names {v!r}, which is not among the record's vendors") for v in roles if v not in vendors
        ]
    problems += check_history(props)
    problems += check_confidence(props)
    country = props.get("country")
    if (
        known_countries is not None
        and isinstance(country, str)
        and schema.ISO2_PATTERN.match(country)
        and country not in known_countries
    ):
        problems.append(("country", f"unknown country code {country!r}; expected a code in countries.geojson"))
    problems += check_sources(props.get("sources"))
    return problems


def record_key(props: Any, index: int) -> str:
    """How problems name a record: its id when that is text, else its position in the file."""
    raw_id = props.get("id") if isinstance(props, dict) else None
    return raw_id if isinstance(raw_id, str) and raw_id else f"#{index}"


def check_country_features(features: list[Any], file: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The country outlines that can be drawn, and a problem for each that cannot."""
    good: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for index, feature in enumerate(features):
        props = feature.get("properties") if isinstance(feature, dict) else None
        code = props.get("iso_a2") if isinstance(props, dict) else None
        where = code if isinstance(code, str) and code else f"#{index}"
        if not isinstance(props, dict) or not isinstance(props.get("name"), str):
            problems.append(Problem(file, where, "properties", "expected a Feature with properties iso_a2 and name"))
            continue
        if code is not None and not isinstance(code, str):
            problems.append(
                Problem(file, where, "iso_a2", f"got {_describe(code)}; expected a two-letter code or null")
            )
            continue
        try:
            geometry = shape(feature.get("geometry"))
        except Exception as error:  # shapely raises many kinds of error for malformed coordinates
            problems.append(
                Problem(
                    file,
                    where,
                    "geometry",
                    f"is not a readable outline ({type(error).__name__}); expected a GeoJSON Polygon or MultiPolygon",
                )
            )
            continue
        if geometry.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(
                Problem(file, where, "geometry", f"got a {geometry.geom_type}; expected a Polygon or MultiPolygon")
            )
            continue
        good.append(feature)
    return good, problems


@dataclass
class DataFiles:
    """The data files as read and checked: what could be read of each, and every problem."""

    vendor_rows: list[dict[str, str]] | None
    country_features: list[dict[str, Any]] | None
    deployments: Any
    problems: list[Problem]

    def file_problems(self) -> list[Problem]:
        """Problems with a whole file (it could not be used at all)."""
        return [p for p in self.problems if p.record == "-" and p.field in ("-", "type", "features")]


def read_deployment_features(path: Path) -> tuple[list[Any] | None, list[Problem]]:
    """The features of a deployments file: GeoJSON, or a CSV written by `geo.export.to_csv`."""
    from geo.reading import read_feature_collection, read_text

    if path.suffix.lower() != ".csv":
        return read_feature_collection(path, "deployments")
    from geo.export import csv_to_features

    text, problems = read_text(path)
    if text is None:
        return None, problems
    try:
        return csv_to_features(text), []
    except (ValueError, KeyError, TypeError) as error:
        return None, [Problem(str(path), "-", "-", f"is not a CSV export of this atlas ({error})")]


def read_data_files(deployments: Path, vendors: Path, countries: Path) -> DataFiles:
    """Read and check the three files; never raises for what is in them."""
    from geo.reading import read_csv_rows, read_feature_collection

    problems: list[Problem] = []
    required = tuple(f.name for f in schema.VENDOR_FIELDS if f.required)
    vendor_rows, found = read_csv_rows(vendors, required)
    problems += found
    vendor_ids = None
    if vendor_rows is not None:
        problems += validate_vendor_rows(vendor_rows, str(vendors))
        vendor_ids = {row["id"].strip() for row in vendor_rows if row.get("id")}
    raw_countries, found = read_feature_collection(countries, "country outlines")
    problems += found
    country_features = None
    if raw_countries is not None:
        country_features, found = check_country_features(raw_countries, str(countries))
        problems += found
    features, found = read_deployment_features(deployments)
    problems += found
    collection = {"type": "FeatureCollection", "features": features} if features is not None else None
    if collection is not None:
        index = CountryIndex(country_features) if country_features is not None else None
        problems += validate_deployments(collection, str(deployments), vendor_ids, index)
    return DataFiles(vendor_rows, country_features, collection, problems)


def check_history(props: dict[str, Any]) -> list[tuple[str, str]]:
    """A history's events are well formed, in order, dated by one of the record's sources, and agree with
    `year_start`, `status` and `year_end`."""
    history, sources = props.get("history"), props.get("sources")
    if not isinstance(history, list) or not history:
        return []
    n_sources = len(sources) if isinstance(sources, list) else 0
    problems: list[tuple[str, str]] = []
    for i, event in enumerate(history):
        where = f"history[{i}]"
        if not isinstance(event, dict):
            problems.append((where, f"got {_describe(event)}; expected {{year, status, source}}"))
            continue
        problems += check_object(event, schema.HISTORY_FIELDS, where, "a history field")
        source = event.get("source")
        if _is_int(source) and not 0 <= source < n_sources:
            problems.append((f"{where}.source", f"is {source}; expected the index of one of its {n_sources} source(s)"))
    if problems:
        return problems
    years = [e["year"] for e in history]
    if years != sorted(years):
        return [("history", f"years {years} are out of order; expected the oldest event first")]
    first, last = history[0], history[-1]
    if props.get("year_start") != first["year"]:
        problems.append(
            ("year_start", f"is {props.get('year_start')!r}; expected {first['year']}, the first event of history")
        )
    if props.get("status") != last["status"]:
        problems.append(
            ("status", f"is {props.get('status')!r}; expected {last['status']!r}, the last event of history")
        )
    if last["status"] == "stopped" and props.get("year_end") != last["year"]:
        problems.append(
            ("year_end", f"is {props.get('year_end')!r}; expected {last['year']}, when history says it stopped")
        )
    return problems


def check_confidence(props: dict[str, Any]) -> list[tuple[str, str]]:
    """A confidence level rests on sources of the kinds it requires (see schema.CONFIDENCE_REQUIRES)."""
    confidence, sources = props.get("confidence"), props.get("sources")
    if not isinstance(confidence, str) or confidence not in schema.CONFIDENCE_REQUIRES or not isinstance(sources, list):
        return []
    kinds = [str(s.get("kind")) for s in sources if isinstance(s, dict)]
    if any(k not in schema.SOURCE_KINDS for k in kinds):
        return []  # the source's own kind is reported already
    needed = schema.CONFIDENCE_REQUIRES[confidence]
    if needed.isdisjoint(kinds):
        return [
            (
                "confidence",
                f"is {confidence!r} but its sources are only of kind {', '.join(sorted(set(kinds)))}; "
                f"{confidence!r} needs at least one source of kind {' or '.join(sorted(needed))}",
            )
        ]
    return []


class CountryIndex:
    """Country shapes by ISO code, for 'is this point in its country' checks."""

    def __init__(self, features: Iterable[dict[str, Any]]):
        self.shapes: dict[str, list] = {}
        for feature in features:
            code = (feature.get("properties") or {}).get("iso_a2") or ""
            if code and feature.get("geometry"):
                self.shapes.setdefault(code, []).append(shape(feature["geometry"]))
        self._tree = {code: STRtree(geoms) for code, geoms in self.shapes.items()}

    @property
    def codes(self) -> set[str]:
        return set(self.shapes)

    def distance_to(self, code: str, point: Point) -> float:
        """Degrees from the point to the nearest part of that country (0 when inside)."""
        tree = self._tree[code]
        nearest = tree.geometries[tree.nearest(point)]
        return 0.0 if nearest.covers(point) else float(nearest.distance(point))


def check_geometry(feature: dict[str, Any], country: Any, countries: CountryIndex | None) -> list[tuple[str, str]]:
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return [("geometry", f"got {_describe(geometry)}; expected a GeoJSON Point")]
    coords = geometry.get("coordinates")
    if not isinstance(coords, list):
        return [("geometry", f"got coordinates {_describe(coords)}; expected [longitude, latitude]")]
    valid = len(coords) == 2 and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords)
    if not valid:
        return [("geometry", f"got coordinates {_describe(coords)}; expected [longitude, latitude]")]
    lon, lat = coords
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return [("geometry", f"got [{lon}, {lat}]; expected longitude in [-180, 180] and latitude in [-90, 90]")]
    if countries is None or not isinstance(country, str) or country not in countries.codes:
        return []
    distance = countries.distance_to(country, Point(lon, lat))
    if distance > schema.COUNTRY_TOLERANCE_DEGREES:
        return [
            ("geometry", f"point [{lon}, {lat}] lies {distance:.2f}° outside {country}; expected a point inside it")
        ]
    return []


def validate_deployments(
    data: Any, file: str, known_vendors: set[str] | None = None, countries: CountryIndex | None = None
) -> list[Problem]:
    """Every problem in a parsed deployments FeatureCollection."""
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        return [Problem(file, "-", "type", "expected a GeoJSON FeatureCollection with a 'features' list")]
    problems: list[Problem] = []
    seen: set[str] = set()
    known_countries = countries.codes if countries else None
    if data["features"] and not any(
        isinstance(f, dict) and isinstance(f.get("properties"), dict) and "kind" in f["properties"]
        for f in data["features"]
    ):
        problems.append(Problem(file, "-", "kind", OLD_FORMAT_HINT))
    for index, feature in enumerate(data["features"]):
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            problems.append(Problem(file, f"#{index}", "properties", "expected a Feature with a properties object"))
            continue
        record = record_key(props, index)
        if record in seen:
            problems.append(Problem(file, record, "id", "is a duplicate; ids must be unique"))
        seen.add(record)
        for fld, message in check_properties(props, known_vendors, known_countries):
            problems.append(Problem(file, record, fld, message))
        for fld, message in check_geometry(feature, props.get("country"), countries):
            problems.append(Problem(file, record, fld, message))
    return problems


def read_source_quality(path: Path) -> dict[str, str]:
    """Domains that may not be a record's only support (content farms, mirrors, aggregators) -> why."""
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        return {
            row["domain"].strip().lower(): row["why"].strip() for row in csv.DictReader(handle) if row.get("domain")
        }


def _listed_domain(url: str, domains: Mapping[str, str]) -> str | None:
    host = (urlparse(url).hostname or "").lower()
    return next((d for d in domains if host == d or host.endswith("." + d)), None)


def source_quality_warnings(data: Any, file: str, domains: Mapping[str, str]) -> list[Problem]:
    """Records whose every source is on the source-quality list: they need a better source."""
    if not domains or not isinstance(data, dict) or not isinstance(data.get("features"), list):
        return []
    warnings: list[Problem] = []
    for index, feature in enumerate(data["features"]):
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            continue
        sources = props.get("sources")
        if not isinstance(sources, list) or not sources:
            continue
        listed = [_listed_domain(str(s.get("url", "")), domains) if isinstance(s, dict) else None for s in sources]
        if all(listed):
            raw_id = props.get("id")
            record = raw_id if isinstance(raw_id, str) else f"#{index}"
            names = sorted({d for d in listed if d})
            why = "; ".join(f"{d}: {domains[d]}" for d in names)
            warnings.append(
                Problem(
                    file, record, "sources", f"rests only on {', '.join(names)} ({why}); expected a better source too"
                )
            )
    return warnings


def validate_vendor_rows(rows: list[dict[str, str]], file: str) -> list[Problem]:
    """Every problem in vendor rows read from the CSV (all values are strings)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        record = row.get("id") or f"row {index + 2}"
        if record in seen:
            problems.append(Problem(file, record, "id", "is a duplicate; ids must be unique"))
        seen.add(record)
        for f in schema.VENDOR_FIELDS:
            raw = row.get(f.name)
            if raw is None:
                problems.append(Problem(file, record, f.name, "column is missing"))
                continue
            raw = raw.strip()
            if not raw:
                if f.required:
                    problems.append(Problem(file, record, f.name, "is empty"))
                continue
            value: Any = raw
            if f.kind == "int":
                value = int(raw) if is_ascii_int(raw) else raw
            problems += [Problem(file, record, f.name, m) for m in check_value(f, value)]
    return problems


def validate_files(
    deployments: Path = DEFAULT_DEPLOYMENTS, vendors: Path = DEFAULT_VENDORS, countries: Path = DEFAULT_COUNTRIES
) -> list[Problem]:
    """Every problem across the three data files."""
    return read_data_files(deployments, vendors, countries).problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 3 or any(a in ("-h", "--help") for a in args):
        print(__doc__.strip())
        return 0 if args and args[0] in ("-h", "--help") else 2
    defaults = [DEFAULT_DEPLOYMENTS, DEFAULT_VENDORS, DEFAULT_COUNTRIES]
    paths = [Path(a) for a in args] + defaults[len(args) :]
    large = paths[0].suffix.lower() == ".parquet"  # a large dataset (geo/points.py), checked by the same rules
    if large:
        from geo.points import validate_points_files

        problems = validate_points_files(*paths)
    else:
        problems = validate_files(*paths)
    for problem in problems:
        print(problem)
    from geo.reading import read_feature_collection

    quality = read_source_quality(paths[0].parent / DEFAULT_SOURCE_QUALITY.name)
    features, _ = (None, []) if large else read_feature_collection(paths[0], "deployments")
    for warning in source_quality_warnings({"features": features or []}, str(paths[0]), quality):
        print(f"warning: {warning}")
    if problems:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    print(f"OK: {paths[0]} and {paths[1]} are valid.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
