"""Opening one's own table of deployments (geo/importer.py): the mapping, the same validation messages as
the project's data, the round trip to the project's format, the EFF Atlas of Surveillance preset, the CLI."""

from __future__ import annotations

import codecs
import io
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from geo import importer, snapshot
from geo.export import to_features, to_geojson
from geo.importer import ColumnMapping, SourceColumns, guess_mapping, mapping_from_json, open_import
from geo.load import load_atlas
from geo.mapdata import ROW_COLUMNS
from geo.snapshot_html import embedded_data
from geo.validate import DATA_DIR, CountryIndex

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EFF_FIXTURE = FIXTURES / "eff_aos_sample.csv"
HEADER = "id,name,city,country,lat,lon,vendor,sector,status,year,source_url,publisher,title,date,quote,source_kind"
GOOD_ROW = (
    "aa-1,Station faces,Capital,AA,10.5,10.5,Acme Vision,transport,pilot,2019,https://news.example.org/a,"
    "Paper,Story,2019-05-01,Cameras were installed.,news"
)


@pytest.fixture
def base(data_dir):
    """The synthetic atlas's vendors and countries, with a capital for Aland."""
    return replace(importer.read_base_data(data_dir), capitals={"AA": (10.0, 10.0)})


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def imported(base, *rows: str, header: str = HEADER, mapping: ColumnMapping | None = None):
    return open_import(csv_bytes(*rows, header=header), "mine.csv", mapping, base)


def messages(result) -> list[str]:
    return [f"{p.record} | {p.field} | {p.message}" for p in result.problems]


def test_the_guess_reads_usual_column_names():
    mapping = guess_mapping(HEADER.split(","))
    assert mapping.columns["latitude"] == "lat" and mapping.columns["longitude"] == "lon"
    assert mapping.columns["vendors"] == "vendor" and mapping.columns["sectors"] == "sector"
    assert mapping.columns["year_start"] == "year" and mapping.columns["country"] == "country"
    assert mapping.place == ("city",)
    assert mapping.sources == (
        SourceColumns(
            url="source_url", publisher="publisher", title="title", date="date", quote="quote", kind="source_kind"
        ),
    )


def test_an_atlas_of_surveillance_export_is_recognised_by_its_columns():
    header = EFF_FIXTURE.read_text(encoding="utf-8").splitlines()[0].replace('"', "").split(",")
    assert guess_mapping(header) is importer.PRESETS["eff-aos"]


def test_a_mapping_file_starts_from_a_preset_and_overrides_it():
    mapping, problems = mapping_from_json({"preset": "eff-aos", "constants": {"status": "pilot"}}, "m.json")
    assert not problems and mapping is not None
    assert mapping.constants["status"] == "pilot" and mapping.constants["country"] == "US"
    assert mapping.columns["id"] == "AOSNUMBER" and len(mapping.sources) == 3


def test_a_wrong_mapping_file_says_what_it_expected():
    mapping, problems = mapping_from_json({"preset": "nope", "columns": {"colour": "x"}, "extra": 1}, "m.json")
    assert mapping is None
    assert [p.message for p in problems] == [
        "has the key 'extra'; expected one of columns, place, sources, constants, keep, preset",
        "names the preset 'nope'; expected one of eff-aos, atlas",
        "maps 'colour'; expected one of " + ", ".join(importer.RECORD_TARGETS),
    ]


def test_a_good_row_becomes_a_record_with_a_known_vendor(base):
    result = imported(base, GOOD_ROW)
    assert result.problems == [] and result.atlas is not None
    record = result.atlas.deployments.iloc[0]
    assert (record["id"], record["vendors"], record["vendor_names"]) == ("aa-1", ["acme"], ["Acme Vision"])
    assert (record["precision"], record["confidence"], record["status"]) == ("city", "reported", "pilot")
    assert (record.geometry.x, record.geometry.y) == (10.5, 10.5)
    assert list(result.atlas.vendors["id"]) == ["acme"]


