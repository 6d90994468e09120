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
