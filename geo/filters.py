"""Selecting deployments. Every filter is one entry of FILTERS, which says everything about it: its URL
parameter, CLI flag, session-state key, label, options and their labels, its mask, its phrase in the sentence
and its hint when a selection is empty. `Filters` (the values), link parsing and writing, the sidebar, the
sentence, the relax suggestions and the CLI are all made from that list."""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geo import schema
from geo.load import list_value_counts, list_values
from geo.search import matches, search_texts
from geo.validate import is_ascii_int

if TYPE_CHECKING:
    from geo.load import Atlas

Params = Mapping[str, Sequence[str]]  # query parameters: name -> values, as in a URL
MAX_VALUE_LENGTH = 200
MAX_VALUES_PER_PARAM = 50
SHOWN_VALUE_LENGTH = 40


def shown(value: str) -> str:
    """A received value, quoted and cut short, for a notice."""
    value = value.replace("\n", " ")
    return repr(value if len(value) <= SHOWN_VALUE_LENGTH else value[: SHOWN_VALUE_LENGTH - 1] + "…")


def join_words(items: Sequence[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


@dataclass(frozen=True)
class Vocabulary:
    """What the filters offer for one dataset: each choice filter's option ids (in display order) and
    their labels, and the years the data spans."""

    options: Mapping[str, tuple[str, ...]]
    labels: Mapping[str, Mapping[str, str]]
    year_bounds: tuple[int, int]

    def label(self, filter_name: str, value: str) -> str:
        return self.labels.get(filter_name, {}).get(value, value)


class FilterSpec:
    """One filter. Subclasses say how its value is read, written, matched and described."""

    name: str  # the key in `Filters`
    label: str  # the widget's label
    hint: str  # how the relax suggestion names it: "vendor (would show 3)"
    params: tuple[str, ...]  # its URL parameters (also its CLI flags, `--param`)
    widget: str  # "choices", "years" or "text": which widget the sidebar draws

    @property
    def key(self) -> str:
        """The session-state key of its widget."""
        return f"f_{self.name}"

    def default(self) -> Any:
        raise NotImplementedError

    def normalise(self, value: Any) -> Any:
        return value

    def is_active(self, value: Any) -> bool:
        return value != self.default()

    def mask(self, gdf: gpd.GeoDataFrame, value: Any, filters: Filters) -> pd.Series:
        raise NotImplementedError

    def phrase(self, value: Any, vocabulary: Vocabulary) -> str:
        raise NotImplementedError

    def parse(self, params: Params, vocabulary: Vocabulary, ignored: list[str]) -> Any:
        raise NotImplementedError

    def to_params(self, value: Any) -> dict[str, list[str]]:
        raise NotImplementedError

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        raise NotImplementedError

    def to_state(self, value: Any, vocabulary: Vocabulary) -> Any:
        """The widget value that shows this filter value."""
        return value

    def from_state(self, state_value: Any, vocabulary: Vocabulary) -> Any:
        """The filter value a widget value stands for."""
        return self.normalise(state_value)


def _any_in(column: pd.Series, wanted: Iterable[str]) -> pd.Series:
    wanted_set = set(wanted)
    return column.map(lambda values: not wanted_set.isdisjoint(values)).astype(bool)


@dataclass(frozen=True)
class ChoiceFilter(FilterSpec):
    """Pick any of a set of ids (vendor ids, country codes, schema values); a record matches if its column
    holds one of them. Widget values are ids; labels are only ever display."""

    name: str
    param: str
    label: str
    hint: str
    column: str
    list_column: bool  # the column holds a list of ids per record
    options_of: Callable[[Atlas], list[str]]
    labels_of: Callable[[Atlas], Mapping[str, str]]
    phrase_start: tuple[str, str]  # (one value, several values)
    lowercase_labels: bool = False
    unknown_reason: str = ""
    help: str | None = None
    widget: str = "choices"

    @property
    def params(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.param,)

    def default(self) -> tuple[str, ...]:
        return ()

    def normalise(self, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            return (value,)
        return tuple(dict.fromkeys(str(v) for v in value or ()))

    def mask(self, gdf: gpd.GeoDataFrame, value: tuple[str, ...], filters: Filters) -> pd.Series:
        if self.list_column:
            return _any_in(gdf[self.column], value)
        return gdf[self.column].isin(list(value))

    def phrase(self, value: tuple[str, ...], vocabulary: Vocabulary) -> str:
        names = [vocabulary.label(self.name, v) for v in value]
        if self.lowercase_labels:
            names = [n.lower() for n in names]
        return self.phrase_start[0 if len(names) == 1 else 1] + join_words(names)

    def resolve(self, received: str, vocabulary: Vocabulary) -> str | None:
        """The option a received value names: its id or its label, in any case."""
        options = vocabulary.options.get(self.name, ())
        if received in options:
            return received
        folded = received.strip().casefold()
        by_id = {o.casefold(): o for o in options}
        if folded in by_id:
            return by_id[folded]
        by_label = [o for o in options if vocabulary.label(self.name, o).casefold() == folded]
        return by_label[0] if len(by_label) == 1 else None

    def suggestions(self, received: str, vocabulary: Vocabulary) -> list[str]:
        """Ids close to a value that names none, best first."""
        options = vocabulary.options.get(self.name, ())
        candidates = {o.casefold(): o for o in options}
        candidates.update({vocabulary.label(self.name, o).casefold(): o for o in options})
        close = difflib.get_close_matches(received.casefold(), list(candidates), n=3, cutoff=0.6)
        return list(dict.fromkeys(candidates[c] for c in close))

    def unknown_notice(self, received: str, vocabulary: Vocabulary) -> str:
        close = self.suggestions(received, vocabulary)
        hint = f"; did you mean {join_words(close)}?" if close else ""
        return f"{self.param}={shown(received)} ({self.unknown_reason or f'unknown {self.param}'}{hint})"

    def parse(self, params: Params, vocabulary: Vocabulary, ignored: list[str]) -> tuple[str, ...]:
        received = [str(v) for v in params.get(self.param, ())]
        kept: list[str] = []
        for value in received[:MAX_VALUES_PER_PARAM]:
            option = self.resolve(value, vocabulary)
            if option is None:
                ignored.append(self.unknown_notice(value, vocabulary))
            elif option not in kept:
                kept.append(option)
        if len(received) > MAX_VALUES_PER_PARAM:
            ignored.append(f"{self.param}: more than {MAX_VALUES_PER_PARAM} values")
        return tuple(kept)

    def to_params(self, value: tuple[str, ...]) -> dict[str, list[str]]:
        return {self.param: list(value)} if value else {}

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            f"--{self.param}",
            action="append",
            default=[],
            metavar="ID",
            help=f"{self.label}: an id or name, any case (repeatable); `--list {self.name}` shows them",
        )

    def to_state(self, value: tuple[str, ...], vocabulary: Vocabulary) -> list[str]:
        return list(value)


def status_as_of(gdf: gpd.GeoDataFrame, year: int | None) -> pd.Series:
    """Each record's status in `year` (its latest status when None): from its history where it has one,
    the status of the last event up to that year."""
    status = gdf["status"]
    if year is None or "history" not in gdf:
        return status
    dated = gdf["history"].map(bool)
    if not dated.any():
        return status
    status = status.astype(object)  # a copy, which may also hold statuses a categorical column lacks
    for index, events in gdf.loc[dated, "history"].items():
        before = [e for e in events if e["year"] <= year]
        status.at[index] = (before[-1] if before else events[0])["status"]
    return status


@dataclass(frozen=True)
class StatusFilter(ChoiceFilter):
    """Statuses as of the year the timeline shows (the end of the year range), so a record announced in
    2019 and operational from 2021 counts as announced in 2020."""

    def mask(self, gdf: gpd.GeoDataFrame, value: tuple[str, ...], filters: Filters) -> pd.Series:
        return status_as_of(gdf, filters["years"][1]).isin(list(value))


@dataclass(frozen=True)
class YearsFilter(FilterSpec):
    """Active at some point in [from, to]: started by its end and not ended before its start. An end left
    at the data's bound restricts nothing, so it is None (and left out of the sentence and the link)."""

    name: str = "years"
    label: str = "Active in years"
    hint: str = "the year range"
    params: tuple[str, ...] = ("from", "to")
    widget: str = "years"

    def default(self) -> tuple[int | None, int | None]:
        return (None, None)

    def normalise(self, value: Any) -> tuple[int | None, int | None]:
        low, high = value if value is not None else (None, None)
        return (None if low is None else int(low), None if high is None else int(high))

    def mask(self, gdf: gpd.GeoDataFrame, value: tuple[int | None, int | None], filters: Filters) -> pd.Series:
        year_from, year_to = value
        mask = pd.Series(True, index=gdf.index)
        if year_to is not None:
            mask &= (gdf["year_start"] <= year_to).fillna(False).astype(bool)
        if year_from is not None:
            mask &= (gdf["year_end"].isna() | (gdf["year_end"] >= year_from)).fillna(True).astype(bool)
        return mask

    def phrase(self, value: tuple[int | None, int | None], vocabulary: Vocabulary) -> str:
        year_from, year_to = value
        if year_from is not None and year_to is not None:
            return f"active {year_from}–{year_to}"
        if year_from is not None:
            return f"active in or after {year_from}"
        return f"active in or before {year_to}"

    def _parse_year(self, params: Params, name: str, bounds: tuple[int, int], ignored: list[str]) -> int | None:
        values = [str(v) for v in params.get(name, ())]
        if not values:
            return None
        text = values[-1].strip()
        if not is_ascii_int(text) or len(text) > 4:
            ignored.append(f"{name}={shown(text)} (expected a year such as {bounds[0]})")
            return None
        year = int(text)
        if not bounds[0] <= year <= bounds[1]:
            ignored.append(f"{name}={year} (outside the data's years {bounds[0]}–{bounds[1]})")
            return None
        return year

    def parse(self, params: Params, vocabulary: Vocabulary, ignored: list[str]) -> tuple[int | None, int | None]:
        bounds = vocabulary.year_bounds
        year_from = self._parse_year(params, "from", bounds, ignored)
        year_to = self._parse_year(params, "to", bounds, ignored)
        if year_from is not None and year_to is not None and year_from > year_to:
            ignored.append(f"from={year_from} and to={year_to} (the range ends before it starts)")
            return (None, None)
        return self.from_state((year_from or bounds[0], year_to or bounds[1]), vocabulary)

    def to_params(self, value: tuple[int | None, int | None]) -> dict[str, list[str]]:
        return {name: [str(year)] for name, year in zip(self.params, value) if year is not None}

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--from", dest="from", metavar="YEAR", help=f"{self.label}: in or after this year")
        parser.add_argument("--to", dest="to", metavar="YEAR", help=f"{self.label}: in or before this year")

    def to_state(self, value: tuple[int | None, int | None], vocabulary: Vocabulary) -> tuple[int, int]:
        low, high = vocabulary.year_bounds
        return (value[0] if value[0] is not None else low, value[1] if value[1] is not None else high)

    def from_state(self, state_value: Any, vocabulary: Vocabulary) -> tuple[int | None, int | None]:
        low, high = vocabulary.year_bounds
        year_from, year_to = state_value if state_value is not None else (low, high)
        return (None if year_from <= low else int(year_from), None if year_to >= high else int(year_to))


@dataclass(frozen=True)
class TextFilter(FilterSpec):
    """Free text over names, places, countries, operators, descriptions, vendor names and aliases and the
    sources' publishers and titles; case-, accent- and transliteration-insensitive."""

    name: str = "text"
    label: str = "Search"
    hint: str = "search text"
    params: tuple[str, ...] = ("q",)
    widget: str = "text"
    placeholder: str = "place, vendor, operator, source…"

    def default(self) -> str:
        return ""

    def normalise(self, value: Any) -> str:
        return str(value or "").strip()

    def mask(self, gdf: gpd.GeoDataFrame, value: str, filters: Filters) -> pd.Series:
        texts = gdf["search_text"] if "search_text" in gdf else pd.Series(search_texts(gdf, {}, {}), index=gdf.index)
        return matches(texts, value)

    def phrase(self, value: str, vocabulary: Vocabulary) -> str:
        return f"matching “{value}”"

    def parse(self, params: Params, vocabulary: Vocabulary, ignored: list[str]) -> str:
        values = [str(v) for v in params.get("q", ())]
        text = values[-1] if values else ""
        if len(text) > MAX_VALUE_LENGTH:
            ignored.append(f"q of {len(text)} characters (at most {MAX_VALUE_LENGTH})")
            return ""
        return self.normalise(text)

    def to_params(self, value: str) -> dict[str, list[str]]:
        return {"q": [value]} if value else {}

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--q", metavar="TEXT", help=f"{self.label}: {self.placeholder}")


def _vendor_options(atlas: Atlas) -> list[str]:
    used = list_values(atlas.deployments["vendors"])
    return sorted(used, key=lambda v: (str(atlas.vendor_names.get(v) or v).casefold(), v))


def _country_options(codes: Iterable[str], atlas: Atlas) -> list[str]:
    return sorted(codes, key=lambda c: (str(atlas.country_names.get(c) or c).casefold(), c))


def _enum(choices: Mapping[str, str]) -> tuple[Callable[[Atlas], list[str]], Callable[[Atlas], Mapping[str, str]]]:
    return (lambda atlas: list(choices)), (lambda atlas: choices)


def _kind_options(atlas: Atlas) -> list[str]:
    present = set(atlas.deployments["kind"].unique()) if "kind" in atlas.deployments else {"deployment"}
    return [k for k in schema.RECORD_KINDS if k in present]


FILTERS: tuple[FilterSpec, ...] = (
    ChoiceFilter("kinds", "kind", "Record kind", "record kind", "kind", False, _kind_options,
                 lambda atlas: schema.RECORD_KINDS, ("kind ", "kinds "), lowercase_labels=True,
                 help="Deployments of face recognition, or policies on it: bans, moratoria, rulings, decisions."),
    ChoiceFilter(
        "vendors", "vendor", "Vendor", "vendor", "vendors", True,
        _vendor_options, lambda atlas: atlas.vendor_names, ("vendor ", "vendors "),
        unknown_reason="no deployment by this vendor",
        help="Most deployments first, counted under the other filters.",
    ),
    ChoiceFilter(
        "vendor_countries", "home", "Vendor's home country", "vendor's home country", "vendor_countries", True,
        lambda atlas: _country_options(atlas.vendor_home_countries, atlas), lambda atlas: atlas.country_names,
        ("vendors based in ", "vendors based in "), unknown_reason="no vendor based in this country",
    ),
    ChoiceFilter(
        "countries", "country", "Deployment country", "country", "country", False,
        lambda atlas: _country_options(atlas.deployment_countries, atlas), lambda atlas: atlas.country_names,
        ("in ", "in "), unknown_reason="no deployment in this country",
    ),
    ChoiceFilter("sectors", "sector", "Sector", "sector", "sectors", True, *_enum(schema.SECTORS),
                 ("sector ", "sector "), lowercase_labels=True),
    StatusFilter("statuses", "status", "Status", "status", "status", False, *_enum(schema.STATUSES),
                 ("status ", "status "), lowercase_labels=True,
                 help="As of the last year of the timeline, for records whose status changed."),
    ChoiceFilter(
        "confidences", "confidence", "Confidence", "confidence", "confidence", False, *_enum(schema.CONFIDENCES),
        ("confidence ", "confidence "), lowercase_labels=True,
        help="; ".join(f"{schema.CONFIDENCES[k]}: {v}" for k, v in schema.CONFIDENCE_MEANINGS.items()),
    ),
    TextFilter(),
    YearsFilter(),
)  # fmt: skip
FILTERS_BY_NAME: dict[str, FilterSpec] = {f.name: f for f in FILTERS}
CHOICE_FILTERS: tuple[ChoiceFilter, ...] = tuple(f for f in FILTERS if isinstance(f, ChoiceFilter))
FILTER_PARAMS: tuple[str, ...] = tuple(p for f in FILTERS for p in f.params)
YEARS = FILTERS_BY_NAME["years"]


def choice_filter(name_or_param: str) -> ChoiceFilter | None:
    """The choice filter with this name ("vendors") or URL parameter ("vendor")."""
    return next((f for f in CHOICE_FILTERS if name_or_param in (f.name, f.param)), None)


class Filters(Mapping[str, Any]):
    """Every filter's value, by filter name; a filter at its default restricts nothing. Immutable."""

    __slots__ = ("_values",)

    def __init__(self, **values: Any) -> None:
        unknown = sorted(set(values) - set(FILTERS_BY_NAME))
        if unknown:
            raise TypeError(f"unknown filter(s) {unknown}; expected some of {list(FILTERS_BY_NAME)}")
        self._values = {f.name: f.normalise(values[f.name]) if f.name in values else f.default() for f in FILTERS}

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filters) and self._values == other._values

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __repr__(self) -> str:
        return "Filters(" + ", ".join(f"{k}={self[k]!r}" for k in self.active()) + ")"

    def replace(self, **changes: Any) -> Filters:
        return Filters(**{**self._values, **changes})

    def without(self, name: str) -> Filters:
        """The same filters with one of them cleared."""
        return self.replace(**{name: FILTERS_BY_NAME[name].default()})

    def active(self) -> list[str]:
        """Names of the filters that restrict anything, in registry order."""
        return [f.name for f in FILTERS if f.is_active(self._values[f.name])]

    def is_empty(self) -> bool:
        return not self.active()


def build_vocabulary(atlas: Atlas, bounds: tuple[int, int]) -> Vocabulary:
    """What each filter offers for this dataset; labels are made unique, so a label names one option."""
    options: dict[str, tuple[str, ...]] = {}
    labels: dict[str, dict[str, str]] = {}
    for f in CHOICE_FILTERS:
        ids = tuple(f.options_of(atlas))
        names = f.labels_of(atlas)
        raw = {i: str(names.get(i, i)) for i in ids}
        counts = pd.Series(list(raw.values()), dtype=object).value_counts() if raw else pd.Series(dtype=int)
        labels[f.name] = {i: (f"{name} ({i})" if counts.get(name, 0) > 1 else name) for i, name in raw.items()}
        options[f.name] = ids
    return Vocabulary(options, labels, bounds)


def selection_mask(gdf: gpd.GeoDataFrame, filters: Filters) -> pd.Series:
    """True for each deployment that passes every active filter."""
    mask = pd.Series(True, index=gdf.index)
    for name in filters.active():
        mask &= FILTERS_BY_NAME[name].mask(gdf, filters[name], filters)
    return mask


def apply_filters(gdf: gpd.GeoDataFrame, filters: Filters) -> gpd.GeoDataFrame:
    """The deployments that pass every active filter."""
    return gdf[selection_mask(gdf, filters)]


def option_counts(gdf: gpd.GeoDataFrame, filters: Filters, name: str) -> dict[str, int]:
    """Deployments per option of one choice filter, under all the other filters (for its picker)."""
    spec = FILTERS_BY_NAME[name]
    assert isinstance(spec, ChoiceFilter), f"{name} is not a choice filter"
    others = apply_filters(gdf, filters.without(name))[spec.column]
    counts = list_value_counts(others) if spec.list_column else others.dropna().value_counts()
    return {value: int(n) for value, n in counts.items() if n}


def vendor_counts(gdf: gpd.GeoDataFrame, filters: Filters) -> dict[str, int]:
    """Deployments per vendor id under all filters except the vendor filter itself."""
    return option_counts(gdf, filters, "vendors")


def count_by_country(gdf: gpd.GeoDataFrame) -> dict[str, int]:
    """Deployments per country code."""
    return gdf["country"].value_counts().astype(int).to_dict()


def year_bounds(gdf: gpd.GeoDataFrame) -> tuple[int, int]:
    """The first start year and the last year anything is known to run; at least two years apart by one, since
    a range needs two ends (data that all starts in one year ends the range the year after)."""
    if gdf.empty:
        return (2000, 2020)
    first = int(gdf["year_start"].min())
    last = int(max(gdf["year_start"].max(), gdf["year_end"].max(skipna=True) if gdf["year_end"].notna().any() else 0))
    return first, max(last, first + 1)


def describe_filters(filters: Filters, vocabulary: Vocabulary) -> list[str]:
    """Each active filter as a short phrase, e.g. 'vendor Huawei', 'active 2014–2019'."""
    return [FILTERS_BY_NAME[name].phrase(filters[name], vocabulary) for name in filters.active()]


def selection_sentence(shown_count: int, total: int, filters: Filters, vocabulary: Vocabulary) -> str:
    """'Showing 14 of 83 deployments: vendor Huawei, sector policing, active 2014–2019'."""
    noun = (
        ("record" if total == 1 else "records")
        if len(vocabulary.options.get("kinds", ())) > 1
        else ("deployment" if total == 1 else "deployments")
    )
    sentence = f"Showing {shown_count} of {total} {noun}"
    phrases = describe_filters(filters, vocabulary)
    return sentence + (": " + ", ".join(phrases) if phrases else "")


def relax_suggestions(gdf: gpd.GeoDataFrame, filters: Filters) -> list[tuple[str, int]]:
    """For each active filter, how many deployments clearing it alone would show; most helpful first."""
    counts = [(name, int(selection_mask(gdf, filters.without(name)).sum())) for name in filters.active()]
    return sorted([c for c in counts if c[1] > 0], key=lambda c: -c[1])


def relax_hints(gdf: gpd.GeoDataFrame, filters: Filters) -> list[str]:
    """The relax suggestions as phrases: 'country (would show 1)'."""
    return [f"{FILTERS_BY_NAME[name].hint} (would show {count})" for name, count in relax_suggestions(gdf, filters)]


@dataclass
class ParsedFilters:
    filters: Filters
    ignored: list[str] = field(default_factory=list)


def parse_filters(params: Params, vocabulary: Vocabulary) -> ParsedFilters:
    """Filters from query parameters; what could not be used is described in `ignored`. Never raises."""
    ignored: list[str] = []
    values = {f.name: f.parse(params, vocabulary, ignored) for f in FILTERS}
    return ParsedFilters(Filters(**values), ignored)


def filter_params(filters: Filters) -> dict[str, list[str]]:
    """The query parameters of the active filters, in registry order."""
    params: dict[str, list[str]] = {}
    for name in filters.active():
        params.update(FILTERS_BY_NAME[name].to_params(filters[name]))
    return params


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """One CLI option per URL parameter of every filter."""
    group = parser.add_argument_group("filters (the same values as the app's link)")
    for f in FILTERS:
        f.add_arguments(group)  # type: ignore[arg-type]


def params_from_args(args: argparse.Namespace) -> dict[str, list[str]]:
    """CLI options as query parameters, so the CLI and links share one parser."""
    params: dict[str, list[str]] = {}
    for param in FILTER_PARAMS:
        value = getattr(args, param, None)
        if value:
            params[param] = list(value) if isinstance(value, list) else [value]
    return params
