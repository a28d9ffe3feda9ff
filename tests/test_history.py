"""Record history from git (tracker.history): a repository made here, with known edits and dates."""

from __future__ import annotations

import csv
import io
import logging
import os
import subprocess
from pathlib import Path

import feedparser
import pytest

from tracker import history
from tracker.cli import main
from tracker.content import load_content
from tracker.site import render_tree

SEED = "anyuan-tianyou-led-packaging"
OTHER = "jiaxing-ic-packaging-mems"


def git(repo: Path, *args: str, when: str = "2026-01-01T12:00:00Z") -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "T",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo)}
    return subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, message: str, when: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, when=when)
    return git(repo, "rev-parse", "HEAD").strip()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(history, "CACHE", tmp_path / "cache")


@pytest.fixture
def repo(content: Path) -> Path:
    """content/ (two seed records) in a repository with four commits on known dates:
    1. 2026-01-10 both records created;
    2. 2026-02-15 the seed record's status and as-of date change and a source is added; the other record
       gets a comment and re-wrapped lines only; a third record is created;
    3. 2026-03-20 the other record is renamed (file and id);
    4. 2026-04-25 the third record is deleted."""
    root = content.parent
    git(root, "init", "-q", "-b", "main")
    commits = [commit(root, "two records", "2026-01-10T09:00:00Z")]
    seed = content / "projects" / f"{SEED}.yaml"
    edit(seed, "value: signed", "value: under-construction")
    edit(seed, "sources:\n  - id:", "sources:\n  - id: extra-2026\n    title: Extra source\n    publisher: Example Daily\n"
                                    "    url: https://example.org/extra\n  - id:")
    other = content / "projects" / f"{OTHER}.yaml"
    edit(other, "\nsummary:", "\n# a comment only\nsummary:")
    (content / "projects" / "third-record.yaml").write_text(seed.read_text().replace(f"id: {SEED}", "id: third-record"))
    commits.append(commit(root, "edits", "2026-02-15T23:30:00Z"))
    renamed = content / "projects" / "jiaxing-renamed.yaml"
    other.rename(renamed)
    edit(renamed, f"id: {OTHER}", "id: jiaxing-renamed")
    commits.append(commit(root, "rename", "2026-03-20T10:00:00Z"))
    (content / "projects" / "third-record.yaml").unlink()
    commits.append(commit(root, "delete", "2026-04-25T10:00:00Z"))
    return content


def texts(h, rid):
    return [(c.date.iso(), c.text) for c in h.records[rid].changes]


def test_changes_in_reader_terms_with_commit_dates(repo):
    h = history.read(repo, load_content(repo).vocab)
    assert not h.reason
    assert texts(h, SEED) == [
        ("2026-02-15", "Status: Signed → Under construction"),
        ("2026-02-15", "Source added: Example Daily, “Extra source”"),
        ("2026-01-10", "Record created"),
    ]
    assert h.records[SEED].updated.iso() == "2026-02-15" and h.records[SEED].created.iso() == "2026-01-10"
    # a comment and nothing else is not a change; the rename keeps the record's history
    assert texts(h, "jiaxing-renamed") == [("2026-03-20", f"Record renamed: {OTHER} → jiaxing-renamed"),
                                           ("2026-01-10", "Record created")]
    assert OTHER not in h.records and "third-record" not in h.records and h.deleted == {"third-record"}
    assert [c.text for c in h.changes if c.project == "third-record"] == ["Record deleted", "Record created"]
    assert [c.date.iso() for c in h.changes] == sorted((c.date.iso() for c in h.changes), reverse=True)


def test_cache_reads_only_new_commits_and_gives_the_same_history(repo):
    vocab = load_content(repo).vocab
    first = history.read(repo, vocab)
    assert first.commits_read == 4
    again = history.read(repo, vocab)
    assert again.commits_read == 0 and again == first
    edit(repo / "projects" / f"{SEED}.yaml", "title: ", "title: Renamed ")
    commit(repo.parent, "retitle", "2026-05-01T08:00:00Z")
    after = history.read(repo, vocab)
    assert after.commits_read == 1
    assert after == history.read(repo, vocab, use_cache=False)
    assert after.records[SEED].changes[0].field == "Title"


def test_rewritten_history_is_read_again(repo):
    vocab = load_content(repo).vocab
    history.read(repo, vocab)
    git(repo.parent, "reset", "-q", "--hard", "HEAD~2")
    h = history.read(repo, vocab)
    assert h.commits_read == 2 and OTHER in h.records and "third-record" in h.records


def test_pages_feed_and_csv_show_the_history(repo):
    data, derived, pages = render_tree(repo)
    page = pages[f"projects/{SEED}.md"]
    assert 'Record last updated <a href="#history">15 February 2026</a>; created 10 January 2026.' in page
    assert "Status: Signed &#8594; Under construction; Source added: Example Daily" in page
    changes = pages["changes/index.md"]
    assert changes.index('id="d-2026-04-25"') < changes.index('id="d-2026-02-15"') < changes.index('id="d-2026-01-10"')
    assert '<span class="tr-deleted">third-record</span> <span class="tr-tag">deleted</span>' in changes
    assert 'href="../projects/jiaxing-renamed/"' in changes
    rows = list(csv.DictReader(io.StringIO(pages["data/changes.csv"].decode("utf-8-sig"))))
    assert {"date": "2026-02-15", "project_id": SEED, "change": "Status", "before": "Signed",
            "after": "Under construction"}.items() <= rows[next(i for i, r in enumerate(rows) if r["change"] == "Status")].items()
    feed = feedparser.parse(pages["changes.xml"])
    assert not feed.bozo and feed.feed.updated == "2026-04-25T10:00:00Z"
    assert feed.entries[0].title == "third-record (deleted): Record deleted"
    # the same commit builds the same bytes, with or without the cache
    assert render_tree(repo)[2] == pages


def test_history_off_shallow_or_outside_git_is_said_and_builds(repo, tmp_path_factory, caplog):
    tmp_path = tmp_path_factory.mktemp("elsewhere")  # (the fixture's tmp_path is the repository)
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.parent}", str(shallow)], check=True)
    with caplog.at_level(logging.WARNING):
        _, derived, pages = render_tree(shallow / "content")
    assert derived.history.reason == "the repository is a shallow clone"
    assert "git fetch --unshallow" in caplog.text
    assert 'id="history"' not in pages[f"projects/{SEED}.md"] and "shallow clone" in pages["changes/index.md"]
    outside = tmp_path / "plain"
    subprocess.run(["cp", "-r", str(repo), str(outside)], check=True)
    assert history.read(outside, {}).reason == "the content is not in a git repository"
    (repo / "site.yaml").write_text((repo / "site.yaml").read_text().replace("history: true", "history: false"))
    _, derived, pages = render_tree(repo)
    assert derived.history is None and "turned off" in pages["changes/index.md"]


def test_stale_status_and_amount_are_marked_and_reported(content, capfd):
    data, derived, pages = render_tree(content)
    page = pages[f"projects/{SEED}.md"]
    assert page.count("may be out of date</span>") == 2  # the status (as of July 2020) and the amount
    assert main(["--content", str(content), "check"]) == 0
    err = capfd.readouterr().err
    assert f"projects/{SEED}.yaml:" in err and "info: status.as_of: may be out of date: status as of July 2020" in err
    site = content / "site.yaml"
    site.write_text(site.read_text().replace("stale_after_months: 18", "stale_after_months: 120"))
    assert "may be out of date" not in render_tree(content)[2][f"projects/{SEED}.md"]
