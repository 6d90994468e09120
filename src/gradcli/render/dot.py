"""Graphviz DOT text of an autodiff computation graph (``gradcli autodiff --graph FILE.dot``).

One node a variable (inputs as ellipses, parameters dashed, intermediate variables as boxes,
the output with a double border), labelled with its defining equation, its value and, where
they were computed, its tangents and its adjoint; one edge from each parent to each child,
labelled with the local partial.  Shared subexpressions are one node with several out-edges.
Maths in the one-line Unicode of the terminal output (x², √(c), e); a pure function of the
result (the command writes the file).
"""

from __future__ import annotations

from typing import Any

from .printers import pretty, with_decimal


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render(result: Any, **_: Any) -> str:
    t = result.trace
    name = {v.name: pretty(v.symbol) for v in t.variables}

    def shown(value: Any) -> str:
        return with_decimal(value, result.digits, show=pretty)

    lines = [
        "digraph autodiff {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
        f"  label={_quote(f'{t.output} = {pretty(t.function)} at {result.point.text}')};",
        "  labelloc=t;",
    ]
    for v in t.variables:
        head = name[v.name] if v.definition is None else f"{name[v.name]} = {pretty(v.definition)}"
        label = [head, f"value {shown(v.value)}"]
        if v.tangents is not None:
            for x, tangent in zip(t.inputs, v.tangents):
                label.append(f"d{name[v.name]}/d{name[x]} = {shown(tangent)}")
        if v.adjoint is not None:
            label.append(f"∂{name[t.output]}/∂{name[v.name]} = {shown(v.adjoint)}")
        shape = {"input": "shape=ellipse", "parameter": "shape=ellipse, style=dashed",
                 "intermediate": "shape=box", "output": "shape=box, peripheries=2"}[v.kind]
        lines.append(f"  {_quote(v.name)} [{shape}, label={_quote(chr(10).join(label))}];")
    for v in t.variables:
        for p in v.partials:
            label = f"∂{name[v.name]}/∂{name[p.parent]} = {pretty(p.formula)}"
            if not p.formula.is_number:
                label += f" = {pretty(p.value)}"
            lines.append(f"  {_quote(p.parent)} -> {_quote(v.name)} [label={_quote(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
