"""Safe HTML for untrusted record text: the details panel, tooltips and exports share these helpers.

Text is escaped for HTML *and* for JavaScript template literals (folium wraps popup HTML in backticks),
so `<`, `>`, `&`, quotes, backticks, `$` and backslashes all become entities.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from geo import schema
from geo.validate import is_http_url

_EXTRA_ENTITIES = {"`": "&#96;", "$": "&#36;", "\\": "&#92;"}


def escape_text(value: Any) -> str:
    """Text made safe to place in HTML, in an HTML attribute, or inside a JS template literal."""
    text = html.escape("" if value is None else str(value), quote=True)
    return "".join(_EXTRA_ENTITIES.get(ch, ch) for ch in text)


def markdown_code(value: Any) -> str:
    """Text as a Markdown code span, for untrusted text inside Streamlit's Markdown (warnings, errors):
    nothing in a code span becomes a link, image, directive, formula or HTML, not even a bare URL, which
    Streamlit autolinks in plain text however it is escaped. Line breaks become spaces."""
    text = " ".join(("" if value is None else str(value)).split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def sentence_html(sentence: str) -> str:
    """The filter sentence as escaped HTML (it holds search text from the URL, so never Markdown)."""
    return f"<p class='atlas-sentence'><strong>{escape_text(sentence)}</strong></p>"


def overview_html(overview: Mapping[str, Any]) -> str:
    """The selection in numbers, and what each confidence level means, as escaped HTML."""
    span = (
        f", started {overview['first_year']}–{overview['last_year']}"
        if overview.get("first_year") is not None and overview["first_year"] != overview["last_year"]
        else (f", started {overview['first_year']}" if overview.get("first_year") is not None else "")
    )
    headline = (
        f"{overview['deployments']} deployments in {overview['countries']} countries, "
        f"{overview['vendors']} named vendors{span}."
    )
    cell = "style='text-align:left;padding:2px 12px 2px 0;vertical-align:top'"
    confidence = "".join(
        f"<tr><th {cell}>{escape_text(schema.CONFIDENCES[c])}</th><td {cell}>{n}</td>"
        f"<td {cell}>{escape_text(schema.CONFIDENCE_MEANINGS[c])}</td></tr>"
        for c, n in overview["by_confidence"].items()
    )
    header = f"<tr><th {cell}>Confidence</th><th {cell}>Records</th><th {cell}>Meaning</th></tr>"
    status = ", ".join(f"{escape_text(schema.STATUSES[s])} {n}" for s, n in overview["by_status"].items() if n)
    return (
        f"<div class='atlas-overview'><p><strong>{escape_text(headline)}</strong></p>"
        f"<p>How sure each record is (the marker shape shows it too):</p><table>{header}{confidence}</table>"
        f"<p>Status: {status or 'none'}.</p>"
        "<p>Every record cites its sources with a short quote: click a point to read them. "
        "The table, charts, downloads and a citation for this view are in the other tabs.</p></div>"
    )


def years_text(year_start: Any, year_end: Any) -> str:
    """'2018–2020', or 'since 2018' while still running / unknown end."""
    if year_start is None or _is_missing(year_start):
        return ""
    if year_end is None or _is_missing(year_end):
        return f"since {int(year_start)}"
    return f"{int(year_start)}–{int(year_end)}"


def _is_missing(value: Any) -> bool:
    try:
        return bool(value != value) or str(value) == "<NA>"
    except (TypeError, ValueError):
        return str(value) == "<NA>"


def link(url: str, text: str) -> str:
    """An escaped link that opens in a new tab; only http(s) URLs become clickable."""
    if not is_http_url(url):
        return escape_text(text)
    return f'<a href="{escape_text(url)}" target="_blank" rel="noopener noreferrer">{escape_text(text)}</a>'


def source_html(source: Mapping[str, str]) -> str:
    """One source: linked title, publisher, date and the quote."""
    title = link(source.get("url", ""), source.get("title") or source.get("url", ""))
    quote = f"<blockquote>“{escape_text(source.get('quote', ''))}”</blockquote>" if source.get("quote") else ""
    return (
        f"<li>{title} — {escape_text(source.get('publisher', ''))}, {escape_text(source.get('date', ''))}{quote}</li>"
    )


def sources_html(sources: list[Mapping[str, str]]) -> str:
    return "<ol class='atlas-sources'>" + "".join(source_html(s) for s in sources) + "</ol>"


def tooltip_text(record: Mapping[str, Any]) -> str:
    """Name, vendors and years: the plain text shown on hover."""
    vendors = ", ".join(record.get("vendor_names") or record.get("vendors") or [])
    return " · ".join(
        p for p in (record.get("name", ""), vendors, years_text(record.get("year_start"), record.get("year_end"))) if p
    )


def vendors_text(record: Mapping[str, Any]) -> str:
    """'VisionLabs (face-recognition software), VTB Bank (platform or cloud)'; 'none named' for none."""
    ids = list(record.get("vendors") or [])
    names = list(record.get("vendor_names") or ids)
    roles = record.get("vendor_roles") or {}
    parts = [
        f"{n} ({schema.VENDOR_ROLES[roles[i]].lower()})" if roles.get(i) in schema.VENDOR_ROLES else n
        for i, n in zip(ids, names)
    ]
    return ", ".join(parts) or "none named"


def history_text(events: Any) -> str:
    """'2019 announced → 2021 operational'."""
    return " → ".join(f"{e['year']} {schema.STATUSES.get(e['status'], e['status']).lower()}" for e in events)


def _detail_text(name: str, record: Mapping[str, Any], country_names: Mapping[str, str]) -> str | None:
    """The plain text of one details row (see schema.DETAIL_ROWS), or None when the row is left out."""
    value: Any = record.get(name)
    field = schema.DEPLOYMENT_FIELDS_BY_NAME.get(name)
    if name == "years":
        return years_text(record.get("year_start"), record.get("year_end"))
    if name == "vendors":
        return vendors_text(record)
    if name == "country":
        return f"{country_names.get(value, value)} ({value})"
    if name == "history":
        return history_text(value) if value is not None and len(value) else None
    if field is not None and field.kind == "list[enum]":
        return ", ".join(field.choices.get(v, v) for v in value or [])
    if field is not None and field.kind == "enum":
        return str(field.choices.get(value, value))
    if value is None or _is_missing(value) or value == "":
        return "not reported" if name == "cameras" else "unknown"
    return f"{value:,}" if isinstance(value, int) else str(value)


def details_rows(record: Mapping[str, Any], country_names: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(label, plain text) for every row of schema.DETAIL_ROWS the record has, in that order."""
    rows = [(label, _detail_text(name, record, country_names or {})) for name, label in schema.DETAIL_ROWS]
    return [(label, text) for label, text in rows if text is not None]


def details_html(record: Mapping[str, Any], country_names: Mapping[str, str] | None = None) -> str:
    """The full record as escaped HTML: title, fields, description and every source."""
    rows = "".join(
        f"<tr><th>{escape_text(label)}</th><td>{escape_text(text)}</td></tr>"
        for label, text in details_rows(record, country_names)
    )
    return (
        f"<div class='atlas-details'><h4>{escape_text(record.get('name', ''))}</h4>"
        f"<p>{escape_text(record.get('description', ''))}</p>"
        f"<table>{rows}</table><h5>Sources</h5>{sources_html(record.get('sources') or [])}</div>"
    )
