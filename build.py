#!/usr/bin/env python3
"""Command line of the advanced-packaging project tracker. See `python build.py --help`."""

import sys

from tracker.cli import main

if __name__ == "__main__":
    sys.exit(main())
