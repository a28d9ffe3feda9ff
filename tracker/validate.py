"""Turn located YAML nodes into checked plain values, collecting every problem with its place and a hint."""

from __future__ import annotations

import difflib
import re
import unicodedata
from decimal import Decimal
from functools import cache
from urllib.parse import urlsplit

import pycountry

from . import values
from .errors import Problem
from .schema import MAX_MARKDOWN, MAX_TEXT, MD_DEPTH, MD_INDENT, MD_LINKS, T
from .yamlsafe import Node

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
URL_BAD_CHAR = re.compile(r"[\s\x00-\x1f\x7f]")  # exactly str.isspace(), C0 controls and DEL
URL_UNSAFE = re.compile(r'["<>\\^`{|}]')
# Characters that reorder or hide text: bidi controls and zero-width characters.
HIDDEN = re.compile(
    "[\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\u2060\ufeff\u061c]"
    # Other characters that draw nothing: soft hyphen, Mongolian vowel separator, invisible operators,
    # deprecated format controls, interlinear annotation, musical format controls, shorthand format
    # controls, Hangul fillers and the Unicode tag characters (which can smuggle a hidden text).
    "|[\u00ad\u180e\u2061-\u2064\u206a-\u206f\ufff9-\ufffb\u115f\u1160\u3164\uffa0"
    "\U0001d173-\U0001d17a\U0001bca0-\U0001bca3\U000e0000-\U000e007f]"
    # Joiners (ZWNJ, ZWJ) are part of writing in Persian, Indic scripts and emoji sequences: allowed between
    # two non-ASCII characters, refused anywhere else (where they only hide something).
    "|(?<![^\x00-\x7f])[\u200c\u200d]|[\u200c\u200d](?![^\x00-\x7f])"
)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
NULLS = {"", "~", "null", "Null", "NULL"}
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


class Invalid(Exception):
    def __init__(self, message: str, hint: str = "", node: Node | None = None):
        super().__init__(message)
        self.message, self.hint, self.node = message, hint, node


class Context:
    """What converting one file needs: its path, vocabularies, and where problems and refs go."""

    def __init__(self, path: str, vocab: dict[str, dict], problems: list[Problem]):
        self.path, self.vocab, self.problems = path, vocab, problems
        self.refs: list[tuple[str, str, Node, str]] = []  # (kind, value, node, field path)

    def error(self, node: Node, fpath: str, message: str, hint: str = "", severity: str = "error"):
        self.problems.append(Problem(self.path, node.line, node.col, fpath, message, hint, severity))


def suggest(word: str, choices) -> str:
    """'did you mean ...?' for the closest choice, case and '_'/'-'/space differences ignored first
    ('MEMS' -> 'mems', 'in production' -> 'in-production'), then by similarity."""
    if len(word) > 80:
        return ""  # no id or term is this long; comparing it with every choice would only cost time
    choices = list(choices)
    folded = {re.sub(r"[\s_-]+", "-", c.casefold()): c for c in choices}
    same = folded.get(re.sub(r"[\s_-]+", "-", word.casefold()))
    close = [same] if same else difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _shown(node: Node) -> str:
    if node.kind == "map":
        return "a mapping"
    if node.kind == "seq":
        return "a list"
    text = node.value if len(node.value) <= 60 else node.value[:57] + "..."
    return f'"{text}"'


def convert(node: Node, t: T, fpath: str, ctx: Context):
    """Return node converted to type t, or None after recording a problem."""
    try:
        return _CONVERT[t.kind](node, t, fpath, ctx)
    except Invalid as exc:
        ctx.error(exc.node or node, fpath, exc.message, exc.hint)
        return None


def _scalar(node: Node, expected: str, hint: str = "") -> str:
    if node.kind != "str":
        raise Invalid(f"expected {expected}, got {_shown(node)}", hint)
    return node.value


