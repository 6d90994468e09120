"""The one place that writes: results to stdout, diagnostics to stderr.

Rich consoles are built per call, so NO_COLOR, COLUMNS and redirection are
read when the output happens, not at import.

What reaches a terminal is safe to show: control characters from the input (ESC, BEL,
NUL, bidirectional overrides) are written escaped (``\\x1b``), in every format.  An
output that cannot be written (closed, a full disk) is an error with exit status 2,
and a stderr that cannot be written never changes the exit status.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

from .errors import OutputClosed, OutputError
from .text import printable


def _stdout() -> Any:
    stream = sys.stdout
    if stream is None:
        raise OutputError("cannot write the result: standard output is closed")
    return stream


def _encodable(text: str, stream: Any, json: bool) -> str:
    """``text`` in a form the stream's encoding can take (ASCII under LC_ALL=C, say):
    JSON with \\u escapes (still valid JSON), anything else backslash-escaped."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
        return text
    except (UnicodeEncodeError, LookupError):
        pass
    if json:
        def escape(m: re.Match) -> str:
            code = ord(m.group())
            if code > 0xFFFF:
                code -= 0x10000
                return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
            return f"\\u{code:04x}"

        return re.sub(r"[^\x00-\x7f]", escape, text)
    try:
        return text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:
        return text.encode("ascii", "backslashreplace").decode("ascii")


def out(text: str, *, json: bool = False) -> None:
    """A result (plain, LaTeX or JSON text) on stdout."""
    stream = _stdout()
    _Progress.hide()
    text = printable(text if text.endswith("\n") else text + "\n", json=json)
    text = _encodable(text, stream, json)
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        _closed()
    except (OSError, ValueError) as exc:
        _unwritable(exc)


