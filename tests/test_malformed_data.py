"""Broken data never crashes and is never dropped silently: every case of the corpus in tests/malformed.py
through the validator, the page (AppTest) and the CLI; and property tests over arbitrary records and bytes."""

from pathlib import Path

import pytest
import synthetic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from malformed import CASES, DEPLOYMENTS, broken_folder
from page import shown
from streamlit.testing.v1 import AppTest

from components.data import DATA_DIR_ENV
from geo import snapshot
from geo.load import DataError, load_atlas
from geo.snapshot import EXIT_BAD_ARGUMENTS, EXIT_INVALID_RECORDS
from geo.validate import validate_files

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_the_corpus_is_large_and_names_distinct_cases():
    assert len(CASES) >= 50 and len({c.name for c in CASES}) == len(CASES)


def located(problems, case):
    return [p for p in problems if Path(p.file).name == case.file and p.record == case.record and p.field == case.field]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_validator_names_file_record_and_field(case, tmp_path):
    folder = broken_folder(case, tmp_path)
    problems = validate_files(folder / DEPLOYMENTS, folder / "vendors.csv", folder / "countries.geojson")
    matching = located(problems, case)
    assert matching, [str(p) for p in problems]
    assert any(case.message in p.message for p in matching), [str(p) for p in matching]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_loader_lists_the_problem_or_refuses_the_file_by_name(case, tmp_path):
    folder = broken_folder(case, tmp_path)
    if case.whole_file:
        with pytest.raises(DataError) as error:
            load_atlas(folder)
        assert case.file in str(error.value) and case.message in str(error.value)
        return
    atlas = load_atlas(folder)
    assert any(case.message in p.message for p in located(atlas.problems, case))
    rejected = {p.record for p in atlas.problems if Path(p.file).name == DEPLOYMENTS}
    assert not rejected & set(atlas.deployments["id"]), "a rejected record is drawn"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_page_shows_the_problem_never_a_stack_trace(case, tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(broken_folder(case, tmp_path)))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    if case.whole_file:
        error = shown(at.error[0].value)
        assert case.file in error and case.message in error, error
    else:
        listed = " ".join(t.value for t in at.text)
        assert case.message in listed or len(at.text) >= 20, listed
        assert at.expander and "data problem" in at.expander[0].label


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_cli_exits_non_zero_with_the_problem(case, tmp_path, capsys):
    folder = broken_folder(case, tmp_path)
    out = tmp_path / "out.csv"
    code = snapshot.main(["--data-dir", str(folder), "--csv", str(out)])
    err = capsys.readouterr().err
    assert code == (EXIT_BAD_ARGUMENTS if case.whole_file else EXIT_INVALID_RECORDS)
    assert case.message in err and "Traceback" not in err
    assert not out.exists(), "nothing is written while records are rejected"


def test_allow_invalid_writes_the_valid_records_and_still_lists_the_rest(tmp_path, capsys):
    case = next(c for c in CASES if c.name == "unknown vendor")
    folder = broken_folder(case, tmp_path)
    out = tmp_path / "out.csv"
    assert snapshot.main(["--data-dir", str(folder), "--csv", str(out), "--allow-invalid"]) == 0
    err = capsys.readouterr().err
    assert "unknown vendor id 'nobody'" in err and "left out of the outputs" in err
    assert "aa-metro" not in out.read_text() and out.read_text().count("\n") == 5  # header and four records


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
FIELDS = st.sampled_from(
    ["id", "kind", "name", "vendors", "country", "sources", "history", "year_start", "status", "vendor_roles"]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(FIELDS, JSON, max_size=4), geometry=JSON)
def test_arbitrary_json_in_a_record_gives_records_or_problems_never_an_exception(tmp_path_factory, changes, geometry):
    folder = synthetic.write_dataset(tmp_path_factory.mktemp("prop") / "data")
    data = __import__("json").loads((folder / DEPLOYMENTS).read_text())
    data["features"][0]["properties"].update(changes)
    data["features"][1]["geometry"] = geometry
    (folder / DEPLOYMENTS).write_text(__import__("json").dumps(data))
    atlas = load_atlas(folder)
    assert len(atlas.deployments) + len({p.record for p in atlas.problems}) >= 5


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=300), name=st.sampled_from([DEPLOYMENTS, "vendors.csv", "countries.geojson"]))
def test_arbitrary_bytes_in_a_file_give_records_or_problems_never_an_exception(tmp_path_factory, content, name):
    folder = synthetic.write_dataset(tmp_path_factory.mktemp("bytes") / "data")
    (folder / name).write_bytes(content)
    try:
        atlas = load_atlas(folder)
    except DataError as error:
        assert error.problems and all(p.file for p in error.problems)
    else:
        assert atlas.problems or len(atlas.deployments) == 5
