"""Side-by-side benchmark: the full build of this working tree against the same build at another commit, in one
run, on the same synthetic records (issue 24: "speed may not regress").

    .venv/bin/python -m tests.bench_compare --ref main --n 10000 --rounds 2
    make bench-compare REF=main N=10000

Each round runs, each in a fresh process and in an order that rotates between rounds: `mkdocs build` alone on
the rendered tree, `build.py build` of the commit REF (exported with `git archive`), and `build.py build` of
this tree. It prints each round's full/mkdocs ratio for both and their medians; like tests.bench, it asserts
nothing. Both builds run with this environment's packages.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench import MKDOCS_ALONE, Generator, cold, steal_s, theme_search_config

ROOT = Path(__file__).resolve().parent.parent


def timed(args: list[str], cwd: Path) -> tuple[float, float | None]:
    """Wall seconds of `python ARGS` in a fresh process, and CPU seconds stolen by the hypervisor meanwhile."""
    steal0, t0 = steal_s(), time.perf_counter()
    out = subprocess.run([sys.executable, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall, steal = time.perf_counter() - t0, steal_s()
    if out.returncode:
        raise SystemExit(f"bench_compare: {' '.join(args[:3])} in {cwd} failed:\n{out.stderr[-2000:]}")
    return wall, (steal - steal0 if steal0 is not None and steal is not None else None)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.bench_compare", description=__doc__.split("\n\n")[0])
    p.add_argument("--ref", default="main", help="the commit to compare with (default main)")
    p.add_argument("--n", type=int, default=10_000, help="synthetic records (default 10,000)")
    p.add_argument("--rounds", type=int, default=2, help="rounds (default 2)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--search", action="store_true",
                   help="also time MkDocs with the theme's own search plugin, the yardstick of issue 25")
    args = p.parse_args(argv)
    from tracker.site import prepare, renderer, write_tree

    work = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    try:
        old = work / "ref"
        old.mkdir()
        archive = subprocess.run(["git", "archive", args.ref], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        sha = subprocess.run(["git", "rev-parse", "--short", args.ref], cwd=ROOT, capture_output=True, text=True).stdout
        content, docs = work / "content", work / "docs"
        Generator(args.seed).write(args.n, content)
        cold()
        data, derived = prepare(content)
        write_tree(renderer(data, derived).jobs(), ROOT / "docs", docs)
        del data, derived
        script = work / "mkdocs_alone.py"
        script.write_text(MKDOCS_ALONE.format(root=str(ROOT)))
        runs = {
            "mkdocs": lambda: timed([str(script), str(docs), str(work / "site-alone")], ROOT),
            "ref": lambda: timed([str(old / "build.py"), "--content", str(content), "build", "--site-dir",
                                  str(work / "site-ref")], old),
            "this": lambda: timed(["build.py", "--content", str(content), "build", "--site-dir",
                                   str(work / "site-this")], ROOT),
        }
        if args.search:
            yardstick = theme_search_config(work)
            runs["mkdocs_search"] = lambda: timed([str(script), str(docs), str(work / "site-search"), str(yardstick)],
                                                  ROOT)
        print(f"{args.n:,} records; ref {args.ref} ({sha.strip()}) against this working tree", flush=True)
        ratios: dict[str, list[float]] = {"ref": [], "this": []}
        searched: dict[str, list[float]] = {"ref": [], "this": []}
        for r in range(args.rounds):
            order = list(runs)[r % len(runs):] + list(runs)[:r % len(runs)]
            walls = {}
            for name in order:
                walls[name], steal = runs[name]()
                print(f"  round {r + 1}: {name} {walls[name]:.1f} s (stolen CPU {steal if steal is None else round(steal, 1)} s)",
                      flush=True)
            for name in ratios:
                ratios[name].append(walls[name] / walls["mkdocs"])
                if args.search:
                    searched[name].append(walls[name] / walls["mkdocs_search"])
            print(f"  round {r + 1}: full/mkdocs ref {ratios['ref'][-1]:.3f}, this {ratios['this'][-1]:.3f}", flush=True)
            if args.search:
                print(f"  round {r + 1}: full/(mkdocs with the theme's search) ref {searched['ref'][-1]:.3f}, "
                      f"this {searched['this'][-1]:.3f}", flush=True)
        ref, this = statistics.median(ratios["ref"]), statistics.median(ratios["this"])
        print(f"median full/mkdocs: ref {ref:.3f}, this {this:.3f}; this/ref {this / ref:.3f}", flush=True)
        if args.search:
            print(f"median full/(mkdocs with the theme's search): ref {statistics.median(searched['ref']):.3f}, "
                  f"this {statistics.median(searched['this']):.3f}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
