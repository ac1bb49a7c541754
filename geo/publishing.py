"""Where the atlas is published: one setting for the public address that links, citations, embed code and
the snapshot use. Read from $ATLAS_PUBLIC_URL, else from `public_url` in `.streamlit/atlas.toml`."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

PUBLIC_URL_ENV = "ATLAS_PUBLIC_URL"
CONFIG_FILE = Path(__file__).resolve().parent.parent / ".streamlit" / "atlas.toml"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}


def configured_public_url(environ: Mapping[str, str] | None = None, config_file: Path = CONFIG_FILE) -> str | None:
    """The public address set for this installation, or None when it is not set (or not http(s))."""
    environ = os.environ if environ is None else environ
    value = environ.get(PUBLIC_URL_ENV, "").strip()
    if not value and config_file.exists():
        try:
            value = str(tomllib.loads(config_file.read_text(encoding="utf-8")).get("public_url", "")).strip()
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            value = ""
    return value if urlparse(value).scheme in ("http", "https") and urlparse(value).netloc else None


def is_local(url: str) -> bool:
    """True for an address only this machine can open (localhost, loopback, or none at all)."""
    return (urlparse(url).hostname or "") in LOCAL_HOSTS


def base_url(page_url: str, environ: Mapping[str, str] | None = None, config_file: Path = CONFIG_FILE) -> str:
    """The address links should start with: the configured public one, else the page's own."""
    return configured_public_url(environ, config_file) or page_url
