// Unit tests of the map's shared script (node --test geo/web/tests).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const Atlas = require("../atlas.js");

test("esc makes record text inert in HTML and in JavaScript template literals", () => {
  assert.equal(Atlas.esc('<img src=x onerror="a()">${x}`\\'), "&lt;img src=x onerror=&quot;a()&quot;&gt;&#36;{x}&#96;&#92;");
  assert.equal(Atlas.esc(null), "");
});

test("count classes start at 1, end at the largest count and do not overlap", () => {
  assert.deepEqual(Atlas.countBins(2).map((b) => b.label), ["1", "2"]);
  assert.deepEqual(Atlas.countBins(38).map((b) => b.label), ["1", "2\u20134", "5\u20139", "10\u201319", "20\u201338"]);
  for (const max of [1, 3, 7, 99, 1000, 123456]) {
    const bins = Atlas.countBins(max);
    assert.ok(bins.length >= 1 && bins.length <= 6, `${max}: ${bins.length} classes`);
    assert.equal(bins[0].from, 1);
    assert.equal(bins[bins.length - 1].to, max);
    bins.slice(1).forEach((b, i) => assert.equal(b.from, bins[i].to + 1));
    assert.equal(new Set(bins.map((b) => b.color)).size, bins.length, "each class has its own colour");
  }
  assert.deepEqual(Atlas.countBins(0), []);
});

test("every count falls in the class that contains it", () => {
  const bins = Atlas.countBins(38);
  for (const n of [1, 2, 4, 5, 19, 20, 38]) {
    const bin = Atlas.binOf(n, bins);
    assert.ok(bin.from <= n && n <= bin.to, `${n} in ${bin.label}`);
  }
});

test("the shading legend escapes its title and lists each class", () => {
  const html = Atlas.shadingLegendHtml(Atlas.countBins(5), "<b>x</b>");
  assert.ok(html.includes("&lt;b&gt;x&lt;/b&gt;"));
  assert.equal((html.match(/atlas-box/g) || []).length, 3);
});

function policyRow() {
  const C = Atlas.COL, row = [];
  row[C.id] = "us-x-ban"; row[C.lat] = 1; row[C.lon] = 2; row[C.name] = "City ban <b>"; row[C.vendors] = [];
  row[C.y0] = 2019; row[C.y1] = null; row[C.confidence] = "documented"; row[C.kind] = "policy";
  row[C.place] = "X"; row[C.country] = "US"; row[C.operator] = ""; row[C.status] = "operational"; row[C.sectors] = ["policing"];
  row[C.cameras] = null; row[C.description] = "Bans it."; row[C.precision] = "city";
  row[C.sources] = [["Council", "Ordinance", "2019", "https://example.org/o", "Banned.", "primary"]];
  return row;
}
const DATA = {vendors: [], countries: {US: "United States"}, fields: [["kind", "Kind"], ["place", "Place"], ["years", "Years"]],
  labels: {status: {operational: "Operational"}, confidence: {documented: "Documented"}, sector: {policing: "Policing"},
           precision: {city: "City"}, kind: {policy: "Policy (ban, ruling, decision)"}}};

test("a policy that names no vendor gets a tooltip and a popup that say what it is", () => {
  const row = policyRow();
  assert.equal(Atlas.tooltipText(row, DATA), "City ban <b> \u00b7 since 2019");
  const html = Atlas.popupHtml(row, DATA);
  assert.ok(html.includes("<th>Kind</th><td>Policy (ban, ruling, decision)</td>"));
  assert.ok(html.includes("City ban &lt;b&gt;") && !html.includes("<b>"));
});

test("a cluster bubble shows its count and tells screen readers what it is", () => {
  const fakeLeaflet = {divIcon: (options) => options, point: (x, y) => [x, y]};
  const icon = Atlas.clusterIcon(fakeLeaflet, 14, []);
  assert.match(icon.html, /<span aria-hidden="true">14<\/span>/);
  assert.match(icon.html, /cluster of 14 deployments/);
  assert.equal(icon.className, "marker-cluster atlas-cluster atlas-cluster-medium");
  assert.match(Atlas.clusterIcon(fakeLeaflet, 1, []).html, /cluster of 1 deployment,/);
});

