"""Who publishes and maintains the dataset and under which licence, read from `data/metadata.json`: the one
place the citation, the image credit, the CSV metadata, the snapshot and `datapackage.json` take them from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo.validate import DATA_DIR

METADATA_FILE = "metadata.json"
METADATA_PATH = DATA_DIR / METADATA_FILE


@dataclass(frozen=True)
class Licence:
    id: str  # SPDX identifier, e.g. "CC-BY-4.0"
    name: str  # e.g. "Creative Commons Attribution 4.0"
    short_name: str  # e.g. "CC BY 4.0", for a citation or an image credit
    url: str


@dataclass(frozen=True)
class OutlinesLicence:
    source: str  # e.g. "Natural Earth"
    licence_id: str
    licence_name: str  # e.g. "public domain"


@dataclass(frozen=True)
class DatasetMetadata:
    title: str
    description: str
    publisher: str
    maintainer: str
    maintainer_email: str | None
    homepage: str | None
    licence: Licence
    country_outlines: OutlinesLicence

    @property
    def licence_note(self) -> str:
        """'Data CC BY 4.0; country outlines Natural Earth (public domain)'."""
        outlines = self.country_outlines
        return f"Data {self.licence.short_name}; country outlines {outlines.source} ({outlines.licence_name})"


def _text(entry: dict[str, Any], key: str, where: str, *, optional: bool = False) -> Any:
    value = entry.get(key)
    if (value is None and optional) or (isinstance(value, str) and value.strip()):
        return value
    expected = "text or null" if optional else "non-empty text"
    raise ValueError(f"{where}: field {key!r}: received {value!r}; expected {expected}")


def _object(entry: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = entry.get(key)
    if not isinstance(value, dict):
        raise ValueError(f"{where}: field {key!r}: received {value!r}; expected an object")
    return value


def parse_metadata(entry: Any, where: str = METADATA_FILE) -> DatasetMetadata:
    """The metadata from the file's parsed JSON; a missing or empty field is an error naming it."""
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: received {type(entry).__name__}; expected a JSON object")
    licence = _object(entry, "licence", where)
    outlines = _object(entry, "country_outlines", where)
    return DatasetMetadata(
        title=_text(entry, "title", where),
        description=_text(entry, "description", where),
        publisher=_text(entry, "publisher", where),
        maintainer=_text(entry, "maintainer", where),
        maintainer_email=_text(entry, "maintainer_email", where, optional=True),
        homepage=_text(entry, "homepage", where, optional=True),
        licence=Licence(**{k: _text(licence, k, f"{where}: licence") for k in ("id", "name", "short_name", "url")}),
        country_outlines=OutlinesLicence(
            **{k: _text(outlines, k, f"{where}: country_outlines") for k in ("source", "licence_id", "licence_name")}
        ),
    )


def load_metadata(path: Path | None = None) -> DatasetMetadata:
    """The dataset's metadata from `path` (default: `data/metadata.json`, looked up when called)."""
    path = Path(path) if path is not None else METADATA_PATH
    return parse_metadata(json.loads(path.read_text(encoding="utf-8")), str(path))
