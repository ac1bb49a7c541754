#!/usr/bin/env python3
"""Build an offline country-boundaries GeoJSON from Natural Earth 1:50m data,
as redistributed in the npm package ``world-atlas`` (TopoJSON).

Source data
-----------
Natural Earth "Admin 0 - Countries", 1:50m, version 4.1.0 (public domain), as
pre-built TopoJSON by Mike Bostock in the npm package ``world-atlas`` (package
code ISC licence). Fetch it once with npm (no other network access is needed):

    npm pack world-atlas@2                  # -> world-atlas-2.0.2.tgz
    mkdir -p pkg && tar xzf world-atlas-2.0.2.tgz -C pkg
    # the input file is then pkg/package/countries-50m.json

Usage
-----
    python build_countries.py pkg/package/countries-50m.json [-o countries.geojson]

Requires ``shapely`` (>= 2.0) and ``pycountry`` (build time only; pycountry is
used to map ISO 3166-1 numeric codes to alpha-2 codes).

What the script does
--------------------
1. Decodes the ``countries`` object of the TopoJSON (delta-encoded, quantized
   arcs -> absolute lon/lat rings). No external TopoJSON library is used.
2. Repairs the antimeridian / pole handling. world-atlas v2 was produced with
   d3's ``geostitch``, which removes Natural Earth's cuts at +-180 deg and at
   the poles so the data is correct on the *sphere*. Read as planar EPSG:4326
   this gives artefacts:
     * rings crossing the antimeridian (Russia's Chukotka and Wrangel Island,
       part of Fiji) jump from +180 to -180 and span the whole map;
     * Antarctica's mainland is encoded as a tiny ring at lat -89.999 with the
       coastline as a *hole*.
   Crossing rings are unwrapped to continuous longitudes and split at +-180;
   rings that encircle a pole are closed along the pole (lat -90/90), and
   degenerate pole-cap rings are dropped, restoring the usual planar
   (Natural Earth style) representation.
3. Makes geometries valid (shapely ``make_valid`` where needed), snaps
   coordinates to a 0.001 degree grid with ``shapely.set_precision`` (which keeps
   the result valid), and orients rings per RFC 7946 (exterior counter-
   clockwise). NB: d3-geo expects the opposite (spherical) winding; d3 users
   should rewind the rings.
4. Writes one Feature per world-atlas geometry with properties
   ``iso_a2``, ``iso_n3`` and ``name``:
     * ``iso_n3``: world-atlas's feature id (3-digit string), "" if absent;
     * ``iso_a2``: pycountry alpha-2 for iso_n3; features with no id get
       "XK" for Kosovo (user-assigned code in common use) and "" otherwise;
     * ``name``: the English name from world-atlas, unchanged.
   Features sharing an alpha-2 code (Australia and Ashmore and Cartier Is.,
   both "036"/AU) are kept as separate features.
5. Runs checks and prints them: validity, geometry types, lon/lat ranges, the
   longitude width of every polygon part (<= 300 deg except for the single
   pole-closed Antarctica part, which legitimately spans -180..180), and a set
   of point-in-country sanity checks.
"""

import argparse
import json
import os
import sys

import pycountry
import shapely
from shapely.affinity import translate
from shapely.geometry import MultiPolygon, Point, Polygon, box, mapping
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

GRID = 0.001  # output precision in degrees (3 decimals)
MAX_PART_WIDTH = 300  # a planar part wider than this is an antimeridian artefact
POLE_EPS = 0.01  # |lat| >= 90 - POLE_EPS counts as "at the pole"

# Features without an ISO numeric id that still get an alpha-2 code.
# "XK" is the user-assigned code used for Kosovo by the EU, the IMF, CLDR, etc.
NO_ID_ALPHA2 = {"Kosovo": "XK"}

WORLD = box(-180, -90, 180, 90)


