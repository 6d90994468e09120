"""The lines of ``autodiff -f latex`` (``render.latex``): the evaluation trace (5.140), the
local partials (5.141), each forward sweep, the reverse sweep (5.142-5.145) and the
gradient, for one ``aligned`` block."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .printers import latex
from .prose import latex_words


def _d(top: str, bottom: str, partial: bool = True) -> str:
    op = r"\partial" if partial else r"\mathrm{d}"
    return rf"\frac{{{op} {top}}}{{{op} {bottom}}}"


def autodiff_lines(r: Any, at: Callable[[Any], str], value: Callable[[Any], str],
                   sweeps_text: Callable[[Any], str]) -> list[str]:
    t = r.trace
    name = {v.name: latex(v.symbol) for v in t.variables}
    name.update({x: x for x in t.sweeps if x not in name})  # entries of array inputs: x[1]
    out = name[t.output]
    lines = [rf"&\text{{evaluation trace at }} {at(r.point)}\text{{:}}"]
    for v in t.variables:
        if v.definition is None:
            held = r" \quad \text{(held constant)}" if v.kind == "parameter" else ""
            lines.append(rf"{name[v.name]} &= {value(v.value)}{held}")
        else:
            lines.append(rf"{name[v.name]} &= {latex(v.definition)} = {value(v.value)}")
    lines.append(r"&\text{local partial derivatives:}")
    for v in t.variables:
        for p in v.partials:
            rhs = latex(p.formula) if p.formula.is_number else f"{latex(p.formula)} = {latex(p.value)}"
            lines.append(rf"{_d(name[v.name], name[p.parent])} &= {rhs}")
    if t.forward:
        for j, x in enumerate(t.sweeps):
            lines.append(rf"&\text{{forward mode, sweep {j + 1} of {len(t.sweeps)}, seed }} "
                         rf"{_d(name[x], name[x], False)} = 1\text{{:}}")
            for v in t.variables:
                if v.definition is None:
                    continue
                rule = " + ".join(rf"{_d(name[v.name], name[p])} {_d(name[p], name[x], False)}" for p in v.parents)
                lhs = _d(name[v.name], name[x], False)
                lines.append(rf"{lhs} &= {rule + ' = ' if rule else ''}{value(v.tangents[j])}")
    if t.reverse:
        lines.append(rf"&\text{{reverse mode, 1 sweep for all inputs, seed }} {_d(out, out)} = 1\text{{:}}")
        for v in reversed(t.variables):
            if v.name == t.output:
                continue
            rule = " + ".join(rf"{_d(out, name[c])} {_d(name[c], name[v.name])}" for c in v.children)
            lines.append(rf"{_d(out, name[v.name])} &= {rule + ' = ' if rule else ''}{value(v.adjoint)}")
    if isinstance(r.value, tuple):  # vector and matrix inputs: a gradient each, of its shape
        lines.extend(rf"\nabla_{{{name[x]}}} {out} &= {latex(g)}" for x, g in zip(t.inputs, r.value))
        lines.append(rf"&{latex_words('(' + sweeps_text(t) + ')')}")
    else:
        lines.append(rf"\nabla {out} &= {latex(r.value)} \quad {latex_words('(' + sweeps_text(t) + ')')}")
    return lines
