"""Data version and the copyable citation that travels with every shared view."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

PROJECT_NAME = "Facial Recognition Atlas"
VERSIONED_FILES = ("deployments.geojson", "vendors.csv")
LICENCE_NOTE = "Data CC BY 4.0; country outlines Natural Earth (public domain)"


def data_version(data_dir: Path) -> str:
    """A short content hash of the data files: the same data always gives the same version."""
    digest = hashlib.sha256()
    for name in VERSIONED_FILES:
        digest.update(name.encode())
        digest.update((Path(data_dir) / name).read_bytes())
    return digest.hexdigest()[:12]


def citation(sentence: str, link: str, version: str, retrieved: date | None = None) -> str:
    """'Facial Recognition Atlas (data version …). Showing …. <link>. Retrieved YYYY-MM-DD.'"""
    day = (retrieved or date.today()).isoformat()
    return f"{PROJECT_NAME} (data version {version}). {sentence}. {link}. Retrieved {day}."


def credit_line(version: str, link: str) -> str:
    """The image footer's citation (the filter sentence is the image's subtitle; the date follows it)."""
    return f"{PROJECT_NAME} (data version {version}) · {link} · {LICENCE_NOTE}"