def test_a_row_without_coordinates_sits_at_its_countrys_capital_with_country_precision(base):
    row = GOOD_ROW.replace("10.5,10.5", ",").replace(",AA,", ",Aland,")
    record = imported(base, row).atlas.deployments.iloc[0]
    assert (record["country"], record["precision"]) == ("AA", "country")
    assert (record.geometry.x, record.geometry.y) == (10.0, 10.0)


def test_an_unknown_vendor_becomes_a_vendor_of_its_own(base):
    result = imported(base, GOOD_ROW.replace("Acme Vision", "Zed Optics; acme"))
    assert list(result.atlas.deployments.iloc[0]["vendors"]) == ["zed-optics", "acme"]
    new = result.vendor_rows[-1]
    assert (new["id"], new["name"], new["kind"]) == ("zed-optics", "Zed Optics", "unknown")
    assert new["note"] == "Named in mine.csv; not in the atlas's vendor list."


@pytest.mark.parametrize(
    "old,new,expected",
    [
        (
            ",2019,https",
            ",soon,https",
            "row 2 (aa-1) | year_start (column 'year') | got 'soon'; expected a whole number",
        ),
        (
            ",pilot,",
            ",testing,",
            "row 2 (aa-1) | status (column 'status') | got 'testing'; expected one of announced, pilot, operational, suspended, stopped",
        ),
        (
            "https://news.example.org/a",
            "news.example.org/a",
            "row 2 (aa-1) | sources[0].url (column 'source_url') | got 'news.example.org/a'; "
            "expected an http:// or https:// URL",
        ),
        (
            ",AA,",
            ",Narnia,",
            "row 2 (aa-1) | country (column 'country') | got 'Narnia'; expected an ISO 3166-1 alpha-2 code such as 'KE'",
        ),
        (
            "10.5,10.5",
            "30.5,10.5",
            "row 2 (aa-1) | geometry (column 'lat/lon') | point [10.5, 30.5] lies 15.50° outside AA; "
            "expected a point inside it",
        ),
        (
            "10.5,10.5",
            "north,10.5",
            "row 2 (aa-1) | geometry (column 'lat/lon') | got coordinates [10.5, \"north\"]; "
            "expected [longitude, latitude]",
        ),
        (
            "2019-05-01",
            "May 2019",
            "row 2 (aa-1) | sources[0].date (column 'date') | got 'May 2019'; expected YYYY, YYYY-MM or YYYY-MM-DD",
        ),
        (
            ",news",
            ",vendor",
            "row 2 (aa-1) | confidence (column 'confidence') | is 'reported' but its sources are only of kind vendor; "
            "'reported' needs at least one source of kind news or primary or research",
        ),
    ],
)
def test_a_broken_row_gets_the_validators_own_message_with_its_row_and_column(base, old, new, expected):
    row = GOOD_ROW.replace(old, new, 1)
    if new == ",vendor":
        row += ",reported"
        result = imported(base, row, header=HEADER + ",confidence")
    else:
        result = imported(base, row)
    assert messages(result) == [expected]
    assert result.left_out == 1 and result.atlas is not None and result.atlas.deployments.empty


def test_a_row_without_a_source_url_is_left_out_and_the_others_are_shown(base):
    no_source = GOOD_ROW.replace("aa-1", "aa-2").replace("https://news.example.org/a", "")
    result = imported(base, GOOD_ROW, no_source)
    assert messages(result) == [
        "row 3 (aa-2) | sources | has no source; expected at least one {publisher, title, date, url, quote, kind}"
    ]
    assert list(result.atlas.deployments["id"]) == ["aa-1"] and result.left_out == 1


def test_duplicate_ids_are_named(base):
    result = imported(base, GOOD_ROW, GOOD_ROW)
    assert messages(result) == ["rows 2, 3 (aa-1) | id (column 'id') | is a duplicate; ids must be unique"]


def test_a_mapping_naming_a_missing_column_refuses_the_file(base):
    mapping = ColumnMapping(columns={"vendors": "Supplier"})
    result = imported(base, GOOD_ROW, mapping=mapping)
    assert result.atlas is None
    assert messages(result) == ["- | columns | has no column 'Supplier'; the mapping (custom) expects it"]


