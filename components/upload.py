"""Open your own data: a newsroom opens its own CSV, XLSX or GeoJSON of deployments, maps its columns and sees
it with the atlas's filters, timeline, sharing and exports. The file stays in this server process's memory
for the session (nothing is written or sent anywhere); rows that fail the project's checks are left out and
listed, never silently."""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import streamlit as st

from components.data import OWN_DATA_KEY, OwnData, data_dir, loaded_from, own_data
from components.details import SELECTED_KEY
from components.permalink import VIEW_KEY
from components.sidebar import session_state
from geo import schema
from geo.filters import FILTERS
from geo.html import markdown_code
from geo.importer import (
    ATLAS_FORMAT,
    PRESET_LABELS,
    PRESETS,
    BaseData,
    ColumnMapping,
    ImportResult,
    SourceColumns,
    Table,
    guess_for,
    guess_mapping,
    import_table,
    read_base_data,
    read_table,
)
from geo.problems import Problem

UPLOAD_KEY = "own_upload"
REFUSED_KEY = "own_refused"  # problems of the last file that could not be shown at all
PRESET_KEY = "own_preset"
TABLE_KEY = "own_table"  # (upload id, the file read as a table or None, its problems)
GUESS = "guess"
NONE = "(none)"
FROM_COLUMN = "(from the column)"
MAX_PROBLEMS_SHOWN = 50
PROFILE_VENDOR_KEY = "profile_vendor"  # the vendor profiles' selectbox (components/details.py)
# The mapping's choices in the panel: target -> label.
COLUMN_CHOICES: dict[str, str] = {
    "latitude": "Latitude",
    "longitude": "Longitude",
    "country": "Country (ISO code or name)",
    "vendors": "Vendor(s), separated by ;",
    "year_start": "Year (since)",
    "year_end": "Year (until)",
    "status": "Status",
    "sectors": "Sector(s)",
    "name": "Name",
    "operator": "Operator",
    "description": "Description",
    "id": "Id",
    "precision": "Location precision",
    "cameras": "Cameras",
    "confidence": "Confidence",
}
SOURCE_CHOICES: dict[str, str] = {
    "url": "Source URL (required)",
    "publisher": "Source publisher",
    "title": "Source title",
    "date": "Source date",
    "quote": "Source quote",
    "kind": "Source kind",
}
CONSTANT_CHOICES: dict[str, dict[str, str]] = {
    "country": {},
    "sectors": schema.SECTORS,
    "status": schema.STATUSES,
    "confidence": schema.CONFIDENCES,
    "precision": schema.PRECISIONS,
}


@st.cache_resource(show_spinner=False)
def _base_data(folder: str) -> BaseData:
    return read_base_data(Path(folder))


def problem_lines(problems: list[Problem], limit: int = MAX_PROBLEMS_SHOWN) -> list[str]:
    """One line per problem: file, row and record id, field (and the file's column), what was wrong."""
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"… and {len(problems) - limit} more (python -m geo.snapshot --data FILE lists them all).")
    return lines


def notice_text(own: OwnData) -> str:
    """The line that says, while own data is shown, that it is not the atlas."""
    shown = len(own.loaded.atlas.deployments)
    return f"Showing your own data: {markdown_code(own.file)} ({shown} record{'s' if shown != 1 else ''})"


def left_out_text(own: OwnData) -> str | None:
    left_out = own.rows_read - len(own.loaded.atlas.deployments)
    if not left_out:
        return None
    return f"{left_out} of {own.rows_read} rows left out: they fail the atlas's checks (listed below)."


def clear_view_state(state: MutableMapping[str, Any]) -> None:
    """Forget the filters, open record and map view, which belong to the data shown before."""
    for key in [f.key for f in FILTERS] + [SELECTED_KEY, VIEW_KEY, PROFILE_VENDOR_KEY]:
        state.pop(key, None)


def show_result(state: MutableMapping[str, Any], result: ImportResult) -> None:
    """Show an import's valid records, or refuse the file (with its problems) when none is valid."""
    if result.atlas is None or result.atlas.deployments.empty:
        state[REFUSED_KEY] = result.problems or [
            Problem(result.file, "-", "-", "has no row to show; expected at least one row that passes the checks")
        ]
        return
    state.pop(REFUSED_KEY, None)
    clear_view_state(state)
    state[OWN_DATA_KEY] = OwnData(
        result.file, loaded_from(result.atlas, private=True), result.skipped, result.rows_read
    )


def back_to_atlas(state: MutableMapping[str, Any]) -> None:
    state.pop(OWN_DATA_KEY, None)
    clear_view_state(state)


def _open(table: Table, mapping: ColumnMapping) -> None:
    show_result(session_state(), import_table(table, mapping, _base_data(str(data_dir()))))


def _column_choice(label: str, header: list[str], chosen: str, key: str) -> str:
    options = [NONE, *header]
    picked = st.selectbox(label, options, index=options.index(chosen) if chosen in header else 0, key=key)
    return "" if picked == NONE else str(picked)


