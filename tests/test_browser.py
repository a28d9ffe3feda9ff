"""What a reader sees, in a real browser: every page kind loads cleanly at phone and desktop widths."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import chromium, serve
from tests.conftest import CONTENT, ROOT
from tracker.content import load_content

SHOTS = ROOT / "test-output" / "screenshots"
PAGES = {
    "home": "",
    "projects": "projects/",
    "explore": "explore/",
    "project": "projects/anyuan-tianyou-led-packaging/",
    "timeline": "timeline/",
    "changes": "changes/",
    "summary": "summary/",
    "methodology": "methodology/",
    "contributing": "contributing/",
    "record-format": "contributing/record-format/",
}


@pytest.fixture(scope="module")
def site_url(bundled_site):
    with serve(bundled_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_pages_load_cleanly(site_url, browser, width, scheme):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    errors, foreign = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    host = urlsplit(site_url).netloc
    page.on("request", lambda r: foreign.append(r.url) if urlsplit(r.url).netloc not in (host, "") else None)
    for name, path in PAGES.items():
        page.goto(site_url + path, wait_until="networkidle")
        assert page.locator("h1").first.is_visible(), name
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} overflows by {overflow}px at {width}px"
        page.screenshot(path=str(SHOTS / f"{name}-{width}-{scheme}.png"), full_page=True)
    context.close()
    assert foreign == []
    assert errors == []


def test_sortable_table_announces_sort_state(site_url, browser):
    page = browser.new_page()
    page.goto(site_url + "projects/")
    button = page.get_by_role("button", name="Project")
    button.click()
    header = page.locator("th[aria-sort]")
    assert header.get_attribute("aria-sort") == "ascending"
    first = page.locator("table.tr-sortable tbody tr td:first-child").all_inner_texts()
    assert first == sorted(first, key=str.lower)
    button.click()
    assert header.get_attribute("aria-sort") == "descending"
    page.close()


def test_tables_readable_without_javascript(site_url, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "projects/")
    rows = page.locator("table.tr-sortable tbody tr").count()
    assert rows == len(load_content(CONTENT).records)
    assert "CNY 800 million" in page.content()
    context.close()


def test_search_works_offline_and_ranks_a_projects_own_page_first(site_url, browser):
    """The header's search (Pagefind) opens with "/", loads its index from the site itself, and finds a
    project's own page first for its company and for its place; related lists are not indexed."""
    records = load_content(CONTENT).records
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    host = urlsplit(site_url).netloc
    foreign = []
    page.on("request", lambda r: foreign.append(r.url) if urlsplit(r.url).netloc not in (host, "") else None)
    page.goto(site_url, wait_until="networkidle")
    assert page.get_by_role("button", name="Search").is_visible()
    page.keyboard.press("/")
    dialog = page.get_by_role("dialog", name="Search the tracker")
    assert dialog.is_visible()
    box = page.locator(".pagefind-ui__search-input")
    # "Micron" names two companies (Micron Technology and Hana Micron): their four project pages come first,
    # in an order Pagefind's ranking decides, before any listing or guide that mentions them
    for query, expect in (("Micron", lambda r: "Micron" in r["title"]),
                          ("Kaohsiung", lambda r: r["location"].get("region") == "TW-KHH")):
        box.fill("")
        box.press_sequentially(query)
        page.wait_for_function("document.querySelectorAll('.pagefind-ui__result').length > 0")
        page.wait_for_timeout(500)
        titles = page.locator("li.pagefind-ui__result > div > .pagefind-ui__result-title").all_inner_texts()
        wanted = {r["title"] for r in records if expect(r)}
        assert wanted and set(titles[: len(wanted)]) == wanted, (query, titles[:5])
        assert "Related projects" not in dialog.inner_text()
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert foreign == []
    page.close()


