"""Share and cite: the permalink, a copyable citation, downloads (HTML map, PNG, CSV, Excel, GeoJSON, the full
dataset with its datapackage.json) and embed code. Files are generated only when a button is clicked."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

import geopandas as gpd
import streamlit as st

from geo.citation import PROJECT_NAME, citation, credit_line, data_version
from geo.export import XLSX_MIME, csv_metadata, datapackage, to_csv, to_geojson, to_xlsx
from geo.html import markdown_code
from geo.load import Atlas
from geo.png import SIZES, render_png
from geo.publishing import PUBLIC_URL_ENV, configured_public_url, is_local
from geo.snapshot_html import embed_code, snapshot_html
from geo.validate import is_http_url

SNAPSHOT_NAME = "facial-recognition-atlas.html"
EMBED_URL_KEY = "embed_url"
EMBED_PLACEHOLDER = f"https://example.org/path/to/{SNAPSHOT_NAME}"


def full_dataset_zip(data_dir: Path, version: str) -> bytes:
    """data/ as one zip with a Frictionless datapackage.json describing every field."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("deployments.geojson", "vendors.csv", "countries.geojson", "README.md"):
            path = data_dir / name
            if path.exists():
                archive.write(path, f"facial-recognition-atlas/{name}")
        archive.writestr("facial-recognition-atlas/datapackage.json", json.dumps(datapackage(version), indent=2))
    return buffer.getvalue()


def _download(label: str, make: Callable[[], bytes | str], file_name: str, mime: str, key: str) -> None:
    st.download_button(label, data=make, file_name=file_name, mime=mime, key=key, on_click="ignore", width="stretch")


def render_share(
    atlas: Atlas,
    selection: gpd.GeoDataFrame,
    colors: Mapping[str, str],
    sentence: str,
    link: str,
    data_dir: Path,
    record_link: str | None = None,
) -> None:
    version = data_version(data_dir)
    cite = citation(sentence, link, version)
    today = date.today().isoformat()
    if is_local(link):
        st.warning(
            "This link points at this computer, so nobody else can open it. Set the atlas's public address "
            f"(environment variable `{PUBLIC_URL_ENV}`, or `public_url` in `.streamlit/atlas.toml`) and restart."
        )
    st.markdown("**Link to this view**")
    st.code(link, language=None, wrap_lines=True)
    if record_link:
        st.markdown("**Link to this record** (opens its details)")
        st.code(record_link, language=None, wrap_lines=True)
    st.markdown("**Cite this view**")
    st.code(cite, language=None, wrap_lines=True)

    def html_file() -> str:
        return snapshot_html(
            selection,
            atlas.countries,
            colors,
            atlas.vendor_names,
            atlas.country_names,
            title=PROJECT_NAME,
            sentence=sentence,
            citation=cite,
        )

    def png_file(size: tuple[int, int]) -> Callable[[], bytes]:
        return lambda: render_png(
            selection,
            atlas.countries,
            colors,
            atlas.vendor_names,
            title=PROJECT_NAME,
            sentence=sentence,
            credit=credit_line(version, link),
            date=today,
            size=size,
        )

    columns = st.columns(3)
    with columns[0]:
        _download("Download map (HTML)", html_file, SNAPSHOT_NAME, "text/html", "dl_html")
        _download(
            "Download data (CSV)",
            lambda: to_csv(selection, atlas.country_names),
            "deployments.csv",
            "text/csv",
            "dl_csv",
        )
        _download(
            "Download data (Excel)",
            lambda: to_xlsx(selection, atlas.country_names, cite, version),
            "deployments.xlsx",
            XLSX_MIME,
            "dl_xlsx",
        )
    with columns[1]:
        for label, size in SIZES.items():
            _download(
                f"Download image (PNG {label})",
                png_file(size),
                f"facial-recognition-atlas-{label}.png",
                "image/png",
                f"dl_png_{label}",
            )
    with columns[2]:
        _download(
            "Download data (GeoJSON)",
            lambda: to_geojson(selection),
            "deployments.geojson",
            "application/geo+json",
            "dl_geojson",
        )
        _download(
            "CSV metadata and citation (JSON)",
            lambda: json.dumps(csv_metadata(cite, version, len(selection)), indent=2),
            "deployments.csv-metadata.json",
            "application/json",
            "dl_csv_meta",
        )
        _download(
            "Full dataset with datapackage.json (ZIP)",
            lambda: full_dataset_zip(data_dir, version),
            "facial-recognition-atlas-data.zip",
            "application/zip",
            "dl_zip",
        )
    render_embed_code(sentence)


def default_embed_url() -> str:
    """Where the map file is expected to be hosted: beside the atlas's public address, when one is set."""
    public = configured_public_url()
    return public.rstrip("/") + "/" + SNAPSHOT_NAME if public else EMBED_PLACEHOLDER


def render_embed_code(sentence: str) -> None:
    """The <iframe> snippet for the downloaded map, pointing at the address the reader will host it at."""
    st.markdown("**Embed the downloaded map** (host the HTML file, then paste this where it should appear)")
    fallback = default_embed_url()
    url = st.text_input("Address of the hosted map file", key=EMBED_URL_KEY, placeholder=fallback).strip()
    if url and not is_http_url(url):
        st.warning(
            f"Not an http(s) address: {markdown_code(url)}. The snippet shows {markdown_code(fallback)} instead."
        )
    st.code(embed_code(url if is_http_url(url) else fallback, f"{PROJECT_NAME}: {sentence}"), language="html")