test("a cluster's ring shows its members' vendor colours in proportion, largest share first", () => {
  const fakeLeaflet = {divIcon: (options) => options, point: (x, y) => [x, y]};
  const shares = Atlas.sortShares({"#E69F00": 1, "#0072B2": 3}, ["#E69F00", "#0072B2"]);
  assert.deepEqual(shares, [{color: "#0072B2", count: 3}, {color: "#E69F00", count: 1}]);
  const icon = Atlas.clusterIcon(fakeLeaflet, 4, shares);
  assert.ok(icon.html.includes("conic-gradient(#0072B2 0.0deg 270.0deg, #E69F00 270.0deg 360.0deg)"), icon.html);
  assert.equal(icon.className, "marker-cluster atlas-cluster atlas-cluster-small");
});

function pointData(points) {
  const C = Atlas.COL;
  const vendors = [{id: "a", name: "A", color: "#0072B2"}, {id: "b", name: "B", color: "#E69F00"}];
  const rows = points.map(([lat, lon, vendor], i) => {
    const row = [];
    row[C.id] = "r" + i; row[C.lat] = lat; row[C.lon] = lon; row[C.name] = "R" + i; row[C.vendors] = [vendor];
    row[C.y0] = 2020; row[C.y1] = null; row[C.confidence] = "reported"; row[C.kind] = "deployment";
    return row;
  });
  return {vendors, rows};
}

test("clusters: every selected record is in exactly one group, with its colour counted", () => {
  // Two records in Paris, one in Lyon, one in Nairobi, one (not selected) in Tokyo.
  const data = pointData([[48.85, 2.35, 0], [48.86, 2.36, 1], [45.76, 4.84, 0], [-1.29, 36.82, 1], [35.68, 139.69, 0]]);
  const selected = [0, 1, 2, 3];
  for (const zoom of [0, 2, 5, 8, 12, 18]) {
    const groups = Atlas.clusterRows(data, selected, zoom);
    assert.equal(groups.reduce((n, g) => n + g.n, 0), 4, `zoom ${zoom}`);
    groups.forEach((g) => assert.equal(Object.values(g.colors).reduce((a, b) => a + b, 0), g.n));
  }
  const world = Atlas.clusterRows(data, selected, 0);
  assert.ok(world.length <= 2, "at zoom 0 Europe is one bubble");
  const close = Atlas.clusterRows(data, selected, 12);
  assert.equal(close.length, 4, "at zoom 12 every record stands alone");
  assert.deepEqual(close.map((g) => g.first).sort(), [0, 1, 2, 3]);
  const paris = Atlas.clusterRows(data, [0, 1], 6)[0];
  assert.equal(paris.n, 2);
  assert.ok(paris.lat > 48.85 && paris.lat < 48.86 && paris.south === 48.85 && paris.north === 48.86);
  assert.deepEqual(paris.colors, {"#0072B2": 1, "#E69F00": 1});
});

test("clusters: a selection of many records groups quickly into few bubbles at the world view", () => {
  const points = [];
  for (let i = 0; i < 100000; i++) { points.push([-60 + (i * 7919 % 12000) / 100, -180 + (i * 104729 % 36000) / 100, i % 2]); }
  const data = pointData(points);
  const all = points.map((p, i) => i);
  const started = Date.now();
  const groups = Atlas.clusterRows(data, all, 2);
  assert.ok(Date.now() - started < 2000, "100,000 records cluster in well under two seconds");
  assert.equal(groups.reduce((n, g) => n + g.n, 0), 100000);
  assert.ok(groups.length < 700, `${groups.length} bubbles at zoom 2`);
});

test("records at one point spread around it without overlapping", () => {
  for (const n of [2, 5, 8, 9, 40]) {
    const offsets = Atlas.spiderOffsets(n);
    assert.equal(offsets.length, n);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const d = Math.hypot(offsets[i][0] - offsets[j][0], offsets[i][1] - offsets[j][1]);
        assert.ok(d >= 16, `${n} members: ${i} and ${j} are ${d.toFixed(1)} px apart`);
      }
    }
  }
});

test("row numbers of filtered rows", () => {
  const data = pointData([[1, 1, 0], [2, 2, 0], [3, 3, 1]]);
  assert.deepEqual(Atlas.rowIndices(data, [data.rows[2], data.rows[0]]), [2, 0]);
});

const PLACES = {
  countries: [["Bigland", 10, 10, 2], ["Midland", 20, 20, 3], ["Tinyland", 30, 30, 5]],
  cities: [["Megacity", 11, 11, 4], ["Capital", 12, 12, 5], ["Town", 13, 13, 7]],
  attribution: "Place names: test"
};

