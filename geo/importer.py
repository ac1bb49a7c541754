"""Open a newsroom's own table of deployments: read a CSV, XLSX or GeoJSON file, map its columns onto the
project's record format, check the records with the project's own validator (`geo.validate`, same rules and
same messages) and build an `Atlas` the way `geo.load.load_atlas` does. Nothing here writes or uploads
anything: the atlas lives in memory only.

Defaults for what a file does not say are documented in README.md ("Open your own data"); each can be
overridden by a column or by one value for every row (`ColumnMapping.constants`).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from geo import load, schema
from geo.load import Atlas, DataError
from geo.problems import Problem
from geo.reading import WHOLE_FILE, parse_json, read_csv_rows, read_feature_collection
from geo.search import fold
from geo.validate import (
    DATA_DIR,
    CountryIndex,
    check_country_features,
    record_key,
    validate_deployments,
    validate_vendor_rows,
)

FORMATS = ("csv", "xlsx", "geojson")
LIST_SEPARATOR = ";"
# The vendor placeholder of data/vendors.csv for a record whose sources name no supplier.
UNKNOWN_VENDOR = "unknown"
# Columns a GeoJSON file's point gives every row (when its properties do not already have these names).
POINT_LATITUDE, POINT_LONGITUDE = "latitude", "longitude"
CAPITAL_PRECISION = "country"
DEFAULT_PRECISION_WITH_POINT = "city"
NEW_VENDOR_KIND = "unknown"

# What a mapping can fill: the record fields a column (or one value for every row) can give.
RECORD_TARGETS = (
    "id",
    "kind",
    "name",
    "country",
    "latitude",
    "longitude",
    "precision",
    "vendors",
    "operator",
    "sectors",
    "status",
    "year_start",
    "year_end",
    "cameras",
    "description",
    "confidence",
)
SOURCE_TARGETS = ("url", "publisher", "title", "date", "quote", "kind")

# Column names (folded: lower case, letters and digits only) that the guess reads as each target.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "identifier", "recordid", "ref", "reference"),
    "kind": ("kind", "recordkind"),
    "name": ("name", "deployment", "project", "system", "programme", "program"),
    "place": ("place", "city", "town", "location", "site"),
    "country": ("country", "countrycode", "iso2", "isoa2", "nation"),
    "latitude": ("latitude", "lat", "y"),
    "longitude": ("longitude", "lon", "lng", "long", "x"),
    "precision": ("precision", "locationprecision"),
    "vendors": ("vendor", "vendors", "supplier", "suppliers", "company", "provider", "manufacturer"),
    "operator": ("operator", "agency", "authority", "client", "customer", "operatedby"),
    "sectors": ("sector", "sectors", "use", "usecase"),
    "status": ("status", "deploymentstatus"),
    "year_start": ("year", "yearstart", "since", "start", "startyear", "from"),
    "year_end": ("yearend", "until", "end", "endyear", "to"),
    "cameras": ("cameras", "cameracount", "numberofcameras", "ncameras"),
    "description": ("description", "summary", "notes", "details"),
    "confidence": ("confidence",),
}
SOURCE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "url": ("url", "source", "sourceurl", "link", "sourcelink"),
    "publisher": ("publisher", "outlet", "sourcepublisher"),
    "title": ("sourcetitle", "headline", "articletitle", "title"),
    "date": ("date", "sourcedate", "publicationdate", "published"),
    "quote": ("quote", "sourcequote", "excerpt", "evidence"),
    "kind": ("sourcekind", "sourcetype"),
}
# Words in a source's type that say which kind of source it is (checked in this order).
SOURCE_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("vendor", ("vendor", "company", "marketing")),
    ("news", ("news", "article", "newspaper", "magazine", "broadcast", "blog")),
    (
        "primary",
        ("government", "official", "public record", "court", "procurement", "contract", "press release", "agency"),
    ),
    ("research", ("report", "research", "study", "ngo", "academic", "dataset")),
)

# The capitals of the countries with more than one of data/cities.csv's cities inside their outline
# (the seat of government where a country names two); every other country's one city is its capital.
CAPITAL_NAMES: dict[str, str] = {
    "AE": "Abu Dhabi",
    "AU": "Canberra",
    "BJ": "Porto-Novo",
    "BO": "Sucre",
    "BR": "Brasília",
    "CA": "Ottawa",
    "CH": "Bern",
    "CI": "Yamoussoukro",
    "CL": "Santiago",
    "CN": "Beijing",
    "IN": "New Delhi",
    "IT": "Rome",
    "JP": "Tokyo",
    "LK": "Sri Jayawardenepura Kotte",
    "MA": "Rabat",
    "MM": "Naypyidaw",
    "MX": "Mexico City",
    "MY": "Kuala Lumpur",
    "NL": "Amsterdam",
    "NZ": "Wellington",
    "PH": "Manila",
    "SZ": "Mbabane",
    "TZ": "Dodoma",
    "US": "Washington,  D.C.",  # as spelt in data/cities.csv
    "ZA": "Pretoria",
}


@dataclass(frozen=True)
class SourceColumns:
    """The columns of one source of each row (empty: not in the file)."""

    url: str = ""
    publisher: str = ""
    title: str = ""
    date: str = ""
    quote: str = ""
    kind: str = ""

    def column(self, target: str) -> str:
        return str(getattr(self, target))


@dataclass(frozen=True)
class RowFilter:
    """Keep only the rows whose `column` contains one of `contains` (case-insensitive); others are skipped."""

    column: str
    contains: tuple[str, ...]

    def keeps(self, row: dict[str, Any]) -> bool:
        value = text_of(row.get(self.column)).casefold()
        return any(word.casefold() in value for word in self.contains)


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of the file gives each field of a record, and the values that are the same for every row."""

    columns: dict[str, str] = field(default_factory=dict)  # target -> column
    place: tuple[str, ...] = ()  # columns joined with ", " (e.g. City, State)
    sources: tuple[SourceColumns, ...] = ()
    constants: dict[str, str] = field(default_factory=dict)  # target -> value for every row
    keep: RowFilter | None = None
    name: str = "custom"

    def column(self, target: str) -> str:
        return self.columns.get(target, "")

    def used_columns(self) -> set[str]:
        used = {c for c in self.columns.values() if c} | set(self.place)
        used |= {s.column(t) for s in self.sources for t in SOURCE_TARGETS if s.column(t)}
        return used | ({self.keep.column} if self.keep else set())


