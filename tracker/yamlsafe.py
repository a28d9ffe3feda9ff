"""Read one YAML file into located nodes, refusing everything YAML does behind a contributor's back.

Speed and safety are designed together (see the safety notes): a size cap before parsing, our own
UTF-8 decoding, then one pass over libyaml's *events* (fast C parsing, no C composer recursion) that
builds the tree with a depth limit and rejects anchors, aliases, tags, merge keys, duplicate keys and
multiple documents. Scalars stay the strings that were written: no YAML 1.1 implicit typing at all
(`NO`, `on`, `0755`, `1:20`, `2020-07-03`, `1e9` are all just text here). The field table decides
what type a value must have, and converts it with a located message when it cannot.
"""

from __future__ import annotations

import re

import yaml

from .errors import Problem

MAX_BYTES = 256 * 1024
MAX_DEPTH = 12
# Where libyaml starts a new line (its marks count these): not only \n, so never text.split("\n").
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

try:  # libyaml is much faster; the pure-Python parser gives the same events (same verdicts).
    _Parser = yaml._yaml.CParser  # the parser alone: yaml.parse() would also build a constructor and resolver
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Parser = yaml.SafeLoader


class Node:
    """A YAML value with its 1-based position. kind is 'map', 'seq' or 'str'.

    A plain class with __slots__: one is made per scalar of every record (hundreds per file)."""

    __slots__ = ("kind", "value", "line", "col", "plain", "keys")

    def __init__(self, kind: str, value: dict | list | str, line: int, col: int, plain: bool = False):
        self.kind, self.value, self.line, self.col, self.plain = kind, value, line, col, plain
        self.keys: dict | None = {} if kind == "map" else None  # for maps: key -> (line, col) of the key

    def get(self, key: str):
        return self.value.get(key) if self.kind == "map" else None