def _constant_choice(target: str, choices: dict[str, str], current: str, key: str) -> str:
    label = f"{target.capitalize()} for every row"
    if not choices:
        return str(st.text_input(label, value=current, key=key)).strip()
    options = [FROM_COLUMN, *choices]
    picked = st.selectbox(
        label,
        options,
        index=options.index(current) if current in options else 0,
        format_func=lambda v: choices.get(v, v),
        key=key,
    )
    return "" if picked == FROM_COLUMN else str(picked)


def mapping_widgets(table: Table, start: ColumnMapping) -> ColumnMapping:
    """Selectboxes prefilled from `start`; the mapping they say."""
    prefix = f"own_map_{table.file}_{start.name}_"
    columns = {
        target: _column_choice(label, table.header, start.column(target), prefix + target)
        for target, label in COLUMN_CHOICES.items()
    }
    place = st.multiselect(
        "Place (columns joined with commas)",
        table.header,
        default=[c for c in start.place if c in table.header],
        key=prefix + "place",
    )
    first = start.sources[0] if start.sources else SourceColumns()
    source = SourceColumns(
        **{
            t: _column_choice(label, table.header, first.column(t), prefix + "source_" + t)
            for t, label in SOURCE_CHOICES.items()
        }
    )
    constants: dict[str, str] = {}
    st.caption("The same value for every row (used where the column is not chosen or a cell is empty):")
    for target, choices in CONSTANT_CHOICES.items():
        value = _constant_choice(target, choices, start.constants.get(target, ""), prefix + "const_" + target)
        if value:
            constants[target] = value
    keep = start.keep
    if keep is not None and not st.checkbox(
        f"Only rows whose {keep.column} says {' or '.join(keep.contains)}", value=True, key=prefix + "keep"
    ):
        keep = None
    return ColumnMapping(
        columns={t: c for t, c in columns.items() if c},
        place=tuple(place),
        sources=(source, *start.sources[1:]),
        constants={**{k: v for k, v in start.constants.items() if k not in CONSTANT_CHOICES}, **constants},
        keep=keep,
        name=start.name,
    )


def _starting_mapping(table: Table) -> ColumnMapping:
    guessed = guess_for(table)
    options = [GUESS, *(p for p in PRESETS if p != ATLAS_FORMAT.name or table.features is not None)]
    preset = st.selectbox(
        "Format",
        options,
        index=options.index(guessed.name) if guessed.name in options else 0,
        format_func=lambda v: "Guess from the column names" if v == GUESS else PRESET_LABELS[v],
        key=f"{PRESET_KEY}_{table.file}",
    )
    return PRESETS[preset] if preset in PRESETS else guess_mapping(table.header, use_presets=False)


def render_notice() -> None:
    """While own data is shown: say so, list what was left out, and offer the way back to the atlas."""
    own = own_data()
    if own is None:
        return
    st.info(notice_text(own) + ". It is not part of the atlas, and stays in this session only.")
    left_out = left_out_text(own)
    if own.skipped:
        st.caption(f"{own.skipped} rows of other technologies were set aside by the format's row filter.")
    if left_out:
        st.warning(left_out)
        with st.expander("Rows left out", expanded=True):
            st.text("\n".join(problem_lines(own.loaded.atlas.problems)))
    st.button("Back to the atlas", on_click=back_to_atlas, args=(session_state(),), key="own_back")


def _read_once(file: Any) -> tuple[Table | None, list[Problem]]:
    """The chosen file read once per upload (not again on every rerun of the page), kept in the session."""
    state = session_state()
    kept = state.get(TABLE_KEY)
    if not (isinstance(kept, tuple) and kept[0] == file.file_id):
        kept = (file.file_id, *read_table(file.getvalue(), file.name))
        state[TABLE_KEY] = kept
    return kept[1], kept[2]


def render_panel() -> None:
    """The sidebar's "Open your own data": file, format, column mapping and the button that shows it."""
    with st.sidebar.expander("Open your own data", expanded=own_data() is not None):
        st.caption(
            "A CSV, Excel (.xlsx) or GeoJSON file with one row per deployment. It is not uploaded anywhere: it "
            "stays in this app's memory for your session only. Rows are checked by the atlas's own rules."
        )
        file = st.file_uploader("Your file", type=["csv", "xlsx", "geojson", "json"], key=UPLOAD_KEY)
        if file is None:
            return
        table, problems = _read_once(file)
        if table is None:
            st.error("This file cannot be opened:")
            st.text("\n".join(problem_lines(problems)))
            return
        start = _starting_mapping(table)
        mapping = start if start is ATLAS_FORMAT else mapping_widgets(table, start)
        st.button("Show my data", on_click=_open, args=(table, mapping), type="primary", key="own_show")
        refused = st.session_state.get(REFUSED_KEY)
        if refused:
            st.error("This file was not shown: no row passes the checks.")
            st.text("\n".join(problem_lines(refused)))
