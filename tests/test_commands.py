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