def _clean_text(s: str, multiline: bool) -> str:
    # Most text is printable ASCII: no control, invisible or composable character can be in it.
    if not (s.isascii() and s.isprintable()):
        s = unicodedata.normalize("NFC", s)
        bad = CONTROL.search(s.replace("\n", "").replace("\t", "") if multiline else s)
        if bad:
            raise Invalid(f"contains control character U+{ord(bad.group()):04X}", "delete it; retype the text")
        bad = HIDDEN.search(s)
        if bad:
            raise Invalid(
                f"contains invisible character U+{ord(bad.group()):04X} (bidi control, zero-width or another "
                "character that draws nothing)",
                "delete it; it can make text display differently from what it says",
            )
    limit = MAX_MARKDOWN if multiline else MAX_TEXT
    if len(s) > limit:
        raise Invalid(f"is {len(s)} characters long; the limit is {limit}", "shorten it, or move detail to notes")
    return s


def _text(node, t, fpath, ctx):
    s = _scalar(node, "text")
    if "\n" in s.strip():
        raise Invalid(
            "expected one line of text, got several lines", "use a Markdown field such as notes for longer text"
        )
    return _clean_text(s.strip(), False)


# Markdown that Python-Markdown handles badly: list or quote markers nested deeper than this on one line,
# or indentation past this, recurse once per level (about 500 crashed the build); each '[' may start a
# link whose end is searched for, character by character, to the end of the field, so many of them take
# quadratic time (PERFORMANCE.md, "Measurements behind the code"). No real note comes near these limits.
MD_NESTED = re.compile(r"^[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+|>[ \t]*){" + str(MD_DEPTH + 1) + ",}", re.M)
MD_INDENTED = re.compile(r"^[ \t]{" + str(MD_INDENT + 1) + r",}\S", re.M)


def _markdown(node, t, fpath, ctx):
    s = _clean_text(_scalar(node, "Markdown text").strip(), True)
    if nested := MD_NESTED.search(s) or MD_INDENTED.search(s):
        line = s.count("\n", 0, nested.start()) + 1
        raise Invalid(f"line {line} of the text nests lists or quotes, or indents, deeper than Markdown here allows "
                      f"({MD_DEPTH} markers, {MD_INDENT} spaces)", "flatten the list; notes need no deep nesting")
    if s.count("[") > MD_LINKS:
        raise Invalid(f"has {s.count('['):,} '[' characters; the limit is {MD_LINKS}",
                      "Markdown links are [text](https://...); write other brackets as ( ), or split the text")
    return s


def _slug(node, t, fpath, ctx):
    s = _scalar(node, "an id")
    if not SLUG.match(s):
        fixed = re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
        raise Invalid(
            f"'{s}' is not a valid id",
            f"use lowercase letters, digits and single hyphens, e.g. '{fixed or 'my-project'}'",
        )
    if s in WINDOWS_RESERVED:
        raise Invalid(f"'{s}' is a reserved file name on Windows", "choose a longer id")
    if len(s) > 80:
        raise Invalid(f"id is {len(s)} characters long; the limit is 80", "shorten it")
    return s


BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")


def _branch(node, t, fpath, ctx):
    s = _scalar(node, "a branch name")
    if not BRANCH.fullmatch(s) or ".." in s or s.endswith((".", ".lock")) or len(s) > 100:
        raise Invalid(f"'{s}' is not a branch name the tracker accepts",
                      "write the branch as git shows it, e.g. main or release/2026 (letters, digits, . _ - and /)")
    return s


def singular(plural: str) -> str:
    """statuses -> status, technologies -> technology, party_roles -> party_role."""
    for end, one in (("ies", "y"), ("ses", "s"), ("s", "")):
        if plural.endswith(end):
            return plural[: -len(end)] + one
    return plural


def _term(node, t, fpath, ctx):
    s = _scalar(node, f"a term from {t.arg}")
    terms = ctx.vocab.get(t.arg, {})
    if s not in terms:
        raise Invalid(
            f"unknown {singular(t.arg).replace('_', ' ')} '{s}'",
            suggest(s, terms)
            or f"add it to content/vocabularies.yaml under {t.arg}, or use one of: " + ", ".join(sorted(terms)[:8]),
        )
    return s


def _choice(node, t, fpath, ctx):
    s = _scalar(node, "one of " + ", ".join(t.arg))
    if s not in t.arg:
        raise Invalid(f"'{s}' is not one of {', '.join(t.arg)}", suggest(s, t.arg))
    return s


@cache
def country_name(code: str) -> str | None:
    c = pycountry.countries.get(alpha_2=code)
    return getattr(c, "common_name", None) or (c.name if c else None)


