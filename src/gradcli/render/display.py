"""Results written as the book writes them, for every format: a Taylor polynomial in
ascending degree with the centre inside its powers (T_n = 13 + 6(x - 1) + 14(y - 2) + ...,
``exp(a) (x - a)³/6``), and the difference quotient with f(x + h) first
(``((x + h)³ - x³)/h``).

These are display expressions (``printers.OrderedAdd`` and ``OrderedMul``), printed by each
format's printer; their value is the calculus's result, unchanged.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .printers import OrderedAdd, OrderedMul


def _sum(terms: list[Any]) -> Any:
    if not terms:
        return sp.S.Zero
    return terms[0] if len(terms) == 1 else OrderedAdd(*terms, evaluate=False)


def _shift(var: Any, center: Any) -> Any:
    """x - a (the variable first), x + 1 for a centre -1, x for 0."""
    if center == 0:
        return var
    if center.is_Number or center.could_extract_minus_sign():
        return OrderedAdd(var, -center, evaluate=False)
    return OrderedAdd(var, sp.Mul(sp.S.NegativeOne, center, evaluate=False), evaluate=False)


def _term(coefficient: Any, factors: list[Any]) -> Any:
    """coefficient * factors as ``exp(a) (x - a)³/6``, ``-x⁷/5040``, ``6(x - 1)``."""
    if not factors:
        return coefficient
    num, den = sp.fraction(sp.together(coefficient)) if not coefficient.is_Rational else (
        sp.Integer(coefficient.p), sp.Integer(coefficient.q))
    args: list[Any] = []
    if num != 1:
        args.append(num)
    args.extend(factors)
    if den != 1:
        args.append(sp.Pow(den, -1, evaluate=False))
    return args[0] if len(args) == 1 else OrderedMul(*args, evaluate=False)


def _power(base: Any, k: int) -> Any:
    return base if k == 1 else sp.Pow(base, k, evaluate=False)


def taylor_polynomial(t: Any) -> Any:
    """T_n in ascending total degree (and, within a degree, the first variable's powers first),
    in powers of (x - x0), or of x when the result is ``expanded``."""
    variables = t.variables
    if t.expanded and any(c != 0 for c in t.center):
        poly = sp.Poly(t.polynomial, *variables)
        items = sorted(poly.terms(), key=lambda item: (sum(item[0]), tuple(-p for p in item[0])))
        shifts = list(variables)
    else:
        items = [(term.powers, term.coefficient) for term in t.terms]
        shifts = [_shift(v, c) for v, c in zip(variables, t.center)]
    terms = []
    for powers, coefficient in items:
        if coefficient == 0:
            continue
        factors = [_power(s, k) for s, k in zip(shifts, powers) if k]
        terms.append(_term(sp.sympify(coefficient), factors))
    return _sum(terms)


def _written_first(f: Any, var: Any, h: Any) -> Any:
    """f(x + h) with the sum written x + h, every part left as built."""
    with sp.evaluate(False):
        return f.xreplace({var: OrderedAdd(var, h, evaluate=False)})


def difference_quotient(d: Any) -> Any:
    """(f(x + h) - f(x))/h, as the book writes it: ``((x + h)³ - x³)/h``."""
    f, var, h = d.function, d.var, d.h
    minus_f = sp.Mul(sp.S.NegativeOne, f, evaluate=False)
    return OrderedMul(OrderedAdd(_written_first(f, var, h), minus_f, evaluate=False), sp.Pow(h, -1, evaluate=False),
                      evaluate=False)


def simplified_quotient(d: Any) -> Any:
    """The quotient simplified: for x^n (Example 5.2) in ascending powers of h
    (3x² + 3x h + h²); the quotient as written where nothing simplified."""
    s = d.simplified
    if d.binomial and isinstance(s, sp.Add):
        return _sum(sorted(s.args, key=lambda term: sp.degree(term, d.h)))
    f, var, h = d.function, d.var, d.h
    if s == (f.xreplace({var: var + h}) - f) / h:
        return difference_quotient(d)
    return s