test("the world view names only large countries; cities appear as the reader zooms in", () => {
  const names = (zoom) => Atlas.labelsForZoom(PLACES, zoom).map((l) => l.name);
  assert.deepEqual(names(1), []);
  assert.deepEqual(names(2), ["Bigland"]);
  assert.deepEqual(names(3), ["Bigland", "Midland"]);
  assert.deepEqual(names(4), ["Bigland", "Midland", "Megacity"]);
  assert.deepEqual(names(5), ["Bigland", "Midland", "Tinyland", "Megacity", "Capital"]);
  assert.deepEqual(names(7).length, 6);
  const town = Atlas.labelsForZoom(PLACES, 7).find((l) => l.name === "Town");
  assert.deepEqual(town, {kind: "cities", name: "Town", lat: 13, lon: 13});
  assert.deepEqual(Atlas.labelsForZoom({countries: [["No zoom", 0, 0, null]]}, 18), []);
});

// Just enough of Leaflet for the tile notice: a control added to and removed from a map, and a tile layer's events.
function fakeLeaflet() {
  const map = {controls: [], addControl(c) { this.controls.push(c); }, removeControl(c) { this.controls.splice(this.controls.indexOf(c), 1); }};
  const handlers = {};
  const tiles = {on(name, fn) { (handlers[name] = handlers[name] || []).push(fn); }, fire(name) { (handlers[name] || []).forEach((fn) => fn()); }};
  const Lf = {
    control() { return {addTo(m) { this.div = this.onAdd(m); m.addControl(this); return this; }}; },
    DomUtil: {create(tag, className) { return {tag, className, attributes: {}, setAttribute(k, v) { this.attributes[k] = v; }}; }}
  };
  return {Lf, map, tiles};
}

test("a notice shows when several tiles fail and goes when a tile loads or the tiles are switched off", () => {
  const {Lf, map, tiles} = fakeLeaflet();
  Atlas.tileNotice(Lf, map, tiles);
  tiles.fire("tileerror");
  tiles.fire("tileerror");
  assert.equal(map.controls.length, 0, "two failures may be a flaky tile");
  tiles.fire("tileerror");
  assert.equal(map.controls.length, 1);
  assert.equal(map.controls[0].div.textContent, Atlas.TILE_NOTICE_TEXT);
  assert.match(Atlas.TILE_NOTICE_TEXT, /could not be loaded/);
  assert.equal(map.controls[0].div.attributes.role, "status");
  tiles.fire("tileerror");
  assert.equal(map.controls.length, 1, "shown once");
  tiles.fire("tileload");
  assert.equal(map.controls.length, 0);
  ["tileerror", "tileerror", "tileerror"].forEach((e) => tiles.fire(e));
  assert.equal(map.controls.length, 1);
  tiles.fire("remove");
  assert.equal(map.controls.length, 0);
});