@cache
def region_info(code: str) -> tuple[str, str] | None:
    """Return (name, country code) of an ISO 3166-2 subdivision, or None."""
    s = pycountry.subdivisions.get(code=code)
    return (s.name, s.country_code) if s else None


def _country(node, t, fpath, ctx):
    s = _scalar(node, "an ISO 3166-1 country code", "quote it if YAML read it as something else")
    if not re.fullmatch(r"[A-Z]{2}", s) or not country_name(s):
        hint = (
            f"write '{s.upper()}'" if country_name(s.upper()) else "use the two-letter ISO 3166-1 code, e.g. CN, US, IN"
        )
        raise Invalid(f"unknown country code '{s}'", hint)
    return s


def _region(node, t, fpath, ctx):
    s = _scalar(node, "an ISO 3166-2 code")
    if not re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", s) or not region_info(s):  # pycountry ignores case
        hint = f"write '{s.upper()}'" if region_info(s.upper()) else "use an ISO 3166-2 code such as CN-ZJ or US-AZ"
        raise Invalid(f"unknown region code '{s}'", hint)
    return s


@cache
def currency_name(code: str) -> str | None:
    c = pycountry.currencies.get(alpha_3=code)
    return c.name if c else None


def _currency(node, t, fpath, ctx):
    s = _scalar(node, "an ISO 4217 currency code")
    if not re.fullmatch(r"[A-Z]{3}", s) or not currency_name(s):
        extra = {"RMB": "CNY", "YUAN": "CNY", "NT$": "TWD", "NTD": "TWD", "RM": "MYR", "US$": "USD", "$": "USD"}
        hint = f"write '{extra[s.upper()]}'" if s.upper() in extra else "use the ISO 4217 code, e.g. CNY, USD, EUR"
        raise Invalid(f"unknown currency code '{s}'", hint)
    return s


def _date_hint(s: str) -> str:
    """For 05/07/2020 name both readings (day first in most of the world, month first in the US)."""
    m = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*", s)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
        readings = []
        for day, month in ((a, b), (b, a)):
            if 1 <= month <= 12 and 1 <= day <= 31:
                iso = f"{y}-{month:02d}-{day:02d}"
                if iso not in readings:
                    readings.append(iso)
        if len(readings) == 2:
            return (f"it can be read two ways: {int(readings[0][8:])} {values.MONTHS[int(readings[0][5:7]) - 1]} or "
                    f"{int(readings[1][8:])} {values.MONTHS[int(readings[1][5:7]) - 1]} {y}; check the source and "
                    f"write {readings[0]} or {readings[1]}")
        if readings:
            return f"write {readings[0]}"
    return "write dates as YYYY, YYYY-MM or YYYY-MM-DD"


def _date(node, t, fpath, ctx):
    s = _scalar(node, "a date")
    try:
        return values.parse_date(s)
    except ValueError as exc:
        if str(exc) == "not a date":
            raise Invalid(f"expected a date, got {_shown(node)}", _date_hint(s)) from None
        raise Invalid(str(exc), "check the source for the right date") from None


def _amount(node, t, fpath, ctx):
    s = _scalar(node, 'a number such as 800000000 or "800 million"')
    try:
        return values.parse_number(s)
    except ValueError as exc:
        if re.fullmatch(r"[-+]?\d+(\.\d+)?[eE][-+]?\d+", s.strip()):
            hint = 'write the number out in full, or as words like "1 billion"'
        elif s.strip().startswith("-"):
            hint = "amounts cannot be negative"
        elif _money_words(s):
            hint = _money_words(s)
        elif str(exc) != "not a number":
            hint = str(exc)
        else:
            hint = 'write digits, optionally with a word: 800000000, "800 million", "27,000 crore"'
        raise Invalid(f'expected a number such as 800000000 or "800 million", got {_shown(node)}', hint) from None


# How news writes amounts, and what the record wants instead: the currency has a field of its own.
_CURRENCY_WORDS = {"rmb": "CNY", "yuan": "CNY", "cny": "CNY", "usd": "USD", "us$": "USD", "$": "USD", "dollars": "USD",
                   "nt$": "TWD", "twd": "TWD", "rm": "MYR", "ringgit": "MYR", "myr": "MYR", "rs": "INR", "rs.": "INR",
                   "inr": "INR", "rupees": "INR", "won": "KRW", "krw": "KRW", "yen": "JPY", "jpy": "JPY",
                   "eur": "EUR", "euros": "EUR", "€": "EUR", "¥": "CNY or JPY", "s$": "SGD", "sgd": "SGD"}
