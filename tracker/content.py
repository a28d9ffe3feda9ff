"""Stages 1 and 2 of the pipeline: load every file in content/ and validate it, all problems at once."""

from __future__ import annotations

import errno
import gc
import hashlib
import logging
import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from . import parallel, schema, yamlsafe
from .errors import LIST_PER_FIELD, Problem, ValidationFailed, cap
from .validate import Context, convert, region_info, suggest
from .values import PDate

log = logging.getLogger(__name__)

ANNOUNCING = ("announced", "signed")  # event types that date a project's announcement
RESERVED_IDS = {"index"}  # projects/index.md is the list of all projects
SYMLINK = "is a symbolic link; records must be regular files"


@dataclass
class Dataset:
    """Everything the later stages need, validated: records sorted by id, vocabularies, rates, settings."""

    root: Path
    settings: dict
    vocab: dict[str, dict[str, dict]]
    fx: dict
    records: list[dict]
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


def repeats(values) -> list[tuple[int, str, int]]:
    """(index, value, index of its first occurrence) for every value given before; empty values aside."""
    first: dict = {}
    return [(i, v, first[v]) for i, v in enumerate(values) if v and first.setdefault(v, i) != i]


def _check_refs(ctx: Context, known: dict[str, set]) -> None:
    unknown: Counter = Counter()
    for kind, value, node, fpath in ctx.refs:
        if value not in known.get(kind, set()):
            unknown[kind] += 1  # past what is listed (errors.cap), a suggestion would only cost time
            close = suggest(value, known.get(kind, ())) if unknown[kind] <= LIST_PER_FIELD else ""
            ctx.error(node, fpath, f"no {kind[:-1]} with id '{value}' in this file",
                      close or f"add it to {kind}, or fix the id")


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
            at = _node_at(vctx.node, [name, i, "term"])
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

    records: list[dict] = []
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
                line, col = record["_id_at"]
                problems.append(Problem(record["_path"], line, col, "id",
                                        f"duplicate id '{rid}': also used by {seen[key]}", "ids must be unique"))
            seen[key] = record["_path"]
        records.append(record)
    for record in records:
        for i, rel_ in enumerate(record.get("related") or []):
            other, at = rel_.get("id"), rel_.get("_at", (1, 1))
            if other is not None and other == record.get("id"):
                problems.append(Problem(record["_path"], *at, f"related[{i}].id", "a record cannot be related to "
                                        "itself", "name another record's id, or remove this entry"))
            elif other is not None and other not in seen:  # a missing id is already an error
                close = suggest(other, seen) if i < LIST_PER_FIELD else ""  # past what is listed: no search
                problems.append(Problem(record["_path"], *at, f"related[{i}].id", f"no record with id '{other}'",
                                        close or "check the other record's file name"))
    if vctx:
        unused_terms(vocab, records, problems, vctx.path, root / "vocabularies.yaml")
    errors = [p for p in problems if p.severity == "error"]
    warnings = cap([p for p in problems if p.severity != "error"])
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


def _load_one(path: Path, name: str, data: bytes, vocab: dict, as_of) -> tuple[dict | None, list[Problem]]:
    problems: list[Problem] = []
    record, ctx = parse(data, name, schema.FIELDS_TYPE, vocab, problems)
    if record is not None:
        check_record(record, path, ctx, as_of)
        record["_path"] = name
        id_node = ctx.node.value.get("id")
        record["_id_at"] = (id_node.line, id_node.col) if id_node else (1, 1)
        if isinstance(record.get("status"), dict):  # for notes about the status (tracker.derive.stale_notes)
            at = _node_at(ctx.node, ["status", "as_of"])
            record["status"]["_at"] = (at.line, at.col)
        for i, rel_ in enumerate(record.get("related") or []):
            at = _node_at(ctx.node, ["related", i, "id"])
            rel_["_at"] = (at.line, at.col)
    return record, problems


