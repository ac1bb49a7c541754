"""Facial-recognition deployments atlas: load, filter, render."""

import streamlit as st

from components import data, details, layout, map_view, permalink, share, sidebar, tables, upload
from geo.filters import apply_filters, relax_hints, selection_sentence
from geo.html import sentence_html
from geo.outputs import timeline_years
from geo.permalink import permalink as make_permalink
from geo.publishing import base_url as public_base_url

st.set_page_config(page_title="Facial Recognition Atlas", page_icon="🗺️", layout="wide")
st.title("Facial Recognition Atlas")
layout.page_style()
upload.render_notice()  # while one's own data is shown (load() then returns it instead of the atlas)

loaded = data.load()
if loaded is None:
    st.stop()
atlas, colors, asset_urls, vocabulary, version, points = loaded
data.report_problems(atlas)
bounds = vocabulary.year_bounds
state = sidebar.session_state()

# The link is applied once per session; from then on the widgets are the truth: widgets -> filters -> URL.
permalink.apply_link_once(atlas, vocabulary, version)
permalink.show_notices()
sidebar.ensure_widget_state(state, vocabulary)
sidebar.advance_playback(state, bounds)
filters = sidebar.filters_from_state(state, vocabulary)
selection = apply_filters(atlas.deployments, filters)

sentence = selection_sentence(len(selection), len(atlas.deployments), filters, vocabulary)
st.html(sentence_html(sentence))
# Always one element here, so the map below keeps its place in the page and is not remounted.
empty_notice = st.empty()
if selection.empty:
    hints = relax_hints(atlas.deployments, filters)
    empty_notice.warning(
        "No deployment matches these filters." + (" Try relaxing: " + "; ".join(hints) + "." if hints else "")
    )

map_column, details_column = st.columns([3, 2])
with map_column:
    map_view.render_skip_link(len(selection))
    clicked, view = map_view.render_map(
        atlas.deployments,
        selection,
        colors,
        atlas.vendor_names,
        atlas.country_names,
        asset_urls,
        view=state.get(permalink.VIEW_KEY),
        track_view=bool(state.get(permalink.INCLUDE_VIEW_KEY)),
        points=points,
    )
if clicked:
    state[details.SELECTED_KEY] = clicked
open_id = details.open_record_id(atlas, state)
with details_column:
    details.render_details(atlas, open_id, selection)
# The sidebar is drawn after the map although it shows first: the browser gets (and draws) the map's update
# before the widgets' (see benchmarks/README.md).
map_view.give_the_map_a_head_start()
sidebar.render_sidebar(atlas, filters, vocabulary)
upload.render_panel()  # "Open your own data", at the foot of the sidebar
permalink.sync_url(filters, view or state.get(permalink.VIEW_KEY), open_id, version)

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
        tables.render_table(selection, atlas.country_names, atlas.vendors)
if charts_tab.open:
    with charts_tab:
        tables.render_charts(selection, colors, atlas.vendor_names, atlas.country_names)
if vendors_tab.open:
    with vendors_tab:
        details.render_vendor_profiles(atlas)
if share_tab.open:
    with share_tab:
        include_view = permalink.render_include_view_toggle()
        base_url = public_base_url(st.context.url or "")
        shown_view = view if include_view else None
        released = permalink.link_version(version)
        link = make_permalink(base_url, filters, shown_view, version=released)
        record_link = make_permalink(base_url, filters, shown_view, open_id, released) if open_id else None
        years = timeline_years(filters, bounds)
        share.render_share(
            atlas,
            selection,
            colors,
            sentence,
            link,
            data.data_dir(),
            version,
            record_link,
            open_id,
            years,
            filters,
            shown_view,
        )

if state.get(sidebar.PLAYING_KEY):
    sidebar.wait_for_next_step(state)
    st.rerun()
