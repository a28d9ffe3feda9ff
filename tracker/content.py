"""Stages 1 and 2 of the pipeline: load every file in content/ and validate it, all problems at once."""

from __future__ import annotations

import errno
import gc
import hashlib
import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from . import parallel, schema, yamlsafe
from .errors import LIST_PER_FIELD, Problem, ValidationFailed
from .rules import check_record, check_refs, moneys, node_at, path_keys, repeats
from .validate import Context, convert, suggest

log = logging.getLogger(__name__)

ANNOUNCING = ("announced", "signed")  # event types that date a project's announcement
SYMLINK = "is a symbolic link; records must be regular files"


class Record(dict):
    """One valid record: its fields as a mapping (what templates, downloads and derive read), and where it came
    from, for later messages: `path`, the file as messages name it, and `places`, the line and column of the
    fields that later checks point at (id, status.as_of, related[i].id and every amount, by field path)."""

    __slots__ = ("path", "places")

    def __init__(self, fields: dict, path: str, places: dict[str, tuple[int, int]]):
        super().__init__(fields)
        self.path, self.places = path, places

    def at(self, where: str) -> tuple[int, int]:
        """(line, column) of the field at `where`, e.g. "phases[1].investment"; the file's start if not kept."""
        return self.places.get(where, (1, 1))


@dataclass
class Dataset:
    """Everything the later stages need, validated: records sorted by id, vocabularies, rates, settings."""

    root: Path
    settings: dict
    vocab: dict[str, dict[str, dict]]
    fx: dict
    records: list[Record]
    warnings: list[Problem] = field(default_factory=list)