EFF_AOS = ColumnMapping(
    name="eff-aos",
    columns={
        "id": "AOSNUMBER",
        "name": "Agency",
        "operator": "Agency",
        "vendors": "Vendor",
        "description": "Summary",
        "year_start": "Link 1 Date",
    },
    place=("City", "State"),
    sources=tuple(
        SourceColumns(url=f"Link {n}", publisher=f"Link {n} Source", date=f"Link {n} Date", kind=f"Link {n} Type")
        for n in (1, 2, 3)
    ),
    constants={"country": "US", "sectors": "policing", "status": "operational", "kind": "deployment"},
    keep=RowFilter("Technology", ("face recognition",)),
)
# A file already in this atlas's format (its GeoJSON or CSV export) needs no mapping.
ATLAS_FORMAT = ColumnMapping(name="atlas")
ATLAS_CSV_COLUMNS = ("id", "kind", "vendors", "sectors", "confidence", "longitude", "latitude", "source1_url")
PRESETS: dict[str, ColumnMapping] = {"eff-aos": EFF_AOS, "atlas": ATLAS_FORMAT}
PRESET_LABELS = {"eff-aos": "EFF Atlas of Surveillance (CSV export)", "atlas": "This atlas's own format (its export)"}
EFF_AOS_COLUMNS = ("AOSNUMBER", "Agency", "Technology", "Link 1")


@dataclass
class Table:
    """A file read as rows of cells, with its header and the file's name for messages."""

    file: str
    header: list[str]
    rows: list[dict[str, Any]]
    # The file's records when it is already in this atlas's format (its GeoJSON or CSV export), else None.
    features: list[dict[str, Any]] | None = None
    unit: str = "row"  # what a problem calls one record of the file: a spreadsheet row, or a GeoJSON feature
    first_number: int = 2  # a spreadsheet's first data row is row 2 (the header is row 1)


@dataclass
class ImportResult:
    """What came of opening a file: the records as the project's format, their problems, and the atlas of
    the records that passed (None when the file could not be used at all)."""

    file: str
    collection: dict[str, Any]
    vendor_rows: list[dict[str, str]]
    problems: list[Problem]
    skipped: int = 0
    atlas: Atlas | None = None
    row_numbers: dict[str, list[int]] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return len(self.collection.get("features", []))

    @property
    def left_out(self) -> int:
        return self.rows_read - (len(self.atlas.deployments) if self.atlas is not None else 0)


