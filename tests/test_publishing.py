"""The public address setting: environment first, then .streamlit/atlas.toml; only http(s) counts."""

from geo import snapshot
from geo.publishing import base_url, configured_public_url, is_local


def test_the_environment_wins_over_the_config_file(tmp_path):
    config = tmp_path / "atlas.toml"
    config.write_text('public_url = "https://from-file.example/atlas"\n')
    assert configured_public_url({"ATLAS_PUBLIC_URL": "https://env.example/"}, config) == "https://env.example/"
    assert configured_public_url({}, config) == "https://from-file.example/atlas"
    assert configured_public_url({}, tmp_path / "none.toml") is None


def test_an_address_that_is_not_http_is_not_used(tmp_path):
    config = tmp_path / "atlas.toml"
    config.write_text("public_url = [broken")
    assert configured_public_url({"ATLAS_PUBLIC_URL": "javascript:alert(1)"}, config) is None
    assert base_url("http://localhost:8501/", {}, config) == "http://localhost:8501/"


def test_local_addresses_are_recognised():
    assert is_local("http://localhost:8501/?vendor=x") and is_local("http://127.0.0.1:9/") and is_local("?q=x")
    assert not is_local("https://atlas.example.org/?q=x")


def test_the_cli_uses_the_public_address(data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ATLAS_PUBLIC_URL", "https://atlas.example.org/")
    assert snapshot.main(["--data-dir", str(data_dir), "--vendor", "acme", "--csv", str(tmp_path / "a.csv")]) == 0
    assert "https://atlas.example.org/?vendor=acme" in capsys.readouterr().out


def test_the_public_address_reaches_the_snapshot_and_the_image_credit(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_PUBLIC_URL", "https://atlas.example.org/")
    html, svg = tmp_path / "a.html", tmp_path / "a.svg"
    assert snapshot.main(["--data-dir", str(data_dir), "--vendor", "acme", "--html", str(html), "--svg", str(svg)]) == 0
    assert "https://atlas.example.org/?vendor=acme" in html.read_text()
    assert "https://atlas.example.org/?vendor=acme" in svg.read_text() and "localhost" not in svg.read_text()


def test_without_a_public_address_the_snapshot_names_no_local_host_or_path(data_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("ATLAS_PUBLIC_URL", raising=False)
    html = tmp_path / "a.html"
    assert snapshot.main(["--data-dir", str(data_dir), "--vendor", "acme", "--html", str(html)]) == 0
    text = html.read_text()
    assert "Facial Recognition Atlas (data version" in text  # the citation is there, without its local link
    for leak in ("localhost", "127.0.0.1", str(tmp_path), str(data_dir), "/work/", "/home/"):
        assert leak not in text, leak
