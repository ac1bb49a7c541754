"""Selecting deployments: each filter is GeoDataFrame in, GeoDataFrame out; `Filters` bundles them all."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Iterable

import geopandas as gpd
import pandas as pd

from geo import schema

TEXT_COLUMNS = ("name", "place", "operator", "description")


@dataclass(frozen=True)
class Filters:
    """Everything a user can narrow the map by. Empty tuples and None mean 'no restriction'."""

    vendors: tuple[str, ...] = ()
    vendor_countries: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    confidences: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    text: str = ""

    def is_empty(self) -> bool:
        return self == Filters()

    def without(self, name: str) -> "Filters":
        """The same filters with one of them cleared."""
        return replace(self, **{name: Filters.__dataclass_fields__[name].default})

    def active(self) -> list[str]:
        """Names of the filters that restrict anything."""
        return [f.name for f in fields(self) if getattr(self, f.name) != f.default]


def _any_in(column: pd.Series, wanted: Iterable[str]) -> pd.Series:
    wanted_set = set(wanted)
    return column.map(lambda values: not wanted_set.isdisjoint(values)).astype(bool)


def vendor_mask(gdf: gpd.GeoDataFrame, vendors: Iterable[str]) -> pd.Series:
    return _any_in(gdf["vendors"], vendors)


def vendor_country_mask(gdf: gpd.GeoDataFrame, countries: Iterable[str]) -> pd.Series:
    return _any_in(gdf["vendor_countries"], countries)


def country_mask(gdf: gpd.GeoDataFrame, countries: Iterable[str]) -> pd.Series:
    return gdf["country"].isin(list(countries))


def sector_mask(gdf: gpd.GeoDataFrame, sectors: Iterable[str]) -> pd.Series:
    return _any_in(gdf["sectors"], sectors)


def year_mask(gdf: gpd.GeoDataFrame, year_from: int | None, year_to: int | None) -> pd.Series:
    """Active at some point in [year_from, year_to]: started by its end and not ended before its start."""
    mask = pd.Series(True, index=gdf.index)
    if year_to is not None:
        mask &= (gdf["year_start"] <= year_to).fillna(False).astype(bool)
    if year_from is not None:
        mask &= (gdf["year_end"].isna() | (gdf["year_end"] >= year_from)).fillna(True).astype(bool)
    return mask


def text_mask(gdf: gpd.GeoDataFrame, text: str) -> pd.Series:
    """Case-insensitive substring match over names, places, operators and descriptions."""
    needle = text.strip().casefold()
    if not needle:
        return pd.Series(True, index=gdf.index)
    haystack = gdf[list(TEXT_COLUMNS)].fillna("").astype(str).agg(" ".join, axis=1).str.casefold()
    return haystack.str.contains(needle, regex=False)


def filter_by_vendor(gdf: gpd.GeoDataFrame, vendors: Iterable[str]) -> gpd.GeoDataFrame:
    return gdf[vendor_mask(gdf, vendors)]


def filter_by_year(gdf: gpd.GeoDataFrame, year_from: int | None, year_to: int | None) -> gpd.GeoDataFrame:
    return gdf[year_mask(gdf, year_from, year_to)]


def filter_by_country(gdf: gpd.GeoDataFrame, countries: Iterable[str]) -> gpd.GeoDataFrame:
    return gdf[country_mask(gdf, countries)]


def filter_by_text(gdf: gpd.GeoDataFrame, text: str) -> gpd.GeoDataFrame:
    return gdf[text_mask(gdf, text)]


def selection_mask(gdf: gpd.GeoDataFrame, filters: Filters) -> pd.Series:
    """True for each deployment that passes every active filter."""
    mask = pd.Series(True, index=gdf.index)
    if filters.vendors:
        mask &= vendor_mask(gdf, filters.vendors)
    if filters.vendor_countries:
        mask &= vendor_country_mask(gdf, filters.vendor_countries)
    if filters.countries:
        mask &= country_mask(gdf, filters.countries)
    if filters.sectors:
        mask &= sector_mask(gdf, filters.sectors)
    if filters.statuses:
        mask &= gdf["status"].isin(filters.statuses)
    if filters.confidences:
        mask &= gdf["confidence"].isin(filters.confidences)
    if filters.year_from is not None or filters.year_to is not None:
        mask &= year_mask(gdf, filters.year_from, filters.year_to)
    if filters.text.strip():
        mask &= text_mask(gdf, filters.text)
    return mask


def apply_filters(gdf: gpd.GeoDataFrame, filters: Filters) -> gpd.GeoDataFrame:
    """The deployments that pass every active filter."""
    return gdf[selection_mask(gdf, filters)]


def vendor_counts(gdf: gpd.GeoDataFrame, filters: Filters) -> dict[str, int]:
    """Deployments per vendor id under all filters except the vendor filter itself (for the vendor picker)."""
    others = apply_filters(gdf, filters.without("vendors"))
    return others["vendors"].explode().value_counts().astype(int).to_dict()


def count_by_country(gdf: gpd.GeoDataFrame) -> dict[str, int]:
    """Deployments per country code."""
    return gdf["country"].value_counts().astype(int).to_dict()


def year_bounds(gdf: gpd.GeoDataFrame) -> tuple[int, int]:
    """The first start year and the last year anything is known to run (at least this year's data)."""
    if gdf.empty:
        return (2000, 2020)
    first = int(gdf["year_start"].min())
    last = int(max(gdf["year_start"].max(), gdf["year_end"].max(skipna=True) if gdf["year_end"].notna().any() else 0))
    return first, last


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def describe_filters(
    filters: Filters,
    vendor_names: dict[str, str] | None = None,
    country_names: dict[str, str] | None = None,
) -> list[str]:
    """Each active filter as a short phrase, e.g. 'vendor Huawei', 'active 2014–2019'."""
    vendor_names = vendor_names or {}
    country_names = country_names or {}
    phrases: list[str] = []
    if filters.vendors:
        names = [vendor_names.get(v, v) for v in filters.vendors]
        phrases.append(("vendor " if len(names) == 1 else "vendors ") + _join(names))
    if filters.vendor_countries:
        names = [country_names.get(c, c) for c in filters.vendor_countries]
        phrases.append("vendors based in " + _join(names))
    if filters.countries:
        names = [country_names.get(c, c) for c in filters.countries]
        phrases.append("in " + _join(names))
    if filters.year_from is not None or filters.year_to is not None:
        if filters.year_from is not None and filters.year_to is not None:
            phrases.append(f"active {filters.year_from}–{filters.year_to}")
        elif filters.year_from is not None:
            phrases.append(f"active in or after {filters.year_from}")
        else:
            phrases.append(f"active in or before {filters.year_to}")
    if filters.sectors:
        phrases.append("sector " + _join([schema.SECTORS.get(s, s).lower() for s in filters.sectors]))
    if filters.statuses:
        phrases.append("status " + _join([schema.STATUSES.get(s, s).lower() for s in filters.statuses]))
    if filters.confidences:
        phrases.append("confidence " + _join([schema.CONFIDENCES.get(c, c).lower() for c in filters.confidences]))
    if filters.text.strip():
        phrases.append(f"matching “{filters.text.strip()}”")
    return phrases


def selection_sentence(
    shown: int,
    total: int,
    filters: Filters,
    vendor_names: dict[str, str] | None = None,
    country_names: dict[str, str] | None = None,
) -> str:
    """'Showing 14 of 83 deployments: vendor Huawei, active 2014–2019, sector policing'."""
    noun = "deployment" if total == 1 else "deployments"
    sentence = f"Showing {shown} of {total} {noun}"
    phrases = describe_filters(filters, vendor_names, country_names)
    return sentence + (": " + ", ".join(phrases) if phrases else "")


FILTER_LABELS = {
    "vendors": "vendor",
    "vendor_countries": "vendor's home country",
    "countries": "country",
    "sectors": "sector",
    "statuses": "status",
    "confidences": "confidence",
    "year_from": "start of the year range",
    "year_to": "end of the year range",
    "text": "search text",
}


def relax_suggestions(gdf: gpd.GeoDataFrame, filters: Filters) -> list[tuple[str, int]]:
    """For each active filter, how many deployments clearing it alone would show; most helpful first."""
    counts = [(name, int(selection_mask(gdf, filters.without(name)).sum())) for name in filters.active()]
    return sorted([c for c in counts if c[1] > 0], key=lambda c: -c[1])