def _fx_table(fx_value: dict, ctx: Context) -> dict:
    # (an invalid entry or id has an error of its own, and is left out)
    sources = {s["id"]: s for s in fx_value.get("sources") or [] if isinstance(s, dict) and s.get("id")}
    _check_refs(ctx, {"sources": set(sources)})
    rates: dict[tuple[str, int], dict] = {}
    for i, r in enumerate(fx_value.get("rates") or []):
        if not isinstance(r, dict) or None in (r.get("currency"), r.get("year"), r.get("rate")):
            continue
        key = (r["currency"], r["year"])
        if key in rates:
            ctx.error(_node_at(ctx.node, ["rates", i]), f"rates[{i}]", f"second rate for {key[0]} {key[1]}",
                      "keep one rate per currency and year")
        if r["rate"] == 0:
            ctx.error(_node_at(ctx.node, ["rates", i, "rate"]), f"rates[{i}].rate", "a rate cannot be zero",
                      "copy the yearly average from the source")
            continue
        rates[key] = r
    return {"rates": rates, "sources": sources}


def check_record(rec: dict, path: Path, ctx: Context, as_of: PDate | None) -> None:
    """Checks that span fields: ids, references, codes that must agree, sums and dates in order."""
    node = ctx.node
    at = lambda *keys: _node_at(node, keys)  # noqa: E731
    if rec.get("id") and rec["id"] != path.stem:
        ctx.error(
            at("id"),
            "id",
            f"id '{rec['id']}' does not match the file name '{path.name}'",
            f"rename the file to {rec['id']}.yaml or set id: {path.stem}",
        )
    if rec.get("id") in RESERVED_IDS:
        ctx.error(at("id"), "id", f"id '{rec['id']}' is reserved for a page of the site", "choose another id")
    known = {
        "sources": {s["id"] for s in rec.get("sources") or [] if s.get("id")},
        "phases": {p["id"] for p in rec.get("phases") or [] if p.get("id")},
    }
    for kind in known:
        for i, x, _ in repeats(x.get("id") for x in rec.get(kind) or []):
            ctx.error(at(kind, i, "id"), f"{kind}[{i}].id", f"id '{x}' is used twice in {kind}", "make ids unique")
    _check_refs(ctx, known)
    cited = {value for kind, value, *_ in ctx.refs if kind == "sources"}
    for i, s in enumerate(rec.get("sources") or []):
        if s.get("id") and s["id"] not in cited:
            ctx.error(
                at("sources", i, "id"),
                f"sources[{i}]",
                f"source '{s['id']}' is cited by nothing",
                "cite it from the facts it supports, or remove it",
                "warning",
            )

    for i in range(len(rec.get("sources") or [])):
        given = _node_at(node, ["sources", i])
        (url, no_url), (_, no_locator) = _unset(given, "url"), _unset(given, "locator")
        if given.kind == "map" and no_url and no_locator:
            ctx.error(url or given, f"sources[{i}].url", "is empty" if url else "a source needs an address or a locator",
                      "add url: https://..., or for print and paywalled sources locator: (edition, page, archive)")
    loc = rec.get("location") or {}
    point = loc.get("coordinates")
    if point and not point.get("sources") and not point.get("derived"):
        ctx.error(at("location", "coordinates"), "location.coordinates.sources", "coordinates need a source",
                  "cite a source that gives the point, or write derived: true and the gazetteer entry it comes from")
    if point and point.get("derived") and not point.get("gazetteer") and not point.get("sources"):
        ctx.error(at("location", "coordinates"), "location.coordinates.gazetteer",
                  "derived coordinates need their gazetteer entry", "add e.g. gazetteer: GeoNames 1805953")
    twice = {i for i, *_ in repeats(loc.get("other_regions") or [])}
    for i, code in enumerate(loc.get("other_regions") or []):
        info = region_info(code)
        where = at("location", "other_regions", i)
        if not loc.get("region"):
            ctx.error(where, f"location.other_regions[{i}]", "other regions need a first one in `region`",
                      f"write region: {code} and remove it from other_regions")
        elif code == loc["region"] or i in twice:
            ctx.error(where, f"location.other_regions[{i}]", f"{code} is listed twice", "list each region once")
        elif info and loc.get("country") and info[1] != loc["country"]:
            ctx.error(where, f"location.other_regions[{i}]", f"region {code} ({info[0]}) is not in country {loc['country']}",
                      "a project in two countries needs two records, linked with `related`")
    if loc.get("country") and loc.get("region"):
        info = region_info(loc["region"])
        if info and info[1] != loc["country"]:
            ctx.error(
                at("location", "region"),
                "location.region",
                f"region {loc['region']} ({info[0]}) is not in country {loc['country']}",
                f"use a {loc['country']}- code, or set country: {info[1]}",
            )

    status = rec.get("status") or {}
    if status.get("value") and status["value"] != "unknown" and not status.get("sources"):
        hint = "cite the source that shows it"
        if status["value"] == "under-construction":
            hint = "cite a source that reports construction work; a groundbreaking ceremony is not evidence by itself"
        ctx.error(at("status"), "status.sources", f"status '{status['value']}' needs evidence", hint)

    for where, money in moneys(rec):
        _check_money(money, where, ctx, node)
    if as_of:
        _check_after_as_of(rec, ctx, at, as_of)

    total = rec.get("investment") or {}
    phases = rec.get("phases") or []
    same = [
        p["investment"]["amount"]
        for p in phases
        if p.get("investment")
        and isinstance(p["investment"].get("amount"), Decimal)
        and p["investment"].get("currency") == total.get("currency")
    ]
    if isinstance(total.get("amount"), Decimal) and same and total.get("qualifier") not in ("at-least", "more-than"):
        ceiling = total.get("amount_high") or total["amount"]
        if sum(same) > ceiling:
            ctx.error(
                at("phases"),
                "phases",
                f"phase investments add up to {sum(same):,} {total['currency']}, more than the total {ceiling:,}",
                "check the amounts, or mark the total 'at-least'",
            )

    _check_dates(rec, ctx, at, as_of)


