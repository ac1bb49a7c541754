"""The single source of truth for the data model: fields, labels, allowed values and limits.

The loader, the validator, the popups, the exports and `data/README.md` all read from here.
Run `python -m geo.schema` to print the field tables that `data/README.md` embeds
(`--update-readme` writes them there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISO2_PATTERN = re.compile(r"^[A-Z]{2}$")
DATE_PATTERN = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
MAX_QUOTE_WORDS = 30
# The title of a source whose stored page showed no headline: said plainly, never made up from its address.
UNTITLED_SOURCE_TITLE = "(title not in stored text; URL slug: {slug})"
UNTITLED_SOURCE_PATTERN = re.compile(r"^\(title not in stored text; URL slug: [^()]+\)$")
MIN_YEAR = 1990
MAX_YEAR = 2100
# Limits on what a data file may hold; past them the file or the value is refused with a message.
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_JSON_DEPTH = 16  # a FeatureCollection of records with sources and history nests about 7 levels
MAX_RECORDS = 1_000_000
# Longest text per field kind, in characters (a field may set its own `max_length`).
MAX_TEXT_LENGTH = {"str": 1000, "id": 120, "quote": 600, "url": 2000}
# Natural Earth 1:50m coastlines are generalised; a coastal city can sit a few km offshore.
COUNTRY_TOLERANCE_DEGREES = 0.1

PRECISIONS: dict[str, str] = {
    "site": "Site",
    "city": "City",
    "region": "Region",
    "country": "Country",
}

SECTORS: dict[str, str] = {
    "transport": "Transport",
    "policing": "Policing",
    "airport-border": "Airport / border",
    "education": "Education",
    "retail-payments": "Retail / payments",
    "public-space": "Public space",
    "prison": "Prison",
    "religious-sites": "Religious sites",
    "events": "Events",
    "banking": "Banking",
    "leisure": "Leisure / tourism",
    "telecoms": "Telecoms",
    "government-services": "Government services",
    "workplace": "Workplace",
    "housing": "Housing",
}

STATUSES: dict[str, str] = {
    "announced": "Announced",
    "pilot": "Pilot",
    "operational": "Operational",
    "suspended": "Suspended",
    "stopped": "Stopped / banned",
}

CONFIDENCES: dict[str, str] = {
    "documented": "Documented",
    "reported": "Reported",
    "claimed": "Claimed by vendor or officials",
}

CONFIDENCE_MEANINGS: dict[str, str] = {
    "documented": "official records, court rulings or procurement documents, or the operator's own confirmation",
    "reported": "independent news or NGO reporting",
    "claimed": "only the vendor's or officials' own statements",
}

VENDOR_ROLES: dict[str, str] = {
    "camera maker": "Camera maker",
    "face-recognition software": "Face-recognition software",
    "integrator": "Integrator",
    "platform": "Platform or cloud",
    "contractor": "Contractor or supplier",
}

RECORD_KINDS: dict[str, str] = {
    "deployment": "Deployment",
    "policy": "Policy (ban, ruling, decision)",
}

SOURCE_KINDS: dict[str, str] = {
    "primary": "Primary record (government, court, regulator, procurement or operator record)",
    "news": "News",
    "research": "Research or NGO report",
    "vendor": "Vendor",
}

# What each confidence level needs among a record's sources (at least one source of one of these kinds).
CONFIDENCE_REQUIRES: dict[str, frozenset[str]] = {
    "documented": frozenset({"primary"}),
    "reported": frozenset({"primary", "news", "research"}),
    "claimed": frozenset(SOURCE_KINDS),
}

VENDOR_KINDS: dict[str, str] = {
    "camera maker": "Camera maker",
    "software": "Software",
    "integrator": "Integrator",
    "cloud": "Cloud",
    "platform": "Platform",
    "unknown": "Unknown",
}


@dataclass(frozen=True)
class Field:
    """One field of a record: its type, label, whether it is required and what it may hold."""

    name: str
    label: str
    kind: str  # "str", "int", "list[str]", "sources", "enum", "list[enum]", "iso2", "id"
    description: str
    required: bool = True
    nullable: bool = False
    allow_empty: bool = False
    choices: dict[str, str] = field(default_factory=dict)
    max_length: int = 0  # 0: the kind's MAX_TEXT_LENGTH

    @property
    def longest(self) -> int:
        return self.max_length or MAX_TEXT_LENGTH.get(self.kind, MAX_TEXT_LENGTH["str"])


DEPLOYMENT_FIELDS: tuple[Field, ...] = (
    Field("id", "ID", "id", "Stable slug, unique in the file (lowercase letters, digits, hyphens)."),
    Field(
        "kind",
        "Kind",
        "enum",
        "A deployment, or a policy (a ban, moratorium, court ruling or regulator's decision).",
        choices=RECORD_KINDS,
    ),
    Field("name", "Name", "str", "Short name of the deployment.", max_length=300),
    Field("place", "Place", "str", "City or site."),
    Field("country", "Country", "iso2", "ISO 3166-1 alpha-2 code of the country it is in."),
    Field("precision", "Location precision", "enum", "How exact the point is.", choices=PRECISIONS),
    Field(
        "vendors",
        "Vendors",
        "list[vendor]",
        "Vendor ids from `vendors.csv`: one or more for a deployment; for a policy, those it names (or none).",
    ),
    Field(
        "vendor_roles",
        "Vendor roles",
        "roles",
        "What each vendor supplied, where the sources say: vendor id -> role.",
        required=False,
        nullable=True,
        choices=VENDOR_ROLES,
    ),
    Field("operator", "Operator", "str", "Who runs it (empty when no source says).", allow_empty=True),
    Field("sectors", "Sectors", "list[enum]", "Kinds of place or use.", choices=SECTORS),
    Field(
        "status",
        "Status",
        "enum",
        "Latest known status (the last event of `history`, when it has one).",
        choices=STATUSES,
    ),
    Field("year_start", "Since", "int", "Year it started (or was announced); the first event of `history`."),
    Field(
        "year_end",
        "Until",
        "int",
        "Year it ended; null while running or unknown; never set while operational.",
        nullable=True,
    ),
    Field("cameras", "Cameras", "int", "Number of cameras as reported; null if not reported.", nullable=True),
    Field("description", "Description", "str", "One or two sentences in our own words.", max_length=3000),
    Field("confidence", "Confidence", "enum", "How sure the record is.", choices=CONFIDENCES),
    Field("sources", "Sources", "sources", "At least one source; see the source fields."),
    Field(
        "history",
        "History",
        "history",
        "Dated status events, oldest first, for a record whose status changed: "
        "`{year, status, source}`, where `source` is the index of the source that dates it.",
        required=False,
        nullable=True,
    ),
)

HISTORY_FIELDS: tuple[Field, ...] = (
    Field("year", "Year", "int", "Year of the event."),
    Field("status", "Status", "enum", "The status from that year on.", choices=STATUSES),
    Field("source", "Source", "int", "Index (from 0) of the record's source that dates the event."),
)

SOURCE_FIELDS: tuple[Field, ...] = (
    Field("publisher", "Publisher", "str", "Outlet or organisation that published it."),
    Field("title", "Title", "str", "Title of the article or document."),
    Field("date", "Date", "date", "Publication date: YYYY, YYYY-MM or YYYY-MM-DD."),
    Field("url", "URL", "url", "An http(s) address of the source."),
    Field("quote", "Quote", "quote", f"Verbatim evidence, at most {MAX_QUOTE_WORDS} words."),
    Field("kind", "Kind", "enum", "What kind of source it is.", choices=SOURCE_KINDS),
)

VENDOR_FIELDS: tuple[Field, ...] = (
    Field("id", "ID", "id", "Stable slug used in deployments' `vendors`."),
    Field("name", "Name", "str", "Company name."),
    Field("hq_country", "Home country", "iso2", "ISO code of its headquarters; empty if unknown.", required=False),
    Field("kind", "Kind", "enum", "What it sells.", choices=VENDOR_KINDS),
    Field("ownership", "Ownership", "str", "Ownership note as reported (state stakes and similar).", required=False),
    Field("aliases", "Aliases", "str", "Other names, separated by `;`.", required=False),
    Field("parent", "Parent", "str", "Parent company, if any.", required=False),
    Field("entity_list_year", "US Entity List", "int", "Year added to the US Entity List, if any.", required=False),
    Field("note", "Note", "str", "Short note in our own words.", required=False),
    Field("source_publisher", "Source publisher", "str", "Who published the source of the note.", required=False),
    Field("source_title", "Source title", "str", "Title of that source.", required=False),
    Field("source_date", "Source date", "date", "Its date: YYYY, YYYY-MM or YYYY-MM-DD.", required=False),
    Field(
        "source_url", "Source", "url", "An http(s) source for the note, ownership and Entity List year.", required=False
    ),
    Field(
        "source_quote", "Source quote", "quote", f"Verbatim evidence, at most {MAX_QUOTE_WORDS} words.", required=False
    ),
)

DEPLOYMENT_FIELD_NAMES = tuple(f.name for f in DEPLOYMENT_FIELDS)
DEPLOYMENT_FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in DEPLOYMENT_FIELDS}
# The rows of a record's details, in order, with their labels: the details panel (geo/html.py) and the map's
# popups (geo/web/atlas.js, which gets this list in the map data) both render exactly these. The title,
# description and sources have their own places; the start and end years make one row, "years".
NOT_DETAIL_ROWS = frozenset({"id", "name", "description", "sources", "year_end", "vendor_roles"})
YEARS_ROW = ("years", "Years")
DETAIL_ROWS: tuple[tuple[str, str], ...] = tuple(
    YEARS_ROW if f.name == "year_start" else (f.name, f.label)
    for f in DEPLOYMENT_FIELDS
    if f.name not in NOT_DETAIL_ROWS
)
VENDOR_FIELD_NAMES = tuple(f.name for f in VENDOR_FIELDS)
LIST_FIELDS = tuple(f.name for f in DEPLOYMENT_FIELDS if f.kind.startswith("list"))
SOURCE_FIELD_NAMES = tuple(f.name for f in SOURCE_FIELDS)
LABELS: dict[str, str] = {f.name: f.label for f in DEPLOYMENT_FIELDS}


def is_untitled_source(title: str) -> bool:
    """Whether a source's title says that its page showed no headline (UNTITLED_SOURCE_TITLE)."""
    return bool(UNTITLED_SOURCE_PATTERN.match(title))


