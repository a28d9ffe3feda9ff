"""End to end: real records on disk, a real strict MkDocs build, determinism and atomic publishing."""

from __future__ import annotations

import hashlib
import html
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_validate import MINIMAL, write
from tracker import site as site_mod
from tracker.errors import BuildFailed, ValidationFailed


def tree_hash(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        h.update(p.relative_to(path).as_posix().encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


def strays(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.glob(f"{site_mod.TMP_PREFIX}*"))


@pytest.fixture
def built(content, tmp_path):
    site = tmp_path / "site"
    site_mod.build(content, site)
    return site


def test_every_page_kind_exists(built):
    for page in ["index.html", "projects/index.html", "timeline/index.html", "summary/index.html",
                 "methodology/index.html", "contributing/index.html", "contributing/record-format/index.html",
                 "projects/anyuan-tianyou-led-packaging/index.html", "projects/jiaxing-ic-packaging-mems/index.html",
                 "pagefind/pagefind-entry.json", "sitemap.xml"]:
        assert (built / page).is_file(), page


def test_build_does_not_keep_the_records_cached(built):
    # serve keeps parsed records between refreshes; a one-off build frees them before MkDocs runs
    from tracker import content as content_mod

    assert not content_mod._RECORD_CACHE


def test_seed_question_in_two_clicks(built):
    """What was signed in Zhejiang in July 2020, for how much, and what was planned next?"""
    home = (built / "index.html").read_text()
    assert 'href="projects/jiaxing-ic-packaging-mems/"' in home  # click 1: latest announcements
    page = (built / "projects/jiaxing-ic-packaging-mems/index.html").read_text()  # click 2
    assert "Zhejiang" in page and "3 July 2020" in page and "CNY 1 billion" in page
    assert "Groundbreaking" in page and "planned" in page and "overdue" in page


def test_project_page_shows_as_reported_spellings_and_conversion(built):
    page = html.unescape((built / "projects/anyuan-tianyou-led-packaging/index.html").read_text())  # “ is &#8220;
    assert "Dongguan Tianyou Semiconductor Ltd." in page
    assert "as reported: “Dogguang Tianyou Semiconductor Ltd.”" in page
    assert "Xheijian" in page
    # 800,000,000 CNY / 6.9042 (2020 average) = 115,871,499 USD, shown to 3 significant digits
    assert "US$116 million" in page and "6.9042" in page


def test_build_is_deterministic(content, tmp_path):
    a, b = tmp_path / "a" / "site", tmp_path / "b" / "site"
    site_mod.build(content, a)
    site_mod.build(content, b)
    assert tree_hash(a) == tree_hash(b)


def test_broken_record_leaves_site_untouched(content, built):
    before = tree_hash(built)
    write(content, "broken", MINIMAL.format(id="broken").replace("CNY", "RMB"))
    with pytest.raises(ValidationFailed):
        site_mod.build(content, built)
    assert tree_hash(built) == before
    assert strays(built.parent) == []


@pytest.mark.parametrize("hostile", ["site_url", "vocabulary", "fifo", "markdown"])
def test_hostile_settings_and_files_leave_inputs_and_site_untouched(content, built, hostile):
    """Each class of issue 28 refused by the build itself (not only by check): the previous site and
    every input file stay byte-identical."""
    import os

    site_yaml, vocab = content / "site.yaml", content / "vocabularies.yaml"
    if hostile == "site_url":
        site_yaml.write_text(site_yaml.read_text() + "site_url: 'https://example.org/\"><script>alert(1)</script>'\n")
    elif hostile == "vocabulary":
        vocab.write_text(vocab.read_text().replace("label: Signed", "label: 'Signed", 1))
    elif hostile == "fifo":
        os.mkfifo(content / "projects" / "pipe.yaml")
    else:
        write(content, "deep", MINIMAL.format(id="deep") + "notes: |\n  x\n  " + "- " * 500 + "x\n")
    inputs, before = tree_hash(content), tree_hash(built)
    with pytest.raises(ValidationFailed):
        site_mod.build(content, built)
    assert tree_hash(built) == before and tree_hash(content) == inputs
    assert strays(built.parent) == []


@pytest.mark.parametrize("stage", ["prepare", "write_tree", "Stream", "engine_build", "audit", "publish"])
def test_crash_at_each_stage_leaves_site_untouched(content, built, monkeypatch, stage):
    before = tree_hash(built)

    def boom(*a, **k):
        raise RuntimeError(f"injected crash in {stage}")

    if stage == "write_tree":  # one core: the tree is written before MkDocs runs
        monkeypatch.setenv("TRACKER_WORKERS", "1")
    if stage == "audit":
        monkeypatch.setattr("tracker.audit.audit_site", boom)
    elif stage == "Stream":  # more cores: rendered while MkDocs reads it
        monkeypatch.setenv("TRACKER_WORKERS", "2")
        monkeypatch.setattr("tracker.stream.Stream", boom)
    else:
        monkeypatch.setattr(site_mod, stage, boom)
    with pytest.raises(RuntimeError):
        site_mod.build(content, built)
    assert tree_hash(built) == before
    assert strays(built.parent) == [] or stage == "publish" and all("new" in s for s in strays(built.parent))


def test_audit_failure_publishes_nothing(content, built, monkeypatch):
    before = tree_hash(built)
    monkeypatch.setattr("tracker.audit.audit_site", lambda site, live=None: ["index.html: script not shipped by the theme: x.js"])
    with pytest.raises(BuildFailed, match="post-build audit failed"):
        site_mod.build(content, built)
    assert tree_hash(built) == before


def test_kill_mid_build_leaves_site_untouched(content, built):
    before = tree_hash(built)
    write(content, "new-plant", MINIMAL.format(id="new-plant"))  # a finished build would change site/
    for sig in (signal.SIGKILL, signal.SIGTERM):
        proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--content", str(content), "build",
                                 "--site-dir", str(built)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        for line in proc.stderr:  # kill while MkDocs is writing the new site
            if "running mkdocs build" in line:
                proc.send_signal(sig)
                break
        code = proc.wait(timeout=60)
        assert code in (-signal.SIGKILL, 130), (sig, code, proc.stderr.read())  # really interrupted, not finished
        assert tree_hash(built) == before
    # SIGTERM cleans up after itself; after SIGKILL the next build sweeps the leftovers.
    site_mod.build(content, built)
    assert strays(built.parent) == []
    assert (built / "projects/new-plant/index.html").is_file()


def test_two_builds_at_once_do_not_race(content, built):
    before = tree_hash(built)
    procs = [subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--content", str(content), "build",
                               "--site-dir", str(built)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 1]), results  # one may be refused, with a clear message
    for code, err in results:
        if code == 1:
            assert "another build" in err
    assert tree_hash(built) == before  # same content: the published site is byte-identical
    assert strays(built.parent) == []


XSS = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[click](javascript:alert(1))',
    '{{ 7*7 }} {% raw %}',
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    '"><svg onload=alert(1)>',
]