def moneys(rec):
    """Yield (field path, money mapping) for every amount in a record."""
    if rec.get("investment"):
        yield "investment", rec["investment"]
    for i, p in enumerate(rec.get("phases") or []):
        if p.get("investment"):
            yield f"phases[{i}].investment", p["investment"]
    for i, e in enumerate(rec.get("events") or []):
        if e.get("investment"):
            yield f"events[{i}].investment", e["investment"]
    for i, s in enumerate(rec.get("support") or []):
        yield f"support[{i}]", s


def _check_money(money: dict, where: str, ctx: Context, node) -> None:
    keys = _path_keys(where)
    n = _node_at(node, keys)
    money["_at"] = (n.line, n.col)  # for later messages about this amount (e.g. no exchange rate)
    amount = money.get("amount")
    for key in ("amount", "amount_high"):
        if money.get(key) == 0:  # Decimal 0, never the word undisclosed
            ctx.error(_node_at(node, [*keys, key]), f"{where}.{key}", "an amount of 0 says nothing was invested",
                      "when no amount was stated, write amount: undisclosed (or leave the amount out)")
    if isinstance(amount, Decimal):
        if not money.get("currency") and (n.kind != "map" or "currency" not in n.value):  # absent, not invalid
            ctx.error(n, f"{where}.currency", "an amount needs a currency", "add e.g. currency: CNY")
        high = money.get("amount_high")
        if high is not None and high < amount:
            ctx.error(n, f"{where}.amount_high", "the upper end is below the amount", "swap them")
    elif amount in ("undisclosed", "unknown"):
        extra = [k for k in ("currency", "amount_high", "qualifier", "equivalent") if money.get(k)]
        if extra:
            ctx.error(n, f"{where}.{extra[0]}", f"'{extra[0]}' makes no sense with amount '{amount}'", "remove it")


def _check_after_as_of(rec, ctx, at, as_of: PDate) -> None:
    """A fact cannot be confirmed, or a source published, after the date the data is current to."""
    dated = [("status.as_of", ("status", "as_of"), (rec.get("status") or {}).get("as_of"))]
    dated += [(f"sources[{i}].date", ("sources", i, "date"), s.get("date")) for i, s in enumerate(rec.get("sources") or [])]
    dated += [(f"{where}.stated", (*_path_keys(where), "stated"), m.get("stated")) for where, m in moneys(rec)]
    for fpath, keys, d in dated:
        if isinstance(d, PDate) and d.first_day() > as_of.last_day():
            ctx.error(at(*keys), fpath, f"{d} is after the data's as-of date {as_of} (content/site.yaml)",
                      "check the date; if the data is newer, move as_of in content/site.yaml forward")