// A small explorer payload as geo/explorer.py writes it: two vendors, a record whose status changed, years.
function explorerData() {
  const C = Atlas.COL;
  const row = (id, vendors, country, y0, y1, status, sectors, confidence) => {
    const r = [];
    r[C.id] = id; r[C.lat] = 0; r[C.lon] = 0; r[C.name] = id; r[C.vendors] = vendors; r[C.y0] = y0; r[C.y1] = y1;
    r[C.confidence] = confidence; r[C.kind] = "deployment"; r[C.place] = "P"; r[C.country] = country; r[C.operator] = "";
    r[C.status] = status; r[C.sectors] = sectors; r[C.cameras] = null; r[C.description] = ""; r[C.precision] = "city"; r[C.sources] = [];
    return r;
  };
  const choice = (name, type, column, list, phrase, lower, labels) =>
    ({name, type, label: name, column, list, phrase, lower, options: Object.keys(labels), labels});
  return {
    vendors: [{id: "acme", name: "Acme"}, {id: "bolt", name: "Bolt"}],
    rows: [
      row("metro", [0], "AA", 2012, 2016, "stopped", ["transport"], "reported"),
      row("airport", [0, 1], "AA", 2018, null, "operational", ["airport-border"], "documented"),
      row("pay", [1], "BB", 2019, null, "operational", ["retail-payments"], "reported"),
    ],
    explorer: {
      filters: [
        choice("vendors", "choice", "vendors", true, ["vendor ", "vendors "], false, {acme: "Acme", bolt: "Bolt"}),
        choice("vendor_countries", "choice", "vendor_countries", true, ["vendors based in ", "vendors based in "], false, {AA: "Aland"}),
        choice("countries", "choice", "country", false, ["in ", "in "], false, {AA: "Aland", BB: "Bland"}),
        choice("sectors", "choice", "sectors", true, ["sector ", "sector "], true, {transport: "Transport", "retail-payments": "Retail / payments"}),
        choice("statuses", "status", "status", false, ["status ", "status "], true, {announced: "Announced", operational: "Operational", stopped: "Stopped"}),
        choice("confidences", "choice", "confidence", false, ["confidence ", "confidence "], true, {documented: "Documented", reported: "Reported"}),
        {name: "text", type: "text", label: "Search"},
        {name: "years", type: "years", label: "Active in years"},
      ],
      values: {}, bounds: [2012, 2026], noun: ["deployment", "deployments"], variants: {moskva: "moscow"},
      search: ["metro | moscow | acme", "airport gates | zurich", "face pay | urumqi"],
      homes: {"1": ["AA"]},
      history: {"2": [[2019, "announced"], [2021, "operational"]]},
    },
  };
}
const ids = (rows) => rows.map((r) => r[Atlas.COL.id]);

test("the explorer's filters select what the app's would", () => {
  const d = explorerData();
  assert.deepEqual(ids(Atlas.filterRows(d, {})), ["metro", "airport", "pay"]);
  assert.deepEqual(ids(Atlas.filterRows(d, {vendors: ["bolt"]})), ["airport", "pay"], "any of a record's vendors");
  assert.deepEqual(ids(Atlas.filterRows(d, {vendor_countries: ["AA"]})), ["airport"]);
  assert.deepEqual(ids(Atlas.filterRows(d, {countries: ["BB"], vendors: ["bolt"]})), ["pay"]);
  assert.deepEqual(ids(Atlas.filterRows(d, {sectors: ["transport", "retail-payments"]})), ["metro", "pay"]);
  assert.deepEqual(ids(Atlas.filterRows(d, {confidences: ["documented"]})), ["airport"]);
});

test("years select what was active in the range: started by its end, not ended before its start", () => {
  const d = explorerData();
  assert.deepEqual(ids(Atlas.filterRows(d, {years: [2017, null]})), ["airport", "pay"]);
  assert.deepEqual(ids(Atlas.filterRows(d, {years: [2014, 2015]})), ["metro"]);
  assert.deepEqual(ids(Atlas.filterRows(d, {years: [null, 2018]})), ["metro", "airport"]);
  assert.deepEqual(Atlas.yearsValue(d, 2012, 2026), [null, null], "a range at the data's bounds restricts nothing");
  assert.deepEqual(Atlas.yearsValue(d, 2014, 2020), [2014, 2020]);
});

test("the status filter reads the status as of the range's last year", () => {
  const d = explorerData();
  assert.deepEqual(ids(Atlas.filterRows(d, {statuses: ["announced"], years: [null, 2020]})), ["pay"]);
  assert.deepEqual(ids(Atlas.filterRows(d, {statuses: ["operational"], years: [null, 2020]})), ["airport"]);
  assert.deepEqual(ids(Atlas.filterRows(d, {statuses: ["operational"]})), ["airport", "pay"]);
});

test("search ignores case, accents and alternative spellings", () => {
  const d = explorerData();
  assert.equal(Atlas.fold("  Ürümqi   MOSKVA ", d.explorer.variants), "urumqi moscow");
  assert.deepEqual(ids(Atlas.filterRows(d, {text: "Moskva"})), ["metro"]);
  assert.deepEqual(ids(Atlas.filterRows(d, {text: "ÜRÜMQI"})), ["pay"]);
  assert.deepEqual(ids(Atlas.filterRows(d, {text: "  "})), ["metro", "airport", "pay"]);
});