_SCALE_WORDS = {"bn": "billion", "b": "billion", "mn": "million", "m": "million", "mln": "million", "k": "thousand",
                "tn": "trillion", "trn": "trillion"}


def _money_words(s: str) -> str:
    """A precise hint for '1.5bn yuan', 'RMB 1.5 billion', 'US$2 bn': the number and scale word in `amount`,
    the currency's ISO code in `currency`; '' when the text is not of that shape."""
    tokens = re.findall(r"\d[\d,.]*|[^\W\d_]+\$?|[$€¥]|\S", s.casefold())
    number = next((t for t in tokens if t[0].isdigit()), None)
    if number is None:
        return ""
    scale = next((_SCALE_WORDS.get(t, t) for t in tokens if _SCALE_WORDS.get(t, t) in ("thousand", "million",
                  "billion", "trillion", "lakh", "crore")), None)
    glued = re.fullmatch(r"([\d.,]+)(bn|b|mn|m|mln|k|tn|trn)", next((t for t in re.findall(r"\d[\d,.]*[a-z]*", s.casefold())), ""))
    if glued:
        number, scale = glued.group(1), _SCALE_WORDS[glued.group(2)]
    currency = next((_CURRENCY_WORDS[t] for t in tokens if t in _CURRENCY_WORDS), None)
    amount = f"{number} {scale}" if scale else number
    if currency is None:
        return f"write `amount: {amount}` (scale words in full)" if glued else ""
    return f"write `amount: {amount}` and `currency: {currency}`: the currency has a field of its own"


def _money_amount(node, t, fpath, ctx):
    if node.kind == "str" and node.value in ("undisclosed", "unknown"):
        return node.value
    return _amount(node, t, fpath, ctx)


def _url(node, t, fpath, ctx):
    s = _scalar(node, "a URL")
    if len(s) > 2000 or URL_BAD_CHAR.search(s):
        raise Invalid("URL contains spaces or control characters", "percent-encode spaces as %20")
    if bad := URL_UNSAFE.search(s):  # RFC 3986 never allows these unencoded; in a page they can end an attribute
        raise Invalid(f"URL contains '{bad.group()}', which an address cannot contain as it is",
                      f"percent-encode it as %{ord(bad.group()):02X}, or copy the address from the browser's bar")
    try:
        parts = urlsplit(s)
        host = parts.hostname
        userinfo = parts.username is not None or parts.password is not None
    except ValueError:
        raise Invalid(f"'{s}' is not a valid URL", "copy the address from the browser") from None
    if not parts.scheme:
        raise Invalid("URL has no scheme", "write the full address, starting https://")
    if parts.scheme not in ("https", "http"):
        raise Invalid(f"URL scheme '{parts.scheme}:' is not allowed", "use an https:// address")
    if not host:
        raise Invalid("URL has no host", "write the full address, starting https://")
    if userinfo:
        raise Invalid("URL contains a user name or password", "remove the part before '@'")
    return s


def _bool(node, t, fpath, ctx):
    s = _scalar(node, "true or false")
    if s not in ("true", "false"):
        raise Invalid(f"expected true or false, got {_shown(node)}", "write true or false")
    return s == "true"


def _flags(node, t, fpath, ctx):
    if node.kind == "str":
        return _bool(node, t, fpath, ctx)
    if node.kind != "seq":
        raise Invalid(f"expected true or a list of field names, got {_shown(node)}")
    return [_scalar(n, "a field name") for n in node.value]  # names are checked by the object


def _ref(node, t, fpath, ctx):
    s = _scalar(node, f"an id from {t.arg}")
    ctx.refs.append((t.arg, s, node, fpath))
    return s


def _list(node, t, fpath, ctx):
    if node.kind != "seq":
        if node.kind == "str" and t.item.kind in ("ref", "term"):
            hint = f"write a list: [{node.value}]"
        else:
            hint = "start each item on its own line with '- '"
        raise Invalid(f"expected a list, got {_shown(node)}", hint)
    return [v for i, n in enumerate(node.value) if (v := convert(n, t.item, f"{fpath}[{i}]", ctx)) is not None]


