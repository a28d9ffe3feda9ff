"""Chart geometry follows the data: bar lengths proportional, every item present, text escaped, sizes bounded."""

from __future__ import annotations

import re
from decimal import Decimal

from tracker.charts import (
    CHINA_TILES,
    Bar,
    Row,
    Tile,
    bar_chart,
    column_chart,
    tile_map,
    timeline_chart,
    top_n,
)
from tracker.values import PDate


def widths(html: str) -> dict[str, float]:
    return {v: float(w) for w, v in re.findall(r'class="tr-bar[^"]*" style="width:([^"]+)%" data-value="([^"]+)"', html)}


def test_bar_lengths_are_proportional():
    bars = [Bar("A", Decimal(100), "100"), Bar("B", Decimal(50), "50"), Bar("C", Decimal(25), "25", approximate=True)]
    svg = str(bar_chart("c", "T", "D", bars))
    w = widths(svg)
    assert w["100"] / w["50"] == 2 and w["50"] / w["25"] == 2
    assert w["100"] == 100  # the largest bar fills its track
    assert "≈ 25" in svg and "tr-bar--approx" in svg  # approximate: hatched and marked in text, not colour alone
    assert "tr-key--approx" in svg  # ... and the hatching has a key
    # The title and description are visible text that the figure is labelled by.
    assert '<figcaption><span class="tr-figure-title" id="c-title">T</span>' in svg
    assert '<span class="tr-figure-desc" id="c-desc">D</span>' in svg and 'aria-labelledby="c-title"' in svg
    assert "tr-key--approx" not in str(bar_chart("c", "T", "D", bars[:2]))  # no key where nothing is hatched


def test_column_heights_are_proportional():
    html = str(column_chart("y", "T", "D", [("2020", 4), ("2021", 2), ("2022", 1)], "Source: x."))
    heights = dict(re.findall(r'style="height:([^"]+)%" data-value="(\d+)"', html))
    assert {v: float(h) for h, v in heights.items()} == {"4": 100.0, "2": 50.0, "1": 25.0}
    assert '<p class="tr-figure-source">Source: x.</p>' in html


def test_labels_are_escaped():
    svg = str(bar_chart("c", "<b>t</b>", "d", [Bar('<script>alert(1)</script>', Decimal(1), '"&', "/x?a=1&b=<")]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;t&lt;/b&gt;" in svg
    assert "&#34;&amp;" in svg and 'href="/x?a=1&amp;b=&lt;"' in svg


def test_top_n_keeps_the_total():
    bars = [Bar(f"P{i}", Decimal(i), str(i)) for i in range(1, 101)]
    kept = top_n(bars, 10, str)
    assert len(kept) == 10 and kept[-1].label == "91 others"
    assert sum(b.value for b in kept) == sum(b.value for b in bars)
    assert str(bar_chart("c", "t", "d", kept)).count('class="tr-bar"') == 10


def test_tile_map_marks_every_place_and_bins_colour():
    values = {"CN-ZJ": Tile(Decimal(145), "ZJ", "Zhejiang", "$145M", "z/"),
              "CN-JX": Tile(Decimal(116), "JX", "Jiangxi", "$116M"),
              "CN-SH": Tile(None, "SH", "Shanghai", "n/d"), "CN-XX": Tile(Decimal(1), "XX", "Nowhere", "$1")}
    svg = str(tile_map("m", "t", "d", CHINA_TILES, values, {"CN-GS": "Gansu"}))
    assert svg.count('class="tr-tile ') == len(CHINA_TILES) + 1  # unknown codes get a tile in an extra row
    assert "tr-tile--4" in svg and "$145M" in svg and "$116M" in svg and '<a href="z/">' in svg
    assert "<title>Zhejiang: $145M</title>" in svg  # full names in tooltips, not "ZJ"
    assert 'tr-tile--nd' in svg and "n/d: projects, no amount disclosed" in svg  # undisclosed is not 0
    assert "tr-tile--0" in svg  # $1 of $145M: the lowest step
    # Empty tiles carry no visible label, only their name in the tooltip.
    assert ">GS<" not in svg and "<title>Gansu: no projects</title>" in svg
    # The key names each step's range; the highest step starts at 4/5 of the largest value.
    assert svg.count('class="tr-swatch tr-swatch--') == 5 + 2 and "US$116 or more" in svg


def test_timeline_has_every_row_and_mark_kind():
    rows = [Row(f"Project {i}", f"p{i}/", (("Phase 1", PDate(2020), PDate(2021, 6)),),
                ((PDate(2020, 7, 3), "Signed", False, False), (PDate(2021), "Production", True, True),
                 (PDate(2030), "Completion", True, False))) for i in range(5)]
    svg = str(timeline_chart("t", "T", "D", rows, PDate(2026, 11, 25)))
    for i in range(5):
        assert f">Project {i}<" in svg
    assert svg.count("tr-mark--happened") == 5 and svg.count("tr-mark--overdue") == 5
    assert svg.count("tr-mark--planned") == 5 and svg.count('class="tr-phase"') == 5
    assert "as of 25 November 2026" in svg
    assert "<p class=\"tr-figure-source\">S.</p></figure>" in str(timeline_chart("t", "T", "D", rows, PDate(2026), source="S."))


def test_timeline_scales_dates_linearly():
    rows = [Row("P", None, (), ((PDate(2020), "a", False, False), (PDate(2022), "b", False, False),
                               (PDate(2024), "c", False, False)))]
    svg = str(timeline_chart("t", "T", "D", rows, PDate(2024)))
    xs = [float(x) for x in re.findall(r'<circle cx="([^"]+)"', svg)]
    assert abs((xs[1] - xs[0]) - (xs[2] - xs[1])) < 0.2


def test_charts_are_bounded_at_10000_items():
    bars = [Bar(f"Company {i}", Decimal(i + 1), str(i)) for i in range(10_000)]
    svg = str(bar_chart("c", "t", "d", top_n(bars, 12, str)))
    assert len(svg) < 10_000
