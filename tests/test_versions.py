"""Dated data versions: manifests, the changelog, the release CLI, and links made with an older release."""

import json
from pathlib import Path

import pytest
import synthetic
from page import shown, url_params
from streamlit.testing.v1 import AppTest

from components.data import DATA_DIR_ENV
from geo import versions
from geo.citation import citation, data_version
from geo.filters import Filters, apply_filters
from geo.load import load_atlas
from geo.permalink import parse_link, permalink
from geo.validate import DATA_DIR

APP = str(Path(__file__).resolve().parent.parent / "app.py")
OLD, NEW = "2026.01.01", "2026.02.01"


def later_features() -> list[dict]:
    """The synthetic records with one added (cc-station), one changed (bb-city) and one removed (cc-mall)."""
    features = [f for f in synthetic.deployments() if f["properties"]["id"] != "cc-mall"]
    next(f for f in features if f["properties"]["id"] == "bb-city")["properties"]["cameras"] = 900
    features.append(synthetic.deployment("cc-station", 11, 31, name="Station gates", country="CC"))
    return features


@pytest.fixture
def two_releases(tmp_path: Path) -> Path:
    folder = synthetic.write_dataset(tmp_path / "data")
    assert versions.release(folder, OLD) == OLD
    synthetic.write_dataset(folder, later_features())
    assert versions.release(folder, NEW) == NEW
    return folder


def test_unreleased_data_has_an_honest_version_and_is_flagged(data_dir):
    version = versions.current_version(data_dir)
    assert version.startswith("unreleased+") and not versions.is_dated_version(version)
    assert "no release yet" in versions.release_missing(data_dir)
    assert versions.released_version(data_dir) is None


def test_a_release_names_the_data_until_it_changes(data_dir):
    assert versions.release(data_dir, "2026.12.02") == "2026.12.02"
    assert versions.current_version(data_dir) == data_version(data_dir) == "2026.12.02"
    assert versions.release_missing(data_dir) is None
    assert versions.release(data_dir, "2026.12.03") is None  # nothing changed: no new release
    synthetic.write_dataset(data_dir, later_features())
    now = versions.current_version(data_dir)
    assert now.startswith("2026.12.02+") and "changed since its latest release, 2026.12.02" in versions.release_missing(
        data_dir
    )
    assert versions.release(data_dir, "2026.12.02") == "2026.12.02-2"  # a second release on the same day
    assert versions.known_versions(data_dir) == ["2026.12.02", "2026.12.02-2"]


def test_a_release_dated_before_the_latest_is_refused(two_releases):
    synthetic.write_dataset(two_releases)
    with pytest.raises(ValueError, match="after the latest release, 2026.02.01"):
        versions.release(two_releases, "2025.06.01")


def test_changes_since_lists_added_changed_and_removed_records_by_id_and_name(two_releases):
    changes = versions.changes_since(OLD, two_releases)
    assert [(c.id, c.name) for c in changes.added] == [("cc-station", "Station gates")]
    assert [(c.id, c.name) for c in changes.changed] == [("bb-city", "Bland safe city")]
    assert [(c.id, c.name) for c in changes.removed] == [("cc-mall", "Mall payments")]
    assert not versions.changes_since(NEW, two_releases)
    with pytest.raises(ValueError, match="'2020.01.01': no such release"):
        versions.changes_since("2020.01.01", two_releases)


def test_changes_since_keeps_to_a_selection(two_releases):
    in_aland = versions.changes_since(OLD, two_releases, ids={"aa-metro", "aa-airport"})
    assert not in_aland.added and not in_aland.changed
    bland = versions.changes_since(OLD, two_releases, ids={"bb-city", "bb-school"})
    assert [c.id for c in bland.changed] == ["bb-city"] and not bland.added


def test_the_changelog_lists_each_release_newest_first(two_releases):
    text = (two_releases / "CHANGELOG.md").read_text()
    assert text.index(f"## {NEW}") < text.index(f"## {OLD}")
    newest = text[text.index(f"## {NEW}") : text.index(f"## {OLD}")]
    assert "Added (1):\n  - `cc-station`: Station gates" in newest
    assert "Changed (1):\n  - `bb-city`: Bland safe city" in newest
    assert "Removed (1):\n  - `cc-mall`: Mall payments" in newest
    assert "First release: 5 records." in text[text.index(f"## {OLD}") :]


