"""Every validator rule: a table of bad inputs, each with the error it must produce."""

import copy
import json

import pytest
import synthetic

from geo import validate
from geo.validate import CountryIndex, validate_deployments, validate_files

COUNTRIES = CountryIndex(synthetic.countries_geojson()["features"])
VENDOR_IDS = {v["id"] for v in synthetic.VENDORS}


def problems_for(feature):
    collection = {"type": "FeatureCollection", "features": [feature]}
    return [
        (p.record, p.field, p.message) for p in validate_deployments(collection, "d.geojson", VENDOR_IDS, COUNTRIES)
    ]


def good():
    return synthetic.deployment("aa-x", 10, 10)


def with_props(**changes):
    feature = good()
    for key, value in changes.items():
        if value is KeyError:
            del feature["properties"][key]
        else:
            feature["properties"][key] = value
    return feature


def with_source(**changes):
    feature = good()
    feature["properties"]["sources"][0].update(changes)
    return feature


BAD_CASES = [
    ("missing field", with_props(operator=KeyError), "operator", "is missing"),
    ("bad id", with_props(id="Bad Id!"), "id", "expected a slug"),
    ("empty name", with_props(name="  "), "name", "is empty"),
    ("name not text", with_props(name=42), "name", "expected text"),
    ("country lowercase", with_props(country="aa"), "country", "expected an ISO 3166-1 alpha-2 code"),
    ("unknown country", with_props(country="ZZ"), "country", "unknown country code 'ZZ'"),
    ("bad precision", with_props(precision="street"), "precision", "expected one of site, city, region, country"),
    ("unknown vendor", with_props(vendors=["nobody"]), "vendors", "unknown vendor id 'nobody'"),
    ("no vendors", with_props(vendors=[]), "vendors", "expected a non-empty list of vendor ids"),
    ("bad sector", with_props(sectors=["space"]), "sectors", "got 'space'; expected one of"),
    ("bad status", with_props(status="live"), "status", "expected one of announced"),
    ("year as text", with_props(year_start="2019"), "year_start", "expected a whole number"),
    ("year out of range", with_props(year_start=1850), "year_start", "expected a year between"),
    ("end before start", with_props(year_start=2019, year_end=2017), "year_end", "before year_start 2019"),
    ("negative cameras", with_props(cameras=-5), "cameras", "expected a count of 0 or more"),
    ("float cameras", with_props(cameras=1.5), "cameras", "expected a whole number or null"),
    ("bad confidence", with_props(confidence="sure"), "confidence", "expected one of documented"),
    ("no sources", with_props(sources=[]), "sources", "has no source"),
    ("extra field", with_props(colour="red"), "colour", "is not a field of the schema"),
    ("javascript url", with_source(url="javascript:alert(1)"), "sources[0].url", "expected an http:// or https:// URL"),
    ("relative url", with_source(url="/news/1"), "sources[0].url", "expected an http:// or https:// URL"),
    ("long quote", with_source(quote=" ".join(["word"] * 31)), "sources[0].quote", "has 31 words; expected at most 30"),
    ("bad date", with_source(date="May 2019"), "sources[0].date", "expected YYYY, YYYY-MM or YYYY-MM-DD"),
    (
        "missing publisher",
        {
            **good(),
            "properties": {
                **good()["properties"],
                "sources": [{"title": "t", "date": "2019", "url": "https://a.b/c", "quote": "q"}],
            },
        },
        "sources[0].publisher",
        "is missing",
    ),
    ("point outside country", synthetic.deployment("aa-x", 30, 10), "geometry", "outside AA"),
    (
        "not a point",
        {**good(), "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}},
        "geometry",
        "expected a GeoJSON Point",
    ),
    ("latitude out of range", synthetic.deployment("aa-x", 10, 100), "geometry", "expected longitude in [-180, 180]"),
]


@pytest.mark.parametrize("name,feature,field,message", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_each_bad_input_reports_its_field_and_reason(name, feature, field, message):
    problems = problems_for(feature)
    assert any(f == field and message in m for _, f, m in problems), problems
    assert all(record == feature["properties"]["id"] for record, _, _ in problems)


def test_a_good_record_has_no_problem():
    assert problems_for(good()) == []


def test_a_title_made_from_the_url_slug_must_say_so_in_the_one_placeholder_form():
    made_up = "Police buy cameras [from URL slug]"
    assert problems_for(with_source(title=made_up)) == [
        (
            "aa-x",
            "sources[0].title",
            f"got {made_up!r}; expected the page's own title, or '(title not in stored text; URL slug: …)' when "
            "the page shows none",
        )
    ]
    assert problems_for(with_source(title="(title not in stored text; URL slug: police-buy-cameras)")) == []


def test_point_just_off_the_coast_is_tolerated():
    assert problems_for(synthetic.deployment("aa-x", 15.05, 10)) == []


def test_duplicate_ids_are_reported():
    collection = {"type": "FeatureCollection", "features": [good(), good()]}
    problems = validate_deployments(collection, "d.geojson", VENDOR_IDS, COUNTRIES)
    assert [(p.record, p.field) for p in problems] == [("aa-x", "id")]
    assert "duplicate" in problems[0].message


def test_not_a_feature_collection():
    problems = validate_deployments([1, 2], "d.geojson")
    assert problems and "FeatureCollection" in problems[0].message


def test_vendor_rows_are_checked(tmp_path):
    rows = copy.deepcopy(synthetic.VENDORS)
    rows[0]["hq_country"] = "china"
    rows[1]["entity_list_year"] = "soon"
    rows[2]["source_url"] = "ftp://x"
    rows.append(dict(rows[3]))
    problems = validate.validate_vendor_rows(rows, "v.csv")
    found = {(p.record, p.field) for p in problems}
    assert found == {("acme", "hq_country"), ("bolt", "entity_list_year"), ("cobalt", "source_url"), ("unknown", "id")}


def test_problem_text_names_file_record_and_field():
    text = str(
        validate.Problem("data/deployments.geojson", "ke-nairobi", "year_end", "is 2010, before year_start 2015")
    )
    assert text == "data/deployments.geojson: record 'ke-nairobi': field 'year_end': is 2010, before year_start 2015"


def test_cli_exits_nonzero_and_prints_each_problem(data_dir, capsys):
    path = data_dir / "deployments.geojson"
    collection = json.loads(path.read_text())
    collection["features"][0]["properties"]["year_end"] = 2000
    collection["features"][1]["properties"]["sources"][0]["url"] = "javascript:alert(1)"
    path.write_text(json.dumps(collection))
    code = validate.main([str(path), str(data_dir / "vendors.csv"), str(data_dir / "countries.geojson")])
    out = capsys.readouterr().out
    assert code == 1
    assert "record 'aa-metro': field 'year_end'" in out
    assert "record 'aa-airport': field 'sources[0].url'" in out


def test_cli_reports_invalid_json(data_dir, capsys):
    (data_dir / "deployments.geojson").write_text("{not json")
    assert (
        validate.main(
            [str(data_dir / "deployments.geojson"), str(data_dir / "vendors.csv"), str(data_dir / "countries.geojson")]
        )
        == 1
    )
    assert "is not valid JSON" in capsys.readouterr().out


def test_cli_passes_on_good_data(data_dir):
    assert (
        validate.main(
            [str(data_dir / "deployments.geojson"), str(data_dir / "vendors.csv"), str(data_dir / "countries.geojson")]
        )
        == 0
    )


def test_shipped_data_validates():
    problems = validate_files()
    assert problems == [], "\n".join(map(str, problems[:20]))


def test_non_ascii_digits_in_a_vendor_year_are_reported_not_crashing(tmp_path):
    rows = [dict(synthetic.VENDORS[0], entity_list_year="²⁰¹⁹")]
    problems = validate.validate_vendor_rows(rows, "v.csv")
    assert [(p.field, "expected a whole number" in p.message) for p in problems] == [("entity_list_year", True)]
    from geo.load import vendors_frame

    assert vendors_frame(rows)["entity_list_year"].isna().all()


def history(*events):
    return [{"year": y, "status": s, "source": i} for y, s, i in events]


@pytest.mark.parametrize(
    "feature,expected",
    [
        (
            with_props(history=history((2019, "announced", 0), (2021, "operational", 0)), year_start=2019),
            [],
        ),
        (
            with_props(history=history((2019, "announced", 0), (2021, "operational", 3)), year_start=2019),
            [("aa-x", "history[1].source", "is 3; expected the index of one of its 1 source(s)")],
        ),
        (
            with_props(history=history((2021, "operational", 0), (2019, "announced", 0)), year_start=2021),
            [("aa-x", "history", "years [2021, 2019] are out of order; expected the oldest event first")],
        ),
        (
            with_props(history=history((2019, "announced", 0), (2021, "operational", 0)), year_start=2015),
            [("aa-x", "year_start", "is 2015; expected 2019, the first event of history")],
        ),
        (
            with_props(history=history((2015, "pilot", 0)), year_start=2015),
            [("aa-x", "status", "is 'operational'; expected 'pilot', the last event of history")],
        ),
        (
            with_props(history=history((2015, "operational", 0), (2022, "stopped", 0)), status="stopped"),
            [("aa-x", "year_end", "is None; expected 2022, when history says it stopped")],
        ),
        (
            with_props(history=[{"year": 2015, "status": "live", "source": 0}]),
            [
                (
                    "aa-x",
                    "history[0].status",
                    "got 'live'; expected one of announced, pilot, operational, suspended, stopped",
                )
            ],
        ),
        (
            with_props(history=[{"year": 2015, "status": "pilot"}]),
            [("aa-x", "history[0].source", "is missing")],
        ),
        (
            with_props(year_end=2020),
            [("aa-x", "year_end", "is 2020 while status is operational; expected null (it has not ended)")],
        ),
    ],
)
def test_history_agrees_with_the_record(feature, expected):
    assert problems_for(feature) == expected


def test_every_source_has_a_kind():
    assert problems_for(with_source(kind="blog")) == [
        ("aa-x", "sources[0].kind", "got 'blog'; expected one of primary, news, research, vendor")
    ]
    assert problems_for(_without_source_kind()) == [("aa-x", "sources[0].kind", "is missing")]


def _without_source_kind():
    feature = good()
    del feature["properties"]["sources"][0]["kind"]
    return feature


@pytest.mark.parametrize(
    "confidence,kinds,expected",
    [
        ("documented", ["news", "research"], "is 'documented' but its sources are only of kind news, research; "
         "'documented' needs at least one source of kind primary"),
        ("documented", ["news", "primary"], None),
        ("reported", ["vendor"], "is 'reported' but its sources are only of kind vendor; "
         "'reported' needs at least one source of kind news or primary or research"),
        ("reported", ["research"], None),
        ("claimed", ["vendor"], None),
    ],
)  # fmt: skip
def test_confidence_needs_sources_of_the_right_kind(confidence, kinds, expected):
    feature = with_props(confidence=confidence, sources=[synthetic.source(i, k) for i, k in enumerate(kinds)])
    assert problems_for(feature) == ([("aa-x", "confidence", expected)] if expected else [])


def test_a_policy_may_name_no_vendor_but_a_deployment_must():
    assert problems_for(with_props(kind="policy", vendors=[])) == []
    assert problems_for(with_props(vendors=[])) == [
        ("aa-x", "vendors", "got []; expected a non-empty list of vendor ids")
    ]
    assert problems_for(with_props(kind="ban")) == [("aa-x", "kind", "got 'ban'; expected one of deployment, policy")]


def test_a_file_in_the_old_format_says_so_once():
    feature = good()
    del feature["properties"]["kind"]
    collection = {"type": "FeatureCollection", "features": [feature]}
    problems = validate_deployments(collection, "d.geojson", VENDOR_IDS, COUNTRIES)
    assert problems[0].field == "kind" and "format before record and source kinds" in problems[0].message
    assert [(p.record, p.field, p.message) for p in problems[1:]] == [("aa-x", "kind", "is missing")]


def test_a_record_resting_only_on_listed_domains_gets_a_warning(tmp_path):
    (tmp_path / "source_quality.csv").write_text("domain,why\nmirror.example,unofficial mirror\n")
    domains = validate.read_source_quality(tmp_path / "source_quality.csv")
    mirrored = with_props(sources=[{**synthetic.source(), "url": "https://www.mirror.example/a"}])
    mixed = with_props(
        id="aa-y", sources=[{**synthetic.source(), "url": "https://mirror.example/a"}, synthetic.source(2)]
    )
    warnings = validate.source_quality_warnings({"features": [mirrored, mixed]}, "d.geojson", domains)
    assert [str(w) for w in warnings] == [
        "d.geojson: record 'aa-x': field 'sources': rests only on mirror.example (mirror.example: unofficial mirror); "
        "expected a better source too"
    ]


def test_the_shipped_source_quality_list_covers_the_known_mirrors():
    domains = validate.read_source_quality(validate.DEFAULT_SOURCE_QUALITY)
    assert {"zerohedge.com", "93vmall.com", "pledgetimes.com", "tellerreport.com"} <= set(domains)
