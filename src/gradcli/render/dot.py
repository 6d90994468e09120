"""Graphviz DOT text of an autodiff computation graph (``gradcli autodiff --graph FILE.dot``).

One node a variable (inputs as ellipses, parameters dashed, intermediate variables as boxes,
the output with a double border), labelled with its defining equation, its value and, where
they were computed, its tangents and its adjoint; one edge from each parent to each child,
labelled with the local partial.  Shared subexpressions are one node with several out-edges.
Text in SymPy's string form; a pure function of the result (the command writes the file).
"""

from __future__ import annotations

from typing import Any

from .common import plain, with_decimal


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render(result: Any, **_: Any) -> str:
    t = result.trace
    digits = result.digits
    lines = [
        "digraph autodiff {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
        f"  label={_quote(f'{t.output} = {plain(t.function)} at {result.point.text}')};",
        "  labelloc=t;",
    ]
    for v in t.variables:
        head = v.name if v.definition is None else f"{v.name} = {plain(v.definition)}"
        label = [head, f"value {with_decimal(v.value, digits)}"]
        if v.tangents is not None:
            for x, tangent in zip(t.inputs, v.tangents):
                label.append(f"d{v.name}/d{x} = {with_decimal(tangent, digits)}")
        if v.adjoint is not None:
            label.append(f"∂{t.output}/∂{v.name} = {with_decimal(v.adjoint, digits)}")
        shape = {"input": "shape=ellipse", "parameter": "shape=ellipse, style=dashed",
                 "intermediate": "shape=box", "output": "shape=box, peripheries=2"}[v.kind]
        lines.append(f"  {_quote(v.name)} [{shape}, label={_quote(chr(10).join(label))}];")
    for v in t.variables:
        for p in v.partials:
            label = f"∂{v.name}/∂{p.parent} = {plain(p.formula)}"
            if not p.formula.is_number:
                label += f" = {plain(p.value)}"
            lines.append(f"  {_quote(p.parent)} -> {_quote(v.name)} [label={_quote(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