def test_a_manifest_holds_a_hash_and_name_per_record(two_releases):
    manifest = json.loads((two_releases / "versions" / f"{NEW}.json").read_text())
    assert manifest["version"] == NEW and manifest["date"] == "2026-02-01"
    assert manifest["deployments"]["cc-station"]["name"] == "Station gates"
    assert len(manifest["deployments"]["cc-station"]["hash"]) == 64
    assert set(manifest["vendors"]) == {"acme", "bolt", "cobalt", "unknown"}


def test_an_unreadable_manifest_is_reported_and_blocks_a_release(two_releases):
    (two_releases / "versions" / f"{NEW}.json").write_text("{not json")
    assert versions.known_versions(two_releases) == [OLD]
    assert "2026.02.01.json: JSONDecodeError" in versions.manifest_problems(two_releases)[0]
    with pytest.raises(ValueError, match="expected a manifest written by python -m geo.versions"):
        versions.release(two_releases, "2026.03.01")


def test_the_shipped_data_has_a_release_for_its_current_content():
    assert versions.manifest_problems(DATA_DIR) == []
    assert versions.release_missing(DATA_DIR) is None, "data/ changed: run python -m geo.versions --release"
    assert versions.is_dated_version(versions.current_version(DATA_DIR))


def test_the_release_cli_writes_a_manifest_once_and_the_changelog(data_dir, capsys):
    assert versions.main(["--data-dir", str(data_dir)]) == 1
    assert "has no release yet" in capsys.readouterr().err
    assert versions.main(["--release", "--date", "2026.03.04", "--data-dir", str(data_dir)]) == 0
    assert "Released data version 2026.03.04" in capsys.readouterr().out
    assert (data_dir / "versions" / "2026.03.04.json").exists() and (data_dir / "CHANGELOG.md").exists()
    assert versions.main(["--release", "--data-dir", str(data_dir)]) == 0
    assert "No change since data version 2026.03.04" in capsys.readouterr().out
    assert versions.main(["--data-dir", str(data_dir)]) == 0
    assert "data version: 2026.03.04" in capsys.readouterr().out
    assert versions.main(["--release", "--date", "4 March", "--data-dir", str(data_dir)]) == 2
    assert "expected YYYY.MM.DD" in capsys.readouterr().err


def test_the_link_and_citation_carry_the_dated_version(two_releases):
    link = permalink("https://atlas.example/", Filters(countries=["BB"]), version=NEW)
    assert link == "https://atlas.example/?country=BB&v=2026.02.01"
    assert "(data version 2026.02.01)" in citation("Showing 2", link, data_version(two_releases))


def test_parse_link_reads_a_known_version_and_ignores_others(atlas):
    vocabulary = synthetic_vocabulary(atlas)
    assert parse_link({"v": OLD}, vocabulary, versions=[OLD, NEW]).version == OLD
    unknown = parse_link({"v": "2020.01.01"}, vocabulary, versions=[OLD])
    assert unknown.version is None and unknown.ignored == ["v='2020.01.01' (no release of the data has this version)"]
    bad = parse_link({"v": "<b>yesterday"}, vocabulary, versions=[OLD])
    assert bad.version is None and "expected a data version such as 2026.12.02" in bad.ignored[0]


def synthetic_vocabulary(atlas):
    from geo.filters import build_vocabulary, year_bounds

    return build_vocabulary(atlas, year_bounds(atlas.deployments))


