"""Keep the view in the URL: apply a link once when a session opens (filters, map view, open record), then
mirror every change back. One direction per run: widgets -> filters -> URL. A link made with an older release
of the data says what changed in its selection since."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from components.data import data_dir
from components.details import SELECTED_KEY
from components.sidebar import NOTICES_KEY, session_state, state_from_filters
from geo.filters import Filters, Vocabulary, apply_filters
from geo.html import markdown_code
from geo.load import Atlas
from geo.permalink import MapView, link_params, parse_link
from geo.versions import (
    Change,
    Changes,
    changes_in_selection,
    changes_since,
    is_dated_version,
    known_versions,
)

APPLIED_KEY = "link_applied"
VIEW_KEY = "link_view"
INCLUDE_VIEW_KEY = "link_include_view"
INCLUDE_VIEW_WIDGET = "w_link_include_view"
VERSION_NOTICE_KEY = "link_version_notice"
MAX_NOTICES_SHOWN = 8
MAX_CHANGES_NAMED = 12


def current_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def apply_link_once(atlas: Atlas, vocabulary: Vocabulary, version: str) -> None:
    """On a session's first run, turn the URL into widget state and remember what had to be ignored
    (`version`: the data version now, see components.data.Loaded)."""
    state = session_state()
    if state.get(APPLIED_KEY):
        return
    folder = data_dir()
    parsed = parse_link(current_params(), vocabulary, atlas.record_ids, known_versions(folder))
    state_from_filters(state, parsed.filters, vocabulary)
    state[NOTICES_KEY] = parsed.ignored
    state[VERSION_NOTICE_KEY] = _version_notice(atlas, parsed.filters, parsed.version, folder, version)
    state[VIEW_KEY] = parsed.view
    state[INCLUDE_VIEW_KEY] = parsed.view is not None
    if parsed.open_id:
        state[SELECTED_KEY] = parsed.open_id
    state[APPLIED_KEY] = True


def _version_notice(atlas: Atlas, filters: Filters, link_version: str | None, folder: Path, now: str) -> str | None:
    if not link_version or link_version == now:
        return None
    if filters.is_empty():
        return version_notice_text(link_version, now, changes_since(link_version, folder))
    selected_now = set(apply_filters(atlas.deployments, filters)["id"])
    return version_notice_text(link_version, now, changes_in_selection(link_version, folder, filters, selected_now))


def _named(title: str, changes: list[Change]) -> str:
    names = ", ".join(markdown_code(c.name or c.id) for c in changes[:MAX_CHANGES_NAMED])
    more = len(changes) - MAX_CHANGES_NAMED
    return f"- {title}: {names}" + (f", and {more} more" if more > 0 else "")


def version_notice_text(link_version: str, now: str, changes: Changes) -> str:
    """'This link was made with data version X; the data is now Y. Since then, in this selection: …', with
    the records' names."""
    counts = f"{len(changes.added)} added, {len(changes.changed)} changed, {len(changes.removed)} removed"
    lines = [
        f"This link was made with data version {markdown_code(link_version)}; the data is now {markdown_code(now)}. "
        f"Since then, in this selection: {counts}."
    ]
    for title, items in (("Added", changes.added), ("Changed", changes.changed), ("Removed", changes.removed)):
        if items:
            lines.append(_named(title, items))
    return "\n".join(lines)


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
    """The link's ignored parts, then what changed since the link's data version; the slots are always there,
    so the map below keeps its place when they go."""
    slot, version_slot = st.empty(), st.empty()
    notices = st.session_state.get(NOTICES_KEY) or []
    if notices:
        slot.warning(notices_text(notices))
    version_notice = st.session_state.get(VERSION_NOTICE_KEY)
    if version_notice:
        version_slot.info(version_notice)


def link_version(version: str) -> str | None:
    """The data version a new link carries: the current release (`version`), or none while the data is
    unreleased or one's own data is shown."""
    return version if is_dated_version(version) else None


def sync_url(filters: Filters, view: MapView | None, open_id: str | None, version: str) -> None:
    """Write the filters, the open record, (when the reader asked for it) the map view and the data release
    into the address bar."""
    shown_view = view if st.session_state.get(INCLUDE_VIEW_KEY) else None
    wanted = link_params(filters, shown_view, open_id, link_version(version))
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
