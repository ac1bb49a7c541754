"""Filters <-> URL query string. Parsing never raises: anything unknown or malformed is dropped with a
notice naming what was ignored, and the rest of the link still applies."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Mapping
from urllib.parse import urlencode

from geo import schema
from geo.filters import Filters
from geo.validate import is_ascii_int

if TYPE_CHECKING:
    from geo.load import Atlas

MAX_VALUE_LENGTH = 200
MAX_VALUES_PER_PARAM = 50
SHOWN_VALUE_LENGTH = 40

# query parameter -> Filters field, for the multi-valued filters
LIST_PARAMS = {
    "vendor": "vendors",
    "home": "vendor_countries",
    "country": "countries",
    "sector": "sectors",
    "status": "statuses",
    "confidence": "confidences",
}
KNOWN_PARAMS = (*LIST_PARAMS, "from", "to", "q", "view")


@dataclass(frozen=True)
class Vocabulary:
    """The values a link may name: vendor ids, country codes, and the schema's enums."""

    vendors: frozenset[str]
    countries: frozenset[str]
    vendor_countries: frozenset[str]
    year_bounds: tuple[int, int]

    def allowed(self, param: str) -> frozenset[str]:
        return {
            "vendor": self.vendors,
            "home": self.vendor_countries,
            "country": self.countries,
            "sector": frozenset(schema.SECTORS),
            "status": frozenset(schema.STATUSES),
            "confidence": frozenset(schema.CONFIDENCES),
        }[param]


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
    ignored: list[str] = field(default_factory=list)


def _shown(value: str) -> str:
    value = value.replace("\n", " ")
    return repr(value if len(value) <= SHOWN_VALUE_LENGTH else value[: SHOWN_VALUE_LENGTH - 1] + "…")


def _values(params: Mapping[str, object], name: str) -> list[str]:
    raw = params.get(name)
    if raw is None:
        return []
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    return [str(v) for v in items]


def _parse_year(params: Mapping[str, object], name: str, bounds: tuple[int, int], ignored: list[str]) -> int | None:
    values = _values(params, name)
    if not values:
        return None
    text = values[-1].strip()
    if not is_ascii_int(text) or len(text) > 4:
        ignored.append(f"{name}={_shown(text)} (expected a year such as {bounds[0]})")
        return None
    year = int(text)
    if not bounds[0] <= year <= bounds[1]:
        ignored.append(f"{name}={year} (outside the data's years {bounds[0]}–{bounds[1]})")
        return None
    return year


def _parse_view(params: Mapping[str, object], ignored: list[str]) -> MapView | None:
    values = _values(params, "view")
    if not values:
        return None
    parts = values[-1].split(",")
    try:
        lat, lng, zoom = float(parts[0]), float(parts[1]), int(parts[2])
        if len(parts) != 3 or not all(map(math.isfinite, (lat, lng))) or not (-90 <= lat <= 90 and -180 <= lng <= 180 and 1 <= zoom <= 19):
            raise ValueError
    except (ValueError, IndexError):
        ignored.append(f"view={_shown(values[-1])} (expected latitude,longitude,zoom)")
        return None
    return MapView(lat, lng, zoom)


def atlas_vocabulary(atlas: Atlas, bounds: tuple[int, int]) -> Vocabulary:
    """What a link (or the CLI) may name: the vendor ids, and the countries the filters offer, which are
    those with deployments."""
    return Vocabulary(frozenset(atlas.vendors["id"]), atlas.deployment_countries, atlas.vendor_home_countries, bounds)


# A real country code can still be unusable: the filters only offer countries that occur in the data.
UNKNOWN_REASONS = {"country": "no deployment in this country", "home": "no vendor based in this country"}


def parse_link(params: Mapping[str, object], vocabulary: Vocabulary) -> ParsedLink:
    """Filters (and the map view, if given) from query parameters; what could not be used is in `ignored`."""
    ignored: list[str] = []
    chosen: dict[str, tuple[str, ...]] = {}
    for param, filter_name in LIST_PARAMS.items():
        allowed = vocabulary.allowed(param)
        kept: list[str] = []
        for value in _values(params, param)[:MAX_VALUES_PER_PARAM]:
            if value in allowed and value not in kept:
                kept.append(value)
            elif value not in allowed:
                ignored.append(f"{param}={_shown(value)} ({UNKNOWN_REASONS.get(param, f'unknown {param}')})")
        if len(_values(params, param)) > MAX_VALUES_PER_PARAM:
            ignored.append(f"{param}: more than {MAX_VALUES_PER_PARAM} values")
        chosen[filter_name] = tuple(kept)
    year_from = _parse_year(params, "from", vocabulary.year_bounds, ignored)
    year_to = _parse_year(params, "to", vocabulary.year_bounds, ignored)
    if year_from is not None and year_to is not None and year_from > year_to:
        ignored.append(f"from={year_from} and to={year_to} (the range ends before it starts)")
        year_from = year_to = None
    text = (_values(params, "q") or [""])[-1]
    if len(text) > MAX_VALUE_LENGTH:
        ignored.append(f"q of {len(text)} characters (at most {MAX_VALUE_LENGTH})")
        text = ""
    for name in params:
        if name not in KNOWN_PARAMS:
            ignored.append(f"{_shown(str(name))} (not a filter of this map)")
    filters = Filters(**chosen, year_from=year_from, year_to=year_to, text=text.strip())
    return ParsedLink(filters, _parse_view(params, ignored), ignored)


def link_params(filters: Filters, view: MapView | None = None) -> dict[str, list[str]]:
    """The query parameters for these filters (only the active ones), in a stable order."""
    params: dict[str, list[str]] = {}
    for param, filter_name in LIST_PARAMS.items():
        values = getattr(filters, filter_name)
        if values:
            params[param] = list(values)
    if filters.year_from is not None:
        params["from"] = [str(filters.year_from)]
    if filters.year_to is not None:
        params["to"] = [str(filters.year_to)]
    if filters.text.strip():
        params["q"] = [filters.text.strip()]
    if view is not None:
        params["view"] = [view.to_param()]
    return params


def query_string(params: Mapping[str, Iterable[str]]) -> str:
    return urlencode([(k, v) for k, values in params.items() for v in values])


def permalink(base_url: str, filters: Filters, view: MapView | None = None) -> str:
    """The full link that reopens this view."""
    query = query_string(link_params(filters, view))
    base = base_url.split("?", 1)[0]
    return base + ("?" + query if query else "")
