"""Graphviz DOT text of an autodiff computation graph (``gradcli autodiff --graph FILE.dot``).

One node a variable (inputs as ellipses, parameters dashed, intermediate variables as boxes,
the output with a double border), labelled with its defining equation, its value and, where
they were computed, its tangents and its adjoint; one edge from each parent to each child,
labelled with the local partial.  Shared subexpressions are one node with several out-edges.
Maths in the one-line Unicode of the terminal output (x², √(c), e); a pure function of the
result.  ``graph_text`` is the file ``--graph`` writes: DOT, or SVG drawn by Graphviz's ``dot``
program (the command writes the file).
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError, TimeLimitExceeded
from ..limits import remaining
from .numbers import with_decimal
from .printers import pretty


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render(result: Any, **_: Any) -> str:
    t = result.trace
    name = {v.name: pretty(v.symbol) for v in t.variables}
    name.update({x: x for x in t.sweeps if x not in name})  # entries of array inputs: x[1]

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
            for x, tangent in zip(t.sweeps, v.tangents):
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


# -- the file of --graph ---------------------------------------------------------------------

GRAPH_SUFFIXES = (".dot", ".gv", ".svg")


def check_graph_path(path: str) -> str:
    """The graph's format from its file name (before any work is done)."""
    lower = path.lower()
    if not lower.endswith(GRAPH_SUFFIXES):
        raise InputError(f"--graph {path!r}: the file must end in .dot (Graphviz DOT) or .svg")
    return "svg" if lower.endswith(".svg") else "dot"


def graph_text(result: Any, fmt: str) -> str:
    """The computation graph as DOT text, or as SVG drawn by Graphviz's ``dot`` program."""
    text = render(result)
    if fmt == "dot":
        return text
    return svg_from_dot(text)


def svg_from_dot(text: str) -> str:
    import shutil
    import subprocess

    program = shutil.which("dot")
    if program is None:
        raise InputError("--graph FILE.svg needs the Graphviz program 'dot', which is not installed",
                         "write FILE.dot instead, or install Graphviz (Debian: apt install graphviz)")
    left = remaining()
    try:
        proc = subprocess.run([program, "-Tsvg"], input=text, capture_output=True, text=True,
                              timeout=None if left is None else max(left, 0.1))
    except subprocess.TimeoutExpired:
        raise TimeLimitExceeded("drawing the graph with dot did not finish within the time limit",
                                "raise it with --timeout SECONDS, or write FILE.dot") from None
    except OSError as exc:
        raise InputError(f"could not run dot: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        first = (proc.stderr.strip().splitlines() or ["no message"])[0]
        raise InputError(f"dot could not draw the graph: {first[:200]}")
    return proc.stdout
