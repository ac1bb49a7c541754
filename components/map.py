"""Build the folium map: a static base (tiles over offline country outlines) and per-selection layers
(deployment markers, country shading, legend) that streamlit-folium swaps in without reloading the map."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geo.aggregate import MARKER_STYLES
from geo.mapdata import MAP_LABELS, script_json

FRAME_TITLE = "Map of the selected facial-recognition records"
INITIAL_CENTER = (25.0, 15.0)
INITIAL_ZOOM = 2
SHADING_LAYER_NAME = "Deployments per country"
TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILES_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'


class AtlasMap(folium.Map):
    """A folium Map whose scripts and styles come from our own static route, never a CDN."""

    def __init__(self, asset_urls: Mapping[str, str], **kwargs: Any):
        super().__init__(**kwargs)
        self.default_js = [(n, asset_urls[n]) for n in ("leaflet.js", "atlas.js")]
        self.default_css = [(n, asset_urls[n]) for n in ("leaflet.css", "atlas.css")]


class _ScriptText(Element):
    """Script text added to the page as it is."""

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class ScriptElement(MacroElement):
    """A MacroElement whose `script` macro is rendered once. branca's own render wraps the rendered script
    in a new Jinja template, a second pass in which record text such as "{{", "{%" or "{#" inside the JSON
    would be read as template code: a syntax error broke the page, and a page rendered whole (get_root().render())
    would run an expression on the server."""

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as branca MacroElement.render
        figure = self.get_root()
        assert isinstance(figure, Figure), f"{self._name} is rendered in a Figure, not in {type(figure).__name__}"
        script = self._template.module.__dict__["script"]
        figure.script.add_child(_ScriptText(script(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class OfflineBasemap(ScriptElement):
    """Country outlines and place names in panes under the tiles: when tiles cannot load, they still show,
    with a notice saying the tiles are missing."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            map.createPane("atlasOutlines");
            map.getPane("atlasOutlines").style.zIndex = 150;
            map.getContainer().style.background = "#cfe3ef";
            window.atlasCountryGeo = window.atlasCountryGeo || fetch({{ this.url_json }})
                .then(function (r) { return r.json(); });
            {% if this.data_url_json != "null" %}
            window.atlasData = window.atlasData || fetch({{ this.data_url_json }})
                .then(function (r) { return r.json(); });
            // Descriptions and sources come in chunks, when a popup needs them.
            window.atlasLoadDetails = window.atlasLoadDetails || Atlas.detailsLoader(window.atlasData, {{ this.details_url_json }});
            {% endif %}
            window.atlasCountryGeo.then(function (geo) { Atlas.outlineLayer(L, geo, "atlasOutlines").addTo(map); });
            window.atlasPlaces = window.atlasPlaces || fetch({{ this.places_url_json }}).then(function (r) { return r.json(); });
            Atlas.offlineLabels(L, map, window.atlasPlaces);
            Atlas.fullscreenControl(L).addTo(map);
            try {  // the frame streamlit-folium draws in is named after the component, not the map
                if (window.frameElement) { window.frameElement.setAttribute("title", {{ this.title_json }}); }
            } catch (e) { /* a frame of another origin keeps its name */ }
            window.atlasMap = map;
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        outlines_url: str,
        data_url: str | None,
        details_url: str | None,
        places_url: str,
        title: str = FRAME_TITLE,
    ):
        super().__init__()
        self._name = "OfflineBasemap"
        self.title_json = script_json(title)
        self.url_json = script_json(outlines_url)
        self.places_url_json = script_json(places_url)
        self.data_url_json = script_json(data_url)
        self.details_url_json = script_json(details_url)


class DeploymentMarkers(ScriptElement):
    """The selection's markers (clustered) and the vendor legend. The records themselves were fetched once
    with the base map; only which rows are visible (a bitset) travels on a filter change."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (group) {
            var visible = Atlas.rowsFromBitset({{ this.visible_json }}), legend = {{ this.legend_json }};
            window.atlasData.then(function (data) {
                var map = window.atlasMap;
                if (window.atlasLegend) { map.removeControl(window.atlasLegend); }
                window.atlasLegend = Atlas.legendControl(L, data, legend).addTo(map);
                // Fit first (clear of the legend just placed), then cluster once at the final zoom.
                Atlas.fitToRows(L, map, visible.map(function (i) { return data.rows[i]; }), {{ this.keep_view_json }});
                var layer = Atlas.showRows(L, data, visible, group, window.atlasLoadDetails);
                window.atlasDeployments = layer;
                window.atlasDeploymentCount = visible.length;
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, visible_rows: str, legend: list[dict[str, str]], keep_view: bool = False):
        super().__init__()
        self._name = "DeploymentMarkers"
        self.visible_json = script_json(visible_rows)  # rows_bitset()
        self.legend_json = script_json(legend)
        self.keep_view_json = script_json(keep_view)


class ViewSummary(ScriptElement):
    """A large selection as the server summarised it for the current view (geo/aggregate.py): counted
    cells, or the records themselves once few are in view."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (group) {
            var map = window.atlasMap;
            if (window.atlasLegend) { map.removeControl(window.atlasLegend); }
            window.atlasLegend = Atlas.legendControl(L, {{ this.legend_data_json }}, {{ this.legend_json }}).addTo(map);
            Atlas.showSummary(L, map, group, {{ this.summary_json }}, {{ this.colors_json }}, {{ this.styles_json }});
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self, summary: Mapping[str, Any], colors: list[str], legend: list[dict[str, str]], has_policies: bool = False
    ):
        super().__init__()
        self._name = "ViewSummary"
        self.summary_json = script_json(dict(summary))
        self.colors_json = script_json(list(colors))
        self.styles_json = script_json(list(MARKER_STYLES))
        self.legend_json = script_json(legend)
        # What the legend needs besides the vendors: the labels of the marker shapes, and whether § shows.
        labels = {field: MAP_LABELS[field] for field in ("confidence", "kind")}  # sent with every pan and zoom
        self.legend_data_json = script_json({"labels": labels, "hasPolicies": has_policies})