# --------------------------------------------------------------------------
# TopoJSON decoding
# --------------------------------------------------------------------------
def decode_arcs(topology):
    """Return the topology's arcs as lists of absolute (lon, lat) tuples."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:  # quantized: positions are deltas from the previous one
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            pts = []
            for dx, dy in arc:
                x += dx
                y += dy
                pts.append((x * sx + tx, y * sy + ty))
        else:
            pts = [tuple(p[:2]) for p in arc]
        arcs.append(pts)
    return arcs


def build_ring(arc_indices, arcs):
    """Stitch arcs into a ring; a negative index ~i means arc i reversed.
    Consecutive arcs share their joining point, which is kept only once."""
    ring = []
    for i in arc_indices:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(pts if not ring else pts[1:])
    return ring


def geometry_rings(geom, arcs):
    """Yield each polygon of a TopoJSON Polygon/MultiPolygon as a list of rings
    (first = exterior, rest = holes)."""
    if geom["type"] == "Polygon":
        polys = [geom["arcs"]]
    elif geom["type"] == "MultiPolygon":
        polys = geom["arcs"]
    else:
        raise ValueError("unexpected geometry type %r" % geom["type"])
    for poly in polys:
        yield [build_ring(r, arcs) for r in poly]


# --------------------------------------------------------------------------
# Antimeridian / pole repair
# --------------------------------------------------------------------------
def unwrap(ring):
    """Make longitudes continuous (no step > 180 deg) by adding multiples of
    360. Returns (unwrapped ring, net shift in degrees at the end of the ring):
    0 for a ring that merely crosses the antimeridian, +-360 for a ring that
    goes once around a pole."""
    out = [ring[0]]
    offset = 0.0
    for (x0, _), (x1, y1) in zip(ring, ring[1:]):
        d = x1 - x0
        if d > 180:
            offset -= 360
        elif d < -180:
            offset += 360
        out.append((x1 + offset, y1))
    return out, offset


def crosses(ring):
    return any(abs(b[0] - a[0]) > 180 for a, b in zip(ring, ring[1:]))


def fold_into_world(geom):
    """Cut a geometry whose longitudes may lie outside [-180, 180] into pieces
    and shift every piece back into the world box."""
    pieces = []
    for shift in (-720, -360, 0, 360, 720):
        window = box(-180 - shift, -90, 180 - shift, 90)
        part = geom.intersection(window)
        if not part.is_empty:
            pieces.append(translate(part, xoff=shift))
    return unary_union(pieces)


def close_around_pole(unwrapped):
    """A ring that goes once around a pole (net shift +-360) becomes a planar
    ring by running along the pole line back to its start."""
    lat_pole = -90.0 if sum(y for _, y in unwrapped) < 0 else 90.0
    x_start, x_end = unwrapped[0][0], unwrapped[-1][0]
    return unwrapped + [(x_end, lat_pole), (x_start, lat_pole), unwrapped[0]]


def planar_polygon(rings, log):
    """Turn one decoded (spherical, stitched) polygon into a planar shapely
    geometry inside [-180, 180] x [-90, 90]."""
    ext, holes = rings[0], rings[1:]
    if not crosses(ext) and not any(crosses(h) for h in holes):
        return Polygon(ext, holes)

    ext_u, ext_net = unwrap(ext)
    if ext_net != 0:
        # Exterior goes around a pole. If it is a degenerate cap at the pole
        # (geostitch's encoding of Antarctica) drop it; its pole-encircling
        # holes are the real outlines and become exteriors closed at the pole.
        if all(abs(y) >= 90 - POLE_EPS for _, y in ext):
            exteriors, inner = [], []
            for h in holes:
                hu, hnet = unwrap(h)
                if hnet != 0:
                    exteriors.append(Polygon(close_around_pole(hu)))
                else:
                    inner.append(Polygon(hu))
            log.append("pole-cap exterior dropped, %d pole-encircling hole(s) promoted to exterior" % len(exteriors))
            geom = unary_union([fold_into_world(g) for g in exteriors])
            for h in inner:
                geom = geom.difference(fold_into_world(h))
            return geom
        ext_poly = Polygon(close_around_pole(ext_u))
        log.append("pole-encircling exterior closed along the pole")
    else:
        ext_poly = Polygon(ext_u)
        log.append("antimeridian-crossing ring unwrapped and split at +-180")

    # Holes: unwrap and shift by 360 so they sit where the exterior is.
    cx = ext_poly.centroid.x
    geom = ext_poly
    for h in holes:
        hu, _ = unwrap(h)
        hp = Polygon(hu)
        geom = geom.difference(translate(hp, xoff=360 * round((cx - hp.centroid.x) / 360)))
    return fold_into_world(geom)


# --------------------------------------------------------------------------
# Geometry clean-up
# --------------------------------------------------------------------------
def polygons_of(geom):
    """Polygon parts of any geometry (drops points/lines from make_valid)."""
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in polygons_of(g)]
    return []


def clean(geom):
    """Valid, snapped to GRID, RFC 7946 oriented Polygon or MultiPolygon."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    geom = unary_union(polygons_of(geom))
    geom = shapely.set_precision(geom, GRID)  # output stays valid
    parts = [orient(p, sign=1.0) for p in polygons_of(geom)]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def rounded(coords):
    """Recursively round coordinates to 3 decimals (removes float noise left
    by snapping, e.g. 12.340000000000002), normalising -0.0 to 0.0."""
    if isinstance(coords[0], (int, float)):
        return [round(c, 3) + 0.0 for c in coords]
    return [rounded(c) for c in coords]


