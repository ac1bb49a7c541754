"""Facial-recognition deployments atlas: load, filter, render."""

import streamlit as st

from components import data, details, map_view, permalink, share, sidebar, tables
from geo.filters import FILTER_LABELS, apply_filters, relax_suggestions, selection_sentence, year_bounds
from geo.html import sentence_html
from geo.permalink import permalink as make_permalink

st.set_page_config(page_title="Facial Recognition Atlas", page_icon="🗺️", layout="wide")
st.title("Facial Recognition Atlas")

loaded = data.load()
if loaded is None:
    st.stop()
atlas, colors, asset_urls = loaded
data.report_problems(atlas)

bounds = year_bounds(atlas.deployments)
permalink.apply_link_once(atlas, bounds)
permalink.show_notices()
sidebar.advance_playback(st.session_state, bounds)
filters = sidebar.filters_from_state(st.session_state, bounds)
sidebar.render_sidebar(atlas, filters, bounds)
selection = apply_filters(atlas.deployments, filters)

sentence = selection_sentence(len(selection), len(atlas.deployments), filters, atlas.vendor_names, atlas.country_names)
st.html(sentence_html(sentence))
if selection.empty:
    hints = [f"{FILTER_LABELS[name]} (would show {count})" for name, count in relax_suggestions(atlas.deployments, filters)]
    st.warning("No deployment matches these filters." + (" Try relaxing: " + "; ".join(hints) + "." if hints else ""))

map_column, details_column = st.columns([3, 2])
with map_column:
    clicked, view = map_view.render_map(
        atlas.deployments, selection, colors, atlas.vendor_names, atlas.country_names, asset_urls,
        view=st.session_state.get(permalink.VIEW_KEY), track_view=bool(st.session_state.get(permalink.INCLUDE_VIEW_KEY)),
    )
if clicked:
    st.session_state[details.SELECTED_KEY] = clicked
with details_column:
    details.render_details(atlas, st.session_state.get(details.SELECTED_KEY), selection)
permalink.sync_url(filters, view or st.session_state.get(permalink.VIEW_KEY))

# Only the open tab runs (on_change="rerun"). The light overview comes first, so the map's first paint
# does not wait for the table's scripts (about 0.4 s at 10,000 deployments, see benchmarks/).
overview_tab, table_tab, charts_tab, vendors_tab, share_tab = st.tabs(
    ["Overview", "Table", "Charts", "Vendor profiles", "Share & cite"], key="tab", on_change="rerun"
)
if overview_tab.open:
    with overview_tab:
        tables.render_overview(selection)
if table_tab.open:
    with table_tab:
        tables.render_table(selection, atlas.country_names)
if charts_tab.open:
    with charts_tab:
        tables.render_charts(selection, colors, atlas.vendor_names, atlas.country_names)
if vendors_tab.open:
    with vendors_tab:
        details.render_vendor_profiles(atlas)
if share_tab.open:
    with share_tab:
        include_view = permalink.render_include_view_toggle()
        link = make_permalink(st.context.url or "", filters, view if include_view else None)
        share.render_share(atlas, selection, colors, sentence, link, data.data_dir())

if st.session_state.get(sidebar.PLAYING_KEY):
    sidebar.wait_for_next_step(st.session_state)
    st.rerun()
