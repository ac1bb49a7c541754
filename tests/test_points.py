"""Large datasets as GeoParquet (geo/points.py): written and read back, checked by the same validator with
the same messages, filtered as the full records are, cached, and opened record by record."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import synthetic

from geo import points
from geo.cache import open_atlas
from geo.filters import Filters, apply_filters, option_counts
from geo.load import DataError, load_atlas
from geo.validate import validate_files

FILTER_CASES = [
    Filters(),
    Filters(vendors=("bolt",)),
    Filters(vendors=("acme",), countries=("AA",)),
    Filters(vendor_countries=("BB",)),
    Filters(sectors=("transport", "education")),
    Filters(statuses=("operational",), years=(2017, 2020)),
    Filters(statuses=("announced",), years=(2019, 2020)),  # face pay: announced in 2019–2020, operational from 2021
    Filters(confidences=("documented",)),
    Filters(years=(None, 2015)),
    Filters(kinds=("deployment",), vendors=("unknown", "cobalt")),
]


def records() -> list[dict]:
    return [*synthetic.deployments(), synthetic.face_pay()]


@pytest.fixture
def points_dir(tmp_path: Path) -> Path:
    return synthetic.write_points_dataset(tmp_path / "points", records(), row_group_rows=2)


@pytest.fixture
def geojson_dir(tmp_path: Path) -> Path:
    return synthetic.write_dataset(tmp_path / "geojson", records())


def test_the_written_file_is_geoparquet_with_one_row_per_record(points_dir: Path) -> None:
    parquet = pq.ParquetFile(points_dir / points.POINTS_FILE)
    geo = json.loads(parquet.schema_arrow.metadata[b"geo"])
    assert geo["primary_column"] == "geometry" and geo["columns"]["geometry"]["encoding"] == "WKB"
    assert parquet.metadata.num_rows == len(records()) and parquet.num_row_groups == 3
    table = parquet.read()
    assert json.loads(table.column("properties")[0].as_py()) == records()[0]["properties"]


@pytest.mark.parametrize("filters", FILTER_CASES, ids=repr)
def test_filters_select_the_same_records_as_on_the_full_records(points_dir: Path, geojson_dir: Path, filters) -> None:
    lean = points.load_points_atlas(points_dir, workers=1).deployments
    full = load_atlas(geojson_dir).deployments
    assert sorted(apply_filters(lean, filters)["id"]) == sorted(apply_filters(full, filters)["id"])
    for name in ("vendors", "countries", "sectors", "statuses"):
        assert option_counts(lean, filters, name) == option_counts(full, filters, name), name


def test_the_lean_table_keeps_each_records_position_and_values(points_dir: Path) -> None:
    lean = points.load_points_atlas(points_dir, workers=1).deployments
    assert points.is_lean(lean)
    airport = lean[lean["id"] == "aa-airport"].iloc[0]
    assert airport["vendors"] == ("acme", "bolt") and airport["vendor_countries"] == ("AA", "BB")
    assert (airport["lon"], airport["lat"], airport["row"]) == (11.0, 11.0, 1)
    assert pd.isna(airport["year_end"]) and airport["year_start"] == 2018


def test_a_record_is_read_back_in_full_from_its_row(points_dir: Path, geojson_dir: Path) -> None:
    atlas = points.load_points_atlas(points_dir, workers=1)
    row = int(atlas.deployments.loc[atlas.deployments["id"] == "bb-city", "row"].iloc[0])
    record = points.read_record(points_dir / points.POINTS_FILE, row, atlas.vendors).iloc[0]
    expected = load_atlas(geojson_dir).deployments.set_index("id").loc["bb-city"]
    assert record["description"] == expected["description"] == "A citywide network with a special operator."
    assert record["sources"] == expected["sources"] and record["vendor_names"] == ["Bolt AI"]
    with pytest.raises(IndexError, match="row 99 is not in"):
        points.read_record(points_dir / points.POINTS_FILE, 99, atlas.vendors)


def test_problems_are_the_validators_own_with_the_file_record_and_field(tmp_path: Path) -> None:
    broken = [*records()]
    broken[1] = synthetic.deployment("aa-bad-status", 11, 11, status="rumoured")
    broken[3] = synthetic.deployment("bb-outside", 60.5, 60.25, country="BB")
    folder = synthetic.write_points_dataset(tmp_path / "points", broken, row_group_rows=2)
    expected = validate_files(
        synthetic.write_dataset(tmp_path / "geojson", broken) / "deployments.geojson",
        tmp_path / "geojson" / "vendors.csv",
        tmp_path / "geojson" / "countries.geojson",
    )
    atlas = points.load_points_atlas(folder, workers=1)
    file = str(folder / points.POINTS_FILE)
    assert [(p.record, p.field, p.message) for p in atlas.problems] == [
        (p.record, p.field, p.message) for p in expected
    ]
    assert {p.file for p in atlas.problems} == {file}
    assert {p.record for p in atlas.problems} == {"aa-bad-status", "bb-outside"}
    assert set(atlas.deployments["id"]) == {r["properties"]["id"] for r in broken} - {"aa-bad-status", "bb-outside"}


def test_a_row_that_is_not_a_json_object_is_reported_and_the_others_are_kept(points_dir: Path) -> None:
    path = points_dir / points.POINTS_FILE
    table = pq.read_table(path)
    texts = table.column("properties").to_pylist()
    texts[2] = '{"id": "bb-city", '
    texts[4] = "[1, 2]"
    pq.write_table(table.set_column(1, "properties", pa.array(texts)), path)
    atlas = points.load_points_atlas(points_dir, workers=1)
    found = {(p.record, p.field) for p in atlas.problems}
    assert ("bb-city", "properties") in found and ("cc-mall", "properties") in found
    message = next(p.message for p in atlas.problems if p.record == "cc-mall" and p.field == "properties")
    assert message == "got list; expected a JSON object"
    assert len(atlas.deployments) == len(records()) - 2


def test_an_id_repeated_in_another_row_group_is_a_duplicate(tmp_path: Path) -> None:
    twice = [*records(), synthetic.deployment("aa-metro", 12, 12)]
    atlas = points.load_points_atlas(synthetic.write_points_dataset(tmp_path / "p", twice, row_group_rows=2), workers=1)
    assert [(p.record, p.field, p.message) for p in atlas.problems] == [
        ("aa-metro", "id", "is a duplicate; ids must be unique")
    ]
    assert "aa-metro" not in set(atlas.deployments["id"])


def test_parallel_checking_finds_what_checking_here_finds(tmp_path: Path) -> None:
    broken = [*records(), synthetic.deployment("cc-bad", 10, 30, country="CC", confidence="certain")]
    folder = synthetic.write_points_dataset(tmp_path / "p", broken, row_group_rows=2)
    here, parallel = points.load_points_atlas(folder, workers=1), points.load_points_atlas(folder, workers=2)
    assert here.problems == parallel.problems and len(here.problems) == 1
    pd.testing.assert_frame_equal(here.deployments, parallel.deployments)


def test_a_file_without_the_columns_says_which_are_expected(tmp_path: Path) -> None:
    folder = synthetic.write_points_dataset(tmp_path / "p")
    pq.write_table(pa.table({"id": ["x"], "name": ["y"]}), folder / points.POINTS_FILE)
    with pytest.raises(DataError) as raised:
        points.load_points_atlas(folder, workers=1)
    (problem,) = raised.value.problems
    assert problem.field == "properties, geometry"
    assert "expected id, properties (the record's properties as JSON) and geometry (WKB points)" in problem.message


def test_a_file_that_is_not_parquet_is_reported(tmp_path: Path) -> None:
    folder = synthetic.write_points_dataset(tmp_path / "p")
    (folder / points.POINTS_FILE).write_text("id,name\n", encoding="utf-8")
    with pytest.raises(DataError, match="cannot be read as Parquet"):
        points.load_points_atlas(folder, workers=1)


def test_the_cached_lean_table_reads_back_equal(points_dir: Path, tmp_path: Path) -> None:
    built, _ = open_atlas(points_dir, tmp_path / "cache")
    cached, entry = open_atlas(points_dir, tmp_path / "cache")
    assert entry.path is not None and (entry.path / "atlas.json").is_file()
    pd.testing.assert_frame_equal(cached.deployments, built.deployments)
    assert cached.deployments["vendors"].dtype == "category"
    assert cached.deployments.loc[1, "vendors"] == ("acme", "bolt")
    assert cached.problems == built.problems


def test_a_geojson_beside_the_parquet_is_what_is_loaded(points_dir: Path) -> None:
    assert points.has_points(points_dir)
    synthetic.write_dataset(points_dir, synthetic.deployments()[:1])
    assert not points.has_points(points_dir)


def test_the_command_converts_a_geojson_file(geojson_dir: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "out.parquet"
    assert points.main([str(geojson_dir / "deployments.geojson"), str(target)]) == 0
    assert f"wrote {len(records())} records to {target}" in capsys.readouterr().out
    assert pq.ParquetFile(target).metadata.num_rows == len(records())
    (tmp_path / "bad.geojson").write_text("{", encoding="utf-8")
    assert points.main([str(tmp_path / "bad.geojson"), str(target)]) == 1


def test_the_command_line_writes_a_large_datasets_selection_in_full(points_dir: Path, tmp_path: Path, capsys) -> None:
    from geo import snapshot

    out = tmp_path / "bolt.csv"
    assert (
        snapshot.main(
            ["--data-dir", str(points_dir), "--vendor", "bolt", "--csv", str(out), "--png", str(tmp_path / "b.png")]
        )
        == 0
    )
    text = out.read_text(encoding="utf-8-sig")
    assert "aa-airport" in text and "bb-city" in text and "A citywide network with a special operator." in text
    assert "Showing 2 of 6 deployments: vendor Bolt AI" in capsys.readouterr().out
    assert (tmp_path / "b.png").read_bytes()[:4] == b"\x89PNG"


def test_the_command_line_asks_to_narrow_a_selection_too_large_for_a_map_file(
    points_dir: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    from geo import snapshot

    monkeypatch.setattr(snapshot, "MAX_RECORDS_OUT", 3)
    with pytest.raises(SystemExit) as exited:
        snapshot.main(
            ["--data-dir", str(points_dir), "--csv", str(tmp_path / "all.csv"), "--html", str(tmp_path / "a.html")]
        )
    assert exited.value.code == 2
    assert (
        "these filters select 6 records of a large dataset; --html hold at most 3: narrow them (--vendor, --country, "
        "--from, …); --csv and --geojson are written, and the images and timelines drawn, for any number"
        in capsys.readouterr().err
    )
    assert not (tmp_path / "all.csv").exists() and not (tmp_path / "a.html").exists()


@pytest.mark.parametrize("style", ["points", "shaded"])
def test_the_command_line_draws_a_selection_of_any_size_as_its_full_records_would_be(
    points_dir: Path, geojson_dir: Path, tmp_path: Path, monkeypatch, style: str
) -> None:
    """Over MAX_RECORDS_OUT records, images and timelines are drawn from the lean table: the same picture,
    labels and legend as of the same records in full (only the data version in the footer differs)."""
    from geo import snapshot

    def draw(folder: Path, name: str) -> int:
        outputs = ["--svg", str(tmp_path / f"{name}.svg"), "--gif", str(tmp_path / f"{name}.gif")]
        return snapshot.main(["--data-dir", str(folder), "--labels", "--style", style, *outputs])

    monkeypatch.setattr(snapshot, "MAX_RECORDS_OUT", 3)
    monkeypatch.setattr(points, "read_records", lambda *a: pytest.fail("no record is read in full"))
    assert draw(points_dir, "lean") == 0
    monkeypatch.undo()
    assert draw(geojson_dir, "full") == 0
    svgs = [re.sub(r"unreleased\+[0-9a-f]+", "", (tmp_path / f"{n}.svg").read_text()) for n in ("lean", "full")]
    assert svgs[0] == svgs[1] and "Capital" in svgs[0]  # a place label
    assert (tmp_path / "lean.gif").read_bytes()[:6] == b"GIF89a"


def test_the_command_line_writes_the_data_of_a_selection_of_any_size_part_by_part(
    points_dir: Path, geojson_dir: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    """Over MAX_RECORDS_OUT records, --csv and --geojson are written from parts of that many records: the
    files are those of the same selection of the full records (here 6 records, in parts of 4)."""
    from geo import snapshot
    from geo.export import to_csv, to_geojson

    monkeypatch.setattr(snapshot, "MAX_RECORDS_OUT", 4)
    parts: list[int] = []
    read_records = points.read_records
    monkeypatch.setattr(points, "read_records", lambda *a: parts.append(len(a[1])) or read_records(*a))
    csv_path, geojson_path = tmp_path / "all.csv", tmp_path / "all.geojson"
    args = ["--data-dir", str(points_dir), "--csv", str(csv_path), "--geojson", str(geojson_path)]
    assert snapshot.main(args) == 0
    assert parts == [4, 2, 4, 2]  # the CSV's two parts, then the GeoJSON's
    full = load_atlas(geojson_dir)
    assert csv_path.read_text(encoding="utf-8") == to_csv(full.deployments, full.country_names)
    assert geojson_path.read_text(encoding="utf-8") == to_geojson(full.deployments)
    assert json.loads(csv_path.with_name("all.csv-metadata.json").read_text())["rows"] == 6
    assert "Showing 6 of 6 deployments" in capsys.readouterr().out


def test_a_snapshot_of_a_large_selection_holds_its_records_in_full_and_no_others(points_dir: Path) -> None:
    from geo.mapdata import assign_colors
    from geo.outputs import Shared, snapshot_file
    from geo.snapshot_html import embedded_data

    lean = points.load_points_atlas(points_dir, workers=1)
    bolt = Filters(vendors=("bolt",))
    atlas = points.atlas_of_records(lean, points_dir, apply_filters(lean.deployments, bolt))
    html = snapshot_file(
        Shared(atlas, atlas.deployments, assign_colors(lean.deployments), "Showing 2 of 6", "v1", "", "cite", bolt)
    )
    rows = embedded_data(html)["data"]["rows"]
    assert sorted(row[3] for row in rows) == ["Airport gates", "Bland safe city"]
    assert "A citywide network with a special operator." in {row[15] for row in rows}
    with pytest.raises(ValueError, match="12,000 records selected; outputs of a large dataset hold at most 10,000"):
        points.atlas_of_records(lean, points_dir, lean.deployments.loc[lean.deployments.index.repeat(2000)])


def test_the_overview_charts_and_profiles_count_a_lean_table_as_the_full_records(
    points_dir: Path, geojson_dir: Path
) -> None:
    from geo import summaries
    from geo.mapdata import assign_colors, legend_entries

    lean_atlas, full_atlas = points.load_points_atlas(points_dir, workers=1), load_atlas(geojson_dir)
    lean, full = lean_atlas.deployments, full_atlas.deployments
    names, countries = full_atlas.vendor_names, full_atlas.country_names
    colors = assign_colors(full)
    assert assign_colors(lean) == colors
    assert summaries.selection_overview(lean) == summaries.selection_overview(full)
    assert summaries.multi_vendor_count(lean) == summaries.multi_vendor_count(full) == 1
    pd.testing.assert_frame_equal(
        summaries.started_per_year(lean, colors, names).reset_index(drop=True),
        summaries.started_per_year(full, colors, names).reset_index(drop=True),
    )
    pd.testing.assert_frame_equal(summaries.top_vendors(lean, names), summaries.top_vendors(full, names))
    pd.testing.assert_frame_equal(summaries.top_countries(lean, countries), summaries.top_countries(full, countries))
    assert legend_entries(lean, colors, names) == legend_entries(full, colors, names)
    assert lean_atlas.vendor_home_countries == full_atlas.vendor_home_countries
    for vendor in ("acme", "bolt"):
        lean_profile = summaries.vendor_profile(lean, lean_atlas.vendors, vendor)
        full_profile = summaries.vendor_profile(full, full_atlas.vendors, vendor)
        assert {k: v for k, v in lean_profile.items() if k != "per_year"} == {
            k: v for k, v in full_profile.items() if k != "per_year"
        }


def test_the_lean_tables_columns_are_fields_of_the_schema() -> None:
    from geo import schema

    assert set(points.SCALAR_COLUMNS + points.TUPLE_COLUMNS + points.YEAR_COLUMNS) <= set(schema.DEPLOYMENT_FIELD_NAMES)
    assert set(points.TUPLE_COLUMNS) <= set(schema.LIST_FIELDS)
    assert set(points.YEAR_COLUMNS) <= {f.name for f in schema.DEPLOYMENT_FIELDS if f.kind == "int"}


def test_the_validator_command_checks_a_large_dataset_by_the_same_rules(tmp_path: Path, capsys) -> None:
    from geo import validate

    broken = [*records(), synthetic.deployment("aa-bad-status", 11, 11, status="rumoured")]
    folder = synthetic.write_points_dataset(tmp_path / "p", broken, row_group_rows=2)
    files = [str(folder / name) for name in points.DATA_FILES]
    assert validate.main(files) == 1
    out = capsys.readouterr()
    assert f"{files[0]}: record 'aa-bad-status': field 'status': got 'rumoured'" in out.out
    assert "1 problem(s) found." in out.err
    clean = synthetic.write_points_dataset(tmp_path / "clean", records())
    assert validate.main([str(clean / name) for name in points.DATA_FILES]) == 0
    assert "are valid" in capsys.readouterr().out


def test_a_record_without_an_id_is_named_by_its_row_in_the_file_and_left_out(tmp_path: Path) -> None:
    nameless = synthetic.deployment("", 10, 10)
    folder = synthetic.write_points_dataset(tmp_path / "p", [*records()[:3], nameless], row_group_rows=2)
    atlas = points.load_points_atlas(folder, workers=1)
    assert {p.record for p in atlas.problems} == {"#3"}  # the second row of the second row group
    assert len(atlas.deployments) == 3 and "" not in set(atlas.deployments["id"])


@pytest.mark.parametrize(
    "total,page,expected",
    [
        (2500, 1, range(0, 1000)),
        (2500, 3, range(2000, 2500)),  # the last page holds the rest
        (2500, 9, range(2000, 2500)),  # a page past the end (the selection shrank) shows the last one
        (2500, 0, range(0, 1000)),
        (0, 1, range(0, 0)),
    ],
)
def test_a_table_page_holds_its_share_of_the_rows(total: int, page: int, expected: range) -> None:
    assert points.page_rows(total, page, 1000) == expected
    assert points.page_count(total, 1000) == max(1, -(-total // 1000))


def test_a_large_selection_that_fails_part_way_leaves_no_half_written_file(
    points_dir: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    from geo import snapshot

    monkeypatch.setattr(snapshot, "MAX_RECORDS_OUT", 4)
    calls: list[int] = []
    read_records = points.read_records

    def failing_second_part(*args):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(tmp_path / "all.csv"))
        return read_records(*args)

    monkeypatch.setattr(points, "read_records", failing_second_part)
    assert snapshot.main(["--data-dir", str(points_dir), "--csv", str(tmp_path / "all.csv")]) == 2
    err = capsys.readouterr().err
    assert "error: could not write" in err and "No space left on device" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["points"]
