"""Data version and the copyable citation that travels with every shared view."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from geo.metadata import DatasetMetadata, load_metadata

VERSIONED_FILES = ("deployments.geojson", "vendors.csv")
# Read from data/metadata.json when imported; the functions below read the file each time they are called.
PROJECT_NAME = load_metadata().title
LICENCE_NOTE = load_metadata().licence_note


def data_version(data_dir: Path) -> str:
    """A short content hash of the data files: the same data always gives the same version."""
    digest = hashlib.sha256()
    for name in VERSIONED_FILES:
        digest.update(name.encode())
        digest.update((Path(data_dir) / name).read_bytes())
    return digest.hexdigest()[:12]


def citation(
    sentence: str, link: str, version: str, retrieved: date | None = None, metadata: DatasetMetadata | None = None
) -> str:
    """'Facial Recognition Atlas (data version …), Facial Recognition Atlas project. Showing …. <link>.
    Licence: CC BY 4.0. Retrieved YYYY-MM-DD.' (title, publisher and licence from data/metadata.json)"""
    meta = metadata or load_metadata()
    day = (retrieved or date.today()).isoformat()
    return (
        f"{meta.title} (data version {version}), {meta.publisher}. {sentence}. {link}. "
        f"Licence: {meta.licence.short_name}. Retrieved {day}."
    )


def credit_line(version: str, link: str, metadata: DatasetMetadata | None = None) -> str:
    """The image footer's citation (the filter sentence is the image's subtitle; the date follows it)."""
    meta = metadata or load_metadata()
    return f"{meta.title} (data version {version}), {meta.publisher} · {link} · {meta.licence_note}"
