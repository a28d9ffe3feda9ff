"""Record history from the git repository: when each record was created and last changed, and what changed,
field by field, in reader terms ("Status: Announced → Under construction").

History comes from commits only, never from the clock or the working tree, so one commit always builds the
same history. The first-parent line of the branch is read (a merged pull request is one change, dated when it
was merged). One `git log` pass lists the commits touching the records with their blobs; only records that
were modified are parsed (old and new version). The result is cached by commit in .cache/: a rebuild after one
new commit reads that commit only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess  # noqa: S404 - git, with fixed arguments, never a shell
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import parallel, yamlsafe
from .values import QUALIFIER_WORDS, PDate, parse_date

log = logging.getLogger(__name__)

VERSION = 2  # of the cache format and of the change texts: a new version recomputes the history
CACHE = Path(__file__).resolve().parent.parent / ".cache"


@dataclass(frozen=True)
class Change:
    """One change to one record in one commit. `project` is the record's id now (or when it was deleted)."""

    time: int  # commit time, seconds since the epoch
    commit: str
    project: str
    field: str  # what changed, in reader terms: "Status", "Source added", "Record created"
    before: str = ""
    after: str = ""

    @property
    def date(self) -> PDate:
        d = datetime.fromtimestamp(self.time, UTC)
        return PDate(d.year, d.month, d.day)

    @property
    def text(self) -> str:
        if self.before and self.after:
            return f"{self.field}: {self.before} → {self.after}"
        return f"{self.field}: {self.after or self.before}" if (self.after or self.before) else self.field


@dataclass(frozen=True)
class Edit:
    """The changes one commit made to one record."""

    time: int
    commit: str
    project: str
    changes: tuple[Change, ...]

    @property
    def date(self) -> PDate:
        return self.changes[0].date


def edits(changes: list[Change]) -> list[Edit]:
    """Group a newest-first list of changes by commit and record, keeping the order."""
    out: list[Edit] = []
    for c in changes:
        if out and (out[-1].commit, out[-1].project) == (c.commit, c.project):
            out[-1] = Edit(c.time, c.commit, c.project, (*out[-1].changes, c))
        else:
            out.append(Edit(c.time, c.commit, c.project, (c,)))
    return out


@dataclass
class RecordHistory:
    created: PDate
    updated: PDate
    changes: list[Change]  # newest first

    @property
    def edits(self) -> list[Edit]:
        return edits(self.changes)


@dataclass
class History:
    records: dict[str, RecordHistory] = field(default_factory=dict)  # by current record id
    changes: list[Change] = field(default_factory=list)  # every record's, deleted ones too, newest first
    deleted: set[str] = field(default_factory=set)  # ids whose record no longer exists
    reason: str = ""  # why there is no history, when there is none
    commits_read: int = field(default=0, compare=False)  # read from git in this build (0: the cache was current)


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=True,  # noqa: S603, S607
                          env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"}).stdout


# Reading records in reader terms -------------------------------------------------------------------------


def _plain(node):
    if node is None:
        return None
    if node.kind == "map":
        return {k: _plain(v) for k, v in node.value.items()}
    if node.kind == "seq":
        return [_plain(v) for v in node.value]
    return node.value


def _date(text) -> str:
    if not isinstance(text, str):
        return ""
    try:
        return parse_date(text).human()
    except ValueError:
        return text


def money(m) -> str:
    if not isinstance(m, dict):
        return ""
    amount, currency = m.get("amount"), m.get("currency")
    if not isinstance(amount, str) or not amount or amount in ("undisclosed", "unknown"):
        return "not disclosed"
    unit = "US$" if currency == "USD" else f"{currency} " if isinstance(currency, str) else ""
    high = f"–{m['amount_high']}" if isinstance(m.get("amount_high"), str) else ""
    return f"{QUALIFIER_WORDS.get(m.get('qualifier'), '')}{unit}{amount}{high}"


