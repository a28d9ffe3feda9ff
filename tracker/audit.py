"""Stage 7: read every generated HTML file and refuse to publish anything unsafe or broken.

Pages are parsed with lexbor (through selectolax), a C implementation of the WHATWG HTML parsing
algorithm: the tree checked here is the tree a browser builds, and parsing 10,000 pages takes
seconds rather than minutes. The work is shared between the machine's cores. The rules follow the
safety notes.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from . import parallel

FORBIDDEN_TAGS = {"iframe", "object", "embed", "form", "base", "frame", "frameset", "applet"}
URL_ATTRS = {"href", "src", "action", "formaction", "poster", "srcset", "data", "xlink:href", "cite"}
SAFE_SCHEMES = {"", "http", "https", "mailto"}
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# In the theme's chrome around the article, only the theme's own search and palette forms.
THEME_FORMS = {"md-search__form", "md-header__option"}


def audit_page(text: str, rel: str, allowed_scripts: set[str], files: set[str]) -> list[str]:
    """Findings for one page at path rel of the site. Inside the article (where data lands) no script
    or form at all; in the theme's chrome around it, only the theme's own scripts and forms."""
    tree = LexborHTMLParser(text)
    findings: list[str] = []
    hrefs: set[str] = set()
    for node in tree.root.traverse() if tree.root else ():
        tag = node.tag
        where = f"<{tag}>"
        for name, value in node.attributes.items():
            if name.startswith("on"):
                findings.append(f"{where} has event-handler attribute {name}")
            elif name in URL_ATTRS and value is not None:
                value = value.strip()
                scheme = urlsplit(value).scheme.lower() if ":" in value else ""
                if scheme not in SAFE_SCHEMES:
                    findings.append(f"{where} {name} uses scheme '{scheme}:'")
                elif name == "href" and not scheme:
                    hrefs.add(value)
        if tag == "script":
            src = node.attributes.get("src")
            if src is not None and not any(src.endswith(a) for a in allowed_scripts):
                findings.append(f"script not shipped by the theme: {src}")
        elif tag == "form" and set((node.attributes.get("class") or "").split()) & THEME_FORMS:
            pass  # checked below: never inside the article
        elif tag in FORBIDDEN_TAGS:
            findings.append(f"forbidden element {where}")
    findings += ["script inside the page content" for _ in tree.css("article script")]
    findings += ["forbidden element <form>" for node in tree.css("article form")
                 if set((node.attributes.get("class") or "").split()) & THEME_FORMS]
    if BIDI.search(text):  # rare: only then walk the text nodes
        for node in tree.root.traverse(include_text=True):
            if node.tag == "-text" and node.parent is not None and node.parent.tag != "script":
                if BIDI.search(node.text_content or ""):
                    findings.append("bidi override character in text")
                    break
    findings += broken_links(rel, hrefs, files)
    return findings


def theme_scripts() -> set[str]:
    """Script files the theme and our own docs/assets ship."""
    import material

    base = Path(material.__file__).parent / "templates" / "assets" / "javascripts"
    names = {str(p.relative_to(base.parent.parent)) for p in base.rglob("*.js")}
    return names | {"assets/tracker.js"}


def audit_site(site: Path) -> list[str]:
    """Return a list of problems found in the built site (empty when it is safe to publish)."""
    allowed = theme_scripts()
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    pages = sorted(f for f in files if f.endswith(".html"))

    def run(share: list[str]) -> list[tuple[str, list[str]]]:
        return [(rel, audit_page((site / rel).read_text(encoding="utf-8"), rel, allowed, files)) for rel in share]

    found = dict(pair for part in parallel.split(run, pages) for pair in part)
    return [f"{rel}: {f}" for rel in pages for f in found[rel]]


def broken_links(rel: str, hrefs: set[str], files: set[str]) -> list[str]:
    """Internal relative links must lead to a page of the site (raw HTML links bypass MkDocs' checks).

    Links are resolved as a browser does, on the URL path (no file-system calls: thousands of pages)."""
    out = []
    here = posixpath.dirname(rel)
    for href in sorted(hrefs):
        path = re.split(r"[#?]", href, maxsplit=1)[0]
        if not path or path.startswith("/"):
            continue
        target = posixpath.normpath(posixpath.join(here, path))
        if target == ".." or target.startswith("../"):
            out.append(f"link leaves the site: {href}")
        elif target not in files and f"{target}/index.html".lstrip("/") not in files and target != ".":
            out.append(f"broken link: {href}")
    return out
