"""Reading standard input and claim files, bounded.

A pipe or a file can be endless (``yes 'x^2' | gradcli derivative -``, ``--file /dev/zero``):
gradcli reads at most ``limits.MAX_INPUT_CHARS`` characters in one call, from standard input
and all claim files together, and refuses more with exit 2, before any work starts.  Text is
UTF-8 (a byte-order mark at the start is skipped), whatever the locale says.  Reading runs
under ``--timeout`` like all work, so a FIFO nobody writes to ends with exit 3.
"""

from __future__ import annotations

from typing import IO, Any

from . import limits
from .errors import InputError, LimitError


def read_bounded(stream: IO[str] | None, source: str) -> str:
    """All of ``stream`` (UTF-8), or LimitError past the characters left to read this call."""
    if stream is None:
        raise InputError(f"cannot read {source}: it is closed")
    raw: Any = getattr(stream, "buffer", None)
    try:
        if raw is not None:
            text = _decode(raw, source)
        else:
            text = stream.read(limits.input_budget() + 1)
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read {source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {source}: {getattr(exc, 'strerror', None) or exc}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > limits.input_budget():
        before = " (with the input read before it)" if limits.input_budget() < limits.MAX_INPUT_CHARS else ""
        raise LimitError(f"{source} is longer than {limits.MAX_INPUT_CHARS:,} characters{before}",
                         "split it into smaller inputs")
    limits.charge_input(text, source)
    return text


def _decode(raw: Any, source: str) -> str:
    budget = limits.input_budget()
    cap = 4 * (budget + 1)  # a character is at most 4 bytes of UTF-8
    data = raw.read(cap)
    if data is None:  # a non-blocking stream with nothing in it
        data = b""
    if len(data) >= cap:  # more bytes than the budget can hold in any case
        return data.decode("utf-8", errors="ignore")
    return data.decode("utf-8-sig")


def read_file_bounded(path: str) -> str:
    """The text of the file ``path`` (UTF-8), bounded like standard input."""
    if not path:
        raise InputError("an empty file name")
    try:
        with open(path, "rb") as fh:
            return read_bounded(_Binary(fh), path)
    except FileNotFoundError:
        raise InputError(f"cannot read {path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"cannot read {path}: it is a directory") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


class _Binary:
    """A binary file seen as a text stream whose ``buffer`` is the file."""

    def __init__(self, fh: Any):
        self.buffer = fh
