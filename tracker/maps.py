"""Maps with real geography: the Natural Earth basemap (tracker/basemap.json) projected into inline SVG, with one
mark per located project. No tiles, scripts or requests: the maps are part of the page.

A world map in the Equal Earth projection and zoomed views (plate carrée scaled at the view's middle
latitude) where marks crowd; a small locator map on each project page. Country shapes are clipped to each
view (Sutherland-Hodgman), so a view of Penang does not carry the whole outline of Asia.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from markupsafe import Markup, escape

from .basemap import OUT as BASEMAP
from .basemap import simplify

PRECISION_WORDS = {"site": "the site", "town": "the town", "region": "the region's centre"}  # what a point marks


@dataclass(frozen=True)
class Mark:
    lat: float
    lon: float
    title: str  # the text of the mark's tooltip and of its row in the table
    href: str
    usd: Decimal | None  # announced investment in US$, None when not disclosed or not converted


@dataclass(frozen=True)
class View:
    cid: str
    title: str
    west: float
    south: float
    east: float
    north: float
    width: int = 640

    def contains(self, lat: float, lon: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


@cache
def _basemap() -> dict:
    return json.loads(Path(BASEMAP).read_text(encoding="utf-8"))


def countries() -> list[dict]:
    return _basemap()["countries"]


def source_line() -> str:
    return _basemap()["source"].split(", simplified")[0]


# Projections -----------------------------------------------------------------------------------------------

A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Equal Earth (Šavrič, Patterson and Jenny 2018), in units of the earth's radius."""
    theta = math.asin(M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * math.sqrt(3) * math.radians(lon) * math.cos(theta) / (3 * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def clip(ring: list, west: float, south: float, east: float, north: float) -> list:
    """Sutherland-Hodgman: the part of a polygon inside a rectangle (lon/lat)."""
    edges = ((0, west, True), (0, east, False), (1, south, True), (1, north, False))
    out = ring
    for axis, value, low in edges:
        if not out:
            break
        src, out = out, []
        for i, cur in enumerate(src):
            prev = src[i - 1]
            cur_in = cur[axis] >= value if low else cur[axis] <= value
            prev_in = prev[axis] >= value if low else prev[axis] <= value
            if cur_in != prev_in:
                t = (value - prev[axis]) / (cur[axis] - prev[axis])
                out.append([prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])])
            if cur_in:
                out.append(cur)
    return out


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _path(rings: list[list[tuple[float, float]]]) -> str:
    """Rings as an SVG path in whole pixels, each point relative to the last (a third of the bytes of
    absolute coordinates with decimals); points that round onto the previous one are dropped."""
    out = []
    for ring in rings:
        points = [(round(x), round(y)) for x, y in ring]
        steps, (px, py) = [], points[0]
        for x, y in points[1:]:
            if (x, y) != (px, py):
                steps.append(f"{x - px} {y - py}")
                px, py = x, y
        if len(steps) >= 2:
            out.append(f"M{points[0][0]} {points[0][1]}l" + " ".join(steps) + "z")
    return "".join(out)


# Drawing ---------------------------------------------------------------------------------------------------


def _frame(view: View, world: bool):
    """A function from (lon, lat) to SVG (x, y), and the drawing's height."""
    if world:  # the whole width; from the view's north to its south edge
        (x0, _), (_, y0), (_, y1) = equal_earth(-180, 0), equal_earth(0, view.north), equal_earth(0, view.south)
        scale = view.width / (2 * -x0)
        height = round((y0 - y1) * scale)

        def proj(lon, lat):
            x, y = equal_earth(lon, lat)
            return (x - x0) * scale, (y0 - y) * scale

        return proj, height
    k = math.cos(math.radians((view.south + view.north) / 2))
    scale = view.width / ((view.east - view.west) * k)
    height = round((view.north - view.south) * scale)
    return (lambda lon, lat: ((lon - view.west) * k * scale, (view.north - lat) * scale)), height


