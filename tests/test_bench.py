"""The benchmark runs end to end on a few records (issue 7). Timings are printed, never asserted: this checks
that `make bench` works and measures what it says, pairs included."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_runs_and_alternates_its_pairs(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench", "--sizes", "24", "--runs", "2", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "full/mkdocs at N=24, per run" in proc.stdout
    (res,) = json.loads(out.read_text())["results"]
    pairs = res["pairs"]
    # The order alternates between runs; the full build is always between MkDocs alone and MkDocs with the
    # theme's search plugin, the index Pagefind replaced.
    assert [p["first"] for p in pairs] == ["mkdocs", "mkdocs_search"]
    for p in pairs:
        assert p["mkdocs"]["exit"] == p["full"]["exit"] == p["mkdocs_search"]["exit"] == 0
        assert p["ratio"] == p["full"]["wall_s"] / p["mkdocs"]["wall_s"]
        assert p["ratio_search"] == p["full"]["wall_s"] / p["mkdocs_search"]["wall_s"]
        assert p["full"]["peak_rss_mib"] and p["full"]["peak_tree_pss_mib"] is None  # timed runs do not sample
        # MkDocs' own build time was read from both children's logs, and fits inside each child's wall time
        for side in ("mkdocs", "full"):
            assert 0 < p[side]["mkdocs_inside_s"] < p[side]["wall_s"]
        assert p["ratio_inside"] == p["full"]["wall_s"] / p["full"]["mkdocs_inside_s"] > 1
    assert sorted(res["full_over_mkdocs_all"]) == sorted(round(p["ratio"], 4) for p in pairs)
    assert res["build_peak_rss_mib"] == max(p["full"]["peak_rss_mib"] for p in pairs)
    assert res["build_peak_pss_mib"] == res["memory_run"]["peak_tree_pss_mib"] > 0
    assert res["pages"]["html_files"] > 24  # the full build's site was measured before it was removed
    assert res["check_subprocess"]["exit"] == 0
    # What a reader waits for was measured in the browser on the full build's site.
    assert 0 < res["search_first_results_s"] and res["search_bytes"] > 100_000 and res["search_requests"] > 3
    assert 0 < res["explorer_interactive_s"] and res["explorer_bytes"] > 0
    assert res["pages"]["search_index"] > 0  # the Pagefind folder's size
