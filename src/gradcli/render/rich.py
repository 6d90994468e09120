"""Rich: tables and panels for a person at a terminal, maths in Unicode.

Every piece of SymPy text goes in as ``rich.text.Text`` (never markup), so
``[x, y]`` is shown, not parsed.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .common import plain, point_text, pretty, unicode_operator


def render(result: Any, **options: Any) -> Any:
    return _HANDLERS[type(result).__name__](result, **options)


def T(s: str, style: str | None = None) -> Text:
    return Text(s, style=style or "")


def _kv_table() -> Table:
    table = Table(box=box.SIMPLE, show_header=False, pad_edge=False)
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    return table


def _derivative(r: Any, **_: Any) -> Any:
    table = _kv_table()
    table.add_row(T("f"), T(pretty(r.function)))
    table.add_row(T(unicode_operator(r.variables) + " f"), T(pretty(r.result)))
    if r.point is not None:
        table.add_row(T(f"at {r.point.text}"), T(pretty(r.value)))
    parts: list[Any] = [table]
    if r.steps is not None:
        steps = Table(box=box.SIMPLE_HEAD, title="steps", title_justify="left")
        steps.add_column("#", justify="right", style="dim")
        steps.add_column("rule", style="magenta")
        steps.add_column("step")
        for i, (depth, step) in enumerate(r.steps.flat(), 1):
            note = f"  ({step.note})" if step.note else ""
            steps.add_row(
                T(str(i)),
                T("  " * depth + step.rule),
                T(f"d/d{plain(r.steps.var)} [{plain(step.expression)}] = {plain(step.result)}{note}"),
            )
        parts.append(steps)
    if r.definition is not None:
        d = r.definition
        defn = _kv_table()
        defn.add_row(T("difference quotient"), T(pretty(d.quotient)))
        defn.add_row(T("simplified"), T(pretty(d.simplified)))
        defn.add_row(T("limit h → 0"), T(pretty(d.limit) if d.limit is not None else "does not exist"))
        parts.append(defn)
        if d.secants:
            sec = Table(box=box.SIMPLE_HEAD, title="secant slopes", title_justify="left")
            sec.add_column("h", justify="right")
            sec.add_column("(f(x0+h) - f(x0))/h", justify="right")
            has_left = any(row.slope_left is not None for row in d.secants)
            if has_left:
                sec.add_column("(f(x0-h) - f(x0))/(-h)", justify="right")
            for row in d.secants:
                cells = [T(plain(row.h)), T(plain(row.slope_right))]
                if has_left:
                    cells.append(T(plain(row.slope_left) if row.slope_left is not None else ""))
                sec.add_row(*cells)
            parts.append(sec)
        if d.note:
            parts.append(T(d.note, "yellow"))
    return Panel(Group(*parts), title=T("derivative", "bold"), title_align="left", expand=False)


_HANDLERS = {
    "DerivativeResult": _derivative,
}
