"""The app as deployed for many readers (deploy/): two app processes behind nginx, several readers in Chromium."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import synthetic

from browser.conftest import free_port
from browser.helpers import map_frame, wait_for_layer_count
from deploy import run
from deploy.nginx import ROUTE_COOKIE

READERS = 4
FEATURES = synthetic.deployments()
LOG_LINE = re.compile(
    r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) \d+ upstream=(?P<upstream>.*) route="(?P<route>[^"]*)"'
)
WEBSOCKET = "/_stcore/stream"


@pytest.fixture
def deployment(tmp_path: Path, nginx_binary: str):
    data = synthetic.write_dataset(tmp_path / "data", FEATURES)
    folder = tmp_path / "deploy"
    with run.running_deployment(
        free_port(), [free_port(), free_port()], folder, env={"ATLAS_DATA_DIR": str(data)}
    ) as d:
        yield d


def new_reader(browser):
    """A reader: a browser context of its own (its own cookies), offline, with a bounded wait for everything."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(30_000)
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())  # no map tiles
    return context, context.new_page()


def route_of(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == ROUTE_COOKIE)


def log_lines(access_log: Path) -> list[dict[str, str]]:
    text = access_log.read_text(encoding="utf-8") if access_log.exists() else ""
    return [m.groupdict() for m in map(LOG_LINE.search, text.splitlines()) if m]


def wait_for_websockets_logged(access_log: Path, count: int, timeout: float = 15) -> list[dict[str, str]]:
    """nginx logs a WebSocket when it closes; wait until `count` of them are in the log."""
    deadline = time.monotonic() + timeout
    while True:
        lines = log_lines(access_log)
        if sum(line["path"].startswith(WEBSOCKET) for line in lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.2)


def load_all(pages, url: str | None = None) -> None:
    """Open (or, without `url`, reload) every page, one first response after another, so the proxy sees new
    readers in order; then wait for every map to draw every deployment, the pages loading side by side."""
    for page in pages:
        if url:
            page.goto(url, wait_until="commit")
        else:
            page.reload(wait_until="commit")
    for page in pages:
        wait_for_layer_count(map_frame(page), len(FEATURES))


def download_csv(page) -> str:
    """Download the selection as CSV from the share tab (Streamlit serves it from the session's process)."""
    page.get_by_role("tab", name="Share & cite").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download data (CSV)").click()
    return Path(download.value.path()).read_text(encoding="utf-8-sig")


def check_log(proxy: run.Proxy, routes: list[str], still_open: int) -> None:
    """From nginx's access log: each process held two of the readers' WebSockets per load, every request of a
    pinned reader reached its process (or nginx itself), the download came from the downloading reader's
    process, and nginx read the map's data files from static/."""
    lines = wait_for_websockets_logged(proxy.access_log, 2 * READERS - 1)
    sockets = [line for line in lines if line["path"].startswith(WEBSOCKET)]
    assert {line["status"] for line in sockets} == {"101"}
    per_process = {backend: sum(line["upstream"] == backend for line in sockets) for backend in proxy.backends}
    open_on = proxy.backends[int(routes[still_open]) - 1]  # that reader's second WebSocket is not logged yet
    assert per_process == {b: 2 * routes.count(str(n)) - (b == open_on) for n, b in enumerate(proxy.backends, 1)}
    for line in lines:
        if line["route"] in ("1", "2"):
            assert line["upstream"] in (proxy.backends[int(line["route"]) - 1], "-"), line
    downloads = [line for line in lines if line["path"].startswith("/media/")]
    # Chromium sometimes asks for a download twice and drops one request (nginx logs 499, client closed).
    assert {d["route"] for d in downloads} == {routes[1]}, downloads
    assert any(d["status"] == "200" for d in downloads), downloads
    assert {d["status"] for d in downloads} <= {"200", "499"}, downloads
    data_files = [line for line in lines if line["path"].startswith("/app/static/atlas/deployments-")]
    assert data_files and all(line["upstream"] == "-" for line in data_files), data_files


def test_readers_are_spread_over_both_processes_stay_with_theirs_and_move_when_it_stops(browser, deployment):
    proxy = deployment.proxy
    readers = [new_reader(browser) for _ in range(READERS)]
    contexts, pages = [c for c, _ in readers], [p for _, p in readers]
    try:
        load_all(pages, proxy.url)
        routes = [route_of(context) for context in contexts]
        assert sorted(routes) == ["1", "1", "2", "2"]  # new readers are dealt to the processes in turn
        load_all(pages)  # a reload starts a new session: it must land on the same process
        assert [route_of(context) for context in contexts] == routes
        assert FEATURES[0]["properties"]["name"] in download_csv(pages[1])  # from the process that made it
        for context in contexts[1:]:
            context.close()
        check_log(proxy, routes, still_open=0)

        # The first reader's process stops: on reload the reader gets the map from the other one, pinned to it.
        stopped, stopped_at = deployment.apps[int(routes[0]) - 1], proxy.backends[int(routes[0]) - 1]
        stopped.terminate()
        stopped.wait(timeout=20)
        load_all(pages[:1])
        assert route_of(contexts[0]) == {"1": "2", "2": "1"}[routes[0]]
        assert [what.split(" (")[0] for what in deployment.exited()] == [f"the app on {stopped_at}"]
    finally:
        for context in contexts:
            context.close()
