"""The on-disk atlas cache: a restart reads the validated, joined data back exactly as a fresh load returns
it, and a changed, corrupt or unwritable cache never stops the data from loading."""

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import synthetic
from geopandas.testing import assert_geodataframe_equal

from geo import cache
from geo.cache import cache_key, load_atlas_cached, open_atlas
from geo.load import DataError, load_atlas
from geo.validate import DATA_DIR


def assert_same_atlas(cached, fresh) -> None:
    """Equal tables (values, dtypes, index, column order, geometry, CRS as given), cells of the same Python
    types (lists stay lists, not numpy arrays), and the same problems."""
    for name in ("deployments", "countries"):
        got, expected = getattr(cached, name), getattr(fresh, name)
        assert type(got) is gpd.GeoDataFrame
        assert_geodataframe_equal(got, expected, check_less_precise=False)
        assert got.crs.srs == expected.crs.srs
        assert got.geometry.name == expected.geometry.name
    pd.testing.assert_frame_equal(cached.vendors, fresh.vendors, check_exact=True)
    assert type(cached.vendors) is pd.DataFrame
    for name in ("deployments", "vendors", "countries"):
        got, expected = getattr(cached, name), getattr(fresh, name)
        assert list(got.dtypes.astype(str)) == list(expected.dtypes.astype(str)), name
        for column in expected.columns:
            if expected[column].dtype == object and column != "geometry":
                got_types = [type(v) for v in got[column]]
                assert got_types == [type(v) for v in expected[column]], (name, column)
                assert list(got[column]) == list(expected[column]), (name, column)
    assert cached.problems == fresh.problems


def varied_features():
    """Records using every kind of field: vendor roles, history, no cameras, several sources, a policy, a
    record with a problem (left out and listed), and text that JSON must keep exactly."""
    records = synthetic.deployments()
    records.append(synthetic.face_pay())
    records.append(
        synthetic.deployment(
            "aa-roles",
            12,
            13,
            name='Quotes " \\ and ünïcödé \u2028 ✓',
            vendors=["acme", "bolt"],
            vendor_roles={"acme": "camera maker", "bolt": "integrator"},
            cameras=None,
            year_end=2021,
            status="stopped",
        )
    )
    records.append(synthetic.deployment("aa-ban", 13, 13, kind="policy", vendors=[], name="A ban"))
    records.append(synthetic.deployment("aa-bad", 13, 12, status="nonsense"))
    return records


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def test_a_cached_atlas_equals_a_fresh_load_of_synthetic_data(tmp_path, cache_dir):
    data = synthetic.write_dataset(tmp_path / "data", varied_features())
    fresh = load_atlas(data)
    assert fresh.problems and "aa-roles" in set(fresh.deployments["id"])  # the data exercises what it should
    first, entry = open_atlas(data, cache_dir)
    assert entry.path is not None and entry.path.is_dir()
    second = load_atlas_cached(data, cache_dir)
    assert_same_atlas(first, fresh)
    assert_same_atlas(second, fresh)
    assert second.vendor_names == fresh.vendor_names and second.record_ids == fresh.record_ids


def test_a_cached_atlas_equals_a_fresh_load_of_the_shipped_data(cache_dir):
    load_atlas_cached(DATA_DIR, cache_dir)
    assert_same_atlas(load_atlas_cached(DATA_DIR, cache_dir), load_atlas(DATA_DIR))


def test_equal_vendor_ids_read_from_the_cache_are_one_string_object(tmp_path, cache_dir):
    # A JSON parse makes a new string per occurrence; at 100,000 records that was tens of MB of copies.
    data = synthetic.write_dataset(tmp_path / "data", varied_features())
    load_atlas_cached(data, cache_dir)
    cached = load_atlas_cached(data, cache_dir)
    ids = [vendor for vendors in cached.deployments["vendors"] for vendor in vendors]
    by_text: dict[str, set[int]] = {}
    for vendor in ids:
        by_text.setdefault(vendor, set()).add(id(vendor))
    assert len(ids) > len(by_text)  # some vendor supplies several records
    assert all(len(objects) == 1 for objects in by_text.values()), by_text


def test_an_empty_atlas_is_cached_exactly(tmp_path, cache_dir):
    data = synthetic.write_dataset(tmp_path / "data", [])
    load_atlas_cached(data, cache_dir)
    assert_same_atlas(load_atlas_cached(data, cache_dir), load_atlas(data))


def test_a_restart_with_the_same_data_does_not_read_and_check_it_again(tmp_path, cache_dir, monkeypatch):
    data = synthetic.write_dataset(tmp_path / "data")
    expected = load_atlas_cached(data, cache_dir)

    def no_fresh_load(_):
        raise AssertionError("the data was read and validated again")

    monkeypatch.setattr(cache, "load_atlas", no_fresh_load)
    assert_same_atlas(load_atlas_cached(data, cache_dir), expected)


