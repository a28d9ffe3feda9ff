"""The adversarial corpus: nothing gets through, and nothing is lost.

tests/corpus/<case>/ holds one case: the record file(s) it adds beside the two seed records, and
expected.json with the verdict of `build.py check` (exit code; for rejected cases every error with its
file, line, field and a message substring). Each case runs the real command line in a subprocess.
Cases marked "renders-safely" are accepted here and opened in a real browser by test_corpus_browser.py.

expected.json keys: class, about, verdict (rejected | accepted | renders-safely), exit, errors (an error
that is a cap line, standing for several, gives "counts"), and
optionally warnings, visible ({record id: [text the page must show]}), install_as ({stored name: name
under projects/}), generate ({name: {head, repeat, count}} for files too big to store), symlinks
({name: target}), special ({name: "fifo" or "sparse"}) and config ({site.yaml, fx.yaml or
vocabularies.yaml: [[old text, new text], ...]}, edits to the settings files; such a case runs alone).
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest
import yaml

from tests.conftest import CONTENT, ROOT
from tracker import schema, yamlsafe
from tracker.content import load_content
from tracker.errors import ValidationFailed

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").is_file())
SHARED = [n for n in CASES if "config" not in json.loads((CORPUS / n / "expected.json").read_text(encoding="utf-8"))]
SEEDS = ("anyuan-tianyou-led-packaging.yaml", "jiaxing-ic-packaging-mems.yaml")
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<rest>.*)$")
SUMMARY = re.compile(r"^check failed: (\d+) error\(s\), (\d+) warning\(s\) in (\d+) file\(s\); nothing was built$")


def expected(name: str) -> dict:
    return json.loads((CORPUS / name / "expected.json").read_text(encoding="utf-8"))


def make_content(dst: Path) -> Path:
    """A fresh content folder with the settings, vocabularies, rates and the two seed records."""
    dst.mkdir(parents=True)
    for name in ("site.yaml", "vocabularies.yaml", "fx.yaml"):
        shutil.copy(CONTENT / name, dst / name)
    (dst / "projects").mkdir()
    for name in SEEDS:
        shutil.copy(CONTENT / "projects" / name, dst / "projects" / name)
    return dst


def install(name: str, projects: Path) -> None:
    """Copy one case's files into projects/ (renamed, generated or linked as expected.json says)."""
    exp = expected(name)
    rename = exp.get("install_as", {})
    for src in sorted((CORPUS / name).iterdir()):
        if src.name == "expected.json":
            continue
        dst = projects / rename.get(src.name, src.name)
        assert not dst.exists(), f"{name}: {dst.name} is installed twice"
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    for fname, spec in exp.get("generate", {}).items():
        (projects / fname).write_text(spec["head"] + spec["repeat"] * spec["count"], encoding="utf-8")
    for fname, target in exp.get("symlinks", {}).items():
        (projects / fname).symlink_to(target)
    for fname, kind in exp.get("special", {}).items():
        if kind == "fifo":
            os.mkfifo(projects / fname)
        else:  # "sparse": 8 GiB of nothing, which takes no space on disk
            with open(projects / fname, "wb") as f:
                f.truncate(8 * 1024**3)
    for fname, edits in exp.get("config", {}).items():  # the settings files beside projects/
        path = projects.parent / fname
        text = path.read_text(encoding="utf-8")
        for old, new in edits:
            assert old in text, f"{name}: {old!r} is not in {fname}"
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")


def errors_counted(names) -> int:
    """The errors the summary line counts: one per listed error, or as many as a cap line stands for."""
    return sum(e.get("counts", 1) for n in names for e in expected(n)["errors"])


