/* Deployment markers, popups, legend, country shading and a fullscreen control for Leaflet.
   Shared by the Streamlit map and the standalone HTML snapshot. All record text is escaped here. */
(function (root) {
  "use strict";
  var ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "`": "&#96;", "$": "&#36;", "\\": "&#92;"};
  // Row columns, as geo/mapdata.py ROW_COLUMNS. The first MARKER_COLUMNS draw a marker; the Streamlit map
  // fetches the others in chunks when a popup needs them (detailsLoader, attachDetails).
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

  // The details (descriptions and sources) of rows start.. start + details.length - 1.
  function attachDetails(data, details, start) {
    var from = start || 0;
    details.forEach(function (extra, k) {
      var row = data.rows[from + k];
      if (row && !hasDetails(row)) { Array.prototype.push.apply(row, extra); }
    });
    return data;
  }

  // The Streamlit map fetches details in chunks of data.detailsChunk rows (files named by `urlTemplate`
  // with {chunk} replaced), each when a popup first needs a row of it: a page never downloads the
  // descriptions and sources of records nobody opens. Returns load(rowNumber) -> promise of the data.
  function detailsLoader(dataPromise, urlTemplate) {
    var pending = {};
    return function (i) {
      return Promise.resolve(dataPromise).then(function (data) {
        var size = data.detailsChunk || data.rows.length || 1, chunk = Math.floor(i / size);
        pending[chunk] = pending[chunk] || fetch(String(urlTemplate).replace("{chunk}", String(chunk)))
          .then(function (r) { if (!r.ok) { throw new Error("details " + chunk + ": HTTP " + r.status); } return r.json(); })
          .then(function (details) { return attachDetails(data, details, chunk * size); },
                function (error) { delete pending[chunk]; throw error; });
        return pending[chunk];
      });
    };
  }

  // Popup content once the row's details are there; until then a short notice that is replaced on arrival.
  function popupContent(row, data, i) {
    return function (layer) {
      if (hasDetails(row)) { return popupHtml(row, data); }
      (root.atlasLoadDetails ? root.atlasLoadDetails(i) : Promise.reject()).then(function () { layer.setPopupContent(popupHtml(row, data)); },
        function () { layer.setPopupContent('<div class="atlas-popup">' + esc(row[COL.name]) + ": details could not be loaded.</div>"); });
      return '<div class="atlas-popup">' + esc(row[COL.name]) + "<p>Loading details\u2026</p></div>";
    };
  }

  // A marker's shape: "policy" (the \u00a7 symbol) or a confidence (atlas.css draws each), in `colorValue`.
  function markerHtml(colorValue, style) {
    return style === "policy" ? '<div class="atlas-m atlas-k-policy" style="--c:' + esc(colorValue) + '">\u00a7</div>'
                              : '<div class="atlas-m atlas-c-' + esc(style) + '" style="--c:' + esc(colorValue) + '"></div>';
  }

  function markerIcon(Lf, row, data) {
    var style = isPolicy(row) ? "policy" : row[COL.confidence], key = color(row, data) + " " + style;
    data._icons = data._icons || {};
    if (!data._icons[key]) {
      data._icons[key] = Lf.divIcon({
        className: "atlas-icon", html: markerHtml(color(row, data), style),
        iconSize: [16, 16], iconAnchor: [8, 8], popupAnchor: [0, -8], tooltipAnchor: [8, 0]
      });
    }
    return data._icons[key];
  }

  // The icon element is made anew each time a marker joins the map (the cluster layer adds and removes them).
  function labelIcon(e) {
    var m = e.target;
    if (m._icon) { m._icon.setAttribute("aria-label", m.atlasLabel); }
  }

  // One record's marker: focusable (Tab) with an accessible name; Enter fires "click" (Leaflet's own keypress
  // handler). With `popups`, a click opens the record's popup; otherwise the page listens for the click.
  function marker(Lf, data, i, popups) {
    var row = data.rows[i];
    var m = Lf.marker([row[COL.lat], row[COL.lon]], {icon: markerIcon(Lf, row, data), keyboard: true});
    m.on("add", labelIcon);
    // Registered first, so every later listener (the page's click report) reads the record's own position,
    // also while the marker is spread out from a group at one point.
    m.on("click", function (e) { e.latlng = Lf.latLng(row[COL.lat], row[COL.lon]); });
    m.atlasId = row[COL.id];
    m.atlasColor = color(row, data);
    m.atlasLabel = tooltipText(row, data);
    m.bindTooltip(esc(m.atlasLabel), {className: "atlas-tip"});
    if (popups !== false) { m.bindPopup(popupContent(row, data, i), {maxWidth: 360, maxHeight: 320}); }
    return m;
  }

  // A cluster bubble in the vendors' colours: a ring split in proportion to its members' colours around the
  // count, plus words for screen readers ("cluster of 14 deployments"). `shares`: sortShares of its colours.
  function sortShares(counts, order) {
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

  function clusterIcon(Lf, n, shares) {
    var size = n < 10 ? "small" : (n < 100 ? "medium" : "large");
    var ring = shares && shares.length ? ' style="background:' + esc(ringGradient(shares)) + '"' : "";
    return Lf.divIcon({html: '<div class="atlas-ring"' + ring + '><span aria-hidden="true">' + n + '</span><span class="atlas-sr">cluster of ' + n +
                         (n === 1 ? " deployment" : " deployments") + ", press Enter to zoom in</span></div>",
                       className: "marker-cluster atlas-cluster atlas-cluster-" + size, iconSize: Lf.point(40, 40)});
  }

  // ---- Clustering. The selected records are grouped on a grid of CLUSTER_RADIUS-pixel cells, once per
  // selection and zoom level, and only the groups in view become Leaflet markers: a few hundred DOM nodes
  // however many records there are (Leaflet.markercluster built a marker per record and clustered every
  // zoom level up front, which took seconds at 100,000).
  var CLUSTER_RADIUS = 40;
  var MAX_LAT = 85.0511287798;

  // Web Mercator x, y in [0, 1] of every row, computed once per data.
  function projected(data) {
    if (data._xy) { return data._xy; }
    var n = data.rows.length, x = new Float64Array(n), y = new Float64Array(n);
    for (var i = 0; i < n; i++) {
      var row = data.rows[i], lat = Math.max(-MAX_LAT, Math.min(MAX_LAT, row[COL.lat]));
      var s = Math.sin(lat * Math.PI / 180);
      x[i] = (row[COL.lon] + 180) / 360;
      y[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
    }
    data._xy = {x: x, y: y};
    return data._xy;
  }

  // Grid cells per unit of Mercator x/y at `zoom`, and the cell of row i (one number: column * 1e8 + row).
  function gridScale(zoom, radius) { return 256 * Math.pow(2, zoom) / (radius || CLUSTER_RADIUS); }
  function cellOf(xy, i, scale) { return Math.floor(xy.x[i] * scale) * 1e8 + Math.floor(xy.y[i] * scale); }

  function rowColors(data) {
    if (!data._colors) { data._colors = data.rows.map(function (row) { return color(row, data); }); }
    return data._colors;
  }

  // The groups of `indices` (row numbers) at `zoom`: {n, lat, lon (mean), first (a member), cell, bounds,
  // colors (colour -> members)}. Members of one group share a grid cell of `radius` pixels at that zoom.
  function clusterRows(data, indices, zoom, radius) {
    var xy = projected(data), colors = rowColors(data), scale = gridScale(zoom, radius);
    var cells = new Map(), groups = [];
    for (var k = 0; k < indices.length; k++) {
      var i = indices[k], cell = cellOf(xy, i, scale), g = cells.get(cell);
      var row = data.rows[i], lat = row[COL.lat], lon = row[COL.lon], c = colors[i];
      if (!g) {
        g = {n: 0, lat: 0, lon: 0, first: i, cell: cell, south: lat, north: lat, west: lon, east: lon, colors: {}, order: []};
        cells.set(cell, g);
        groups.push(g);
      }
      g.n += 1; g.lat += lat; g.lon += lon;
      if (lat < g.south) { g.south = lat; } if (lat > g.north) { g.north = lat; }
      if (lon < g.west) { g.west = lon; } if (lon > g.east) { g.east = lon; }
      if (!g.colors[c]) { g.colors[c] = 0; g.order.push(c); }
      g.colors[c] += 1;
    }
    groups.forEach(function (g) { g.lat /= g.n; g.lon /= g.n; });
    return groups;
  }

  function groupMembers(data, indices, group, zoom, radius) {
    var xy = projected(data), scale = gridScale(zoom, radius);
    return indices.filter(function (i) { return cellOf(xy, i, scale) === group.cell; });
  }

  // Spread co-located records (or a cluster at the last zoom) around their centre, `step` pixels apart.
  function spiderOffsets(n) {
    var out = [];
    if (n <= 8) {
      for (var i = 0; i < n; i++) { var a = 2 * Math.PI * i / n - Math.PI / 2; out.push([Math.round(32 * Math.cos(a)), Math.round(32 * Math.sin(a))]); }
      return out;
    }
    for (var j = 0, angle = 0, leg = 11; j < n; j++) {  // a spiral for many members, 28 px between feet
      angle += 28 / leg + j * 0.0005;
      out.push([Math.round(leg * Math.cos(angle)), Math.round(leg * Math.sin(angle))]);
      leg += 10 * Math.PI / angle;
    }
    return out;
  }

  // A bubble (a non-interactive marker, so its click never reads as a record's) that handles its own click
  // and Enter with `open`, and is a focusable button for keyboard users.
  function liveBubble(Lf, bubble, open) {
    bubble.on("add", function () {
      var el = bubble._icon;
      if (!el) { return; }
      el.classList.add("atlas-cluster-live");
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "button");
      Lf.DomEvent.disableClickPropagation(el);
      Lf.DomEvent.on(el, "click", open);
      Lf.DomEvent.on(el, "keydown", function (e) { if (e.keyCode === 13) { Lf.DomEvent.preventDefault(e); open(); } });
    });
    return bubble;
  }

  // The layer that shows one selection of `data.rows`, clustered. It is an L.FeatureGroup of the record
  // markers in view (their clicks reach the page, as folium's markers do); the cluster bubbles sit in a
  // plain L.LayerGroup inside it, so a click on a bubble zooms the map and never reads as a record's click.
  // getLayers() lists every record of the selection ({atlasId, atlasRow}), on screen or not.
  function clusterLayerClass(Lf) {
    if (Lf.AtlasClusterLayer) { return Lf.AtlasClusterLayer; }
    Lf.AtlasClusterLayer = Lf.FeatureGroup.extend({
      initialize: function (data, options) {
        Lf.FeatureGroup.prototype.initialize.call(this, []);
        this.atlasData = data;
        this.atlasOptions = options || {};
        this._atlasIndices = [];
        this._atlasByZoom = {};
        this._atlasMarkers = {};
        this._atlasShown = {};
        this._atlasSpider = null;
        this._atlasBubbles = Lf.layerGroup();
        Lf.FeatureGroup.prototype.addLayer.call(this, this._atlasBubbles);
      },
      setRows: function (indices) {
        this._atlasIndices = indices;
        this._atlasByZoom = {};
        this._unspider();
        if (this._map) { this._atlasRedraw(); }
        return this;
      },
      getLayers: function () {
        var rows = this.atlasData.rows;
        return this._atlasIndices.map(function (i) { return {atlasId: rows[i][COL.id], atlasRow: i}; });
      },
      onAdd: function (map) {
        Lf.FeatureGroup.prototype.onAdd.call(this, map);
        map.on("zoomstart", this._unspider, this);
        map.on("moveend", this._atlasRedraw, this);
        this._atlasRedraw();
      },
      onRemove: function (map) {
        map.off("zoomstart", this._unspider, this);
        map.off("moveend", this._atlasRedraw, this);
        this._clearShown();
        Lf.FeatureGroup.prototype.onRemove.call(this, map);
      },
      groupsAt: function (zoom) {
        var z = Math.round(zoom);
        if (!this._atlasByZoom[z]) { this._atlasByZoom[z] = clusterRows(this.atlasData, this._atlasIndices, z); }
        return this._atlasByZoom[z];
      },
      _markerFor: function (i) {
        if (!this._atlasMarkers[i]) { this._atlasMarkers[i] = marker(Lf, this.atlasData, i, this.atlasOptions.popups); }
        return this._atlasMarkers[i];
      },
      _clearShown: function () {
        var shown = this._atlasShown;
        for (var key in shown) { this._hide(key, shown[key]); }
        this._atlasShown = {};
      },
      _hide: function (key, layer) {
        if (key.charAt(0) === "c") { this._atlasBubbles.removeLayer(layer); } else { Lf.FeatureGroup.prototype.removeLayer.call(this, layer); }
      },
      _show: function (key, make) {
        var next = this._atlasNext;
        if (this._atlasShown[key]) { next[key] = this._atlasShown[key]; delete this._atlasShown[key]; return; }
        var layer = make.call(this);
        next[key] = layer;
        if (key.charAt(0) === "c") { this._atlasBubbles.addLayer(layer); } else { Lf.FeatureGroup.prototype.addLayer.call(this, layer); }
      },
      // Draw the groups in view (and half a screen around it), reusing what is already on the map.
      _atlasRedraw: function () {
        var map = this._map;
        if (!map) { return; }
        var zoom = Math.round(map.getZoom()), view = map.getBounds().pad(0.5), self = this, spider = this._atlasSpider;
        var south = view.getSouth(), north = view.getNorth(), west = view.getWest(), east = view.getEast(), wide = east - west >= 360;
        this._atlasNext = {};
        this.groupsAt(zoom).forEach(function (g) {
          if (g.lat < south || g.lat > north || (!wide && (g.lon < west || g.lon > east))) { return; }
          if (g.n === 1) { self._show("r" + g.first, function () { return self._markerFor(g.first); }); return; }
          if (spider && spider.zoom === zoom && spider.cell === g.cell) {
            spider.members.forEach(function (i) { self._show("r" + i, function () { return self._markerFor(i); }); });
            self._show("cs" + g.cell, function () { return spider.legs; });
            return;
          }
          self._show("c" + zoom + ":" + g.cell + ":" + g.n, function () { return self._bubble(g, zoom); });
        });
        this._clearShown();
        this._atlasShown = this._atlasNext;
        this._atlasNext = null;
      },
      _bubble: function (g, zoom) {
        var self = this, bubble = Lf.marker([g.lat, g.lon], {icon: clusterIcon(Lf, g.n, sortShares(g.colors, g.order.slice())), interactive: false, keyboard: false});
        bubble.atlasGroup = g;
        return liveBubble(Lf, bubble, function () { self.openGroup(g, zoom); });
      },
      // A click on a bubble zooms in to its members; members that share one point (or at the last zoom)
      // are spread around it instead, each its own marker.
      openGroup: function (g, zoom) {
        var map = this._map;
        if (!map) { return; }
        var samePoint = g.south === g.north && g.west === g.east;
        if (!samePoint && map.getZoom() < map.getMaxZoom()) {
          map.fitBounds(Lf.latLngBounds([g.south, g.west], [g.north, g.east]), {padding: [40, 40], maxZoom: map.getMaxZoom()});
          return;
        }
        this.spiderfy(g, zoom);
      },
      spiderfy: function (g, zoom) {
        var map = this._map, self = this;
        this._unspider();
        var members = groupMembers(this.atlasData, this._atlasIndices, g, zoom), center = map.latLngToLayerPoint([g.lat, g.lon]);
        var offsets = spiderOffsets(members.length), legs = Lf.layerGroup();
        members.forEach(function (i, k) {
          var at = map.layerPointToLatLng(center.add(Lf.point(offsets[k][0], offsets[k][1])));
          self._markerFor(i).setLatLng(at);
          legs.addLayer(Lf.polyline([[g.lat, g.lon], at], {color: "#222", weight: 1, opacity: 0.6, interactive: false}));
        });
        this._atlasSpider = {zoom: zoom, cell: g.cell, members: members, legs: legs};
        this._atlasRedraw();
      },
      _unspider: function () {
        var spider = this._atlasSpider, rows = this.atlasData.rows, markersByRow = this._atlasMarkers;
        if (!spider) { return; }
        this._atlasSpider = null;
        spider.members.forEach(function (i) { if (markersByRow[i]) { markersByRow[i].setLatLng([rows[i][COL.lat], rows[i][COL.lon]]); } });
        if (this._map) { this._atlasRedraw(); }
      }
    });
    return Lf.AtlasClusterLayer;
  }

  function clusterLayer(Lf, data, options) {
    var Layer = clusterLayerClass(Lf);
    return new Layer(data, options);
  }

  // The Streamlit map: one cluster layer per data version, reused, so a filter change only swaps which rows
  // it holds. It joins `group` (the feature group streamlit-folium swaps in) on each change. When all the
  // details fit in one chunk, they are fetched once the markers are on screen, so popups open at once.
  function showRows(Lf, data, indices, group, loadDetails) {
    if (!data._layer) { data._layer = clusterLayer(Lf, data); }
    var layer = data._layer;
    if (layer._map) { layer.remove(); }
    layer.setRows(indices);
    group.addLayer(layer);
    if (loadDetails && data.rows.length && data.rows.length <= (data.detailsChunk || Infinity)) {
      afterNextPaint(function () { loadDetails(0).catch(function () { /* a popup asks again */ }); });
    }
    return layer;
  }

  function afterNextPaint(callback) {
    requestAnimationFrame(function () { setTimeout(callback, 0); });
  }

  // The row numbers set in a bitset (geo/mapdata.py rows_bitset: base64, bit i % 8 of byte i // 8 is row i).
  function rowsFromBitset(text) {
    var bytes = typeof atob === "function" ? atob(text) : Buffer.from(text, "base64").toString("latin1"), out = [];
    for (var b = 0; b < bytes.length; b++) {
      var byte = bytes.charCodeAt(b);
      for (var bit = 0; byte && bit < 8; bit++, byte >>= 1) { if (byte & 1) { out.push(b * 8 + bit); } }
    }
    return out;
  }

  // The row numbers of `rows` (row arrays of data.rows).
  function rowIndices(data, rows) {
    if (!data._rowIndex) { data._rowIndex = new Map(data.rows.map(function (r, i) { return [r, i]; })); }
    return rows.map(function (r) { return data._rowIndex.get(r); });
  }

  // The snapshot file's layer (records open in its side panel, so no popups); added to `map`.
  function deploymentLayer(Lf, data, rows, map, options) {
    var layer = clusterLayer(Lf, data, options || {popups: false});
    layer.setRows(rowIndices(data, rows || data.rows));
    if (map) { layer.addTo(map); }
    return layer;
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
    root.atlasShadingBins = countBins(maxCount(counts));
    root.atlasShadingTitle = layerName;
    // The country outlines are drawn only while the shading is on: built now, or when the reader turns it on.
    var build = function () {
      if (!group.atlasShadingLayer) {
        group.atlasShadingLayer = countryLayer(Lf, geojson, counts, names);
        group.addLayer(group.atlasShadingLayer);
      }
      root.atlasShading = group.atlasShadingLayer;
    };
    root.atlasShading = null;
    if (root.atlasShadingOn) {
      build();
    } else {
      group.on("add", build);
      setTimeout(function () { map.removeLayer(group); }, 0);
    }
    updateShadingLegend(Lf, map);
    return group;
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
    var shapes = data.labels ? "<b>Confidence</b>" + Object.keys(data.labels.confidence).map(function (c) {
      return '<div><span class="atlas-m atlas-c-' + c + '" style="--c:#555;display:inline-block;vertical-align:middle"></span> ' + esc(data.labels.confidence[c]) + "</div>";
    }).join("") : "";
    var policy = data.hasPolicies ? "<b>Kind</b><div>" + '<span class="atlas-m atlas-k-policy" style="--c:' + POLICY_COLOR +
      ';display:inline-block;vertical-align:middle">\u00a7</span> ' + esc((data.labels.kind || {}).policy || "Policy") + "</div>" : "";
    return '<div class="atlas-legend"><b>Vendor</b>' + items + shapes + policy + "</div>";
  }

  // Collapsible: open on a wide map, closed on a narrow one (a phone), then as the reader last left it.
  function legendOpen(map) {
    if (typeof root.atlasLegendOpen === "boolean") { return root.atlasLegendOpen; }
    return !map || map.getSize().x >= NARROW_MAP;
  }

  function legendControl(Lf, data, entries) {
    var control = Lf.control({position: "bottomleft"});
    control.onAdd = function (map) {
      var div = Lf.DomUtil.create("div", "leaflet-control atlas-legend-box"), open = legendOpen(map);
      div.innerHTML = '<details class="atlas-legend-toggle"' + (open ? " open" : "") + "><summary>Legend</summary>" +
        legendHtml(data, entries || data.legend) + "</details>";
      // A <details> made open fires "toggle" once by itself; only the reader's toggle refits the map.
      div.firstChild.addEventListener("toggle", function () {
        if (div.firstChild.open === open) { return; }
        open = root.atlasLegendOpen = div.firstChild.open;
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

  // Until Leaflet's stylesheet applies, the controls sit one under the other outside the map and cannot be
  // measured (the records can arrive first): the fit then waits for it.
  function controlsLaidOut(map) {
    var corner = map.getContainer().querySelector(".leaflet-top");
    return !corner || !root.getComputedStyle || root.getComputedStyle(corner).position === "absolute";
  }

  function fitToRows(Lf, map, rows, keepView, unmeasured) {
    watchReaderMoves(Lf, map);
    if (keepView) { map.atlasReaderMoved = true; }
    map.atlasFitRows = rows;
    var size = map.getSize();
    if (map.atlasReaderMoved || !rows.length || size.x < 100 || size.y < 100) { return false; }
    if (!unmeasured && !controlsLaidOut(map)) {
      if (!map.atlasFitWaiting) {  // look again every 50 ms, for at most 10 s
        map.atlasFitWaiting = true;
        var tries = 0, retry = function () {
          if (!controlsLaidOut(map) && ++tries < 200) { setTimeout(retry, 50); return; }
          map.atlasFitWaiting = false;
          fitToRows(Lf, map, map.atlasFitRows, false, true);
        };
        setTimeout(retry, 50);
      }
      return false;
    }
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

  // ---- Large datasets (geo/aggregate.py): the server counts the selection on a grid that follows the view
  // and sends `summary`: either cells ([lat, lon, count, [[colour code, count], ...], south, west, north,
  // east]) or, once few enough records are in view, the records ([lat, lon, colour code, position, label]).
  // `colors`: the colour of each code. Cells are bubbles like the clusters' (a click zooms in to their
  // records); records are markers whose clicks reach the page, which opens the record at that position.
  function pointIcon(Lf, colorValue, style) {
    return Lf.divIcon({className: "atlas-icon", html: markerHtml(colorValue, style),
                       iconSize: [16, 16], iconAnchor: [8, 8], tooltipAnchor: [8, 0]});
  }

  function cellBubble(Lf, map, cell, colors) {
    var shares = cell[3].map(function (s) { return {color: colors[s[0]], count: s[1]}; });
    var bubble = Lf.marker([cell[0], cell[1]], {icon: clusterIcon(Lf, cell[2], shares), interactive: false, keyboard: false});
    var zoomIn = function () {
      if (cell[4] === cell[6] && cell[5] === cell[7]) { map.setView([cell[0], cell[1]], Math.min(map.getZoom() + 2, map.getMaxZoom())); return; }
      map.fitBounds(Lf.latLngBounds([cell[4], cell[5]], [cell[6], cell[7]]), {padding: [40, 40], maxZoom: map.getMaxZoom()});
    };
    return liveBubble(Lf, bubble, zoomIn);
  }

  // `styles`: the marker style of each style code (geo/aggregate.py MARKER_STYLES).
  function summaryLayer(Lf, map, summary, colors, styles) {
    var layer = Lf.featureGroup(), bubbles = Lf.layerGroup(), icons = {};
    layer.addLayer(bubbles);
    (summary.cells || []).forEach(function (cell) { bubbles.addLayer(cellBubble(Lf, map, cell, colors)); });
    (summary.points || []).forEach(function (p) {
      var c = colors[p[2]], style = styles ? styles[p[5] || 0] : "", key = c + " " + style;
      if (!icons[key]) { icons[key] = pointIcon(Lf, c, style); }
      var m = Lf.marker([p[0], p[1]], {icon: icons[key], keyboard: true});
      m.atlasPosition = p[3];
      m.atlasLabel = String(p[4]);
      m.on("add", labelIcon);
      m.bindTooltip(esc(p[4]), {className: "atlas-tip"});
      layer.addLayer(m);
    });
    return layer;
  }

  // Swap the previous summary for this one in `group` (the feature group streamlit-folium swaps in).
  function showSummary(Lf, map, group, summary, colors, styles) {
    var layer = summaryLayer(Lf, map, summary, colors, styles);
    group.addLayer(layer);
    root.atlasSummary = {zoom: summary.zoom, selected: summary.selected, total: summary.total, cells: (summary.cells || []).length,
                         points: (summary.points || []).length, drawn: (root.atlasSummary ? root.atlasSummary.drawn : 0) + 1};
    return layer;
  }

  root.Atlas = {esc: esc, summaryLayer: summaryLayer, showSummary: showSummary, COL: COL, clusterIcon: clusterIcon, sortShares: sortShares, ringGradient: ringGradient, attachDetails: attachDetails, tooltipText: tooltipText, popupHtml: popupHtml, deploymentLayer: deploymentLayer, showRows: showRows,
                countryLayer: countryLayer, countBins: countBins, binOf: binOf, shadingLegendHtml: shadingLegendHtml,
                showShading: showShading, outlineLayer: outlineLayer, legendControl: legendControl,
                fullscreenControl: fullscreenControl, years: years, fitToRows: fitToRows, controlPadding: controlPadding};
  // Offline place names and the tile notice (kept on their own lines so the list above stays as it was).
  root.Atlas.labelsForZoom = labelsForZoom; root.Atlas.placeLabelLayer = placeLabelLayer;
  root.Atlas.clusterRows = clusterRows; root.Atlas.spiderOffsets = spiderOffsets; root.Atlas.rowIndices = rowIndices; root.Atlas.rowsFromBitset = rowsFromBitset;
  root.Atlas.clusterLayer = clusterLayer; root.Atlas.detailsLoader = detailsLoader;
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