@lru_cache(maxsize=64)  # bounded: `serve` redraws the summary's views; each locator is new (one per project)
def _land(view: View, world: bool, highlight: str) -> tuple[str, str]:
    """The projected country shapes of a view: the other countries', and the highlighted one's."""
    proj, _ = _frame(view, world)
    px = (view.east - view.west) / view.width  # degrees per pixel, across the view
    tolerance = max(0.02, px * 1.5)  # a pixel and a half: finer detail does not show, and costs bytes
    rest, own = [], []
    for c in countries():
        if c["code"] == "AQ":  # no project is in Antarctica; drawn, it would take a fifth of the world map
            continue
        rings = []
        for ring in c["rings"]:
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            if max(xs) < view.west or min(xs) > view.east or max(ys) < view.south or min(ys) > view.north:
                continue
            part = ring if world else clip(ring, view.west, view.south, view.east, view.north)
            part = simplify(part, tolerance) if len(part) > 8 else part
            if len(part) >= 3:
                shape = [proj(lon, lat) for lon, lat in part]
                xs, ys = [x for x, _ in shape], [y for _, y in shape]
                if max(xs) - min(xs) >= 1.5 or max(ys) - min(ys) >= 1.5:  # smaller than a pixel or so: not drawn
                    rings.append(shape)
        (own if c["code"] == highlight and highlight else rest).extend(rings)
    return _path(rest), _path(own)


def radius(usd: Decimal | None, top: Decimal) -> float:
    """Circle area in proportion to the amount; the largest project 14 px across at most."""
    if usd is None or top <= 0:
        return 4.0
    return max(3.0, 14.0 * math.sqrt(float(usd) / float(top)))


def svg(view: View, marks: list[Mark], top: Decimal, world: bool = False, highlight: str = "",
        ring: float = 0, label: str = "") -> Markup:
    """One map: land, then marks (largest first, so small ones stay on top and clickable)."""
    proj, height = _frame(view, world)
    rest, own = _land(view, world, highlight)
    body = [f'<rect class="tr-geo-sea" width="{view.width}" height="{height}"/>',
            f'<path class="tr-geo-land" d="{rest}"/>' if rest else "",
            f'<path class="tr-geo-land tr-geo-land--own" d="{own}"/>' if own else ""]
    shown = [m for m in marks if world or view.contains(m.lat, m.lon)]
    for m in sorted(shown, key=lambda m: (-(m.usd or 0), m.href)):
        x, y = proj(m.lon, m.lat)
        r = radius(m.usd, top)
        cls = "tr-geo-mark" + ("" if m.usd is not None else " tr-geo-mark--nd")
        halo = f'<circle class="tr-geo-ring" cx="{_n(x)}" cy="{_n(y)}" r="{_n(ring)}"/>' if ring else ""
        circle = f'{halo}<circle class="{cls}" cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}"><title>{escape(m.title)}</title></circle>'
        body.append(f'<a href="{escape(m.href)}" aria-label="{escape(m.title)}">{circle}</a>' if m.href else circle)
        if label:  # beside the dot, on the side with room
            right = x < view.width * 0.6
            lx = x + max(r, ring) + 4 if right else x - max(r, ring) - 4
            body.append(f'<text class="tr-geo-label" x="{_n(lx)}" y="{_n(y + 5)}" '
                        f'text-anchor="{"start" if right else "end"}">{escape(label)}</text>')
    cid = escape(view.cid)
    return Markup(  # noqa: S704 - every text from data is escaped above; the rest are numbers and fixed names
        f'<svg class="tr-geo" id="{cid}" viewBox="0 0 {view.width} {height}" role="{"group" if shown else "img"}" '
        f'aria-labelledby="{cid}-title" xmlns="http://www.w3.org/2000/svg">{"".join(body)}</svg>'
    )



# Pages -----------------------------------------------------------------------------------------------------

WORLD = View("geo-world", "Where the projects are", -180, -58, 180, 84, 960)
ZOOMS = (
    View("geo-east-asia", "East Asia", 100, 18, 146, 46),
    View("geo-southeast-asia", "Southeast Asia", 94, -8, 126, 24),
    View("geo-south-asia", "South Asia", 66, 6, 98, 36),
    View("geo-europe", "Europe", -12, 35, 32, 62),
    View("geo-north-america", "North America", -128, 22, -64, 52),
)
CLUSTER_ABOVE = 150  # more marks than this in one map: they are grouped into cells of 1/CELLS of its width
CELLS = 60


def cluster(marks: list[Mark], cell: float) -> list[Mark]:
    """Group marks by grid cell: one circle per cell, its area the cell's converted total, its tooltip the
    count. Cells are fixed in degrees, so the same data always gives the same groups."""
    cells: dict[tuple[int, int], list[Mark]] = {}
    for m in marks:
        cells.setdefault((math.floor(m.lat / cell), math.floor(m.lon / cell)), []).append(m)
    out = []
    for key in sorted(cells):
        group = cells[key]
        if len(group) == 1:
            out.append(group[0])
            continue
        known = [m.usd for m in group if m.usd is not None]
        total = sum(known, Decimal(0)) if known else None
        lat, lon = sum(m.lat for m in group) / len(group), sum(m.lon for m in group) / len(group)
        amount = f"US${total:,.0f} disclosed" if total is not None else "no amount disclosed"
        out.append(Mark(lat, lon, f"{len(group)} projects here: {amount}", "", total))
    return out