def check(content: Path) -> tuple[int, str]:
    """Run `build.py --content <content> check` as a contributor would; return (exit code, stderr + stdout)."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--content", str(content), "check"],
        cwd=content.parent,
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return proc.returncode, (proc.stderr + proc.stdout).decode("utf-8", "replace")


def parse(output: str) -> list[dict]:
    """Problem lines of the output as {file (under projects/), line, severity, rest}."""
    out = []
    for text in output.splitlines():
        m = LINE.match(text)
        if not m:
            continue
        rest = m["rest"]
        severity = "error"
        for sev in ("warning", "info"):
            if rest.startswith(f"{sev}: "):
                severity, rest = sev, rest[len(sev) + 2 :]
        path = m["path"]
        file = path.split("/projects/", 1)[1] if "/projects/" in path else path
        out.append({"file": file, "line": int(m["line"]), "severity": severity, "rest": rest, "text": text})
    return out


def matches(want: dict, got: dict) -> bool:
    if got["file"] != want["file"] or got["line"] != want["line"]:
        return False
    if got["severity"] != want.get("severity", "error"):
        return False
    rest = got["rest"]
    if want["field"]:
        if not rest.startswith(want["field"] + ": "):
            return False
        rest = rest[len(want["field"]) + 2 :]
    return want["message"] in rest


def compare(wanted: list[dict], got: list[dict]) -> list[str]:
    """Pair every wanted problem with a distinct reported one; return what is missing or unexpected."""
    left = list(got)
    missing = []
    for w in wanted:
        hit = next((g for g in left if matches(w, g)), None)
        if hit is None:
            missing.append(f"missing: {w}")
        else:
            left.remove(hit)
    return missing + [f"unexpected: {g['text']}" for g in left]


def assert_sane_output(code: int, output: str) -> None:
    """No crash, no traceback, and every character printed is plain (no terminal escapes, no forged lines)."""
    assert code in (0, 1), f"exit {code}:\n{output}"
    assert "Traceback" not in output and "internal error" not in output, output
    bad = [c for c in output if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E]
    assert not bad, f"raw control characters in output: {bad!r}"


@cache
def case_result(name: str, tmp_root: str) -> tuple[int, str]:
    content = make_content(Path(tmp_root) / name / "content")
    install(name, content / "projects")
    return check(content)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Run every case once, two at a time (each is a separate process)."""
    root = str(tmp_path_factory.mktemp("corpus"))
    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
        done = dict(zip(CASES, pool.map(lambda n: case_result(n, root), CASES), strict=True))
    return done


def test_corpus_is_well_formed():
    seen: dict[str, str] = {}
    for name in CASES:
        exp = expected(name)
        assert exp["verdict"] in ("rejected", "accepted", "renders-safely"), name
        assert exp["exit"] == (1 if exp["verdict"] == "rejected" else 0), name
        assert bool(exp["errors"]) == (exp["verdict"] == "rejected"), name
        assert exp["class"] and exp["about"], name
        files = [p.name for p in (CORPUS / name).iterdir() if p.name != "expected.json"]
        files += [*exp.get("generate", {}), *exp.get("symlinks", {}), *exp.get("special", {})]
        if exp.get("config"):
            continue  # it changes the settings; its record files may repeat another case's names
        assert files, f"{name} adds no file"
        for f in files:  # unique across the corpus, so every case can share one content folder
            assert f not in seen, f"{f} is in both {seen[f]} and {name}"
            seen[f] = name
    classes = {expected(n)["class"] for n in CASES}
    assert {"yaml", "encoding", "types", "fields", "dates", "amounts", "codes", "ids", "urls", "unicode", "size",
            "xss", "template", "config", "resources", "quiet", "paths"} <= classes


@pytest.mark.parametrize("name", CASES)
def test_case(results, name):
    exp = expected(name)
    code, output = results[name]
    assert_sane_output(code, output)
    assert code == exp["exit"], output
    problems = [p for p in parse(output) if p["severity"] != "info"]
    assert [p["text"] for p in problems if p["file"] in SEEDS] == []
    wanted = exp["errors"] + [{**w, "severity": "warning"} for w in exp.get("warnings", [])]
    assert compare(wanted, problems) == [], output
    last = output.strip().splitlines()[-1]
    if code == 1:  # the summary line counts exactly the errors listed
        m = SUMMARY.match(last)
        assert m and int(m[1]) == errors_counted([name]), output
    else:
        assert last.startswith("ok: "), output


