"""Exit statuses and the exceptions that carry them.

One enum, one exception hierarchy: every failure gradcli knows about is a
``GradcliError`` whose ``status`` is the process exit status.  The CLI turns
them into one or two lines on stderr (see ``cli.main``); core code only raises.
"""

from __future__ import annotations

import enum

from .text import printable


class ExitStatus(enum.IntEnum):
    OK = 0
    #: ``check``: at least one claim is false.
    CLAIM_FALSE = 1
    #: ``codegen --gradcheck``: the generated gradient disagrees with central differences.
    GRADCHECK_FAILED = 1
    #: Bad input: usage, syntax, unknown name, shape mismatch, missing --wrt.
    BAD_INPUT = 2
    #: Could not finish: time limit, or ``check`` left a claim unknown.
    INCOMPLETE = 3
    #: Interrupted (Ctrl-C): 128 + SIGINT, as shells report it.
    INTERRUPTED = 130


class GradcliError(Exception):
    """Base of every error gradcli reports to the user."""

    status: ExitStatus = ExitStatus.BAD_INPUT

    def __init__(self, message: str, hint: str | None = None, *, prefix: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint
        #: where the error happened ("line 3: "), when the caller does not say
        self.prefix = prefix

    def lines(self, prefix: str = "") -> list[str]:
        """The one or two lines shown on stderr."""
        out = [f"{prefix or self.prefix}error: {self.message}"]
        if self.hint:
            out.append(self.hint)
        return out

    def fields(self) -> dict:
        """The error for a json error record: ``error`` (and ``hint``, ``position``)."""
        out = {"error": f"{self.prefix}{self.message}"}
        if self.hint:
            out["hint"] = self.hint
        return out


class InputError(GradcliError):
    """Bad input of any kind (exit 2)."""


class ParseError(InputError):
    """A syntax error at a position of the source text; shows a caret."""

    def __init__(self, message: str, source: str, pos: int, hint: str | None = None):
        super().__init__(message, hint)
        self.source = source
        self.pos = max(0, min(pos, len(source)))

    def lines(self, prefix: str = "") -> list[str]:
        # Two lines: the message with a window of the source around the
        # position, and a caret under it (a 10,000-character input stays short).
        # Control characters are shown escaped (\x1b), and the caret counts them so.
        src, pos = self.source, self.pos
        start = max(0, pos - 30)
        end = min(len(src), pos + 30)

        def shown(text: str) -> str:
            return printable(text.replace("\n", " ").replace("\t", " "), keep="")

        left, right = shown(src[start:pos]), shown(src[pos:end])
        before = "..." if start > 0 else ""
        after = "..." if end < len(src) else ""
        hint = f"; {self.hint}" if self.hint else ""
        head = printable(f"{prefix or self.prefix}error: {self.message}{hint} (at position {pos + 1}): ", keep="")
        return [head + before + left + right + after, " " * (len(head) + len(before) + len(left)) + "^"]

    def fields(self) -> dict:
        return {**super().fields(), "position": self.pos + 1}


class ShapeError(InputError):
    """Operands whose shapes do not fit (exit 2)."""


class LimitError(InputError):
    """Input refused before any work: too long, too deep, numbers that explode."""


class TimeLimitExceeded(GradcliError):
    """The --timeout ran out (exit 3)."""

    status = ExitStatus.INCOMPLETE


class MemoryLimitExceeded(GradcliError):
    """The work grew past the memory a call may take (exit 3)."""

    status = ExitStatus.INCOMPLETE


class NotAnalyticError(InputError):
    """A Taylor expansion about a point where f is not analytic (exit 2)."""


class OutputClosed(Exception):
    """Standard output was closed by the reader (``| head``): stop quietly."""


class OutputError(InputError):
    """Standard output cannot be written (closed, or a full disk): exit 2, since the call
    itself must change (where its output goes), not the time it is given."""