def test_hostile_text_renders_as_text(content, tmp_path):
    text = MINIMAL.format(id="xss-plant")
    for i, payload in enumerate(XSS):
        esc = payload.replace("\\", "\\\\").replace('"', '\\"')
        text = text.replace("title: A plant", f'title: "Plant {esc}"', 1) if i == 0 else text
    text = text.replace("text: Signed.", 'text: "' + " | ".join(x.replace('"', '\\"') for x in XSS) + '"')
    text += "notes: |\n" + "".join(f"  {x}\n\n" for x in XSS) + "  <a href=\"java&#x73;cript:alert(1)\">x</a>\n"
    write(content, "xss-plant", text)
    site = tmp_path / "site"
    site_mod.build(content, site)  # the audit inside build() must find nothing
    page = (site / "projects/xss-plant/index.html").read_text()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{ 7*7 }}" in page and "49" not in page.split("{{ 7*7 }}")[0][-5:]
    assert "javascript:" not in page.replace("[click](javascript:alert(1))", "")
    assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")


def test_cli_reports_and_exits_1(content):
    write(content, "broken", MINIMAL.format(id="broken").replace("CNY", "RMB"))
    out = subprocess.run([sys.executable, "build.py", "--content", str(content), "check"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert "broken.yaml:9:45: investment.currency: unknown currency code 'RMB' (write 'CNY')" in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("check failed: 1 error(s)")
    assert "Traceback" not in out.stderr


def test_help_has_examples():
    out = subprocess.run([sys.executable, "build.py", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0 and "python build.py new" in out.stdout


def test_new_scaffolds_a_record_that_check_then_guides(content):
    out = subprocess.run([sys.executable, "build.py", "--content", str(content), "new", "my-plant"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0
    text = (content / "projects" / "my-plant.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    again = subprocess.run([sys.executable, "build.py", "--content", str(content), "new", "my-plant"], cwd=ROOT,
                           capture_output=True, text=True)
    assert again.returncode == 1 and "already exists" in again.stderr
    bad = subprocess.run([sys.executable, "build.py", "--content", str(content), "new", "../evil"], cwd=ROOT,
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "not a valid id" in bad.stderr
    assert not (content.parent / "evil.yaml").exists()
    reserved = subprocess.run([sys.executable, "build.py", "--content", str(content), "new", "index"], cwd=ROOT,
                              capture_output=True, text=True)
    assert reserved.returncode == 1 and "reserved for a page of the site" in reserved.stderr


def test_a_fresh_scaffold_cannot_be_published_until_filled(content):
    """No example value is pre-filled: check names every required field to fill, and the record builds once
    they hold facts (issue 23: a throwaway record was published on a real company's page)."""
    subprocess.run([sys.executable, "build.py", "--content", str(content), "new", "my-plant"], cwd=ROOT, check=True,
                   capture_output=True)
    path = content / "projects" / "my-plant.yaml"
    text = path.read_text()
    assert "Dongguan" not in text.replace("# ", "#").split("\n#")[0]  # nothing real outside the comments
    out = subprocess.run([sys.executable, "build.py", "--content", str(content), "check"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 1
    for field in ("title", "summary", "status.value", "segments", "location.country", "parties[0].name",
                  "investment.amount", "events[0].date", "sources[0].url", "sources[0].title"):
        assert f": {field}: is " in out.stderr, field
    filled = {"title:": "title: Demo plant", "summary:": "summary: A demo.", "  value:": "  value: announced",
              "segments: []": "segments: [testing]", "  country:": "  country: CN"}
    lines = [filled.get(line, line) for line in text.splitlines()]
    path.write_text("\n".join(lines) + "\n")
    again = subprocess.run([sys.executable, "build.py", "--content", str(content), "check"], cwd=ROOT,
                           capture_output=True, text=True)
    assert ": title: is " not in again.stderr and ": location.country: is " not in again.stderr


def test_empty_required_text_is_an_error(content):
    text = MINIMAL.format(id="blank-title").replace("title: ", 'title: "  " # ', 1)
    write(content, "blank-title", text)
    out = subprocess.run([sys.executable, "build.py", "--content", str(content), "check"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 1 and "title: is empty (write the project name in English" in out.stderr


def test_keep_docs_writes_rendered_tree(content, tmp_path):
    keep = tmp_path / "docs-out"
    site_mod.build(content, tmp_path / "site", keep_docs=str(keep))
    assert (keep / "projects" / "jiaxing-ic-packaging-mems.md").is_file()
    assert os.path.isfile(keep / "contributing" / "index.md")


def test_amount_without_sourced_rate_is_shown_unconverted(content, tmp_path):
    """VND 2025 has no sourced rate: check warns with record and field, the page says so, totals skip it."""
    text = MINIMAL.format(id="vnd-plant").replace("currency: CNY", "currency: VND").replace(
        "800 million", "2 trillion").replace("2020-07-05", "2025-03-01")
    write(content, "vnd-plant", text)
    out = subprocess.run([sys.executable, "build.py", "--content", str(content), "check"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0
    assert ("vnd-plant.yaml:9:13: warning: investment: no sourced VND rate for 2025: shown unconverted and left "
            "out of USD totals (add a sourced rate to content/fx.yaml)") in out.stderr
    strict = subprocess.run([sys.executable, "build.py", "--content", str(content), "check", "--strict"], cwd=ROOT,
                            capture_output=True, text=True)
    assert strict.returncode == 1
    site = tmp_path / "site"
    site_mod.build(content, site)
    page = (site / "projects/vnd-plant/index.html").read_text()
    assert "VND 2 trillion" in page and "not converted: no sourced VND rate for 2025" in page
    summary = (site / "summary/index.html").read_text()
    assert "1 amount has no sourced exchange rate and is left out of the USD totals" in summary


def test_sharing_metadata_and_canonical_url(content, tmp_path):
    settings = content / "site.yaml"
    settings.write_text(settings.read_text() + "site_url: https://tracker.example.org/\n")
    write(content, "meta-plant", MINIMAL.format(id="meta-plant").replace("title: A plant", 'title: "Plant \\"<b>&"'))
    site = tmp_path / "site"
    site_mod.build(content, site)
    page = (site / "projects/meta-plant/index.html").read_text()
    assert '<link rel="canonical" href="https://tracker.example.org/projects/meta-plant/">' in page
    assert '<meta property="og:url" content="https://tracker.example.org/projects/meta-plant/">' in page
    assert '<meta property="og:title" content="Plant &#34;&lt;b&gt;&amp;">' in page or \
        '<meta property="og:title" content="Plant &quot;&lt;b&gt;&amp;">' in page
    assert "<title>Plant &quot;&lt;b&gt;&amp; - Advanced Packaging Tracker</title>" in page
    desc = '<meta property="og:description" content="Plant &quot;&lt;b&gt;&amp; in China: investment CNY 800 million;'
    assert desc in page


def test_the_build_is_dated_by_the_data_not_by_the_day(bundled_site):
    """MkDocs dates the sitemap's gzip header by the day of the build unless SOURCE_DATE_EPOCH is set: the
    build sets it to the data's as_of date, so the same commit builds the same bytes tomorrow (a CI run that
    crossed midnight found sitemap.xml.gz different between two builds)."""
    import calendar
    import gzip

    import yaml

    as_of = yaml.safe_load((ROOT / "content" / "site.yaml").read_text())["as_of"]  # a date
    with gzip.open(bundled_site / "sitemap.xml.gz") as fh:
        fh.read()
        assert fh.mtime == calendar.timegm((as_of.year, as_of.month, as_of.day, 0, 0, 0))
    assert "SOURCE_DATE_EPOCH" not in os.environ  # set for the engine's build only


def test_search_indexes_project_pages_not_the_listings(bundled_site):
    """Listings repeat the project pages' rows: indexing them would bury each project under its listings."""
    import json

    marked = {p.relative_to(bundled_site).parent.as_posix() + "/" for p in bundled_site.rglob("index.html")
              if "data-pagefind-body" in p.read_text()}
    assert "projects/jiaxing-ic-packaging-mems/" in marked and "methodology/" in marked
    listings = [p for p in marked if p.startswith(("browse/", "timeline/", "projects-list/", "explore/"))
                or p == "projects/"]
    assert listings == ["browse/"]  # the browse index lists group names only: it stays searchable
    entry = json.loads((bundled_site / "pagefind/pagefind-entry.json").read_text())
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == len(marked)
