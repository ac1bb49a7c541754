"""The filter registry: every filter round-trips through the URL, the CLI and the widgets, the CLI's help
lists them all, ids are matched in any case with a 'did you mean' for near misses, and search finds what
people type."""

import pytest
import synthetic

from geo import snapshot
from geo.filters import (
    CHOICE_FILTERS,
    FILTERS,
    YEARS,
    Filters,
    apply_filters,
    build_vocabulary,
    filter_params,
    params_from_args,
    parse_filters,
    year_bounds,
)
from geo.load import load_atlas
from geo.search import fold


@pytest.fixture
def vocabulary(atlas):
    return build_vocabulary(atlas, year_bounds(atlas.deployments))


def sample_value(spec, vocabulary):
    """A value that restricts something, for each kind of filter."""
    if spec in CHOICE_FILTERS:
        return tuple(vocabulary.options[spec.name][-2:])
    if spec is YEARS:
        return (2014, 2019)
    return "gates"


def test_registry_names_keys_and_parameters_are_unique():
    assert len({f.name for f in FILTERS}) == len({f.key for f in FILTERS}) == len(FILTERS)
    params = [p for f in FILTERS for p in f.params]
    assert len(set(params)) == len(params)
    assert list(Filters()) == [f.name for f in FILTERS]
    with pytest.raises(TypeError, match="unknown filter"):
        Filters(colour=("red",))


@pytest.mark.parametrize("spec", FILTERS, ids=lambda f: f.name)
def test_each_filter_round_trips_through_the_url(spec, vocabulary):
    filters = Filters(**{spec.name: sample_value(spec, vocabulary)})
    params = filter_params(filters)
    assert set(params) <= set(spec.params) and params
    parsed = parse_filters(params, vocabulary)
    assert parsed.ignored == [] and parsed.filters == filters


@pytest.mark.parametrize("spec", FILTERS, ids=lambda f: f.name)
def test_each_filter_round_trips_through_the_cli(spec, vocabulary):
    filters = Filters(**{spec.name: sample_value(spec, vocabulary)})
    argv = [arg for param, values in filter_params(filters).items() for v in values for arg in (f"--{param}", v)]
    args = snapshot.build_parser().parse_args([*argv, "--csv", "x.csv"])
    parsed = parse_filters(params_from_args(args), vocabulary)
    assert parsed.ignored == [] and parsed.filters == filters


@pytest.mark.parametrize("spec", FILTERS, ids=lambda f: f.name)
def test_each_filter_round_trips_through_its_widget_state(spec, vocabulary):
    value = sample_value(spec, vocabulary)
    assert spec.from_state(spec.to_state(value, vocabulary), vocabulary) == spec.normalise(value)
    assert spec.from_state(spec.to_state(spec.default(), vocabulary), vocabulary) == spec.default()


def test_the_cli_help_lists_every_filter(capsys):
    with pytest.raises(SystemExit):
        snapshot.build_parser().parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for spec in FILTERS:
        for param in spec.params:
            assert f"--{param}" in help_text
        assert spec.label in help_text
    for spec in CHOICE_FILTERS:
        assert f"--list {spec.name}" in help_text


def test_the_cli_takes_ids_and_names_in_any_case(tmp_path, data_dir, capsys):
    out = tmp_path / "out.csv"
    for value in ("ACME", "acme vision", "Acme"):
        assert (
            snapshot.main(["--data-dir", str(data_dir), "--vendor", value, "--country", "aa", "--csv", str(out)]) == 0
        )
        assert "vendor=acme&country=AA" in capsys.readouterr().out


def test_an_unknown_id_gets_a_did_you_mean(data_dir, capsys):
    with pytest.raises(SystemExit) as exit_info:
        snapshot.main(["--data-dir", str(data_dir), "--vendor", "acmee", "--csv", "x.csv"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "vendor='acmee' (no deployment by this vendor; did you mean acme?)" in err and "--list" in err


def test_the_cli_lists_the_values_of_a_filter(data_dir, capsys):
    assert snapshot.main(["--data-dir", str(data_dir), "--list", "vendors"]) == 0
    lines = capsys.readouterr().out.strip().split("\n")
    assert lines[0] == "id\tlabel\tdeployments"
    assert "acme\tAcme Vision\t2" in lines and "bolt\tBolt AI\t2" in lines and len(lines) == 5
    assert snapshot.main(["--data-dir", str(data_dir), "--list", "statuses"]) == 0
    assert "pilot\tPilot\t1" in capsys.readouterr().out


def test_labels_name_one_option_even_when_two_vendors_share_a_name(tmp_path):
    folder = synthetic.write_dataset(tmp_path / "data")
    rows = [dict(v) for v in synthetic.VENDORS]
    rows[2]["name"] = rows[0]["name"]  # cobalt now also says "Acme Vision"
    synthetic.write_vendors(folder / "vendors.csv", rows)
    atlas = load_atlas(folder)
    labels = build_vocabulary(atlas, year_bounds(atlas.deployments)).labels["vendors"]
    assert labels["acme"] == "Acme Vision (acme)" and labels["cobalt"] == "Acme Vision (cobalt)"


def search(atlas, text):
    return sorted(apply_filters(atlas.deployments, Filters(text=text))["id"])


def test_search_finds_vendors_by_name_and_alias_and_sources_by_publisher_and_title(tmp_path):
    features = synthetic.deployments()
    features[2]["properties"]["sources"] = [
        {**synthetic.source(7), "publisher": "Daily Ledger", "title": "Gates go up"}
    ]
    atlas = load_atlas(synthetic.write_dataset(tmp_path / "data", features))
    assert search(atlas, "bolt ai") == ["aa-airport", "bb-city"]
    assert search(atlas, "AV") == search(atlas, "acme vision") == ["aa-airport", "aa-metro"]
    assert search(atlas, "daily ledger") == search(atlas, "GATES GO UP") == ["bb-city"]
    assert search(atlas, "Bland") == ["bb-city", "bb-school"]  # the country's name


def test_search_ignores_accents_case_and_common_transliterations(tmp_path):
    features = synthetic.deployments()
    features[0]["properties"]["place"] = "Moscow Metro"
    features[1]["properties"]["place"] = "Ürümqi"
    features[2]["properties"]["place"] = "Kyiv"
    features[3]["properties"]["place"] = "Peking University"
    atlas = load_atlas(synthetic.write_dataset(tmp_path / "data", features))
    assert search(atlas, "Moskva") == search(atlas, "moscow") == ["aa-metro"]
    assert search(atlas, "urumqi") == search(atlas, "ÜRÜMQI") == ["aa-airport"]
    assert search(atlas, "Kiev") == ["bb-city"]
    assert search(atlas, "beijing") == search(atlas, "Peking") == ["bb-school"]


def test_folding_replaces_whole_words_only():
    assert fold("Kievan Rus") == "kievan rus"
    assert fold("  Sankt   Peterburg ") == "st petersburg"
    assert fold("São Paulo") == "sao paulo"
