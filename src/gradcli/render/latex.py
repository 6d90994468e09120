"""LaTeX: a math fragment that compiles inside \\[ ... \\] with amsmath
(documents).  The left-hand side is included unless ``rhs_only``."""

from __future__ import annotations

from typing import Any

from .common import latex, latex_applied, latex_operator


def render(result: Any, *, rhs_only: bool = False, **options: Any) -> str:
    return _HANDLERS[type(result).__name__](result, rhs_only=rhs_only, **options)


def _at(point: Any) -> str:
    return ", ".join(f"{latex(k)} = {latex(v)}" for k, v in point.values)


def _with_value(lhs: str, rhs: str, r: Any, rhs_only: bool) -> str:
    if r.point is not None:
        value = latex(r.value)
        if rhs_only:
            return value
        return rf"{lhs} = {rhs} \quad\text{{at }} {_at(r.point)}\text{{: }} {value}"
    return rhs if rhs_only else f"{lhs} = {rhs}"


def _text(s: str) -> str:
    out = s
    for a, b in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("&", r"\&"), ("%", r"\%"), ("#", r"\#"),
                 ("$", r"\$"), ("{", r"\{"), ("}", r"\}"), ("^", r"\^{}"), ("~", r"\~{}")):
        out = out.replace(a, b) if a != "\\" else out.replace(a, "\x00")
    return out.replace("\x00", r"\textbackslash{}")


def _derivative(r: Any, *, rhs_only: bool, **_: Any) -> str:
    operator = latex_operator(r.variables)
    if r.steps is not None:
        var = r.steps.var
        lines = []
        for depth, step in r.steps.flat():
            op = latex_operator([var])
            indent = r"\quad " * depth
            note = f" ({_text(step.note)})" if step.note else ""
            lines.append(
                rf"{indent}{latex_applied(op, step.expression)} &= {latex(step.result)} && \text{{{_text(step.rule)}{note}}}"
            )
        return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"
    if r.definition is not None:
        d = r.definition
        lines = [
            rf"{latex_operator([d.var])} {latex(d.function)} &= \lim_{{{latex(d.h)} \to 0}} {latex(d.quotient)}",
            rf"&= \lim_{{{latex(d.h)} \to 0}} \left( {latex(d.simplified)} \right)",
            rf"&= {latex(d.limit)}" if d.limit is not None else r"&\quad \text{(the limit does not exist)}",
        ]
        return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"
    return _with_value(latex_applied(operator, r.function), latex(r.result), r, rhs_only)


_HANDLERS = {
    "DerivativeResult": _derivative,
}
