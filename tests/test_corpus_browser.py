"""Every accepted corpus case in one real site, opened in headless Chromium: payloads show as text, never run.

The site is built by the real pipeline (tracker.site.build: strict MkDocs build and audit included).
On each page: no dialog opens, nothing is logged as an error, no request leaves 127.0.0.1, the page's
content holds no script, event handler or non-http(s) link, and the payloads are visible as plain text
(expected.json "visible"), or survive whole as a link's address ("hrefs").
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit

import pytest

from tests.browser import chromium, serve
from tests.test_corpus import SHARED, expected, install, make_content
from tracker import site as site_mod

ACCEPTED = [n for n in SHARED if expected(n)["exit"] == 0]  # cases that change the settings run alone
SAFE = [n for n in ACCEPTED if expected(n)["verdict"] == "renders-safely"]
LISTINGS = ["", "projects/", "timeline/", "summary/", "browse/"]

# What the browser parsed inside the page content: anything here would be code or a way out.
DOM_CHECK = """() => {
  const root = document.querySelector("article") || document.body;
  const bad = [];
  for (const el of root.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    if (["script", "iframe", "object", "embed", "form", "base", "meta", "style", "link", "img", "foreignobject"].includes(tag))
      bad.push("<" + tag + ">");
    for (const a of el.attributes) {
      if (a.name.startsWith("on")) bad.push(tag + " " + a.name);
      if (["href", "src", "action", "formaction", "xlink:href"].includes(a.name)) {
        const url = new URL(a.value, document.baseURI);
        if (!["http:", "https:", "mailto:"].includes(url.protocol)) bad.push(tag + " " + a.name + "=" + a.value);
      }
    }
  }
  return bad;
}"""


HAS_HREF = "u => [...document.querySelectorAll('article a')].some(a => a.getAttribute('href') === u)"


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus-site")
    content = make_content(root / "content")
    for name in ACCEPTED:
        install(name, content / "projects")
    site = root / "site"
    site_mod.build(content, site)  # raises if MkDocs or the audit finds anything
    with serve(site) as url:
        yield site, url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def test_corpus_has_payloads():
    assert len(SAFE) >= 5
    assert all(expected(n).get("visible") for n in SAFE)


def test_accepted_cases_render_safely_in_a_browser(corpus_site, browser):
    site, url = corpus_site
    host = urlsplit(url).netloc
    project_pages = sorted(p.parent.name for p in (site / "projects").glob("*/index.html"))
    records = {p.stem for p in (site.parent / "content" / "projects").glob("*.yaml")}
    assert records <= set(project_pages), records - set(project_pages)
    visible = {rid: texts for n in SAFE for rid, texts in expected(n)["visible"].items()}
    hrefs = {rid: urls for n in SAFE for rid, urls in expected(n).get("hrefs", {}).items()}

    context = browser.new_context()
    page = context.new_page()
    dialogs, errors, foreign = [], [], []
    page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.type} {d.message}"), d.dismiss()))
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))

    def on_request(r):
        parts = urlsplit(r.url)
        if parts.scheme not in ("data", "blob", "about") and parts.netloc != host:
            foreign.append(r.url)

    page.on("request", on_request)
    missing, unsafe = [], []
    for path in [*LISTINGS, *(f"projects/{rid}/" for rid in project_pages)]:
        page.goto(url + path, wait_until="networkidle")
        page.mouse.move(200, 300)  # hover the content once: no onmouseover may fire either
        unsafe += [f"{path}: {b}" for b in page.evaluate(DOM_CHECK)]
        text = page.inner_text("article") if page.locator("article").count() else page.inner_text("body")
        rid = path.removeprefix("projects/").rstrip("/")
        missing += [f"{path}: {t!r}" for t in visible.get(rid, []) if t not in text]
        missing += [f"{path}: href {u!r}" for u in hrefs.get(rid, []) if not page.evaluate(HAS_HREF, u)]
    context.close()
    assert dialogs == []
    assert errors == []
    assert foreign == []
    assert unsafe == []
    assert missing == []
    assert set(visible) <= set(project_pages)


def test_payloads_are_literal_in_the_html(corpus_site):
    """The markers of template injection stay literal: no 49 where {{ 7*7 }} was written, no command output."""
    site, _ = corpus_site
    page = (site / "projects" / "tpl-injection" / "index.html").read_text(encoding="utf-8")
    assert "{{ 7*7 }}" in page and "cycler.__init__.__globals__" in page
    assert "uid=" not in page
    every = (site / "projects" / "xss-every-text-field" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in every and "<script>alert(1)" not in every
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((site / "data" / "projects.csv").read_text("utf-8-sig")))}
    assert rows["xss-csv-formula"]["title"].startswith("'=HYPERLINK(")  # never a live formula in a spreadsheet
