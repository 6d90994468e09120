"""One renderer per output format (``base.Renderer`` subclasses); ``render`` picks one.

plain, LaTeX and JSON give text; rich gives a Rich renderable.  Formats never go through
each other (no JSON or LaTeX through Rich).  ``printers`` holds what they share (SymPy's
printers with gradcli's conventions); ``dot`` and ``plot`` are the files of
``autodiff --graph`` and ``taylor --plot``.
"""

from __future__ import annotations

from typing import Any

from .base import Renderer


def renderer(fmt: str, **options: Any) -> Renderer:
    """The renderer of ``fmt`` (plain, latex, json or rich), imported when asked for."""
    if fmt == "plain":
        from .plain import PlainRenderer as cls
    elif fmt == "latex":
        from .latex import LatexRenderer as cls
    elif fmt == "json":
        from .json import JsonRenderer as cls
    elif fmt == "rich":
        from .rich import RichRenderer as cls
    else:  # pragma: no cover - the CLI resolves "auto" first
        raise ValueError(fmt)
    return cls(**options)


def render(result: Any, fmt: str, **options: Any) -> Any:
    return renderer(fmt, **options).render(result)
