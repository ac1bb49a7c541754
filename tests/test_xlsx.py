"""The workbook writer: what a spreadsheet reads back from it (through openpyxl, as an importer would)."""

import io

import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from geo.xlsx import Sheet, column_letter, workbook_bytes

TRICKY_TEXT = [
    "Tom & Jerry <b>not bold</b> > less",
    "line one\r\nline two\nthree",
    "  leading and trailing spaces  ",
    "ünïcödé ✓ 北京 \U0001f600",
    "tab\tinside",
    "an underscore_x alone",
]


def read_back(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_text_numbers_and_empty_cells_read_back_exactly():
    rows = [[text, n, n + 0.25, n % 2 == 0, None] for n, text in enumerate(TRICKY_TEXT)]
    book = read_back(workbook_bytes([Sheet("Data", ("text", "int", "float", "even", "nothing"), rows)]))
    got = [list(r) for r in book["Data"].iter_rows(min_row=2, values_only=True)]
    assert got == rows


def test_characters_xml_cannot_hold_are_written_as_excels_escapes():
    # XML 1.0 has no control characters; Excel and LibreOffice read _xHHHH_ as the character (ECMA-376's
    # ST_Xstring), and a text that looks like such an escape has its underscore escaped. openpyxl leaves the
    # escapes as they are, so the test decodes them as a spreadsheet does.
    text = "a control character \x01, a form feed \x0c and a lookalike _x0041_"
    cell = read_back(workbook_bytes([Sheet("S", ("t",), [[text]])]))["S"]["A2"].value
    assert cell == "a control character _x0001_, a form feed _x000C_ and a lookalike _x005F_x0041_"
    assert unescape(cell) == text


def test_the_header_is_bold_and_frozen_and_columns_have_their_widths():
    book = read_back(workbook_bytes([Sheet("S", ("a", "b"), [["x", "y"]], widths=[12, 40])]))
    sheet = book["S"]
    assert [c.value for c in sheet[1]] == ["a", "b"] and all(c.font.bold for c in sheet[1])
    assert not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 12 and sheet.column_dimensions["B"].width == 40


def test_formula_looking_text_is_text_with_a_quote_prefix_and_never_a_formula():
    data = workbook_bytes([Sheet("S", ("v",), [["=SUM(A1:A9)"], ["plain"]], quoted_starts=("=",))])
    sheet = read_back(data)["S"]
    assert sheet["A2"].value == "=SUM(A1:A9)" and sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix
    assert not sheet["A3"].quotePrefix


def test_sheets_keep_their_order_and_titles_and_wide_rows_get_letters_past_z():
    wide = [list(range(30))]
    book = read_back(workbook_bytes([Sheet("First", [f"c{i}" for i in range(30)], wide), Sheet("Second", ("x",), [])]))
    assert book.sheetnames == ["First", "Second"]
    assert book["First"]["AD2"].value == 29 and book["Second"].max_row == 1


def test_column_letters():
    assert [column_letter(n) for n in (1, 26, 27, 52, 702, 703)] == ["A", "Z", "AA", "AZ", "ZZ", "AAA"]


@pytest.mark.parametrize(
    ("sheets", "message"),
    [
        ([], "no sheets: a workbook needs at least one"),
        ([Sheet("a/b", (), [])], "sheet title 'a/b': expected 1 to 31 characters, none of []:*?/\\"),
        ([Sheet("x" * 32, (), [])], f"sheet title '{'x' * 32}': expected 1 to 31 characters, none of []:*?/\\"),
        ([Sheet("Same", (), []), Sheet("same", (), [])], "sheet title 'same': used twice; expected each sheet"),
        ([Sheet("S", ("n",), [[float("nan")]])], "cell A2: nan is not a finite number; a spreadsheet cannot hold it"),
        ([Sheet("S", ("n",), [[object]])], "cell A2: a type (<class 'object'>); expected text, a number"),
    ],
)
def test_what_a_workbook_cannot_hold_is_refused_with_what_was_received(sheets, message):
    with pytest.raises((ValueError, TypeError)) as error:
        workbook_bytes(sheets)
    assert str(error.value).startswith(message)
