"""Tables and chart data for a selection, vendor profiles, and finding the record a map click hit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import schema
from geo.export import spreadsheet_safe
from geo.html import years_text
from geo.load import explode_vendors, list_values, vendor_counts
from geo.mapdata import OTHER_COLOR, OTHER_LABEL, PLACEHOLDER_VENDORS

CLICK_TOLERANCE_DEGREES = 1e-5


def table_frame(selection: gpd.GeoDataFrame, country_names: Mapping[str, str]) -> pd.DataFrame:
    """One row per deployment with the columns the table shows, first source as a link. Text that a
    spreadsheet would run as a formula gets a leading apostrophe, because the grid offers its own CSV
    download of exactly these cells."""
    table = pd.DataFrame(
        {
            "Name": selection["name"],
            "Place": selection["place"],
            "Country": [country_names.get(c, c) for c in selection["country"]],
            "Vendors": [", ".join(v) for v in selection["vendor_names"]],
            "Since": selection["year_start"],
            "Until": selection["year_end"],
            "Status": [schema.STATUSES.get(s, s) for s in selection["status"]],
            "Confidence": [schema.CONFIDENCES.get(c, c) for c in selection["confidence"]],
            "First source": [s[0]["url"] if s else "" for s in selection["sources"]],
        }
    ).reset_index(drop=True)
    for column in ("Name", "Place", "Country", "Vendors", "Status", "Confidence"):
        table[column] = table[column].map(spreadsheet_safe)
    return table


def _vendor_label(vendor: str, colors: Mapping[str, str], names: Mapping[str, str]) -> str:
    return OTHER_LABEL if colors.get(vendor, OTHER_COLOR) == OTHER_COLOR else names.get(vendor, vendor)


def started_per_year(selection: gpd.GeoDataFrame, colors: Mapping[str, str], names: Mapping[str, str]) -> pd.DataFrame:
    """Deployments started per year and vendor (vendors without their own colour grouped as one). Each
    deployment counts once: one with several vendors is shared equally among them, so a year's bars add
    up to the deployments started that year."""
    if selection.empty:
        return pd.DataFrame(columns=["year", "vendor", "deployments"])
    shares = 1 / selection["vendors"].map(len).astype("int64").clip(lower=1)  # no vendor named: a whole one
    rows = explode_vendors(selection[["vendors", "year_start"]].assign(share=shares))
    frame = pd.DataFrame(
        {
            "year": rows["year_start"].astype(int),
            "vendor": [_vendor_label(v, colors, names) for v in rows["vendor"]],
            "deployments": rows["share"].astype(float),
        }
    )
    return frame.groupby(["year", "vendor"], as_index=False)["deployments"].sum()


def multi_vendor_count(selection: gpd.GeoDataFrame) -> int:
    """How many deployments name more than one vendor."""
    return int(selection["vendors"].map(len).astype("int64").gt(1).sum())


def top_vendors(selection: gpd.GeoDataFrame, names: Mapping[str, str], n: int = 10) -> pd.DataFrame:
    counts = vendor_counts(selection).head(n)
    return pd.DataFrame({"vendor": [names.get(v, v) for v in counts.index], "deployments": counts.values})


def top_countries(selection: gpd.GeoDataFrame, country_names: Mapping[str, str], n: int = 10) -> pd.DataFrame:
    counts = selection["country"].value_counts().head(n)
    return pd.DataFrame({"country": [country_names.get(c, c) for c in counts.index], "deployments": counts.values})


def selection_overview(selection: gpd.GeoDataFrame) -> dict[str, Any]:
    """The selection in numbers: deployments, countries, named vendors, the span of start years, and how
    many records there are per confidence level and per status (every level listed, zeros included)."""
    named = list_values(selection["vendors"]) - PLACEHOLDER_VENDORS
    years = selection["year_start"].dropna()
    return {
        "deployments": len(selection),
        "countries": selection["country"].nunique(),
        "vendors": len(named),
        "first_year": int(years.min()) if not years.empty else None,
        "last_year": int(years.max()) if not years.empty else None,
        "by_confidence": {c: int((selection["confidence"] == c).sum()) for c in schema.CONFIDENCES},
        "by_status": {s: int((selection["status"] == s).sum()) for s in schema.STATUSES},
    }


def vendor_profile(deployments: gpd.GeoDataFrame, vendors: pd.DataFrame, vendor_id: str) -> dict[str, Any]:
    """What the vendor profile shows: the vendor row plus how many deployments, where, since when, and the
    deployments started in every year from the first to the last (zeros included)."""
    row = vendors[vendors["id"] == vendor_id].iloc[0].to_dict()
    mine = deployments[deployments["vendors"].map(lambda ids: vendor_id in ids)]
    if mine.empty:
        per_year = pd.Series(dtype=int)
    else:
        starts = mine["year_start"].astype(int)
        per_year = starts.value_counts().reindex(range(starts.min(), starts.max() + 1), fill_value=0).sort_index()
    return {
        **row,
        "deployments": len(mine),
        "countries": sorted(set(mine["country"])),
        "since": int(mine["year_start"].min()) if not mine.empty else None,
        "per_year": pd.DataFrame({"year": per_year.index, "deployments": per_year.values}),
    }


def find_clicked(selection: gpd.GeoDataFrame, lat: float, lng: float, tooltip: str | None = None) -> str | None:
    """The id of the deployment a map click hit: the marker at that point, disambiguated by its tooltip."""
    if selection.empty:
        return None
    near = selection[
        ((selection.geometry.y - lat).abs() < CLICK_TOLERANCE_DEGREES)
        & ((selection.geometry.x - lng).abs() < CLICK_TOLERANCE_DEGREES)
    ]
    if near.empty:
        return None
    if tooltip and len(near) > 1:
        named = near[[tooltip.strip().startswith(str(n)) for n in near["name"]]]
        if not named.empty:
            near = named
    return str(near.iloc[0]["id"])


def years_label(record: Mapping[str, Any]) -> str:
    return years_text(record.get("year_start"), record.get("year_end"))
