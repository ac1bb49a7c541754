/* Deployment markers, popups, legend, country shading and a fullscreen control for Leaflet.
   Shared by the Streamlit map and the standalone HTML snapshot. All record text is escaped here. */
(function (root) {
  "use strict";
  var ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "`": "&#96;", "$": "&#36;", "\\": "&#92;"};
  // Row columns, as geo/mapdata.py ROW_COLUMNS. The first MARKER_COLUMNS draw a marker; the Streamlit map
  // fetches the others separately (attachDetails) and popups wait for them.
  var COL = {id: 0, lat: 1, lon: 2, name: 3, vendors: 4, y0: 5, y1: 6, confidence: 7, kind: 8,
             place: 9, country: 10, operator: 11, status: 12, sectors: 13, cameras: 14, description: 15, precision: 16, sources: 17};
  var MARKER_COLUMNS = 9;
  var POLICY_COLOR = "#222222";  // policies name no vendor (or several), so they share one dark symbol

  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"'`$\\]/g, function (ch) { return ENTITIES[ch]; });
  }
  function isHttp(url) { return /^https?:\/\/[^\s\/]+/i.test(String(url || "")); }
  function link(url, text) {
    return isHttp(url) ? '<a href="' + esc(url) + '" target="_blank" rel="noopener noreferrer">' + esc(text) + "</a>" : esc(text);
  }
  function years(y0, y1) { return y0 === null ? "" : (y1 === null ? "since " + y0 : y0 + "\u2013" + y1); }
  function vendorNames(row, data) { return row[COL.vendors].map(function (i) { return data.vendors[i].name; }); }
  function isPolicy(row) { return row[COL.kind] === "policy"; }
  function color(row, data) {
    var first = row[COL.vendors][0];
    return isPolicy(row) || first === undefined ? POLICY_COLOR : data.vendors[first].color;
  }

  function tooltipText(row, data) {
    return [row[COL.name], vendorNames(row, data).join(", "), years(row[COL.y0], row[COL.y1])].filter(Boolean).join(" \u00b7 ");
  }

  // The text of each details row, by field name; the rows, their order and labels come from the map data
  // (`data.fields`, geo/schema.py DETAIL_ROWS), the same list the details panel renders. A row this script
  // has no text for (history: not in the map data) is left out.
  var DETAIL_TEXT = {
    kind: function (row, data) { return (data.labels.kind && data.labels.kind[row[COL.kind]]) || row[COL.kind]; },
    place: function (row) { return row[COL.place] || "unknown"; },
    country: function (row, data) { return (data.countries[row[COL.country]] || row[COL.country]) + " (" + row[COL.country] + ")"; },
    precision: function (row, data) { return data.labels.precision[row[COL.precision]] || row[COL.precision]; },
    vendors: function (row, data) { return vendorNames(row, data).join(", "); },
    operator: function (row) { return row[COL.operator] || "unknown"; },
    sectors: function (row, data) { return row[COL.sectors].map(function (s) { return data.labels.sector[s] || s; }).join(", "); },
    status: function (row, data) { return data.labels.status[row[COL.status]] || row[COL.status]; },
    years: function (row) { return years(row[COL.y0], row[COL.y1]); },
    cameras: function (row) { return row[COL.cameras] === null ? "not reported" : Number(row[COL.cameras]).toLocaleString("en"); },
    confidence: function (row, data) { return data.labels.confidence[row[COL.confidence]] || row[COL.confidence]; }
  };

  function popupHtml(row, data) {
    var rows = (data.fields || []).filter(function (f) { return DETAIL_TEXT[f[0]]; }).map(function (f) {
      return "<tr><th>" + esc(f[1]) + "</th><td>" + esc(DETAIL_TEXT[f[0]](row, data)) + "</td></tr>";
    }).join("");
    var sources = row[COL.sources].map(function (s) {
      return "<li>" + link(s[3], s[1] || s[3]) + " \u2014 " + esc(s[0]) + ", " + esc(s[2]) +
        (s[4] ? "<blockquote>\u201c" + esc(s[4]) + "\u201d</blockquote>" : "") + "</li>";
    }).join("");
    return '<div class="atlas-popup" data-atlas-id="' + esc(row[COL.id]) + '"><h4>' + esc(row[COL.name]) + "</h4><p>" +
      esc(row[COL.description]) + "</p><table>" + rows + "</table><h5>Sources</h5><ol>" + sources + "</ol></div>";
  }

  // One icon per colour and confidence, shared by every marker that looks the same.
  function hasDetails(row) { return row.length > MARKER_COLUMNS; }

  function attachDetails(data, details) {
    data.rows.forEach(function (row, i) { if (!hasDetails(row)) { Array.prototype.push.apply(row, details[i]); } });
    return data;
  }

  // Popup content once the row's details are there; until then a short notice that is replaced on arrival.
  function popupContent(row, data) {
    return function (layer) {
      if (hasDetails(row)) { return popupHtml(row, data); }
      (root.atlasLoadDetails ? root.atlasLoadDetails() : Promise.reject()).then(function () { layer.setPopupContent(popupHtml(row, data)); },
        function () { layer.setPopupContent('<div class="atlas-popup">' + esc(row[COL.name]) + ": details could not be loaded.</div>"); });
      return '<div class="atlas-popup">' + esc(row[COL.name]) + "<p>Loading details\u2026</p></div>";
    };
  }

  function markerIcon(Lf, row, data) {
    var key = color(row, data) + " " + row[COL.confidence] + " " + row[COL.kind];
    data._icons = data._icons || {};
    if (!data._icons[key]) {
      data._icons[key] = Lf.divIcon({
        className: "atlas-icon",
        html: isPolicy(row) ? '<div class="atlas-m atlas-k-policy" style="--c:' + esc(color(row, data)) + '">\u00a7</div>'
                            : '<div class="atlas-m atlas-c-' + esc(row[COL.confidence]) + '" style="--c:' + esc(color(row, data)) + '"></div>',
        iconSize: [16, 16], iconAnchor: [8, 8], popupAnchor: [0, -8], tooltipAnchor: [8, 0]
      });
    }
    return data._icons[key];
  }

  // The icon element is made anew each time a marker joins the map (clusters add and remove them).
  function labelIcon(e) {
    var m = e.target;
    if (m._icon) { m._icon.setAttribute("aria-label", m.atlasLabel); }
  }

  function markers(Lf, data, rows) {
    return rows.map(function (row) {
      // Focusable (Tab) with an accessible name; Enter opens the popup (Leaflet's own keypress handler).
      var m = Lf.marker([row[COL.lat], row[COL.lon]], {icon: markerIcon(Lf, row, data), keyboard: true});
      m.on("add", labelIcon);
      m.atlasId = row[COL.id];
      m.atlasColor = color(row, data);
      m.atlasLabel = tooltipText(row, data);
      m.bindTooltip(esc(m.atlasLabel), {className: "atlas-tip"});
      m.bindPopup(popupContent(row, data), {maxWidth: 360, maxHeight: 320});
      return m;
    });
  }

  // A cluster bubble in the vendors' colours: a ring split in proportion to its members' colours around the
  // count, plus words for screen readers ("cluster of 14 deployments"). Sizes as markercluster's own.
  function clusterShares(markersIn) {
    var counts = {}, order = [];
    markersIn.forEach(function (m) {
      var c = m.atlasColor || POLICY_COLOR;
      if (!counts[c]) { counts[c] = 0; order.push(c); }
      counts[c] += 1;
    });
    order.sort(function (a, b) { return counts[b] - counts[a] || (a < b ? -1 : 1); });
    return order.map(function (c) { return {color: c, count: counts[c]}; });
  }

  function ringGradient(shares) {
    var total = shares.reduce(function (n, s) { return n + s.count; }, 0) || 1, at = 0;
    return "conic-gradient(" + shares.map(function (s) {
      var from = at; at += s.count;
      return s.color + " " + (360 * from / total).toFixed(1) + "deg " + (360 * at / total).toFixed(1) + "deg";
    }).join(", ") + ")";
  }

  function clusterIcon(Lf, cluster) {
    var n = cluster.getChildCount();
    var size = n < 10 ? "small" : (n < 100 ? "medium" : "large");
    var shares = cluster.getAllChildMarkers ? clusterShares(cluster.getAllChildMarkers()) : [];
    var ring = shares.length ? ' style="background:' + esc(ringGradient(shares)) + '"' : "";
    return Lf.divIcon({html: '<div class="atlas-ring"' + ring + '><span aria-hidden="true">' + n + '</span><span class="atlas-sr">cluster of ' + n +
                         (n === 1 ? " deployment" : " deployments") + ", press Enter to zoom in</span></div>",
                       className: "marker-cluster atlas-cluster atlas-cluster-" + size, iconSize: Lf.point(40, 40)});
  }

  // Enter on a focused cluster does what a click does: zoom in to it, or fan it out at the last zoom.
  function openClusterOnEnter(e) {
    if (!e.originalEvent || e.originalEvent.keyCode !== 13) { return; }
    var cluster = e.layer, map = cluster._group._map;
    if (map.getZoom() >= map.getMaxZoom() || cluster._bounds.getNorthEast().equals(cluster._bounds.getSouthWest())) {
      cluster.spiderfy();
    } else {
      cluster.zoomToBounds({padding: [40, 40]});
    }
  }

  // markercluster reports progress just before it puts the last markers on the map: let the browser paint
  // them before running anything heavy (such as parsing the details).
  function afterNextPaint(callback) {
    requestAnimationFrame(function () { setTimeout(callback, 0); });
  }

  // The Streamlit map: markers are built once per data version and one cluster group is reused, so a filter
  // change only swaps which markers are in it. The cluster joins `group` (on the map) before the markers do:
  // off the map, markercluster checks each added marker against all those already queued (quadratic).
  // `onDrawn` runs once the cluster has placed them.
  function showRows(Lf, data, indices, group, onDrawn) {
    if (!data._markers) { data._markers = markers(Lf, data, data.rows); }
    if (!root.atlasCluster) {
      root.atlasCluster = Lf.markerClusterGroup({chunkedLoading: true, chunkInterval: 400, chunkDelay: 20,
        maxClusterRadius: 40, spiderfyOnMaxZoom: true, iconCreateFunction: function (c) { return clusterIcon(Lf, c); },
        chunkProgress: function (done, total) {
          var callback = root.atlasCluster.atlasOnDrawn;
          if (done === total && callback) { root.atlasCluster.atlasOnDrawn = null; afterNextPaint(callback); }
        }});
    }
    var cluster = root.atlasCluster;
    if (!cluster.atlasKeyboard) { cluster.on("clusterkeypress", openClusterOnEnter); cluster.atlasKeyboard = true; }
    cluster.atlasOnDrawn = onDrawn || null;
    if (cluster._map) { cluster.remove(); }
    cluster.clearLayers();  // off the map this only forgets the old markers, without drawing or undrawing them
    group.addLayer(cluster);
    cluster.addLayers(indices.map(function (i) { return data._markers[i]; }));
    return cluster;
  }

  // The snapshot file's layer; added to `map` before its markers, for the reason given at showRows.
  function deploymentLayer(Lf, data, rows, map) {
    var group = Lf.markerClusterGroup ? Lf.markerClusterGroup({chunkedLoading: true, maxClusterRadius: 40, spiderfyOnMaxZoom: true,
                                                              iconCreateFunction: function (c) { return clusterIcon(Lf, c); }})
                                       : Lf.featureGroup();
    if (Lf.markerClusterGroup) { group.on("clusterkeypress", openClusterOnEnter); }
    if (map) { group.addTo(map); }
    var list = markers(Lf, data, rows || data.rows);
    if (group.addLayers) { group.addLayers(list); } else { list.forEach(function (m) { group.addLayer(m); }); }
    return group;
  }

  // Country shading: counts in classes 1, 2-4, 5-9, 10-19, 20-49, ... (at most SHADES.length of them),
  // so a reader can read a country's count off the legend.
  var SHADES = ["#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603", "#7f2704"];

  function countBins(max) {
    var edges = [1];
    for (var scale = 1; edges[edges.length - 1] <= max && scale < 1e9; scale *= 10) {
      [2, 5, 10].forEach(function (step) { if (step * scale <= max && edges.indexOf(step * scale) === -1) { edges.push(step * scale); } });
    }
    edges = edges.filter(function (e) { return e <= max; });
    while (edges.length > SHADES.length) { edges.splice(1, 1); }
    return edges.map(function (from, i) {
      var to = i + 1 < edges.length ? edges[i + 1] - 1 : max;
      var shade = SHADES[edges.length === 1 ? SHADES.length - 1 : Math.round(i * (SHADES.length - 1) / (edges.length - 1))];
      return {from: from, to: to, label: from === to ? String(from) : from + "\u2013" + to, color: shade};
    });
  }

  function binOf(count, bins) {
    for (var i = bins.length - 1; i >= 0; i--) { if (count >= bins[i].from) { return bins[i]; } }
    return null;
  }

  function maxCount(counts) {
    return Object.keys(counts).reduce(function (m, k) { return Math.max(m, counts[k]); }, 0);
  }

  function countryLayer(Lf, geojson, counts, names) {
    var bins = countBins(maxCount(counts));
    return Lf.geoJSON(geojson, {
      filter: function (f) { return !!counts[f.properties.iso_a2]; },
      style: function (f) {
        var bin = binOf(counts[f.properties.iso_a2], bins);
        return {fillColor: bin ? bin.color : "#fff", fillOpacity: 0.7, color: "#67000d", weight: 0.6};
      },
      onEachFeature: function (f, layer) {
        var n = counts[f.properties.iso_a2] || 0;
        layer.bindTooltip(esc((names[f.properties.iso_a2] || f.properties.name) + ": " + n + (n === 1 ? " deployment" : " deployments")), {sticky: true});
      }
    });
  }

  function shadingLegendHtml(bins, title) {
    var rows = bins.map(function (b) {
      return '<div><span class="atlas-box" style="background:' + esc(b.color) + '"></span>' + esc(b.label) + "</div>";
    }).join("");
    return '<div class="atlas-legend atlas-shading-legend"><b>' + esc(title) + "</b>" + (rows || "<div>none</div>") + "</div>";
  }

  // The country shading of one selection, in `group`. It stays on or off as the reader last chose in the
  // layer control: swapping the layers after a filter change also fires overlayadd/overlayremove, but only a
  // click in the control (Leaflet sets _handlingClick meanwhile) is the reader's choice.
  function showShading(Lf, map, group, geojson, counts, names, layerName) {
    if (!root.atlasShadingHooked) {
      var chosen = function (on) {
        return function (e) {
          if (e.name !== layerName || !(root.layer_control && root.layer_control._handlingClick)) { return; }
          root.atlasShadingOn = on;
          updateShadingLegend(Lf, map);
        };
      };
      map.on("overlayadd", chosen(true));
      map.on("overlayremove", chosen(false));
      root.atlasShadingHooked = true;
    }
    var layer = countryLayer(Lf, geojson, counts, names);
    group.addLayer(layer);
    root.atlasShading = layer;
    root.atlasShadingBins = countBins(maxCount(counts));
    root.atlasShadingTitle = layerName;
    if (!root.atlasShadingOn) { setTimeout(function () { map.removeLayer(group); }, 0); }
    updateShadingLegend(Lf, map);
    return layer;
  }

  function updateShadingLegend(Lf, map) {
    if (root.atlasShadingLegend) { map.removeControl(root.atlasShadingLegend); root.atlasShadingLegend = null; }
    if (!root.atlasShadingOn) { return; }
    var control = Lf.control({position: "bottomright"});
    control.onAdd = function () {
      var div = Lf.DomUtil.create("div", "leaflet-control atlas-legend-box");
      div.innerHTML = shadingLegendHtml(root.atlasShadingBins || [], root.atlasShadingTitle || "Deployments per country");
      return div;
    };
    root.atlasShadingLegend = control.addTo(map);
  }

  function outlineLayer(Lf, geojson, pane) {
    return Lf.geoJSON(geojson, {pane: pane, interactive: false,
      style: {color: "#7a7a7a", weight: 0.7, fillColor: "#f2efe9", fillOpacity: 1}});
  }

  function legendHtml(data, entries) {
    var items = entries.map(function (v) {
      return '<div><span class="atlas-swatch" style="background:' + esc(v.color) + '"></span>' + esc(v.name) + "</div>";
    }).join("");
    var shapes = ["documented", "reported", "claimed"].map(function (c) {
      return '<div><span class="atlas-m atlas-c-' + c + '" style="--c:#555;display:inline-block;vertical-align:middle"></span> ' + esc(data.labels.confidence[c]) + "</div>";
    }).join("");
    var policy = data.hasPolicies ? "<b>Kind</b><div>" + '<span class="atlas-m atlas-k-policy" style="--c:' + POLICY_COLOR +
      ';display:inline-block;vertical-align:middle">\u00a7</span> ' + esc((data.labels.kind || {}).policy || "Policy") + "</div>" : "";
    return '<div class="atlas-legend"><b>Vendor</b>' + items + "<b>Confidence</b>" + shapes + policy + "</div>";
  }

  // Collapsible: open on a wide map, closed on a narrow one (a phone), then as the reader last left it.
  function legendOpen(map) {
    if (typeof root.atlasLegendOpen === "boolean") { return root.atlasLegendOpen; }
    return !map || map.getSize().x >= NARROW_MAP;
  }

  function legendControl(Lf, data, entries) {
    var control = Lf.control({position: "bottomleft"});
    control.onAdd = function (map) {
      var div = Lf.DomUtil.create("div", "leaflet-control atlas-legend-box");
      div.innerHTML = '<details class="atlas-legend-toggle"' + (legendOpen(map) ? " open" : "") + "><summary>Legend</summary>" +
        legendHtml(data, entries || data.legend) + "</details>";
      div.firstChild.addEventListener("toggle", function () {
        root.atlasLegendOpen = div.firstChild.open;
        if (map.atlasFitRows) { fitToRows(Lf, map, map.atlasFitRows); }
      });
      Lf.DomEvent.disableClickPropagation(div);
      Lf.DomEvent.disableScrollPropagation(div);
      return div;
    };
    return control;
  }

  // The first view fits every shown record, clear of the map's controls and legend; it refits when the
  // selection changes, until the reader pans or zooms (or a saved view was opened: `keepView`).
  var NARROW_MAP = 600;

  function watchReaderMoves(Lf, map) {
    if (map.atlasWatching) { return; }
    map.atlasWatching = true;
    map.on("movestart", function () { if (!map.atlasFitting) { map.atlasReaderMoved = true; } });
    // A map laid out later, or resized (the details panel opens beside it), fits again until the reader moves it.
    map.on("resize", function () { if (map.atlasFitRows) { fitToRows(Lf, map, map.atlasFitRows); } });
  }

  // Padding that keeps points out from under each corner's controls: for each corner, the side where its
  // box costs the smaller share of the map (a tall legend on the left pads the left, a wide bar the top).
  function controlPadding(map) {
    var size = map.getSize(), pad = {top: 12, right: 12, bottom: 12, left: 12};
    var frame = map.getContainer().getBoundingClientRect();
    [["top", "left"], ["top", "right"], ["bottom", "left"], ["bottom", "right"]].forEach(function (corner) {
      var box = map.getContainer().querySelector(".leaflet-" + corner[0] + ".leaflet-" + corner[1]);
      if (!box || !box.children.length) { return; }
      var rects = Array.prototype.map.call(box.children, function (c) { return c.getBoundingClientRect(); });
      var w = Math.max.apply(null, rects.map(function (r) { return corner[1] === "left" ? r.right - frame.left : frame.right - r.left; }));
      var h = Math.max.apply(null, rects.map(function (r) { return corner[0] === "top" ? r.bottom - frame.top : frame.bottom - r.top; }));
      if (w <= 0 || h <= 0) { return; }
      if (w / size.x <= h / size.y) { pad[corner[1]] = Math.max(pad[corner[1]], w + 8); }
      else { pad[corner[0]] = Math.max(pad[corner[0]], h + 8); }
    });
    return pad;
  }

  function fitToRows(Lf, map, rows, keepView) {
    watchReaderMoves(Lf, map);
    if (keepView) { map.atlasReaderMoved = true; }
    map.atlasFitRows = rows;
    var size = map.getSize();
    if (map.atlasReaderMoved || !rows.length || size.x < 100 || size.y < 100) { return false; }
    var bounds = Lf.latLngBounds(rows.map(function (r) { return [r[COL.lat], r[COL.lon]]; }));
    var pad = controlPadding(map);
    map.atlasFitting = true;
    try {
      map.fitBounds(bounds, {paddingTopLeft: [pad.left, pad.top], paddingBottomRight: [pad.right, pad.bottom], maxZoom: 10, animate: false});
    } finally {
      map.atlasFitting = false;
    }
    return true;
  }

  function fullscreenControl(Lf) {
    var control = Lf.control({position: "topleft"});
    control.onAdd = function (map) {
      var div = Lf.DomUtil.create("div", "leaflet-bar leaflet-control");
      var a = Lf.DomUtil.create("a", "atlas-fullscreen", div);
      a.href = "#"; a.title = "Full screen"; a.setAttribute("role", "button"); a.innerHTML = '<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true"><path d="M1 5V1h4M9 1h4v4M13 9v4H9M5 13H1V9" fill="none" stroke="#333" stroke-width="2"/></svg>';
      Lf.DomEvent.on(a, "click", function (e) {
        Lf.DomEvent.preventDefault(e);
        var el = map.getContainer();
        if (document.fullscreenElement) { document.exitFullscreen(); } else if (el.requestFullscreen) { el.requestFullscreen(); }
      });
      Lf.DomEvent.disableClickPropagation(div);
      return div;
    };
    return control;
  }

  // Place names for a map without tiles: countries at low zoom, cities as the reader zooms in. `places` is
  // geo/places.py place_labels(): {countries: [[name, lat, lon, minZoom]], cities: [...], attribution}.
  // The labels sit in a pane under the tiles, so they show where tiles are missing or switched off and
  // stay out of the way where tiles load; they are not focusable and hidden from screen readers.
  var PLACE_KINDS = ["countries", "cities"];
  var LABELS_PANE = "atlasLabels";

  function labelsForZoom(places, zoom) {
    var shown = [];
    PLACE_KINDS.forEach(function (kind) {
      (places[kind] || []).forEach(function (p) {
        if (p[3] !== null && p[3] <= zoom) { shown.push({kind: kind, name: p[0], lat: p[1], lon: p[2]}); }
      });
    });
    return shown;
  }

  function placeLabel(Lf, label) {
    var html = label.kind === "cities" ? '<span class="atlas-place-dot"></span><span class="atlas-place-name">' + esc(label.name) + "</span>"
                                       : '<span class="atlas-place-name">' + esc(label.name) + "</span>";
    return Lf.marker([label.lat, label.lon], {pane: LABELS_PANE, interactive: false, keyboard: false,
      icon: Lf.divIcon({className: "atlas-place atlas-place-" + label.kind, html: html, iconSize: null})});
  }

  function placeLabelLayer(Lf, places, map) {
    if (!map.getPane(LABELS_PANE)) {
      var pane = map.createPane(LABELS_PANE);
      pane.style.zIndex = 160;  // over the outlines (150), under the tiles (200)
      pane.style.pointerEvents = "none";
      pane.setAttribute("aria-hidden", "true");
    }
    var layer = Lf.layerGroup([], {attribution: places.attribution || ""});
    var shownZoom = null;
    function update() {
      var zoom = map.getZoom();
      if (zoom === shownZoom) { return; }
      shownZoom = zoom;
      layer.clearLayers();
      labelsForZoom(places, zoom).forEach(function (label) { layer.addLayer(placeLabel(Lf, label)); });
    }
    layer.on("add", function () { shownZoom = null; update(); map.on("zoomend", update); });
    layer.on("remove", function () { map.off("zoomend", update); });
    return layer;
  }

  // A notice on the map when its tiles do not load (several failures with none loading in between); it goes
  // away when a tile loads or the reader switches the tiles off.
  var TILE_FAILURES_FOR_NOTICE = 3;
  var TILE_NOTICE_TEXT = "Map tiles could not be loaded (offline?): showing country outlines and place names";

  function tileNotice(Lf, map, tiles) {
    var control = Lf.control({position: "topright"});
    control.onAdd = function () {
      var div = Lf.DomUtil.create("div", "leaflet-control atlas-tile-notice");
      div.setAttribute("role", "status");
      div.textContent = TILE_NOTICE_TEXT;
      return div;
    };
    var failures = 0, shown = false;
    // The notice takes room in a corner: a first view that was fitted around the controls fits again.
    function show() { if (!shown) { control.addTo(map); shown = true; if (map.atlasFitRows) { fitToRows(Lf, map, map.atlasFitRows); } } }
    function hide() { if (shown) { map.removeControl(control); shown = false; } }
    tiles.on("tileerror", function () { failures += 1; if (failures >= TILE_FAILURES_FOR_NOTICE) { show(); } });
    tiles.on("tileload", function () { failures = 0; hide(); });
    tiles.on("remove", function () { failures = 0; hide(); });
    return control;
  }

  // Both pages: the notice when `tiles` (or else the map's first tile layer) fail, watched from now on, and
  // the place names once `places` (the labels, or a promise of them) are there. Returns a promise of the layer.
  function offlineLabels(Lf, map, places, tiles) {
    if (map.atlasOfflineLabels) { return map.atlasOfflineLabels; }  // the page's script may run twice on one map
    if (!tiles) { map.eachLayer(function (l) { if (!tiles && l instanceof Lf.TileLayer) { tiles = l; } }); }
    if (tiles) { tileNotice(Lf, map, tiles); }
    map.atlasOfflineLabels = Promise.resolve(places).then(function (loaded) {
      root.atlasPlaceLabels = placeLabelLayer(Lf, loaded, map).addTo(map);
      return root.atlasPlaceLabels;
    });
    return map.atlasOfflineLabels;
  }

  root.Atlas = {esc: esc, COL: COL, clusterIcon: clusterIcon, clusterShares: clusterShares, ringGradient: ringGradient, attachDetails: attachDetails, tooltipText: tooltipText, popupHtml: popupHtml, deploymentLayer: deploymentLayer, showRows: showRows,
                countryLayer: countryLayer, countBins: countBins, binOf: binOf, shadingLegendHtml: shadingLegendHtml,
                showShading: showShading, outlineLayer: outlineLayer, legendControl: legendControl,
                fullscreenControl: fullscreenControl, years: years, fitToRows: fitToRows, controlPadding: controlPadding};
  // Offline place names and the tile notice (kept on their own lines so the list above stays as it was).
  root.Atlas.labelsForZoom = labelsForZoom; root.Atlas.placeLabelLayer = placeLabelLayer;
  root.Atlas.tileNotice = tileNotice; root.Atlas.offlineLabels = offlineLabels; root.Atlas.TILE_NOTICE_TEXT = TILE_NOTICE_TEXT;

  // ---- The snapshot explorer: the app's filters and sentence on the client (geo/explorer.py sends the
  // filter registry as data.explorer, and per-row search texts, vendor home countries and status histories).
  var variantsCache = {of: null, re: null};
  function fold(text, variants) {
    var plain = String(text || "").normalize("NFKD").replace(/\p{Mn}/gu, "").toLowerCase().replace(/\u00df/g, "ss");
    plain = plain.split(/\s+/).filter(Boolean).join(" ");
    var names = Object.keys(variants || {});
    if (!names.length) { return plain; }
    if (variantsCache.of !== variants) {
      names.sort(function (a, b) { return b.length - a.length; });
      var alternatives = names.map(function (v) { return v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|");
      variantsCache = {of: variants, re: new RegExp("(?<![\\p{L}\\p{N}_])(" + alternatives + ")(?![\\p{L}\\p{N}_])", "gu")};
    }
    return plain.replace(variantsCache.re, function (m) { return variants[m]; });
  }

  // A row's value of a filter column (the Python column name), as ids.
  function columnValue(data, row, i, column) {
    if (column === "vendors") { return row[COL.vendors].map(function (v) { return data.vendors[v].id; }); }
    if (column === "vendor_countries") { return (data.explorer.homes || {})[i] || []; }
    return row[COL[column]];
  }

  // Status in `year` (the latest when null): the last history event up to that year, else its first event.
  function statusAsOf(data, row, i, year) {
    var events = (data.explorer.history || {})[i];
    if (year === null || year === undefined || !events || !events.length) { return row[COL.status]; }
    var before = events.filter(function (e) { return e[0] <= year; });
    return (before.length ? before[before.length - 1] : events[0])[1];
  }

  function filterValue(spec, filters) {
    var v = filters && filters[spec.name];
    if (spec.type === "years") { return v ? [v[0] === undefined ? null : v[0], v[1] === undefined ? null : v[1]] : [null, null]; }
    if (spec.type === "text") { return String(v || "").trim(); }
    return v || [];
  }

  function isActive(spec, value) {
    if (spec.type === "years") { return value[0] !== null || value[1] !== null; }
    return value.length > 0;
  }

  function passes(data, spec, value, row, i, filters) {
    if (spec.type === "years") {
      var y0 = row[COL.y0], y1 = row[COL.y1];
      if (value[1] !== null && !(y0 !== null && y0 <= value[1])) { return false; }
      return value[0] === null || y1 === null || y1 >= value[0];
    }
    if (spec.type === "text") {
      var needle = fold(value, data.explorer.variants);
      return !needle || String(data.explorer.search[i] || "").indexOf(needle) >= 0;
    }
    var have = spec.type === "status" ? statusAsOf(data, row, i, filterValue(yearsSpec(data), filters)[1])
                                      : columnValue(data, row, i, spec.column);
    if (spec.list) { return have.some(function (h) { return value.indexOf(h) >= 0; }); }
    return value.indexOf(have) >= 0;
  }

  function yearsSpec(data) { return data.explorer.filters.filter(function (f) { return f.type === "years"; })[0] || {name: "years", type: "years"}; }

  // The rows that pass every active filter; `filters` holds values as geo.filters.Filters does (years as
  // [from, to] with null for an open end; see yearsValue).
  // The specs of the filters that restrict anything, in the registry's order.
  function activeFilters(data, filters) {
    return data.explorer.filters.filter(function (f) { return isActive(f, filterValue(f, filters)); });
  }

  function filterRows(data, filters) {
    var active = activeFilters(data, filters);
    return data.rows.filter(function (row, i) {
      return active.every(function (f) { return passes(data, f, filterValue(f, filters), row, i, filters); });
    });
  }

  // A year range as the filter holds it: an end at the data's bound restricts nothing, so it is null.
  function yearsValue(data, from, to) {
    var b = data.explorer.bounds;
    return [from <= b[0] ? null : from, to >= b[1] ? null : to];
  }

  function joinWords(items) {
    return items.length === 1 ? items[0] : items.slice(0, -1).join(", ") + " or " + items[items.length - 1];
  }

  function phrase(spec, value) {
    if (spec.type === "years") {
      if (value[0] !== null && value[1] !== null) { return "active " + value[0] + "\u2013" + value[1]; }
      return value[0] !== null ? "active in or after " + value[0] : "active in or before " + value[1];
    }
    if (spec.type === "text") { return "matching \u201c" + value + "\u201d"; }
    var names = value.map(function (v) { return spec.labels[v] === undefined ? v : spec.labels[v]; });
    if (spec.lower) { names = names.map(function (n) { return n.toLowerCase(); }); }
    return spec.phrase[names.length === 1 ? 0 : 1] + joinWords(names);
  }

  // As geo.filters.selection_sentence: "Showing 14 of 83 deployments: vendor Huawei, active 2014–2019".
  function sentence(data, filters, shown, total) {
    var ex = data.explorer, all = total === undefined ? data.rows.length : total;
    var noun = ex.noun[all === 1 ? 0 : 1];
    var phrases = activeFilters(data, filters).map(function (f) { return phrase(f, filterValue(f, filters)); });
    return "Showing " + shown + " of " + all + " " + noun + (phrases.length ? ": " + phrases.join(", ") : "");
  }

  // The snapshot explorer's filters and sentence.
  [["fold", fold], ["activeFilters", activeFilters], ["filterRows", filterRows], ["sentence", sentence], ["yearsValue", yearsValue], ["statusAsOf", statusAsOf]]
    .forEach(function (e) { root.Atlas[e[0]] = e[1]; });
  if (typeof module === "object" && module.exports) { module.exports = root.Atlas; }
})(typeof window !== "undefined" ? window : globalThis);