test("the sentence names each active filter in the registry's order, as the app does", () => {
  const d = explorerData();
  assert.equal(Atlas.sentence(d, {}, 3), "Showing 3 of 3 deployments");
  assert.equal(
    Atlas.sentence(d, {years: [2014, 2019], sectors: ["retail-payments"], vendors: ["acme", "bolt"], text: " pay "}, 1),
    "Showing 1 of 3 deployments: vendors Acme or Bolt, sector retail / payments, matching \u201cpay\u201d, active 2014\u20132019");
  assert.equal(Atlas.sentence(d, {years: [2015, null], countries: ["AA", "BB", "ZZ"]}, 2),
    "Showing 2 of 3 deployments: in Aland, Bland or ZZ, active in or after 2015");
  assert.equal(Atlas.sentence(d, {years: [null, 2015]}, 1), "Showing 1 of 3 deployments: active in or before 2015");
});

test("the visible rows arrive as a bitset: row i is bit i % 8 of byte i // 8", () => {
  // Rows 0, 3, 8 and 17 of 20: bytes 0b00001001, 0b00000001, 0b00000010.
  const text = Buffer.from([0b00001001, 0b00000001, 0b00000010]).toString("base64");
  assert.deepEqual(Atlas.rowsFromBitset(text), [0, 3, 8, 17]);
  assert.deepEqual(Atlas.rowsFromBitset(""), []);
});

// A stand-in for the few Leaflet calls summaryLayer makes: layers that list what was added to them.
function summaryLeaflet() {
  const group = () => ({layers: [], addLayer(l) { this.layers.push(l); return this; }});
  const marker = (latlng, options) => ({
    latlng, options, handlers: {}, tooltip: null,
    on(name, f) { this.handlers[name] = f; return this; },
    bindTooltip(text) { this.tooltip = text; return this; }
  });
  return {divIcon: (options) => options, point: (x, y) => [x, y], featureGroup: group, layerGroup: group, marker,
          latLngBounds: (a, b) => [a, b], DomEvent: {on() {}, disableClickPropagation() {}, preventDefault() {}}};
}

test("a large dataset's summary draws its cells as counted bubbles in the vendors' colours", () => {
  const Lf = summaryLeaflet();
  const summary = {zoom: 3, selected: 9, total: 7, cells: [[10, 20, 7, [[1, 5], [0, 2]], 9, 19, 11, 21]]};
  const layer = Atlas.summaryLayer(Lf, {}, summary, ["#111111", "#222222"]);
  const bubbles = layer.layers[0].layers;
  assert.equal(bubbles.length, 1);
  assert.deepEqual(bubbles[0].latlng, [10, 20]);
  assert.equal(bubbles[0].options.interactive, false, "a bubble's click zooms in and is not a record's click");
  assert.match(bubbles[0].options.icon.html, /cluster of 7 deployments/);
  assert.match(bubbles[0].options.icon.html, /#222222 0\.0deg 257\.1deg, #111111 257\.1deg 360\.0deg/);
  assert.equal(layer.layers.length, 1, "no record markers while the view holds cells");
});

test("a large dataset's records are markers whose position the page can match, with escaped names", () => {
  const Lf = summaryLeaflet();
  const summary = {zoom: 12, selected: 2, total: 2, points: [[48.8, 2.3, 0, 17, '<b onmouseover="x()">${a}`</b>'], [48.9, 2.4, 1, 4, "Gare"]]};
  const layer = Atlas.summaryLayer(Lf, {}, summary, ["#111111", "#222222"]);
  const records = layer.layers.slice(1);
  assert.deepEqual(records.map((m) => [m.latlng, m.atlasPosition]), [[[48.8, 2.3], 17], [[48.9, 2.4], 4]]);
  assert.equal(records[0].tooltip, "&lt;b onmouseover=&quot;x()&quot;&gt;&#36;{a}&#96;&lt;/b&gt;");
  assert.match(records[1].options.icon.html, /--c:#222222/);
  assert.equal(records[0].options.keyboard, true);
});

test("a large dataset's records keep their confidence shape, and a policy its own symbol", () => {
  const Lf = summaryLeaflet();
  const styles = ["documented", "reported", "claimed", "policy"];
  const summary = {zoom: 12, selected: 2, total: 2, points: [[48.8, 2.3, 0, 17, "Camera", 2], [48.9, 2.4, 1, 4, "Ban", 3]]};
  const records = Atlas.summaryLayer(Lf, {}, summary, ["#111111", "#222222"], styles).layers.slice(1);
  assert.match(records[0].options.icon.html, /atlas-m atlas-c-claimed/);
  assert.match(records[1].options.icon.html, /atlas-k-policy[^>]*>\u00a7</);
});
