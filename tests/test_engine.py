"""The engine seam: the rendered docs tree builds into the same site with MkDocs and with ProperDocs, its
maintained continuation, so that the tracker is not tied to one engine (tracker/engine.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONTENT, ROOT
from tracker import engine
from tracker.errors import TrackerError

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def test_properdocs_builds_the_same_pages_as_mkdocs(bundled_site, tmp_path):
    site = tmp_path / "site"
    env = {**os.environ, engine.ENV: "properdocs"}
    out = subprocess.run([sys.executable, "build.py", "--content", str(CONTENT), "build", "--site-dir", str(site)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "; running properdocs build --strict" in out.stderr  # no streaming hook: the tree was written first
    ours = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    theirs = sorted(p.relative_to(bundled_site).as_posix() for p in bundled_site.rglob("*") if p.is_file())
    assert ours == theirs
    generators, differ = set(), []
    for rel in ours:
        a, b = (bundled_site / rel).read_bytes(), (site / rel).read_bytes()
        if rel.endswith(".html"):
            generators |= {m.group() for m in GENERATOR.finditer(a + b)}
            a, b = GENERATOR.sub(b"", a), GENERATOR.sub(b"", b)
        if a != b:
            differ.append(rel)
    assert differ == []  # every page, asset, download and search file, byte for byte
    assert any(b"ProperDocs" in g for g in generators) and any(b"mkdocs-1." in g for g in generators)


def test_an_unknown_engine_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(engine.ENV, "zensical")
    with pytest.raises(TrackerError, match="TRACKER_ENGINE='zensical' is not an engine the tracker knows; use one of"):
        engine.current()
    monkeypatch.delenv(engine.ENV)
    assert engine.current().name == "mkdocs" and engine.current().streams
    assert not engine.ENGINES["properdocs"].streams  # only MkDocs reads pages while they are rendered


@pytest.mark.parametrize("hook", ["build_hook", "mkdocs_hook"])
def test_hooks_use_only_events_mkdocs_supports(hook):
    """The hooks stay on MkDocs' documented events: none it marks deprecated (on_page_read_source is, since
    1.6), so that the engine can drop them without the build silently reading empty placeholders."""
    import ast
    import importlib

    import mkdocs.plugins

    tree = ast.parse(Path(mkdocs.plugins.__file__).read_text(encoding="utf-8"))  # BasePlugin's events are
    base = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "BasePlugin")  # deleted
    docs = {n.name: ast.get_docstring(n) or "" for n in base.body if isinstance(n, ast.FunctionDef)}  # at import
    module = importlib.import_module(f"tracker.{hook}")
    events = [name for name, fn in vars(module).items() if name.startswith("on_") and callable(fn)]
    assert events and "on_page_read_source" in docs
    for name in events:
        assert name[3:] in mkdocs.plugins.EVENTS, f"{hook}.{name} is not an MkDocs event"
        assert "DEPRECATED" not in docs[name], f"{hook}.{name} is deprecated in MkDocs: {docs[name].splitlines()[0]}"