# --------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------
def alpha2_for(iso_n3, name):
    if iso_n3:
        country = pycountry.countries.get(numeric=iso_n3)
        if country is None:
            raise SystemExit("no ISO 3166-1 entry for numeric %r (%s)" % (iso_n3, name))
        return country.alpha_2.upper()
    return NO_ID_ALPHA2.get(name, "")


# --------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------
def build(topology):
    arcs = decode_arcs(topology)
    features, notes = [], []
    for g in topology["objects"]["countries"]["geometries"]:
        name = g.get("properties", {}).get("name", "")
        iso_n3 = str(g["id"]).zfill(3) if g.get("id") not in (None, "") else ""
        log = []
        parts = [planar_polygon(r, log) for r in geometry_rings(g, arcs)]
        raw = unary_union(parts)
        needed_fix = not raw.is_valid
        geom = clean(raw)
        if geom is None:
            raise SystemExit("geometry of %s vanished" % name)
        if log or needed_fix:
            notes.append("%s: %s%s" % (name, "; ".join(sorted(set(log))), "; make_valid applied" if needed_fix else ""))
        gj = mapping(geom)
        features.append(
            {
                "type": "Feature",
                "properties": {"iso_a2": alpha2_for(iso_n3, name), "iso_n3": iso_n3, "name": name},
                "geometry": {"type": gj["type"], "coordinates": rounded(json.loads(json.dumps(gj["coordinates"])))},
            }
        )
    return features, notes


