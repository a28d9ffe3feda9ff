"""`build.py serve`: the real MkDocs dev server on a copy of the content, edited while it runs."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import CONTENT, ROOT
from tracker import serve
from tracker import site as site_mod
from tracker.render import _same
from tracker.site import render_tree
from tracker.values import PDate

RECORD = "amkor-bac-ninh-vietnam"
TITLE = "Amkor Technology Vietnam plant, Yen Phong II-C Industrial Park, Bac Ninh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - our own local server
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except OSError:
        return 0, ""


def wait_for(what: str, test, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = test()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def content(tmp_path):
    """A private copy of all the bundled content (the seeds alone have too few pages to tell)."""
    return Path(shutil.copytree(CONTENT, tmp_path / "content"))


@pytest.fixture
def docs(content, tmp_path, monkeypatch):
    monkeypatch.setitem(serve._state, "content", content)
    monkeypatch.setitem(serve._state, "pages", {})  # no test sees another's kept pages
    return tmp_path / "docs"


EDITED = "micron-batu-kawan-penang"  # among the related projects of a few pages, not of most


@pytest.fixture
def renders(content):
    """The tree rendered with a memo, then again after EDITED's title changed: (first, second)."""
    memo: dict = {}
    _, _, first = render_tree(content, memo=memo)
    record = content / "projects" / f"{EDITED}.yaml"
    record.write_text(record.read_text().replace("\ntitle: ", "\ntitle: Renamed plant, ", 1))
    _, _, second = render_tree(content, memo=memo)
    return first, second


def test_refresh_writes_only_the_files_that_changed(content, docs):
    first = serve.refresh(docs)
    assert first > 100  # every page, the hand-written docs and the data files (bytes) on the first run
    assert (docs / "projects" / f"{RECORD}.md").is_file() and (docs / "data" / "projects.csv").is_file()
    assert serve.refresh(docs) == 0
    record = content / "projects" / f"{RECORD}.yaml"
    record.write_text(record.read_text().replace(f"title: {TITLE}", "title: Renamed plant", 1))
    changed = serve.refresh(docs)
    assert 0 < changed < first / 2  # its page, the lists that name it and the downloads; not every page
    assert "Renamed plant" in (docs / "projects" / f"{RECORD}.md").read_text()
    record.unlink()
    serve.refresh(docs)
    assert not (docs / "projects" / f"{RECORD}.md").exists()  # a deleted record's page goes too


def test_refresh_keeps_the_last_good_pages_when_content_is_broken(content, docs, caplog):
    serve.refresh(docs)
    before = (docs / "projects" / f"{RECORD}.md").read_text()
    record = content / "projects" / f"{RECORD}.yaml"
    record.write_text(record.read_text().replace("value: in-production", "value: finished", 1))
    assert serve.refresh(docs) == 1  # the problems file, for the pages on screen
    assert (docs / "projects" / f"{RECORD}.md").read_text() == before
    assert "status.value" in json.loads((docs / serve.PROBLEMS).read_text())["problems"][0]
    assert "status.value" in caplog.text and "showing the last good version" in caplog.text


@contextlib.contextmanager
def serving(content: Path, tmp_path: Path):
    """`build.py serve` on content in a subprocess; yield (base URL, the output so far)."""
    port, scratch = free_port(), tmp_path / "tmp"
    scratch.mkdir()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "build.py", "--content", str(content), "serve", "--addr", f"127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    output = lambda: (tmp_path / "serve.log").read_text()  # noqa: E731
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for("the first page", lambda: proc.poll() is not None or fetch(base)[0] == 200)
        assert proc.poll() is None, output()
        yield base, output
        assert proc.poll() is None, output()
        assert "internal error" not in output() and "Traceback" not in output()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    assert list(scratch.iterdir()) == []  # stopped with SIGTERM, it removed its docs tree and site


def test_serve_shows_an_edit_and_survives_a_broken_one(content, tmp_path):
    record = content / "projects" / f"{RECORD}.yaml"
    with serving(content, tmp_path) as (base, output):
        page = f"{base}projects/{RECORD}/"
        assert f"<h1>{TITLE}</h1>" in fetch(page)[1]
        good = record.read_text().replace(f"title: {TITLE}", "title: Renamed while serving", 1)
        record.write_text(good)
        wait_for("the edited title", lambda: "<h1>Renamed while serving</h1>" in fetch(page)[1])

        record.write_text(good.replace("value: in-production", "value: finished", 1))
        wait_for("the error report", lambda: "showing the last good version" in output())
        assert "<h1>Renamed while serving</h1>" in fetch(page)[1]
        problems = wait_for("the problems file", lambda: json.loads(fetch(base + serve.PROBLEMS)[1] or "{}").get("problems"))
        assert len(problems) == 1 and f"{RECORD}.yaml" in problems[0] and "status.value" in problems[0]
        assert "tracker-preview/problems.json" in fetch(page)[1]  # the script that shows them

        record.write_text(good)
        wait_for("the problems cleared", lambda: json.loads(fetch(base + serve.PROBLEMS)[1]) == {"problems": []})
        record.unlink()
        wait_for("the deleted record's page gone", lambda: fetch(page)[0] == 404)
        assert fetch(base + "projects/")[0] == 200 and RECORD not in fetch(base + "projects/")[1]