def test_an_unreadable_file_says_what_was_expected(base):
    assert [p.message for p in open_import(b"", "mine.csv", None, base).problems] == [
        "is empty; expected a header row and one row per deployment"
    ]
    assert [p.message for p in open_import(b"x", "mine.pdf", None, base).problems] == [
        "has the ending '.pdf'; expected .csv, .xlsx or .geojson"
    ]
    assert [p.message for p in open_import(b"not a zip", "mine.xlsx", None, base).problems] == [
        "is not a readable Excel workbook (BadZipFile); expected .xlsx"
    ]


def test_windows_encodings_semicolons_and_a_byte_order_mark_are_read(base):
    row = GOOD_ROW.replace("Capital", "Zürich-Süd")
    latin = csv_bytes(row).decode("utf-8").replace(",", ";").encode("cp1252")
    assert imported_place(base, latin, "mine.csv") == "Zürich-Süd"
    assert imported_place(base, codecs.BOM_UTF8 + csv_bytes(row), "mine.csv") == "Zürich-Süd"
    assert imported_place(base, csv_bytes(row).decode("utf-8").encode("utf-16"), "mine.csv") == "Zürich-Süd"


def imported_place(base, raw: bytes, name: str) -> str:
    result = open_import(raw, name, None, base)
    assert result.problems == [], result.problems
    return result.atlas.deployments.iloc[0]["place"]


def test_an_excel_workbook_is_read_with_numbers_and_dates(base):
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    cells: list = GOOD_ROW.split(",")
    cells[4], cells[5], cells[9], cells[13] = 10.5, 10.5, 2019, dt.datetime(2019, 5, 1)
    sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    result = open_import(out.getvalue(), "mine.xlsx", None, base)
    assert result.problems == []
    record = result.atlas.deployments.iloc[0]
    assert record["year_start"] == 2019 and record["sources"][0]["date"] == "2019-05-01"


def test_a_geojson_of_points_is_read_with_its_coordinates(base):
    props = dict(zip(HEADER.split(","), GOOD_ROW.split(",")))
    del props["lat"], props["lon"]
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [11, 12]}, "properties": props}],
    }
    result = open_import(json.dumps(collection).encode(), "mine.geojson", None, base)
    assert result.problems == []
    point = result.atlas.deployments.iloc[0].geometry
    assert (point.x, point.y) == (11, 12)


def test_an_import_written_in_the_projects_format_loads_back_the_same(base, data_dir, tmp_path):
    rows = [GOOD_ROW, GOOD_ROW.replace("aa-1", "aa-2").replace("Acme Vision", "Zed Optics").replace("10.5,10.5", ",")]
    result = imported(base, *rows)
    assert result.problems == []
    folder = tmp_path / "own"
    folder.mkdir()
    (folder / "deployments.geojson").write_text(to_geojson(result.atlas.deployments), encoding="utf-8")
    importer.write_vendor_rows(folder / "vendors.csv", result.vendor_rows)
    (folder / "countries.geojson").write_bytes((data_dir / "countries.geojson").read_bytes())
    loaded = load_atlas(folder)
    assert loaded.problems == []
    assert to_features(loaded.deployments) == to_features(result.atlas.deployments)
    assert list(loaded.deployments["vendor_names"]) == [["Acme Vision"], ["Zed Optics"]]