def _problem(file: str, message: str, fld: str = WHOLE_FILE) -> Problem:
    return Problem(file, WHOLE_FILE, fld, message)


# ---- reading -------------------------------------------------------------------------------------------


def text_of(value: Any) -> str:
    """A cell as text: whole floats without '.0', dates as ISO dates, None as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def decode(raw: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without a byte-order mark), UTF-16 with its mark, else Windows-1252
    (what Excel writes on most Western systems; it can decode any byte except five, read as Latin-1)."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def read_csv_table(raw: bytes, file: str) -> tuple[Table | None, list[Problem]]:
    text = decode(raw)
    if not text.strip():
        return None, [_problem(file, "is empty; expected a header row and one row per deployment")]
    try:
        reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
        lines = list(reader)
    except csv.Error as error:
        return None, [_problem(file, f"is not readable CSV ({error}); expected comma-separated values with a header")]
    header = [h.strip() for h in lines[0]]
    rows = [dict(zip(header, line)) for line in lines[1:] if any(cell.strip() for cell in line)]
    return Table(file, header, rows, _atlas_csv_features(text, header)), []


def _atlas_csv_features(text: str, header: list[str]) -> list[dict[str, Any]] | None:
    """The records of a CSV written by this atlas (`geo.export.to_csv`), or None for any other CSV."""
    from geo.export import csv_to_features

    if not all(c in header for c in ATLAS_CSV_COLUMNS):
        return None
    try:
        return csv_to_features(text)
    except (ValueError, KeyError, TypeError):
        return None


def read_xlsx_table(raw: bytes, file: str) -> tuple[Table | None, list[Problem]]:
    from openpyxl import load_workbook

    try:  # read-only workbooks read their sheets lazily: a damaged sheet fails while its rows are read
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        lines = [list(line) for line in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
    except Exception as error:  # openpyxl raises many kinds of error for a file that is not a workbook
        return None, [_problem(file, f"is not a readable Excel workbook ({type(error).__name__}); expected .xlsx")]
    lines = [line for line in lines if any(text_of(cell) for cell in line)]
    if not lines:
        return None, [_problem(file, "has an empty first sheet; expected a header row and one row per deployment")]
    header = [text_of(h) for h in lines[0]]
    rows = [dict(zip(header, line)) for line in lines[1:]]
    return Table(file, header, rows), []


def read_geojson_table(raw: bytes, file: str) -> tuple[Table | None, list[Problem]]:
    data, problems = parse_json(decode(raw), Path(file), "a GeoJSON FeatureCollection of deployments")
    if data is None:
        return None, problems
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        return None, [_problem(file, "expected a GeoJSON FeatureCollection with a 'features' list", "type")]
    rows: list[dict[str, Any]] = []
    header: list[str] = []
    for feature in data["features"]:
        props = feature.get("properties") if isinstance(feature, dict) else None
        row = {k: v for k, v in (props or {}).items() if isinstance(k, str)} if isinstance(props, dict) else {}
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        coords = geometry.get("coordinates") if isinstance(geometry, dict) and geometry.get("type") == "Point" else None
        if isinstance(coords, list) and len(coords) >= 2:
            row.setdefault(POINT_LONGITUDE, coords[0])
            row.setdefault(POINT_LATITUDE, coords[1])
        header += [k for k in row if k not in header]
        rows.append(row)
    own_format = bool(data["features"]) and all(_is_atlas_feature(f) for f in data["features"])
    return Table(file, header, rows, data["features"] if own_format else None, "feature", 1), []


def _is_atlas_feature(feature: Any) -> bool:
    """A feature of this atlas's own GeoJSON: its properties have a kind and a list of sources."""
    props = feature.get("properties") if isinstance(feature, dict) else None
    return isinstance(props, dict) and "kind" in props and isinstance(props.get("sources"), list)


def table_format(file: str) -> str | None:
    suffix = Path(file).suffix.lower().lstrip(".")
    return {"csv": "csv", "txt": "csv", "tsv": "csv", "xlsx": "xlsx", "geojson": "geojson", "json": "geojson"}.get(
        suffix
    )


