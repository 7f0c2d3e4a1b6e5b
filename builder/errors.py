"""Problems found in the archive: collected over a whole run, then reported at once.

A problem names its place (`path:line`), says what is wrong and, where it can, what to do.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

ERROR = "error"
WARNING = "warning"
INFO = "info"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str
    hint: str = ""
    severity: str = ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        label = "" if self.severity == ERROR else f"{self.severity}: "
        text = f"{where}: {label}{self.message}" if where else f"{label}{self.message}"
        return _visible(f"{text} ({self.hint})" if self.hint else text)


# A terminal's escape sequences whole (CSI: colours, clearing; OSC: titles, the clipboard,
# up to its terminator on the same line), for those who drop them: dropping the escape
# alone would leave "[31m" in the text. An OSC never closed is not one: only its escape goes
# (with the other control characters), never the text after it.
ESCAPE_SEQUENCE = r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]{0,500}(?:\x07|\x1b\\)"

# Messages quote content (a tag, a key, a name), which is hostile: a control character
# (an escape sequence could recolour, clear or retitle the terminal) is shown as its code.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_CONTROL_IN_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # the same, newlines kept


def _visible(text: str, control: re.Pattern[str] = _CONTROL) -> str:
    return control.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class VisibleWriter:
    """A terminal stream for reports that quote content (a capture's speaker, a record's
    source, a file's name): every control character but the newline is written as its code."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(_visible(text, _CONTROL_IN_LINES))

    def flush(self) -> None:
        self._stream.flush()


class ArchiveError(Exception):
    """A failure the CLI reports without a traceback; carries the problems found."""

    def __init__(self, problems: Iterable[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("", 0, problems)]
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple:
        return (ArchiveError, (self.problems,))  # whole, when it comes back from a worker


class UsageError(Exception):
    """A mistake in how a command was called: exit status 2."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A 'did you mean …?' hint for an unknown name, or '' when nothing is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == ERROR]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == WARNING]


def count_of(number: int, one: str, many: str = "") -> str:
    """ "1 error", "2 errors" (many: the plural where it is not one + "s")."""
    return f"{number:,} {one if number == 1 else many or one + 's'}"


class Interrupted(KeyboardInterrupt):
    """Ctrl-C after the new site was put in place: the message says what did change."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what