def _items(value) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _s(value) -> str:
    return value if isinstance(value, str) else ""


class Terms:
    """Labels of vocabulary terms (statuses, event types, party roles), from the current vocabularies."""

    def __init__(self, vocab: dict):
        self.vocab = vocab

    def __call__(self, name: str, term) -> str:
        term = _s(term)
        return self.vocab.get(name, {}).get(term, {}).get("label", term)


def snapshot(rec: dict, terms: Terms) -> dict[str, dict[str, str]]:
    """What a reader sees of a record, as {group: {key: text}}: a change is a key added, removed or edited."""
    status = rec.get("status") if isinstance(rec.get("status"), dict) else {}
    loc = rec.get("location") if isinstance(rec.get("location"), dict) else {}
    place = ", ".join(_s(loc.get(k)) for k in ("city", "region", "country") if _s(loc.get(k)))
    segments = rec.get("segments") if isinstance(rec.get("segments"), list) else []
    single = {
        "Title": _s(rec.get("title")),
        "Status": terms("statuses", status.get("value")),
        "Status as of": _date(status.get("as_of")),
        "Investment": money(rec.get("investment")),
        "Location": place + (f" ({_s(loc.get('site'))})" if _s(loc.get("site")) else ""),
        "Segments": ", ".join(terms("segments", s) for s in segments),
    }
    events: dict[str, str] = {}
    for e in _items(rec.get("events")):
        label = terms("event_types", e.get("type")) + (" (planned)" if e.get("planned") in ("true", "yes") else "")
        key = label + (f", {e['phase']}" if _s(e.get("phase")) else "")
        n = sum(1 for k in events if k.split(" #")[0] == key)
        events[f"{key} #{n}" if n else key] = _date(e.get("date"))
    return {
        "": single,
        "Milestone": events,
        "Source": {_s(s.get("id")): f"{_s(s.get('publisher'))}, “{_s(s.get('title'))}”" for s in _items(rec.get("sources"))},
        "Party": {_s(p.get("name")): terms("party_roles", p.get("role")) for p in _items(rec.get("parties"))},
        "Phase": {_s(p.get("id")): _s(p.get("name")) for p in _items(rec.get("phases"))},
        "Fact": {_s(f.get("label")): " ".join(x for x in (QUALIFIER_WORDS.get(f.get("qualifier"), "").strip(), _s(f.get("currency")),
                                                           _s(f.get("value")), _s(f.get("unit"))) if x)
                 for f in _items(rec.get("facts"))},
        "Text": {"Summary": _s(rec.get("summary")), "Notes": _s(rec.get("notes"))},
    }


def diff(old: dict, new: dict) -> list[tuple[str, str, str]]:
    """[(field, before, after)] between two snapshots, in a fixed order."""
    out = [(k, old[""].get(k, ""), v) for k, v in new[""].items() if old[""].get(k, "") != v]
    for group in ("Milestone", "Source", "Party", "Phase", "Fact"):
        a, b = old[group], new[group]

        def shown(key: str, value: str, group: str = group) -> str:
            if group == "Source":
                return value
            key = key.split(" #")[0]
            return f"{key}, {value}" if group in ("Milestone", "Fact", "Party") and value else key

        out += [(f"{group} removed", "", shown(k, v)) for k, v in a.items() if k not in b]
        out += [(f"{group} added", "", shown(k, v)) for k, v in b.items() if k not in a]
        out += [(f"{group} {'date' if group == 'Milestone' else 'changed'} ({k.split(' #')[0]})", a[k], v)
                for k, v in b.items() if k in a and a[k] != v]
    out += [(f"{k} edited", "", "") for k, v in new["Text"].items() if old["Text"].get(k) != v]
    return out


def _parse(blob: bytes | None, terms: Terms) -> dict | None:
    if blob is None:
        return None
    node, problems = yamlsafe.load(blob, "history")
    value = _plain(node)
    return snapshot(value, terms) if isinstance(value, dict) else None


