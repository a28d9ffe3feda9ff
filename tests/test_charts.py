"""Chart geometry follows the data: bar lengths proportional, every item present, text escaped, sizes bounded."""

from __future__ import annotations

import re
from decimal import Decimal

from tracker.charts import CHINA_TILES, Bar, Row, bar_chart, compress, tile_map, timeline_chart, top_n
from tracker.values import PDate


def widths(svg: str) -> dict[str, float]:
    return {v: float(w) for w, v in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)" height="[^"]+" '
                                              r'class="tr-bar[^"]*"(?: style="[^"]+")? data-value="([^"]+)"', svg)}


def test_bar_lengths_are_proportional():
    bars = [Bar("A", Decimal(100), "100"), Bar("B", Decimal(50), "50"), Bar("C", Decimal(25), "25", approximate=True)]
    svg = str(bar_chart("c", "T", "D", bars))
    w = widths(svg)
    assert w["100"] / w["50"] == 2 and w["50"] / w["25"] == 2
    assert "≈ 25" in svg and "url(#c-hatch)" in svg  # approximate: hatched and marked in text, not colour alone
    assert '<title id="c-title">T</title><desc id="c-desc">D</desc>' in svg and 'role="img"' in svg
    assert 'role="region" aria-labelledby="c-title"' in svg and 'tabindex="0"' in svg


def test_labels_are_escaped():
    svg = str(bar_chart("c", "<b>t</b>", "d", [Bar('<script>alert(1)</script>', Decimal(1), '"&', "/x?a=1&b=<")]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;t&lt;/b&gt;" in svg
    assert "&#34;&amp;" in svg


def test_top_n_keeps_the_total():
    bars = [Bar(f"P{i}", Decimal(i), str(i)) for i in range(1, 101)]
    kept = top_n(bars, 10, str)
    assert len(kept) == 10 and kept[-1].label == "91 others"
    assert sum(b.value for b in kept) == sum(b.value for b in bars)
    assert str(bar_chart("c", "t", "d", kept)).count("<rect") == 10 + 1  # bars + hatch pattern background


def test_tile_map_marks_every_place_and_bins_colour():
    values = {"CN-ZJ": (Decimal(145), "ZJ", "$145M", "z/"), "CN-JX": (Decimal(116), "JX", "$116M", None),
              "CN-SH": (Decimal(0), "SH", "n/d", None), "CN-XX": (Decimal(1), "XX", "$1", None)}
    svg = str(tile_map("m", "t", "d", CHINA_TILES, values))
    assert svg.count('class="tr-tile ') == len(CHINA_TILES) + 1  # unknown codes get a tile in an extra row
    assert "tr-tile--4" in svg and "$145M" in svg and "$116M" in svg and '<a href="z/">' in svg
    assert compress({"A": (3, 7), "B": (9, 7), "C": (9, 20)}) == {"A": (0, 0), "B": (1, 0), "C": (1, 1)}


def test_timeline_has_every_row_and_mark_kind():
    rows = [Row(f"Project {i}", f"p{i}/", (("Phase 1", PDate(2020), PDate(2021, 6)),),
                ((PDate(2020, 7, 3), "Signed", False, False), (PDate(2021), "Production", True, True),
                 (PDate(2030), "Completion", True, False))) for i in range(5)]
    svg = str(timeline_chart("t", "T", "D", rows, PDate(2026, 11, 25)))
    for i in range(5):
        assert f">Project {i}<" in svg
    assert svg.count("tr-mark--happened") == 5 and svg.count("tr-mark--overdue") == 5
    assert svg.count("tr-mark--planned") == 5 and svg.count('class="tr-phase"') == 5
    assert "as of 25 Nov 2026" in svg


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
