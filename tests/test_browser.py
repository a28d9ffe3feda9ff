"""What a reader sees, in a real browser: every page kind loads cleanly at phone and desktop widths."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser import chromium, serve
from tests.conftest import CONTENT, ROOT
from tracker.content import load_content

SHOTS = ROOT / "test-output" / "screenshots"
PAGES = {
    "home": "",
    "projects": "projects/",
    "project": "projects/anyuan-tianyou-led-packaging/",
    "timeline": "timeline/",
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


def test_search_works_offline(site_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.keyboard.type("Tianyou")
    page.wait_for_selector(".md-search-result__item", timeout=10000)
    assert "Tianyou" in page.locator(".md-search-result").inner_text()
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