def open_link(folder: Path, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def version_notices(at: AppTest) -> list[str]:
    return [shown(i.value) for i in at.info if "This link was made with data version" in i.value]


def test_an_older_link_says_what_changed_in_its_selection_since(two_releases, monkeypatch):
    at = open_link(two_releases, monkeypatch, v=OLD)
    (notice,) = version_notices(at)
    assert notice.startswith(
        "This link was made with data version 2026.01.01; the data is now 2026.02.01. "
        "Since then, in this selection: 1 added, 1 changed, 1 removed."
    )
    assert "- Added: Station gates" in notice and "- Changed: Bland safe city" in notice
    assert "- Removed: Mall payments" in notice
    assert not at.warning
    at.run()  # the notice stays while the address bar now names the current release
    assert version_notices(at) == [notice] and url_params(at) == {"v": [NEW]}


def test_an_older_link_with_filters_counts_only_its_selection(two_releases, monkeypatch):
    at = open_link(two_releases, monkeypatch, v=OLD, country=["AA"])
    (notice,) = version_notices(at)
    assert "in this selection: 0 added, 0 changed, 0 removed." in notice  # the mall was in Cland, not Aland
    at = open_link(two_releases, monkeypatch, v=OLD, country=["CC"])
    (notice,) = version_notices(at)
    assert "in this selection: 1 added, 0 changed, 1 removed." in notice
    assert "- Added: Station gates" in notice and "- Removed: Mall payments" in notice


def test_a_new_session_does_not_read_the_data_file_again_for_its_version(two_releases, monkeypatch):
    # The version is worked out once with the loaded atlas; reading 100,000 records again for every session's
    # first run cost 7 s and 450 MB of server memory.
    open_link(two_releases, monkeypatch, v=NEW)
    reads = []
    real = versions.current_records
    monkeypatch.setattr(versions, "current_records", lambda folder: reads.append(folder) or real(folder))
    at = open_link(two_releases, monkeypatch, v=NEW, country=["BB"])
    at.session_state["tab"] = "Share & cite"
    at.run()
    assert any(c.value.endswith("?country=BB&v=2026.02.01") for c in at.code), [c.value for c in at.code]
    assert reads == []


def test_a_link_with_the_current_version_shows_no_notice_and_the_share_tab_link_carries_it(two_releases, monkeypatch):
    at = open_link(two_releases, monkeypatch, v=NEW, country=["BB"])
    assert not version_notices(at) and not at.warning
    at.session_state["tab"] = "Share & cite"
    at.run()
    assert any(c.value.endswith("?country=BB&v=2026.02.01") for c in at.code), [c.value for c in at.code]


def test_a_link_with_an_unknown_version_is_ignored_with_a_notice(two_releases, monkeypatch):
    at = open_link(two_releases, monkeypatch, v="2020.01.01", country=["BB"])
    assert "v='2020.01.01' (no release of the data has this version)" in shown(at.warning[0].value)
    assert not version_notices(at)


def test_changes_in_a_selection_are_judged_by_the_records_as_they_were_then(two_releases):
    def changes(**filters):
        selected = set(apply_filters(load_atlas(two_releases).deployments, Filters(**filters))["id"])
        found = versions.changes_in_selection(OLD, two_releases, Filters(**filters), selected)
        return [c.id for c in found.added], [c.id for c in found.changed], [c.id for c in found.removed]

    assert changes(countries=("CC",)) == (["cc-station"], [], ["cc-mall"])  # the mall was in Cland then
    assert changes(countries=("BB",)) == ([], ["bb-city"], [])  # no record removed from Bland
    assert changes(countries=("AA",)) == ([], [], [])
    assert changes(text="mall") == ([], [], ["cc-mall"])  # found again by its name in the release


def test_a_record_that_changed_out_of_the_selection_is_listed_as_changed(tmp_path):
    folder = synthetic.write_dataset(tmp_path / "data")
    versions.release(folder, OLD)
    features = synthetic.deployments()
    next(f for f in features if f["properties"]["id"] == "aa-airport")["properties"]["vendors"] = ["bolt"]
    synthetic.write_dataset(folder, features)
    versions.release(folder, NEW)
    selected = set(apply_filters(load_atlas(folder).deployments, Filters(vendors=("acme",)))["id"])
    assert "aa-airport" not in selected
    found = versions.changes_in_selection(OLD, folder, Filters(vendors=("acme",)), selected)
    assert [c.id for c in found.changed] == ["aa-airport"] and not found.added and not found.removed
