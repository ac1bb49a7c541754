"""Data version and the copyable citation that travels with every shared view."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from geo.cache import hash_file
from geo.metadata import DatasetMetadata, load_metadata
from geo.points import DATA_FILES as POINT_DATA_FILES
from geo.points import has_points
from geo.versions import SHORT_HASH_LENGTH, UNRELEASED, current_version

# Read from data/metadata.json when imported; the functions below read the file each time they are called.
PROJECT_NAME = load_metadata().title
LICENCE_NOTE = load_metadata().licence_note


def data_version(data_dir: Path) -> str:
    """The dated release of the data (e.g. '2026.12.02'), or '<latest release>+<hash>' when the data changed
    since (see geo.versions). A large dataset of points (geo/points.py) has no releases: 'unreleased+<hash
    of its files>'."""
    if has_points(Path(data_dir)):
        return f"{UNRELEASED}+{files_hash(Path(data_dir), POINT_DATA_FILES)}"
    return current_version(Path(data_dir))


def files_hash(folder: Path, names: tuple[str, ...]) -> str:
    """A short SHA-256 of the named files' bytes."""
    digest = hashlib.sha256()
    for name in names:
        hash_file(digest, folder / name)
    return digest.hexdigest()[:SHORT_HASH_LENGTH]


def citation(
    sentence: str, link: str, version: str, retrieved: date | None = None, metadata: DatasetMetadata | None = None
) -> str:
    """'Facial Recognition Atlas (data version …), <publisher>, maintained by <maintainer>. Showing …. <link>.
    Licence: CC BY 4.0. Retrieved YYYY-MM-DD.' (title, publisher and licence from data/metadata.json);
    without a link (none that others could open), that part is left out."""
    meta = metadata or load_metadata()
    day = (retrieved or date.today()).isoformat()
    where = f" {link}." if link else ""
    return (
        f"{meta.title} (data version {version}), {meta.publisher}, maintained by {meta.maintainer}. {sentence}.{where} "
        f"Licence: {meta.licence.short_name}. Retrieved {day}."
    )


def credit_line(version: str, link: str, metadata: DatasetMetadata | None = None) -> str:
    """The image footer's citation (the filter sentence is the image's subtitle; the date follows it)."""
    meta = metadata or load_metadata()
    by = f"{meta.title} (data version {version}), {meta.publisher}, maintained by {meta.maintainer}"
    return " · ".join(part for part in (by, link, meta.licence_note) if part)
