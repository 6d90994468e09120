"""Values of a claim's sides at a point, exact or to high precision, and whether two of them
agree: exact rationals, or mpmath floats of 60+ digits (the working precision grows with the
longest literal in the claim, so ``cos(x + 10^-12)``, ``3x^2 + x/10^20`` and ``1 + 10^-30``
are told apart from the true sides).  A disagreement is believed only when it is confirmed
at twice the precision."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp

from ..calculus.domain import atoms
from ..limits import bounded
from ..model.shapes import is_matrix
from ..model.symbols import natural_key

#: Significant digits two sides must agree to at a point (plus the claim's longest literal).
DIGITS = 50
#: Guard digits on top of DIGITS for evaluating each side.
GUARD = 10


class Singular(Exception):
    """The point makes a matrix singular (or divides by zero): draw another point."""


class Outside(Exception):
    """The point is outside the real domain of a derivative's operand: draw another."""


def _sympify(obj: Any) -> Any:
    if isinstance(obj, sp.MatrixBase) and tuple(obj.shape) == (1, 1):
        return obj[0, 0]
    return obj


def _shape(obj: Any) -> tuple:
    if is_matrix(obj):
        shape = tuple(obj.shape)
        return () if shape == (1, 1) else shape
    return ()


def _entries(obj: Any) -> list:
    if isinstance(obj, sp.MatrixBase):
        return list(obj)
    return [obj]


def _literal_digits(*objs: Any) -> int:
    """Digits of the longest rational literal: the working precision must beat it."""
    best = 0
    for obj in objs:
        for e in _entries(obj):
            if not isinstance(e, sp.Basic):
                continue
            for q in e.atoms(sp.Rational):
                best = max(best, len(str(abs(q.p))), len(str(q.q)))
            for fl in e.atoms(sp.Float):
                best = max(best, int(fl._prec * 0.30103) + 1)
    return best if best > 3 else 0


def _scalar_symbols(*objs: Any) -> list[sp.Symbol]:
    syms: set = set()
    for obj in objs:
        for e in _entries(obj):
            syms |= {s for s in getattr(e, "free_symbols", set()) if isinstance(s, sp.Symbol)}
    return sorted(syms, key=natural_key)


# -- values at a point -------------------------------------------------------------------

_BAD = object()


#: One evaluation at one point (exp(exp(exp(x))) at x = 50 never finishes): then the point is
#: skipped, and the claim's own clock decides when to give up.
POINT_SECONDS = 2.0


def _value(expr: Any, point: dict, dps: int) -> Any:
    """The exact (Rational) or high-precision real (mpmath mpf) value of ``expr`` at
    ``point``; ``_BAD`` where it is undefined, infinite or not real, or takes too long."""
    return bounded(lambda: _value_unbounded(expr, point, dps), POINT_SECONDS, _BAD)


def _value_unbounded(expr: Any, point: dict, dps: int) -> Any:
    try:
        v = expr.xreplace(point) if isinstance(expr, sp.Basic) else sp.sympify(expr)
        if v.is_Rational:
            return v
        if v.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            return _BAD
        f = v.evalf(dps)
        if not f.is_number:
            return _BAD
        if not f.is_Float:
            re_, im_ = f.as_real_imag()
            if im_ != 0 or not re_.is_Float and not re_.is_Rational:
                return _BAD
            f = re_
        if f.is_Rational:
            return f
        # mpmath rounds a new mpf to the *current* precision: convert under ours
        with mpmath.workprec(max(f._prec, int(dps * 3.33) + 10)):
            x = mpmath.mpf(f._mpf_)
        if not mpmath.isfinite(x):
            return _BAD
        return x
    except (RecursionError, Exception):  # noqa: BLE001 - a value SymPy cannot compute: not a usable point
        return _BAD


def _to_mpf(v: Any) -> Any:
    if isinstance(v, sp.Rational):
        return mpmath.mpf(v.p) / v.q
    return v


def _domain_atoms(exprs: Iterable[Any]) -> list:
    """Subexpressions that must be real for a point to lie in the real domain (``domain.atoms``)."""
    return atoms(exprs)


@dataclass(frozen=True)
class _Kink:
    """A guard: the argument of abs/sign/... inside a derivative's operand, which must not be 0
    (there the derivative does not exist, whatever value SymPy's formula gives)."""

    expr: Any