class CountryShading(ScriptElement):
    """Countries shaded by the number of deployments in the selection, in count classes with a legend; it
    keeps the reader's on/off choice across filter changes (off at first)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (group) {
            (window.atlasCountryGeo || Promise.resolve(null)).then(function (geo) {
                if (geo) {
                    Atlas.showShading(L, window.atlasMap, group, geo, {{ this.counts_json }}, {{ this.names_json }},
                                      {{ this.name_json }});
                }
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, counts: Mapping[str, int], names: Mapping[str, str]):
        super().__init__()
        self._name = "CountryShading"
        self.name_json = script_json(SHADING_LAYER_NAME)
        self.counts_json = script_json(dict(counts))
        self.names_json = script_json(dict(names))


class ViewReporting(ScriptElement):
    """Tell streamlit-folium which values to send back. It reads `returned_objects` only when it creates the
    map, so a change later (the reader ticks "include the map view") is applied here, when the layers are
    swapped; the current view is then reported at once."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var shared = window.__GLOBAL_DATA__, wanted = {{ this.returned_json }};
            if (!shared || JSON.stringify(shared.returned_objects) === JSON.stringify(wanted)) { return; }
            shared.returned_objects = wanted;
            if (wanted.indexOf("center") !== -1 && window.atlasMap) { window.atlasMap.fire("moveend"); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, returned_objects: list[str]):
        super().__init__()
        self._name = "ViewReporting"
        self.returned_json = script_json(list(returned_objects))


def base_map(asset_urls: Mapping[str, str]) -> AtlasMap:
    """The part of the map that never changes with filters, so the browser keeps it (and the view) alive."""
    fmap = AtlasMap(
        asset_urls,
        location=INITIAL_CENTER,
        zoom_start=INITIAL_ZOOM,
        tiles=None,
        min_zoom=0,  # a phone-wide map needs a zoom below 1 to show the whole world
        zoom_snap=0.25,  # a fitted view fills the map more closely than whole zoom levels do
        world_copy_jump=True,
        control_scale=True,
    )
    folium.TileLayer(TILES_URL, attr=TILES_ATTRIBUTION, name="OpenStreetMap", max_zoom=19).add_to(fmap)
    OfflineBasemap(
        asset_urls["countries.json"],
        asset_urls.get("deployments.json"),  # a large dataset's records are not sent (summary_layers)
        asset_urls.get("details.json"),
        asset_urls["places.json"],
    ).add_to(fmap)
    return fmap


def summary_layers(
    summary: Mapping[str, Any],
    colors: list[str],
    legend: list[dict[str, str]],
    counts: Mapping[str, int],
    names: Mapping[str, str],
    has_policies: bool = False,
) -> list[folium.FeatureGroup]:
    """The layers of a large selection: the view's summary, then the (initially hidden) country shading."""
    markers = folium.FeatureGroup(name="Deployments", show=True)
    ViewSummary(summary, colors, legend, has_policies).add_to(markers)
    shading = folium.FeatureGroup(name=SHADING_LAYER_NAME, show=False)
    CountryShading(counts, names).add_to(shading)
    return [markers, shading]


def selection_layers(
    visible_rows: str,
    legend: list[dict[str, str]],
    counts: Mapping[str, int],
    names: Mapping[str, str],
    returned_objects: list[str],
    keep_view: bool = False,
) -> list[folium.FeatureGroup]:
    """The layers that follow the filters (`visible_rows`: geo.mapdata.rows_bitset): markers first, then the (initially hidden) country shading. The
    map fits the shown records unless `keep_view` (a saved view was opened) or the reader has moved it."""
    markers = folium.FeatureGroup(name="Deployments", show=True)
    DeploymentMarkers(visible_rows, legend, keep_view).add_to(markers)
    ViewReporting(returned_objects).add_to(markers)
    shading = folium.FeatureGroup(name=SHADING_LAYER_NAME, show=False)
    CountryShading(counts, names).add_to(shading)
    return [markers, shading]
