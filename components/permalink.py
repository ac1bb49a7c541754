"""Keep the filters in the URL: apply a link once when a session opens, then mirror every change back."""

from __future__ import annotations

from typing import Any, MutableMapping

import streamlit as st

from components.sidebar import FILTER_KEYS, NOTICES_KEY
from geo.filters import Filters
from geo.html import markdown_code
from geo.load import Atlas
from geo.permalink import MapView, atlas_vocabulary, link_params, parse_link

APPLIED_KEY = "link_applied"
VIEW_KEY = "link_view"
INCLUDE_VIEW_KEY = "link_include_view"
INCLUDE_VIEW_WIDGET = "w_link_include_view"


def state_from_filters(state: MutableMapping[str, Any], filters: Filters, bounds: tuple[int, int]) -> None:
    """Set the widgets' session state so they show these filters."""
    for name in ("vendors", "vendor_countries", "countries", "sectors", "statuses", "confidences"):
        state[FILTER_KEYS[name]] = list(getattr(filters, name))
    state[FILTER_KEYS["years"]] = (filters.year_from or bounds[0], filters.year_to or bounds[1])
    state[FILTER_KEYS["text"]] = filters.text


def current_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params.keys()}


def apply_link_once(atlas: Atlas, bounds: tuple[int, int]) -> None:
    """On a session's first run, turn the URL into widget state and remember what had to be ignored."""
    state = st.session_state
    if state.get(APPLIED_KEY):
        return
    parsed = parse_link(current_params(), atlas_vocabulary(atlas, bounds))
    state_from_filters(state, parsed.filters, bounds)
    state[NOTICES_KEY] = parsed.ignored
    state[VIEW_KEY] = parsed.view
    state[INCLUDE_VIEW_KEY] = parsed.view is not None
    state[APPLIED_KEY] = True


def show_notices() -> None:
    notices = st.session_state.get(NOTICES_KEY) or []
    if notices:
        st.warning("Part of the link was ignored: " + "; ".join(markdown_code(n) for n in notices) + ". The rest of the link was applied.")


def sync_url(filters: Filters, view: MapView | None) -> None:
    """Write the filters (and the map view, when the reader asked for it) into the address bar."""
    wanted = link_params(filters, view if st.session_state.get(INCLUDE_VIEW_KEY) else None)
    if wanted != current_params():
        st.query_params.from_dict(wanted)


def _remember_include_view() -> None:
    st.session_state[INCLUDE_VIEW_KEY] = st.session_state[INCLUDE_VIEW_WIDGET]


def render_include_view_toggle() -> bool:
    """The checkbox sits in a tab that is only rendered while open, and Streamlit forgets a widget's value
    when it is not rendered; the choice is therefore kept under a plain session key."""
    st.checkbox(
        "Include the map view (centre and zoom) in the link",
        value=bool(st.session_state.get(INCLUDE_VIEW_KEY)),
        key=INCLUDE_VIEW_WIDGET,
        on_change=_remember_include_view,
    )
    return bool(st.session_state.get(INCLUDE_VIEW_KEY))