def deployment_field(name: str) -> Field:
    """The deployment field called `name`."""
    return next(f for f in DEPLOYMENT_FIELDS if f.name == name)


def choice_label(field_name: str, value: str) -> str:
    """The human label of an enum value, or the value itself when it has none."""
    return deployment_field(field_name).choices.get(value, value)


def _markdown_table(fields: tuple[Field, ...]) -> str:
    rows = ["| field | type | required | meaning | allowed values |", "|---|---|---|---|---|"]
    for f in fields:
        kind = f.kind + (" or null" if f.nullable else "")
        allowed = ", ".join(f"`{k}`" for k in f.choices) if f.choices else ""
        rows.append(f"| `{f.name}` | {kind} | {'yes' if f.required else 'no'} | {f.description} | {allowed} |")
    return "\n".join(rows)


def markdown_tables() -> str:
    """The field tables for `data/README.md`, generated so the docs cannot drift from the code."""
    return "\n\n".join(
        [
            "### Deployment properties (`deployments.geojson`)",
            _markdown_table(DEPLOYMENT_FIELDS),
            "### Source fields (each item of `sources`)",
            _markdown_table(SOURCE_FIELDS),
            "### History events (each item of `history`)",
            _markdown_table(HISTORY_FIELDS),
            "### Vendor columns (`vendors.csv`)",
            _markdown_table(VENDOR_FIELDS),
        ]
    )


def update_readme(path: str = "data/README.md") -> None:
    """Replace the field tables in data/README.md (from '## Field reference' to the next '## ')."""
    from pathlib import Path

    readme = Path(path)
    text = readme.read_text(encoding="utf-8")
    start = text.index("## Field reference")
    end = text.index("\n## ", start + 1)
    readme.write_text(text[:start] + "## Field reference\n\n" + markdown_tables() + "\n" + text[end:], encoding="utf-8")


if __name__ == "__main__":
    import sys

    if "--update-readme" in sys.argv:
        update_readme()
    else:
        print(markdown_tables())
