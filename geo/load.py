"""Load the data files, check them, and join deployments with vendors into one GeoDataFrame (EPSG:4326)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import schema
from geo.search import search_texts
from geo.validate import (
    DATA_DIR,
    CountryIndex,
    Problem,
    is_ascii_int,
    read_data_files,
    read_deployment_features,
    record_key,
    validate_deployments,
)

CRS = "EPSG:4326"
INT_FIELDS = ("year_start", "year_end", "cameras")


@dataclass
class Atlas:
    """Everything the app shows: deployments joined with vendors, the vendor table and country shapes."""

    deployments: gpd.GeoDataFrame
    vendors: pd.DataFrame
    countries: gpd.GeoDataFrame
    problems: list[Problem] = field(default_factory=list)

    # Cached: the page asks for these dozens of times per run, and the tables do not change once loaded.
    @cached_property
    def vendor_names(self) -> dict[str, str]:
        return dict(zip(self.vendors["id"], self.vendors["name"]))

    @cached_property
    def country_names(self) -> dict[str, str]:
        return dict(zip(self.countries["iso_a2"], self.countries["name"]))

    @cached_property
    def record_ids(self) -> frozenset[str]:
        return frozenset(self.deployments["id"])

    @cached_property
    def deployment_countries(self) -> frozenset[str]:
        """Countries with at least one deployment: what the country filter offers."""
        return frozenset(self.deployments["country"].unique())

    @cached_property
    def vendor_home_countries(self) -> frozenset[str]:
        """Home countries of the vendors of at least one deployment: what the home-country filter offers."""
        return frozenset(list_values(self.deployments["vendor_countries"]))


def normalise_properties(props: dict[str, Any]) -> dict[str, Any]:
    """One record's properties with stripped text, list fields as lists and years as ints."""
    row: dict[str, Any] = {}
    for f in schema.DEPLOYMENT_FIELDS:
        value = props.get(f.name)
        if isinstance(value, str):
            value = value.strip()
        if f.name in schema.LIST_FIELDS:
            value = [v.strip() for v in value or []]
        row[f.name] = value
    row["sources"] = [
        {k: (s.get(k) or "").strip() for k in schema.SOURCE_FIELD_NAMES} for s in props.get("sources") or []
    ]
    row["history"] = [dict(e) for e in props.get("history") or []]
    row["vendor_roles"] = dict(props.get("vendor_roles") or {})
    return row


def deployments_frame(features: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    """A GeoDataFrame of normalised deployments from (already validated) GeoJSON features."""
    rows = [normalise_properties(f["properties"]) for f in features]
    frame = pd.DataFrame(rows, columns=list(schema.DEPLOYMENT_FIELD_NAMES))
    for name in INT_FIELDS:
        frame[name] = pd.array(frame[name].tolist(), dtype="Int64")
    lon = [f["geometry"]["coordinates"][0] for f in features]
    lat = [f["geometry"]["coordinates"][1] for f in features]
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs=CRS)


