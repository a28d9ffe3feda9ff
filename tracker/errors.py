"""Problems found in the input, and the one exception that carries them."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters that could rewrite a terminal or CI log line (escape sequences, newlines that forge
# "::error::" workflow commands, bidi reordering): shown escaped in every printed problem.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")


def printable(text: str) -> str:
    """Escape such characters as \\x1b or \\u202e, so one problem is always one plain line."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) > 0xFF else f"\\x{ord(m.group()):02x}", text)


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

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}"
        text = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        if self.severity != "error":
            text = f"{where}: {self.severity}: {text[len(where) + 2 :]}"
        if self.hint:
            text += f" ({self.hint})"
        return printable(text)


class TrackerError(Exception):
    """A failure we explain to the user; never shown as a traceback."""

    exit_code = 1


class ValidationFailed(TrackerError):
    """The content has errors; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        errors = sum(1 for p in self.problems if p.severity == "error")
        super().__init__(f"{errors} error(s) in content")


class BuildFailed(TrackerError):
    """A later pipeline stage (render, mkdocs, audit) failed; the old site is untouched."""