def read_table(raw: bytes, file: str) -> tuple[Table | None, list[Problem]]:
    """The rows of a CSV, XLSX or GeoJSON file (by its name's ending), or None and why not."""
    if len(raw) > schema.MAX_FILE_BYTES:
        return None, [_problem(file, f"is {len(raw):,} bytes; expected at most {schema.MAX_FILE_BYTES:,}")]
    fmt = table_format(file)
    readers = {"csv": read_csv_table, "xlsx": read_xlsx_table, "geojson": read_geojson_table}
    if fmt is None:
        return None, [_problem(file, f"has the ending {Path(file).suffix!r}; expected .csv, .xlsx or .geojson")]
    table, problems = readers[fmt](raw, file)
    if table is not None and len(table.rows) > schema.MAX_RECORDS:
        return None, [_problem(file, f"has {len(table.rows):,} rows; expected at most {schema.MAX_RECORDS:,}")]
    if table is not None and not table.rows:
        return None, [_problem(file, "has a header but no rows; expected one row per deployment")]
    return table, problems


# ---- the mapping ---------------------------------------------------------------------------------------


def folded(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(name))


def _find(header: list[str], names: tuple[str, ...], taken: set[str]) -> str:
    by_fold = {folded(h): h for h in header if h not in taken}
    return next((by_fold[folded(n)] for n in names if folded(n) in by_fold), "")


def _guess_columns(header: list[str], synonyms: dict[str, tuple[str, ...]], taken: set[str]) -> dict[str, str]:
    """Target -> the first column (not taken yet) named as one of its synonyms; the columns found are taken."""
    found: dict[str, str] = {}
    for target, names in synonyms.items():
        column = _find(header, names, taken)
        if column:
            found[target] = column
            taken.add(column)
    return found


def guess_mapping(header: list[str], use_presets: bool = True) -> ColumnMapping:
    """A mapping read from the column names: the EFF preset for an Atlas of Surveillance export, else each
    field from a column whose name is one of its usual names (case, spaces and punctuation ignored)."""
    if use_presets and all(c in header for c in ATLAS_CSV_COLUMNS):
        return ATLAS_FORMAT
    if use_presets and all(c in header for c in EFF_AOS_COLUMNS):
        return EFF_AOS
    taken: set[str] = set()
    # Coordinates and country first, then the source's columns (so "date" and "title" go to the source).
    columns = _guess_columns(header, {t: SYNONYMS[t] for t in ("latitude", "longitude", "country")}, taken)
    source = _guess_columns(header, SOURCE_SYNONYMS, taken)
    columns |= _guess_columns(header, {t: n for t, n in SYNONYMS.items() if t not in columns}, taken)
    place = columns.pop("place", "")
    return ColumnMapping(
        columns=columns,
        place=(place,) if place else (),
        sources=(SourceColumns(**source),) if source else (),
        name="guess",
    )


MAPPING_KEYS = ("columns", "place", "sources", "constants", "keep", "preset")


def mapping_from_json(data: Any, file: str) -> tuple[ColumnMapping | None, list[Problem]]:
    """A mapping from a JSON object (the CLI's --mapping file); see README.md for its keys."""
    if not isinstance(data, dict):
        return None, [_problem(file, "expected a JSON object with the keys " + ", ".join(MAPPING_KEYS))]
    problems = [
        _problem(file, f"has the key {k!r}; expected one of {', '.join(MAPPING_KEYS)}")
        for k in data
        if k not in MAPPING_KEYS
    ]
    base = ColumnMapping()
    if "preset" in data:
        if data["preset"] not in PRESETS:
            problems.append(
                _problem(file, f"names the preset {data['preset']!r}; expected one of {', '.join(PRESETS)}", "preset")
            )
        else:
            base = PRESETS[data["preset"]]
    columns, constants = data.get("columns", {}), data.get("constants", {})
    for key, value in (("columns", columns), ("constants", constants)):
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            problems.append(_problem(file, f"has {key!r} that is not an object of field -> text", key))
        else:
            problems += [
                _problem(file, f"maps {t!r}; expected one of {', '.join(RECORD_TARGETS)}", key)
                for t in value
                if t not in RECORD_TARGETS and not (key == "constants" and t == "source_kind")
            ]
    sources = data.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, dict) for s in sources):
        problems.append(_problem(file, "has 'sources' that is not a list of objects", "sources"))
        sources = []
    for s in sources:
        problems += [
            _problem(file, f"maps the source field {t!r}; expected one of {', '.join(SOURCE_TARGETS)}", "sources")
            for t in s
            if t not in SOURCE_TARGETS
        ]
    place = data.get("place", list(base.place))
    if not isinstance(place, str) and not (isinstance(place, list) and all(isinstance(p, str) for p in place)):
        problems.append(_problem(file, "has 'place' that is not a column name or a list of them", "place"))
    problems += [
        _problem(file, f"has a source column {v!r} that is not text", "sources")
        for s in sources
        for v in s.values()
        if not isinstance(v, str)
    ]
    keep = data.get("keep")
    if keep is not None and not (
        isinstance(keep, dict) and isinstance(keep.get("column"), str) and isinstance(keep.get("contains"), list)
    ):
        problems.append(_problem(file, 'has \'keep\' that is not {"column": ..., "contains": [...]}', "keep"))
    if problems:
        return None, problems
    return (
        replace(
            base,
            name="custom" if "preset" not in data else base.name,
            columns={**base.columns, **columns},
            place=tuple([place] if isinstance(place, str) else place),
            sources=tuple(SourceColumns(**s) for s in sources) if "sources" in data else base.sources,
            constants={**base.constants, **constants},
            keep=RowFilter(keep["column"], tuple(keep["contains"])) if keep else base.keep,
        ),
        [],
    )


