"""Maps with real geography (tracker/maps.py, tracker/basemap.py): projection, clipping, marks, budgets."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from tests.conftest import CONTENT, ROOT
from tracker import basemap, maps
from tracker.charts import figure
from tracker.site import render_tree


@pytest.mark.skipif(not (basemap.PACKAGE / "countries-50m.json").is_file(), reason="needs npm ci (make test runs it)")
def test_committed_basemap_is_what_the_pinned_package_makes():
    assert basemap.OUT.read_text(encoding="utf-8") == basemap.text(basemap.build())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/world-atlas"]["version"] == "2.0.2"


def test_basemap_has_the_small_places_projects_are_in():
    codes = {c["code"] for c in maps.countries()}
    assert {"SG", "TW", "MY", "CN", "IN", "US", "IT", "JP", "KR", "VN", "ID"} <= codes
    # no ring jumps across the antimeridian (it would draw a band across the world map)
    for c in maps.countries():
        if c["code"] == "AQ":  # Antarctica really goes all the way round; it is not drawn
            continue
        for ring in c["rings"]:
            assert all(abs(a[0] - b[0]) < 180 for a, b in zip(ring, ring[1:], strict=False)), c["name"]


def test_equal_earth_projection_known_values():
    # the projection's extent: 2.7066 (x at 180°, equator) by 1.3174 (y at the pole), a ratio near 2.05
    x, _ = maps.equal_earth(180, 0)
    _, y = maps.equal_earth(0, 90)
    assert round(x, 4) == 2.7066 and round(y, 4) == 1.3174
    assert maps.equal_earth(0, 0) == (0.0, 0.0)


def test_clip_keeps_only_the_part_inside():
    square = [[0, 0], [10, 0], [10, 10], [0, 10]]
    clipped = maps.clip(square, 5, 5, 20, 20)
    assert sorted(map(tuple, clipped)) == [(5.0, 5.0), (5.0, 10), (10, 5.0), (10, 10)]
    assert maps.clip(square, 20, 20, 30, 30) == []


def marks_of(svg: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="([^"]+)" aria-label="([^"]+)"><circle class="tr-geo-mark', svg)


def test_summary_world_map_has_one_linked_mark_per_located_project():
    data, _, pages = render_tree(CONTENT)
    page = pages["summary.md"]
    world = re.search(r'<svg class="tr-geo" id="geo-world".*?</svg>', page, re.S).group(0)
    located = [r for r in data.records if r["location"].get("coordinates")]
    found = marks_of(world)
    assert sorted(h for h, _ in found) == sorted(f"../projects/{r['id']}/" for r in located)
    titles = dict(found)
    assert titles["../projects/amkor-peoria-arizona/"] == "Amkor advanced packaging and test campus, Peoria, Arizona: US$7 billion"
    undisclosed = [t for _, t in found if t.endswith(": n/d")]  # not disclosed: hollow marks
    assert undisclosed and world.count("tr-geo-mark--nd") == len(undisclosed)
    assert f"{len(data.records) - len(located)} more have no coordinates yet" in page
    table = re.search(r'<details class="tr-geo-table">.*?</details>', page, re.S).group(0)  # the text alternative
    assert table.count("<tr><th scope=\"row\"") == len(located)
    assert len(page.encode()) < 200_000  # the page body; the published HTML is checked below


def test_project_locator_says_what_the_point_marks():
    pages = render_tree(CONTENT)[2]
    page = pages["projects/tsmc-ap7-chiayi.md"]
    assert 'id="geo-locator-figure"' in page
    assert "The dot marks the town, not necessarily the plant itself. The point is derived from a gazetteer " \
           "(GeoNames 1668347, Taibao), not given by a source." in page
    assert '<circle class="tr-geo-ring"' in page and 'tr-geo-land tr-geo-land--own' in page
    assert "geo-locator" not in pages["projects/tsmc-ap6-zhunan.md"]  # no coordinates: no map, nothing guessed


def test_thousands_of_marks_are_grouped_and_the_page_stays_small():
    marks = [maps.Mark(20 + (i % 40) * 0.7, 70 + (i // 40) * 0.5, f"P{i}: US$1 million", f"p/{i}/",
                       Decimal(10 ** 6) if i % 3 else None) for i in range(10_000)]
    html = maps.summary_maps(marks, 0, lambda v: f"US${v}", "Source.", figure)
    world = re.search(r'<svg class="tr-geo" id="geo-world".*?</svg>', html, re.S).group(0)
    circles = world.count('<circle class="tr-geo-mark')
    assert 0 < circles < 1000 and "projects here: US$" in world
    assert len(html.encode()) < 400_000, len(html.encode())


def test_published_summary_stays_under_its_byte_budget(bundled_site):
    """Issue 26: the summary page, maps included, stays under 250 KB of HTML at the bundled 25 records."""
    size = (bundled_site / "summary" / "index.html").stat().st_size
    assert size < 250_000, size
