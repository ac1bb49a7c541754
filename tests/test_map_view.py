"""The map gets a head start over the widgets drawn after it, only in a run that changes what it shows."""

from components.map_view import MAP_HEAD_START_SECONDS, map_head_start_left, note_selection_sent


def test_only_a_run_that_changes_the_selection_holds_back_the_widgets():
    state: dict = {}
    assert note_selection_sent(state, b"\x07", now=10.0)  # the session's first map
    assert map_head_start_left(state, now=10.0) == MAP_HEAD_START_SECONDS
    assert not note_selection_sent(state, b"\x07", now=11.0)  # e.g. a record opened, same filters
    assert map_head_start_left(state, now=11.0) == 0.0
    assert note_selection_sent(state, b"\x02", now=12.0)  # a filter changed what the map shows
    assert map_head_start_left(state, now=12.0) == MAP_HEAD_START_SECONDS


def test_the_wait_counts_from_when_the_map_was_sent_and_never_goes_below_zero():
    state: dict = {}
    note_selection_sent(state, b"\x08", now=5.0)
    assert abs(map_head_start_left(state, now=5.0 + MAP_HEAD_START_SECONDS / 4) - MAP_HEAD_START_SECONDS * 3 / 4) < 1e-9
    assert map_head_start_left(state, now=5.0 + MAP_HEAD_START_SECONDS * 2) == 0.0
