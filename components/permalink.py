"""Keep the view in the URL: apply a link once when a session opens (filters, map view, open record), then
mirror every change back. One direction per run: widgets -> filters -> URL."""

from __future__ import annotations

import streamlit as st

from components.details import SELECTED_KEY
from components.sidebar import NOTICES_KEY, session_state, state_from_filters
from geo.filters import Filters, Vocabulary
from geo.html import markdown_code
from geo.load import Atlas
from geo.permalink import MapView, link_params, parse_link

APPLIED_KEY = "link_applied"
VIEW_KEY = "link_view"
INCLUDE_VIEW_KEY = "link_include_view"
INCLUDE_VIEW_WIDGET = "w_link_include_view"
MAX_NOTICES_SHOWN = 8


def current_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def apply_link_once(atlas: Atlas, vocabulary: Vocabulary) -> None:
    """On a session's first run, turn the URL into widget state and remember what had to be ignored."""
    state = session_state()
    if state.get(APPLIED_KEY):
        return
    parsed = parse_link(current_params(), vocabulary, atlas.record_ids)
    state_from_filters(state, parsed.filters, vocabulary)
    state[NOTICES_KEY] = parsed.ignored
    state[VIEW_KEY] = parsed.view
    state[INCLUDE_VIEW_KEY] = parsed.view is not None
    if parsed.open_id:
        state[SELECTED_KEY] = parsed.open_id
    state[APPLIED_KEY] = True


def notices_text(notices: list[str]) -> str:
    """The ignored parts of a link as one sentence, at most MAX_NOTICES_SHOWN of them named."""
    named = "; ".join(markdown_code(n) for n in notices[:MAX_NOTICES_SHOWN])
    more = len(notices) - MAX_NOTICES_SHOWN
    return (
        f"Part of the link was ignored: {named}"
        + (f"; and {more} more" if more > 0 else "")
        + ". The rest of the link was applied."
    )


def show_notices() -> None:
    """The link's ignored parts; the slot is always there, so the map below keeps its place when they go."""
    slot = st.empty()
    notices = st.session_state.get(NOTICES_KEY) or []
    if notices:
        slot.warning(notices_text(notices))


def sync_url(filters: Filters, view: MapView | None, open_id: str | None) -> None:
    """Write the filters, the open record and (when the reader asked for it) the map view into the address bar."""
    wanted = link_params(filters, view if st.session_state.get(INCLUDE_VIEW_KEY) else None, open_id)
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
