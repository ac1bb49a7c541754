"""Data version and the copyable citation that travels with every shared view."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from geo.versions import current_version

PROJECT_NAME = "Facial Recognition Atlas"
LICENCE_NOTE = "Data CC BY 4.0; country outlines Natural Earth (public domain)"


def data_version(data_dir: Path) -> str:
    """The dated release of the data (e.g. '2026.12.02'), or '<latest release>+<hash>' when the data changed
    since (see geo.versions)."""
    return current_version(Path(data_dir))


def citation(sentence: str, link: str, version: str, retrieved: date | None = None) -> str:
    """'Facial Recognition Atlas (data version …). Showing …. <link>. Retrieved YYYY-MM-DD.'"""
    day = (retrieved or date.today()).isoformat()
    return f"{PROJECT_NAME} (data version {version}). {sentence}. {link}. Retrieved {day}."


def credit_line(version: str, link: str) -> str:
    """The image footer's citation (the filter sentence is the image's subtitle; the date follows it)."""
    return f"{PROJECT_NAME} (data version {version}) · {link} · {LICENCE_NOTE}"
