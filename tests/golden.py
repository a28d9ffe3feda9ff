"""Golden docs tree: the rendered Markdown for a small fixture dataset, committed under tests/golden/docs.

Regenerate deliberately after a template change, then review the diff:
    make golden        (or: python -m tests.golden regenerate)
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "content"
GOLDEN = HERE / "golden" / "docs"


def render() -> dict[str, bytes]:
    from tracker.site import render_tree

    _, _, pages = render_tree(FIXTURE)
    return {p: (t if isinstance(t, bytes) else t.encode("utf-8")) for p, t in pages.items()}


def regenerate() -> None:
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for rel, data in sorted(render().items()):
        target = GOLDEN / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print(f"wrote {len(list(GOLDEN.rglob('*.*')))} files under {GOLDEN.relative_to(Path.cwd())}; review `git diff`")


if __name__ == "__main__":
    if sys.argv[1:] != ["regenerate"]:
        sys.exit("usage: python -m tests.golden regenerate")
    regenerate()