def mapping_problems(mapping: ColumnMapping, table: Table) -> list[Problem]:
    """Columns the mapping names that the file does not have (so that no field is silently empty)."""
    missing = sorted(c for c in mapping.used_columns() if c not in table.header)
    return [
        _problem(table.file, f"has no column {c!r}; the mapping ({mapping.name}) expects it", "columns")
        for c in missing
    ]


# ---- rows to records -----------------------------------------------------------------------------------


def slug(text: str) -> str:
    """Lowercase letters, digits and single hyphens (the schema's id pattern), or '' when nothing is left."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _choice(value: str, choices: dict[str, str]) -> str:
    """The key of an enum from its key or label in any case; the value itself when it is neither."""
    wanted = fold(value)
    return next((k for k, label in choices.items() if wanted in (fold(k), fold(label))), value)


def year_of(value: str) -> Any:
    """A year from '2019', '2019-05-01' or '12/27/2012'; the text itself (for the validator to name) when it
    has no four-digit year; None when empty."""
    if not value:
        return None
    found = re.search(r"(?<!\d)(\d{4})(?!\d)", value)
    return int(found.group(1)) if found else value


def whole_number(value: str) -> Any:
    if not value:
        return None
    digits = value.replace(",", "").replace(" ", "")
    return int(digits) if re.fullmatch(r"[0-9]+", digits) else value


def iso_date(value: str) -> str:
    """A source date as YYYY, YYYY-MM or YYYY-MM-DD: ISO dates as they are; D/M/Y or M/D/Y when the day is over
    12 and so says which is which; only the year when the order is ambiguous."""
    value = value.strip()
    if schema.DATE_PATTERN.match(value) or not value:
        return value
    iso_time = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ].*", value)
    if iso_time:
        return iso_time.group(1)
    parts = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", value)
    if not parts:
        return value
    a, b, year = int(parts.group(1)), int(parts.group(2)), parts.group(3)
    if a > 12 >= b:
        return f"{year}-{b:02d}-{a:02d}"
    if b > 12 >= a:
        return f"{year}-{a:02d}-{b:02d}"
    return year if a != b else f"{year}-{a:02d}-{b:02d}"


def _number(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = text_of(value)
    try:
        return float(text)
    except ValueError:
        return text or None


def source_kind(value: str) -> str:
    """A source kind from its key or label, or from words in a type such as 'News Article'."""
    key = _choice(value, schema.SOURCE_KINDS)
    if key in schema.SOURCE_KINDS or not value:
        return key
    lowered = value.casefold()
    return next((kind for kind, words in SOURCE_KIND_WORDS if any(w in lowered for w in words)), value)


def derived_confidence(sources: list[dict[str, Any]]) -> str:
    """The level the sources' kinds support (data/README.md): documented with a primary record, reported with
    news or research, claimed otherwise."""
    kinds = {s.get("kind") for s in sources}
    if "primary" in kinds:
        return "documented"
    if kinds & {"news", "research"}:
        return "reported"
    return "claimed"


class VendorMatcher:
    """Vendor ids by the names and aliases in the project's vendor table; unknown names become new vendors."""

    def __init__(self, rows: list[dict[str, str]], file: str):
        self.rows = {r["id"].strip(): r for r in rows if r.get("id")}
        self.by_name: dict[str, str] = {}
        for vendor_id, row in self.rows.items():
            for name in [vendor_id, row.get("name", ""), *(row.get("aliases") or "").split(";")]:
                if name.strip():
                    self.by_name.setdefault(fold(name.strip()), vendor_id)
        self.file = file
        self.new: dict[str, dict[str, str]] = {}

    def id_for(self, name: str) -> str:
        known = self.by_name.get(fold(name))
        if known:
            return known
        vendor_id = slug(name) or "vendor"
        while vendor_id in self.rows and vendor_id not in self.new:
            vendor_id += "-imported"
        if vendor_id not in self.new:
            self.new[vendor_id] = new_vendor_row(vendor_id, name, self.file)
            self.by_name[fold(name)] = vendor_id
        return vendor_id

    def used_rows(self, ids: set[str]) -> list[dict[str, str]]:
        """The project's rows of the vendors in use, then the new ones."""
        known = [self.rows[i] for i in sorted(ids) if i in self.rows and i not in self.new]
        return known + [self.new[i] for i in sorted(self.new)]


