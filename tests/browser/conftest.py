"""Start the app on a free port with synthetic data and drive it with Playwright in Debian's Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import synthetic

from deploy.run import app_command

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">${window.__pwned=3}`'
ALLOWED_EXTERNAL_HOSTS = {"tile.openstreetmap.org"}


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    candidates = ([configured] if configured else []) + list(CHROMIUM_CANDIDATES)
    return next((c for c in candidates if c and Path(c).exists()), shutil.which("chromium"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with code {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the app did not answer {url}/_stcore/health within {timeout} s")


def browser_test_features() -> list[dict]:
    features = synthetic.deployments()
    features.append(
        synthetic.deployment(
            "cc-hostile",
            12,
            32,
            country="CC",
            name=HOSTILE,
            description=HOSTILE,
            operator=HOSTILE,
            vendors=["cobalt"],
            year_start=2017,
        )
    )
    return features


@contextlib.contextmanager
def running_app(data: Path, start_timeout: float = 90) -> Iterator[str]:
    """Start the app on a free port with the data in `data`; yield its URL once it answers (it loads the data
    first, see components/serve.py: allow for that in `start_timeout` seconds); stop it."""
    port = free_port()
    env = {**os.environ, "ATLAS_DATA_DIR": str(data)}
    process = subprocess.Popen(
        app_command(port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, start_timeout)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    with running_app(
        synthetic.write_dataset(tmp_path_factory.mktemp("browser") / "data", browser_test_features())
    ) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("REQUIRE_BROWSER is set but no Chromium was found (install Debian's `chromium`)")
        pytest.skip("no Chromium found: install Debian's `chromium` package to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    page.requests_seen = []
    page.on("request", lambda request: page.requests_seen.append(request.url))
    yield page
    context.close()