def _check_dates(rec, ctx, at, as_of) -> None:
    phases = {p["id"]: (i, p) for i, p in enumerate(rec.get("phases") or []) if p.get("id")}
    # The latest happened milestone of each type in each phase, so that each event compares with the phases
    # before its own in one step (comparing every pair took quadratic time on a record of thousands of events).
    latest: dict[str, dict[int, tuple]] = {}
    for e in rec.get("events") or []:
        op = phases.get(e.get("phase"))
        if op and e.get("date") and not e.get("planned"):
            mine = latest.setdefault(e.get("type"), {})
            if op[0] not in mine or e["date"].first_day() > mine[op[0]][0]:
                mine[op[0]] = (e["date"].first_day(), op[1]["id"], e["date"])

    def latest_before(kind, index: int):
        return max((v for k, v in latest.get(kind, {}).items() if k < index), default=None, key=lambda v: v[0])

    prev = None
    for i, p in enumerate(rec.get("phases") or []):
        if p.get("start") and p.get("target") and p["target"].last_day() < p["start"].first_day():
            ctx.error(
                at("phases", i, "target"),
                f"phases[{i}].target",
                f"target {p['target']} is before start {p['start']}",
                "check both dates",
            )
        if p.get("start"):
            if prev and p["start"].last_day() < prev[1]["start"].first_day():
                ctx.error(
                    at("phases", i, "start"),
                    f"phases[{i}].start",
                    f"{p.get('name')} starts ({p['start']}) before {prev[1].get('name')} ({prev[1]['start']})",
                    "list phases in order, or check the dates",
                )
            prev = (i, p)
    for i, e in enumerate(rec.get("events") or []):
        d = e.get("date")
        given = at("events", i)
        date, no_date = _unset(given, "date")
        if d is None and e.get("undated") is not True and given.kind == "map" and no_date:
            ctx.error(date or given, f"events[{i}].date", "is empty" if date else "an event needs a date",
                      "write the date (YYYY, YYYY-MM or YYYY-MM-DD); for an event no source dates, write undated: true "
                      "and put it where it belongs in the list")
        if d is not None and e.get("undated"):
            ctx.error(at("events", i, "undated"), f"events[{i}].undated", "an event with a date is not undated",
                      "remove undated: true, or the date")
        if d is None:
            continue
        if as_of and not e.get("planned") and d.first_day() > as_of.last_day():
            ctx.error(
                at("events", i, "date"),
                f"events[{i}].date",
                f"happened on {d}, after the as-of date {as_of}",
                "set planned: true for a milestone still to come",
            )
        ph = phases.get(e.get("phase"))
        if ph and ph[1].get("start") and not e.get("planned") and d.last_day() < ph[1]["start"].first_day():
            ctx.error(
                at("events", i, "date"),
                f"events[{i}].date",
                f"dated {d}, before its phase '{ph[1]['id']}' starts ({ph[1]['start']})",
                "check the event's date or its phase",
            )
        # A happened milestone of a later phase cannot precede the same milestone of an earlier phase.
        other = ph and not e.get("planned") and latest_before(e.get("type"), ph[0])
        if other and other[0] > d.last_day():
            ctx.error(at("events", i, "date"), f"events[{i}].date", f"{e['type']} of '{ph[1]['id']}' ({d}) is before "
                      f"{e['type']} of earlier phase '{other[1]}' ({other[2]})", "check the dates or the phases")


def _unset(parent, key: str):
    """(node of parent[key] or None, whether it is absent or empty): an optional field left empty is not an
    error by itself, but where another field depends on it, empty counts as missing (an invalid value has an
    error of its own)."""
    n = parent.get(key) if parent.kind == "map" else None
    return n, n is None or (n.kind == "str" and not n.value.strip())


def _path_keys(where: str) -> list:
    keys: list = []
    for part in where.split("."):
        if "[" in part:
            name, idx = part[:-1].split("[")
            keys += [name, int(idx)]
        else:
            keys.append(part)
    return keys


def _node_at(node, keys):
    """Return the deepest node along keys (for locating a message), stopping where the path ends."""
    for k in keys:
        nxt = None
        if node.kind == "map" and isinstance(k, str):
            nxt = node.value.get(k)
        elif node.kind == "seq" and isinstance(k, int) and k < len(node.value):
            nxt = node.value[k]
        if nxt is None:
            break
        node = nxt
    return node


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
