"""Big lists are split into pages, and every project and event is on exactly one of them."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.bench import Generator
from tracker.render import Renderer
from tracker.site import render_tree


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    content = tmp_path_factory.mktemp("paging") / "content"
    Generator(seed=3).write(600, content)
    old = Renderer.EVENTS_PER_PAGE
    Renderer.EVENTS_PER_PAGE = 200  # force the month split for busy years
    try:
        data, derived, pages = render_tree(content)
    finally:
        Renderer.EVENTS_PER_PAGE = old
    return data, derived, pages


def test_projects_list_is_paged(pages):
    data, _, out = pages
    listing = ["projects/index.md"] + sorted(p for p in out if p.startswith("projects-list/"))
    assert len(listing) == 3  # 600 projects, 250 a page
    seen = Counter()
    for path in listing:
        rows = re.findall(r'<tr><td><a href="[./]*projects/([a-z0-9-]+)/">', out[path])
        assert len(rows) <= 250
        seen.update(rows)
    assert seen == Counter(r["id"] for r in data.records)


def test_every_event_on_exactly_one_year_or_month_page(pages):
    _, derived, out = pages
    leaf = [p for p in out if p.startswith("timeline/") and p != "timeline/index.md"]
    months = [p for p in leaf if re.fullmatch(r"timeline/\d{4}-\d{2}\.md", p)]
    assert months, "busy years should be split by month"
    split_years = {p[9:13] for p in months}
    total = 0
    for path in leaf:
        if re.fullmatch(r"timeline/\d{4}\.md", path) and path[9:13] in split_years:
            assert "<li class=" not in out[path]  # a split year's page only links to its months
            continue
        total += out[path].count('<li class="tr-')
    assert total == len(derived.events)
    front = out["timeline/index.md"]
    assert front.count('<li class="tr-') == min(300, len(derived.events))
