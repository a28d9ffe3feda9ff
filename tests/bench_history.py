"""Benchmark of the record history (tracker.history): N synthetic records in a git repository with C commits.

    python -m tests.bench_history [--records 10000] [--commits 2000]

Prints and writes (bench-output/history.json): the history read cold (no cache: what the first build after a
clone pays), warm after one new commit (the cache: what each later build pays), and two full builds of the
same repository in fresh processes, with history on (cold cache) and off, and their ratio.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench import OUT, ROOT, Generator, run_child

EPOCH = 1_735_689_600  # 2025-01-01T00:00:00Z: commits are one hour apart from here


def git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    env = {"GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo), "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", "-C", str(repo), *args], input=stdin, env=env, check=True,  # noqa: S603, S607
                          capture_output=True).stdout


def make_repo(repo: Path, records: int, commits: int, seed: int) -> None:
    """The records in one commit, then commits-1 more, each editing one to three records: a title, a
    status as-of date, or only a comment (which is not a change). Written with git fast-import."""
    content = repo / "content"
    Generator(seed).write(records, content)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=Bench", "-c", "user.email=b@example.org", "commit", "-q", "-m", "records",
        "--date", f"@{EPOCH} +0000")
    files = sorted((content / "projects").glob("*.yaml"))
    texts = {p: p.read_text(encoding="utf-8") for p in files}
    rng = random.Random(seed)
    stream = bytearray()
    for k in range(1, commits):
        msg = f"edit {k}".encode()
        stream += (f"commit refs/heads/main\ncommitter Bench <b@example.org> {EPOCH + 3600 * k} +0000\n"
                   f"data {len(msg)}\n").encode() + msg + b"\n"
        if k == 1:
            stream += b"from refs/heads/main^0\n"
        for path in rng.sample(files, rng.randint(1, 3)):
            text = texts[path]
            kind = k % 3
            if kind == 0:
                text = text.replace("\ntitle: ", f"\ntitle: Rev {k} ", 1)
            elif kind == 1:
                text = re.sub(r"(\n  as_of: )\S+", rf"\g<1>{2020 + k % 6}-{1 + k % 12:02d}", text, count=1)
            else:
                text += f"# comment {k}\n"
            texts[path] = text
            data = text.encode("utf-8")
            stream += f"M 100644 inline {path.relative_to(repo).as_posix()}\ndata {len(data)}\n".encode() + data + b"\n"
    git(repo, "fast-import", "--quiet", stdin=bytes(stream))
    git(repo, "reset", "-q", "--hard", "main")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.bench_history", description=__doc__.split("\n\n")[0])
    p.add_argument("--records", type=int, default=10000)
    p.add_argument("--commits", type=int, default=2000)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tracker import history
    from tracker.content import load_content

    result: dict = {"records": args.records, "commits": args.commits}
    with tempfile.TemporaryDirectory(prefix="tracker-bench-history-") as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        clock = time.perf_counter()
        make_repo(repo, args.records, args.commits, args.seed)
        print(f"made {args.records:,} records in {args.commits:,} commits in {time.perf_counter() - clock:.1f} s", flush=True)
        content = repo / "content"
        vocab = load_content(content).vocab
        history.CACHE = Path(tmp) / "cache"
        clock = time.perf_counter()
        h = history.read(content, vocab, use_cache=False)
        result["cold_s"] = time.perf_counter() - clock
        result["changes"] = len(h.changes)
        history.read(content, vocab)  # fills the cache
        path = next((content / "projects").glob("*.yaml"))
        path.write_text(path.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitle: One more ", 1), encoding="utf-8")
        git(repo, "-c", "user.name=Bench", "-c", "user.email=b@example.org", "commit", "-q", "-am", "one more")
        clock = time.perf_counter()
        h2 = history.read(content, vocab)
        result["warm_one_commit_s"] = time.perf_counter() - clock
        result["warm_commits_read"] = h2.commits_read
        print(f"history: {len(h.changes):,} changes read cold in {result['cold_s']:.2f} s; after one more commit, "
              f"{h2.commits_read} commit read in {result['warm_one_commit_s']:.3f} s (cache)", flush=True)
        site_yaml = content / "site.yaml"
        for label, on in (("on", True), ("off", False)):
            text = site_yaml.read_text(encoding="utf-8").replace("history: true", "history: false")
            site_yaml.write_text(text.replace("history: false", "history: true") if on else text, encoding="utf-8")
            # (the child's cache is ROOT/.cache, keyed by the repository's path: new, so cold, on each bench run)
            run = run_child(["--content", str(content), "build", "--site-dir", str(Path(tmp) / f"site-{label}")])
            if run["exit"]:
                raise SystemExit(f"bench_history: the build with history {label} failed")
            result[f"build_history_{label}_s"] = run["wall_s"]
            print(f"full build, history {label}: {run['wall_s']:.1f} s", flush=True)
        result["history_share"] = result["build_history_on_s"] / result["build_history_off_s"] - 1
        print(f"history adds {100 * result['history_share']:.1f}% to the full build (target: at most 10%)")
    OUT.mkdir(exist_ok=True)
    (OUT / "history.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