def _again_if_reloaded(look, tries: int = 5):
    """look(), taken again when the page navigated away under it (Playwright: execution context destroyed)."""
    from playwright.sync_api import Error

    for attempt in range(tries):
        try:
            return look()
        except Error as exc:
            if "context was destroyed" not in str(exc) or attempt == tries - 1:
                raise


def test_serve_shows_the_problems_in_the_page_being_read(content, tmp_path):
    """In a real browser: the box appears on the open page when the record breaks, without a click (live
    reload), names the file and field, cannot carry markup, and goes when the record is fixed."""
    from tests.browser import chromium

    record = content / "projects" / f"{RECORD}.yaml"
    good = record.read_text()
    with serving(content, tmp_path) as (base, output), chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 800})
        page.goto(f"{base}projects/{RECORD}/")
        assert page.locator("#tracker-problems").count() == 0
        record.write_text(good.replace(f"title: {TITLE}", "title: <b id=injected>x</b>", 1)
                          .replace("value: in-production", "value: finished", 1))
        box = page.locator("#tracker-problems")
        box.wait_for(timeout=60_000)
        # one look at the page, taken again if live reload replaced it meanwhile (a rebuild can reload twice)
        def look():
            return page.wait_for_function("""() => {
                    const box = document.getElementById("tracker-problems");
                    if (!box) return null;
                    const r = box.getBoundingClientRect();
                    return {text: box.innerText, y: r.y, width: r.width, injected: document.querySelectorAll("#injected").length,
                            h1: document.querySelector("h1").innerText};
                }""", timeout=60_000).json_value()
        seen = _again_if_reloaded(look)
        text = seen["text"]
        assert "1 error" in text and f"{RECORD}.yaml" in text and "status.value" in text
        assert seen["injected"] == 0 and seen["h1"] == TITLE
        assert seen["y"] == 0 and seen["width"] <= 390
        record.write_text(good)
        box.wait_for(state="detached", timeout=60_000)
        assert page.locator("h1").inner_text() == TITLE


def test_serve_starts_on_broken_content_and_lists_the_problems(content, tmp_path):
    record = content / "projects" / f"{RECORD}.yaml"
    good = record.read_text()
    record.write_text(good.replace("value: in-production", "value: finished", 1))
    with serving(content, tmp_path) as (base, output):
        home = fetch(base)[1]
        assert "Nothing to preview yet" in home and "status.value" in home
        record.write_text(good)
        wait_for("the site", lambda: f"<h1>{TITLE}</h1>" in fetch(f"{base}projects/{RECORD}/")[1])
        assert "Nothing to preview yet" not in fetch(base)[1]


def test_project_pages_are_rendered_again_only_when_what_they_show_changed(content, renders):
    first, second = renders
    assert second == render_tree(content)[2]  # the same tree as rendering everything afresh
    mine = f"projects/{EDITED}.md"
    projects = [p for p in first if p.startswith("projects/") and p != "projects/index.md"]
    shown = {p for p in projects if "Renamed plant" in second[p]}
    assert mine in shown and len(shown) > 1  # its page and the pages listing it among their related projects
    reused = {p for p in projects if second[p] is first[p]}  # the very same string: not rendered again
    assert set(projects) - reused == shown and len(reused) > len(projects) / 2


def test_a_shared_input_changes_every_project_page(content, tmp_path, monkeypatch):
    memo: dict = {}
    _, _, first = render_tree(content, memo=memo)
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("as_of: 2026-11-25", "as_of: 2026-11-26", 1))
    _, _, second = render_tree(content, memo=memo)
    assert second == render_tree(content)[2]
    templates = tmp_path / "templates"
    shutil.copytree(site_mod.ROOT / "templates", templates)
    base = templates / "_base.md"
    base.write_text(base.read_text().replace("Data as of", "Figures as of", 1))
    monkeypatch.setattr(site_mod, "ROOT", tmp_path)  # renderer() reads ROOT / "templates"
    _, _, third = render_tree(content, memo=memo)
    for p in (p for p in first if p.startswith("projects/") and p != "projects/index.md"):
        assert second[p] is not first[p] and "26 November 2026" in second[p]
        assert "Figures as of" in third[p]


def test_listing_pages_not_showing_the_edit_are_reused(renders):
    first, second = renders
    browse = [p for p in first if p.startswith("browse/") and p != "browse/index.md"]
    changed = {p for p in browse if second[p] is not first[p]}
    assert changed == {p for p in browse if "Renamed plant" in second[p]} and 0 < len(changed) < len(browse)


def test_same_tells_apart_what_prints_differently():
    rec = {"a": [1, {"b": Decimal("1.0")}], "d": PDate(2020, 7)}
    assert _same(rec, {"a": [1, {"b": Decimal("1.0")}], "d": PDate(2020, 7)})
    assert not _same(Decimal("1.0"), Decimal("1.00"))  # equal numbers, different text
    assert not _same(1, True) and not _same(1, 1.0)
    assert not _same({"x": 1, "y": 2}, {"y": 2, "x": 1})  # a template may list keys in order
    assert not _same(PDate(2020, 7), PDate(2020, 8))
    assert not _same(object(), object())  # unknown types are never taken as the same
