"""The tables of ``autodiff`` at a terminal (``render.rich``): the evaluation trace, a table per
forward sweep, the reverse sweep, and the gradient; values exact with their decimal beside
them, every column folding."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.table import Table
from rich.text import Text

from .printers import pretty
from .prose import sweeps_text


def _t(s: str, style: str | None = None) -> Text:
    return Text(s, style=style or "")


def autodiff_parts(r: Any, grid: Callable[[], Table], table: Callable[..., Table],
                   value_text: Callable[[Any, int | None], str]) -> list[Any]:
    t = r.trace
    name = {v.name: pretty(v.symbol) for v in t.variables}
    name.update({x: x for x in t.sweeps if x not in name})  # entries of array inputs: x[1]
    out = name[t.output]

    def shown(value: Any) -> Text:
        return _t(value_text(value, r.digits))

    trace = table("v", "definition", "value", "local partials", title="evaluation trace")
    trace.columns[0].style = "cyan"
    for v in t.variables:
        definition = {"input": "input", "parameter": "constant"}.get(v.kind) if v.definition is None \
            else f"{name[v.name]} = {pretty(v.definition)}"
        partials = "\n".join(
            f"∂{name[v.name]}/∂{name[p.parent]} = {pretty(p.formula)}"
            + ("" if p.formula.is_number else f" = {pretty(p.value)}")
            for p in v.partials)
        trace.add_row(_t(name[v.name]), _t(definition, "dim" if v.definition is None else None), shown(v.value),
                      _t(partials))
    parts: list[Any] = [trace]

    if t.forward:
        n = len(t.sweeps)
        for j, x in enumerate(t.sweeps):
            sweep = table("tangent", "chain rule (sum over parents)", "value",
                          title=f"forward mode, sweep {j + 1} of {n}: seed d{name[x]}/d{name[x]} = 1")
            sweep.columns[0].style = "cyan"
            for v in t.variables:
                rule = " + ".join(f"∂{name[v.name]}/∂{name[p]} ⋅ d{name[p]}/d{name[x]}" for p in v.parents) \
                    if v.definition is not None else "seed"
                sweep.add_row(_t(f"d{name[v.name]}/d{name[x]}"), _t(rule or "0", "dim" if not v.parents else None),
                              shown(v.tangents[j]))
            parts.append(sweep)
    if t.reverse:
        sweep = table("adjoint", "chain rule (sum over children)", "value",
                      title=f"reverse mode, 1 sweep for all inputs: seed ∂{out}/∂{out} = 1")
        sweep.columns[0].style = "cyan"
        for v in reversed(t.variables):
            rule = "seed" if v.name == t.output else \
                " + ".join(f"∂{out}/∂{name[c]} ⋅ ∂{name[c]}/∂{name[v.name]}" for c in v.children) or "0"
            sweep.add_row(_t(f"∂{out}/∂{name[v.name]}"), _t(rule, "dim" if rule in ("seed", "0") else None),
                          shown(v.adjoint))
        parts.append(sweep)
    gradient = grid()
    if isinstance(r.value, tuple):  # vector and matrix inputs: a gradient each, of its shape
        for x, g in zip(t.inputs, r.value):
            gradient.add_row(_t(f"∇_{name[x]} {out}"), _t(pretty(g)))
    else:
        gradient.add_row(_t(f"∇{out}"), _t(pretty(r.value)))
    gradient.add_row(_t(""), _t(sweeps_text(t), "dim"))
    parts.append(gradient)
    return parts
