"""Problems found in the input, and the one exception that carries them."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# Characters that could rewrite a terminal or CI log line (escape sequences, newlines that forge
# "::error::" workflow commands, bidi reordering): shown escaped in every printed problem.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff"
                          "\U000e0000-\U000e007f]")


def printable(text: str) -> str:
    """Escape such characters as \\x1b or \\u202e, so one problem is always one plain line."""
    return _UNPRINTABLE.sub(lambda m: f"\\U{ord(m.group()):08x}" if ord(m.group()) > 0xFFFF else
                            f"\\u{ord(m.group()):04x}" if ord(m.group()) > 0xFF else f"\\x{ord(m.group()):02x}", text)


@dataclass(frozen=True, order=True)
class Problem:
    """One error or warning, located as precisely as the input allows.

    Field order is sort order: problems print grouped by file, then by position.
    """

    path: str
    line: int
    col: int
    field: str
    message: str
    hint: str = ""
    severity: str = "error"  # "error", "warning" or "info"
    more: int = 0  # a line standing for this many problems not listed (see cap)

    def __post_init__(self):
        # A message may quote the input; however long that is, one problem stays one readable line.
        for name in ("message", "hint"):
            text = getattr(self, name)
            if len(text) > MAX_TEXT:
                object.__setattr__(self, name, text[: MAX_TEXT - 1] + "…")

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}"
        text = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        if self.severity != "error":
            text = f"{where}: {self.severity}: {text[len(where) + 2 :]}"
        if self.hint:
            text += f" ({self.hint})"
        return printable(text)


MAX_TEXT = 600  # characters of a message or hint
LIST_PER_FIELD, LIST_PER_FILE = 10, 100  # problems listed of one field (indexes aside) of one file, and per file


def cap(problems: list[Problem]) -> list[Problem]:
    """Every problem, but not every one listed: at most LIST_PER_FIELD of one kind (one file, one field
    whatever its indexes, one severity) and LIST_PER_FILE per file; the rest of each kind becomes one
    line that counts them. A file with thousands of the same mistake prints a screen, not a gigabyte."""
    listed: list[Problem] = []
    per_file: Counter = Counter()
    per_kind: Counter = Counter()
    rest: dict[tuple, list] = {}
    for p in sorted(problems):
        kind = (p.path, re.sub(r"\[\d+\]", "[]", p.field), p.severity)
        if p.more or (per_kind[kind] < LIST_PER_FIELD and per_file[p.path] < LIST_PER_FILE):
            per_kind[kind] += 1
            per_file[p.path] += 1
            listed.append(p)
        else:
            rest.setdefault(kind, [p, 0])[1] += 1
    for (path, field, severity), (first, n) in rest.items():
        listed.append(Problem(path, first.line, first.col, field, f"{n:,} more {severity}(s) like this, not listed",
                              "fix the ones listed first: they are likely the same mistake", severity, n))
    return sorted(listed)


def count(problems: list[Problem], severity: str) -> int:
    """How many problems of this severity, counting those a cap line stands for."""
    return sum(p.more or 1 for p in problems if p.severity == severity)


class TrackerError(Exception):
    """A failure we explain to the user; never shown as a traceback."""

    exit_code = 1


class ValidationFailed(TrackerError):
    """The content has errors; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = cap(problems)
        errors = count(self.problems, "error")
        super().__init__(f"{errors} error(s) in content")


class BuildFailed(TrackerError):
    """A later pipeline stage (render, mkdocs, audit) failed; the old site is untouched."""