def test_changed_data_or_code_is_loaded_afresh(tmp_path, cache_dir, monkeypatch):
    data = synthetic.write_dataset(tmp_path / "data")
    assert len(load_atlas_cached(data, cache_dir).deployments) == 5
    key = cache_key(data)
    synthetic.write_dataset(data, synthetic.deployments()[:2])
    assert cache_key(data) != key
    assert len(load_atlas_cached(data, cache_dir).deployments) == 2
    # A schema or code change (anything in geo/) changes the key too.
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "another version of the code")
    assert cache_key(data) != key
    assert len(load_atlas_cached(data, cache_dir).deployments) == 2


def test_the_folder_read_from_is_part_of_the_key_because_problems_name_it(tmp_path, cache_dir):
    features = varied_features()
    first = synthetic.write_dataset(tmp_path / "one", features)
    second = synthetic.write_dataset(tmp_path / "two", features)
    load_atlas_cached(first, cache_dir)
    problems = load_atlas_cached(second, cache_dir).problems
    assert problems == load_atlas(second).problems
    assert all(str(second) in p.file for p in problems)


@pytest.mark.parametrize(
    "damage",
    [
        lambda entry: (entry / "deployments.parquet").write_bytes(b"not parquet"),
        lambda entry: (entry / "atlas.json").write_text("{"),
        lambda entry: (entry / "vendors.parquet").unlink(),
        lambda entry: (entry / "deployments.sources.json").write_text("[1, 2"),
        lambda entry: (entry / "deployments.vendors.json").unlink(),
        lambda entry: (entry / "atlas.json").write_text(json.dumps({"format": -1})),
        lambda entry: shutil.rmtree(entry) or entry.write_text("a file, not a folder"),
    ],
    ids=[
        "corrupt table",
        "corrupt manifest",
        "missing table",
        "corrupt column",
        "missing column",
        "other format",
        "not a folder",
    ],
)
def test_a_corrupt_cache_entry_is_ignored_and_rebuilt(tmp_path, cache_dir, damage):
    data = synthetic.write_dataset(tmp_path / "data", varied_features())
    _, entry = open_atlas(data, cache_dir)
    damage(entry.path)
    assert_same_atlas(load_atlas_cached(data, cache_dir), load_atlas(data))
    assert entry.path.is_dir()  # rebuilt: the next start reads it
    assert_same_atlas(cache.read_entry(entry.path, cache_key(data)), load_atlas(data))


def test_a_read_only_cache_is_still_read(tmp_path, cache_dir, monkeypatch):
    data = synthetic.write_dataset(tmp_path / "data")
    expected = load_atlas_cached(data, cache_dir)

    def read_only(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(cache.os, "utime", read_only)
    monkeypatch.setattr(cache, "load_atlas", lambda _: pytest.fail("the data was read again"))
    assert_same_atlas(load_atlas_cached(data, cache_dir), expected)


def test_a_cache_that_cannot_be_written_only_means_loading_afresh(tmp_path):
    data = synthetic.write_dataset(tmp_path / "data")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be")
    atlas, entry = open_atlas(data, blocked)
    assert entry.path is None
    assert_same_atlas(atlas, load_atlas(data))


def test_data_that_cannot_be_used_still_raises_the_loaders_error(tmp_path, cache_dir):
    data = synthetic.write_dataset(tmp_path / "data")
    (data / "vendors.csv").unlink()
    with pytest.raises(DataError, match="vendors.csv"):
        load_atlas_cached(data, cache_dir)
    assert not any(cache_dir.glob("*")) if cache_dir.exists() else True


def test_only_the_most_recently_used_entries_are_kept(tmp_path, cache_dir, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    folders = [synthetic.write_dataset(tmp_path / f"d{i}", synthetic.deployments()[: i + 1]) for i in range(4)]
    for folder in folders:
        load_atlas_cached(folder, cache_dir)
    kept = {p.name for p in cache_dir.iterdir()}
    assert kept == {cache_key(folders[2]), cache_key(folders[3])}


def test_a_remembered_value_is_computed_once_and_recomputed_when_unusable(tmp_path, cache_dir):
    data = synthetic.write_dataset(tmp_path / "data")
    calls = []

    def compute():
        calls.append(1)
        return {"deployments.json": f"deployments-{len(calls)}.json"}

    _, entry = open_atlas(data, cache_dir)
    assert entry.remembered("names", compute, lambda v: True) == {"deployments.json": "deployments-1.json"}
    _, entry = open_atlas(data, cache_dir)
    assert entry.remembered("names", compute, lambda v: True) == {"deployments.json": "deployments-1.json"}
    assert entry.remembered("names", compute, lambda v: False) == {"deployments.json": "deployments-2.json"}
    assert len(calls) == 2


def test_the_data_version_is_remembered_until_the_data_or_the_releases_change(tmp_path, cache_dir, monkeypatch):
    from geo import citation

    data = synthetic.write_dataset(tmp_path / "data")
    expected = citation.data_version(data)
    _, entry = open_atlas(data, cache_dir)
    assert cache.data_version_cached(data, entry) == expected
    calls = []
    monkeypatch.setattr(citation, "data_version", lambda d: calls.append(d) or "recomputed")
    _, entry = open_atlas(data, cache_dir)
    assert cache.data_version_cached(data, entry) == expected and not calls
    (data / "versions").mkdir()
    (data / "versions" / "2026.01.01.json").write_text("{}")
    assert cache.data_version_cached(data, entry) == "recomputed" and len(calls) == 1
