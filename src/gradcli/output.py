"""The one place that writes: results to stdout, diagnostics to stderr.

Rich consoles are built per call, so NO_COLOR, COLUMNS and redirection are
read when the output happens, not at import.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def out(text: str) -> None:
    """A result (plain, LaTeX or JSON text) on stdout."""
    try:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        _closed()


def _closed() -> None:
    from .errors import OutputClosed

    try:  # further writes (and the interpreter's final flush) go nowhere
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    raise OutputClosed()


def err(lines: list[str] | str) -> None:
    """A diagnostic on stderr (never markup-parsed, never coloured)."""
    if isinstance(lines, str):
        lines = [lines]
    for line in lines:
        sys.stderr.write(line + "\n")
    sys.stderr.flush()


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    no_color = "NO_COLOR" in os.environ and os.environ["NO_COLOR"] != ""
    return Console(
        file=sys.stderr if stderr else sys.stdout,
        no_color=no_color,
        highlight=False,
        markup=False,
        emoji=False,
    )


def out_rich(renderable: Any) -> None:
    try:
        console().print(renderable)
    except BrokenPipeError:
        _closed()


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False
