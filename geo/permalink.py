"""Filters, the map view and the open record <-> URL query string. Parsing never raises: anything unknown or
malformed is dropped with a notice naming what was ignored, and the rest of the link still applies. The
filter parameters come from the registry in `geo.filters`."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from geo.filters import FILTER_PARAMS, Filters, Vocabulary, filter_params, parse_filters, shown
from geo.versions import is_dated_version

VIEW_PARAM = "view"
OPEN_PARAM = "open"
VERSION_PARAM = "v"  # the dated data version the link was made with
KNOWN_PARAMS = (*FILTER_PARAMS, VIEW_PARAM, OPEN_PARAM, VERSION_PARAM)


@dataclass(frozen=True)
class MapView:
    lat: float
    lng: float
    zoom: int

    def to_param(self) -> str:
        return f"{self.lat:.4f},{self.lng:.4f},{self.zoom}"


@dataclass
class ParsedLink:
    filters: Filters
    view: MapView | None = None
    open_id: str | None = None
    ignored: list[str] = field(default_factory=list)
    version: str | None = None  # a known dated data version, when the link carries one


def _values(params: Mapping[str, object], name: str) -> list[str]:
    raw = params.get(name)
    if raw is None:
        return []
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    return [str(v) for v in items]


def _parse_view(params: Mapping[str, object], ignored: list[str]) -> MapView | None:
    values = _values(params, VIEW_PARAM)
    if not values:
        return None
    parts = values[-1].split(",")
    try:
        lat, lng, zoom = float(parts[0]), float(parts[1]), int(parts[2])
        if (
            len(parts) != 3
            or not all(map(math.isfinite, (lat, lng)))
            or not (-90 <= lat <= 90 and -180 <= lng <= 180 and 1 <= zoom <= 19)
        ):
            raise ValueError
    except (ValueError, IndexError):
        ignored.append(f"view={shown(values[-1])} (expected latitude,longitude,zoom)")
        return None
    return MapView(lat, lng, zoom)


def _parse_open(params: Mapping[str, object], record_ids: Collection[str] | None, ignored: list[str]) -> str | None:
    values = _values(params, OPEN_PARAM)
    if not values:
        return None
    wanted = values[-1].strip()
    if record_ids is not None and wanted not in record_ids:
        ignored.append(f"open={shown(wanted)} (no deployment with this id)")
        return None
    return wanted


def _parse_version(params: Mapping[str, object], versions: Collection[str] | None, ignored: list[str]) -> str | None:
    values = _values(params, VERSION_PARAM)
    if not values:
        return None
    wanted = values[-1].strip()
    if not is_dated_version(wanted):
        ignored.append(f"{VERSION_PARAM}={shown(wanted)} (expected a data version such as 2026.12.02)")
        return None
    if versions is not None and wanted not in versions:
        ignored.append(f"{VERSION_PARAM}={shown(wanted)} (no release of the data has this version)")
        return None
    return wanted


def parse_link(
    params: Mapping[str, object],
    vocabulary: Vocabulary,
    record_ids: Collection[str] | None = None,
    versions: Collection[str] | None = None,
) -> ParsedLink:
    """Filters, the map view, the record to open and the data version, from query parameters; what could
    not be used is in `ignored`. A version is kept when it is one of `versions` (the releases of the data)."""
    lists = {name: _values(params, name) for name in params}
    parsed = parse_filters(lists, vocabulary)
    ignored = parsed.ignored
    for name in params:
        if name not in KNOWN_PARAMS:
            ignored.append(f"{shown(str(name))} (not a filter of this map)")
    view = _parse_view(params, ignored)
    open_id = _parse_open(params, record_ids, ignored)
    return ParsedLink(parsed.filters, view, open_id, ignored, _parse_version(params, versions, ignored))


def link_params(
    filters: Filters, view: MapView | None = None, open_id: str | None = None, version: str | None = None
) -> dict[str, list[str]]:
    """The query parameters for these filters (only the active ones), in a stable order."""
    params = filter_params(filters)
    if view is not None:
        params[VIEW_PARAM] = [view.to_param()]
    if open_id:
        params[OPEN_PARAM] = [open_id]
    if version:
        params[VERSION_PARAM] = [version]
    return params


def query_string(params: Mapping[str, Iterable[str]]) -> str:
    return urlencode([(k, v) for k, values in params.items() for v in values])


def permalink(
    base_url: str,
    filters: Filters,
    view: MapView | None = None,
    open_id: str | None = None,
    version: str | None = None,
) -> str:
    """The full link that reopens this view (and this record's details, given `open_id`); with the dated
    data `version` it was made with, so that a reader opening it later is told what changed since."""
    query = query_string(link_params(filters, view, open_id, version))
    base = base_url.split("?", 1)[0]
    return base + ("?" + query if query else "")
