"""The web's own checkers on every page kind: the Nu Html Checker (zero errors) and axe-core (no serious or
critical WCAG 2.2 AA violation at phone and desktop widths, light and dark). Also records page weights.

Needs Java and `npm ci` (node_modules/vnu-jar, node_modules/axe-core); `make test` installs both. Missing
tools fail these tests, they never skip them.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from tests.browser import chromium, serve
from tests.conftest import ROOT

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WEIGHTS = ROOT / "test-output" / "page-weights.json"
INSTALL_HINT = "run `npm ci --no-audit --no-fund --ignore-scripts` (make test does it)"

# Page kinds and their representative page. Pages of one template share a kind (FAMILIES); any other page
# the build emits is found by discover(), so a new page kind is checked without editing this file.
FIXED = {
    "home": "index.html",
    "projects": "projects/index.html",
    "project": "projects/anyuan-tianyou-led-packaging/index.html",
    "timeline": "timeline/index.html",
    "summary": "summary/index.html",
    "methodology": "methodology/index.html",
    "contributing": "contributing/index.html",
    "record-format": "contributing/record-format/index.html",
    "404": "404.html",
}
FAMILIES = {"project": "projects/*/index.html", "browse-item": "browse/*/*/index.html"}
# Otherwise a folder holding this many page folders is one family ("<folder>/*"). The Nu checker checks every
# page; axe checks the representative (FIXED, else the first) of each kind.
GROUP_AT = 3
WIDTHS = (390, 1280)
SCHEMES = ("light", "dark")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
PROJECT_PAGE_LIMIT = 60_000

# Known defects of the theme's own markup that the Nu checker reports, allowed here rather than fixed in a copy
# of the theme's template (a copy goes stale at every theme release, and ties the site to this theme): the
# message's start and a pattern its extract must match. test_theme_allowances_are_still_needed fails once the
# theme fixes one, so that it is removed.
THEME_ALLOWANCES = [
    # Material puts autocomplete="off" on its drawer and search toggle checkboxes (so that a browser never
    # restores them open); HTML allows autocomplete only on text-like inputs.
    ("Attribute “autocomplete” is only allowed when the input type is",
     re.compile(r'type="checkbox" id="__(drawer|search)" autocomplet')),
    # Material's nav-item.html writes tabindex="" on the label of an expanded navigation section (Contribute).
    ("Bad value “” for attribute “tabindex” on element “label”",
     re.compile(r'<label class="md-nav__link" for="__nav_\d+" id="__nav_\d+_label" tabindex="">')),
]


def theme_allowed(message: dict) -> bool:
    return any(message.get("message", "").startswith(text) and pattern.search(message.get("extract") or "")
               for text, pattern in THEME_ALLOWANCES)


def _matches(rel: str, pattern: str) -> bool:
    parts, pats = rel.split("/"), pattern.split("/")
    return len(parts) == len(pats) and all(fnmatch.fnmatchcase(a, b) for a, b in zip(parts, pats, strict=True))


def discover(site: Path) -> dict[str, list[str]]:
    """Every HTML page of the site by page kind: {kind: [representative first, then the others]}."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    folders: dict[str, int] = defaultdict(int)  # page folders per folder
    for rel in pages:
        if rel.endswith("/index.html"):
            folders[rel.rsplit("/", 2)[0] if rel.count("/") >= 2 else ""] += 1
    fixed = {path: kind for kind, path in FIXED.items()}
    kinds: dict[str, list[str]] = defaultdict(list)
    for rel in pages:
        family = next((k for k, pattern in FAMILIES.items() if _matches(rel, pattern)), None)
        if family:
            kind = family
        elif rel in fixed:
            kind = fixed[rel]
        elif rel.count("/") >= 2 and folders[rel.rsplit("/", 2)[0]] >= GROUP_AT:
            kind = rel.rsplit("/", 2)[0] + "/*"
        else:
            kind = rel.removesuffix("index.html").rstrip("/") or rel
        kinds[kind].append(rel)
    for kind, path in FIXED.items():  # the named representative goes first
        if path in kinds.get(kind, []):
            kinds[kind].remove(path)
            kinds[kind].insert(0, path)
    return dict(kinds)


def url_of(rel: str) -> str:
    return rel.removesuffix("index.html")


