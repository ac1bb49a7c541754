"""The details panel beside the map, and the vendor profile view."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from components.data import data_dir
from components.layout import DETAILS_CLOSED_MARK
from geo import schema
from geo.html import details_html, escape_text, link
from geo.load import Atlas
from geo.points import POINTS_FILE, is_lean, read_record
from geo.summaries import vendor_profile

SELECTED_KEY = "selected_id"
PROFILE_CHART_HEIGHT = 260  # the whole chart; the plot inside is about 150 px


def vendor_profile_html(profile: dict, country_names: dict[str, str]) -> str:
    """A vendor's home country, ownership and US Entity List year, escaped."""
    home = profile.get("hq_country") or ""
    entity = profile.get("entity_list_year")
    rows = [
        ("Home country", country_names.get(home, home) or "unknown"),
        ("Kind", schema.VENDOR_KINDS.get(profile.get("kind", ""), profile.get("kind", ""))),
        ("Ownership", profile.get("ownership") or "no note"),
        ("Parent", profile.get("parent") or "—"),
        ("Also known as", ", ".join(profile.get("aliases") or []) or "—"),
        ("US Entity List", str(int(entity)) if entity is not None and not pd.isna(entity) else "not listed"),
    ]
    table = "".join(f"<tr><th>{escape_text(k)}</th><td>{escape_text(v)}</td></tr>" for k, v in rows)
    note = escape_text(profile.get("note") or "")
    source = link(profile.get("source_url") or "", "source") if profile.get("source_url") else ""
    return f"<div class='atlas-vendor'><b>{escape_text(profile.get('name', ''))}</b><table>{table}</table><p>{note} {source}</p></div>"


def open_record_id(atlas: Atlas, state: Mapping[str, Any]) -> str | None:
    """The id of the record whose details are open, if it is one of the atlas's."""
    record_id = state.get(SELECTED_KEY)
    return record_id if isinstance(record_id, str) and record_id in atlas.record_ids else None


def render_details(atlas: Atlas, record_id: str | None, selection: pd.DataFrame) -> None:
    """Every field of the clicked deployment, its vendors' profiles and its sources (links open in a new tab).
    A record the filters have since hidden stays open, with a note saying so. With no record open the panel
    is empty, and its column is hidden so that the map has the full width (components/layout.py)."""
    matches = atlas.deployments[atlas.deployments["id"] == record_id] if record_id else atlas.deployments.iloc[0:0]
    if matches.empty:
        st.html(DETAILS_CLOSED_MARK)
        return
    record = matches.iloc[0].to_dict()
    if is_lean(atlas.deployments):  # a large dataset keeps only what the map needs; the rest is in its file
        record = read_record(data_dir() / POINTS_FILE, int(record["row"]), atlas.vendors).iloc[0].to_dict()
    _render_record(atlas, record, selection)


def _render_record(atlas: Atlas, record: dict[str, Any], selection: pd.DataFrame) -> None:
    st.subheader("Details")
    if not (selection["id"] == record["id"]).any():
        st.caption("Not in the current selection: the filters hide this deployment on the map.")
    st.html(details_html(record, atlas.country_names))
    st.markdown("**Vendors**")
    for vendor_id in record["vendors"]:
        profile = atlas.vendors[atlas.vendors["id"] == vendor_id].iloc[0].to_dict()
        st.html(vendor_profile_html(profile, atlas.country_names))


def render_vendor_profiles(atlas: Atlas) -> None:
    """Pick a vendor: its profile, how many deployments in how many countries, since when, and a mini timeline."""
    names = atlas.vendor_names
    vendor_ids: list[str] = sorted(names, key=lambda v: names[v].casefold())
    vendor_id = st.selectbox("Vendor", vendor_ids, format_func=lambda v: names.get(v, v), key="profile_vendor")
    if vendor_id is None:
        return
    profile = vendor_profile(atlas.deployments, atlas.vendors, vendor_id)
    left, middle, right = st.columns(3)
    left.metric("Deployments", profile["deployments"])
    middle.metric("Countries", len(profile["countries"]))
    right.metric("Since", profile["since"] or "—")
    st.html(vendor_profile_html(profile, atlas.country_names))
    if profile["countries"]:
        countries = ", ".join(atlas.country_names.get(c, c) for c in profile["countries"])
        st.html(f"<p class='atlas-vendor-countries'>Deployed in: {escape_text(countries)}</p>")
    if profile["deployments"]:
        chart = (
            alt.Chart(profile["per_year"], title="Deployments started per year")
            .mark_bar()
            .encode(
                x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
                y=alt.Y("deployments:Q", title="Started", axis=alt.Axis(tickMinStep=1, format="d")),
                tooltip=["year", "deployments"],
            )
            .properties(height=PROFILE_CHART_HEIGHT)
        )
        st.altair_chart(chart, width="stretch")
