"""What the snapshot's explorer needs to filter and describe a selection exactly as the app does, as JSON:
the filter registry (kinds, columns, phrases, labels, in the sentence's order), the initial filter values,
and per row its folded search text, its vendors' home countries and its status history. The JavaScript in
`geo/web/atlas.js` (`filterRows`, `sentence`) reads only this, so geo/filters.py stays the one source."""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from geo.filters import (
    FILTERS,
    ChoiceFilter,
    Filters,
    StatusFilter,
    TextFilter,
    Vocabulary,
    YearsFilter,
)
from geo.search import SPELLING_VARIANTS, search_texts


def filter_spec(vocabulary: Vocabulary) -> list[dict[str, Any]]:
    """Each filter of the registry, in its order, as the client needs it to match rows and phrase it."""
    specs: list[dict[str, Any]] = []
    for f in FILTERS:
        if isinstance(f, ChoiceFilter):
            specs.append(
                {
                    "name": f.name,
                    "type": "status" if isinstance(f, StatusFilter) else "choice",
                    "label": f.label,
                    "column": f.column,
                    "list": f.list_column,
                    "phrase": list(f.phrase_start),
                    "lower": f.lowercase_labels,
                    "options": list(vocabulary.options.get(f.name, ())),
                    "labels": dict(vocabulary.labels.get(f.name, {})),
                }
            )
        elif isinstance(f, (TextFilter, YearsFilter)):
            specs.append({"name": f.name, "type": "text" if isinstance(f, TextFilter) else "years", "label": f.label})
        else:
            raise TypeError(f"filter {f.name!r} is a {type(f).__name__}; the explorer knows choice, text and years")
    return specs


def filter_values(filters: Filters) -> dict[str, Any]:
    """The filter values as JSON: lists of ids, the search text, [from, to] with null for an open end."""
    return {name: list(value) if isinstance(value, tuple) else value for name, value in filters.items()}


def _history(events: Any) -> list[list[Any]]:
    return [[int(e["year"]), e["status"]] for e in events or []]


def explorer_data(records: gpd.GeoDataFrame, vocabulary: Vocabulary, filters: Filters | None = None) -> dict[str, Any]:
    """The explorer's part of the payload; its per-row lists follow the payload's row order."""
    texts = list(records["search_text"]) if "search_text" in records else search_texts(records, {}, {})
    homes = list(records["vendor_countries"]) if "vendor_countries" in records else [[]] * len(records)
    histories = list(records["history"]) if "history" in records else [[]] * len(records)
    several_kinds = len(vocabulary.options.get("kinds", ())) > 1
    return {
        "filters": filter_spec(vocabulary),
        "values": filter_values(filters or Filters()),
        "bounds": list(vocabulary.year_bounds),
        "noun": ["record", "records"] if several_kinds else ["deployment", "deployments"],
        "variants": dict(SPELLING_VARIANTS),
        "search": texts,
        "homes": {str(i): list(h) for i, h in enumerate(homes) if len(h)},
        "history": {str(i): _history(h) for i, h in enumerate(histories) if h},
    }