def run_vnu(site: Path, pages: list[str]) -> list[dict]:
    """One Nu Html Checker run over the given pages; its error messages, each with a site-relative "page"."""
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("java not found: install a Java runtime (apt-get install default-jre-headless)")
    if not VNU_JAR.is_file():
        raise RuntimeError(f"{VNU_JAR.relative_to(ROOT)} not found: {INSTALL_HINT}")
    files = [str(site / rel) for rel in pages]
    proc = subprocess.run([java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *files],
                          capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(proc.stderr or proc.stdout)  # vnu writes its JSON report to stderr
    except json.JSONDecodeError:
        raise RuntimeError(f"vnu failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}") from None
    root = str(site.resolve()) + "/"  # vnu reports file:/path URLs
    return [{**m, "page": m.get("url", "").partition(root)[2] or m.get("url")} for m in report.get("messages", [])]


def format_vnu(messages: list[dict]) -> str:
    return "\n".join(f"{m['page']}:{m.get('lastLine', '?')}: {m.get('type')}: {m.get('message')}\n"
                     f"    {(m.get('extract') or '').strip()[:160]!r}" for m in messages)


def run_axe(page) -> list[dict]:
    """axe-core (injected by the context's init script) with the WCAG 2.2 A/AA rules: serious and critical."""
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                           "resultTypes: ['violations']})", AXE_TAGS)
    return [v for v in result["violations"] if v.get("impact") in BLOCKING]


def format_axe(where: str, violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{where}: {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")[:200]
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def test_theme_is_customised_through_blocks_only():
    """overrides/ extends the theme's templates through their blocks (main.html); it holds no copies of them."""
    overrides = sorted(p.relative_to(ROOT / "overrides").as_posix() for p in (ROOT / "overrides").rglob("*.html"))
    assert overrides == ["main.html"]
    assert (ROOT / "overrides" / "main.html").read_text().count('{% extends "base.html" %}') == 1


@pytest.fixture(scope="module")
def site(bundled_site):
    return bundled_site


@pytest.fixture(scope="module")
def kinds(site):
    return discover(site)


def test_every_page_kind_is_checked(kinds):
    assert set(FIXED) <= set(kinds), f"missing page kinds: {sorted(set(FIXED) - set(kinds))}"


def test_nu_html_checker_finds_no_errors(site, kinds):
    pages = [rel for group in kinds.values() for rel in group]
    errors = [m for m in run_vnu(site, pages) if not theme_allowed(m)]
    assert not errors, f"Nu Html Checker: {len(errors)} errors\n{format_vnu(errors)}"


def test_theme_allowances_are_still_needed(site):
    """Each allowance matches a real error: once the theme fixes it, remove the allowance."""
    messages = run_vnu(site, ["index.html", "contributing/index.html"])
    for text, pattern in THEME_ALLOWANCES:
        assert any(m["message"].startswith(text) and pattern.search(m.get("extract") or "") for m in messages), text
    # ... and the filter lets nothing else through: an error of ours on the same element is still reported.
    assert not theme_allowed({"message": "Bad value “” for attribute “tabindex” on element “label”",
                              "extract": '<label class="tr-x" tabindex="">'})


def test_axe_finds_no_serious_or_critical_violations(site, kinds):
    if not AXE_JS.is_file():
        raise RuntimeError(f"{AXE_JS.relative_to(ROOT)} not found: {INSTALL_HINT}")
    failures = []
    with serve(site) as base, chromium() as browser:
        for width in WIDTHS:
            for scheme in SCHEMES:  # one context per width and palette, reused for every page kind
                context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
                context.add_init_script(path=str(AXE_JS))
                page = context.new_page()
                for kind, group in kinds.items():
                    page.goto(base + url_of(group[0]), wait_until="load")
                    palette = page.evaluate("document.body.dataset.mdColorScheme")
                    assert palette == {"light": "default", "dark": "slate"}[scheme], f"{kind}: palette {palette}"
                    found = run_axe(page)
                    if found:
                        failures.append(format_axe(f"{kind} ({url_of(group[0]) or '/'}) at {width}px {scheme}", found))
                context.close()
    assert not failures, "axe-core serious/critical violations:\n" + "\n".join(failures)


def test_page_weights(site, kinds):
    """Bytes of HTML per page kind into test-output/page-weights.json (for `make bench`); cap the project page."""
    weights = {}
    for kind, group in sorted(kinds.items()):
        sizes = {rel: (site / rel).stat().st_size for rel in group}
        weights[kind] = {"page": group[0], "bytes": sizes[group[0]], "pages": len(group),
                         "max_bytes": max(sizes.values())}
    WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
    WEIGHTS.write_text(json.dumps(weights, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    project = weights["project"]["bytes"]
    assert project < PROJECT_PAGE_LIMIT, f"{FIXED['project']} is {project} bytes (limit {PROJECT_PAGE_LIMIT})"
