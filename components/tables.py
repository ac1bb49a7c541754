"""The selection in numbers, as a sortable table and as charts (Altair)."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import geopandas as gpd
import pandas as pd
import streamlit as st

from components.data import data_dir
from geo.html import overview_html
from geo.mapdata import OTHER_COLOR, OTHER_LABEL
from geo.points import POINTS_FILE, is_lean, page_count, page_rows, read_records
from geo.summaries import (
    multi_vendor_count,
    selection_overview,
    started_per_year,
    table_frame,
    top_countries,
    top_vendors,
)

LARGE_TABLE_ROWS = 1000  # rows of a page of a large dataset's table (its records are read from its file)
TABLE_PAGE_KEY = "table_page"


def render_overview(selection: gpd.GeoDataFrame) -> None:
    st.html(overview_html(selection_overview(selection)))


def _choose_table_page(total: int) -> range:
    """The page of a large selection's table the reader asks for (a page number input when there are several)."""
    pages = page_count(total, LARGE_TABLE_ROWS)
    if pages == 1:
        return page_rows(total, 1, LARGE_TABLE_ROWS)
    state = st.session_state
    state[TABLE_PAGE_KEY] = min(int(state.get(TABLE_PAGE_KEY, 1)), pages)  # the filters may have narrowed it
    page = st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, step=1, key=TABLE_PAGE_KEY)
    return page_rows(total, int(page), LARGE_TABLE_ROWS)


def render_table(selection: gpd.GeoDataFrame, country_names: Mapping[str, str], vendors: pd.DataFrame) -> None:
    if is_lean(selection):  # a large dataset: a page of its records at a time, read in full from its file
        rows = _choose_table_page(len(selection))
        st.caption(
            f"Records {rows.start + 1:,}–{rows.stop:,} of these {len(selection):,}, {LARGE_TABLE_ROWS:,} a page."
        )
        selection = read_records(data_dir() / POINTS_FILE, selection["row"].iloc[rows.start : rows.stop], vendors)
    st.dataframe(
        table_frame(selection, country_names),
        hide_index=True,
        width="stretch",
        column_config={
            "First source": st.column_config.LinkColumn("First source"),
            "Since": st.column_config.NumberColumn(format="%d"),
            "Until": st.column_config.NumberColumn(format="%d"),
        },
    )


def _vendor_scale(colors: Mapping[str, str], names: Mapping[str, str], present: list[str]) -> alt.Scale:
    domain = [v for v in present if v != OTHER_LABEL] + ([OTHER_LABEL] if OTHER_LABEL in present else [])
    by_name = {names.get(v, v): c for v, c in colors.items()}
    return alt.Scale(domain=domain, range=[by_name.get(v, OTHER_COLOR) for v in domain])


def render_charts(
    selection: gpd.GeoDataFrame, colors: Mapping[str, str], names: Mapping[str, str], country_names: Mapping[str, str]
) -> None:
    per_year = started_per_year(selection, colors, names)
    scale = _vendor_scale(colors, names, sorted(set(per_year["vendor"])))
    st.altair_chart(
        alt.Chart(per_year, title="Deployments started per year, by vendor")
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("deployments:Q", title="Deployments started"),
            color=alt.Color("vendor:N", scale=scale, title="Vendor"),
            tooltip=["year", "vendor", alt.Tooltip("deployments:Q", format=".2~f", title="deployments (share)")],
        ),
        width="stretch",
    )
    st.caption(multi_vendor_note(multi_vendor_count(selection), len(selection)))
    left, right = st.columns(2)
    with left:
        st.altair_chart(
            alt.Chart(top_vendors(selection, names), title="Top vendors")
            .mark_bar()
            .encode(x=alt.X("deployments:Q", title="Deployments"), y=alt.Y("vendor:N", sort="-x", title=None)),
            width="stretch",
        )
        st.caption("A deployment with several vendors counts once for each of them here.")
    with right:
        st.altair_chart(
            alt.Chart(top_countries(selection, country_names), title="Top countries")
            .mark_bar()
            .encode(x=alt.X("deployments:Q", title="Deployments"), y=alt.Y("country:N", sort="-x", title=None)),
            width="stretch",
        )


def multi_vendor_note(multi: int, total: int) -> str:
    """How the year chart counts deployments that name several vendors."""
    return (
        f"Each of the {total} deployments counts once. {multi} of them name several vendors; each of those is "
        "shared equally among its vendors, so a year's bars add up to the deployments started that year."
    )