def write_geojson(features, path):
    """Compact JSON, one feature per line (small yet diff-friendly)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        f.write(",\n".join(json.dumps(ft, ensure_ascii=False, separators=(",", ":")) for ft in features))
        f.write("\n]}\n")


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------
SANITY_POINTS = [  # (label, iso_a2, lon, lat)
    ("Moscow", "RU", 37.62, 55.75),
    ("Nairobi", "KE", 36.82, -1.29),
    ("Tbilisi", "GE", 44.79, 41.72),
    ("Harare", "ZW", 31.05, -17.83),
    ("Urumqi", "CN", 87.62, 43.83),
    ("London", "GB", -0.13, 51.51),
    ("Singapore", "SG", 103.82, 1.35),
    ("Kampala", "UG", 32.58, 0.35),
    ("Belgrade", "RS", 20.46, 44.82),
    ("Buenos Aires", "AR", -58.38, -34.60),
    ("Detroit", "US", -83.05, 42.33),
    ("Hong Kong", "HK", 114.17, 22.32),
    ("Pristina", "XK", 21.17, 42.66),
]
COAST_TOLERANCE = 0.05  # degrees


def run_checks(path):
    with open(path, encoding="utf-8") as f:
        fc = json.load(f)
    feats = fc["features"]
    shapes = [shapely.geometry.shape(ft["geometry"]) for ft in feats]
    codes = [ft["properties"]["iso_a2"] for ft in feats]
    ok = True

    print("features: %d" % len(feats))
    distinct = sorted(set(c for c in codes if c))
    print(
        'distinct non-empty iso_a2: %d (+ %d feature(s) with iso_a2 "": %s)'
        % (
            len(distinct),
            codes.count(""),
            ", ".join(ft["properties"]["name"] for ft in feats if not ft["properties"]["iso_a2"]),
        )
    )
    dup = sorted(c for c in distinct if codes.count(c) > 1)
    for c in dup:
        print(
            "  shared code %s: %s"
            % (c, ", ".join(ft["properties"]["name"] for ft in feats if ft["properties"]["iso_a2"] == c))
        )
    print("file size: %d bytes (%.2f MB)" % (os.path.getsize(path), os.path.getsize(path) / 1e6))

    types = {s.geom_type for s in shapes}
    invalid = [ft["properties"]["name"] for ft, s in zip(feats, shapes) if not s.is_valid]
    outside = [ft["properties"]["name"] for ft, s in zip(feats, shapes) if not WORLD.covers(s)]
    print("geometry types: %s" % sorted(types))
    print("invalid geometries: %s" % (invalid or "none"))
    print("coordinates outside [-180,180]x[-90,90]: %s" % (outside or "none"))
    ok &= types <= {"Polygon", "MultiPolygon"} and not invalid and not outside

    wide = []
    for ft, s in zip(feats, shapes):
        for p in polygons_of(s):
            minx, miny, _, _ = p.bounds
            width = p.bounds[2] - minx
            if width > MAX_PART_WIDTH:
                wide.append((ft["properties"]["name"], round(width, 3), miny))
    legit = [w for w in wide if w[2] <= -90 + POLE_EPS]  # closed along the South Pole
    bad = [w for w in wide if w not in legit]
    print("polygon parts wider than %d deg of longitude: %s" % (MAX_PART_WIDTH, wide or "none"))
    if legit:
        print(
            "  (pole-closed part(s) %s legitimately span all longitudes; "
            "no antimeridian artefacts)" % [w[0] for w in legit]
        )
    ok &= not bad

    for label, code, lon, lat in SANITY_POINTS:
        pt = Point(lon, lat)
        targets = [s for s, c in zip(shapes, codes) if c == code]
        holders = sorted(
            {
                "%s(%s)" % (ft["properties"]["name"], ft["properties"]["iso_a2"])
                for ft, s in zip(feats, shapes)
                if s.covers(pt)
            }
        )
        if not targets:
            print(
                "%-13s %s: no feature with this code -> SKIPPED; point is in %s" % (label, code, holders or "nothing")
            )
            continue
        inside = any(s.covers(pt) for s in targets)
        dist = min(s.boundary.distance(pt) for s in targets)
        passed = inside or dist <= COAST_TOLERANCE
        ok &= passed
        print(
            "%-13s %s (%7.2f,%6.2f): %s  dist_to_boundary=%.3f deg  containing=%s"
            % (
                label,
                code,
                lon,
                lat,
                "PASS inside" if inside else ("PASS within %.2f deg" % COAST_TOLERANCE if passed else "FAIL"),
                dist,
                holders or "none",
            )
        )
    print("ALL CHECKS PASSED" if ok else "SOME CHECKS FAILED")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("topojson", help="path to world-atlas countries-50m.json")
    ap.add_argument(
        "-o", "--output", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "countries.geojson")
    )
    ap.add_argument("--no-checks", action="store_true")
    args = ap.parse_args()

    with open(args.topojson, encoding="utf-8") as f:
        topology = json.load(f)
    features, notes = build(topology)
    write_geojson(features, args.output)
    print("wrote %s" % args.output)
    print("repairs:")
    for n in notes:
        print("  " + n)
    if not args.no_checks and not run_checks(args.output):
        sys.exit(1)


if __name__ == "__main__":
    main()
