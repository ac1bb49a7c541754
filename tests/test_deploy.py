"""deploy/: nginx in front of several app processes. Here the processes are tiny stand-ins that say who
answered, so the proxy's rules are checked in a second; tests/browser/test_deploy_browser.py runs the real
app twice behind it."""

from __future__ import annotations

import contextlib
import http.server
import re
import shlex
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser.conftest import free_port

from deploy import run
from deploy.nginx import ROUTE_COOKIE

ROOT = Path(__file__).resolve().parent.parent
HASHED = "deployments-0123456789ab.json"


class StandIn(http.server.ThreadingHTTPServer):
    """An app process that answers every GET with its port and remembers the headers it received."""

    daemon_threads = True

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []
        super().__init__(("127.0.0.1", free_port()), _StandInHandler)


class _StandInHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.seen.append({k.lower(): v for k, v in self.headers.items()})  # type: ignore[attr-defined]
        body = str(self.server.server_address[1]).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(server: StandIn) -> Iterator[StandIn]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def proxy(tmp_path: Path, nginx_binary: str):
    """nginx in front of two stand-ins, serving a static/ folder with a hashed data file, a script and a
    half-written temporary file."""
    static = tmp_path / "static"
    (static / "atlas").mkdir(parents=True)
    (static / "atlas" / HASHED).write_text('{"rows": []}', encoding="utf-8")
    (static / "atlas" / "atlas.js").write_text("export {};", encoding="utf-8")
    (static / "atlas" / f".{HASHED}.123.tmp").write_text("{", encoding="utf-8")
    with serving(StandIn()) as first, serving(StandIn()) as second:
        backends = [f"127.0.0.1:{s.server_address[1]}" for s in (first, second)]
        config = run.write_config(tmp_path / "nginx", free_port(), backends, static_dir=static)
        with run.running_nginx(config, tmp_path / "nginx"):
            yield config, first, second


