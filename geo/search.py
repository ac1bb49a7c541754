"""Free-text search: what a record is found by, and how typed text is compared (case-, accent- and
transliteration-insensitive)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

# Common spellings of place names that the data uses; the first of each group is the one texts are
# compared in. Only whole words are replaced, so "Kievan" stays as it is.
TRANSLITERATIONS: tuple[tuple[str, ...], ...] = (
    ("moscow", "moskva", "moskau", "moscou"),
    ("kyiv", "kiev"),
    ("beijing", "peking", "peiping"),
    ("st petersburg", "saint petersburg", "sankt peterburg", "st. petersburg", "leningrad"),
    ("urumqi", "urumchi", "wulumuqi"),
    ("xinjiang", "sinkiang"),
    ("guangzhou", "canton"),
    ("chennai", "madras"),
    ("mumbai", "bombay"),
    ("kolkata", "calcutta"),
    ("bengaluru", "bangalore"),
    ("yangon", "rangoon"),
    ("naypyitaw", "naypyidaw", "nay pyi taw"),
    ("almaty", "alma ata", "alma-ata"),
    ("astana", "nur-sultan", "nur sultan"),
    ("tbilisi", "tiflis"),
    ("tashkent", "toshkent"),
    ("bishkek", "frunze"),
    ("ulaanbaatar", "ulan bator"),
    ("mecca", "makkah"),
    ("kharkiv", "kharkov"),
    ("odesa", "odessa"),
)

_VARIANT_TO_CANONICAL = {variant: group[0] for group in TRANSLITERATIONS for variant in group[1:]}
SPELLING_VARIANTS: Mapping[str, str] = _VARIANT_TO_CANONICAL  # variant -> the spelling texts are compared in
_VARIANT_PATTERN = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(v) for v in sorted(_VARIANT_TO_CANONICAL, key=len, reverse=True)) + r")(?!\w)"
)


def fold(text: str) -> str:
    """Text as search compares it: accents removed (Ürümqi -> urumqi), case folded, spaces collapsed,
    and known alternative spellings of places replaced by one spelling (Moskva -> moscow)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = " ".join(plain.split())
    return _VARIANT_PATTERN.sub(lambda m: _VARIANT_TO_CANONICAL[m.group(1)], plain)


def _texts(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)


def record_search_text(
    record: Mapping[str, Any],
    vendor_aliases: Mapping[str, Iterable[str]],
    country_names: Mapping[str, str],
) -> str:
    """Everything a reader may type to find a record: its name, place, country, operator and description,
    its vendors' names and aliases, and its sources' publishers and titles, folded."""
    parts: list[str] = [record.get(k) or "" for k in ("name", "place", "operator", "description")]
    parts.append(country_names.get(record.get("country") or "", ""))
    parts += _texts(record.get("vendor_names"))
    for vendor in record.get("vendors") or []:
        parts += vendor_aliases.get(vendor, ())
    for source in record.get("sources") or []:
        parts += [source.get("publisher") or "", source.get("title") or ""]
    return fold(" | ".join(p for p in parts if p))


def search_texts(
    deployments: pd.DataFrame, vendor_aliases: Mapping[str, Iterable[str]], country_names: Mapping[str, str]
) -> list[str]:
    """The folded search text of each deployment, in row order."""
    columns = [
        c
        for c in ("name", "place", "country", "operator", "description", "vendors", "vendor_names", "sources")
        if c in deployments
    ]
    return [
        record_search_text(dict(zip(columns, values)), vendor_aliases, country_names)
        for values in zip(*(deployments[c] for c in columns))
    ]


def matches(search_text: pd.Series, text: str) -> pd.Series:
    """True where the folded search text contains the folded query."""
    needle = fold(text)
    if not needle:
        return pd.Series(True, index=search_text.index)
    return search_text.str.contains(needle, regex=False)