def _silence(fd: int) -> None:
    """Point ``fd`` at /dev/null, so that later writes (and the interpreter's final
    flush) succeed instead of failing again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _stdout_fd() -> int:
    try:
        return sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return 1


def _closed() -> None:
    _silence(_stdout_fd())
    raise OutputClosed()


def _unwritable(exc: BaseException) -> None:
    _silence(_stdout_fd())
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    raise OutputError(f"cannot write the result to standard output: {reason}") from None


def err(lines: list[str] | str) -> None:
    """A diagnostic on stderr (never markup-parsed, never coloured, controls escaped).
    A stderr that cannot be written is given up on silently."""
    if isinstance(lines, str):
        lines = [lines]
    stream = sys.stderr
    if stream is None:
        return
    _Progress.hide()
    text = "".join(printable(line, keep="\t") + "\n" for line in lines)
    try:
        stream.write(_encodable(text, stream, json=False))
        stream.flush()
    except (OSError, ValueError):
        try:
            fd = stream.fileno()
        except (AttributeError, OSError, ValueError):
            fd = 2
        _silence(fd)


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    no_color = "NO_COLOR" in os.environ and os.environ["NO_COLOR"] != ""
    return Console(
        file=sys.stderr if stderr else _stdout(),
        no_color=no_color,
        highlight=False,
        markup=False,
        emoji=False,
    )


def out_rich(renderable: Any) -> None:
    """A Rich renderable on stdout, with the text of every segment made printable (and
    encodable): Rich itself passes ESC and NUL through."""
    from rich.segment import Segment, Segments

    con = console()
    _Progress.hide()
    encoding = (con.encoding or "utf-8").lower()
    stream = con.file

    def safe(text: str) -> str:
        text = printable(text)
        return text if encoding.startswith("utf") else _encodable(text, stream, json=False)

    segments = [seg if seg.control else Segment(safe(seg.text), seg.style, seg.control)
                for seg in con.render(renderable)]
    try:
        con.print(Segments(segments), crop=False)
    except BrokenPipeError:
        _closed()
    except (OSError, ValueError) as exc:
        _unwritable(exc)


def stdout_takes_unicode() -> bool:
    """Whether stdout's encoding can take gradcli's maths (∂, ⋅, ², box drawing)."""
    try:
        "∂⋅²─".encode(getattr(sys.stdout, "encoding", None) or "utf-8")
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


# -- progress on stderr ---------------------------------------------------------------------

#: ``GRADCLI_PROGRESS=1`` shows the progress line whatever the streams and format (tests),
#: ``GRADCLI_PROGRESS=0`` never.
PROGRESS_ENV = "GRADCLI_PROGRESS"
#: A run shorter than this shows no progress at all (no flicker for quick calls).
PROGRESS_DELAY = 0.5
#: The line is redrawn at most this often.
PROGRESS_INTERVAL = 0.1


class _Progress:
    """One line on stderr, ``checking 3/40: d/dx sin(x)^2 = ...``, redrawn in place (a carriage
    return, no escape sequences) and erased when the run ends or anything else is written."""

    shown: _Progress | None = None  # the line now on the terminal

    def __init__(self, total: int, what: str, stream: Any, delay: float):
        import time

        self.total, self.what, self.stream = total, what, stream
        self.clock = time.monotonic
        self.start = self.clock() + delay
        self.drawn_at = 0.0
        self.width = 0  # of the text now drawn
        self.count = 0
        self.label = ""

    def step(self, label: str = "") -> None:
        """The next item (``label``) is under way: redraw when it is time."""
        self.count += 1
        self.label = label
        now = self.clock()
        if now >= self.start and (now - self.drawn_at >= PROGRESS_INTERVAL or _Progress.shown is not self):
            self.draw(now)

    def draw(self, now: float) -> None:
        import shutil

        columns = shutil.get_terminal_size((80, 24)).columns
        label = " ".join(printable(self.label, keep="").split())
        text = f"{self.what} {self.count}/{self.total}" + (f": {label}" if label else "")
        if len(text) > columns - 1:
            text = text[: max(columns - 4, 0)] + "..."
        pad = " " * max(self.width - len(text), 0)
        if self._write("\r" + text + pad):
            self.width, self.drawn_at = len(text) + len(pad), now
            _Progress.shown = self

    def erase(self) -> None:
        if self.width:
            self._write("\r" + " " * self.width + "\r")
            self.width = 0
        if _Progress.shown is self:
            _Progress.shown = None

    @classmethod
    def hide(cls) -> None:
        """Erase the line before a result or a message is written (it comes back at the next step)."""
        if cls.shown is not None:
            cls.shown.erase()

    def _write(self, text: str) -> bool:
        try:
            self.stream.write(_encodable(text, self.stream, json=False))
            self.stream.flush()
            return True
        except (OSError, ValueError):
            return False


class _NoProgress:
    def step(self, label: str = "") -> None:
        pass


def progress_wanted(fmt: str, stream: Any = None) -> bool:
    """Progress is shown on a terminal's stderr when the output is for a person there
    (``rich``, which ``auto`` is at a terminal); never in pipes or json, unless forced."""
    forced = os.environ.get(PROGRESS_ENV, "")
    if forced in ("0", "1"):
        return forced == "1"
    stream = sys.stderr if stream is None else stream
    try:
        return fmt == "rich" and stream is not None and stream.isatty()
    except (AttributeError, ValueError):
        return False


class progress:
    """``with progress(total, "checking", fmt=fmt) as p: ... p.step(label)``: a progress line
    on stderr for runs of several items that take a while (see ``progress_wanted``)."""

    def __init__(self, total: int, what: str, *, fmt: str):
        self.line: Any = _NoProgress()
        if total > 1 and progress_wanted(fmt):
            delay = 0.0 if os.environ.get(PROGRESS_ENV) == "1" else PROGRESS_DELAY
            self.line = _Progress(total, what, sys.stderr, delay)

    def __enter__(self) -> Any:
        return self.line

    def __exit__(self, *exc: Any) -> None:
        if isinstance(self.line, _Progress):
            self.line.erase()