def test_one_run_reports_every_error(tmp_path):
    """All cases in one content folder: one run lists every error of every case, and nothing else."""
    content = make_content(tmp_path / "content")
    for name in SHARED:
        install(name, content / "projects")
    code, output = check(content)
    assert_sane_output(code, output)
    assert code == 1
    wanted = [w for n in SHARED for w in expected(n)["errors"]]
    wanted += [{**w, "severity": "warning"} for n in SHARED for w in expected(n).get("warnings", [])]
    problems = [p for p in parse(output) if p["severity"] != "info"]
    assert compare(wanted, problems) == []
    m = SUMMARY.match(output.strip().splitlines()[-1])
    assert m, output[-2000:]
    errors = errors_counted(SHARED)
    files = len({w["file"] for n in SHARED for w in expected(n)["errors"]})
    assert (int(m[1]), int(m[3])) == (errors, files)
    assert errors >= 200 + 2990


# ---------------------------------------------------------------- every field given the wrong type

MONEY = {"amount": "800 million", "amount_high": "900 million", "currency": "CNY", "qualifier": "about",
         "stated": "2020-07-05", "as_reported": "8 yi", "sources": ["s1"], "uncertain": True, "derived": True,
         "note": "n", "equivalent": {"amount": "116 million", "currency": "USD", "qualifier": "about"}}
FULL = {
    "id": "full-record",
    "title": "Full record",
    "title_local": "全记录",
    "summary": "A record with *every* field.",
    "status": {"value": "signed", "as_of": "2020-07", "sources": ["s1"], "uncertain": ["value"],
               "derived": True, "note": "n"},
    "segments": ["mems"],
    "location": {"country": "CN", "region": "CN-ZJ", "other_regions": ["CN-JS"], "region_as_reported": "Zhejiang", "city": "Jiaxing",
                 "district": "Nanhu", "site": "Tech City", "local": "嘉兴", "sources": ["s1"],
                 "uncertain": True, "derived": ["region"], "note": "n",
                 "coordinates": {"lat": "30.7522", "lon": "120.75", "precision": "town", "gazetteer": "GeoNames 1805953",
                                 "sources": ["s1"], "uncertain": True, "derived": True, "note": "n"}},
    "parties": [{"name": "Some Co", "role": "investor", "parent": "Group", "name_local": "某公司",
                 "as_reported": "Sum Co", "unknown": "false", "sources": ["s1"], "uncertain": True,
                 "derived": True, "note": "n"}],
    "investment": MONEY,
    "support": [{"kind": "grant", "programme": "CHIPS", "authority": "Commerce", "stage": "awarded", "share": "50",
                 **MONEY}],
    "phases": [{"id": "p1", "name": "Phase 1", "scope": "Scope.", "start": "2020", "target": "2021",
                "investment": {**MONEY, "amount": "500 million", "amount_high": "600 million"},
                "sources": ["s1"], "uncertain": True, "derived": True, "note": "n"}],
    "facts": [{"label": "Area", "value": "25000", "value_high": "26000", "unit": "m²", "qualifier": "about",
               "currency": "CNY", "phase": "p1", "as_reported": "25,000 m2", "sources": ["s1"], "uncertain": True,
               "derived": True, "note": "n"}],
    "events": [{"date": "2020-07-05", "undated": "false", "date_qualifier": "on", "type": "signed", "planned": "false",
                "text": "Signed.", "phase": "p1", "investment": MONEY,
                "sources": ["s1"], "uncertain": True, "derived": True, "note": "n"}],
    "products": [{"name": "Sensors", "as_reported": "Sensers", "sources": ["s1"], "uncertain": True,
                  "derived": True, "note": "n"}],
    "technologies": [{"term": "mems-process-line", "sources": ["s1"], "uncertain": True, "derived": True,
                      "note": "n"}],
    "markets": [{"name": "Cars", "as_reported": "Kars", "sources": ["s1"], "uncertain": True, "derived": True,
                 "note": "n"}],
    "strategy": {"name": "Grow", "as_reported": "Gro", "sources": ["s1"], "uncertain": True, "derived": True,
                 "note": "n"},
    "notes": "Notes.",
    "related": [{"id": "anyuan-tianyou-led-packaging", "relation": "same programme"}],
    "sources": [{"id": "s1", "title": "T", "publisher": "P", "url": "https://example.org/a", "locator": "p. 3",
                 "date": "2020-07", "note": "n"}],
}


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def dump(record: dict) -> str:
    return yaml.dump(record, Dumper=_NoAliases, allow_unicode=True, sort_keys=False, default_flow_style=False)