def key_html(top: Decimal, money) -> Markup:
    """Two sized circles with their amounts, and the n/d circle."""
    small = top / 4
    item = Markup('<li><svg width="32" height="32" aria-hidden="true"><circle class="{cls}" cx="16" cy="16" r="{r}"/>'
                  "</svg>{t}</li>")
    return (Markup('<ul class="tr-mapkey tr-geo-key">')
            + item.format(cls="tr-geo-mark", r=_n(radius(top, top)), t=money(top))
            + item.format(cls="tr-geo-mark", r=_n(radius(small, top)), t=money(small))
            + item.format(cls="tr-geo-mark tr-geo-mark--nd", r="4", t="amount not disclosed (n/d)")
            + Markup("</ul>"))


def summary_maps(marks: list[Mark], unlocated: int, money, source: str, figure) -> Markup:
    """The summary's maps: the world, then each zoomed view holding two marks or more, each with its key.
    (The located projects' table, the maps' text alternative, is in templates/summary.md.)"""
    if not marks:
        return Markup("<p>No project has coordinates yet.</p>")
    top = max((m.usd for m in marks if m.usd is not None), default=Decimal(1))
    many = len(marks) > CLUSTER_ABOVE
    desc = ("One circle per project, its area in proportion to the announced investment in US dollars; hollow "
            "circles: amount not disclosed. Points mark the town unless a project page says otherwise. Select a "
            "circle to open its project.")
    if many:
        desc = (f"Projects grouped by {360 / CELLS:g}° cells (there are {len(marks):,}): each circle's area is the "
                "cell's converted total; hover for the count. The table below lists projects one by one.")
    note = f" {unlocated} more have no coordinates yet and are not shown." if unlocated else ""
    shown_world = cluster(marks, 360 / CELLS) if many else marks
    tops = max((m.usd for m in shown_world if m.usd is not None), default=top)
    out = [figure(WORLD.cid, f"{WORLD.title} ({len(marks)} located projects)", desc + note,
                  svg(WORLD, shown_world, tops, world=True), key_html(tops, money), source)]
    zooms = []
    for view in ZOOMS:
        inside = [m for m in marks if view.contains(m.lat, m.lon)]
        if len(inside) < 2:
            continue
        shown = cluster(inside, (view.east - view.west) / (CELLS / 2)) if len(inside) > CLUSTER_ABOVE else inside
        top_here = max((m.usd for m in shown if m.usd is not None), default=top)
        zooms.append(figure(view.cid, f"{view.title} ({len(inside)} projects)",
                            "Zoomed in where marks crowd; circle areas scaled to this view's largest.",
                            svg(view, shown, top_here), key_html(top_here, money), source))
    if zooms:
        out.append(Markup('<div class="tr-geo-zooms">') + Markup("").join(zooms) + Markup("</div>"))
    return Markup("").join(out)


def locator(point: dict, title: str, place: str, country: str, source: str, figure) -> Markup:
    """A project page's small map: the point, a ring for its precision, the country highlighted."""
    lat, lon = float(point["lat"]), float(point["lon"])
    span = {"site": 1.5, "town": 6.0, "region": 10.0}[point["precision"]]  # degrees of latitude either side
    view = View("geo-locator", "Location", lon - span * 1.4, lat - span, lon + span * 1.4, lat + span, 360)
    ring = {"site": 0, "town": 10, "region": 30}[point["precision"]]
    derived = (f" The point is derived from a gazetteer ({point['gazetteer']}), not given by a source."
               if point.get("derived") and point.get("gazetteer") else "")
    desc = f"The dot marks {PRECISION_WORDS[point['precision']]}, not necessarily the plant itself.{derived}"
    if point["precision"] == "site":
        desc = "The dot marks the site." + derived
    label = point["gazetteer"].split(",", 1)[1].strip() if "," in point.get("gazetteer", "") else place
    body = svg(view, [Mark(lat, lon, title, "", Decimal(1))], Decimal(4), highlight=country, ring=ring,  # a 7 px dot
               label=label)
    return figure(view.cid, "Location", desc, body, Markup(""), source)