class YamlProblem(Exception):
    def __init__(self, line: int, col: int, message: str, hint: str = ""):
        super().__init__(message)
        self.line, self.col, self.message, self.hint = line, col, message, hint


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlProblem(1, 1, "file is UTF-16; records must be UTF-8", "save the file as UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):
        raise YamlProblem(1, 1, "file starts with a byte-order mark", "save as UTF-8 without BOM")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblem(line, col, f"invalid UTF-8 byte 0x{data[exc.start]:02x}", "save the file as UTF-8") from None
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise YamlProblem(line, nul - (text.rfind("\n", 0, nul) + 1) + 1, "NUL byte in file", "is this a binary file?")
    return text


def _pos(mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def load(data: bytes, path: str) -> tuple[Node | None, list[Problem]]:
    """Parse one YAML document into Nodes; return (root, problems). root is None on error."""
    warnings: list[Problem] = []
    text = ""
    try:
        if len(data) > MAX_BYTES:
            raise YamlProblem(1, 1, f"file is {len(data):,} bytes; the limit is {MAX_BYTES:,}", "split or shorten it")
        text = _decode(data)
        root = _compose(text, path, warnings)
    except YamlProblem as exc:
        return None, [*warnings, Problem(path, exc.line, exc.col, "", exc.message, exc.hint)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "quoted scalar" in str(exc.context or "") and exc.context_mark:
            mark = exc.context_mark  # an unclosed quote: the mistake is where the quote opens, not where YAML gave up
        line, col = _pos(mark) if mark else (1, 1)
        opened = _unclosed_quote(text, line)
        if opened:  # a quote left open earlier ran on until a later quote closed it, and YAML failed there
            line, col = opened
            return None, [*warnings, Problem(path, line, col, "", "YAML syntax: a quote opened here is not closed "
                                             "on its line", "close the quote on this line, where it opens")]
        msg = f"YAML syntax: {exc.problem or exc.context}"
        if exc.context and exc.problem:
            msg = f"YAML syntax: {exc.problem} ({exc.context})"
        return None, [*warnings, Problem(path, line, col, "", msg, _syntax_hint(exc, text))]
    except yaml.YAMLError as exc:  # e.g. ReaderError for control characters
        line, col = 1, 1
        pos = getattr(exc, "position", None)
        if pos is not None:
            before = _BREAK.split(text[:pos])
            line, col = len(before), len(before[-1]) + 1
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        return None, [*warnings, Problem(path, line, col, "", f"YAML: {reason}", "remove control characters")]
    return root, warnings


_OPEN_QUOTE = re.compile(r"""^(\s*(?:- )?[^\s#"'][^:#]*:\s+)(?:"(?:[^"\\]|\\.)*|'(?:[^']|'')*)$""")


def _unclosed_quote(text: str, upto: int) -> tuple[int, int] | None:
    """(line, column) of the first `key: "...` value before line `upto` whose quote does not close on its line."""
    for i, line in enumerate(_BREAK.split(text)[: max(0, upto - 1)], start=1):
        m = _OPEN_QUOTE.match(line)
        if m:
            return i, len(m.group(1)) + 1
    return None


def _syntax_hint(exc, text: str) -> str:
    problem = str(exc.problem or "")
    mark = exc.problem_mark
    lines = _BREAK.split(text)
    if "tab" in problem or (mark is not None and "\t" in lines[min(mark.line, len(lines) - 1)][: mark.column + 1]):
        return "indent with spaces, not tabs"
    if "mapping values" in problem:
        return "quote values that contain ': '"
    if "quoted scalar" in str(exc.context or ""):
        return "close the quote on this line, where it opens"
    return "check indentation and quoting on this line"


_SCALAR, _MAP_START = yaml.ScalarEvent, yaml.MappingStartEvent
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_IGNORED = (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)


def _events(text: str):
    parser = _Parser(text)
    try:
        yield from iter(parser.get_event, None)  # get_event returns None after the stream's end
    finally:
        parser.dispose()


def _compose(text: str, path: str, warnings: list[Problem]) -> Node:
    # The hot loop of `check` (one pass per event of every record): the most frequent events are tested
    # first, and a key is kept as its string and position (no Node: there are as many keys as values).
    lines = None
    hashes = "#" in text  # only then can a comment have cut a value short
    hash_lines: set[int] = set()  # the lines holding a '#'
    stack: list[Node] = []  # open collections
    pending_key: list = []  # for each open map: the key awaiting its value, or None
    root = None
    docs = 0
    for ev in _events(text):
        cls = ev.__class__
        if cls is _SCALAR and ev.anchor is None and ev.tag is None:
            mark = ev.start_mark
            value = ev.value
            plain = not ev.style  # libyaml: "", Python: None
            if hashes and plain and value:
                if lines is None:
                    lines = _BREAK.split(text)
                    hash_lines = {i for i, line in enumerate(lines) if "#" in line}
                if ev.end_mark.line in hash_lines:
                    _comment_check(value, mark.line + 1, mark.column + 1, ev.end_mark, lines, path, warnings)
            if not stack:
                root = Node("str", value, mark.line + 1, mark.column + 1, plain)
                continue
            parent = stack[-1]
            if parent.kind == "seq":
                parent.value.append(Node("str", value, mark.line + 1, mark.column + 1, plain))
            elif pending_key[-1] is not None:
                parent.value[pending_key[-1]] = Node("str", value, mark.line + 1, mark.column + 1, plain)
                pending_key[-1] = None
            else:  # a key
                if value == "<<" or value in parent.keys:
                    _key_problem(parent, value, mark.line + 1, mark.column + 1)
                pending_key[-1] = value
                parent.keys[value] = (mark.line + 1, mark.column + 1)
            continue
        if cls in _ENDS:
            node = stack.pop()
            if node.kind == "map":
                pending_key.pop()
            if not stack:
                root = node
                continue
            parent = stack[-1]
            if parent.kind == "seq":
                parent.value.append(node)
            elif pending_key[-1] is not None:
                parent.value[pending_key[-1]] = node
                pending_key[-1] = None
            else:
                raise YamlProblem(node.line, node.col, "a key must be a plain name, not a list or mapping", "")
            continue
        if cls is yaml.DocumentStartEvent:
            docs += 1
            if docs > 1:
                raise YamlProblem(
                    *_pos(ev.start_mark), "a second YAML document ('---') in one file", "one record per file"
                )
            continue
        if cls in _IGNORED:
            continue
        line, col = _pos(ev.start_mark)
        if cls is yaml.AliasEvent:
            raise YamlProblem(line, col, f"alias '*{ev.anchor}' is not allowed", "write the value out in full")
        if ev.anchor is not None:
            raise YamlProblem(line, col, f"anchor '&{ev.anchor}' is not allowed", "write the value out in full")
        if ev.tag is not None:
            raise YamlProblem(line, col, f"YAML tag '{ev.tag}' is not allowed", "remove the tag; write plain values")
        # Mapping or sequence start
        if len(stack) >= MAX_DEPTH:
            raise YamlProblem(
                line, col, f"nested deeper than {MAX_DEPTH} levels", "records are at most a few levels deep"
            )
        kind = "map" if cls is _MAP_START else "seq"
        node = Node(kind, {} if kind == "map" else [], line, col)
        stack.append(node)
        if kind == "map":
            pending_key.append(None)
    if docs == 0 or root is None:
        raise YamlProblem(1, 1, "file is empty", "a record is one YAML mapping, starting with 'id:'")
    return root


def _key_problem(parent: Node, key: str, line: int, col: int) -> None:
    if key == "<<":
        raise YamlProblem(line, col, "merge key '<<' is not allowed", "write the fields out in full")
    first = parent.keys[key]
    raise YamlProblem(line, col, f"key '{key}' appears twice (first on line {first[0]})", "keep one of them")


def _comment_check(value: str, line: int, col: int, end, lines: list[str], path: str, warnings: list) -> None:
    """Warn when ' #' cut a plain value short, as in `title: Plant 2 #2 line` (end: the value's end mark)."""
    if end.line >= len(lines):
        return
    rest = lines[end.line][end.column :]
    stripped = rest.lstrip(" ")
    if stripped.startswith("#") and len(stripped) > 1 and not stripped[1].isspace() and stripped[1] != "#":
        warnings.append(
            Problem(
                path,
                line,
                col,
                "",
                f"the value '{value}' was cut at ' #': '{stripped}' is read as a comment",
                "put the whole value in quotes if '#' is part of it",
                "warning",
            )
        )
