"""Property-based tests: no input crashes the loader, and every valid record validates and renders faithfully."""

from __future__ import annotations

import html
import json
import re
import string
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_corpus import make_content
from tests.test_validate import MINIMAL
from tracker import yamlsafe
from tracker.content import load_content
from tracker.errors import Problem, ValidationFailed
from tracker.rules import RESERVED_IDS
from tracker.site import render_tree
from tracker.validate import HIDDEN, SLUG, WINDOWS_RESERVED

SETTINGS = settings(max_examples=80, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(SETTINGS, max_examples=30)


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    return make_content(tmp_path_factory.mktemp("properties") / "content")


def one_line(problems) -> None:
    for p in problems:
        assert isinstance(p, Problem) and p.line >= 1 and p.col >= 1
        text = str(p)
        assert "\n" not in text and "\r" not in text and "\x1b" not in text


# ---------------------------------------------------------------- (a) nothing crashes

TOKENS = [
    ":", ": ", " ", "  ", "\n", "\n  ", "- ", "-", "[", "]", "{", "}", ",", "&a ", "*a", "!!str ", "!x ", "!!python/name:os.system ",
    "|", ">-", "'", '"', "#", " #", "?", "? ", "%YAML 1.1\n", "%TAG ! x:\n", "---\n", "...\n", "<<: ", "\t", "id", "title",
    "events", "sources", "x", "1", "0755", "1e9", ".nan", "-5", "2024-02-30", "NO", "on", "~", "null", "\\u", "\\ud800",
    "\\x07", "\\e", "\\", "é", "e\u0301", "\u202e", "\u200b", "\ufeff", "嘉兴", "🚀", "\u2028", "\x85", "\x00", "\x07",
    "\r", "\r\n", "{{ 7*7 }}", "<script>", "javascript:", "https://", "@",
]
yamlish = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


def mutate(base: str):
    """A valid record with a few tokens inserted, replaced or deleted."""
    edit = st.tuples(st.integers(0, len(base)), st.integers(0, 8), st.sampled_from(TOKENS))
    return st.lists(edit, min_size=1, max_size=4).map(lambda edits: _apply(base, edits))


def _apply(text: str, edits) -> str:
    for pos, cut, token in edits:
        pos = min(pos, len(text))
        text = text[:pos] + token + text[pos + cut :]
    return text


@SETTINGS
@given(st.binary(max_size=3000))
def test_yamlsafe_survives_any_bytes(data):
    node, problems = yamlsafe.load(data, "x.yaml")
    assert node is not None or any(p.severity == "error" for p in problems)
    one_line(problems)


@SETTINGS
@given(st.one_of(yamlish, st.text(max_size=500), mutate(MINIMAL.format(id="fuzz-plant"))))
def test_yamlsafe_survives_yamlish_text(text):
    for data in (text.encode("utf-8", "surrogatepass"), text.encode("utf-8", "replace")):
        node, problems = yamlsafe.load(data, "x.yaml")
        assert node is not None or any(p.severity == "error" for p in problems)
        one_line(problems)


def load_or_fail(content: Path, data: bytes):
    """load_content on the seeds plus one file: a Dataset, or ValidationFailed; never anything else."""
    path = content / "projects" / "fuzz-plant.yaml"
    path.write_bytes(data)
    try:
        return load_content(content)
    except ValidationFailed as exc:
        assert [p for p in exc.problems if p.severity == "error"]
        one_line(exc.problems)
        return None
    finally:
        path.unlink()


@SETTINGS
@given(data=st.one_of(st.binary(max_size=2000), yamlish.map(str.encode)))
def test_load_content_survives_garbage(content, data):
    load_or_fail(content, data)


@SLOW
@given(text=mutate(MINIMAL.format(id="fuzz-plant")))
def test_mutated_records_are_rejected_or_render(content, text):
    """A few random edits to a valid record: either a clean list of errors, or a site that renders."""
    data = text.encode("utf-8", "surrogatepass")
    if load_or_fail(content, data) is None:
        return
    path = content / "projects" / "fuzz-plant.yaml"
    path.write_bytes(data)
    try:
        render_tree(content)
    finally:
        path.unlink()


# ---------------------------------------------------------------- (b) valid records validate and render

NAME_CHARS = st.characters(
    blacklist_categories=("Cc", "Cs", "Cn", "Zl", "Zp"),
    blacklist_characters="".join(chr(c) for c in range(0x10000) if HIDDEN.match(chr(c))),
)
name_text = st.text(NAME_CHARS, min_size=1, max_size=120).filter(lambda s: s == s.strip() and s.strip())
slug = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True).filter(
    lambda s: s not in WINDOWS_RESERVED and s not in RESERVED_IDS and not s.startswith(("anyuan-", "jiaxing-"))
)
PLACES = [("CN", "CN-ZJ"), ("US", "US-AZ"), ("IN", "IN-GJ"), ("MY", "MY-07"), ("JP", "JP-01"), ("NO", "NO-03"),
          ("TW", None), ("SG", None), ("VN", "VN-54"), ("KR", "KR-44")]
