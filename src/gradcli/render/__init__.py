"""One renderer per output format; ``render`` picks one.

Each format module has ``render(result, **options)``: plain, LaTeX and JSON
return text; rich returns a Rich renderable.  Formats never go through each
other (no JSON or LaTeX through Rich).
"""

from __future__ import annotations

from typing import Any

FORMATS = ("auto", "rich", "plain", "latex", "json")


def render(result: Any, fmt: str, **options: Any) -> Any:
    if fmt == "plain":
        from . import plain as mod
    elif fmt == "latex":
        from . import latex as mod
    elif fmt == "json":
        from . import json as mod
    elif fmt == "rich":
        from . import rich as mod
    else:  # pragma: no cover - the CLI resolves "auto" first
        raise ValueError(fmt)
    return mod.render(result, **options)
