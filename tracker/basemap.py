"""The basemap: country shapes from Natural Earth (1:50m, public domain) as the npm package world-atlas ships them
(pinned in package.json), decoded from TopoJSON and simplified once into tracker/basemap.json, which is committed.

    make basemap      (or: python -m tracker.basemap)

The site build reads only tracker/basemap.json (no package, no network) and projects it into inline SVG
(tracker/maps.py). tests/test_maps.py checks that the committed file is what this module makes from the
pinned package.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "node_modules" / "world-atlas"
OUT = Path(__file__).resolve().parent / "basemap.json"
TOLERANCE = 0.05  # degrees (about 5 km): enough for a locator map of a district, small for a world map
MIN_AREA = 0.03  # square degrees: islands smaller than this are dropped (Singapore, at 0.06, is kept)


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def _ring(indexes: list[int], arcs) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def simplify(points: list, tolerance: float) -> list:
    """Douglas-Peucker, iterative (rings of thousands of points would recurse too deep)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, index = 0.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            d = abs(dy * (px - ax) - dx * (py - ay)) / norm if norm else ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            if d > best:
                best, index = d, i
        if best > tolerance:
            keep[index] = True
            stack += [(a, index), (index, b)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def unwrap(ring: list) -> list:
    """A ring that crosses the antimeridian (Russia's Chukotka, Fiji) jumps from 180 to -180: move its
    points on the minority side by 360 degrees, so that it is drawn as one shape and not as a band across
    the whole map (the part beyond 180 falls outside the map's frame)."""
    if not any(abs(a[0] - b[0]) > 180 for a, b in zip(ring, ring[1:], strict=False)):
        return ring
    east = sum(1 for x, _ in ring if x > 0) >= len(ring) / 2
    return [(x + 360, y) if east and x < 0 else (x - 360, y) if not east and x > 0 else (x, y) for x, y in ring]


def area(ring: list) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def build(package: Path = PACKAGE) -> dict:
    import pycountry

    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    topology = json.loads((package / "countries-50m.json").read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    countries = []
    for g in topology["objects"]["countries"]["geometries"]:
        polygons = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]] if g["type"] == "Polygon" else []
        rings = []
        for polygon in polygons:
            for k, indexes in enumerate(polygon):
                ring = simplify(unwrap(_ring(indexes, arcs)), TOLERANCE)
                if len(ring) >= 4 and (area(ring) >= MIN_AREA or k == 0 and area(ring) >= MIN_AREA / 4):
                    rings.append([[round(x, 3), round(y, 3)] for x, y in ring])
        if not rings:
            continue
        code = pycountry.countries.get(numeric=g.get("id", "")) if g.get("id") else None
        countries.append({"code": code.alpha_2 if code else "", "name": g["properties"]["name"], "rings": rings})
    countries.sort(key=lambda c: (c["code"] or "~", c["name"]))
    return {"source": f"Natural Earth 1:50m admin-0 countries (public domain), from the npm package world-atlas "
                      f"{meta['version']} (countries-50m.json), simplified to {TOLERANCE}° by tracker/basemap.py",
            "countries": countries}


def text(data: dict) -> str:
    lines = [f' {json.dumps(c, separators=(",", ":"), ensure_ascii=False)}' for c in data["countries"]]
    return '{"source": ' + json.dumps(data["source"]) + ',\n"countries": [\n' + ",\n".join(lines) + "\n]}\n"


if __name__ == "__main__":
    if not (PACKAGE / "countries-50m.json").is_file():
        sys.exit("basemap: node_modules/world-atlas is missing; run `npm ci` (make test does) first")
    OUT.write_text(text(build()), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KiB)")
