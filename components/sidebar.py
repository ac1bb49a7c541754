"""Sidebar filters, the year timeline with its play control, and reset. Widget state lives in
`st.session_state` under FILTER_KEYS, so the filters can be read before the widgets are drawn."""

from __future__ import annotations

import time
from typing import Any, Mapping, MutableMapping

import streamlit as st

from geo import schema
from geo.filters import Filters, vendor_counts
from geo.load import Atlas

FILTER_KEYS = {
    "vendors": "f_vendors",
    "vendor_countries": "f_vendor_countries",
    "countries": "f_countries",
    "sectors": "f_sectors",
    "statuses": "f_statuses",
    "confidences": "f_confidences",
    "years": "f_years",
    "text": "f_text",
}
PLAYING_KEY = "playing"
PLAY_STEP_DUE_KEY = "play_step_due"  # set after a year has been on screen for a while
PLAY_STEP_SECONDS = 1.0
NOTICES_KEY = "link_notices"  # what a shared link asked for that had to be ignored


def filters_from_state(state: Mapping[str, Any], bounds: tuple[int, int]) -> Filters:
    """The Filters that the widgets' current values stand for (an end of the year range left at the data's
    bound restricts nothing, so it is left out of the filters, the sentence and the link)."""
    year_from, year_to = state.get(FILTER_KEYS["years"], bounds)
    return Filters(
        vendors=tuple(state.get(FILTER_KEYS["vendors"], ())),
        vendor_countries=tuple(state.get(FILTER_KEYS["vendor_countries"], ())),
        countries=tuple(state.get(FILTER_KEYS["countries"], ())),
        sectors=tuple(state.get(FILTER_KEYS["sectors"], ())),
        statuses=tuple(state.get(FILTER_KEYS["statuses"], ())),
        confidences=tuple(state.get(FILTER_KEYS["confidences"], ())),
        year_from=None if year_from <= bounds[0] else int(year_from),
        year_to=None if year_to >= bounds[1] else int(year_to),
        text=str(state.get(FILTER_KEYS["text"], "")),
    )


def reset_filters(state: MutableMapping[str, Any]) -> None:
    """Clear every filter (the widgets fall back to their defaults) and stop playback."""
    for key in FILTER_KEYS.values():
        state.pop(key, None)
    state[PLAYING_KEY] = False
    state[NOTICES_KEY] = []


def next_play_year(state: Mapping[str, Any], bounds: tuple[int, int]) -> int | None:
    """The year the timeline shows next while playing, or None when it has reached the end."""
    _, year_to = state.get(FILTER_KEYS["years"], bounds)
    return None if year_to >= bounds[1] else int(year_to) + 1


def advance_playback(state: MutableMapping[str, Any], bounds: tuple[int, int]) -> None:
    """One step of 'play': show everything deployed up to the next year; stop at the end. Steps only when
    one is due, so the run right after Play shows the starting year before the first step."""
    if not state.get(PLAYING_KEY) or not state.pop(PLAY_STEP_DUE_KEY, False):
        return
    year = next_play_year(state, bounds)
    if year is None:
        state[PLAYING_KEY] = False
    else:
        state[FILTER_KEYS["years"]] = (bounds[0], year)


def start_or_pause(state: MutableMapping[str, Any], bounds: tuple[int, int]) -> None:
    """Play from where the timeline ends (from the first year when it is at the end), or pause."""
    state.pop(PLAY_STEP_DUE_KEY, None)
    if state.get(PLAYING_KEY):
        state[PLAYING_KEY] = False
        return
    state[PLAYING_KEY] = True
    _, year_to = state.get(FILTER_KEYS["years"], bounds)
    if year_to >= bounds[1]:
        state[FILTER_KEYS["years"]] = (bounds[0], bounds[0])


def wait_for_next_step(state: MutableMapping[str, Any]) -> None:
    """Leave the current year on screen for a moment, then mark the next step as due."""
    time.sleep(PLAY_STEP_SECONDS)
    state[PLAY_STEP_DUE_KEY] = True


def _toggle_play(bounds: tuple[int, int]) -> None:
    start_or_pause(st.session_state, bounds)


def _multiselect(label: str, key: str, options: list[str], labels: Mapping[str, str], help: str | None = None) -> None:
    st.multiselect(label, options, key=key, format_func=lambda v: labels.get(v, v), help=help)


def render_sidebar(atlas: Atlas, filters: Filters, bounds: tuple[int, int]) -> None:
    """Draw every filter widget (their values are read back through `filters_from_state`)."""
    deployments = atlas.deployments
    country_names = atlas.country_names
    with st.sidebar:
        st.header("Filters")
        counts = vendor_counts(deployments, filters)
        vendor_ids = sorted(atlas.vendors["id"], key=lambda v: (-counts.get(v, 0), atlas.vendor_names.get(v, v)))
        vendor_ids = [v for v in vendor_ids if counts.get(v, 0) or v in filters.vendors]
        vendor_labels = {v: f"{atlas.vendor_names.get(v, v)} ({counts.get(v, 0)})" for v in vendor_ids}
        _multiselect("Vendor", FILTER_KEYS["vendors"], vendor_ids, vendor_labels,
                     help="Counts are deployments under the other filters.")
        homes = sorted(atlas.vendor_home_countries, key=lambda c: country_names.get(c, c))
        _multiselect("Vendor's home country", FILTER_KEYS["vendor_countries"], homes, country_names)
        here = sorted(atlas.deployment_countries, key=lambda c: country_names.get(c, c))
        _multiselect("Deployment country", FILTER_KEYS["countries"], here, country_names)
        _multiselect("Sector", FILTER_KEYS["sectors"], list(schema.SECTORS), schema.SECTORS)
        _multiselect("Status", FILTER_KEYS["statuses"], list(schema.STATUSES), schema.STATUSES)
        _multiselect("Confidence", FILTER_KEYS["confidences"], list(schema.CONFIDENCES), schema.CONFIDENCES,
                     help="; ".join(f"{schema.CONFIDENCES[k]}: {v}" for k, v in schema.CONFIDENCE_MEANINGS.items()))
        st.text_input("Search", key=FILTER_KEYS["text"], placeholder="name, place, operator, description")
        st.subheader("Timeline")
        st.session_state.setdefault(FILTER_KEYS["years"], tuple(bounds))
        st.slider("Active in years", min_value=bounds[0], max_value=bounds[1],
                  key=FILTER_KEYS["years"], disabled=bool(st.session_state.get(PLAYING_KEY)))
        playing = bool(st.session_state.get(PLAYING_KEY))
        left, right = st.columns(2)
        left.button("⏸ Pause" if playing else "▶ Play", on_click=_toggle_play, args=(bounds,), width="stretch",
                    help="Step through the years, showing everything deployed up to each year.")
        right.button("Reset filters", on_click=reset_filters, args=(st.session_state,), width="stretch")
