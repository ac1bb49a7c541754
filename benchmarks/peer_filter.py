"""The vendor filter the benchmark's peer pages share with each other (same key, options, order and labels
as the app's `f_vendors`, so the benchmark clicks the same first option on every page)."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from geo.filters import Filters, apply_filters, vendor_counts
from geo.load import Atlas


def vendor_filtered(atlas: Atlas) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Draw the sidebar's vendor multiselect and the "Showing N of M" line; return the selection and the
    vendor ids on offer (most deployments first)."""
    names = atlas.vendor_names
    counts = vendor_counts(atlas.deployments, Filters())
    options = sorted(
        (v for v in atlas.vendors["id"] if counts.get(v, 0)), key=lambda v: (-counts.get(v, 0), names.get(v, v))
    )
    with st.sidebar:
        chosen = st.multiselect(
            "Vendor", options, key="f_vendors", format_func=lambda v: f"{names.get(v, v)} ({counts.get(v, 0)})"
        )
    selection = apply_filters(atlas.deployments, Filters(vendors=chosen))
    st.markdown(f"**Showing {len(selection)} of {len(atlas.deployments)} deployments**")
    return selection, options