def new_vendor_row(vendor_id: str, name: str, file: str) -> dict[str, str]:
    row = {f: "" for f in schema.VENDOR_FIELD_NAMES}
    row.update(id=vendor_id, name=name, kind=NEW_VENDOR_KIND, note=f"Named in {file}; not in the atlas's vendor list.")
    return row


def capitals(countries: CountryIndex, cities: list[tuple[str, float, float]]) -> dict[str, tuple[float, float]]:
    """ISO code -> (lon, lat) of its capital: the one city of data/cities.csv inside its outline (a coastal
    one within the outline's tolerance), or the one CAPITAL_NAMES names where there are several."""
    from shapely.geometry import Point
    from shapely.strtree import STRtree

    parts = [(code, geometry) for code, geometries in countries.shapes.items() for geometry in geometries]
    tree = STRtree([geometry for _, geometry in parts])
    inside: dict[str, list[tuple[str, float, float]]] = {}
    for name, lat, lon in cities:
        point = Point(lon, lat)
        candidates = tree.query(point, predicate="dwithin", distance=schema.COUNTRY_TOLERANCE_DEGREES)
        near = [(parts[i][1].distance(point), parts[i][0]) for i in candidates]
        if near:
            inside.setdefault(min(near)[1], []).append((name, lon, lat))
    found: dict[str, tuple[float, float]] = {}
    for code, places in inside.items():
        chosen = [p for p in places if p[0] == CAPITAL_NAMES[code]] if code in CAPITAL_NAMES else places
        if len(chosen) == 1:
            found[code] = (chosen[0][1], chosen[0][2])
    return found


@dataclass
class Context:
    """What turning rows into records needs besides the rows."""

    file: str
    country_codes: dict[str, str]  # folded name or code -> ISO code
    capitals: dict[str, tuple[float, float]]
    vendors: VendorMatcher
    unit: str = "row"


def _cell(row: dict[str, Any], column: str) -> str:
    return text_of(row.get(column)) if column else ""


def _value(row: dict[str, Any], mapping: ColumnMapping, target: str) -> str:
    """The row's cell for a target, or the mapping's one value for every row."""
    cell = _cell(row, mapping.column(target))
    return cell or mapping.constants.get(target, "")


def _source(
    row: dict[str, Any], columns: SourceColumns, context: Context, number: int, constants: dict[str, str]
) -> dict[str, Any] | None:
    url = _cell(row, columns.url)
    if not url:
        return None
    host = (urlparse(url).hostname or "").removeprefix("www.")
    return {
        "publisher": _cell(row, columns.publisher) or host or url,
        "title": _cell(row, columns.title) or f"(title not given in {context.file})",
        "date": iso_date(_cell(row, columns.date)),
        "url": url,
        "quote": _cell(row, columns.quote) or f"(no quote given in {context.file}, {context.unit} {number})",
        "kind": source_kind(_cell(row, columns.kind) or constants.get("source_kind", "")),
    }


def _value_set(mapping: ColumnMapping, target: str) -> bool:
    return bool(mapping.column(target) or mapping.constants.get(target))


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


