"""A small, fast writer of Excel workbooks (Office Open XML, `.xlsx`): sheets of plain values, a bold frozen
header row, column widths, and text kept as text.

Why not openpyxl: it builds a Python object per cell and took about 10 s for 10,000 deployments (with their
sources, some 400,000 cells); writing the sheet XML as text takes a fraction of that. openpyxl is still what
reads an imported workbook (geo/importer.py), and the tests read every written workbook back with it.

What is written: `[Content_Types].xml`, the package and workbook relationships, `xl/workbook.xml`,
`xl/styles.xml` (three cell formats: plain, bold for the header, and "quote prefix" for text that a
spreadsheet would otherwise take for a formula) and one `xl/worksheets/sheetN.xml` per sheet, whose text
cells are inline strings (no shared-strings table to build).
"""

from __future__ import annotations

import io
import math
import numbers
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

MAX_SHEET_TITLE = 31  # Excel's limit
STYLE_PLAIN, STYLE_HEADER, STYLE_QUOTED = 0, 1, 2  # cell formats, as listed in STYLES
STYLE_ATTRIBUTES = {STYLE_PLAIN: "", STYLE_HEADER: ' s="1"', STYLE_QUOTED: ' s="2"'}
# Characters XML 1.0 cannot hold at all; Excel writes them as _xHHHH_ (and "_x" itself as _x005F_x so that a
# text that looks like an escape reads back as itself).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]|_(?=x[0-9A-Fa-f]{4}_)")
_NEEDS_WORK = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]|_x")


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its title, the header row and the rows (str, int, float, bool or None per cell).
    Text starting with one of `quoted_starts` gets the quote-prefix format: shown and kept as text, never
    run as a formula, also when the cell is edited."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    widths: Sequence[float] = ()
    quoted_starts: tuple[str, ...] = ()


def column_letter(index: int) -> str:
    """1 -> "A", 27 -> "AA"."""
    if index < 1:
        raise ValueError(f"column number {index}: expected 1 or more")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return "_x005F_" if char == "_" else f"_x{ord(char):04X}_"


def xml_text(text: str) -> str:
    """`text` as XML character data that a spreadsheet reads back as exactly `text`."""
    if not _NEEDS_WORK.search(text):
        return text
    text = _NOT_XML.sub(_escape_char, text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _text_cell(ref: str, xml: str, style: int) -> str:
    """An inline-string cell; `xml` is the text already made XML-safe (xml_text)."""
    return f'<c r="{ref}"{STYLE_ATTRIBUTES[style]} t="inlineStr"><is><t xml:space="preserve">{xml}</t></is></c>'


def _text_style(text: str, quoted_starts: tuple[str, ...]) -> int:
    return STYLE_QUOTED if quoted_starts and text.startswith(quoted_starts) else STYLE_PLAIN


def _cell(ref: str, value: Any, quoted_starts: tuple[str, ...]) -> str:
    """Any cell: empty for None and "", text, a boolean or a number."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return _text_cell(ref, xml_text(str(value)), _text_style(value, quoted_starts))
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, numbers.Integral):
        return f'<c r="{ref}"><v>{int(value)}</v></c>'
    if isinstance(value, numbers.Real):
        if not math.isfinite(value):
            raise ValueError(f"cell {ref}: {value!r} is not a finite number; a spreadsheet cannot hold it")
        return f'<c r="{ref}"><v>{float(value)!r}</v></c>'
    raise TypeError(f"cell {ref}: a {type(value).__name__} ({value!r}); expected text, a number, a boolean or None")


def sheet_xml(sheet: Sheet) -> str:
    """The worksheet part: frozen first row, column widths, the header in bold, then the rows."""
    width = max(len(sheet.columns), max((len(row) for row in sheet.rows), default=0))
    letters = [column_letter(i) for i in range(1, width + 1)]
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
    ]
    if sheet.widths:
        parts.append("<cols>")
        parts += [f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>' for i, w in enumerate(sheet.widths, 1)]
        parts.append("</cols>")
    parts.append('<sheetData><row r="1">')
    parts += [
        _text_cell(f"{letter}1", xml_text(str(name)), STYLE_HEADER) for letter, name in zip(letters, sheet.columns)
    ]
    parts.append("</row>")
    parts += [_row_xml(number, values, letters, sheet.quoted_starts) for number, values in enumerate(sheet.rows, 2)]
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def _row_xml(number: int, values: Sequence[Any], letters: Sequence[str], quoted: tuple[str, ...]) -> str:
    """One row. Text, most of a sheet, is checked once per row for anything XML needs escaped."""
    cells = [f'<row r="{number}">']
    plain = not _NEEDS_WORK.search("".join(v for v in values if type(v) is str))
    for letter, value in zip(letters, values):
        if type(value) is not str:
            cells.append(_cell(f"{letter}{number}", value, quoted))
        elif value:
            xml = value if plain else xml_text(value)
            cells.append(_text_cell(f"{letter}{number}", xml, _text_style(value, quoted)))
    cells.append("</row>")
    return "".join(cells)


def _attr(text: str) -> str:
    return xml_text(text).replace('"', "&quot;")


def _workbook_xml(titles: Sequence[str]) -> str:
    sheets = "".join(
        f'<sheet name="{_attr(title)}" sheetId="{n}" r:id="rId{n}"/>' for n, title in enumerate(titles, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{sheets}</sheets></workbook>"
    )


def _workbook_rels(count: int) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    )
    styles = (
        f'<Relationship Id="rId{count + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{sheets}{styles}</Relationships>"
    )


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, count + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{sheets}</Types>"
    )


PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
# Cell formats by index: STYLE_PLAIN, STYLE_HEADER (bold font), STYLE_QUOTED (quote prefix).
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _check_titles(titles: Sequence[str]) -> None:
    seen: set[str] = set()
    for title in titles:
        if not title or len(title) > MAX_SHEET_TITLE or re.search(r"[\[\]:*?/\\]", title):
            raise ValueError(f"sheet title {title!r}: expected 1 to {MAX_SHEET_TITLE} characters, none of []:*?/\\")
        if title.lower() in seen:
            raise ValueError(f"sheet title {title!r}: used twice; expected each sheet to have its own title")
        seen.add(title.lower())


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """An `.xlsx` file of `sheets`, in order."""
    sheets = list(sheets)
    if not sheets:
        raise ValueError("no sheets: a workbook needs at least one")
    _check_titles([s.title for s in sheets])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _content_types(len(sheets)))
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", _workbook_xml([s.title for s in sheets]))
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        archive.writestr("xl/styles.xml", STYLES)
        for n, sheet in enumerate(sheets, start=1):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", sheet_xml(sheet))
    return buffer.getvalue()