# Reading the repository ----------------------------------------------------------------------------------


def _log(repo: Path, since: str | None, prefix: str) -> list[tuple[str, int, list[tuple[str, str, str, str | None]]]]:
    """[(commit, time, [(status, old blob, new blob, path, new path or None)])], oldest first."""
    span = [f"{since}..HEAD"] if since else ["HEAD"]
    out = _git(repo, "log", "--first-parent", "--diff-merges=first-parent", "--reverse", "-M", "--raw", "--no-abbrev",
               "-z", "--format=%x01%H %ct", *span, "--", prefix)
    commits = []
    for chunk in out.split(b"\x01")[1:]:
        tokens = chunk.split(b"\0")
        sha, _, ts = tokens[0].strip().decode().partition(" ")
        files, i = [], 1
        while i < len(tokens):
            meta = tokens[i].strip().decode()
            if not meta.startswith(":"):
                i += 1
                continue
            parts = meta[1:].split()
            status, old, new = parts[4], parts[2], parts[3]
            if status[0] in "RC":
                files.append((status[0], old, new, tokens[i + 1].decode(errors="replace"), tokens[i + 2].decode(errors="replace")))
                i += 3
            else:
                files.append((status[0], old, new, tokens[i + 1].decode(errors="replace"), None))
                i += 2
        commits.append((sha, int(ts), files))
    return commits


def _blobs(repo: Path, shas: set[str]) -> dict[str, bytes]:
    if not shas:
        return {}
    order = sorted(shas)
    out = _git(repo, "cat-file", "--batch", stdin=("\n".join(order) + "\n").encode())
    blobs, pos = {}, 0
    for sha in order:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) < 3 or header[1] != b"blob":  # missing
            pos = end + 1
            continue
        size = int(header[2])
        blobs[sha] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return blobs


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".yaml")


def _is_record(path: str | None, prefix: str) -> bool:
    return bool(path) and path.startswith(prefix) and "/" not in path[len(prefix):] and path.endswith(".yaml")


def _apply(commits, prefix: str, state: dict, deleted: list, repo: Path, terms: Terms) -> None:
    """Add the changes of `commits` to state {path: [change rows]} and deleted [[id, change rows]]."""
    needed = sorted({sha for _, _, files in commits for st, old, new, *_ in files if st in "MR" and old != new
                     for sha in (old, new)})
    blobs = _blobs(repo, set(needed))
    # every version is parsed once, on every core: parsing is most of a cold read's time
    parsed = dict(zip(needed, parallel.map_items(lambda sha: _parse(blobs.get(sha), terms), needed), strict=True))
    snap = parsed.__getitem__

    for sha, ts, files in commits:
        for st, old, new, path, path2 in files:
            src_ok, dst = _is_record(path, prefix), path2 if st in "RC" else path
            dst_ok = _is_record(dst, prefix)
            if st == "A" or (st in "RC" and dst_ok and not src_ok) or (st == "C" and dst_ok):
                if dst_ok:
                    state[dst] = [[ts, sha, "Record created", "", ""]]
                continue
            if st == "D" or (st == "R" and src_ok and not dst_ok):
                rows = state.pop(path, None)
                if rows and src_ok:
                    rows.append([ts, sha, "Record deleted", "", ""])
                    deleted.append([_stem(path), rows])
                continue
            if not src_ok or path not in state:
                if dst_ok and dst not in state:  # first seen here (its creation was outside the prefix)
                    state[dst] = [[ts, sha, "Record created", "", ""]]
                continue
            rows = state.pop(path) if st == "R" else state[path]
            if st == "R":
                state[dst] = rows
                rows.append([ts, sha, "Record renamed", _stem(path), _stem(dst)])
            if old != new:
                before, after = snap(old), snap(new)
                if before is None or after is None:
                    rows.append([ts, sha, "Record edited", "", ""])
                else:
                    rows += [[ts, sha, f, b, a] for f, b, a in diff(before, after)]


