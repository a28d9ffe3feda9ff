"""Documented commands work as written: `python build.py ...` from any interpreter, and a missing package is
a set-up step with advice, never reported as a bug in the tracker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

BASE_PYTHON = Path(sys.base_prefix) / "bin" / "python3"  # the interpreter the venv was made from: no packages


def test_build_py_uses_the_project_environment_from_another_python():
    out = subprocess.run([str(BASE_PYTHON), "build.py", "check", "--quiet"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and "ok: " in out.stderr, out.stderr


def test_a_missing_package_says_how_to_set_up():
    env = {**os.environ, "TRACKER_NO_REEXEC": "1"}
    out = subprocess.run([str(BASE_PYTHON), "-S", "build.py", "check"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    assert "run `make site` once" in out.stderr and "bug" not in out.stderr


def test_make_help_lists_the_daily_targets():
    out = subprocess.run(["make", "help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for target in ("site", "test", "check", "serve", "new", "golden", "baselines", "bench"):
        assert f"make {target}" in out.stdout, target


def test_check_says_when_repo_url_is_still_the_placeholder(tmp_path):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    out = subprocess.run([sys.executable, "build.py", "--content", str(content), "check"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    line = next(i for i, t in enumerate((content / "site.yaml").read_text().splitlines(), 1) if t.startswith("repo_url"))
    assert f"site.yaml:{line}:11: info: repo_url: still the example placeholder" in out.stderr
    site = content / "site.yaml"
    site.write_text(site.read_text().replace("github.com/example/", "github.com/someone/"))
    out = subprocess.run([sys.executable, "build.py", "--content", str(content), "check"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "placeholder" not in out.stderr


def test_unused_vocabulary_terms_are_noted_at_their_lines():
    out = subprocess.run([sys.executable, "build.py", "check"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    lines = (ROOT / "content" / "vocabularies.yaml").read_text().splitlines()
    notes = [x for x in out.stderr.splitlines() if "used by no record" in x]
    assert notes
    for note in notes:  # each points at the first unused term it names, not at 1:1
        line = int(note.split(":")[1])
        first = note.split("used by no record: ")[1].split(" (")[0].split(", ")
        assert line > 1 and lines[line - 1].strip().removeprefix("- ") in {f"term: {t}" for t in first}, note


def test_serve_on_a_busy_port_says_so_before_any_work():
    import socket
    import time

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "build.py", "serve", "--addr", f"127.0.0.1:{port}"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert out.returncode == 2, out.stderr
    assert f"cannot serve on 127.0.0.1:{port}" in out.stderr and f"--addr 127.0.0.1:{port + 1}" in out.stderr
    assert "bug" not in out.stderr and "checked" not in out.stderr  # refused before loading any content
    assert time.perf_counter() - start < 30


def test_a_port_whose_server_just_stopped_is_free():
    """Restarting `serve` at once: the old server's connections linger in TIME-WAIT, which is not busy."""
    import socket

    from tracker.serve import check_address

    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        conn, _ = server.accept()
        conn.close()  # the server side closes first, so its end waits in TIME-WAIT
        client.close()
    states = [line.split()[3] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
              if line.split()[1].endswith(f":{port:04X}")]
    assert "06" in states  # TIME-WAIT, as /proc/net/tcp numbers it
    check_address(f"127.0.0.1:{port}")  # no PortBusy


def test_serve_drops_only_the_dirty_build_warning():
    import logging

    from tracker.engine import _QuietDirtyBuild

    quiet = _QuietDirtyBuild()
    dirty = logging.LogRecord("mkdocs.commands.build", logging.WARNING, "", 0,
                              "A 'dirty' build is being performed, this will likely lead to inaccurate navigation", (), None)
    other = logging.LogRecord("mkdocs.commands.build", logging.WARNING, "", 0, "Doc file 'x.md' contains a link", (), None)
    assert not quiet.filter(dirty) and quiet.filter(other)
