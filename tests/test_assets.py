"""Map assets: two instances serving different data from one checkout keep each other's files."""

import os
import time

import synthetic

from components.assets import publish_assets, remove_stale_versions
from geo.load import load_atlas
from geo.mapdata import assign_colors, map_payload


def payload_of(atlas):
    return map_payload(atlas.deployments, assign_colors(atlas.deployments), atlas.vendor_names, atlas.country_names)


def test_two_instances_with_different_data_keep_each_others_files(tmp_path):
    first = load_atlas(synthetic.write_dataset(tmp_path / "a"))
    second = load_atlas(synthetic.write_dataset(tmp_path / "b", synthetic.deployments()[:2]))
    static = tmp_path / "static"
    urls_first = publish_assets(first.countries, payload_of(first), static)
    urls_second = publish_assets(second.countries, payload_of(second), static)
    assert urls_first["deployments.json"] != urls_second["deployments.json"]
    for urls in (urls_first, urls_second):
        for key in ("deployments.json", "countries.json"):
            assert (static / "atlas" / urls[key].rsplit("/", 1)[-1]).exists(), (key, urls[key])
        assert (static / "atlas" / urls["details.json"].rsplit("/", 1)[-1].replace("{chunk}", "0")).exists()
    assert publish_assets(first.countries, payload_of(first), static) == urls_first  # same data, same names


def test_only_data_files_no_instance_has_used_for_a_week_are_removed(tmp_path):
    folder = tmp_path / "atlas"
    folder.mkdir()
    old, recent, other = (
        folder / "deployments-0123456789ab.json",
        folder / "details-ba9876543210-0.json",
        folder / "notes-x.json",
    )
    for path in (old, recent, other):
        path.write_text("{}")
    week_ago = time.time() - 8 * 24 * 3600
    os.utime(old, (week_ago, week_ago))
    os.utime(other, (week_ago, week_ago))
    assert remove_stale_versions(folder, keep=set()) == [old.name]
    assert recent.exists() and other.exists() and not old.exists()


def test_a_restart_with_unchanged_data_reuses_the_published_files_without_rebuilding_them(tmp_path, monkeypatch):
    from components import data as page_data

    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    folder, static = synthetic.write_dataset(tmp_path / "data"), tmp_path / "static"
    first = page_data.prepare(folder, static)

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the map payload was built again")

    monkeypatch.setattr(page_data, "map_payload", no_rebuild)
    assert page_data.prepare(folder, static).asset_urls == first.asset_urls
    # Once a data file is gone from static/ (e.g. a fresh checkout), the files are built and published again.
    (static / "atlas" / first.asset_urls["details.json"].rsplit("/", 1)[-1].replace("{chunk}", "0")).unlink()
    monkeypatch.undo()
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    again = page_data.prepare(folder, static)
    assert again.asset_urls == first.asset_urls
    assert all(
        (static / "atlas" / again.asset_urls[k].rsplit("/", 1)[-1].replace("{chunk}", "0")).is_file()
        for k in ("details.json", "deployments.json")
    )


def test_a_large_dataset_is_prepared_in_a_short_lived_process_and_the_server_only_reads_the_result(
    tmp_path, monkeypatch
):
    from components import data as page_data
    from geo import cache, citation

    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(page_data, "CHILD_BUILD_MIN_BYTES", 0)  # every dataset counts as large
    folder, static = synthetic.write_dataset(tmp_path / "data"), tmp_path / "static"
    assert not page_data.is_prepared(folder, static)
    assert page_data.prepare_in_child(folder, static)
    assert page_data.is_prepared(folder, static)
    expected_version = citation.data_version(folder)

    def not_here(*args, **kwargs):
        raise AssertionError("the server read, checked or serialised the data itself")

    for module, name in ((cache, "load_atlas"), (page_data, "map_payload"), (citation, "data_version")):
        monkeypatch.setattr(module, name, not_here)
    loaded = page_data.prepare(folder, static)
    assert len(loaded.atlas.deployments) == len(synthetic.deployments())
    assert loaded.version == expected_version
    assert not page_data.prepare_in_child(folder, static)  # already prepared: no second process


def test_a_dataset_the_short_lived_process_cannot_prepare_gets_the_usual_error(tmp_path, monkeypatch):
    import pytest

    from components import data as page_data
    from geo.load import DataError

    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(page_data, "CHILD_BUILD_MIN_BYTES", 0)
    folder = synthetic.write_dataset(tmp_path / "data")
    (folder / "vendors.csv").unlink()
    assert not page_data.prepare_in_child(folder, tmp_path / "static")
    with pytest.raises(DataError, match="vendors.csv"):
        page_data.prepare(folder, tmp_path / "static")


def test_a_small_dataset_is_prepared_in_the_server_itself(tmp_path, monkeypatch):
    from components import data as page_data

    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    assert not page_data.prepare_in_child(synthetic.write_dataset(tmp_path / "data"), tmp_path / "static")
    assert not page_data.is_prepared(tmp_path / "data", tmp_path / "static")