def _cache_file(repo: Path, prefix: str) -> Path:
    key = hashlib.sha256(f"{repo}\0{prefix}".encode()).hexdigest()[:16]
    return CACHE / f"history-{key}.json"


def _load_cache(path: Path, vocab_key: str) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") == VERSION and data.get("vocab") == vocab_key:
            return data
    except (OSError, ValueError, AttributeError):
        pass
    return None


def read(content: Path, vocab: dict, use_cache: bool = True) -> History:
    """The history of the records in content/projects/, or an empty History with the reason."""
    folder = (Path(content) / "projects").resolve()
    try:
        top = Path(_git(folder, "rev-parse", "--show-toplevel").decode().strip())
    except (OSError, subprocess.CalledProcessError):
        return History(reason="the content is not in a git repository")
    if _git(top, "rev-parse", "--is-shallow-repository").strip() == b"true":
        log.warning("record history left out: this is a shallow clone; run `git fetch --unshallow` (CI: "
                    "actions/checkout with fetch-depth: 0) to give project pages their history")
        return History(reason="the repository is a shallow clone")
    try:
        head = _git(top, "rev-parse", "--verify", "-q", "HEAD").decode().strip()
    except subprocess.CalledProcessError:
        return History(reason="the repository has no commits yet")
    prefix = folder.relative_to(top.resolve()).as_posix() + "/"
    terms = Terms(vocab)
    vocab_key = hashlib.sha256(repr(sorted((k, sorted((t, v.get("label")) for t, v in terms.vocab[k].items()))
                                           for k in ("statuses", "event_types", "party_roles", "segments")
                                           if k in terms.vocab)).encode()).hexdigest()
    cache_path = _cache_file(top, prefix)
    cached = _load_cache(cache_path, vocab_key) if use_cache else None
    since = None
    if cached and cached["head"] != head:
        try:
            _git(top, "merge-base", "--is-ancestor", cached["head"], head)
            since = cached["head"]
        except subprocess.CalledProcessError:  # history rewritten: start again
            cached = None
    state, deleted, read_count = ({}, [], 0) if not cached else (cached["state"], cached["deleted"], 0)
    if not cached or since:
        commits = _log(top, since, prefix)
        _apply(commits, prefix, state, deleted, top, terms)
        read_count = len(commits)
        if use_cache:
            try:
                CACHE.mkdir(exist_ok=True)
                tmp = cache_path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps({"version": VERSION, "vocab": vocab_key, "head": head, "state": state,
                                           "deleted": deleted}, ensure_ascii=False), encoding="utf-8")
                os.replace(tmp, cache_path)
            except OSError as exc:
                log.info("record history not cached: %s", exc)
    return _history(state, deleted, read_count)


def _history(state: dict, deleted: list, commits_read: int) -> History:
    h = History(commits_read=commits_read)
    everything: list[Change] = []
    for path, rows in state.items():
        rid = _stem(path)
        changes = [Change(t, c, rid, f, b, a) for t, c, f, b, a in _newest_first(rows)]
        h.records[rid] = RecordHistory(changes[-1].date, changes[0].date, changes)
        everything += changes
    for rid, rows in deleted:
        everything += [Change(t, c, rid, f, b, a) for t, c, f, b, a in _newest_first(rows)]
        if rid not in h.records:
            h.deleted.add(rid)
    h.changes = sorted(everything, key=lambda c: (-c.time, c.project))  # stable: each record's order kept
    return h


def _newest_first(rows: list) -> list:
    """Rows are appended commit by commit: reverse the commits, keep each commit's rows in their order."""
    commits: list[list] = []
    for row in rows:
        if commits and commits[-1][0][1] == row[1]:
            commits[-1].append(row)
        else:
            commits.append([row])
    return [row for commit in reversed(commits) for row in commit]
