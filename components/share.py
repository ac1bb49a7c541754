"""Share and cite: the permalink, a copyable citation, downloads (HTML map; an image as PNG, SVG or PDF in
print and social sizes, framed, labelled and styled as chosen; the timeline as GIF or MP4; CSV, Excel, GeoJSON,
the full dataset with its datapackage.json) and embed code. Files are generated only when a button is
clicked."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import cache, partial
from pathlib import Path

import geopandas as gpd
import streamlit as st

from components.data import own_data
from geo.citation import PROJECT_NAME, citation
from geo.export import XLSX_MIME, csv_metadata, datapackage, to_csv, to_geojson, to_xlsx
from geo.filters import Filters
from geo.html import markdown_code
from geo.image_options import ANIMATION_FORMATS, FORMATS, FRAMINGS, SIZE_LABELS, SIZES, STYLES, ImageOptions
from geo.load import Atlas
from geo.outputs import Shared, animation_file, image_file, snapshot_file
from geo.permalink import MapView
from geo.points import MAX_RECORDS_OUT, atlas_of_records, has_points, is_lean
from geo.publishing import PUBLIC_URL_ENV, configured_public_url, is_local
from geo.snapshot_html import embed_codes
from geo.validate import is_http_url

SNAPSHOT_NAME = "facial-recognition-atlas.html"
EMBED_URL_KEY = "embed_url"
EMBED_PLACEHOLDER = f"https://example.org/path/to/{SNAPSHOT_NAME}"


def full_dataset_zip(data_dir: Path, version: str) -> bytes:
    """data/ as one zip with a Frictionless datapackage.json describing every field."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in (
            "deployments.geojson",
            "vendors.csv",
            "countries.geojson",
            "metadata.json",
            "CHANGELOG.md",
            "README.md",
        ):
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
    version: str,
    record_link: str | None = None,
    open_id: str | None = None,
    years: tuple[int | None, int] | None = None,
    filters: Filters | None = None,
    view: MapView | None = None,
) -> None:
    own = own_data()
    if own is not None:  # no link can reopen a file that is only in this session
        link, record_link = "", None
    version = version if own is None else f"own data: {own.file}"
    cite = citation(sentence, link, version)
    shared = Shared(atlas, selection, colors, sentence, version, link, cite, filters, view)
    if own is not None:
        st.warning(
            f"You are showing your own file ({markdown_code(own.file)}). A link cannot reopen it: the file is only in this "
            "session, so no link or citation of the atlas is given here. The downloads below hold your data."
        )
    elif is_local(link):
        st.warning(
            "This link points at this computer, so nobody else can open it. Set the atlas's public address "
            f"(environment variable `{PUBLIC_URL_ENV}`, or `public_url` in `.streamlit/atlas.toml`) and restart."
        )
    if own is None:
        render_links(link, record_link, cite)
    if is_lean(selection) and len(selection) > MAX_RECORDS_OUT:  # files are made of full records (in_full)
        st.info(
            f"The map file and the data downloads are made of at most {MAX_RECORDS_OUT:,} records; these "
            f"filters select {len(selection):,}. Narrow them to download the records, or write them with the "
            "command line, which writes CSV and GeoJSON for any number: `python -m geo.snapshot --data-dir "
            "<the data folder> <the same filters> --csv selection.csv --geojson selection.geojson`. "
            f"The images and the timeline below show all {len(selection):,}."
        )
        render_graphics(shared, open_id, years)  # drawn from the lean table (geo.outputs.drawn_records)
        render_embed_code(sentence)
        return
    full = in_full(shared, data_dir)
    names = atlas.country_names
    columns = st.columns(2)
    with columns[0]:
        _download("Download map (HTML)", lambda: snapshot_file(full()), SNAPSHOT_NAME, "text/html", "dl_html")
        _download(
            "Download data (CSV)",
            lambda: to_csv(full().selection, names),
            "deployments.csv",
            "text/csv",
            "dl_csv",
        )
        _download(
            "Download data (GeoJSON)",
            lambda: to_geojson(full().selection),
            "deployments.geojson",
            "application/geo+json",
            "dl_geojson",
        )
    with columns[1]:
        _download(
            "Download data (Excel)",
            lambda: to_xlsx(full().selection, names, cite, version),
            "deployments.xlsx",
            XLSX_MIME,
            "dl_xlsx",
        )
        _download(
            "CSV metadata and citation (JSON)",
            lambda: json.dumps(csv_metadata(cite, version, len(selection)), indent=2),
            "deployments.csv-metadata.json",
            "application/json",
            "dl_csv_meta",
        )
        if own is None and not has_points(data_dir):
            _download(
                "Full dataset with datapackage.json (ZIP)",
                lambda: full_dataset_zip(data_dir, version),
                "facial-recognition-atlas-data.zip",
                "application/zip",
                "dl_zip",
            )
    render_graphics(shared, open_id, years)
    render_embed_code(sentence)