CURRENCIES = ["CNY", "EUR", "INR", "JPY", "KRW", "MYR", "SGD", "TWD", "USD", "VND"]


@st.composite
def pdate(draw, last_year=2025):
    year = draw(st.integers(1990, last_year))
    kind = draw(st.sampled_from(["year", "month", "day", "half", "quarter"]))
    if kind == "year":
        return f"{year}"
    if kind == "half":
        return f"{year}-H{draw(st.integers(1, 2))}"
    if kind == "quarter":
        return f"{year}-Q{draw(st.integers(1, 4))}"
    month = draw(st.integers(1, 12))
    if kind == "month":
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{draw(st.integers(1, 28)):02d}"


@st.composite
def amount(draw):
    kind = draw(st.sampled_from(["int", "grouped", "decimal", "words"]))
    if kind == "int":  # never 0: an amount of 0 is refused (write undisclosed)
        n = draw(st.integers(1, 10**15))
        return str(n), Decimal(n)
    if kind == "grouped":
        n = draw(st.integers(1000, 10**15))
        return f"{n:,}", Decimal(n)
    if kind == "decimal":
        whole, frac = draw(st.integers(0, 10**9)), draw(st.integers(1, 9999))
        return f"{whole}.{frac:04d}", Decimal(f"{whole}.{frac:04d}")
    n = draw(st.integers(1, 999))
    word, factor = draw(st.sampled_from([("thousand", 10**3), ("million", 10**6), ("billion", 10**9), ("crore", 10**7)]))
    return f"{n} {word}", Decimal(n * factor)


def q(s: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(s, ensure_ascii=False)


@st.composite
def record(draw):
    rid = draw(slug)
    title = draw(name_text)
    party = draw(name_text)
    country, region = draw(st.sampled_from(PLACES))
    money, value = draw(amount())
    currency = draw(st.sampled_from(CURRENCIES))
    events = draw(st.lists(st.tuples(pdate(), st.sampled_from(["announced", "signed", "groundbreaking", "revised"])),
                           min_size=1, max_size=3))
    segments = draw(st.lists(st.sampled_from(["mems", "testing", "hbm", "chiplet", "ic-advanced-packaging"]),
                             min_size=1, max_size=3, unique=True))
    summary = draw(st.text(NAME_CHARS | st.sampled_from("\n*_`#[]()<>&"), min_size=1, max_size=300))
    lines = [
        f"id: {rid}",
        f"title: {q(title)}",
        f"summary: {q(summary if summary.strip() else 'x')}",
        "status: {value: signed, sources: [s1]}",
        f"segments: [{', '.join(segments)}]",
        f"location: {{country: {country}{f', region: {region}' if region else ''}}}",
        "parties:",
        f"  - {{name: {q(party)}, role: investor, sources: [s1]}}",
        f"investment: {{amount: {q(money)}, currency: {currency}, sources: [s1]}}",
        "events:",
        *(f"  - {{date: {d}, type: {t}, text: {q(title)}, sources: [s1]}}" for d, t in events),
        "sources:",
        f"  - {{id: s1, title: {q(party)}, publisher: P, url: \"https://example.org/{rid}\"}}",
    ]
    return rid, title, value, [d for d, _ in events], "\n".join(lines) + "\n"


H1 = re.compile(r"<h1>(.*?)</h1>", re.S)


@SLOW
@given(record())
def test_valid_records_validate_and_render(content, generated):
    rid, title, value, dates, text = generated
    assert SLUG.match(rid)
    path = content / "projects" / f"{rid}.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        data, _, pages = render_tree(content)
    finally:
        path.unlink()
    rec = next(r for r in data.records if r["id"] == rid)
    expected = unicodedata.normalize("NFC", title)
    assert rec["title"] == expected
    assert rec["investment"]["amount"] == value
    assert [e["date"].iso() for e in rec["events"]] == dates
    page = pages[f"projects/{rid}.md"]
    shown = H1.findall(page)
    assert len(shown) == 1
    assert "<" not in shown[0] and ">" not in shown[0] and '"' not in shown[0]
    assert html.unescape(shown[0]) == expected  # escaped once, and exactly the normalised title
    front = json.loads(re.search(r"^title: (.*)$", page, re.M)[1])
    assert html.unescape(front) == expected


@SETTINGS
@given(st.text(string.printable, max_size=40))
def test_parse_number_and_date_never_crash(text):
    from tracker import values

    for parse in (values.parse_number, values.parse_date):
        try:
            parse(text)
        except ValueError:
            pass


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="Aa -!.0123456789abcdef", max_size=14), max_size=12, unique=True), st.data())
def test_browse_pages_never_share_a_path(names, data):
    """However names are crafted (alike names, a name equal to another's disambiguated slug, 'index'),
    every browse page gets its own path."""
    import hashlib

    from tracker.derive import BROWSE_KINDS, Group, browse_slugs, slugify

    # Names that copy the slug another name would get on its first disambiguation, in capitals so that
    # they sort (and take their slug) first.
    crafted = [f"{(slugify(n) or 'unnamed').upper()} {hashlib.sha256(n.encode()).hexdigest()[:6]}" for n in names]
    keys = list(dict.fromkeys(names + data.draw(st.lists(st.sampled_from(crafted or ["x"]), max_size=6)) + ["index"]))
    by = {kind: [Group(k, k) for k in keys] for kind in BROWSE_KINDS}
    slugs = browse_slugs(by)
    for kind in BROWSE_KINDS:
        mine = [slugs[(kind, k)] for k in keys]
        assert len(set(mine)) == len(mine) and "index" not in mine


