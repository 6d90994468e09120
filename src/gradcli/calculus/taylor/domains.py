"""Coefficient domains of the Taylor engine, and the signals the engine raises.

Coefficients live in the smallest domain that holds them: the rationals (or the polynomials
over them in the displacements), widened on demand to rational functions and finally to
SymPy's expression domain EX (symbolic centers, pi, exp(1), parameters).
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy.polys.domains import EX, QQ

# --------------------------------------------------------------------------
# Internal signals


class _Escalate(Exception):
    """The coefficient domain is too small: start again in a wider one."""


class _Unsupported(Exception):
    """The series engine does not handle this expression: fall back."""


class _NeedPrecision(Exception):
    """A divisor (or an argument) has no known coefficient: raise the precision."""


class _Singular(Exception):
    """The function is not analytic at the center."""


# --------------------------------------------------------------------------
# Coefficient domains.  Each offers: zero, one, from_expr (a SymPy constant ->
# element, or _Escalate), scalar (a rational or constant usable as a multiplier),
# is_zero, ground (element -> SymPy constant, None when it depends on the
# displacements), inv (of a nonzero element, or _Escalate), gen(i).


class _QQDom:
    name = "QQ"

    def __init__(self, xs=()):
        self.zero, self.one = QQ.zero, QQ.one

    def from_expr(self, e):
        if e.is_Rational:
            return QQ(int(e.p), int(e.q))
        raise _Escalate

    scalar = from_expr

    def rat(self, p, q=1):
        return QQ(p, q)

    def is_zero(self, c):
        return not c

    def ground(self, c):
        return QQ.to_sympy(c)

    def inv(self, c):
        return QQ.one / c


class _ExactDom:
    """What the exact domains share: rational constants of the ring ``self.R``."""

    R: Any

    def from_expr(self, e):
        if e.is_Rational:
            return self.R.ground_new(QQ(int(e.p), int(e.q)))
        raise _Escalate

    def scalar(self, e):
        if e.is_Rational:
            return QQ(int(e.p), int(e.q))
        raise _Escalate

    def rat(self, p, q=1):
        return QQ(p, q)

    def is_zero(self, c):
        return not c

    def gen(self, i):
        return self.gens[i]


class _PolyDom(_ExactDom):
    """QQ[X_1..X_m]: exact polynomials in the displacements."""

    name = "QQ[X]"

    def __init__(self, xs):
        from sympy.polys.rings import ring

        self.R, *self.gens = ring(list(xs), QQ)
        self.zero, self.one = self.R.zero, self.R.one

    def ground(self, c):
        if not c:
            return sympy.S.Zero
        if c.is_ground:
            return QQ.to_sympy(c.LC)
        return None

    def inv(self, c):
        if c.is_ground:
            return self.R.ground_new(QQ.one / c.LC)
        raise _Escalate

    def to_dict(self, c):
        return {m: QQ.to_sympy(v) for m, v in c.terms()}


class _FracDom(_ExactDom):
    """QQ(X_1..X_m): rational functions of the displacements (quotients whose
    leading coefficient is not a constant, e.g. (exp(x) - 1)/x in two variables)."""

    name = "QQ(X)"

    def __init__(self, xs):
        from sympy.polys.fields import field

        self.R, *self.gens = field(list(xs), QQ)
        self.zero, self.one = self.R.zero, self.R.one

    def ground(self, c):
        if not c:
            return sympy.S.Zero
        if c.numer.is_ground and c.denom.is_ground:
            return QQ.to_sympy(c.numer.LC / c.denom.LC)
        return None

    def inv(self, c):
        return self.R.one / c

    def to_dict(self, c):
        if not c.denom.is_ground:
            raise _Singular
        d = c.denom.LC
        return {m: QQ.to_sympy(v / d) for m, v in c.numer.terms()}


class _EXDom:
    """SymPy expressions (symbolic centers, pi, e, parameters, floats)."""

    name = "EX"

    def __init__(self, xs=()):
        self.xs = tuple(xs)
        self.zero, self.one = EX.zero, EX.one
        self._cache: dict = {}

    def from_expr(self, e):
        return EX.from_sympy(e)

    scalar = from_expr

    def rat(self, p, q=1):
        key = (p, q)
        r = self._cache.get(key)
        if r is None:
            r = self._cache[key] = EX.from_sympy(sympy.Rational(p, q))
        return r

    def is_zero(self, c):
        return c.ex.is_zero is True

    def ground(self, c):
        if self.xs and c.ex.has(*self.xs):
            return None
        return c.ex

    def inv(self, c):
        return EX.one / c

    def gen(self, i):
        return EX.from_sympy(self.xs[i])

    def to_dict(self, c):
        from sympy.polys.polyerrors import PolynomialError

        expr = c.ex
        if expr.is_zero:
            return {}
        try:
            p = sympy.Poly(expr, *self.xs)
        except PolynomialError:
            raise _Singular from None
        out = {}
        for m, v in p.terms():
            if v.has(*self.xs):
                raise _Singular
            out[m] = v
        return out