def rel(path: Path, root: Path, folder: Path | None = None, cwd: Path | None = None) -> str:
    """Name a file as the contributor would type it: relative to the working folder when inside it.

    folder and cwd, when given, are path.parent and the working folder already resolved (resolving
    them for each of 10,000 records cost a second)."""
    folder = folder or path.parent.resolve()  # the folder only: never follow a link to the file itself
    try:
        return str((folder / path.name).relative_to(cwd or Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _placeholder_addresses(path: Path, root: Path, settings: dict) -> list[Problem]:
    """Warn when repo_url or site_url still points at the example placeholder: "Edit this record" links and
    canonical addresses would lead nowhere on a published site."""
    from urllib.parse import urlsplit

    out = []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines() if path.is_file() else []
    for key in ("repo_url", "site_url"):
        value = settings.get(key)
        if not isinstance(value, str):
            continue
        parts = urlsplit(value)
        host = (parts.hostname or "").split(".")
        if "example" in host[-2:] or "example" in parts.path.split("/")[:2]:
            line = next((i for i, text in enumerate(lines, 1) if text.startswith(f"{key}:")), 1)
            out.append(Problem(rel(path, root), line, len(key) + 3, key, f"still the example placeholder ({value})",
                               "write your repository's address (or the site's, for site_url)", "info"))
    return out


def read(path: Path, root: Path, t, vocab, problems: list[Problem]):
    """Load and convert one file; return (value, ctx) or (None, None) when it cannot be read."""
    name = rel(path, root)
    data, problem = read_input(path, name)
    if problem:
        problems.append(problem)
        return None, None
    return parse(data, name, t, vocab, problems)


def read_input(path: Path, name: str) -> tuple[bytes | None, Problem | None]:
    """The bytes of one input file, or the reason it is not read. Only a regular file is read, and only
    when its size is within the limit: a symbolic link could make the build read (and quote) any file on
    the machine, a pipe would block, and a huge (or sparse) file would be read in full before its size
    was checked. The file is opened first and then examined, so it cannot be swapped in between."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, Problem(name, 1, 1, "", SYMLINK, "commit the file itself")
        return None, Problem(name, 1, 1, "", f"cannot read file: {exc.strerror}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            if stat.S_ISDIR(info.st_mode):
                return None, Problem(name, 1, 1, "", "is a folder, not a file", "put records directly in projects/")
            return None, Problem(name, 1, 1, "", "is a pipe, socket or device, not a file", "records are ordinary files")
        if info.st_size > yamlsafe.MAX_BYTES:
            return None, Problem(name, 1, 1, "", f"file is {info.st_size:,} bytes; the limit is "
                                 f"{yamlsafe.MAX_BYTES:,}", "split or shorten it")
        chunks, left = [], yamlsafe.MAX_BYTES + 1  # the parser refuses a file that grew meanwhile
        while left > 0 and (chunk := os.read(fd, left)):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks), None
    except OSError as exc:
        return None, Problem(name, 1, 1, "", f"cannot read file: {exc.strerror}")
    finally:
        os.close(fd)


def parse(data: bytes, name: str, t, vocab, problems: list[Problem]):
    """Parse and convert one file's bytes; return (value, ctx) or (None, None)."""
    node, found = yamlsafe.load(data, name)
    problems.extend(found)
    if node is None:
        return None, None
    ctx = Context(name, vocab, problems)
    if node.kind != "map":
        ctx.error(
            node,
            "",
            f"expected one mapping of fields, got a {'list' if node.kind == 'seq' else 'single value'}",
            "a record starts with 'id: your-id' at the left margin",
        )
        return None, None
    value = convert(node, t, "", ctx)
    ctx.node = node
    return value, ctx


def load_content(root: Path) -> Dataset:
    """Stages 1-2: load and validate content/ (every error at once); see _load_content."""
    enabled = gc.isenabled()
    gc.disable()  # a load builds a million small objects and frees almost none: cyclic GC only costs here
    try:
        return _load_content(root)
    finally:
        # The records live until the pipeline ends and hold no reference cycles (refcounting frees them).
        # Freezing them keeps every later collection, and every forked worker, from walking them again
        # (PERFORMANCE.md, "Measurements behind the code").
        gc.freeze()
        if enabled:
            gc.enable()


def _load_content(root: Path) -> Dataset:
    """Load and validate all of content/; raise ValidationFailed listing every error."""
    root = Path(root)
    problems: list[Problem] = []
    # Vocabularies first: records are checked against them.
    vocab_value, vctx = read(root / "vocabularies.yaml", root, schema.VOCAB_FILE, {}, problems)
    # (an invalid entry or term has an error of its own, and is left out)
    terms = {name: [t if isinstance(t, dict) else {} for t in (vocab_value or {}).get(name) or []]
             for name in schema.VOCAB_NAMES}
    vocab = {name: {t["term"]: t for t in terms[name] if t.get("term")} for name in schema.VOCAB_NAMES}
    for name in schema.VOCAB_NAMES if vctx else ():
        for i, term, first in repeats(t.get("term") for t in terms[name]):
            at = node_at(vctx.node, [name, i, "term"])
            problems.append(Problem(vctx.path, at.line, at.col, f"{name}[{i}].term", f"'{term}' is defined twice "
                                    f"(first as {name}[{first}])", "keep one definition"))
    settings, sctx = read(root / "site.yaml", root, schema.SITE_FILE, vocab, problems)
    problems += _placeholder_addresses(root / "site.yaml", root, settings or {})
    fx_value, fctx = read(root / "fx.yaml", root, schema.FX_FILE, vocab, problems)
    fx = _fx_table(fx_value, fctx) if fx_value else {"rates": {}, "sources": {}}
    as_of = (settings or {}).get("as_of")
    projects = root / "projects"
    unread = [n for n, v in (("vocabularies.yaml", vocab_value), ("site.yaml", settings), ("fx.yaml", fx_value)) if v is None]
    if unread:  # checked against an empty vocabulary, every record would fail: only the real error is shown
        raise ValidationFailed([*problems, Problem(rel(projects, root), 1, 1, "", "records not checked until "
                                                   f"{' and '.join(unread)} can be read", "fix the error there, then "
                                                   "run check again", "warning")])
    if not projects.is_dir():
        raise ValidationFailed([*problems, Problem(rel(projects, root), 1, 1, "", "no projects/ folder here",
                                                   "is --content the content folder? Records go in "
                                                   "<content>/projects/<id>.yaml")])

    records: list[Record] = []
    seen: dict[str, str] = {}
    files = sorted(projects.glob("*.yaml"))
    if not files:
        problems.append(Problem(rel(projects, root), 1, 1, "", "no records yet", "add one with `make new ID=<id>`",
                                "warning"))
    for extra in sorted(projects.glob("*")):
        if extra.suffix != ".yaml" and extra.is_file() and not extra.name.startswith("."):
            problems.append(Problem(rel(extra, root), 1, 1, "", "not a .yaml file", "records are named <id>.yaml"))
        elif extra.suffix != ".yaml" and extra.is_dir() and not extra.name.startswith("."):  # never skip silently
            problems.append(Problem(rel(extra, root), 1, 1, "", "a folder: its files are not read",
                                    "put records directly in projects/"))
    vocab_key = hashlib.sha256(repr(sorted((k, sorted(v)) for k, v in vocab.items())).encode()).hexdigest()
    for record, found in load_records(files, root, vocab, as_of, vocab_key):
        problems.extend(found)
        if record is None:
            continue
        rid = record.get("id")
        if rid:
            key = rid.lower()
            if key in seen:
                problems.append(Problem(record.path, *record.at("id"), "id",
                                        f"duplicate id '{rid}': also used by {seen[key]}", "ids must be unique"))
            seen[key] = record.path
        records.append(record)
    for record in records:
        for i, rel_ in enumerate(record.get("related") or []):
            other, at = rel_.get("id"), record.at(f"related[{i}].id")
            if other is not None and other == record.get("id"):
                problems.append(Problem(record.path, *at, f"related[{i}].id", "a record cannot be related to "
                                        "itself", "name another record's id, or remove this entry"))
            elif other is not None and other not in seen:  # a missing id is already an error
                close = suggest(other, seen) if i < LIST_PER_FIELD else ""  # past what is listed: no search
                problems.append(Problem(record.path, *at, f"related[{i}].id", f"no record with id '{other}'",
                                        close or "check the other record's file name"))
    if vctx:
        unused_terms(vocab, records, problems, vctx.path, root / "vocabularies.yaml")
    errors = [p for p in problems if p.severity == "error"]
    warnings = sorted(p for p in problems if p.severity != "error")  # capped where they are printed
    if errors:
        raise ValidationFailed(problems)
    records.sort(key=lambda r: r["id"])
    return Dataset(root, settings, vocab, fx, records, warnings)


# Parsed and checked records by (file name, content hash, vocabularies, as-of date): `serve` edits one
# record of thousands and re-validates only that one. Records are treated as read-only downstream.
_RECORD_CACHE: dict[tuple, tuple[dict | None, list[Problem]]] = {}


def clear_cache() -> None:
    """Forget the parsed records kept for `serve`: a one-off build (tracker.site.build) has no use for them
    once its pages are made, and they would stay in memory through MkDocs' build."""
    _RECORD_CACHE.clear()


def load_records(files: list[Path], root: Path, vocab: dict, as_of, vocab_key: str = "") -> list:
    """Load, convert and check record files; return [(record or None, its problems)] in file order.

    Every core reads, hashes and parses its share of the files. A file already in the cache is not
    parsed again: the worker sends back only its key, and the records come from this process's cache
    as the very same objects (what `serve` relies on to tell unchanged pages)."""
    cwd, folders = Path.cwd().resolve(), {}

    def one(path: Path):
        folder = folders.get(path.parent) or folders.setdefault(path.parent, path.parent.resolve())
        name = rel(path, root, folder, cwd)
        data, problem = read_input(path, name)
        if problem:
            return None, (None, [problem])
        key = (name, hashlib.sha256(data).digest(), vocab_key, as_of)
        return (key, None) if key in _RECORD_CACHE else (key, _load_one(path, name, data, vocab, as_of))

    done = parallel.map_items(one, files)
    results = [result or _RECORD_CACHE[key] for key, result in done]  # before the cache may be cleared
    fresh = [(key, result) for key, result in done if key is not None and result is not None]
    if len(_RECORD_CACHE) + len(fresh) > 50_000:
        _RECORD_CACHE.clear()
    _RECORD_CACHE.update(fresh)
    return results


def _load_one(path: Path, name: str, data: bytes, vocab: dict, as_of) -> tuple[Record | None, list[Problem]]:
    problems: list[Problem] = []
    record, ctx = parse(data, name, schema.FIELDS_TYPE, vocab, problems)
    if record is not None:
        check_record(record, path, ctx, as_of)
        places = {}
        for where in ["id", "status.as_of", *(f"related[{i}].id" for i in range(len(record.get("related") or []))),
                      *(where for where, _ in moneys(record))]:
            node = node_at(ctx.node, path_keys(where))
            places[where] = (node.line, node.col)
        record = Record(record, name, places)
    return record, problems


def _fx_table(fx_value: dict, ctx: Context) -> dict:
    # (an invalid entry or id has an error of its own, and is left out)
    sources = {s["id"]: s for s in fx_value.get("sources") or [] if isinstance(s, dict) and s.get("id")}
    check_refs(ctx, {"sources": set(sources)})
    rates: dict[tuple[str, int], dict] = {}
    for i, r in enumerate(fx_value.get("rates") or []):
        if not isinstance(r, dict) or None in (r.get("currency"), r.get("year"), r.get("rate")):
            continue
        key = (r["currency"], r["year"])
        if key in rates:
            ctx.error(node_at(ctx.node, ["rates", i]), f"rates[{i}]", f"second rate for {key[0]} {key[1]}",
                      "keep one rate per currency and year")
        if r["rate"] == 0:
            ctx.error(node_at(ctx.node, ["rates", i, "rate"]), f"rates[{i}].rate", "a rate cannot be zero",
                      "copy the yearly average from the source")
            continue
        rates[key] = r
    return {"rates": rates, "sources": sources}


def _term_line(lines: list[str], section: str, term: str) -> int:
    """The line of `- term: <term>` in a vocabulary section (1 when it cannot be found)."""
    start = next((i for i, text in enumerate(lines) if text.rstrip() == f"{section}:"), None)
    if start is None:
        return 1
    for i in range(start + 1, len(lines)):
        text = lines[i]
        if text and not text[0].isspace() and not text.startswith("#"):
            break  # the next section
        if text.strip().removeprefix("- ").strip() in (f"term: {term}", f'term: "{term}"', f"term: '{term}'"):
            return i + 1
    return 1


def unused_terms(vocab, records, problems, path, file: Path | None = None) -> None:
    """Warn about vocabulary terms no record uses (issue: a term used by no record is reported)."""
    lines = file.read_text(encoding="utf-8", errors="replace").splitlines() if file and file.is_file() else []
    used: dict[str, set] = {name: set() for name in vocab}
    for r in records:
        used["statuses"].add((r.get("status") or {}).get("value"))
        used["segments"].update(r.get("segments") or [])
        used["technologies"].update(t["term"] for t in r.get("technologies") or [])
        used["event_types"].update(e.get("type") for e in r.get("events") or [])
        used["party_roles"].update(p.get("role") for p in r.get("parties") or [])
    for name, terms in vocab.items():
        unused = sorted(set(terms) - used[name])
        if unused:
            line = min((n for n in (_term_line(lines, name, t) for t in unused) if n > 1), default=1)  # the first
            problems.append(
                Problem(
                    path,
                    line,
                    1 if line == 1 else 5,
                    name,
                    "used by no record: " + ", ".join(unused),
                    "fine while content grows; remove terms that are not needed",
                    "info",
                )
            )
