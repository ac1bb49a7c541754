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
const DATA = {vendors: [], countries: {US: "United States"},
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
  const icon = Atlas.clusterIcon(fakeLeaflet, {getChildCount: () => 14});
  assert.match(icon.html, /<span aria-hidden="true">14<\/span>/);
  assert.match(icon.html, /cluster of 14 deployments/);
  assert.equal(icon.className, "marker-cluster atlas-cluster atlas-cluster-medium");
  assert.match(Atlas.clusterIcon(fakeLeaflet, {getChildCount: () => 1}).html, /cluster of 1 deployment,/);
});

test("a cluster's ring shows its members' vendor colours in proportion, largest share first", () => {
  const fakeLeaflet = {divIcon: (options) => options, point: (x, y) => [x, y]};
  const members = [{atlasColor: "#E69F00"}, {atlasColor: "#0072B2"}, {atlasColor: "#0072B2"}, {atlasColor: "#0072B2"}];
  assert.deepEqual(Atlas.clusterShares(members), [{color: "#0072B2", count: 3}, {color: "#E69F00", count: 1}]);
  const icon = Atlas.clusterIcon(fakeLeaflet, {getChildCount: () => 4, getAllChildMarkers: () => members});
  assert.ok(icon.html.includes("conic-gradient(#0072B2 0.0deg 270.0deg, #E69F00 270.0deg 360.0deg)"), icon.html);
  assert.equal(icon.className, "marker-cluster atlas-cluster atlas-cluster-small");
});
