"""Output paths that would destroy input are refused before anything is written, and nothing is lost."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.test_site import tree_hash
from tracker import site as site_mod
from tracker.errors import BuildFailed


@pytest.mark.parametrize("target", ["content", "content/projects", ".", "..", "templates", "tracker", ".git"])
def test_site_dir_on_or_around_an_input_is_refused(content, target):
    base = {"content": content, "content/projects": content / "projects", ".": site_mod.ROOT,
            "..": site_mod.ROOT.parent}.get(target, site_mod.ROOT / target)
    before = tree_hash(content)
    with pytest.raises(BuildFailed, match="which the build reads; choose a folder outside it"):
        site_mod.build(content, base)
    assert tree_hash(content) == before


def test_a_file_or_a_foreign_folder_is_refused(content, tmp_path):
    file = tmp_path / "notes.txt"
    file.write_text("mine")
    with pytest.raises(BuildFailed, match="is a file; choose a folder"):
        site_mod.build(content, file)
    assert file.read_text() == "mine"
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"\xff\xd8")
    for kwargs in ({}, {"keep_docs": str(foreign)}):
        target = foreign if not kwargs else tmp_path / "site"
        with pytest.raises(BuildFailed, match="holds files the tracker did not write"):
            site_mod.build(content, target, **kwargs)
        assert (foreign / "cat.jpg").read_bytes() == b"\xff\xd8"


def test_a_folder_the_tracker_wrote_is_replaced_and_marked(content, tmp_path):
    site, docs = tmp_path / "out" / "site", tmp_path / "out" / "docs"
    for _ in range(2):  # the second build replaces what the first wrote
        site_mod.build(content, site, keep_docs=str(docs))
    assert (site / site_mod.MARKER).is_file() and (docs / site_mod.MARKER).is_file()
    with pytest.raises(BuildFailed, match="overlap"):
        site_mod.build(content, site, keep_docs=str(site / "docs"))


def test_builds_of_sibling_sites_leave_each_other_alone(content, tmp_path):
    """A build sweeps up only its own site's leftovers, never another site's working folder."""
    other = tmp_path / f"{site_mod.TMP_PREFIX}other-123"
    other.mkdir()
    mine = tmp_path / f"{site_mod.TMP_PREFIX}site-456"
    mine.mkdir()
    site_mod.build(content, tmp_path / "site")
    assert other.is_dir() and not mine.exists()


def test_the_command_line_says_what_to_do(content, tmp_path):
    out = subprocess.run([sys.executable, "build.py", "--content", str(content), "build", "--site-dir", str(content)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "which the build reads; choose a folder outside it" in out.stderr
    assert "internal error" not in out.stderr