def test_the_eff_preset_keeps_face_recognition_rows_and_lists_what_it_left_out():
    result = importer.open_import(
        EFF_FIXTURE.read_bytes(), "eff_aos_sample.csv", None, importer.read_base_data(DATA_DIR)
    )
    assert result.skipped == 1  # the licence-plate reader row
    assert messages(result) == [
        "row 5 (aos900004) | year_start (column 'Link 1 Date') | is null; expected int",
        "row 5 (aos900004) | sources | has no source; expected at least one {publisher, title, date, url, quote, kind}",
    ]
    shown = result.atlas.deployments.set_index("id")
    assert list(shown.index) == ["aos900001", "aos900002"]
    first, second = shown.loc["aos900001"], shown.loc["aos900002"]
    assert (first["place"], first["country"], first["precision"]) == ("Exampleville, ZZ", "US", "country")
    assert first["vendors"] == ["clearview"]  # matched by name to data/vendors.csv
    assert first["sources"][0]["date"] == "2020-03-27"  # 03/27/2020: the day over 12 says month first
    assert (first["confidence"], second["confidence"]) == ("reported", "documented")
    assert second["vendors"] == ["madeup-vision-inc"] and len(second["sources"]) == 2


def test_country_level_points_sit_at_capitals_taken_from_the_cities_inside_each_outline():
    base = importer.read_base_data(DATA_DIR)
    assert base.capitals["US"] == (-77.01, 38.9)  # Washington, not one of the seven other US cities
    assert base.capitals["PT"] == (-9.15, 38.72)  # Lisbon sits just off the generalised coastline
    assert "AQ" not in base.capitals
    index = CountryIndex(base.country_features)
    assert all(index.distance_to(code, __import__("shapely").Point(*p)) <= 0.1 for code, p in base.capitals.items())


def run_cli(*args: str) -> int:
    return snapshot.main(list(args))


def test_the_cli_writes_the_outputs_of_ones_own_file(data_dir, tmp_path, capsys):
    own = tmp_path / "mine.csv"
    own.write_bytes(csv_bytes(GOOD_ROW))
    out_csv, out_html = tmp_path / "out.csv", tmp_path / "out.html"
    code = run_cli("--data-dir", str(data_dir), "--data", str(own), "--csv", str(out_csv), "--html", str(out_html))
    assert code == 0, capsys.readouterr().err
    cite = capsys.readouterr().out
    assert "(data version own data: mine.csv)" in cite and "http" not in cite  # no link could reopen the file
    assert "aa-1,deployment,Station faces" in out_csv.read_text(encoding="utf-8-sig")
    page = embedded_data(out_html.read_text(encoding="utf-8"))["data"]
    assert "Station faces" in [row[ROW_COLUMNS.index("name")] for row in page["rows"]]


def test_the_cli_refuses_a_file_with_invalid_rows_unless_allowed(data_dir, tmp_path, capsys):
    own = tmp_path / "mine.csv"
    own.write_bytes(csv_bytes(GOOD_ROW, GOOD_ROW.replace("aa-1", "aa-2").replace(",2019,https", ",soon,https")))
    out = tmp_path / "out.csv"
    assert run_cli("--data-dir", str(data_dir), "--data", str(own), "--csv", str(out)) == 3
    err = capsys.readouterr().err
    assert f"problem: {own}: record 'row 3 (aa-2)': field \"year_start (column 'year')\": got 'soon'" in err
    assert not out.exists()
    assert run_cli("--data-dir", str(data_dir), "--data", str(own), "--csv", str(out), "--allow-invalid") == 0
    assert "aa-2" not in out.read_text(encoding="utf-8-sig")


def test_the_cli_exits_2_for_a_file_or_mapping_it_cannot_read(data_dir, tmp_path, capsys):
    out = str(tmp_path / "out.csv")
    assert run_cli("--data-dir", str(data_dir), "--data", str(tmp_path / "missing.csv"), "--csv", out) == 2
    assert "could not be read" in capsys.readouterr().err
    own, mapping = tmp_path / "mine.csv", tmp_path / "mapping.json"
    own.write_bytes(csv_bytes(GOOD_ROW))
    mapping.write_text('{"columns": {"vendors": "Supplier"}}', encoding="utf-8")
    assert run_cli("--data-dir", str(data_dir), "--data", str(own), "--mapping", str(mapping), "--csv", out) == 2
    assert "has no column 'Supplier'; the mapping (custom) expects it" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["geojson", "csv"])
