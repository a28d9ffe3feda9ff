"""Stage 7: read every generated HTML file and refuse to publish anything unsafe or broken.

Parsing is done with the standard library's HTMLParser; the rules follow the safety notes.
"""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

FORBIDDEN_TAGS = {"iframe", "object", "embed", "form", "base", "frame", "frameset", "applet"}
URL_ATTRS = {"href", "src", "action", "formaction", "poster", "srcset", "data", "xlink:href", "cite"}
SAFE_SCHEMES = {"", "http", "https", "mailto"}
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


class _Auditor(HTMLParser):
    """Collect findings for one page. Inside the article (where data lands) no script or form at all;
    in the theme's chrome around it, only the theme's own scripts and its search and palette forms."""

    THEME_FORMS = {"md-search__form", "md-header__option"}

    def __init__(self, allowed_scripts: set[str]):
        super().__init__(convert_charrefs=True)
        self.allowed_scripts = allowed_scripts
        self.findings: list[str] = []
        self.in_script = False
        self.article_depth = 0  # >0 while inside <article>
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        where = f"<{tag}>"
        d = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.findings.append(f"{where} has event-handler attribute {name}")
            if name in URL_ATTRS and value is not None:
                scheme = urlsplit(value.strip()).scheme.lower() if ":" in value else ""
                if scheme not in SAFE_SCHEMES:
                    self.findings.append(f"{where} {name} uses scheme '{scheme}:'")
        if tag == "article":
            self.article_depth += 1
        in_article = self.article_depth > 0
        if tag == "form" and not in_article and set((d.get("class") or "").split()) & self.THEME_FORMS:
            pass
        elif tag in FORBIDDEN_TAGS:
            self.findings.append(f"forbidden element {where}")
        if tag == "script":
            self.in_script = True
            src = d.get("src")
            if in_article:
                self.findings.append("script inside the page content")
            elif src is not None and not any(src.endswith(a) for a in self.allowed_scripts):
                self.findings.append(f"script not shipped by the theme: {src}")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False
        elif tag == "article" and self.article_depth:
            self.article_depth -= 1

    def handle_data(self, data):
        if not self.in_script and BIDI.search(data):
            self.findings.append("bidi override character in text")


def theme_scripts() -> set[str]:
    """Script files the theme and our own docs/assets ship."""
    import material

    base = Path(material.__file__).parent / "templates" / "assets" / "javascripts"
    names = {str(p.relative_to(base.parent.parent)) for p in base.rglob("*.js")}
    return names | {"assets/tracker.js"}


def audit_site(site: Path) -> list[str]:
    """Return a list of problems found in the built site (empty when it is safe to publish)."""
    allowed = theme_scripts()
    findings = []
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        a = _Auditor(allowed)
        a.feed(text)
        rel = path.relative_to(site).as_posix()
        findings += [f"{rel}: {f}" for f in a.findings]
        findings += [f"{rel}: {f}" for f in _broken_links(path, site, files, text)]
    return findings


_HREF = re.compile(r'\shref="([^"#?:]*)(?:[#?][^"]*)?"')


def _broken_links(path: Path, site: Path, files: set[str], text: str | None = None) -> list[str]:
    """Internal relative links must lead to a page of the site (raw HTML links bypass MkDocs' checks).

    Links are resolved as a browser does, on the URL path (no file-system calls: thousands of pages)."""
    out = []
    here = path.parent.relative_to(site).as_posix()
    for href in set(_HREF.findall(path.read_text(encoding="utf-8") if text is None else text)):
        if not href or href.startswith("/"):
            continue
        rel = posixpath.normpath(posixpath.join(here, href))
        if rel == ".." or rel.startswith("../"):
            out.append(f"link leaves the site: {href}")
            continue
        if rel not in files and f"{rel}/index.html".lstrip("/") not in files and rel != ".":
            out.append(f"broken link: {href}")
    return out
