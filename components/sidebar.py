"""Sidebar filters, the year timeline with its play control, and reset. Every widget comes from the filter
registry (`geo.filters.FILTERS`); its value lives in `st.session_state` under the filter's key, so the filters
can be read before the widgets are drawn. Widget values are ids; labels are only display."""

from __future__ import annotations

import time
from collections.abc import Mapping, MutableMapping
from typing import Any, cast

import streamlit as st

from geo.filters import FILTERS, YEARS, ChoiceFilter, Filters, TextFilter, Vocabulary, option_counts
from geo.load import Atlas

PLAYING_KEY = "playing"
PLAY_STEP_DUE_KEY = "play_step_due"  # set after a year has been on screen for a while
PLAY_STEP_SECONDS = 1.0
NOTICES_KEY = "link_notices"  # what a shared link asked for that had to be ignored
COUNTED_OPTIONS_SHOWN = 5


def session_state() -> MutableMapping[str, Any]:
    """Streamlit's session state, typed as the mapping it behaves as."""
    return cast(MutableMapping[str, Any], st.session_state)


def filters_from_state(state: Mapping[str, Any], vocabulary: Vocabulary) -> Filters:
    """The Filters that the widgets' current values stand for."""
    return Filters(**{f.name: f.from_state(state[f.key], vocabulary) for f in FILTERS if f.key in state})


def state_from_filters(state: MutableMapping[str, Any], filters: Filters, vocabulary: Vocabulary) -> None:
    """Set every widget's value so that it shows these filters."""
    for f in FILTERS:
        state[f.key] = f.to_state(filters[f.name], vocabulary)


def reset_filters(state: MutableMapping[str, Any], vocabulary: Vocabulary) -> None:
    """Clear every filter and stop playback. Each widget gets its default value explicitly: a key that is
    only removed leaves the old value in the browser, which sends it back with the next change."""
    state_from_filters(state, Filters(), vocabulary)
    state[PLAYING_KEY] = False
    state[NOTICES_KEY] = []


def _years(state: Mapping[str, Any], bounds: tuple[int, int]) -> tuple[int, int]:
    low, high = state.get(YEARS.key, bounds)
    return int(low), int(high)


def next_play_year(state: Mapping[str, Any], bounds: tuple[int, int]) -> int | None:
    """The year the timeline shows next while playing, or None when it has reached the end."""
    _, year_to = _years(state, bounds)
    return None if year_to >= bounds[1] else year_to + 1


def advance_playback(state: MutableMapping[str, Any], bounds: tuple[int, int]) -> None:
    """One step of 'play': show everything deployed up to the next year; stop at the end. Steps only when
    one is due, so the run right after Play shows the starting year before the first step."""
    if not state.get(PLAYING_KEY) or not state.pop(PLAY_STEP_DUE_KEY, False):
        return
    year = next_play_year(state, bounds)
    if year is None:
        state[PLAYING_KEY] = False
    else:
        state[YEARS.key] = (bounds[0], year)


def start_or_pause(state: MutableMapping[str, Any], bounds: tuple[int, int]) -> None:
    """Play from where the timeline ends (from the first year when it is at the end), or pause."""
    state.pop(PLAY_STEP_DUE_KEY, None)
    if state.get(PLAYING_KEY):
        state[PLAYING_KEY] = False
        return
    state[PLAYING_KEY] = True
    _, year_to = _years(state, bounds)
    if year_to >= bounds[1]:
        state[YEARS.key] = (bounds[0], bounds[0])


def wait_for_next_step(state: MutableMapping[str, Any]) -> None:
    """Leave the current year on screen for a moment, then mark the next step as due."""
    time.sleep(PLAY_STEP_SECONDS)
    state[PLAY_STEP_DUE_KEY] = True


def counted_options(options: tuple[str, ...], counts: Mapping[str, int], chosen: tuple[str, ...]) -> list[str]:
    """Options with deployments under the other filters, most first (chosen ones always stay)."""
    kept = [o for o in options if counts.get(o, 0) or o in chosen]
    return sorted(kept, key=lambda o: -counts.get(o, 0))


def counts_caption(options: list[str], counts: Mapping[str, int], labels: Mapping[str, str]) -> str:
    """'Under the other filters: Huawei 13 · Hikvision 6 · … and 12 more' (the counts stay out of the option labels: Streamlit
    matches a chosen option by its label, so a label that changes would lose the choice)."""
    shown = [f"{labels.get(o, o)} {counts.get(o, 0)}" for o in options[:COUNTED_OPTIONS_SHOWN]]
    rest = len(options) - len(shown)
    return "Under the other filters: " + " · ".join(shown) + (f" · and {rest} more" if rest > 0 else "")


def _choice_widget(spec: ChoiceFilter, atlas: Atlas, filters: Filters, vocabulary: Vocabulary) -> None:
    labels = vocabulary.labels[spec.name]
    options = list(vocabulary.options[spec.name])
    if len(options) < 2 and not filters[spec.name]:
        return  # nothing to choose between (a dataset of deployments only has no record-kind picker)
    if spec.name == "vendors":
        counts = option_counts(atlas.deployments, filters, spec.name)
        options = counted_options(vocabulary.options[spec.name], counts, filters[spec.name])
    st.multiselect(spec.label, options, key=spec.key, format_func=lambda v: labels.get(v, v), help=spec.help)
    if spec.name == "vendors" and options:
        st.caption(counts_caption(options, counts, labels))


def _toggle_play(bounds: tuple[int, int]) -> None:
    start_or_pause(session_state(), bounds)


def _years_widget(bounds: tuple[int, int]) -> None:
    st.subheader("Timeline")
    playing = bool(st.session_state.get(PLAYING_KEY))
    st.slider(YEARS.label, min_value=bounds[0], max_value=bounds[1], key=YEARS.key, disabled=playing)
    st.button(
        "⏸ Pause" if playing else "▶ Play",
        on_click=_toggle_play,
        args=(bounds,),
        width="stretch",
        help="Step through the years, showing everything deployed up to each year.",
    )


def render_sidebar(atlas: Atlas, filters: Filters, vocabulary: Vocabulary) -> None:
    """Draw every filter's widget, in registry order, and Reset."""
    with st.sidebar:
        st.header("Filters")
        for spec in FILTERS:
            if isinstance(spec, ChoiceFilter):
                _choice_widget(spec, atlas, filters, vocabulary)
            elif isinstance(spec, TextFilter):
                st.text_input(spec.label, key=spec.key, placeholder=spec.placeholder)
            elif spec is YEARS:
                _years_widget(vocabulary.year_bounds)
        st.button("Reset filters", on_click=reset_filters, args=(session_state(), vocabulary), width="stretch")


def ensure_widget_state(state: MutableMapping[str, Any], vocabulary: Vocabulary) -> None:
    """Give every widget a value before the filters are read (on a session's first run)."""
    for f in FILTERS:
        if f.key not in state:
            state[f.key] = f.to_state(f.default(), vocabulary)