def row_to_feature(row: dict[str, Any], number: int, mapping: ColumnMapping, context: Context) -> dict[str, Any]:
    """One row as a GeoJSON Feature of the project's format (checked later by geo.validate)."""
    place = ", ".join(p for p in (_cell(row, c) for c in mapping.place) if p)
    raw_country = _value(row, mapping, "country")
    country = context.country_codes.get(fold(raw_country), raw_country)
    sources = [s for s in (_source(row, c, context, number, mapping.constants) for c in mapping.sources) if s]
    vendor_names = _list(_value(row, mapping, "vendors"))
    lat, lon = _number(_value(row, mapping, "latitude")), _number(_value(row, mapping, "longitude"))
    precision = _choice(_value(row, mapping, "precision"), schema.PRECISIONS) or DEFAULT_PRECISION_WITH_POINT
    if lat is None and lon is None:
        capital = context.capitals.get(country)
        lon, lat = capital if capital else (None, None)
        precision = CAPITAL_PRECISION
    status = _choice(_value(row, mapping, "status"), schema.STATUSES)
    props: dict[str, Any] = {
        "id": slug(_cell(row, mapping.column("id"))) or f"row-{number}",
        "kind": _choice(_value(row, mapping, "kind") or "deployment", schema.RECORD_KINDS),
        "name": _value(row, mapping, "name") or place or f"Row {number}",
        "place": place or _value(row, mapping, "name") or raw_country,
        "country": country,
        "precision": precision,
        "vendors": [context.vendors.id_for(v) for v in vendor_names] or [UNKNOWN_VENDOR],
        "operator": _value(row, mapping, "operator"),
        "sectors": [_choice(s, schema.SECTORS) for s in _list(_value(row, mapping, "sectors"))],
        "status": status,
        "year_start": year_of(_value(row, mapping, "year_start")),
        "year_end": year_of(_value(row, mapping, "year_end")),
        "cameras": whole_number(_value(row, mapping, "cameras")),
        "description": _value(row, mapping, "description") or f"Imported from {context.file}, {context.unit} {number}.",
        "confidence": _choice(_value(row, mapping, "confidence"), schema.CONFIDENCES) or derived_confidence(sources),
        "sources": sources,
    }
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}


def _country_codes(country_features: list[dict[str, Any]]) -> dict[str, str]:
    codes: dict[str, str] = {}
    for feature in country_features:
        code, name = feature["properties"].get("iso_a2") or "", feature["properties"].get("name") or ""
        if code:
            codes.setdefault(fold(code), code)
            codes.setdefault(fold(name), code)
    return codes


def _vendor_ids(feature: Any) -> list[str]:
    props = feature.get("properties") if isinstance(feature, dict) else None
    vendors = props.get("vendors") if isinstance(props, dict) else None
    return [v for v in vendors if isinstance(v, str)] if isinstance(vendors, list) else []


def _locate(
    problems: list[Problem], result_rows: dict[str, list[int]], mapping: ColumnMapping, unit: str = "row"
) -> list[Problem]:
    """The validator's problems named by spreadsheet row as well as record id, and by the file's column."""
    columns = {**mapping.columns}
    for i, s in enumerate(mapping.sources):
        columns.update({f"sources[{i}].{t}": s.column(t) for t in SOURCE_TARGETS if s.column(t)})
    if mapping.column("latitude"):
        columns["geometry"] = f"{mapping.column('latitude')}/{mapping.column('longitude')}"
    located = []
    for p in problems:
        rows = result_rows.get(p.record)
        where = f"{unit} {rows[0]}" if rows and len(rows) == 1 else f"{unit}s " + ", ".join(map(str, rows or []))
        record = f"{where} ({p.record})" if rows else p.record
        column = columns.get(p.field)
        located.append(replace(p, record=record, field=f"{p.field} (column {column!r})" if column else p.field))
    return located


# ---- the atlas -----------------------------------------------------------------------------------------


@dataclass
class BaseData:
    """The project's vendor table and country outlines, which an imported file is checked against."""

    vendor_rows: list[dict[str, str]]
    country_features: list[dict[str, Any]]
    capitals: dict[str, tuple[float, float]]
    index: CountryIndex


def read_base_data(data_dir: Path = DATA_DIR) -> BaseData:
    """The vendors, countries and capitals of `data_dir`; DataError when they cannot be read."""
    from geo.places import read_cities

    data_dir = Path(data_dir)
    required = tuple(f.name for f in schema.VENDOR_FIELDS if f.required)
    vendor_rows, problems = read_csv_rows(data_dir / "vendors.csv", required)
    raw_countries, found = read_feature_collection(data_dir / "countries.geojson", "country outlines")
    problems += found
    if vendor_rows is None or raw_countries is None:
        raise DataError(problems)
    country_features, _ = check_country_features(raw_countries, str(data_dir / "countries.geojson"))
    index = CountryIndex(country_features)
    return BaseData(vendor_rows, country_features, capitals(index, read_cities()), index)