def _in_domain(guards: Sequence[Any], point: dict) -> bool:
    for g in guards:
        if isinstance(g, _Kink):
            try:
                if g.expr.xreplace(point) == 0:
                    return False
            except (TypeError, ValueError, ArithmeticError):
                pass
            continue
        if _value(g, point, 20) is _BAD:
            return False
    return True


@dataclass
class _PointResult:
    status: str  # "agree" | "differ" | "skip"
    lhs: Any = None
    rhs: Any = None
    exact: bool = False
    digits: int = 0  # digits needed to show the difference


def _compare_at(l: Any, r: Any, point: dict, extra: int) -> _PointResult:
    dps = DIGITS + GUARD + extra
    lv, rv = _value(l, point, dps), _value(r, point, dps)
    if lv is _BAD or rv is _BAD:
        return _PointResult("skip")
    if isinstance(lv, sp.Rational) and isinstance(rv, sp.Rational):
        return _PointResult("agree" if lv == rv else "differ", lv, rv, exact=True)
    with mpmath.workdps(dps):
        a, b = _to_mpf(lv), _to_mpf(rv)
        diff = abs(a - b)
        scale = max(abs(a), abs(b))
        tol = mpmath.mpf(10) ** (-(DIGITS + extra))
        if diff == 0 or diff <= tol * scale:
            return _PointResult("agree", lv, rv)
    # A disagreement: re-evaluate at twice the precision before believing it.
    dps2 = 2 * dps + 20
    lv2, rv2 = _value(l, point, dps2), _value(r, point, dps2)
    if lv2 is _BAD or rv2 is _BAD:
        return _PointResult("skip")
    with mpmath.workdps(dps2):
        a2, b2 = _to_mpf(lv2), _to_mpf(rv2)
        diff2 = abs(a2 - b2)
        scale2 = max(abs(a2), abs(b2))
        if diff2 == 0 or diff2 <= tol * scale2 or diff2 < diff * mpmath.mpf(10) ** (-(dps // 2)):
            return _PointResult("agree", lv, rv)  # rounding noise that shrinks with precision
        if abs(diff2 - diff) <= diff * mpmath.mpf(10) ** -6:
            rel = diff2 / scale2 if scale2 else diff2
            need = int(min(dps, max(15, -float(mpmath.log10(rel)) + 6))) if rel else 15
            return _PointResult("differ", lv2, rv2, digits=need)
    return _PointResult("skip")  # unstable: neither agreement nor a confirmed difference


#: Characters beyond which an exact rational is shown as a decimal (2 + 10^-1500 would be 3000).
MAX_EXACT_CHARS = 80


def _fmt_value(v: Any, digits: int = 20) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, sp.Rational):
        text = str(v)
        if len(text) > MAX_EXACT_CHARS:
            with mpmath.workdps(max(30, digits) + 10):
                return "≈" + mpmath.nstr(mpmath.mpf(v.p) / v.q, max(30, digits))
        return text
    if isinstance(v, sp.Basic):
        return str(v)
    return mpmath.nstr(v, max(15, digits), strip_zeros=True)


def _fmt_point(point: dict) -> dict:
    return {str(k): str(v) for k, v in sorted(point.items(), key=lambda kv: natural_key(kv[0]))}


def _fmt_constant(c: Any) -> str:
    """A nonzero constant, short: -1/1000, or -1.0e-1500 for one with many digits."""
    if isinstance(c, sp.Rational) and len(str(c)) <= 40:
        return str(c)
    v = _value(c, {}, 30)
    if v is _BAD:
        return str(c)[:60]
    with mpmath.workdps(30):
        return mpmath.nstr(_to_mpf(v), 15)


def _fmt_matrix(values: list, like: Any) -> str | list[list[str]]:
    """A side's value at a counterexample: its text for a scalar (or a 1 x 1 matrix), the
    texts of its entries row by row for a matrix (``check.verdict.value_text`` writes them)."""
    if not is_matrix(like) or tuple(like.shape) == (1, 1):
        return _fmt_value(values[0])
    rows, cols = like.shape
    return [[_fmt_value(values[i * cols + j]) for j in range(cols)] for i in range(rows)]


def _matrix_values_at(L: Any, point: dict, extra: int) -> str | list[list[str]]:
    dps = DIGITS + GUARD + extra
    vals = [_value(e, point, dps) for e in _entries(L)]
    vals = ["undefined" if v is _BAD else v for v in vals]
    return _fmt_matrix(vals, L)
