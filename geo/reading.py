"""One reading path for every data file: decode (UTF-8, with or without a byte-order mark), parse with
limits (size, nesting depth, records), and report what is wrong as Problems naming the file. Nothing here
raises past its boundary: a file that cannot be read gives None and its problems."""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path
from typing import Any

from geo import schema
from geo.problems import Problem

WHOLE_FILE = "-"


def _problem(path: Path, message: str, field: str = WHOLE_FILE) -> Problem:
    return Problem(str(path), WHOLE_FILE, field, message)


def _encoding_hint(raw: bytes) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16 (it starts with a UTF-16 byte-order mark)"
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "UTF-32"
    if b"\x00" in raw[:200]:
        return "UTF-16 or another two-byte encoding (it has zero bytes)"
    return "Latin-1 or Windows-1252, probably"


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """The file's text, decoded as UTF-8 (a leading byte-order mark is dropped)."""
    try:
        size = path.stat().st_size
        if size > schema.MAX_FILE_BYTES:
            return None, [_problem(path, f"is {size:,} bytes; expected at most {schema.MAX_FILE_BYTES:,}")]
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [_problem(path, "file not found")]
    except OSError as error:
        return None, [_problem(path, f"could not be read: {error.strerror or error}")]
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as error:
        byte = raw[error.start : error.start + 1].hex()
        found = _encoding_hint(raw)
        return None, [
            _problem(
                path, f"is not UTF-8 (byte 0x{byte} at position {error.start}); it looks like {found}; expected UTF-8"
            )
        ]


def nesting_depth(value: Any) -> int:
    """How deeply lists and objects nest in parsed JSON (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, (list, dict)))
    return deepest


def parse_json(text: str, path: Path, expected: str) -> tuple[Any, list[Problem]]:
    """Parsed JSON, or None and a problem saying where it breaks and what was expected."""
    if not text.strip():
        return None, [_problem(path, f"is empty; expected {expected}")]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return None, [
            _problem(
                path, f"is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); expected {expected}"
            )
        ]
    except RecursionError:
        return None, [_problem(path, f"nests too deeply to read; expected at most {schema.MAX_JSON_DEPTH} levels")]
    depth = nesting_depth(data)
    if depth > schema.MAX_JSON_DEPTH:
        return None, [_problem(path, f"nests {depth} levels deep; expected at most {schema.MAX_JSON_DEPTH}")]
    return data, []


def read_json(path: Path, expected: str) -> tuple[Any, list[Problem]]:
    text, problems = read_text(path)
    if text is None:
        return None, problems
    return parse_json(text, path, expected)


def read_feature_collection(path: Path, what: str) -> tuple[list[Any] | None, list[Problem]]:
    """The `features` list of a GeoJSON FeatureCollection, or None and why not."""
    expected = f"a GeoJSON FeatureCollection of {what}"
    data, problems = read_json(path, expected)
    if data is None:
        return None, problems
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return None, [_problem(path, f"got {_kind(data)}; expected {expected}", "type")]
    features = data.get("features")
    if not isinstance(features, list):
        got = "no 'features'" if "features" not in data else f"'features' as {_kind(features)}"
        return None, [_problem(path, f"has {got}; expected a 'features' list", "features")]
    if len(features) > schema.MAX_RECORDS:
        return None, [
            _problem(path, f"has {len(features):,} features; expected at most {schema.MAX_RECORDS:,}", "features")
        ]
    return features, []


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return f"an object of type {value.get('type')!r}" if "type" in value else "an object"
    return {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), "null"
    )


def read_csv_rows(path: Path, columns: tuple[str, ...]) -> tuple[list[dict[str, str]] | None, list[Problem]]:
    """Rows of a CSV file with a header; None and why when it is empty or lacks required columns."""
    text, problems = read_text(path)
    if text is None:
        return None, problems
    if not text.strip():
        return None, [_problem(path, f"is empty; expected a header row with the columns {', '.join(columns)}")]
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = reader.fieldnames or []
        missing = [c for c in columns if c not in header]
        if missing:
            return None, [
                _problem(path, f"has no column {', '.join(missing)}; expected the columns {', '.join(columns)}")
            ]
        rows = [{k: v if isinstance(v, str) else "" for k, v in row.items() if isinstance(k, str)} for row in reader]
    except csv.Error as error:
        return None, [_problem(path, f"is not readable CSV ({error}); expected comma-separated values with a header")]
    if len(rows) > schema.MAX_RECORDS:
        return None, [_problem(path, f"has {len(rows):,} rows; expected at most {schema.MAX_RECORDS:,}")]
    return rows, []
