"""The command line: thin commands over the pipeline, and the one place that turns errors into exit codes."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from pathlib import Path

from .errors import TrackerError, ValidationFailed, cap, count

EXAMPLES = """\
Run from the repository (after `make site` has set up .venv, which build.py then uses by itself).

examples:
  python build.py check                       validate content/ (every error at once)
  python build.py check --strict              ... and treat warnings as errors
  python build.py build                       validate, render and build the site into site/
  python build.py build --keep-docs out/docs  ... and keep the rendered Markdown tree for inspection
  python build.py serve                       preview on http://127.0.0.1:8000 with live reload
  python build.py new tsmc-ap7-chiayi         scaffold content/projects/tsmc-ap7-chiayi.yaml
  python build.py formats                     regenerate schema/record.schema.json from the field table
  python build.py locate                      propose town coordinates (GeoNames) for records without any
  python build.py locate --write              ... and add them, marked derived
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="build.py",
        description="Build the advanced-packaging project tracker from YAML records.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--content", default="content", help="content folder (default: content)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    c = sub.add_parser("check", help="validate content/ and report every problem")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    c.add_argument("--quiet", action="store_true", help="print only problems and the summary line")
    b = sub.add_parser("build", help="validate, render and build the site atomically into site/")
    b.add_argument("--strict", action="store_true", help="treat content warnings as errors")
    b.add_argument("--site-dir", default="site", help="output folder, replaced only on success (default: site)")
    b.add_argument("--keep-docs", metavar="DIR", help="also write the rendered Markdown docs tree to DIR")
    s = sub.add_parser("serve", help="preview the site with live reload")
    s.add_argument("--addr", default="127.0.0.1:8000", help="address to serve on (default: 127.0.0.1:8000)")
    n = sub.add_parser("new", help="scaffold a new record with every field commented")
    n.add_argument("id", help="the new record's id, e.g. my-new-plant")
    sub.add_parser("formats", help="regenerate schema/record.schema.json (the editor schema) from the field table")
    loc = sub.add_parser("locate", help="propose town-level coordinates from the GeoNames gazetteer for records "
                         "without coordinates (a dev tool: needs requirements-dev.txt)")
    loc.add_argument("--write", action="store_true", help="add them to the records (precision town, derived)")
    return p


def report(problems, out=None) -> None:
    for p in problems:
        print(p, file=out or sys.stderr)  # (sys.stderr at call time: tests and callers may redirect it)


def _terminate(signum, frame):
    raise KeyboardInterrupt  # unwind through the pipeline's cleanup, like Ctrl-C


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    start = time.perf_counter()
    try:
        return COMMANDS[args.command](args, start)
    except ValidationFailed as exc:
        report([p for p in exc.problems if p.severity != "info"])
        errors, warnings = count(exc.problems, "error"), count(exc.problems, "warning")
        files = len({p.path for p in exc.problems if p.severity == "error"})
        print(
            f"check failed: {errors} error(s), {warnings} warning(s) in {files} file(s); nothing was built",
            file=sys.stderr,
        )
        return 1
    except TrackerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; site/ was left as it was", file=sys.stderr)
        return 130
    except ImportError as exc:  # a missing package is a set-up step, not a bug
        print(f"error: a Python package the tracker needs is missing ({exc}): run `make site` once (it creates "
              ".venv and installs requirements.txt); `python build.py` then uses .venv by itself", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: say so plainly, once, without a traceback wall
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("this is a bug in the tracker, not in your content; please report it with the command you ran",
              file=sys.stderr)
        return 70


def _check(args, start) -> int:
    from .content import load_content
    from .derive import fx_warnings, stale_notes

    data = load_content(Path(args.content))
    # the build's notes too: amounts with no sourced FX rate, statuses and amounts that may be out of date
    notes = cap([*data.warnings, *fx_warnings(data), *stale_notes(data)])
    if not args.quiet:
        report(notes)
    warnings = [w for w in notes if w.severity == "warning"]
    if args.strict and warnings:
        raise ValidationFailed(warnings)
    print(
        f"ok: {len(data.records)} record(s), {count(warnings, 'warning')} warning(s) in "
        f"{time.perf_counter() - start:.2f} s",
        file=sys.stderr,
    )
    return 0


def _build(args, start) -> int:
    from .site import build

    summary = build(Path(args.content), Path(args.site_dir), keep_docs=args.keep_docs, strict=args.strict)
    print(f"built {summary} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


def _serve(args, start) -> int:
    from .site import serve

    serve(Path(args.content), args.addr)
    return 0


def _new(args, start) -> int:
    from .scaffold import new_record

    path = new_record(Path(args.content), args.id)
    print(f"created {path}: fill it in, then run `python build.py check`", file=sys.stderr)
    return 0


def _formats(args, start) -> int:
    from .formats import write_formats

    for path in write_formats(Path("."), Path(args.content)):
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _locate(args, start) -> int:
    from .locate import locate

    lines = locate(Path(args.content), args.write)
    for line in lines:
        print(line, file=sys.stderr)
    verb = "added" if args.write else "would add (run with --write to add them)"
    found = sum(": no gazetteer place" not in line for line in lines)
    print(f"ok: {verb} coordinates for {found} record(s); {len(lines) - found} left without", file=sys.stderr)
    return 0


COMMANDS = {"check": _check, "build": _build, "serve": _serve, "new": _new, "formats": _formats, "locate": _locate}