def field_paths(t: schema.T, path: tuple = ()):
    """(path of keys and indexes, field path as messages print it, type) of every field in the table."""
    for f in t.fields:
        p = (*path, f.name)
        yield p, f.type
        if f.type.kind == "object":
            yield from field_paths(f.type, p)
        elif f.type.kind == "list":
            yield (*p, 0), f.type.item
            if f.type.item.kind == "object":
                yield from field_paths(f.type.item, (*p, 0))


def shown(path: tuple) -> str:
    out = ""
    for k in path:
        out += f"[{k}]" if isinstance(k, int) else (f".{k}" if out else k)
    return out


def wrong_values(t: schema.T):
    if t.kind == "list":
        return [({"a": "b"}, "expected a list, got a mapping"), ("text", 'expected a list, got "text"')]
    if t.kind == "object":
        return [(["a"], "expected a mapping of fields, got a list"),
                ("text", 'expected a mapping of fields, got "text"')]
    if t.kind == "flags":
        return [({"a": "b"}, "expected true or a list of field names, got a mapping")]
    return [(["a", "b"], "got a list"), ({"a": "b"}, "got a mapping")]


WRONG = [(shown(p), p, value, msg) for p, t in field_paths(schema.FIELDS_TYPE) for value, msg in wrong_values(t)]


@pytest.fixture(scope="module")
def type_content(tmp_path_factory):
    return make_content(tmp_path_factory.mktemp("types") / "content")


def test_full_record_is_valid(type_content):
    path = type_content / "projects" / "full-record.yaml"
    path.write_text(dump(FULL), encoding="utf-8")
    try:
        rec = next(r for r in load_content(type_content).records if r["id"] == "full-record")
    finally:
        path.unlink()
    for path, _ in field_paths(schema.FIELDS_TYPE):  # every field of the table is set in FULL
        value = FULL
        for k in path:
            value = value[k]
    assert len(WRONG) > 200 and rec["facts"][0]["unit"] == "m²"


@pytest.mark.parametrize("fpath, path, value, message", WRONG, ids=[f"{w[0]}={type(w[2]).__name__}" for w in WRONG])
def test_wrong_type(type_content, fpath, path, value, message):
    """Each field of the table given a value of the wrong type: one located error naming the field."""
    record = copy.deepcopy(FULL)
    parent = record
    for k in path[:-1]:
        parent = parent[k]
    parent[path[-1]] = value
    text = dump(record)
    target = type_content / "projects" / "full-record.yaml"
    target.write_text(text, encoding="utf-8")
    try:
        with pytest.raises(ValidationFailed) as exc:
            load_content(type_content)
    finally:
        target.unlink()
    node, _ = yamlsafe.load(text.encode(), "x")
    for k in path:
        node = node.value[k]
    errors = [p for p in exc.value.problems if p.severity == "error"]
    assert all(p.path.endswith("full-record.yaml") for p in errors), errors
    hits = [p for p in errors if p.field == fpath and message in p.message]
    assert len(hits) == 1, [str(p) for p in errors]
    assert (hits[0].line, hits[0].col) == (node.line, node.col)