def test_a_file_exported_by_the_atlas_opens_as_it_is(data_dir, atlas, fmt):
    from geo.export import to_csv

    text = to_geojson(atlas.deployments) if fmt == "geojson" else to_csv(atlas.deployments, atlas.country_names)
    base = importer.read_base_data(data_dir)
    result = open_import(text.encode("utf-8"), f"export.{fmt}", None, base)
    assert result.problems == [] and result.atlas is not None
    assert to_features(result.atlas.deployments) == to_features(atlas.deployments)
    assert set(result.atlas.vendors["id"]) == {v for vs in atlas.deployments["vendors"] for v in vs}


def test_a_broken_record_of_an_atlas_geojson_is_named_by_its_feature(data_dir, atlas):
    collection = json.loads(to_geojson(atlas.deployments))
    collection["features"][1]["properties"]["status"] = "testing"
    result = open_import(json.dumps(collection).encode(), "export.geojson", None, importer.read_base_data(data_dir))
    second = collection["features"][1]["properties"]["id"]
    assert messages(result) == [
        f"feature 2 ({second}) | status | got 'testing'; expected one of announced, pilot, operational, suspended, stopped"
    ]


def test_a_mapping_file_with_wrong_shapes_is_refused_with_messages():
    mapping, problems = mapping_from_json({"place": 3, "sources": [{"url": 1}], "keep": "x"}, "m.json")
    assert mapping is None
    assert [p.message for p in problems] == [
        "has 'place' that is not a column name or a list of them",
        "has a source column 1 that is not text",
        'has \'keep\' that is not {"column": ..., "contains": [...]}',
    ]


def test_ones_own_records_go_to_the_map_as_data_urls_and_are_never_written(base, tmp_path):
    import base64

    from components.assets import publish_assets
    from geo.mapdata import assign_colors, map_payload

    atlas = imported(base, GOOD_ROW).atlas
    payload = map_payload(atlas.deployments, assign_colors(atlas.deployments), atlas.vendor_names, atlas.country_names)
    static = tmp_path / "static"
    urls = publish_assets(atlas.countries, payload, static, private=True)
    for name in ("deployments.json", "details.json"):
        assert urls[name].startswith("data:application/json;base64,")

    def decoded(name: str) -> str:
        return base64.b64decode(urls[name].split(",", 1)[1]).decode()

    assert "Station faces" in decoded("deployments.json") and "Cameras were installed." in decoded("details.json")
    written = [p for p in static.rglob("*.json") if "Cameras were installed." in p.read_text(encoding="utf-8")]
    assert written == [] and not list(static.rglob("deployments-*.json"))


def test_the_cli_wants_data_with_a_mapping_or_preset(data_dir, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        run_cli("--data-dir", str(data_dir), "--preset", "eff-aos", "--csv", str(tmp_path / "out.csv"))
    assert stop.value.code == 2
    assert "--mapping and --preset describe the file of --data FILE; give --data too" in capsys.readouterr().err


def test_the_cli_reads_the_eff_preset(tmp_path, capsys):
    out = tmp_path / "aos.csv"
    code = run_cli("--data", str(EFF_FIXTURE), "--preset", "eff-aos", "--allow-invalid", "--csv", str(out))
    assert code == 0
    assert "warning: 2 problem(s)" in capsys.readouterr().err
    text = out.read_text(encoding="utf-8-sig")
    assert "aos900001" in text and "aos900002" in text and "aos900003" not in text


def test_a_damaged_workbook_or_utf16_file_gets_a_problem_not_a_crash(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["name", "latitude", "longitude"])
    good = tmp_path / "good.xlsx"
    book.save(good)
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good.read_bytes())) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, b"<worksheet><sheetData><row>" if item.filename.endswith("sheet1.xml") else data)
    table, problems = importer.read_table(broken.getvalue(), "mine.xlsx")
    assert table is None and "is not a readable Excel workbook" in problems[0].message
    table, problems = importer.read_table(codecs.BOM_UTF16_LE + "name,latitude\n".encode("utf-16-le") + b"x", "odd.csv")
    assert problems or table is not None  # read (with a replacement character), never an exception
