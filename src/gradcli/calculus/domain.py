"""The real domain of an expression: which subexpressions must be real, and where they stop.

gradcli works over the reals.  An expression is defined at a point when every subexpression
that can leave the reals is real and finite there: powers with a non-integer exponent
(``sqrt(x - 1)``, ``x^x``: SymPy's principal roots are real for a base >= 0), ``log``,
``asin``, ``acosh``, ... .  ``sqrt(x - 1) sqrt(x + 1)`` is real at x = -2 although its factors
are not; such a point is outside the domain.

``check`` samples points near where a domain begins or ends (``boundaries``), and ``--at``
refuses a point outside the domain of f (``outside``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sympy as sp

#: Functions whose real domain is not all of R (their value must be real at a point).
RESTRICTED = (sp.log, sp.asin, sp.acos, sp.asec, sp.acsc, sp.acosh, sp.atanh, sp.acoth, sp.asech,
              sp.LambertW)

#: Where each restricted function's argument leaves its real domain: the boundary values.
_EDGES = {
    sp.log: (0,), sp.asin: (-1, 1), sp.acos: (-1, 1), sp.asec: (-1, 1), sp.acsc: (-1, 1),
    sp.acosh: (1,), sp.atanh: (-1, 1), sp.acoth: (-1, 1), sp.asech: (0, 1),
    sp.LambertW: (-sp.exp(-1),),
}


def atoms(exprs: Iterable[Any]) -> list:
    """Subexpressions that must be real for a point to lie in the real domain."""
    out: dict = {}
    for e in exprs:
        if not isinstance(e, sp.Basic) or not e.free_symbols:
            continue
        for sub in sp.preorder_traversal(e):
            if not getattr(sub, "free_symbols", None):
                continue
            if isinstance(sub, sp.Pow) and not sub.exp.is_Integer or isinstance(sub, RESTRICTED):
                out[sub] = None
    return list(out)


def boundaries(exprs: Iterable[Any]) -> list[Any]:
    """Expressions g whose zeros are where some part of ``exprs`` enters or leaves its real
    domain: the base of a root (sqrt(x - 20000): x - 20000), log's argument, asin's argument
    minus and plus 1, ... ."""
    out: dict = {}
    for atom in atoms(exprs):
        if isinstance(atom, sp.Pow):
            out[atom.base] = None
            if not atom.exp.is_Rational:  # x^x: the exponent's sign matters at base 0 too
                out[atom.exp] = None
            continue
        arg = atom.args[0]
        for edge in _EDGES.get(type(atom), ()):
            out[arg - edge] = None
    return list(out)


def outside(exprs: Iterable[Any], point: dict) -> Any:
    """The first subexpression of ``exprs`` that is not real and finite at ``point``
    (every free symbol given a number), or None when the point is in the domain."""
    exprs = list(exprs)
    for atom in atoms(exprs) + [e for e in exprs if isinstance(e, sp.Basic)]:
        if not atom.free_symbols <= set(point):
            continue
        if not _real_at(atom, point):
            return atom
    return None


def _real_at(expr: Any, point: dict) -> bool:
    try:
        if isinstance(expr, sp.Pow) and not expr.exp.is_Integer:
            base, exp = expr.base.xreplace(point), expr.exp.xreplace(point)
            if _sign(base) < 0 or (_sign(base) == 0 and _sign(exp) < 0):
                return False
        elif isinstance(expr, RESTRICTED):
            a = expr.args[0].xreplace(point)
            if not _in_range(type(expr), a):
                return False
        v = expr.xreplace(point)
        if v.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            return False
        return v.is_extended_real is not False
    except (ValueError, TypeError, ArithmeticError, AttributeError, RecursionError):
        return True  # cannot tell: the evaluation itself reports what it finds


def _sign(v: Any) -> int:
    """-1, 0 or 1 for a real number (exactly where SymPy can tell, else at 50 digits);
    -1 also for a number that is not real."""
    if v.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or v.is_extended_real is False:
        return -1
    if v.is_zero:
        return 0
    if v.is_extended_positive:
        return 1
    if v.is_extended_negative:
        return -1
    f = sp.N(v, 50)
    re_, im_ = f.as_real_imag()
    if im_ != 0 and abs(im_) > sp.Float(10) ** -40 * max(1, abs(re_)):
        return -1
    return (re_ > 0) - (re_ < 0)


def _in_range(func: Any, a: Any) -> bool:
    """Is ``a`` inside the real domain of the restricted function ``func``?"""
    def s(e):
        return _sign(sp.sympify(e))
    if s(a) == -1 and a.is_extended_real is False:
        return False
    if func is sp.log:
        return s(a) > 0
    if func in (sp.asin, sp.acos):
        return s(a - 1) <= 0 and s(a + 1) >= 0
    if func is sp.acosh:
        return s(a - 1) >= 0
    if func is sp.atanh:
        return s(a - 1) < 0 and s(a + 1) > 0
    if func is sp.acoth:
        return s(a - 1) > 0 or s(a + 1) < 0
    if func in (sp.asec, sp.acsc):
        return s(a - 1) >= 0 or s(a + 1) <= 0
    if func is sp.asech:
        return s(a) > 0 and s(a - 1) <= 0
    if func is sp.LambertW:
        return s(a + sp.exp(-1)) >= 0
    return True
