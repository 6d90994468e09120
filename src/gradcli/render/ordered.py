"""What every gradcli printer shares (``render.printers``): display-only expressions, a sum and
a product shown in the order they were built (``OrderedAdd``, ``OrderedMul``: Taylor
polynomials in ascending degree, ``x - a``, ``exp(a) (x - a)³/6``), and the ``_Common`` mixin
that every printer class puts before its SymPy printer: the scalar of a 1 x 1 product without
``Trace``, the ordered sum's terms in their order, decimals without trailing zeros.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.printing.precedence import PRECEDENCE

# -- display-only expressions: a sum and a product shown in the order they were built ---------


class OrderedAdd(sp.Add):
    """A sum shown in the order of its terms (``13 + 6(x - 1) + ...``, ``x - a``): built by a
    renderer with ``evaluate=False``, for display only."""


class OrderedMul(sp.Mul):
    """A product shown in the order of its factors (``exp(a) (x - a)³/6``); a rational or a
    negative power among them goes below the line.  Display only, like ``OrderedAdd``."""


def _ordered_parts(expr: Any) -> tuple[bool, list[Any], list[Any]]:
    """(negative, numerator factors, denominator factors) of an ``OrderedMul``, in order."""
    num: list[Any] = []
    den: list[Any] = []
    for a in expr.args:
        if isinstance(a, sp.Rational) and not a.is_Integer:
            if a.p != 1:
                num.append(sp.Integer(a.p))
            den.append(sp.Integer(a.q))
        elif isinstance(a, sp.Pow) and a.exp.is_Rational and a.exp.is_negative:
            den.append(a.base if a.exp == -1 else sp.Pow(a.base, -a.exp, evaluate=False))
        else:
            num.append(a)
    negative = False
    if num and isinstance(num[0], sp.Number) and num[0].is_negative:
        negative = True
        num[0] = -num[0]
        if num[0] == 1 and len(num) > 1:
            num.pop(0)
    return negative, num or [sp.S.One], den


def _shown(item: Any) -> Any:
    """What stands for ``item`` in print: the 1 x 1 product inside a Trace or a [0, 0] entry
    (``cos(xᵀa)``, never ``cos(Trace(x.T*a))``)."""
    while True:
        if isinstance(item, sp.Trace) and tuple(item.arg.shape) == (1, 1):
            item = item.arg
        elif isinstance(item, MatrixElement) and tuple(item.parent.shape) == (1, 1):
            item = item.parent
        else:
            return item


def _strip_zeros(text: str) -> str:
    """``0.800000000000000`` -> ``0.8``, ``2.00000000000000`` -> ``2.0``, ``1.50000e-20`` ->
    ``1.5e-20``: a decimal shows its digits, never padding."""
    mantissa, e, exponent = text.partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0")
        if mantissa.endswith("."):
            mantissa += "0"
    return mantissa + (e + exponent if e else "")


class _Common:
    """What every gradcli printer does alike (a mixin before the SymPy printer)."""

    def parenthesize(self, item: Any, level: int, *args: Any, **kwargs: Any) -> str:
        shown = _shown(item)
        if shown is not item and level <= PRECEDENCE["Mul"]:
            kwargs["strict"] = True  # a product inside a product: -xᵀx/2, not -(xᵀx)/2
        return super().parenthesize(shown, level, *args, **kwargs)  # type: ignore[misc]

    def _print_MatrixElement(self, expr: Any) -> str:
        if tuple(expr.parent.shape) == (1, 1):
            return self._print(expr.parent)  # type: ignore[attr-defined]
        return super()._print_MatrixElement(expr)  # type: ignore[misc]

    def _print_OrderedAdd(self, expr: Any) -> str:
        """The terms in their order; a first term that is a sum needs no parentheses."""
        out = ""
        for i, term in enumerate(expr.args):
            text = self._print(term)  # type: ignore[attr-defined]
            if i == 0:
                out = text
            elif isinstance(term, sp.Add):
                out += f" + {self._paren(text)}"
            elif text.startswith("-"):
                out += " - " + text[1:].lstrip()
            else:
                out += " + " + text
        return out

    def _paren(self, text: str) -> str:
        return f"({text})"

    def _factors(self, factors: list[Any]) -> list[str]:
        """The factors of an ``OrderedMul``: a product among them needs no parentheses."""
        prec = PRECEDENCE["Mul"]
        return [self.parenthesize(a, prec, strict=True) for a in factors]  # type: ignore[attr-defined]