MARKDOWNISH = st.lists(st.sampled_from(["[", "]", "(", ")", "<", ">", "!", "- ", "* ", "+ ", "1. ", "> ", "  ", "\t",
                                        "\n", "#", "`", "_", "*", "\\", "^", "x", "https://a.example/", "&", ":"]),
                       max_size=400).map("".join)


@settings(SETTINGS, max_examples=300)
@given(st.one_of(MARKDOWNISH, MARKDOWNISH.map(lambda s: s * 20)))
def test_markdown_the_validator_accepts_renders(text):
    """`build` never crashes on Markdown `check` accepted: nested lists, quotes, brackets and indentation
    within the validator's limits render; beyond them the validator refuses, with a message."""
    from tracker.render import render_markdown
    from tracker.validate import Context, Invalid, _markdown
    from tracker.yamlsafe import Node

    try:
        accepted = _markdown(Node("str", text, 1, 1), None, "notes", Context("x.yaml", {}, []))
    except Invalid as exc:
        assert exc.message and exc.hint
        return
    render_markdown(accepted)


def test_the_deepest_markdown_the_validator_accepts_renders():
    from tracker.render import render_markdown
    from tracker.schema import MD_DEPTH, MD_INDENT
    from tracker.validate import MD_INDENTED, MD_NESTED

    for marker in ("1. ", "- ", "> "):
        text = "\n".join(" " * indent + marker * MD_DEPTH + "x" for indent in range(0, MD_INDENT + 1, 2))
        assert not MD_NESTED.search(text) and not MD_INDENTED.search(text)
        render_markdown(text)
        assert MD_NESTED.search(marker * (MD_DEPTH + 1) + "x")


# ---------------------------------------------------------------- (c) the settings files, as the records

CONFIG_FILES = ("site.yaml", "fx.yaml", "vocabularies.yaml")
PAYLOADS = ['"><script>alert(1)</script>', "<meta http-equiv=refresh content=0;url=https://evil.example>",
            "javascript:alert(1)", "{{ config }}", "\u202e", "\U000e0041", "../../", "https://a.example/\"'<>"]


def assert_inert(pages: dict, why) -> None:
    """No payload became markup, a script address or a hidden character on any page (the data files are
    data: a CSV or JSON file holds the text as written, which is right)."""
    for rel, page in pages.items():
        if not rel.endswith(".md"):
            continue
        text = page if isinstance(page, str) else page.decode("utf-8", "replace")
        low = text.lower()
        assert "<script>alert" not in low and "<meta http-equiv" not in low, (why, rel)
        assert 'href="javascript:' not in low and "\u202e" not in text and "\U000e0041" not in text, (why, rel)


@SLOW
@given(name=st.sampled_from(CONFIG_FILES), data=st.data())
def test_mutated_settings_are_rejected_or_render_safely(content, name, data):
    """Random edits to site.yaml, fx.yaml or vocabularies.yaml, payloads among them: either a clean list of
    errors, or a site that renders, with no payload turned into markup, and the original file restored."""
    path = content / name
    original = path.read_bytes()
    edit = st.tuples(st.integers(0, len(original)), st.integers(0, 8), st.sampled_from(TOKENS + PAYLOADS))
    text = _apply(original.decode("utf-8"), data.draw(st.lists(edit, min_size=1, max_size=4)))
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        try:
            load_content(content)
        except ValidationFailed as exc:
            assert [p for p in exc.problems if p.severity == "error"]
            one_line(exc.problems)
            return
        assert_inert(render_tree(content)[2], text)
    finally:
        path.write_bytes(original)


@pytest.mark.parametrize("name", CONFIG_FILES)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_in_any_settings_value_is_refused_or_inert(content, name, payload):
    """Every value of every settings file, one at a time, replaced with each payload."""
    import yaml

    path = content / name
    original = path.read_text(encoding="utf-8")
    values = sorted({v for v in re.findall(r":[ ]+(.+)$", original, re.M) if not v.startswith(("[", "{", ">"))})
    try:
        for value in values[::max(1, len(values) // 12)]:  # a dozen values of each file, across it
            path.write_text(original.replace(": " + value, ": " + json.dumps(payload), 1), encoding="utf-8")
            try:
                yaml.safe_load(path.read_text(encoding="utf-8"))
                load_content(content)
            except ValidationFailed:
                continue
            except yaml.YAMLError:
                continue
            assert_inert(render_tree(content)[2], value)
    finally:
        path.write_text(original, encoding="utf-8")
