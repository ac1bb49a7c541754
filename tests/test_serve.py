"""components.serve: the app started with its data loaded first, so the first reader after a restart does not
wait for it (the browser tests start every app through it, see deploy.run.app_command)."""

import logging
import sys

from streamlit.testing.v1 import AppTest
from streamlit.web import bootstrap, cli

from components import data, serve
from components.data import DATA_DIR_ENV
from tests import synthetic
from tests.conftest import APP


def test_the_first_session_after_a_preload_shows_the_atlas_without_loading_it(data_dir, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(data_dir))
    assert serve.preload()

    def no_second_load(*args, **kwargs):
        raise AssertionError("the first session loaded the data again")

    monkeypatch.setattr(data, "prepare", no_second_load)
    monkeypatch.setattr(data, "prepare_in_child", no_second_load)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    shown = len(synthetic.deployments())
    assert any(f"Showing {shown} of {shown}" in str(html.proto) for html in at.get("html"))


def test_data_that_cannot_be_loaded_is_left_for_the_page_to_report(tmp_path, monkeypatch, caplog):
    broken = synthetic.write_dataset(tmp_path / "data")
    (broken / "deployments.geojson").write_text("{ not json", encoding="utf-8")
    monkeypatch.setenv(DATA_DIR_ENV, str(broken))
    with caplog.at_level(logging.WARNING, logger=serve.__name__):
        assert serve.preload() is False
    assert f"preloading {broken} failed" in caplog.text and "the page will report it" in caplog.text


def test_streamlit_runs_the_app_with_the_given_options_after_the_preload(monkeypatch):
    calls = []
    monkeypatch.setattr(serve, "preload", lambda: calls.append("preload") or True)
    monkeypatch.setattr(bootstrap, "run", lambda *args, **kwargs: calls.append(("server", list(sys.argv))))
    monkeypatch.setattr(cli, "main", lambda: bootstrap.run(sys.argv[2], False, [], {}))
    monkeypatch.setattr(sys, "argv", ["serve"])
    serve.main(["--server.port", "8599"])
    assert calls == ["preload", ("server", ["streamlit", "run", APP, "--server.port", "8599"])]