def build_atlas(result: ImportResult, base: BaseData) -> Atlas:
    """The atlas of an import's records that pass validation, built as geo.load.load_atlas builds ours."""
    return load.build_atlas(result.vendor_rows, result.collection, base.country_features, result.problems)


def import_table(table: Table, mapping: ColumnMapping, base: BaseData) -> ImportResult:
    """Rows to records, checked by geo.validate; the atlas holds those that pass, the problems name the rest."""
    problems = mapping_problems(mapping, table)
    empty = {"type": "FeatureCollection", "features": []}
    if problems:
        return ImportResult(table.file, empty, [], problems)
    if mapping.name == ATLAS_FORMAT.name and table.features is None:
        return ImportResult(table.file, empty, [], [_problem(table.file, "is not an export of this atlas")])
    matcher = VendorMatcher(base.vendor_rows, table.file)
    context = Context(table.file, _country_codes(base.country_features), base.capitals, matcher, table.unit)
    features: list[dict[str, Any]] = []
    row_numbers: dict[str, list[int]] = {}
    skipped = 0
    for index, row in enumerate(table.rows):
        if mapping.keep is not None and not mapping.keep.keeps(row):
            skipped += 1
            continue
        number = index + table.first_number
        if table.features is not None and mapping.name == ATLAS_FORMAT.name:
            feature = table.features[index]
        else:
            feature = row_to_feature(row, number, mapping, context)
        props = feature.get("properties") if isinstance(feature, dict) else None
        key = record_key(props, len(features))
        row_numbers.setdefault(key, []).append(number)
        features.append(feature)
    collection = {"type": "FeatureCollection", "features": features}
    used = {v for f in features for v in _vendor_ids(f)}
    vendor_rows = matcher.used_rows(used)
    checked = validate_deployments(collection, table.file, used | set(matcher.rows), base.index)
    checked += validate_vendor_rows(vendor_rows, f"{table.file} (vendors)")
    # A record without sources has that problem already; the confidence we would derive from them adds nothing.
    unsourced = {
        f["properties"]["id"]
        for f in features
        if mapping.name != ATLAS_FORMAT.name
        and not f["properties"]["sources"]
        and not _value_set(mapping, "confidence")
    }
    checked = [p for p in checked if not (p.field == "confidence" and p.record in unsourced)]
    result = ImportResult(table.file, collection, vendor_rows, checked, skipped, row_numbers=row_numbers)
    result.atlas = build_atlas(result, base)
    result.problems = _locate(checked, row_numbers, mapping, table.unit)
    result.atlas.problems = result.problems
    return result


def open_import(raw: bytes, file: str, mapping: ColumnMapping | None, base: BaseData) -> ImportResult:
    """Read a file and import it with `mapping` (None: guessed from its column names)."""
    table, problems = read_table(raw, file)
    if table is None:
        return ImportResult(file, {"type": "FeatureCollection", "features": []}, [], problems)
    return import_table(table, mapping or guess_for(table), base)


def guess_for(table: Table) -> ColumnMapping:
    """The atlas's own format for one of its exports, else the guess from the column names."""
    return ATLAS_FORMAT if table.features is not None else guess_mapping(table.header)


def read_mapping_file(path: Path) -> ColumnMapping:
    """A --mapping JSON file; DataError naming what is wrong with it."""
    from geo.reading import read_json

    data, problems = read_json(path, "a JSON object mapping columns to fields")
    if data is None:
        raise DataError(problems)
    mapping, problems = mapping_from_json(data, str(path))
    if mapping is None:
        raise DataError(problems)
    return mapping


def load_import(
    path: Path, mapping_file: Path | None = None, preset: str | None = None, data_dir: Path = DATA_DIR
) -> Atlas:
    """The CLI's --data: the atlas of a file's valid records (their problems in `Atlas.problems`, as
    load_atlas does); DataError when the file, the mapping or the project's data cannot be used at all."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError([_problem(str(path), f"could not be read: {error.strerror or error}")]) from error
    mapping = read_mapping_file(mapping_file) if mapping_file else PRESETS[preset] if preset else None
    result = open_import(raw, str(path), mapping, read_base_data(data_dir))
    if result.atlas is None:
        raise DataError(result.problems)
    return result.atlas


def write_vendor_rows(path: Path, rows: list[dict[str, str]]) -> None:
    """Vendor rows as a vendors.csv of the project's format (for taking an import into one's own data/)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(schema.VENDOR_FIELD_NAMES), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: row.get(k, "") for k in schema.VENDOR_FIELD_NAMES} for row in rows)