def get(url: str, cookie: str | None = None, headers: dict[str, str] | None = None):
    """(status, body, response headers) of a GET, with the route cookie when given."""
    request = urllib.request.Request(url, headers={**(headers or {}), **({"Cookie": cookie} if cookie else {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def port_of(server: StandIn) -> str:
    return str(server.server_address[1])


def test_new_readers_are_dealt_in_turn_and_each_stays_with_its_process(proxy):
    config, first, second = proxy
    answers = [get(config.url + "/") for _ in range(4)]
    assert [body for _, body, _ in answers] == [port_of(first), port_of(second)] * 2
    cookies = [headers["Set-Cookie"] for _, _, headers in answers]
    assert cookies[0].startswith(f"{ROUTE_COOKIE}=1;") and cookies[1].startswith(f"{ROUTE_COOKIE}=2;")
    assert "HttpOnly" in cookies[0] and "Path=/" in cookies[0]
    for route, server in (("1", first), ("2", second)):
        for path in ("/", "/media/abc.csv", "/_stcore/health", "/component/x/index.html"):
            status, body, headers = get(config.url + path, cookie=f"{ROUTE_COOKIE}={route}")
            assert (status, body) == (200, port_of(server)), path
            assert headers["Set-Cookie"] is None  # the cookie already names the process


@pytest.mark.parametrize("cookie", ["evil.example:80", "3", "atlas_1", "", "1:1"])
def test_a_cookie_that_names_no_process_counts_as_none(proxy, cookie):
    config, first, second = proxy
    status, body, headers = get(config.url + "/", cookie=f"{ROUTE_COOKIE}={cookie}")
    assert status == 200 and body in (port_of(first), port_of(second))
    route = "1" if body == port_of(first) else "2"
    assert headers["Set-Cookie"].startswith(f"{ROUTE_COOKIE}={route};")


def test_a_reader_whose_process_stopped_is_answered_by_the_next_and_pinned_to_it(proxy):
    config, first, second = proxy
    first.shutdown()
    first.server_close()
    status, body, headers = get(config.url + "/", cookie=f"{ROUTE_COOKIE}=1")
    assert (status, body) == (200, port_of(second))
    assert headers["Set-Cookie"].startswith(f"{ROUTE_COOKIE}=2;")
    assert get(config.url + "/", cookie=f"{ROUTE_COOKIE}=2")[1] == port_of(second)


def test_the_websocket_request_reaches_the_app_as_an_upgrade_with_the_readers_host(proxy):
    config, first, _ = proxy
    get(
        config.url + "/_stcore/stream",
        cookie=f"{ROUTE_COOKIE}=1",
        headers={"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13"},
    )
    seen = first.seen[-1]
    assert seen["upgrade"] == "websocket" and seen["connection"].lower() == "upgrade"
    assert seen["host"] == config.url.removeprefix("http://")  # with the port, as the browser's Origin has it
    get(config.url + "/", cookie=f"{ROUTE_COOKIE}=1")
    assert "upgrade" not in first.seen[-1] and first.seen[-1].get("connection", "") != "upgrade"


def test_the_maps_files_come_from_static_and_the_hashed_data_is_cached_for_good(proxy):
    config, first, second = proxy
    status, body, headers = get(f"{config.url}/app/static/atlas/{HASHED}")
    assert (status, body) == (200, '{"rows": []}')
    assert headers["Content-Type"] == "application/json"
    assert "immutable" in headers["Cache-Control"]
    status, _, headers = get(f"{config.url}/app/static/atlas/atlas.js")
    assert status == 200 and headers["Content-Type"] == "application/javascript"
    assert headers["Cache-Control"] == "no-cache"
    assert get(f"{config.url}/app/static/atlas/.{HASHED}.123.tmp")[0] == 404
    assert first.seen == [] and second.seen == []  # nginx answered by itself
    for escape in ("../nginx/nginx.conf", "..%2f..%2fnginx/nginx.conf", "atlas/..%2f..%2fnginx/nginx.conf"):
        assert "daemon off" not in get(f"{config.url}/app/static/{escape}")[1]
    assert "upstream=- " in config.access_log.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["deploy/nginx/atlas.conf", "deploy/compose/atlas.conf"])
def test_the_committed_site_configurations_are_what_their_command_prints(name, capsys):
    text = (ROOT / name).read_text(encoding="utf-8")
    first_line = text.splitlines()[0]
    assert first_line.startswith("# Generated by: python -m deploy.run --print-site")
    assert run.main(shlex.split(first_line.removeprefix("# Generated by: python -m deploy.run "))) == 0
    assert capsys.readouterr().out == text


def test_the_runner_refuses_unusable_ports_and_backends(capsys):
    with pytest.raises(SystemExit) as exited:
        run.main(["--port", "8501", "--app-ports", "8501", "8502"])
    assert exited.value.code == 2
    assert "expected different ports for nginx and each app process, got 8501" in capsys.readouterr().err
    assert run.main(["--print-site", "--backends", "app;evil"]) == 2
    assert (
        "expected an app process as host:port (for example 127.0.0.1:8501), got 'app;evil'" in capsys.readouterr().err
    )


@pytest.mark.parametrize("name", ["deploy/nginx/atlas.conf", "deploy/compose/atlas.conf"])
def test_the_site_files_load_in_debians_own_nginx_configuration(name, nginx_binary, tmp_path):
    debian = Path("/etc/nginx/nginx.conf")
    if not debian.exists():
        pytest.skip("no /etc/nginx/nginx.conf (Debian's nginx-common) to load the site file into")
    logs = str(tmp_path) + "/"
    site = tmp_path / "atlas.conf"
    site.write_text((ROOT / name).read_text(encoding="utf-8").replace("/var/log/nginx/", logs), encoding="utf-8")
    # Dynamic modules (e.g. nginx-light's echo module) load from paths relative to the prefix, which is
    # the test's folder here; the site needs none of them.
    main = re.sub(
        r"(?m)^\s*(pid|user) .*$|^\s*include /etc/nginx/modules-enabled/.*$", "", debian.read_text(encoding="utf-8")
    )
    main = main.replace("include /etc/nginx/sites-enabled/*;", f'include "{site}";').replace("/var/log/nginx/", logs)
    (tmp_path / "nginx.conf").write_text(main, encoding="utf-8")
    checked = subprocess.run(
        [nginx_binary, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", logs + "error.log"]
        + ["-g", f"pid {tmp_path}/nginx.pid;"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert checked.returncode == 0, checked.stderr