def test_project_page_prints_without_navigation(site_url, browser):
    """Print: no navigation, sources with their full URLs once, and the as-of date on the page."""
    page = browser.new_page(viewport={"width": 794, "height": 1123})
    page.goto(site_url + "projects/anyuan-tianyou-led-packaging/")
    page.emulate_media(media="print")
    assert not page.locator(".md-sidebar--primary").is_visible()
    assert not page.locator(".md-header").is_visible()
    text = page.inner_text("article")
    url = "https://www.kiterocket.com/advanced-packaging-projects-signed-in-jiaxing-and-jiangxi-provinces/"
    after = page.evaluate("getComputedStyle(document.querySelector('.tr-sources a'), '::after').content")
    assert url in after  # the full URL printed after the link text
    assert url not in text  # ... and not a second time
    assert "Data as of" in text
    page.close()


# Layout rules a reader relies on, checked on every page kind at phone and desktop width in both palettes.
LAYOUT_PAGES = {**PAGES, "browse": "browse/", "country": "browse/country/cn/", "region": "browse/region/cn-zj/",
                "year": "timeline/2020/", "data": "data/",
                # public support, history, a stale status and a locator map; an undated event
                "project-support": "projects/amkor-peoria-arizona/", "project-undated": "projects/silicon-box-novara-italy/"}
