from __future__ import annotations

from playwright.sync_api import Frame, Locator, Page

MAP_FRAME = "st_folium"


def map_frame(page: Page, timeout: float = 30_000) -> Frame:
    page.wait_for_selector(f'iframe[src*="{MAP_FRAME}"]', timeout=timeout)
    frame = next(f for f in page.frames if MAP_FRAME in f.url)
    frame.wait_for_function("window.atlasDeployments !== undefined && window.atlasMap !== undefined", timeout=timeout)
    return frame


def open_app(page: Page, url: str) -> Frame:
    page.goto(url)
    page.locator("strong", has_text="Showing").first.wait_for(timeout=30_000)
    return map_frame(page)


# Deployments the map draws: markers on screen plus the members of every cluster bubble.
DRAWN_JS = """() => document.querySelectorAll('.leaflet-marker-pane .atlas-m').length +
    [...document.querySelectorAll('.leaflet-marker-pane .marker-cluster span[aria-hidden]')]
        .reduce((n, el) => n + parseInt(el.textContent, 10), 0)"""


def drawn_count(frame: Frame) -> int:
    """Deployments the map draws: markers on screen plus the members of every cluster bubble."""
    return frame.evaluate(DRAWN_JS)


def marker_at(frame: Frame | Page, lat: float, lon: float, zoom: int) -> Locator:
    """Zoom the map to a single deployment and return its marker (the one nearest the map's centre) once it
    is on screen. Legend swatches share the `atlas-m` class, hence the pane selector."""
    frame.evaluate(
        "([lat, lon, zoom]) => { window.atlasMap.setView([lat, lon], zoom, {animate: false}); }", [lat, lon, zoom]
    )
    position = frame.wait_for_function(
        """() => {
            const map = window.atlasMap, box = map.getContainer().getBoundingClientRect();
            const cx = box.left + box.width / 2, cy = box.top + box.height / 2;
            let best = 0, bestDistance = Infinity;
            [...document.querySelectorAll('.leaflet-marker-pane .atlas-m')].forEach((m, i) => {
                const r = m.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
                const inside = x > box.left && x < box.right && y > box.top && y < box.bottom;
                const d = Math.hypot(x - cx, y - cy);
                if (inside && d < bestDistance) { best = i + 1; bestDistance = d; }
            });
            return best;
        }"""
    ).json_value()
    return frame.locator(".leaflet-marker-pane .atlas-m").nth(position - 1)


def layer_count(frame: Frame) -> int:
    return frame.evaluate("window.atlasDeployments.getLayers().length")


def wait_for_layer_count(frame: Frame, expected: int, timeout: float = 20_000) -> None:
    frame.wait_for_function(
        f"window.atlasDeployments && window.atlasDeployments.getLayers().length === {expected}", timeout=timeout
    )


def choose(page: Page, key: str, option_prefix: str) -> None:
    """Pick an option in the Streamlit multiselect with widget key `key`."""
    page.locator(f".st-key-{key} input").click()
    page.get_by_role("option").filter(has_text=option_prefix).first.click()
    page.keyboard.press("Escape")


TILE_NOTICE = "Map tiles could not be loaded (offline?)"


def place_names_on_screen(frame: Frame | Page, lat: float, lon: float, zoom: int) -> list[str]:
    """Move the map and return the place labels it then draws inside the map's box (as written in the data,
    before CSS capitalises country names)."""
    frame.evaluate(
        "([lat, lon, zoom]) => { window.atlasMap.setView([lat, lon], zoom, {animate: false}); }", [lat, lon, zoom]
    )
    frame.wait_for_function(
        "(zoom) => window.atlasPlaceLabels && window.atlasMap.getZoom() === zoom"
        " && window.atlasPlaceLabels.getLayers().every(m => m._icon)",
        arg=zoom,
    )
    return frame.evaluate(
        """() => {
            const box = window.atlasMap.getContainer().getBoundingClientRect();
            return [...document.querySelectorAll('.leaflet-atlasLabels-pane .atlas-place-name')].filter(e => {
                const r = e.getBoundingClientRect();
                return r.width > 0 && r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
            }).map(e => e.textContent);
        }"""
    )


def check_offline_place_names(frame: Frame | Page) -> None:
    """With the tiles blocked: the notice shows, countries are named from zoom 3 (the test countries are
    small), capitals and big cities from zoom 5, and no label takes keyboard focus or speaks."""
    notice = frame.locator(".atlas-tile-notice")
    notice.wait_for(state="visible", timeout=20_000)
    assert TILE_NOTICE in notice.inner_text()
    world = place_names_on_screen(frame, 15, 15, 2)
    assert "Aland" not in world and "Abuja" not in world, world
    countries = place_names_on_screen(frame, 15, 15, 3)
    assert {"Aland", "Bland", "Cland"} <= set(countries), countries
    assert "Abuja" not in countries
    cities = place_names_on_screen(frame, 9, 8, 6)
    assert {"Abuja", "Lagos", "Aland"} <= set(cities), cities
    assert frame.locator(".leaflet-atlasLabels-pane").get_attribute("aria-hidden") == "true"
    assert frame.locator(".leaflet-atlasLabels-pane [tabindex]").count() == 0
    assert "Natural Earth" in frame.locator(".leaflet-control-attribution").inner_text()