def _spec(t: T) -> tuple:
    """(fields by name, fields to check after the values, defaults) of an object type, computed once."""
    spec = t.__dict__.get("_spec")
    if spec is None:  # T is frozen: set it directly
        names = {f.name: f for f in t.fields}
        after = [f for f in t.fields if f.required or f.type.kind == "flags"]
        defaults = [(f.name, f.type.kind == "list") for f in t.fields]
        spec = (names, after, defaults)
        object.__setattr__(t, "_spec", spec)
    return spec


def _object(node, t, fpath, ctx):
    if node.kind != "map":
        raise Invalid(f"expected a mapping of fields, got {_shown(node)}", "put the fields on indented lines below")
    names, after, defaults = _spec(t)
    out = {}
    given = node.value
    prefix = f"{fpath}." if fpath else ""
    misspelt = set()  # fields an unknown key is a misspelling of: one error for it, not a second "missing"
    for key, child in given.items():
        f = names.get(key)
        if f is None:
            line, col = node.keys[key]
            hint = suggest(key, names)
            if hint:
                misspelt.add(hint.split("'")[1])
            ctx.problems.append(
                Problem(ctx.path, line, col, prefix + key, "unknown field", hint or "allowed here: " + ", ".join(names))
            )
            continue
        if child.kind == "str" and child.plain and child.value in NULLS:  # an empty value: ~, null or nothing
            if f.required:
                ctx.error(child, prefix + key, "is empty", f"expected {f.type.describe()}")
            continue
        if f.required and f.type.kind in ("text", "markdown") and child.kind == "str" and not child.value.strip():
            ctx.error(child, prefix + key, "is empty", f"write the {f.help}; a page cannot show an empty {f.name}")
            continue
        if f.required and child.kind == "seq" and not child.value and f.type.kind == "list":
            ctx.error(child, prefix + key, "is an empty list", f"give at least one: {f.help}")
            continue
        out[f.name] = convert(child, f.type, prefix + key, ctx)  # the field table's own str: shared by all records
    for name, is_list in defaults:
        if name not in out:
            out[name] = [] if is_list else None
    for f in after:
        if f.required and f.name not in given and f.name not in misspelt:
            example = f" e.g. '{f.name}: {f.example}'" if f.example else ""
            ctx.error(
                node, fpath or "(record)", f"missing required field '{f.name}'", f"add{example or ' it'}: {f.help}"
            )
        if f.type.kind == "flags" and isinstance(out[f.name], list):
            for i, name in enumerate(out[f.name]):
                if name not in names:
                    ctx.error(
                        given[f.name].value[i],
                        f"{prefix}{f.name}[{i}]",
                        f"'{name}' is not a field here",
                        suggest(name, names),
                    )
    return out


_COORDINATE = re.compile(r"^-?\d{1,3}(\.\d{1,7})?$", re.ASCII)


def _coordinate(node, t, fpath, ctx):
    s = _scalar(node, "decimal degrees such as 23.45").strip()
    if not _COORDINATE.match(s):
        raise Invalid(f"expected decimal degrees such as 23.45, got {_shown(node)}",
                      "write degrees as a decimal number, south and west negative: not 23°27'N")
    value = Decimal(s)
    if abs(value) > t.arg:
        raise Invalid(f"{s} is outside -{t.arg} to {t.arg}", "check that latitude and longitude are not swapped")
    return value


def _year(node, t, fpath, ctx):
    d = _date(node, t, fpath, ctx)
    if d.precision != "year":
        raise Invalid("expected a year such as 2020", "")
    return d.year


_CONVERT = {
    "branch": _branch,
    "text": _text,
    "markdown": _markdown,
    "slug": _slug,
    "term": _term,
    "choice": _choice,
    "country": _country,
    "region": _region,
    "currency": _currency,
    "date": _date,
    "amount": _amount,
    "money_amount": _money_amount,
    "url": _url,
    "bool": _bool,
    "flags": _flags,
    "ref": _ref,
    "list": _list,
    "object": _object,
    "year": _year,
    "coordinate": _coordinate,
}
