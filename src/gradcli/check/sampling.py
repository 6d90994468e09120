"""Where counterexamples hide: sample points near kinks and near the edges of the domain.

Random points miss a claim that is false only on a narrow interval: d/dx abs((x - 5)^2 - 1/100)
= 2 (x - 5) holds except on (4.9, 5.1), and sqrt(x - 20000) has no value at any random point
below 20000.  ``critical_points`` finds where

* the argument of ``abs``, ``sign`` or ``Heaviside`` is 0, or the two arguments of ``Max`` and
  ``Min`` are equal (``relu(x)`` is Max(x, 0)): a kink, where a formula can change;
* a side's real domain begins or ends (the base of a root, the argument of log, asin's
  argument at ±1, ...: ``domain.boundaries``),

along each variable (the others at a random point): exactly for polynomials (real roots),
by ``solveset`` where it answers quickly, else by bisection at sign changes on a grid from
10^-6 to 10^12 in magnitude.  Around each such value r it yields rational points on both
sides at distances 10^-7, 10^-3, 10^-12 (when r is exact), 10^-1 and 3 times max(1, |r|),
r itself when it is exact, and the midpoint of every two neighbouring values (so an interval
between two kinks is sampled however narrow it is), each the simplest rational near its
target.  ``check`` tries every one of them (a point on a kink of a derivative's operand is
skipped: there is no derivative there).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from ..calculus import domain
from ..model.functions import relu

__all__ = ["critical_expressions", "critical_points", "kink_arguments", "simplest_between"]

#: Relative distances from a critical value at which points are placed (both sides).
DISTANCES = (Fraction(1, 10**7), Fraction(1, 10**3), Fraction(1, 10**12), Fraction(1, 10), Fraction(3))
#: Most points one claim gets from critical values.
MAX_POINTS = 64
#: Seconds spent finding critical values (within the claim's own budget).
SECONDS = 1.5


def kink_arguments(exprs: Iterable[Any]) -> list:
    """g for every abs(g), sign(g), Heaviside(g), relu(g); a - b for Max(a, b) and Min(a, b)."""
    out: dict = {}
    for e in exprs:
        if not isinstance(e, sp.Basic):
            continue
        for sub in sp.preorder_traversal(e):
            if isinstance(sub, (sp.Abs, sp.sign, sp.Heaviside, relu)) and sub.args[0].free_symbols:
                out[sub.args[0]] = None
            elif isinstance(sub, (sp.Max, sp.Min)):
                args = list(sub.args)
                for i in range(len(args)):
                    for j in range(i + 1, len(args)):
                        d = args[i] - args[j]
                        if d.free_symbols:
                            out[d] = None
    return list(out)


def critical_expressions(exprs: Sequence[Any]) -> list:
    """Expressions whose zeros are kinks or edges of the real domain."""
    out = dict.fromkeys(kink_arguments(exprs))
    out.update(dict.fromkeys(e for e in domain.boundaries(exprs) if getattr(e, "free_symbols", None)))
    return list(out)


# -- rationals ---------------------------------------------------------------------------------

def simplest_between(lo: Fraction, hi: Fraction) -> Fraction:
    """The rational with the smallest denominator strictly between lo < hi (continued fractions)."""
    if lo < 0 < hi:
        return Fraction(0)
    if hi <= 0:
        return -simplest_between(-hi, -lo)
    fl = math.floor(lo)
    if fl + 1 < hi:
        return Fraction(fl + 1)
    if lo == fl:  # (fl, hi), hi <= fl + 1: fl + 1/y with y > 1/(hi - fl), the least such integer
        return fl + Fraction(1, math.floor(1 / (hi - fl)) + 1)
    if hi == fl + 1:  # (lo, fl + 1): fl + 1/y with 1 < y < 1/(lo - fl)
        return fl + 1 / simplest_between(Fraction(1), 1 / (lo - fl))
    return fl + 1 / simplest_between(1 / (hi - fl), 1 / (lo - fl))


def _to_fraction(r: Any) -> Fraction:
    if isinstance(r, Fraction):
        return r
    if isinstance(r, sp.Rational):
        return Fraction(int(r.p), int(r.q))
    m, e = mpmath.mpf(r).man_exp
    return Fraction(int(m)) * (Fraction(2) ** int(e))


def _near(root: Fraction, exact: bool) -> list[tuple[int, Fraction]]:
    """(priority, point) around a critical value, on both sides."""
    scale = max(Fraction(1), abs(root))
    out = []
    for rank, d in zip((1, 2, 2, 3, 4), DISTANCES):
        delta = d * scale
        if not exact and d < Fraction(1, 10**10):
            continue  # closer than the value is known
        for sign in (1, -1):
            target = root + sign * delta
            lo, hi = (target - delta / 4, target + delta / 4)
            out.append((rank, simplest_between(lo, hi)))
    if exact:  # the value itself: sign(x - 500)^2 = 1 fails there alone
        out.append((1, root))
    return out


# -- roots along one variable -------------------------------------------------------------------

def _roots(h: Any, s: sp.Symbol, deadline: float) -> list[tuple[Fraction, bool]]:
    """Real zeros of h(s): (value, exact) pairs; exact values are rational."""
    if time.monotonic() > deadline:
        return []
    from ..limits import bounded

    left = max(0.05, min(0.5, deadline - time.monotonic()))
    if h.is_polynomial(s):
        def poly_roots() -> list:
            p = sp.Poly(h, s)
            if p.degree() > 60 or not p.domain.is_Numerical:
                return None
            out = []
            for r in p.real_roots():
                if r.is_Rational:
                    out.append((Fraction(int(r.p), int(r.q)), True))
                else:
                    out.append((_to_fraction(mpmath.mpf(sp.N(r, 40)._mpf_)), False))
            return out

        found = bounded(poly_roots, left, None)
        if found is not None:
            return found
    found = bounded(lambda: _solveset_roots(h, s), left, None)
    if found:
        return found
    return _bisection_roots(h, s, deadline)


def _solveset_roots(h: Any, s: sp.Symbol) -> list | None:
    sol = sp.solveset(h, s, sp.S.Reals)
    values: list = []
    if isinstance(sol, sp.FiniteSet):
        values = list(sol)
    elif isinstance(sol, sp.Union):
        for part in sol.args:
            if isinstance(part, sp.FiniteSet):
                values += list(part)
            elif isinstance(part, sp.ImageSet):
                values += _image_values(part)
    elif isinstance(sol, sp.ImageSet):
        values = _image_values(sol)
    else:
        return None
    out = []
    for v in values[:12]:
        if not v.is_real:
            continue
        if v.is_Rational:
            out.append((Fraction(int(v.p), int(v.q)), True))
        else:
            f = sp.N(v, 40)
            if f.is_Float:
                out.append((_to_fraction(mpmath.mpf(f._mpf_)), False))
    return out


def _image_values(image: Any) -> list:
    """A few elements of a periodic solution set (2 n pi + c for n = -2..2)."""
    lam = image.lamda
    if len(lam.variables) != 1:
        return []
    return [lam(sp.Integer(k)) for k in (-2, -1, 0, 1, 2)]


def _bisection_roots(h: Any, s: sp.Symbol, deadline: float) -> list[tuple[Fraction, bool]]:
    """Sign changes of h on a grid of magnitudes 10^-6 .. 10^12 (both signs), refined."""
    try:
        f = sp.lambdify(s, h, modules="mpmath")
    except Exception:  # noqa: BLE001 - an expression lambdify cannot handle: no roots from here
        return []
    grid = sorted({sign * 10 ** (k / 4) for k in range(-24, 49) for sign in (1, -1)} | {0.0})

    def val(x: float) -> Any:
        try:
            with mpmath.workdps(30):
                v = f(mpmath.mpf(x))
            if isinstance(v, mpmath.mpc) or not mpmath.isfinite(v):
                return None
            return v
        except Exception:  # noqa: BLE001 - undefined there
            return None

    out = []
    prev_x, prev_v = None, None
    for x in grid:
        if time.monotonic() > deadline:
            break
        v = val(x)
        if v is not None and prev_v is not None and (v == 0 or (prev_v < 0) != (v < 0)):
            a, b = prev_x, x
            with mpmath.workdps(40):
                fa = prev_v
                for _ in range(140):
                    m = (mpmath.mpf(a) + b) / 2
                    fm = val(m)
                    if fm is None:
                        break
                    if fm == 0:
                        a = b = m
                        break
                    if (fa < 0) != (fm < 0):
                        b = m
                    else:
                        a, fa = m, fm
                out.append((_to_fraction((mpmath.mpf(a) + b) / 2), False))
        prev_x, prev_v = x, v
    return out[:12]


# -- points ----------------------------------------------------------------------------------------

def critical_points(exprs: Sequence[Any], symbols: Sequence[sp.Symbol], seed: int,
                    base_points: Sequence[dict] = (), seconds: float = SECONDS) -> list[dict]:
    """Points near the kinks and domain edges of ``exprs`` (see the module's docstring), at
    most MAX_POINTS, the closest and the midpoints first."""
    crit = critical_expressions(exprs)
    if not crit or not symbols:
        return []
    deadline = time.monotonic() + seconds
    rng = random.Random(seed)
    bases = list(base_points) or [{s: sp.Rational(rng.randint(-300, 300), rng.randint(7, 97)) for s in symbols}]
    ranked: list[tuple[int, int, dict]] = []
    order = 0
    for base in bases[:2]:
        for s in symbols:
            values: list[tuple[Fraction, bool]] = []
            for g in crit:
                if s not in g.free_symbols:
                    continue
                h = g.xreplace({k: v for k, v in base.items() if k != s})
                if h.free_symbols != {s}:
                    continue
                values += _roots(h, s, deadline)
            if not values:
                continue
            distinct = sorted({v for v, _ in values})
            exact = {v for v, e in values if e}
            for a, b in zip(distinct, distinct[1:]):
                if b - a > 0:
                    mid = simplest_between(a + (b - a) / 4, b - (b - a) / 4)
                    ranked.append((0, order, {**base, s: sp.Rational(mid.numerator, mid.denominator)}))
                    order += 1
            for v in distinct:
                for rank, p in _near(v, v in exact):
                    ranked.append((rank, order, {**base, s: sp.Rational(p.numerator, p.denominator)}))
                    order += 1
    ranked.sort(key=lambda t: (t[0], t[1]))
    out: list[dict] = []
    seen: set = set()
    for _, _, point in ranked:
        key = tuple(sorted((str(k), v) for k, v in point.items()))
        if key in seen:
            continue
        seen.add(key)
        out.append(point)
        if len(out) >= MAX_POINTS:
            break
    return out


# -- random and simple points --------------------------------------------------------------

#: (low, high) ranges cycled through: moderate positive, mixed sign, (0, 1), (-1, 1), large
#: positive and negative, and magnitudes up to 10^4 (abs(x - 200) = 200 - x is false past 200).
_REGIMES = ((0.5, 3.0), (-3.0, 3.0), (0.0, 1.0), (-1.0, 1.0), (1.0, 10.0), (-3.0, -0.5), (10.0, 100.0),
            (-100.0, -10.0), (100.0, 10_000.0), (-10_000.0, -100.0))

#: Points tried before the random ones: where a claim true "almost everywhere" fails
#: (sign(x)^2 = 1 at 0; erf(10^6 x) = sign(x) near 0).  Values outside a side's domain are
#: skipped like any other point; agreement here counts as evidence only with the random points.
_SPECIAL_VALUES = (sp.Integer(0), sp.Rational(1, 10**7), sp.Rational(-1, 10**7))


def _rand_rational(rng: random.Random, lo: float, hi: float) -> sp.Rational:
    while True:
        q = rng.randint(7, 97)
        p = rng.randint(math.ceil(lo * q), math.floor(hi * q))
        if p != 0 and p % q != 0:
            return sp.Rational(p, q)


def _points(symbols: Sequence[sp.Symbol], seed: int, critical: Sequence[dict] = ()) -> Iterable[dict]:
    """0 and ±10^-7, then the points near kinks and domain edges (``sampling``), then random
    exact rational points, cycling through the regimes."""
    rng = random.Random(seed)
    for v in _SPECIAL_VALUES:
        yield {s: v for s in symbols}
    yield from critical
    i = 0
    while True:
        lo, hi = _REGIMES[i % len(_REGIMES)]
        i += 1
        yield {s: _rand_rational(rng, lo, hi) for s in symbols}


def _wide_points(symbols: Sequence[sp.Symbol], seed: int) -> Iterable[dict]:
    """Exact rational points from a large set (identity testing of rational functions):
    first two with small numbers (readable counterexamples), then wide ones."""
    rng = random.Random(seed)
    i = 0
    while True:
        if i < 2:
            point = {s: _rand_rational(rng, -3.0, 3.0) for s in symbols}
        else:
            point = {s: sp.Rational(rng.choice((-1, 1)) * rng.randint(1, 10**6), rng.randint(1, 10**3))
                     for s in symbols}
        i += 1
        yield point


_SIMPLE_VALUES = (1, 2, -1, sp.Rational(1, 2), 3, -2)


def _simple_points(symbols: list) -> list[dict]:
    """A dozen points with small numbers: every variable 1, 2, -1, ..., then mixed."""
    if not symbols or len(symbols) > 16:
        return []
    vals = [sp.sympify(v) for v in _SIMPLE_VALUES]
    points = [{s: v for s in symbols} for v in vals]
    if len(symbols) > 1:
        points += [{s: vals[(i + k) % len(vals)] for i, s in enumerate(symbols)} for k in range(len(vals))]
    return points
