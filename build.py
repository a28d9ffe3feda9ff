#!/usr/bin/env python3
"""Command line of the advanced-packaging project tracker. See `python build.py --help`."""

import os
import sys

from tracker.cli import main

if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is written and closed by now. Skip freeing every object one by one on the way out: after
    # a 10,000-record build that teardown alone takes seconds (MkDocs keeps every page in memory).
    os._exit(code)
