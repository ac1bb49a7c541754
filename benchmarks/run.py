"""Benchmark the atlas map against a pydeck WebGL map and a naive folium page in a real Chromium.

    .venv/bin/python -m benchmarks.run [--sizes 10000 100000] [--runs 3] [--pages app peer naive]

For each size: write (or reuse) a synthetic dataset, start `streamlit run` for `app.py`,
`benchmarks/pydeck_app.py` and `benchmarks/naive_app.py` on it, and time fresh page loads (first map
paint, all markers loaded, a vendor filter change), read the browser's JS heap and the server's peak RSS,
while counting WebSocket and HTTP bytes through the Chrome DevTools Protocol. Prints tables and writes
them to `benchmarks/out/results.md`. See `benchmarks/README.md`.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.synthetic_data import cached_dataset  # noqa: E402
from geo.cache import load_atlas_cached  # noqa: E402
from geo.filters import Filters, apply_filters  # noqa: E402
from geo.load import DataError, load_atlas  # noqa: E402
from geo.points import POINTS_FILE  # noqa: E402
from geo.schema import MAX_FILE_BYTES  # noqa: E402

OUT_DIR = ROOT / "benchmarks" / "out"
PAGES = {
    "app": ROOT / "app.py",
    "peer": ROOT / "benchmarks" / "pydeck_app.py",
    "naive": ROOT / "benchmarks" / "naive_app.py",
}
# How each page's server is started: the app as its README starts it (components.serve imports its modules
# and loads its data before the server answers), the others with `streamlit run`.
START = {
    "app": [sys.executable, "-m", "components.serve"],
    "peer": [sys.executable, "-m", "streamlit", "run", str(PAGES["peer"])],
    "naive": [sys.executable, "-m", "streamlit", "run", str(PAGES["naive"])],
}
NAIVE_MAX_SIZE = 10_000  # by default the naive page is skipped above this size (minutes per load)
# From this size on the dataset is GeoParquet (geo/points.py): as GeoJSON, a million records are 1.4 GB, over
# the loader's MAX_FILE_BYTES, and the app draws them as the server's summary of each view.
POINTS_FROM_SIZE = 1_000_000
# The pans and zooms timed on a large dataset's map (lat, lon, zoom): into France, to Paris (close enough for
# individual records), to New York, and back to the world. Each is timed from setView to the new summary drawn.
VIEW_STEPS = ((46.5, 2.5, 6), (48.85, 2.35, 11), (40.7, -74.0, 5), (25.0, 15.0, 2))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Nothing leaves the machine: every host name but 127.0.0.1 fails to resolve at once (map tiles too).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
MAP_FRAME = "st_folium"
MAP_COMPONENT = "st_folium"
PAGE_TIMEOUT = 120.0  # seconds, for one page load or one filter change
HEALTH_TIMEOUT = 300.0  # the app loads its data before it answers (about 75 s at 100,000 with no cache)
QUIET_SECONDS = 0.75  # no WebSocket traffic for this long = the run has settled (outside every timing)
POLL_MS = 20
MB = 1_000_000
# (size, first paint s, filter redraw s, browser JS heap MB or None, server RSS MB or None) for the app.
TARGETS = [(10_000, 3.0, 1.0, None, None), (100_000, 4.0, 1.0, 250.0, 800.0)]
VIEW_TARGETS = [(1_000_000, 3.0, 1.0)]  # (size, first paint s, pan/zoom update s) for the app on points
MAP_ASSET = re.compile(r"/app/static/.*\.(js|css|json)(\?|$)")  # scripts, styles and data of the map iframe
MAP_DATA = re.compile(r"/app/static/.*\.json(\?|$)")
COUNT_SUFFIX = re.compile(r"\s*\(\d+\)\s*$")  # the naive page's labels end in "(count)"; the app's do not

# Predicates evaluated inside the map iframe (streamlit-folium keeps the map in `window.map`).
JS_MARKERS_DRAWN = """() => { const p = document.querySelector('.leaflet-marker-pane');
    return !!p && p.children.length > 0; }"""
JS_CLUSTER_COUNT = """() => { if (!window.map || !window.L || !L.MarkerClusterGroup) { return -1; }
    let n = 0, found = false;
    window.map.eachLayer(l => { if (l instanceof L.MarkerClusterGroup) { found = true; n += l.getLayers().length; } });
    return found ? n : -1; }"""
# The peer draws with WebGL: deck.gl's ScatterplotLayer draws all its points in one instanced draw call
# (one instance per point). This script, added to every page before its own scripts (all three pages, for
# the same cost), records the instance count of the latest instanced draw call of any WebGL2 context, so
# "drawn" means the GPU was asked to draw exactly that many points (the Leaflet pages' counterpart is the
# markers being in the DOM); neither waits for the compositor.
INSTANCED_DRAWS = """(() => {
  const record = window.__benchDraws = {calls: 0, last: -1, changes: []};
  const proto = window.WebGL2RenderingContext && WebGL2RenderingContext.prototype;
  if (!proto) { return; }
  for (const [name, countAt] of [['drawArraysInstanced', 3], ['drawElementsInstanced', 4]]) {
    const original = proto[name];
    proto[name] = function (...args) {
      record.calls++;
      if (args[countAt] !== record.last) {
        // deck.gl draws inside an animation frame: the timeline's time is that frame's start
        record.changes.push([args[countAt], performance.timeOrigin + document.timeline.currentTime]);
      }
      record.last = args[countAt];
      return original.apply(this, args);
    };
  }
})();"""
JS_POINTS_DRAWN = "() => !!window.__benchDraws && window.__benchDraws.last > 0"
JS_POINTS_COUNT = "() => window.__benchDraws ? window.__benchDraws.last : -1"
# The app on a large dataset: the summary of the view (bubbles, or records once zoomed in) is on the map.
JS_SUMMARY_DRAWN = f"() => window.atlasSummary !== undefined && ({JS_MARKERS_DRAWN})()"
# What the watch counts, read every frame, so it must be cheap (getLayers() builds an object per record): the
# app sets atlasDeploymentCount with the layer's rows, in the same task. The naive page is not watched
# (counting a marker cluster's layers every frame would slow it down), its figure is the polled one.
JS_DEPLOYMENT_COUNT = "() => window.atlasDeploymentCount === undefined ? -1 : window.atlasDeploymentCount"
JS_SUMMARY_SELECTED = "() => window.atlasSummary === undefined ? -1 : window.atlasSummary.selected"
JS_SUMMARY_STATE = "() => window.atlasSummary === undefined ? null : window.atlasSummary"
# The filter redraw as the reader sees it: from the press on the vendor option (the event's own time) to the
# start of the first animation frame that shows the new selection, both taken inside the browser, so the
# figure does not include Playwright's checks before its click or the wait for a busy page to answer a poll.
# Times are epoch milliseconds (timeOrigin + the document's clock), comparable between the page and its
# same-process map iframe.
JS_ARM_PRESS = """() => { window.__benchPress = null;
    document.addEventListener('pointerdown', e => { window.__benchPress = performance.timeOrigin + e.timeStamp; },
      {capture: true, once: true});
    return true; }"""
JS_PRESSED_AT = "() => window.__benchPress"
# In the map frame(s) of the Leaflet pages: every frame, until the map shows exactly `expected` records.
FRAME_WATCH = """() => {{ const expected = {expected}, count = {count}, drawn = {drawn};
    window.__benchShown = null;
    const tick = (ts) => {{
      let shown = false;
      try {{ shown = count() === expected && drawn(); }} catch (e) {{}}
      if (shown) {{ window.__benchShown = performance.timeOrigin + ts; }} else {{ requestAnimationFrame(tick); }}
    }};
    requestAnimationFrame(tick);
    return true; }}"""
JS_SHOWN_AT = "() => window.__benchShown"
# The peer: the frame of the first instanced draw with exactly `expected` points after the press.
JS_PEER_SHOWN_AT = """([expected, since]) => { const d = window.__benchDraws;
    const hit = d ? d.changes.find(([n, t]) => n === expected && t >= since) : undefined;
    return hit ? hit[1] : null; }"""
FIRST_PAINT = {
    "app": f"() => window.atlasDeployments !== undefined && ({JS_MARKERS_DRAWN})()",
    "peer": JS_POINTS_DRAWN,
    "naive": JS_MARKERS_DRAWN,
}
DRAWN = {"app": JS_MARKERS_DRAWN, "peer": JS_POINTS_DRAWN, "naive": JS_MARKERS_DRAWN}
LAYER_COUNT = {
    "app": "() => window.atlasDeployments === undefined ? -1 : window.atlasDeployments.getLayers().length",
    "peer": JS_POINTS_COUNT,
    "naive": JS_CLUSTER_COUNT,
}
PEER_CANVAS = "canvas#deckgl-overlay"
ERROR_SHOWN = '[data-testid="stAlertContentError"], [data-testid="stException"]'


# ---------------------------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A page's START command on a free port with ATLAS_DATA_DIR set, from the repository root."""

    def __init__(self, command: list[str], data_dir: Path, log_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(log_path, "wb")  # noqa: SIM115 (closed in stop())
        env = {**os.environ, "ATLAS_DATA_DIR": str(data_dir)}
        self.process = subprocess.Popen(
            [
                *command,
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_healthy(self, timeout: float = HEALTH_TIMEOUT) -> float:
        """Poll /_stcore/health until it answers 200; return the seconds it took."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self.process.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return time.monotonic() - start
            except OSError:
                time.sleep(0.05)  # polling interval, not a readiness guess
        raise RuntimeError(f"{self.url}/_stcore/health did not answer within {timeout} s")

    def peak_rss_mb(self) -> float | None:
        """VmHWM (peak resident set size) of the server process, in MB."""
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / MB
        except OSError:
            return None
        return None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


# ---------------------------------------------------------------------------------------------- traffic


@dataclass
class Frame:
    t: float  # CDP MonotonicTime (CLOCK_MONOTONIC on Linux, the same clock as time.monotonic())
    size: int  # decoded payload bytes
    kind: str  # ForwardMsg type ("delta", "script_finished", ...) or "?"
    is_map: bool  # a delta that carries the map (the streamlit-folium component or the pydeck chart)
    element: str  # for a delta: the element type ("arrow_data_frame", "component_instance", ...)


@dataclass
class Traffic:
    """WebSocket frames and HTTP responses the page received, from the Chrome DevTools Protocol."""

    received: list[Frame] = field(default_factory=list)
    sent: list[float] = field(default_factory=list)
    http: list[tuple[float, int, str]] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)
    requested: list[tuple[float, str]] = field(default_factory=list)

    def attach(self, cdp: Any) -> None:
        cdp.on("Network.webSocketFrameReceived", self._on_frame)
        cdp.on("Network.webSocketFrameSent", lambda e: self.sent.append(e["timestamp"]))
        cdp.on("Network.requestWillBeSent", self._on_request)
        cdp.on("Network.loadingFinished", self._on_loaded)
        cdp.send("Network.enable")

    def _on_frame(self, event: dict) -> None:
        response = event["response"]
        data = response.get("payloadData", "")
        raw = base64.b64decode(data) if response.get("opcode") == 2 else data.encode("utf-8")
        self.received.append(Frame(event["timestamp"], len(raw), *classify(raw)))

    def _on_request(self, event: dict) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]
        self.requested.append((event["timestamp"], event["request"]["url"]))

    def _on_loaded(self, event: dict) -> None:
        url = self.urls.get(event["requestId"], "")
        self.http.append((event["timestamp"], int(event.get("encodedDataLength", 0)), url))

    def between(self, start: float, end: float = float("inf")) -> list[Frame]:
        return [f for f in self.received if start <= f.t < end]

    def http_bytes(self, start: float, end: float = float("inf")) -> int:
        return sum(size for t, size, _ in self.http if start <= t < end)

    def map_data_bytes(self, start: float, end: float = float("inf")) -> int:
        """HTTP bytes of JSON data the map fetches from the app's static route (records, country outlines)."""
        return sum(size for t, size, url in self.http if start <= t < end and MAP_DATA.search(url))

    def external_urls(self) -> set[str]:
        """Every requested URL (loaded or failed) on a host other than this machine."""
        return {u for u in self.urls.values() if u.startswith("http") and "127.0.0.1" not in u and "localhost" not in u}


def by_element(frames: Any) -> dict[str, int]:
    """WebSocket bytes per element type (the map's component shows as "map")."""
    totals: dict[str, int] = {}
    for f in frames:
        label = "map" if f.is_map else (f.element or f.kind)
        totals[label] = totals.get(label, 0) + f.size
    return totals


def classify(raw: bytes) -> tuple[str, bool, str]:
    """The ForwardMsg type of one frame, whether it is the map component's element, and its element type."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    try:
        msg = ForwardMsg.FromString(raw)
    except Exception:
        return "?", False, ""
    kind = msg.WhichOneof("type") or "?"
    new_element = kind == "delta" and msg.delta.WhichOneof("type") == "new_element"
    element_type = msg.delta.new_element.WhichOneof("type") if new_element else None
    is_map = element_type == "deck_gl_json_chart" or (
        element_type == "component_instance"
        and MAP_COMPONENT in msg.delta.new_element.component_instance.component_name
    )
    element = ""
    if kind == "delta":
        delta_type = msg.delta.WhichOneof("type") or "?"
        element = msg.delta.new_element.WhichOneof("type") if delta_type == "new_element" else delta_type
    return kind, is_map, element or ""


# ---------------------------------------------------------------------------------------------- browser


def poll(page: Any, check: Callable[[], bool], timeout: float, what: str) -> float:
    """Call `check` every POLL_MS until it is true; return time.monotonic() at that moment."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return time.monotonic()
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        page.wait_for_timeout(POLL_MS)


def in_map_frames(page: Any, script: str, test: Callable[[Any], bool], page_kind: str = "app") -> bool:
    """True when `script` evaluated where the map lives gives a value `test` accepts: any streamlit-folium
    iframe (the naive page may replace its iframe on a filter change, so every candidate is checked), or
    the main page for the peer (st.pydeck_chart draws in the page itself)."""
    from playwright.sync_api import Error

    for frame in reversed(page.frames):
        if (frame != page.main_frame) if page_kind == "peer" else (MAP_FRAME not in frame.url):
            continue
        try:
            if test(frame.evaluate(script)):
                return True
        except Error:
            continue  # detached or navigating frame
    return False


def wait_settled(page: Any, traffic: Traffic, since: float, timeout: float = PAGE_TIMEOUT) -> None:
    """Until a script run has finished after `since` and the WebSocket has been quiet for QUIET_SECONDS."""

    def settled() -> bool:
        frames = traffic.between(since)
        finished = any(f.kind == "script_finished" for f in frames)
        return finished and time.monotonic() - max(f.t for f in frames) > QUIET_SECONDS

    poll(page, settled, timeout, "the Streamlit run to finish")


@dataclass
class Run:
    first_paint: float
    all_markers: float
    filter_redraw: float  # in the browser: the press -> the first frame showing the new selection (nan: unknown)
    filter_polled: float  # from Python: the click call -> the new selection seen by a poll of the page
    ws_initial: int
    ws_filter: int
    map_initial: int
    map_filter: int
    http_initial: int
    runs_initial: int  # script runs during the initial load
    # breakdown (seconds): load = to the map message, then drawing; filter = click -> rerun request ->
    # map message -> redrawn
    load_to_map_msg: float
    load_draw: float
    load_to_iframe: float  # map message -> the map iframe's page is requested
    load_assets: float  # iframe requested -> its last script/style/JSON file from /app/static/ has loaded
    load_build: float  # that file loaded -> first paint (Leaflet builds the markers)
    ws_by_element_initial: dict[str, int]
    ws_by_element_filter: dict[str, int]
    filter_to_request: float
    filter_server: float
    filter_draw: float
    external: set[str]
    heap: float  # JSHeapUsedSize after load, after a forced garbage collection (bytes)
    heap_before_gc: float  # the same before the collection
    view_update: float = float("nan")  # a large dataset's map: median of VIEW_STEPS, setView -> new summary drawn
    view_updates: tuple[float, ...] = ()


def expected_for_option(label: str, atlas: Any) -> tuple[str, int]:
    """(vendor id, deployments it should leave on the map) for a vendor option label ('Name' or 'Name (count)')."""
    name = COUNT_SUFFIX.sub("", label).strip()
    by_name = {v: k for k, v in atlas.vendor_names.items()}
    vendor = by_name.get(name, name)
    return vendor, len(apply_filters(atlas.deployments, Filters(vendors=[vendor])))


def js_heap_used(cdp: Any) -> float:
    """JSHeapUsedSize of the page's renderer (bytes). The map iframes are same-origin, so they run in the
    same renderer process and the same V8 heap: this covers every frame of the page."""
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return float(next(m["value"] for m in metrics if m["name"] == "JSHeapUsedSize"))


def canvas_points_visible(page: Any) -> int:
    """Pixels of the peer's deck.gl canvas that are not background (a check outside the timings that the
    instanced draw the timing waited for did put points on screen)."""
    import io

    import numpy as np
    from PIL import Image

    png = page.locator(PEER_CANVAS).screenshot(timeout=PAGE_TIMEOUT * 1000)
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int(((rgb.max(axis=2) - rgb.min(axis=2)) > 40).sum())  # coloured, not white or grey


def new_context(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    context.add_init_script(INSTANCED_DRAWS)
    return context


def summary_state(page: Any) -> dict[str, Any]:
    """`window.atlasSummary` of the app's map on a large dataset (zoom, selected, total, cells, points, drawn)."""
    from playwright.sync_api import Error

    for frame in reversed(page.frames):
        if MAP_FRAME not in frame.url:
            continue
        try:
            state = frame.evaluate(JS_SUMMARY_STATE)
        except Error:
            continue  # detached or navigating frame
        if state:
            return state
    return {}


def time_view_steps(page: Any, on_map: Callable[[str, Callable[[Any], bool]], bool]) -> list[float]:
    """Each of VIEW_STEPS on a large dataset's map: seconds from setView to the summary of the new view drawn
    (the server's answer to the view streamlit-folium reports); the step to Paris must show records."""
    times = []
    for lat, lon, zoom in VIEW_STEPS:
        drawn = summary_state(page)["drawn"]
        t = time.monotonic()
        # setView returns the map, which must not be sent back to Playwright (serialising it takes seconds).
        if not on_map(
            f"() => {{ window.atlasMap.setView([{lat}, {lon}], {zoom}, {{animate: false}}); return true; }}", bool
        ):
            raise RuntimeError("the map could not be moved")

        def redrawn(drawn: int = drawn, zoom: int = zoom) -> bool:
            state = summary_state(page)
            return state.get("drawn", 0) > drawn and state.get("zoom") == zoom

        times.append(poll(page, redrawn, PAGE_TIMEOUT, f"the summary of the view at zoom {zoom}") - t)
        if zoom >= 11 and not summary_state(page).get("points"):
            raise RuntimeError(f"zoomed in to {zoom} at ({lat}, {lon}), the map still shows no individual records")
        page.wait_for_timeout(int(QUIET_SECONDS * 1000))
    return times


def shown_after_press(page: Any, page_kind: str, expected: int) -> float:
    """Seconds from the press on the vendor option to the first frame that showed `expected` records, both
    timed in the browser; nan when either is unknown, and for the naive page, which is not watched."""
    from playwright.sync_api import Error

    pressed = page.evaluate(JS_PRESSED_AT)
    if pressed is None or page_kind == "naive":
        return float("nan")
    if page_kind == "peer":
        shown = page.evaluate(JS_PEER_SHOWN_AT, [expected, pressed])
    else:
        seen = []
        for frame in page.frames:
            if MAP_FRAME in frame.url:
                try:
                    seen.append(frame.evaluate(JS_SHOWN_AT))
                except Error:
                    continue
        shown = min((t for t in seen if t is not None), default=None)
    return float("nan") if shown is None else (shown - pressed) / 1000


def measure_once(browser: Any, url: str, page_kind: str, atlas: Any, points: bool = False) -> Run:
    total = len(atlas.deployments)
    context = new_context(browser)
    try:
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT * 1000)
        traffic = Traffic()
        cdp = context.new_cdp_session(page)
        traffic.attach(cdp)
        cdp.send("Performance.enable")
        large = points and page_kind == "app"  # the app draws the server's summary of the view
        count_js = JS_SUMMARY_SELECTED if large else LAYER_COUNT[page_kind]
        first_paint_js = JS_SUMMARY_DRAWN if large else FIRST_PAINT[page_kind]
        drawn_js = JS_SUMMARY_DRAWN if large else DRAWN[page_kind]

        def on_map(script: str, test: Callable[[Any], bool]) -> bool:
            return in_map_frames(page, script, test, page_kind)

        t0 = time.monotonic()
        page.goto(url, wait_until="commit", timeout=PAGE_TIMEOUT * 1000)
        t_paint = poll(page, lambda: on_map(first_paint_js, bool), PAGE_TIMEOUT, "first map paint")
        t_all = poll(page, lambda: on_map(count_js, lambda n: n == total), PAGE_TIMEOUT, f"all {total} markers")
        wait_settled(page, traffic, t0)
        if page_kind == "peer" and canvas_points_visible(page) == 0:
            raise RuntimeError(f"the deck.gl canvas drew {total} points but shows none")
        heap_before_gc = js_heap_used(cdp)
        cdp.send("HeapProfiler.collectGarbage")
        heap = js_heap_used(cdp)
        initial = traffic.between(t0)
        first_map = next((f.t for f in initial if f.is_map), float("nan"))
        iframe_req = next(
            (t for t, u in traffic.requested if t >= t0 and MAP_FRAME in u and "index.html" in u), float("nan")
        )
        assets_done = max(
            (t for t, _, u in traffic.http if t0 <= t <= t_paint and MAP_ASSET.search(u)), default=float("nan")
        )

        page.locator(".st-key-f_vendors input").click()
        # The first vendor (Streamlit puts a "Select all" entry above the options).
        option = page.get_by_role("option").filter(has_not_text="Select all").first
        option.wait_for()
        vendor, expected = expected_for_option(option.inner_text(), atlas)
        if expected == total:
            raise RuntimeError(f"choosing {vendor!r} would not change the map")
        page.evaluate(JS_ARM_PRESS)
        if page_kind == "app":
            watched = JS_SUMMARY_SELECTED if large else JS_DEPLOYMENT_COUNT
            on_map(FRAME_WATCH.format(expected=expected, count=watched, drawn=drawn_js), bool)
        t_click = time.monotonic()
        option.click()
        page.keyboard.press("Escape")
        t_redraw = poll(
            page,
            lambda: on_map(count_js, lambda n: n == expected) and on_map(drawn_js, bool),
            PAGE_TIMEOUT,
            f"the map to show the {expected} deployments of {vendor}",
        )
        filter_redraw = shown_after_press(page, page_kind, expected)
        wait_settled(page, traffic, t_click)
        after = traffic.between(t_click)
        view_updates = time_view_steps(page, on_map) if large else []
        request = next((t for t in traffic.sent if t >= t_click), float("nan"))
        map_msg = next((f.t for f in after if f.is_map), float("nan"))
        return Run(
            first_paint=t_paint - t0,
            all_markers=t_all - t0,
            filter_redraw=filter_redraw,
            filter_polled=t_redraw - t_click,
            ws_initial=sum(f.size for f in initial if f.t < t_click),
            ws_filter=sum(f.size for f in after),
            map_initial=sum(f.size for f in initial if f.is_map and f.t < t_click)
            + traffic.map_data_bytes(t0, t_click),
            map_filter=sum(f.size for f in after if f.is_map) + traffic.map_data_bytes(t_click),
            http_initial=traffic.http_bytes(t0, t_click),
            runs_initial=sum(1 for f in initial if f.kind == "script_finished" and f.t < t_click),
            load_to_map_msg=first_map - t0,
            load_draw=t_paint - first_map,
            load_to_iframe=iframe_req - first_map,
            load_assets=assets_done - iframe_req,
            load_build=t_paint - assets_done,
            ws_by_element_initial=by_element(f for f in initial if f.t < t_click),
            ws_by_element_filter=by_element(after),
            filter_to_request=request - t_click,
            filter_server=map_msg - request,
            filter_draw=t_redraw - map_msg,
            external=traffic.external_urls(),
            heap=heap,
            heap_before_gc=heap_before_gc,
            view_update=statistics.median(view_updates) if view_updates else float("nan"),
            view_updates=tuple(view_updates),
        )
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------- report


@dataclass
class Result:
    size: int
    page: str
    cold_first_paint: float
    runs: list[Run]
    peak_rss_mb: float | None
    startup_s: float
    error: str = ""

    def med(self, name: str) -> float:
        values = [getattr(r, name) for r in self.runs]
        return statistics.median(values) if values else float("nan")


def seconds(name: str):
    return lambda r: f"{r.med(name):.2f}"


def megabytes(name: str):
    return lambda r: f"{r.med(name) / MB:.2f}"


def rss(r: Result) -> str:
    return "n/a" if r.peak_rss_mb is None else f"{r.peak_rss_mb:.0f}"


WHICH = [("size", lambda r: f"{r.size:,}"), ("page", lambda r: r.page)]
# The issue's table: | deployments | page | first paint | filter redraw | browser JS heap | server RSS | cold first load |
ISSUE_COLUMNS = [
    ("deployments", lambda r: f"{r.size:,}"),
    ("page", lambda r: r.page),
    ("first paint", lambda r: f"{r.med('first_paint'):.2f} s"),
    (
        "filter redraw",
        lambda r: "" if r.med("filter_redraw") != r.med("filter_redraw") else f"{r.med('filter_redraw'):.2f} s",
    ),
    ("filter redraw, polled", lambda r: f"{r.med('filter_polled'):.2f} s"),
    (
        "pan/zoom update",
        lambda r: "" if r.med("view_update") != r.med("view_update") else f"{r.med('view_update'):.2f} s",
    ),
    ("browser JS heap", lambda r: f"{r.med('heap') / MB:.0f} MB"),
    ("server RSS", lambda r: f"{rss(r)} MB"),
    ("cold first load", lambda r: f"{r.cold_first_paint:.2f} s"),
]
COLUMNS = [
    *WHICH,
    ("first paint s", seconds("first_paint")),
    ("filter redraw s", seconds("filter_redraw")),
    ("filter redraw polled s", seconds("filter_polled")),
    ("JS heap MB", lambda r: f"{r.med('heap') / MB:.0f}"),
    ("JS heap before GC MB", lambda r: f"{r.med('heap_before_gc') / MB:.0f}"),
    ("map bytes initial MB", megabytes("map_initial")),
    ("map bytes on filter MB", megabytes("map_filter")),
    ("peak RSS MB", rss),
    ("all markers s", seconds("all_markers")),
    ("cold first paint s", lambda r: f"{r.cold_first_paint:.2f}"),
    ("server start s", lambda r: f"{r.startup_s:.2f}"),
    ("WS initial MB", megabytes("ws_initial")),
    ("WS on filter MB", megabytes("ws_filter")),
    ("HTTP initial MB", megabytes("http_initial")),
]
BREAKDOWN = [
    *WHICH,
    ("script runs on load", lambda r: f"{r.med('runs_initial'):.0f}"),
    ("load: goto->map msg s", seconds("load_to_map_msg")),
    ("map msg->iframe req s", seconds("load_to_iframe")),
    ("iframe req->assets loaded s", seconds("load_assets")),
    ("assets->paint s", seconds("load_build")),
    ("filter: click->rerun req s", seconds("filter_to_request")),
    ("filter: req->map msg s", seconds("filter_server")),
    ("filter: map msg->polled s", seconds("filter_draw")),
]


def element_bytes(results: list[Result], top: int = 4) -> str:
    """The biggest WebSocket payloads by element type (first measured run), initial and on filter."""
    lines = []
    for r in results:
        if r.error or not r.runs:
            continue
        for phase, totals in (
            ("initial", r.runs[0].ws_by_element_initial),
            ("on filter", r.runs[0].ws_by_element_filter),
        ):
            biggest = sorted(totals.items(), key=lambda kv: -kv[1])[:top]
            lines.append(
                f"{r.size:>9,} {r.page:<5} {phase:<9}: " + ", ".join(f"{k} {v / 1000:,.0f} KB" for k, v in biggest)
            )
    return "\n".join(lines)


def failures(results: list[Result]) -> list[str]:
    return [f"{r.size:,} {r.page}: FAILED: {r.error}" for r in results if r.error]


def table(results: list[Result], columns: list) -> str:
    ok = [r for r in results if not r.error]
    rows = [[name for name, _ in columns]] + [[fmt(r) for _, fmt in columns] for r in ok]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    lines = [
        "  ".join(cell.rjust(w) if i != 1 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths)))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(results: list[Result], columns: list) -> str:
    """The issue's table as Markdown; a failed page shows its error in the first measured column."""
    lines = ["| " + " | ".join(name for name, _ in columns) + " |", "|" + "---|" * len(columns)]
    for r in results:
        if r.error:
            cells = [f"{r.size:,}", r.page, f"failed: {r.error}"] + [""] * (len(columns) - 3)
        else:
            cells = [fmt(r) for _, fmt in columns]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b != b or a != a or b == 0:
        return "n/a"
    return f"{a / b:.2f}x"


def ratios(results: list[Result]) -> list[str]:
    """app/peer (and naive/app) per size: below 1 means the app needs less than the peer."""
    lines = []
    by_key = {(r.size, r.page): r for r in results if not r.error}
    for size in sorted({r.size for r in results}):
        app, peer, naive = (by_key.get((size, p)) for p in ("app", "peer", "naive"))
        if app and peer:
            lines.append(
                f"{size:,}: app/peer first paint {ratio(app.med('first_paint'), peer.med('first_paint'))}, "
                f"filter redraw {ratio(app.med('filter_redraw'), peer.med('filter_redraw'))} "
                f"(polled {ratio(app.med('filter_polled'), peer.med('filter_polled'))}), "
                f"JS heap {ratio(app.med('heap'), peer.med('heap'))}, "
                f"server RSS {ratio(app.peak_rss_mb, peer.peak_rss_mb)} (below 1: the app needs less)"
            )
        if app and naive:
            lines.append(
                f"{size:,}: naive/app first paint {ratio(naive.med('first_paint'), app.med('first_paint'))}, "
                f"filter redraw polled {ratio(naive.med('filter_polled'), app.med('filter_polled'))}, "
                f"map bytes initial {ratio(naive.med('map_initial'), max(app.med('map_initial'), 1))}, "
                f"on filter {ratio(naive.med('map_filter'), max(app.med('map_filter'), 1))}"
            )
    return lines


def verdict(value: float | None, limit: float, unit: str) -> str:
    if value is None or value != value:
        return f"<= {limit:g} {unit}: n/a"
    return f"<= {limit:g} {unit}: {value:.2f} {unit} {'PASS' if value <= limit else 'FAIL'}"


def peer_check(app: Result, results: list[Result]) -> str | None:
    """ "at least as fast as the peer" for the app's size: PASS when the app's first paint and filter redraw
    are no slower than the peer's, or when the peer drew nothing at all (its run failed, e.g. timed out)."""
    peer = next((r for r in results if r.size == app.size and r.page == "peer"), None)
    if peer is None:
        return None
    if peer.error:
        return f"at least as fast as the peer: PASS (the peer failed: {peer.error})"
    faster = all(app.med(m) <= peer.med(m) for m in ("first_paint", "filter_redraw"))
    return (
        f"at least as fast as the peer: {'PASS' if faster else 'FAIL'} (first paint {app.med('first_paint'):.2f} "
        f"against {peer.med('first_paint'):.2f} s, filter redraw {app.med('filter_redraw'):.2f} against "
        f"{peer.med('filter_redraw'):.2f} s; polled {app.med('filter_polled'):.2f} against {peer.med('filter_polled'):.2f} s)"
    )


def target_lines(results: list[Result]) -> list[str]:
    lines = []
    by_key = {(r.size, r.page): r for r in results if not r.error}
    for size, paint, redraw, heap, server_rss in TARGETS:
        app = by_key.get((size, "app"))
        if not app:
            lines.append(f"targets at {size:,} (app): not measured")
            continue
        checks = [
            "first paint " + verdict(app.med("first_paint"), paint, "s"),
            "filter redraw " + verdict(app.med("filter_redraw"), redraw, "s"),
        ]
        if heap is not None:
            checks.append("JS heap " + verdict(app.med("heap") / MB, heap, "MB"))
        if server_rss is not None:
            checks.append("server RSS " + verdict(app.peak_rss_mb, server_rss, "MB"))
        compared = peer_check(app, results)
        if compared:
            checks.append(compared)
        lines.append(f"targets at {size:,} (app): " + "; ".join(checks))
    for size, paint, update in VIEW_TARGETS:
        app = by_key.get((size, "app"))
        if not app:
            lines.append(f"targets at {size:,} (app): not measured")
            continue
        steps = ", ".join(f"{t:.2f}" for t in app.runs[0].view_updates) if app.runs else ""
        compared = peer_check(app, results)
        lines.append(
            f"targets at {size:,} (app): first paint "
            + verdict(app.med("first_paint"), paint, "s")
            + "; pan/zoom update "
            + verdict(app.med("view_update"), update, "s")
            + (f"; {compared}" if compared else "")
            + f" (first run's steps {steps} s: into France, to Paris at zoom 11 with individual records, to New York, back to the world)"
        )
    return lines


def summary(results: list[Result], runs: int) -> str:
    external = sorted({u.split("/")[2] for r in results for run in r.runs for u in run.external})
    return "\n".join(
        failures(results)
        + ratios(results)
        + target_lines(results)
        + [
            f"medians of {runs} fresh page loads (new browser context each) after one cold load; "
            f"hosts other than 127.0.0.1 requested (all blocked): {', '.join(external) or 'none'}"
        ]
    )


# ---------------------------------------------------------------------------------------------- main


def bench_page(
    browser: Any, page_kind: str, size: int, data_dir: Path, atlas: Any, runs: int, points: bool = False
) -> Result:
    server = Server(START[page_kind], data_dir, OUT_DIR / "logs" / f"{size}-{page_kind}.log")
    try:
        startup = server.wait_until_healthy()
        cold = measure_once(browser, server.url, page_kind, atlas, points)
        print(f"  {size:>9,} {page_kind:<5} cold: first paint {cold.first_paint:.2f} s", flush=True)
        measured = []
        for i in range(runs):
            measured.append(measure_once(browser, server.url, page_kind, atlas, points))
            r = measured[-1]
            views = f", pan/zoom {', '.join(f'{t:.2f}' for t in r.view_updates)} s" if r.view_updates else ""
            print(
                f"  {size:>9,} {page_kind:<5} run {i + 1}: first paint {r.first_paint:.2f} s, "
                f"filter redraw {r.filter_redraw:.2f} s (polled {r.filter_polled:.2f} s), JS heap {r.heap / MB:.0f} MB{views}",
                flush=True,
            )
        return Result(size, page_kind, cold.first_paint, measured, server.peak_rss_mb(), startup)
    except Exception as error:
        return Result(
            size, page_kind, float("nan"), [], server.peak_rss_mb(), 0.0, error=f"{type(error).__name__}: {error}"
        )
    finally:
        server.stop()


def refusal_text(error: DataError) -> str:
    """The first problem of a refused dataset, with the file's name rather than its full path."""
    problem = error.problems[0] if error.problems else None
    return f"{Path(problem.file).name} {problem.message}" if problem else str(error)


def what_the_page_shows(browser: Any, page_kind: str, size: int, data_dir: Path, refusal: str) -> Result:
    """When the data cannot be loaded at all: start the page anyway and report how long it takes to show
    an error (or the map), within PAGE_TIMEOUT."""
    server = Server(START[page_kind], data_dir, OUT_DIR / "logs" / f"{size}-{page_kind}.log")
    context = None
    try:
        server.wait_until_healthy()
        context = new_context(browser)
        page = context.new_page()
        t0 = time.monotonic()
        page.goto(server.url, wait_until="commit", timeout=PAGE_TIMEOUT * 1000)

        def shown() -> bool:
            return page.locator(ERROR_SHOWN).count() > 0 or in_map_frames(page, FIRST_PAINT[page_kind], bool, page_kind)

        t = poll(page, shown, PAGE_TIMEOUT, "an error message or the map")
        message = page.locator(ERROR_SHOWN)
        outcome = "shows its error message" if message.count() else "draws the map anyway"
        what = f"load_atlas refuses the data ({refusal}); after {t - t0:.1f} s the page {outcome}"
    except Exception as error:
        what = f"load_atlas refuses the data ({refusal}); the page: {type(error).__name__}: {error}"
    finally:
        if context is not None:
            context.close()
        rss_mb = server.peak_rss_mb()
        server.stop()
    return Result(size, page_kind, float("nan"), [], rss_mb, 0.0, error=what)


def pages_for(size: int, asked: list[str] | None) -> list[str]:
    if asked:
        return asked
    pages = list(PAGES)
    if size > NAIVE_MAX_SIZE:
        print(f"{size:,} deployments: naive page skipped above {NAIVE_MAX_SIZE:,} (ask for it with --pages)")
        pages.remove("naive")
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--pages",
        nargs="+",
        choices=list(PAGES),
        default=None,
        help=f"default: all; the naive page only up to {NAIVE_MAX_SIZE:,} deployments",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    results: list[Result] = []
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for size in args.sizes:
                t = time.monotonic()
                points = size >= POINTS_FROM_SIZE
                data_dir = cached_dataset(OUT_DIR / "data", size, seed=args.seed, points=points)
                data_file = data_dir / (POINTS_FILE if points else "deployments.geojson")
                data_mb = data_file.stat().st_size / MB
                print(f"{size:,} deployments: {data_file} ({data_mb:,.0f} MB, {time.monotonic() - t:.0f} s)")
                pages = pages_for(size, args.pages)
                try:
                    # A large dataset is checked once, into the cache the pages' servers then read (its build,
                    # about 140 s at 1,000,000 on 2 CPUs, is timed here and not in "server start").
                    t = time.monotonic()
                    atlas = load_atlas_cached(data_dir) if points else load_atlas(data_dir)
                    if points:
                        print(f"{size:,} deployments: checked and cached in {time.monotonic() - t:.0f} s", flush=True)
                except DataError as error:
                    fits = int(MAX_FILE_BYTES / (data_mb * MB / size))
                    print(
                        f"{size:,} deployments: load_atlas refuses the data: {error} (at this generator's "
                        f"{data_mb * MB / size:,.0f} bytes per record, about {fits:,} records fit in "
                        f"{MAX_FILE_BYTES / MB:,.0f} MB)",
                        flush=True,
                    )
                    for page_kind in pages:
                        results.append(what_the_page_shows(browser, page_kind, size, data_dir, refusal_text(error)))
                    continue
                if atlas.problems:
                    raise RuntimeError(f"synthetic data has problems, e.g. {atlas.problems[0]}")
                for page_kind in pages:
                    print(f"{size:,} deployments, {page_kind}: {PAGES[page_kind].relative_to(ROOT)}", flush=True)
                    results.append(bench_page(browser, page_kind, size, data_dir, atlas, args.runs, points))
                del atlas
        finally:
            browser.close()

    command = f".venv/bin/python -m benchmarks.run {' '.join(argv if argv is not None else sys.argv[1:])}".strip()
    report = "\n\n".join(
        [
            markdown_table(results, ISSUE_COLUMNS),
            summary(results, args.runs),
            "All figures (medians):\n" + table(results, COLUMNS),
            "Where the time goes (medians):\n" + table(results, BREAKDOWN),
            "WebSocket bytes by element type (first measured run):\n" + element_bytes(results),
        ]
    )
    print("\n" + report)
    print(f"\n(total {time.monotonic() - started:.0f} s; written to {OUT_DIR.relative_to(ROOT) / 'results.md'})")
    (OUT_DIR / "results.md").write_text(
        "# Map benchmark results\n\n"
        f"`{command}` ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs). See `benchmarks/README.md`.\n\n"
        f"{markdown_table(results, ISSUE_COLUMNS)}\n\n```\n{report}\n```\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