LAYOUT_JS = """() => {
  const out = {split: [], small: [], untitled: [], zero: []};
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none" &&
           !el.closest("[hidden], .md-search, .md-sidebar--primary:not(:hover) .md-nav__title") };
  // 1. No word split across lines in a table cell.
  for (const cell of document.querySelectorAll(".md-content table td, .md-content table th")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
      for (const m of node.data.matchAll(/[^\\s\\-\\u2013\\/]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) out.split.push(m[0]);
      }
    }
  }
  // 2. No visible text under 11 CSS px (SVG text at the size it is drawn).
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.data.trim());
    if (!own || !visible(el)) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement && el.getScreenCTM()) size *= el.getScreenCTM().a;
    if (size < 10.95) out.small.push(el.tagName + "." + el.getAttribute("class") + ": " + el.textContent.trim().slice(0, 30) + " " + size.toFixed(1));
  }
  // 3. Every chart is a figure whose title is visible text.
  for (const chart of document.querySelectorAll("svg.tr-chart, svg.tr-geo, ol.tr-bars, ol.tr-cols")) {
    const title = chart.closest("figure") && chart.closest("figure").querySelector(".tr-figure-title");
    if (!title || !visible(title) || !title.textContent.trim()) out.untitled.push(chart.id || chart.className);
  }
  // 4. Nothing undisclosed shown as 0 in a money cell.
  for (const cell of document.querySelectorAll(".md-content td.tr-money")) {
    const text = cell.textContent.trim();
    if (/^(≈ )?(US\\$|[A-Z]{3} )?0( |$)/.test(text)) out.zero.push(text);
    if (cell.dataset.sort === "-1" && !/n\\/d|not converted/.test(text)) out.zero.push("sorted as undisclosed: " + text);
  }
  return out;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_layout_rules_hold_on_every_page_kind(site_url, browser, width, scheme):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    problems = []
    for name, path in LAYOUT_PAGES.items():
        page.goto(site_url + path, wait_until="load")
        found = page.evaluate(LAYOUT_JS)
        problems += [f"{name} at {width}px: {kind}: {found[kind][:5]}" for kind in found if found[kind]]
    context.close()
    assert problems == [], "\n".join(problems)


def test_layout_checks_catch_what_they_look_for(site_url, browser):
    """The rules above are live: a crushed column splits words, a 9 px label is small, a bare SVG is untitled,
    a 0 in a money cell is reported."""
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(site_url + "summary/")
    page.evaluate("""() => {
      const cell = document.querySelector('.md-content td.tr-money');
      cell.textContent = 'US$0';
      const t = document.querySelector('.md-content table');
      t.style.tableLayout = 'fixed'; t.style.width = '200px'; t.style.minWidth = '0';
      t.querySelector('th').style.wordBreak = 'break-all';
      t.querySelector('th').textContent = 'Internationalisation';
      document.querySelector('.tr-figure-title').style.fontSize = '9px';
      const bare = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      bare.setAttribute('class', 'tr-chart'); bare.id = 'bare'; bare.setAttribute('width', '10');
      bare.setAttribute('height', '10');
      document.querySelector('.md-content').appendChild(bare);
    }""")
    found = page.evaluate(LAYOUT_JS)
    page.close()
    assert "Internationalisation" in found["split"]
    assert any("tr-figure-title" in s for s in found["small"])
    assert "bare" in found["untitled"]
    assert "US$0" in found["zero"]


def test_dates_sort_by_their_first_day(site_url, browser):
    """A year-only date ('2023') sorts among full dates by its first day, in both directions."""
    page = browser.new_page()
    page.goto(site_url + "projects/")
    button = page.get_by_role("button", name="Announced or signed")
    for direction in ("ascending", "descending"):
        button.click()
        keys = page.locator("table.tr-sortable tbody tr td:nth-child(4)").evaluate_all(
            "cells => cells.map(c => c.dataset.sort)")
        assert any(len(k) == 10 and k.endswith("-01-01") for k in keys)  # the bundled data has year-only dates
        assert keys == sorted(keys, reverse=direction == "descending"), direction
    page.close()


def test_time_charts_open_at_the_recent_end_on_phones(site_url, browser):
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(site_url + "timeline/", wait_until="load")
    box = page.locator(".tr-chartbox:has(.tr-chart--timeline)").first
    left, width, client = box.evaluate("b => [b.scrollLeft, b.scrollWidth, b.clientWidth]")
    assert width > client and left >= width - client - 1  # scrolled to the right end
    assert page.locator(".tr-scroll-hint:visible").count() >= 1  # and a visible cue that it scrolls
    page.close()


def test_explorer_filters_counts_shares_and_downloads(site_url, browser):
    """HBM packaging in Taiwan under construction, largest first, is a question the explorer answers; the view
    is in the address, the facet counts follow the other filters, and the CSV holds exactly the rows shown."""
    records = load_content(CONTENT).records
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(site_url + "explore/?country=IN")
    page.wait_for_selector(".tr-explore[data-interactive]")
    india = [r for r in records if r["location"]["country"] == "IN"]
    assert page.locator("table.tr-sortable tbody tr").count() == len(india)
    assert page.locator(".tr-explore-count").inner_text().startswith(f"{len(india)} of {len(records)} projects")
    statuses = {r["status"]["value"] for r in india}
    options = page.locator("select[data-filter=status] option").all_inner_texts()
    assert len(options) == 1 + len(statuses)  # "All" and each status that Indian projects have, with counts
    status = sorted(statuses)[0]
    page.select_option("select[data-filter=status]", status)
    expected = sorted((r for r in india if r["status"]["value"] == status), key=lambda r: r["title"])
    assert f"status={status}" in page.url and "country=IN" in page.url
    titles = page.locator("table.tr-sortable tbody td.tr-col-main").all_inner_texts()
    assert sorted(titles) == [r["title"] for r in expected]
    with page.expect_download() as download:
        page.get_by_role("button", name="Download this view (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    lines = text.strip().split("\n")
    assert lines[0].startswith("id,title,") and len(lines) == 1 + len(expected)
    # A shared address opens the same view.
    other = context.new_page()
    other.goto(page.url)
    other.wait_for_selector(".tr-explore[data-interactive]")
    assert sorted(other.locator("table.tr-sortable tbody td.tr-col-main").all_inner_texts()) == sorted(titles)
    # An amount range leaves out the undisclosed, never counting them as zero.
    page.get_by_role("button", name="Clear filters").click()
    page.fill("input[data-filter=min]", "0")
    shown = page.locator("table.tr-sortable tbody tr").count()
    assert shown == sum(1 for r in records if isinstance(r["investment"].get("amount"), Decimal))
    context.close()


def test_explorer_without_javascript_is_the_projects_table(site_url, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "explore/")
    assert not page.locator(".tr-explore").is_visible()  # no dead controls
    assert page.locator("table.tr-sortable tbody tr").count() == len(load_content(CONTENT).records)
    context.close()