def deployments_from_collection(
    data: Any, file: str, vendor_ids: set[str] | None = None, countries: CountryIndex | None = None
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Deployments that pass validation, and the problems of those that do not (nothing is silently dropped)."""
    problems = validate_deployments(data, file, vendor_ids, countries)
    return good_deployments(data, problems), problems


def good_deployments(data: Any, problems: list[Problem]) -> gpd.GeoDataFrame:
    """The records of a checked FeatureCollection that have no problem."""
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        return deployments_frame([])
    bad_records = {p.record for p in problems}
    good = [
        f
        for i, f in enumerate(data["features"])
        if isinstance(f, dict)
        and isinstance(f.get("properties"), dict)
        and record_key(f["properties"], i) not in bad_records
    ]
    return deployments_frame(good)


def read_deployments(
    path: Path, vendor_ids: set[str] | None = None, countries: CountryIndex | None = None
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Deployments from a GeoJSON file, or from a CSV written by `geo.export.to_csv`."""
    features, problems = read_deployment_features(Path(path))
    if features is None:
        return deployments_frame([]), problems
    return deployments_from_collection(
        {"type": "FeatureCollection", "features": features}, str(path), vendor_ids, countries
    )


def vendors_frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """The vendor table with `entity_list_year` as a nullable int and `aliases` as a list."""
    columns = list(schema.VENDOR_FIELD_NAMES)
    frame = pd.DataFrame(rows, columns=columns).fillna("").astype(str)
    frame = frame.apply(lambda column: column.str.strip())
    frame["entity_list_year"] = pd.array(
        [int(v) if is_ascii_int(v) else None for v in frame["entity_list_year"]], dtype="Int64"
    )
    frame["aliases"] = [[a.strip() for a in v.split(";") if a.strip()] for v in frame["aliases"]]
    return frame


def countries_frame(features: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    """Country shapes, one row per ISO code (parts dissolved), with `iso_a2` and `name`."""
    countries = gpd.GeoDataFrame.from_features(features, crs=CRS)
    countries = countries[countries["iso_a2"].fillna("") != ""]
    dissolved = countries.dissolve(by="iso_a2", aggfunc={"name": "first"}).reset_index()
    return dissolved[["iso_a2", "name", "geometry"]]


def join_vendors(deployments: gpd.GeoDataFrame, vendors: pd.DataFrame) -> gpd.GeoDataFrame:
    """Deployments with `vendor_names` and `vendor_countries` (home countries) lists added."""
    names = dict(zip(vendors["id"], vendors["name"]))
    homes = dict(zip(vendors["id"], vendors["hq_country"]))
    joined = deployments.copy()
    joined["vendor_names"] = [[names.get(v, v) for v in ids] for ids in joined["vendors"]]
    joined["vendor_countries"] = [sorted({homes[v] for v in ids if homes.get(v)}) for ids in joined["vendors"]]
    return joined


def explode_vendors(deployments: pd.DataFrame) -> pd.DataFrame:
    """One row per (deployment, vendor): a deployment with several vendors counts under each of them.
    Pass only the columns needed: every column is copied."""
    exploded = deployments.assign(vendors=explodable(deployments["vendors"])).explode("vendors", ignore_index=True)
    return exploded.rename(columns={"vendors": "vendor"})


def list_values(column: pd.Series) -> set[Any]:
    """Every value held by some record of a list column (once per distinct tuple for a categorical one)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        observed = column.cat.categories[column.cat.codes[column.cat.codes >= 0].unique()]
        return {value for values in observed for value in values}
    return {value for values in column for value in values}


def explodable(column: pd.Series) -> pd.Series:
    """A list column as pandas can explode it: a categorical column of tuples (geo/points.py) as objects."""
    return column.astype(object) if isinstance(column.dtype, pd.CategoricalDtype) else column


def list_value_counts(column: pd.Series) -> pd.Series:
    """How many records hold each value of a list column, most first (a record counts under each of its
    values). A categorical column of tuples (geo/points.py) is counted once per distinct tuple."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        counts: dict[Any, int] = {}
        for values, n in column.value_counts().items():
            for value in values if n else ():
                counts[value] = counts.get(value, 0) + int(n)
        return pd.Series(counts, dtype="int64").sort_values(ascending=False, kind="stable")
    return column.explode().dropna().value_counts()


def vendor_counts(deployments: pd.DataFrame) -> pd.Series:
    """How many deployments name each vendor, most first (one with several vendors counts under each)."""
    return list_value_counts(deployments["vendors"])


class DataError(ValueError):
    """The data cannot be shown at all: a whole file is missing, unreadable or of the wrong shape."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def load_atlas(data_dir: Path = DATA_DIR) -> Atlas:
    """Read, check and join the three files in `data_dir`. Records with problems are left out and listed
    in `Atlas.problems`; a file that cannot be used at all raises DataError naming it."""
    data_dir = Path(data_dir)
    files = read_data_files(data_dir / "deployments.geojson", data_dir / "vendors.csv", data_dir / "countries.geojson")
    if (
        files.file_problems()
        or files.vendor_rows is None
        or files.country_features is None
        or files.deployments is None
    ):
        raise DataError(files.file_problems() or files.problems[:1])
    # A vendor row with a problem is still shown (its problem is listed), so no deployment vanishes with it.
    return build_atlas(files.vendor_rows, files.deployments, files.country_features, files.problems)


def build_atlas(
    vendor_rows: list[dict[str, str]], collection: Any, country_features: list[dict[str, Any]], problems: list[Problem]
) -> Atlas:
    """The atlas of checked files: the records of `collection` without problems, joined with the vendors,
    with their search texts (the atlas's own data and an imported table are built alike)."""
    vendors = vendors_frame(vendor_rows)
    deployments = good_deployments(collection, problems)
    countries = countries_frame(country_features)
    joined = join_vendors(deployments, vendors)
    country_names = dict(zip(countries["iso_a2"], countries["name"]))
    joined["search_text"] = search_texts(joined, dict(zip(vendors["id"], vendors["aliases"])), country_names)
    return Atlas(joined, vendors, countries, problems)
