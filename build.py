#!/usr/bin/env python3
"""Command line of the advanced-packaging project tracker. See `python build.py --help`.

Runs in the project's environment whichever `python` starts it: if .venv exists (made by `make site`) and
this is another interpreter, it starts again with .venv's; without .venv and without the packages, it says
how to set up instead of failing with an import error.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV_PYTHON = HERE / ".venv" / "bin" / "python"
SETUP = ("the tracker's Python packages are not installed: run `make site` once (it creates .venv and installs "
         "requirements.txt), or `python3 -m venv .venv && .venv/bin/pip install -r requirements.txt`")


def _in_venv() -> bool:
    return Path(sys.prefix).resolve() == (HERE / ".venv").resolve()


if __name__ == "__main__":
    if VENV_PYTHON.exists() and not _in_venv() and not os.environ.get("TRACKER_NO_REEXEC"):
        # the same command, in the project's environment (our own interpreter and arguments)
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])  # noqa: S606
    try:
        from tracker.cli import main
    except ImportError as exc:
        print(f"error: {SETUP} ({exc})", file=sys.stderr)
        sys.exit(2)
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is written and closed by now. Skip freeing every object one by one on the way out: after
    # a 10,000-record build that teardown alone takes seconds (MkDocs keeps every page in memory).
    os._exit(code)
