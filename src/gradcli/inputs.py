"""Reading standard input and claim files, bounded.

A pipe or a file can be endless (``yes 'x^2' | gradcli derivative -``, ``--file /dev/zero``):
gradcli reads at most ``MAX_INPUT_CHARS`` characters (1,000 expressions at the 10,000-character
limit) and refuses more with exit 2, before any work starts.
"""

from __future__ import annotations

from typing import IO

from .errors import InputError, LimitError

MAX_INPUT_CHARS = 10_000_000


def read_bounded(stream: IO[str], source: str) -> str:
    """All of ``stream``, or LimitError past MAX_INPUT_CHARS characters."""
    try:
        text = stream.read(MAX_INPUT_CHARS + 1)
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read {source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror or exc}") from None
    if len(text) > MAX_INPUT_CHARS:
        raise LimitError(f"{source} is longer than {MAX_INPUT_CHARS:,} characters", "split it into smaller inputs")
    return text


def read_file_bounded(path: str) -> str:
    """The text of the file ``path`` (UTF-8), bounded like standard input."""
    if not path:
        raise InputError("an empty file name")
    try:
        with open(path, "r", encoding="utf-8") as fh:
            return read_bounded(fh, path)
    except FileNotFoundError:
        raise InputError(f"cannot read {path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"cannot read {path}: it is a directory") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
