"""Big lists are split into pages, and every project and event is on exactly one of them."""

from __future__ import annotations

import re

import pytest

from tests.bench import Generator
from tracker.render import Renderer
from tracker.site import render_tree


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    content = tmp_path_factory.mktemp("paging") / "content"
    Generator(seed=3).write(600, content)
    old = Renderer.EVENTS_PER_PAGE, Renderer.PROJECTS_PER_PAGE
    Renderer.EVENTS_PER_PAGE = 200  # force the month split for busy years
    Renderer.PROJECTS_PER_PAGE = 100  # and several pages for the larger browse groups
    try:
        data, derived, pages = render_tree(content)
    finally:
        Renderer.EVENTS_PER_PAGE, Renderer.PROJECTS_PER_PAGE = old
    return data, derived, pages


def rows_of(page: str) -> list[str]:
    return re.findall(r'<tr><td class="tr-col-main"><a href="[./]*projects/([a-z0-9-]+)/">', page)


def pager_links(page: str) -> list[str]:
    nav = re.search(r'<nav class="tr-pager" aria-label="Pages of this list">(.*?)</nav>', page)
    return re.findall(r'<a href="([^"]+)">', nav.group(1)) if nav else []


def test_projects_list_is_paged(pages):
    data, _, out = pages
    listing = ["projects/index.md"] + sorted((p for p in out if p.startswith("projects-list/")), key=len)
    assert len(listing) == 6  # 600 projects, 100 a page
    seen = []
    for path in listing:
        rows = rows_of(out[path])
        assert len(rows) == 100
        seen += rows
    assert seen == [r["id"] for r in data.records]  # in id order, each once
    assert pager_links(out["projects-list/3.md"]) == [
        "../../projects/", "../../projects-list/2/", "../../projects-list/4/", "../../projects-list/5/",
        "../../projects-list/6/"]


def test_browse_groups_are_paged(pages):
    """A group larger than a page is split; its first page keeps the group's URL, so every link to it holds."""
    data, derived, out = pages
    china = next(g for g in derived.by["country"] if g.key == "CN")
    assert len(china.projects) > 100, "the generator should put enough projects in China for two pages or more"
    slug = derived.slugs[("country", china.key)]
    first = f"browse/country/{slug}.md"
    rest = sorted((p for p in out if p.startswith(f"browse/country/{slug}/")), key=len)
    count = -(-len(china.projects) // 100)
    assert rest == [f"browse/country/{slug}/{n}.md" for n in range(2, count + 1)]
    seen = []
    for n, path in enumerate([first, *rest], start=1):
        text = out[path]
        assert f"page {n} of {count}</h1>" in text
        assert f"{len(china.projects)}</span> projects</p>" in text  # the group's totals on every page
        seen += rows_of(text)
        base = "../../../" if n == 1 else "../../../../"  # browse/country/cn/ and browse/country/cn/2/
        urls = [f"browse/country/{slug}/"] + [f"browse/country/{slug}/{k}/" for k in range(2, count + 1)]
        assert pager_links(text) == [base + u for k, u in enumerate(urls, start=1) if k != n]
    assert seen == china.projects  # every project of the group, once, in id order
    small = next(g for g in derived.by["company"] if len(g.projects) <= 100)
    text = out[f"browse/company/{derived.slugs[('company', small.key)]}.md"]
    assert "tr-pager" not in text and "page 1 of" not in text and len(rows_of(text)) == len(small.projects)


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