def in_full(shared: Shared, data_dir: Path) -> Callable[[], Shared]:
    """The shared selection with its records in full, for the map file and the data downloads: as it is,
    or a large dataset's lean selection with its records read from the file, once, when a download asks for
    them (reading 10,000 of 1,000,000 records takes about 2 s, too long for every rerun of this tab)."""
    if not is_lean(shared.selection):
        return lambda: shared

    @cache
    def read() -> Shared:
        atlas = atlas_of_records(shared.atlas, data_dir, shared.selection)
        return replace(shared, atlas=atlas, selection=atlas.deployments)

    return read


def render_links(link: str, record_link: str | None, cite: str) -> None:
    st.markdown("**Link to this view**")
    st.code(link, language=None, wrap_lines=True)
    if record_link:
        st.markdown("**Link to this record** (opens its details)")
        st.code(record_link, language=None, wrap_lines=True)
    st.markdown("**Cite this view**")
    st.code(cite, language=None, wrap_lines=True)


def _choose_image_options(open_id: str | None) -> ImageOptions:
    """The picture's size, framing, style and labels, as the reader sets them."""
    size_col, framing_col, style_col = st.columns(3)
    size = size_col.selectbox("Size", list(SIZES), format_func=lambda k: f"{k} ({SIZE_LABELS[k]})", key="img_size")
    framing = framing_col.selectbox("Framing", list(FRAMINGS), format_func=FRAMINGS.__getitem__, key="img_framing")
    style = style_col.selectbox("Style", list(STYLES), format_func=STYLES.__getitem__, key="img_style")
    labels = st.checkbox("Label the places with most records", key="img_labels")
    highlight = (
        open_id if open_id and st.checkbox("Highlight the open record", value=True, key="img_highlight") else None
    )
    return ImageOptions(size=SIZES[size], framing=framing, style=style, labels=labels, highlight=highlight)


def render_graphics(shared: Shared, open_id: str | None, years: tuple[int | None, int] | None) -> None:
    """Images for print and social media (PNG, SVG, PDF) and the animated timeline (GIF, MP4)."""
    st.markdown("**Images for print and social media**")
    options = _choose_image_options(open_id)
    slug = f"facial-recognition-atlas-{options.size[0]}x{options.size[1]}"
    buttons = st.columns(len(FORMATS) + (len(ANIMATION_FORMATS) if years else 0))
    for column, (fmt, mime) in zip(buttons, FORMATS.items()):
        with column:
            _download(
                f"Image ({fmt.upper()})",
                partial(image_file, shared, options, fmt),
                f"{slug}.{fmt}",
                mime,
                f"dl_img_{fmt}",
            )
    if years and not shared.selection.empty:
        for column, (fmt, mime) in zip(buttons[len(FORMATS) :], ANIMATION_FORMATS.items()):
            with column:
                _download(
                    f"Timeline ({fmt.upper()})",
                    partial(animation_file, shared, years, options, fmt),
                    f"{slug}-timeline.{fmt}",
                    mime,
                    f"dl_anim_{fmt}",
                )
        st.caption("The timeline: one frame per year of the selection, then the whole period held for a moment.")


def default_embed_url() -> str:
    """Where the map file is expected to be hosted: beside the atlas's public address, when one is set."""
    public = configured_public_url()
    return public.rstrip("/") + "/" + SNAPSHOT_NAME if public else EMBED_PLACEHOLDER


def render_embed_code(sentence: str) -> None:
    """The <iframe> snippets for the downloaded map (responsive, and fixed sizes), pointing at the address
    the reader will host it at."""
    st.markdown("**Embed the downloaded map** (host the HTML file, then paste this where it should appear)")
    fallback = default_embed_url()
    url = st.text_input("Address of the hosted map file", key=EMBED_URL_KEY, placeholder=fallback).strip()
    if url and not is_http_url(url):
        st.warning(
            f"Not an http(s) address: {markdown_code(url)}. The snippet shows {markdown_code(fallback)} instead."
        )
    for label, code in embed_codes(url if is_http_url(url) else fallback, f"{PROJECT_NAME}: {sentence}").items():
        st.caption(label)
        st.code(code, language="html")
