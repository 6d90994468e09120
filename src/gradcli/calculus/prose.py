"""Explanations in words and maths (the notes of ``derivative --steps`` and ``--definition``).

A note is a tuple of parts: words (``str``), maths (SymPy objects: an equation
``Eq(Derivative(u**n, u), n*u**(n - 1))``, a condition ``Ne(u, 0)``, an expression), chains of
equalities (``Equal``) and the named rules of calculus (``Formula``: the product rule
``(f g)' = f' g + f g'``, ...).  Each output format shows the maths in its own notation (plain:
gradcli's input language; rich: Unicode; LaTeX: math mode), so an explanation is never code.
``text`` gives the SymPy-form text kept in the records' ``note`` strings (json's ``note``).

Core code: data only.
"""

from __future__ import annotations

from typing import Any

import sympy

from ..record import record

__all__ = ["Formula", "Equal", "Diff", "Tends", "text", "FORMULA_TEXT"]


@record
class Formula:
    """A named rule of calculus: ``sum``, ``product``, ``quotient``, ``chain`` (args: the
    variable x and the inner variable u: d/dx f(u) = df/du du/dx), ``general power`` (args:
    f and g: f^g = exp(g log f)), ``binomial`` (args: x, h, n: (x + h)^n = sum of C(n, i) x^(n-i)
    h^i)."""

    name: str
    args: tuple[Any, ...] = ()


@record
class Equal:
    """``a = b = c``: a chain of equal expressions."""

    sides: tuple[Any, ...]


@record
class Diff:
    """``d/du f``: the derivative of a formula by its one variable, written with d whatever
    other letters (constants) the formula holds."""

    expr: Any
    var: Any


@record
class Tends:
    """``h → 0`` (``h -> 0+`` with ``side`` "+")."""

    var: Any
    to: Any
    side: str = ""


#: the rules in SymPy's string form (the ``note`` strings); the renderers show them as maths
FORMULA_TEXT = {
    "sum": "(f + g)' = f' + g'",
    "product": "(f g)' = f' g + f g'",
    "quotient": "(f/g)' = (f' g - f g')/g**2",
}


def _formula_text(f: Formula) -> str:
    if f.name == "chain":
        x, u = (sympy.sstr(a) for a in f.args)
        return f"d/d{x} f({u}) = df/d{u} * d{u}/d{x}"
    if f.name == "general power":
        base, exp = (sympy.sstr(a) for a in f.args)
        return f"f**g = exp(g*log(f)), so (f**g)' = f**g * (g*log(f))' with f = {base}, g = {exp}"
    if f.name == "binomial":
        x, h, n = (sympy.sstr(a) for a in f.args)
        return f"({x} + {h})**{n} = sum over i of binomial({n}, i)*{x}**({n} - i)*{h}**i"
    return FORMULA_TEXT[f.name]


def _part_text(part: Any) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, Formula):
        return _formula_text(part)
    if isinstance(part, Equal):
        return " = ".join(_part_text(s) for s in part.sides)
    if isinstance(part, Diff):
        return f"d/d{sympy.sstr(part.var)} {sympy.sstr(part.expr)}"
    if isinstance(part, Tends):
        return f"{sympy.sstr(part.var)} -> {sympy.sstr(part.to)}{part.side}"
    if isinstance(part, sympy.Derivative) and len(part.variables) == 1:
        return f"d/d{sympy.sstr(part.variables[0])} {sympy.sstr(part.expr)}"
    if isinstance(part, sympy.Eq):
        return f"{_part_text(part.lhs)} = {_part_text(part.rhs)}"
    if isinstance(part, sympy.Ne):
        return f"{_part_text(part.lhs)} != {_part_text(part.rhs)}"
    if isinstance(part, (sympy.Ge, sympy.Le)):
        return f"{_part_text(part.lhs)} {part.rel_op} {_part_text(part.rhs)}"
    return sympy.sstr(part)


def text(parts: tuple[Any, ...]) -> str:
    """The note in words and SymPy's string form (``d/dx x**n = n*x**(n - 1) with n = 2``)."""
    return "".join(_part_text(p) for p in parts)
