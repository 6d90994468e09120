"""``check``: decide claims ``LHS = RHS`` (issue 6).

A claim gets one of three verdicts:

* **true** -- proved symbolically (the difference of the sides is 0 after
  ``expand``, ``cancel``, a rewrite in exponentials, ``trigsimp`` or a
  bounded ``simplify``), or, for a claim about vectors and matrices, shown
  component by component at several concrete sizes (n = 1..4) on the explicit
  build of ``build.Context(sizes=...)``: every entry of the difference is
  ``expand``-ed to 0, or, for rational entries (inverses, determinants),
  evaluated *exactly* at several random rational points (Schwartz-Zippel);
  or, last, by numeric evidence: the sides agree to 50 significant digits at
  12 random points of their common real domain (the method says so, and
  ``strict=True`` turns such a claim into unknown).
* **false** -- with a counterexample: a point (and the sizes) where the sides
  differ, both values shown; exact when the values are rational, otherwise a
  disagreement found at 60+ digits and confirmed at twice the precision.
  Sides of different shapes are false, naming both shapes; sides that are
  each other's transpose get a hint about the layout.
* **unknown** -- neither, with the reason.

Numbers are exact rationals or mpmath floats of 60+ digits; the working
precision grows with the longest literal in the claim, so ``cos(x + 10^-12)``,
``3x^2 + x/10^20`` and ``1 + 10^-30`` are told apart from the true sides.

Nothing here prints or exits; ``exit_status`` maps a report to the status.
"""

from __future__ import annotations

import math
import random
import time
import zlib
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import mpmath
import sympy as sp
from sympy.functions.elementary.hyperbolic import HyperbolicFunction
from sympy.functions.elementary.trigonometric import TrigonometricFunction

from ..language import ast as S
from ..model.declarations import DEFAULT_DIM, Context, Declarations
from ..calculus.derivative import build
from ..model.shapes import shape_text, is_matrix
from ..model.symbols import scalar_symbol
from ..errors import GradcliError, InputError, TimeLimitExceeded
from ..limits import bounded, time_limit
from ..model.symbols import natural_key
from ..record import replace
from .verdict import CheckReport, ClaimVerdict, exit_status

__all__ = [
    "decide", "decide_tensor", "check_claims", "exit_status", "TENSOR_IDENTITIES",
    "SIZES", "DIGITS", "NUMERIC_POINTS", "CLAIM_SECONDS", "SIZE_SECONDS",
]

#: Concrete sizes for claims about vectors and matrices of symbolic size.
SIZES = (1, 2, 3, 4)
#: Significant digits two sides must agree to at a point (plus the claim's longest literal).
DIGITS = 50
#: Guard digits on top of DIGITS for evaluating each side.
GUARD = 10
#: Points of numeric evidence for a claim without a symbolic proof.
NUMERIC_POINTS = 12
#: Fewest agreeing points that count as numeric evidence.
MIN_POINTS = 4
#: Points tried before the first symbolic attempts that cost something (a quick refutation).
SCREEN_POINTS = 3
#: Random exact rational points per size for rational matrix entries.
EXACT_POINTS = 3
#: Budget of one claim, in seconds (the command's --timeout still bounds everything).
CLAIM_SECONDS = 30.0
#: Budget of each further size once one size is done (n = 4 with inverses can be slow).
SIZE_SECONDS = 12.0
#: Budget of a symbolic component build at one size before it is decided at points instead.
SYMBOLIC_SIZE_SECONDS = 4.0
#: Budget of the expensive symbolic attempts (trigsimp, simplify) of one comparison.
SIMPLIFY_SECONDS = 2.0
#: Budget of the cheap ones (expand, cancel) of one difference.
CHEAP_SECONDS = 1.0
#: Points at which a numerically agreeing difference is tested for a tiny nonzero value.
CERTIFY_POINTS = 3
#: Working precision (bits) of that test.
CERTIFY_BITS = 1200
#: Literal digits beyond which numeric evidence is not trusted.
MAX_EXTRA_DIGITS = 1000

_NOT_EVALUABLE = "no proof within the time budget and the sides could not be evaluated at any point"


# -- small helpers -----------------------------------------------------------------------

class _OutOfTime(Exception):
    """This claim's own budget ran out."""


class _Clock:
    def __init__(self, seconds: float | None):
        self.start = time.monotonic()
        self.deadline = None if seconds is None else self.start + seconds

    def left(self) -> float:
        if self.deadline is None:
            return 1e9
        return self.deadline - time.monotonic()

    def budget(self, cap: float) -> float:
        left = self.left()
        if left <= 0.01:
            raise _OutOfTime()
        return min(cap, left)


def _attempt(func, seconds: float) -> Any:
    """``func()`` under ``seconds``; None when it runs out or fails (a simplifier failing
    is never the user's error).  The command's own (outer) limit still propagates."""
    try:
        with time_limit(seconds):
            return func()
    except TimeLimitExceeded:
        return None
    except GradcliError:
        raise
    except (RecursionError, Exception):  # noqa: BLE001
        return None


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


# -- points ------------------------------------------------------------------------------

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
    from ..calculus.domain import atoms

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


# -- comparisons of built sides ------------------------------------------------------------

@dataclass
class _Outcome:
    """How one pair of built sides compares."""

    status: str  # "proved" | "exact" | "false" | "numeric" | "unknown"
    how: str = ""  # proof method or evidence
    point: dict | None = None
    lhs_value: str = ""
    rhs_value: str = ""
    exact: bool = False
    points: int = 0
    reason: str = ""
    #: lhs - rhs when it is a nonzero constant (shown whatever its size)
    difference: str = ""


def _cheap_symbolic(d: Any, clock: _Clock) -> tuple[str | None, Any]:
    """expand / cancel of the difference: ('expand' | 'cancel' | None, the reduced difference)."""
    if d == 0:
        return "identical", d
    t = _attempt(lambda: sp.expand(d), clock.budget(CHEAP_SECONDS))
    if t is not None and t == 0:
        return "expand", t
    c = _attempt(lambda: sp.cancel(t if t is not None else d), clock.budget(CHEAP_SECONDS))
    if c is not None and c == 0:
        return "cancel", c
    return None, (t if t is not None else d)


def _expensive_symbolic(d: Any, clock: _Clock) -> str | None:
    attempts = []
    if d.has(TrigonometricFunction, HyperbolicFunction, sp.exp):
        attempts.append(("rewrite", lambda: sp.cancel(sp.expand(d.rewrite(sp.exp)))))
        attempts.append(("trigsimp", lambda: sp.expand(sp.trigsimp(d))))
    attempts.append(("simplify", lambda: sp.simplify(d)))
    spent = time.monotonic()
    for name, func in attempts:
        left = SIMPLIFY_SECONDS - (time.monotonic() - spent)
        if left <= 0.02:
            break
        result = _attempt(func, clock.budget(left))
        if result is not None and result == 0:
            return name
    return None


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


def _simpler_counterexample(l: Any, r: Any, symbols: list, extra: int, guards: Sequence[Any]
                            ) -> tuple[_PointResult, dict] | None:
    """Once a random point has shown l != r: a point with small numbers where they differ
    too, for a counterexample a person can check by hand (at most a dozen tries)."""
    for point in _simple_points(symbols):
        if not _in_domain(guards, point):
            continue
        res = _compare_at(l, r, point, extra)
        if res.status == "differ":
            return res, point
    return None


def _tidier_counterexample(l: Any, r: Any, point: dict, extra: int, guards: Sequence[Any]
                           ) -> tuple[_PointResult, dict] | None:
    """A point near ``point`` with smaller numbers where l != r too: each coordinate replaced
    by the simplest rational within 10, 1, 1/10, ... of it (800028/163271 -> 49/10 + ...)."""
    from fractions import Fraction

    from .sampling import simplest_between

    best: tuple[_PointResult, dict] | None = None
    current = dict(point)
    for s, v in sorted(point.items(), key=lambda kv: str(kv[0])):
        if not isinstance(v, sp.Rational) or (abs(v.p) < 1000 and v.q < 100):
            continue
        f = Fraction(int(v.p), int(v.q))
        for w in (Fraction(10), Fraction(1), Fraction(1, 10), Fraction(1, 100), Fraction(1, 1000),
                  Fraction(1, 10**5), Fraction(1, 10**7)):
            found = None
            for lo, hi in ((f - w, f + w), (f, f + w), (f - w, f)):
                q = simplest_between(lo, hi)
                candidate = {**current, s: sp.Rational(q.numerator, q.denominator)}
                if not _in_domain(guards, candidate):
                    continue
                res = _compare_at(l, r, candidate, extra)
                if res.status == "differ":
                    found = (res, candidate)
                    break
            if found is not None:
                best = found
                current = found[1]
                break
    return best


def _numeric(pairs: list[tuple[Any, Any]], symbols: list, seed: int, extra: int, clock: _Clock,
             want: int, tried: list | None = None, guards: Sequence[Any] = (), critical: Sequence[dict] = ()
             ) -> tuple[int, _PointResult | None, dict | None, int]:
    """Evaluate every pair at random points until ``want`` points agree on all pairs.

    Returns (agreeing points, the first confirmed difference or None, its point, pair index).
    ``tried`` (points already found good) are reused first."""
    good = 0
    attempts = 0
    max_attempts = max(5 * want, 20) + len(critical)
    # every point near a kink or a domain edge is tried, however many agree before it
    must = len(_SPECIAL_VALUES) + len(critical)
    source = _points(symbols, seed, critical)
    reuse = list(tried or [])
    while (good < want or attempts < must) and attempts < max_attempts:
        if clock.left() <= 0.05:
            break
        from_tried = bool(reuse)
        point = reuse.pop(0) if reuse else next(source)
        if not from_tried and tried is not None and point in tried:
            continue  # the screen's points come first again from a fresh source: count each once
        attempts += 1
        if not from_tried and not _in_domain(guards, point):
            continue
        ok = True
        for idx, (l, r) in enumerate(pairs):
            res = _compare_at(l, r, point, extra)
            if res.status == "differ":
                simple = _simpler_counterexample(l, r, symbols, extra, guards)
                if simple is not None:
                    return good, simple[0], simple[1], idx
                tidy = _tidier_counterexample(l, r, point, extra, guards)
                if tidy is not None:
                    return good, tidy[0], tidy[1], idx
                return good, res, point, idx
            if res.status == "skip":
                ok = False
                break
        if ok:
            good += 1
            if tried is not None and point not in tried:
                tried.append(point)
    return good, None, None, -1


def _compare_pairs(pairs: list[tuple[Any, Any]], clock: _Clock, seed: int, operands: Sequence[Any] = ()) -> _Outcome:
    """Decide whether every (l, r) scalar pair is equal: symbolic first, then numeric.

    ``operands``: the functions under derivative operators; a numeric point must lie in
    their real domain too (d/dx acosh(x) is not compared at x = -2)."""
    pairs = [(sp.sympify(l), sp.sympify(r)) for l, r in pairs]
    extra = _literal_digits(*[p for pr in pairs for p in pr])
    symbols = _scalar_symbols(*[p for pr in pairs for p in pr])
    open_pairs = []
    hows: set[str] = set()
    for l, r in pairs:
        how, reduced = _cheap_symbolic(l - r, clock)
        if how:
            hows.add(how)
        else:
            open_pairs.append((l, r, reduced))
    if not open_pairs:
        return _Outcome("proved", _method_word(hows))
    for l, r, reduced in open_pairs:
        constant = _constant_difference(l, r, reduced, symbols, seed, operands)
        if constant is not None:
            return constant
    if extra > MAX_EXTRA_DIGITS:
        return _Outcome("unknown", reason=f"a literal of {extra} digits is beyond the numeric precision used")
    # A quick numeric screen refutes most false claims before any expensive simplification.
    tried: list = []
    checks = [(l, r) for l, r, _ in open_pairs]
    guard_exprs = [p for pr in checks for p in pr] + [o for o in operands if isinstance(o, sp.Basic)]
    guards = _domain_atoms(guard_exprs) + [o for o in operands if isinstance(o, sp.Basic) and o.free_symbols]
    from .sampling import kink_arguments

    guards += [_Kink(k) for k in kink_arguments([o for o in operands if isinstance(o, sp.Basic)])]
    symbols = _scalar_symbols(*guard_exprs) or symbols
    critical = _critical(guard_exprs, symbols, seed, clock)
    good, bad, point, idx = _numeric(checks, symbols, seed, extra, clock, SCREEN_POINTS, tried, guards, critical)
    if bad is not None:
        return _false_outcome(bad, point)
    still_open = []
    for l, r, reduced in open_pairs:
        how = _expensive_symbolic(reduced, clock) if clock.left() > 0.05 else None
        if how:
            hows.add(how)
        else:
            still_open.append((l, r, reduced))
    if not still_open:
        return _Outcome("proved", _method_word(hows))
    good, bad, point, idx = _numeric([(l, r) for l, r, _ in still_open], symbols, seed, extra, clock,
                                     NUMERIC_POINTS, tried, guards, critical)
    if bad is not None:
        return _false_outcome(bad, point)
    if good >= MIN_POINTS:
        # Agreement to 50+ digits can hide a difference far below them (exp(-200) is 1e-87):
        # ask SymPy's adaptive evalf whether the difference is certifiably nonzero.
        found = _certified_difference(still_open, tried[:CERTIFY_POINTS], extra, clock)
        if found is not None:
            return _false_outcome(*found)
        return _Outcome("numeric", f"numeric: {good} points agree to {DIGITS + extra} digits", points=good)
    if good == 0:
        return _Outcome("unknown", reason=_NOT_EVALUABLE)
    return _Outcome(
        "unknown",
        reason=f"no proof within the time budget, and the sides could be evaluated at only {good} "
               f"point{'s' if good != 1 else ''} (they agree there)",
        points=good,
    )


def _fmt_constant(c: Any) -> str:
    """A nonzero constant, short: -1/1000, or -1.0e-1500 for one with many digits."""
    if isinstance(c, sp.Rational) and len(str(c)) <= 40:
        return str(c)
    v = _value(c, {}, 30)
    if v is _BAD:
        return str(c)[:60]
    with mpmath.workdps(30):
        return mpmath.nstr(_to_mpf(v), 15)


def _constant_difference(l: Any, r: Any, reduced: Any, symbols: list, seed: int, operands: Sequence[Any]
                         ) -> _Outcome | None:
    """lhs - rhs simplified to a nonzero constant (2x + 10^-1500 - 2x): false at once, whatever
    the constant's size, shown at a point where both sides are defined."""
    if not isinstance(reduced, sp.Basic) or reduced.free_symbols or not reduced.is_number:
        return None
    if not ((reduced.is_Rational and reduced != 0) or reduced.is_zero is False):
        return None
    guards = _domain_atoms([l, r, *[o for o in operands if isinstance(o, sp.Basic)]])
    guards += [o for o in operands if isinstance(o, sp.Basic) and o.free_symbols]
    import itertools

    candidates = _simple_points(symbols) + list(itertools.islice(_points(symbols, seed), 40)) if symbols else [{}]
    for point in candidates:
        if not _in_domain(guards, point):
            continue
        lv, rv = _value(l, point, DIGITS + GUARD), _value(r, point, DIGITS + GUARD)
        if lv is _BAD or rv is _BAD:
            continue
        exact = isinstance(lv, sp.Rational) and isinstance(rv, sp.Rational)
        return _Outcome("false", point=point, lhs_value=_fmt_value(lv), rhs_value=_fmt_value(rv), exact=exact,
                        difference=_fmt_constant(reduced))
    return None


def _critical(exprs: Sequence[Any], symbols: list, seed: int, clock: _Clock) -> list[dict]:
    """Points near kinks and domain edges (``sampling.critical_points``), within the budget."""
    from .sampling import SECONDS, critical_points

    if clock.left() <= 0.5:
        return []
    try:
        return critical_points(exprs, symbols, seed, seconds=min(SECONDS, clock.left() / 4))
    except (RecursionError, Exception):  # noqa: BLE001 - sampling is a help; random points remain
        return []


def _certified_difference(triples: list, points: list, extra: int, clock: _Clock) -> tuple | None:
    """A point where some difference is nonzero beyond doubt: SymPy's evalf (adaptive
    precision up to CERTIFY_BITS) returns it with full accuracy, and the sides, evaluated
    at enough digits to see it, differ stably.  None when there is none."""
    for point in points:
        for l, r, reduced in triples:
            if clock.left() <= 0.05:
                return None
            try:
                with time_limit(clock.budget(1.0)):
                    v = reduced.xreplace(point).evalf(15, maxn=CERTIFY_BITS)
            except TimeLimitExceeded:
                continue
            except (ValueError, TypeError, ArithmeticError, AttributeError, RecursionError):
                continue
            if not (v.is_Float and v != 0 and v._prec >= 30):
                continue
            # the digits needed to see it next to the sides' size
            sides = [_value(x, point, 30) for x in (l, r)]
            if any(x is _BAD for x in sides):
                continue
            scale = max(abs(_to_mpf(x)) for x in sides) or 1
            gap = int(max(0, float(mpmath.log10(scale)) - float(mpmath.log10(abs(mpmath.mpf(v._mpf_))))))
            res = _compare_at(l, r, point, extra + gap + 10)
            if res.status == "differ":
                return res, point
    return None


def _method_word(hows: set[str]) -> str:
    order = ["identical", "expand", "cancel", "rewrite", "trigsimp", "simplify"]
    strongest = [h for h in order if h in hows]
    return strongest[-1] if strongest else "identical"


def _false_outcome(res: _PointResult, point: dict) -> _Outcome:
    digits = max(20, res.digits)
    return _Outcome(
        "false", point=point, lhs_value=_fmt_value(res.lhs, digits), rhs_value=_fmt_value(res.rhs, digits),
        exact=res.exact,
    )


# -- matrices, component by component ------------------------------------------------------

def _is_exact_number(v: Any) -> bool:
    return isinstance(v, sp.Rational)


def _compare_matrix_exact(L: Any, R: Any, clock: _Clock, seed: int) -> _Outcome | None:
    """Entries that are rational functions of the entry symbols: a random exact rational
    point refutes, ``expand`` proves polynomial entries, several random points support
    rational ones.  None when some entry is not rational at a point (transcendental)."""
    ls, rs = _entries(L), _entries(R)
    symbols = _scalar_symbols(L, R)
    # Random points decide only for rational functions (abs, sign, sqrt ... are not)
    for e in ls + rs:
        e = sp.sympify(e)
        if e.free_symbols and not e.is_rational_function(*symbols):
            return None
    source = _wide_points(symbols, seed)
    good = 0
    attempts = 0
    while good < EXACT_POINTS and attempts < 4 * EXACT_POINTS:
        attempts += 1
        point = next(source)
        try:
            with time_limit(clock.budget(CLAIM_SECONDS)):
                lv = [e.xreplace(point) if isinstance(e, sp.Basic) else sp.sympify(e) for e in ls]
                rv = [e.xreplace(point) if isinstance(e, sp.Basic) else sp.sympify(e) for e in rs]
        except TimeLimitExceeded:
            raise _OutOfTime() from None
        if any(v.has(sp.zoo, sp.nan, sp.oo, -sp.oo) for v in lv + rv):
            continue  # a singular point (det = 0): draw another
        if not all(_is_exact_number(v) for v in lv + rv):
            return None
        if lv != rv:
            for simple in _simple_points(symbols):  # a counterexample a person can check by hand
                slv = [sp.sympify(e).xreplace(simple) for e in ls]
                srv = [sp.sympify(e).xreplace(simple) for e in rs]
                if all(_is_exact_number(v) for v in slv + srv) and slv != srv:
                    point, lv, rv = simple, slv, srv
                    break
            return _Outcome(
                "false", point=point, exact=True,
                lhs_value=_fmt_matrix(lv, L), rhs_value=_fmt_matrix(rv, R),
            )
        good += 1
    if good < EXACT_POINTS:
        return None
    # Polynomial entries: a proof by expansion.
    proved_all = True
    for l, r in zip(ls, rs):
        d = sp.sympify(l) - sp.sympify(r)
        if d == 0:
            continue
        if _has_symbolic_denominator(d):
            proved_all = False
            continue
        t = _attempt(lambda: sp.expand(d), clock.budget(CHEAP_SECONDS * 4))
        if t is None or t != 0:
            proved_all = False
    return _Outcome("proved" if proved_all else "exact", "expand" if proved_all else "random rational points",
                    points=good)


def _has_symbolic_denominator(e: Any) -> bool:
    for p in e.atoms(sp.Pow):
        if p.exp.is_negative and p.base.free_symbols:
            return True
    return False


def _fmt_matrix(values: list, like: Any) -> str:
    if not is_matrix(like) or tuple(like.shape) == (1, 1):
        return _fmt_value(values[0])
    rows, cols = like.shape
    return "[" + ", ".join(
        "[" + ", ".join(_fmt_value(values[i * cols + j]) for j in range(cols)) + "]" for i in range(rows)
    ) + "]"


def _matrix_values_at(L: Any, point: dict, extra: int) -> str:
    dps = DIGITS + GUARD + extra
    vals = [_value(e, point, dps) for e in _entries(L)]
    vals = ["undefined" if v is _BAD else v for v in vals]
    return _fmt_matrix(vals, L)


def _compare_built(L: Any, R: Any, clock: _Clock, seed: int, exact_first: bool, operands: Sequence[Any] = ()) -> _Outcome:
    """Compare two built sides of the same shape."""
    if exact_first:
        # rational functions equal on an open set are equal: no domain guards needed
        out = _compare_matrix_exact(L, R, clock, seed)
        if out is not None:
            return out
    pairs = list(zip(_entries(L), _entries(R)))
    out = _compare_pairs(pairs, clock, seed, [e for o in operands for e in _entries(o)])
    if out.status == "false" and is_matrix(L) and tuple(L.shape) != (1, 1):
        extra = _literal_digits(L, R)
        out.lhs_value = _matrix_values_at(L, out.point, extra)
        out.rhs_value = _matrix_values_at(R, out.point, extra)
    return out


def _transposed(L: Any, R: Any, seed: int) -> bool:
    """Is L the transpose of R (at a random point, exactly or to 50 digits)?"""
    if not (isinstance(L, sp.MatrixBase) and isinstance(R, sp.MatrixBase)):
        return False
    if tuple(L.shape) != tuple(R.shape)[::-1] or tuple(L.shape) == (1, 1):
        return False
    RT = R.T
    if L == RT:
        return True
    symbols = _scalar_symbols(L, R)
    extra = _literal_digits(L, R)
    tried = 0
    for point in _points(symbols, seed + 7):
        tried += 1
        if tried > 6:
            return False
        results = [_compare_at(l, r, point, extra) for l, r in zip(L, RT)]
        if any(x.status == "skip" for x in results):
            continue
        return all(x.status == "agree" for x in results)
    return False


# -- the decision ------------------------------------------------------------------------------

def _names_used(node: S.Node) -> set[str]:
    out: set[str] = set()
    for n in S.walk(node):
        if isinstance(n, S.Name):
            out.add(n.name)
        elif isinstance(n, S.Derivative):
            out.add(n.var)
    return out


def _operand_nodes(node: S.Node) -> list[S.Node]:
    """The operands of derivative operators and diff(...) calls in a claim."""
    out: list[S.Node] = []
    for n in S.walk(node):
        if isinstance(n, S.Derivative):
            out.append(n.operand)
        elif isinstance(n, S.Call) and n.name == "diff" and n.args:
            out.append(n.args[0])
    return out


def _operands(node: S.Node, ctx: Context) -> list:
    """The functions under derivative operators, built (their domain bounds the claim's)."""
    out = []
    for n in _operand_nodes(node):
        try:
            with time_limit(2.0):
                out.append(_sympify(build(n, ctx)))
        except TimeLimitExceeded:
            continue
        except (RecursionError, Exception):  # noqa: BLE001 - the full build reports real errors
            continue
    return out


def _size_assignments(symbols: set) -> list[dict]:
    syms = sorted(symbols, key=str)
    if not syms:
        return [{}]
    out = [{s: k for s in syms} for k in SIZES]
    if len(syms) >= 2:
        # unequal sizes catch a confused m and n: every pair of size symbols differs in at
        # least one assignment (for up to nine symbols)
        out.append({s: 2 + (i % 2) for i, s in enumerate(syms)})
        out.append({s: 3 - (i % 2) for i, s in enumerate(syms)})
    if len(syms) >= 3:
        out.append({s: 2 + (i % 3) for i, s in enumerate(syms)})
    if len(syms) >= 4:
        out.append({s: 2 + (i // 3) % 3 for i, s in enumerate(syms)})
    return out


def _sizes_label(done: list[dict]) -> str:
    if not done or not done[0]:
        return "sizes as declared"
    syms = sorted(done[0], key=str)
    equal = [a for a in done if len(set(a.values())) == 1]
    parts = []
    if equal:
        ks = sorted({next(iter(a.values())) for a in equal})
        span = f"{ks[0]}..{ks[-1]}" if ks == list(range(ks[0], ks[-1] + 1)) and len(ks) > 1 else ", ".join(map(str, ks))
        parts.append(" = ".join(str(s) for s in syms) + f" = {span}")
    for a in done:
        if len(set(a.values())) > 1:
            parts.append(", ".join(f"{s} = {a[s]}" for s in syms))
    return "; ".join(parts)


def _shape_text(obj: Any) -> str:
    if not is_matrix(obj) or tuple(obj.shape) == (1, 1):
        return "a scalar"
    return shape_text(tuple(obj.shape))


def _layout_hint(layout: str, matters: bool = True) -> str:
    if not matters:
        return ("the sides are transposes of each other: a transpose is missing or extra "
                "(the layout does not change a derivative of a scalar by a matrix)")
    other = "denominator" if layout == "numerator" else "numerator"
    return f"the sides are transposes of each other: check the layout (--layout {other}?)"


def _layout_matters(node: S.Node, decl: Declarations) -> bool:
    """Whether the layout convention changes some derivative in the claim: one by a scalar
    or a vector does; a scalar's by an m x n matrix (m, n > 1) does not."""
    shapes = Context(decl).shapes
    for n in S.walk(node):
        if isinstance(n, S.Derivative):
            names = [n.var]
        elif isinstance(n, S.Call) and n.name == "diff":
            names = [a.name for a in n.args[1:] if isinstance(a, S.Name)]
        else:
            continue
        for name in names:
            shape = shapes.get(name)
            if shape is None or any(d == 1 for d in shape):
                return True
    return False


def _parse(text_or_node: Any, latex: bool = False) -> tuple[S.Node, str]:
    if isinstance(text_or_node, S.Node):
        return text_or_node, ""
    from ..language import parse_claim

    text = str(text_or_node)
    return parse_claim(text, latex=latex), text


def _symbolic_sides(node: S.Equation, decl: Declarations, layout: str, text: str) -> tuple[Any, Any] | None:
    """The sides built symbolically (MatrixSymbols of size n), for renderers; None if that fails."""
    ctx = Context(decl, layout=layout, source=text)

    def run() -> tuple[Any, Any]:
        return build(node.lhs, ctx), build(node.rhs, ctx)

    try:
        with time_limit(3.0):
            return run()
    except (TimeLimitExceeded, GradcliError):
        return None
    except (RecursionError, Exception):  # noqa: BLE001 - the symbolic matrix calculus may not cover it
        return None


def _display_sides(node: S.Equation, decl: Declarations, layout: str, text: str) -> tuple[Any, Any]:
    """The sides as written, derivative operators unevaluated (for LaTeX); (None, None) if that fails."""
    ctx = Context(decl, layout=layout, source=text, display=True)
    try:
        return build(node.lhs, ctx), build(node.rhs, ctx)
    except (GradcliError, RecursionError, Exception):  # noqa: BLE001 - display only
        return None, None


def decide(text_or_node: Any, decl: Declarations | None = None, layout: str = "numerator", *,
           strict: bool = False, name: str | None = None, source: str = "",
           budget: float | None = CLAIM_SECONDS, latex: bool = False) -> ClaimVerdict:
    """Decide one claim ``LHS = RHS`` (``latex``: the text is LaTeX).

    Raises InputError (exit 2) for a claim that does not parse, has no ``=`` or does
    not build (an unknown name, a shape mismatch inside one side).
    """
    started = time.monotonic()
    decl = decl or Declarations()
    node, text = _parse(text_or_node, latex)
    if not isinstance(node, S.Equation):
        raise InputError(
            f"not a claim: {text or 'the input'!r} has no '='" if text else "not a claim: no '='",
            "write LHS = RHS, e.g. 'd/dx sin(x) = cos(x)'",
        )
    claim_text = text or source
    seed = zlib.crc32((claim_text or repr(node)).encode("utf-8"))
    clock = _Clock(budget)
    probe = Context(decl, layout=layout, source=text)
    declared = _names_used(node) & set(probe.shapes)

    def verdict(v: str, method: str, **kw: Any) -> ClaimVerdict:
        shown = _display_sides(node, decl, layout, text)
        return ClaimVerdict(claim=claim_text, verdict=v, method=method, name=name, source=source,
                            seconds=round(time.monotonic() - started, 4),
                            lhs_display=shown[0], rhs_display=shown[1], **kw)

    try:
        if declared:
            return _decide_matrix(node, decl, layout, text, probe, strict, clock, seed, verdict)
        return _decide_plain(node, decl, layout, text, strict, clock, seed, verdict)
    except _OutOfTime:
        return verdict("unknown", "none", reason=f"the time budget of {budget:g} s per claim ran out"
                       if budget is not None else "the time budget ran out")


def _decide_plain(node, decl, layout, text, strict, clock, seed, verdict) -> ClaimVerdict:
    ctx = Context(decl, layout=layout, source=text)
    matters = _layout_matters(node, decl)
    L = _sympify(build(node.lhs, ctx))
    R = _sympify(build(node.rhs, ctx))
    if is_matrix(L) and not isinstance(L, sp.MatrixBase) or is_matrix(R) and not isinstance(R, sp.MatrixBase):
        return verdict("unknown", "none", lhs=L, rhs=R, reason="the sides are matrix expressions gradcli cannot expand")
    if _shape(L) != _shape(R):
        hint = _layout_hint(layout, matters) if _transposed(L, R, seed) else ""
        return verdict(
            "false", "shapes differ", lhs=L, rhs=R, hint=hint,
            reason=f"the sides have different shapes: the left side is {_shape_text(L)}, the right side {_shape_text(R)}",
            counterexample={"point": {}, "lhs": _shape_text(L), "rhs": _shape_text(R)},
        )
    out = _compare_built(L, R, clock, seed, exact_first=False, operands=_operands(node, ctx))
    hint = ""
    if out.status == "false" and _transposed(L, R, seed):
        hint = _layout_hint(layout, matters)
    return _finish(out, "", strict, verdict, L, R, hint=hint)


def _finish(out: _Outcome, suffix: str, strict: bool, verdict, L, R, *, hint: str = "", sizes: dict | None = None,
            prefix: str = "") -> ClaimVerdict:
    """A verdict from the outcome of a plain comparison (or a matrix counterexample)."""
    if out.status == "proved":
        return verdict("true", f"{prefix}symbolic: {out.how}{suffix}", lhs=L, rhs=R)
    if out.status == "exact":
        return verdict("true", f"{prefix}exact at random rational points{suffix}", lhs=L, rhs=R)
    if out.status == "numeric":
        method = f"{prefix}{out.how}{suffix}"
        if strict:
            return verdict("unknown", method, lhs=L, rhs=R,
                           reason="no symbolic proof; supported only by numeric evidence (strict)")
        return verdict("true", method, lhs=L, rhs=R)
    if out.status == "false":
        cex = {"point": _fmt_point(out.point or {}), "lhs": out.lhs_value, "rhs": out.rhs_value, "exact": out.exact}
        if sizes:
            cex["sizes"] = {str(k): int(v) for k, v in sizes.items()}
        where = ", ".join(f"{k} = {v}" for k, v in cex["point"].items()) or "every point"
        if sizes:
            where = ", ".join(f"{k} = {v}" for k, v in cex["sizes"].items()) + "; " + where
        reason = f"the sides differ at {where}: {out.lhs_value} != {out.rhs_value}"
        if len(reason) > 400:
            reason = reason[:397] + "..."
        method = f"{prefix}counterexample" + (", exact" if out.exact else f", {DIGITS}+ digits, confirmed") + suffix
        if out.difference:
            cex["difference"] = out.difference
            method = f"{prefix}symbolic: lhs - rhs is the nonzero constant {out.difference}{suffix}"
            reason = (f"lhs - rhs = {out.difference} at every point where both sides are defined, e.g. {where}"
                      if cex["point"] else f"lhs - rhs = {out.difference}")
        return verdict("false", method, lhs=L, rhs=R, counterexample=cex, hint=hint, reason=reason)
    return verdict("unknown", "none", lhs=L, rhs=R, reason=out.reason or _NOT_EVALUABLE)


def _entry_symbols(ctx: Context) -> set:
    out: set = set()
    for name in ctx.shapes:
        m = ctx.lookup(name)
        if isinstance(m, sp.MatrixBase):
            out |= set(m)
    return out


def _at_points(node, decl, layout, text, sizes, clock, seed, strict, verdict, symbolic, matters, share,
               may_skip_one) -> Any:
    """``pointwise.decide_size`` under ``share`` seconds: its result, or "timeout", or
    "skip-one" (the claim does not build with 1 x 1 matrices, and a larger size did)."""
    from .pointwise import decide_size

    if share <= 0.05:
        return "timeout"
    try:
        with time_limit(share):
            return decide_size(node, decl, layout, text, sizes, clock, seed, strict, verdict, symbolic, matters)
    except (TimeLimitExceeded, _OutOfTime):
        return "timeout"
    except InputError:
        if may_skip_one:
            return "skip-one"
        raise


def _decide_matrix(node, decl, layout, text, probe, strict, clock, seed, verdict) -> ClaimVerdict:
    from .pointwise import prefers_points

    points_first = prefers_points(node)
    matters = _layout_matters(node, decl)
    symbolic = _symbolic_sides(node, decl, layout, text)
    assignments = _size_assignments(probe.size_symbols())
    # Order: the small sizes first (2, 3), then n = 1 -- 1 x 1 matrices partly collapse to
    # scalars, so a larger size first tells which scalar symbols belong to the claim -- then
    # the expensive ones (4, unequal sizes), each with part of the remaining budget.
    ones = [a for a in assignments if a and all(v == 1 for v in a.values())]
    small = [a for a in assignments if a not in ones and a and len(set(a.values())) == 1 and max(a.values()) <= 3]
    order = small + ones + [a for a in assignments if a not in ones and a not in small]
    done: list[dict] = []
    skipped: list[str] = []
    used_exact_points = False
    numeric_points = 0
    numeric_how = ""
    reference: set | None = None
    first_built: tuple | None = None
    for sizes in order:
        ctx = Context(decl, layout=layout, source=text, sizes=sizes)
        label = ", ".join(f"{k} = {v}" for k, v in sizes.items()) or "the declared sizes"
        is_one = sizes in ones
        left = clock.left()
        if left <= 0.05:
            skipped.append(f"{label}: over the time budget")
            continue
        share = left if not done else min(left * 0.6, SIZE_SECONDS)
        started_size = time.monotonic()
        out = None
        others = None
        if points_first:
            out = _at_points(node, decl, layout, text, sizes, clock, seed, strict, verdict, symbolic, matters,
                             share, is_one and bool(done))
            if out in ("timeout", "skip-one"):
                skipped.append(f"{label}: " + ("over the time budget" if out == "timeout"
                                               else "does not build with 1 x 1 matrices"))
                continue
            if isinstance(out, tuple) and out[0] == "unbuilt":
                out = None  # singular at every point tried: the symbolic build says why
        if out is None:
            try:
                with time_limit(share if points_first else min(share, SYMBOLIC_SIZE_SECONDS)):
                    L = _sympify(build(node.lhs, ctx))
                    R = _sympify(build(node.rhs, ctx))
                    subs = dict(ctx.symmetry_subs() or {})
                    # a size symbol written in the claim (tr(X X^-1) = n) is the size
                    subs.update({scalar_symbol(str(k)): sp.Integer(v) for k, v in sizes.items()})
                    if subs:
                        L = L.xreplace(subs) if isinstance(L, sp.Basic) else L
                        R = R.xreplace(subs) if isinstance(R, sp.Basic) else R
                    # A scalar symbol that appears at one size but not another is an artefact of
                    # the build (a 1 x 1 matrix read as a scalar), not part of the claim.
                    others = set(_scalar_symbols(L, R)) - _entry_symbols(ctx)
                    if reference is not None and others != reference:
                        extra = ", ".join(map(str, sorted(others ^ reference, key=str)))
                        skipped.append(f"{label}: the build introduced other symbols ({extra})")
                        continue
                    out = _one_size(L, R, sizes, clock, seed, layout, strict, verdict, symbolic, matters,
                                    lambda: _operands(node, ctx))
            except (TimeLimitExceeded, _OutOfTime):
                # too slow symbolically: exact values at random points instead, with what is left
                out = None if points_first else _at_points(
                    node, decl, layout, text, sizes, clock, seed, strict, verdict, symbolic, matters,
                    share - (time.monotonic() - started_size), is_one and bool(done))
                if out in (None, "timeout", "skip-one") or (isinstance(out, tuple) and out[0] == "unbuilt"):
                    skipped.append(f"{label}: " + ("does not build with 1 x 1 matrices" if out == "skip-one"
                                                   else "over the time budget"))
                    continue
            except InputError:
                if is_one and done:
                    skipped.append(f"{label}: does not build with 1 x 1 matrices")
                    continue
                raise
        if isinstance(out, tuple) and out[0] == "unbuilt":
            return verdict("unknown", "none", lhs=_display(symbolic, None, 0), rhs=_display(symbolic, None, 1),
                           reason=f"at {label}: {out[1]}")
        if others is None:  # decided at points: nothing was built symbolically
            if isinstance(out, ClaimVerdict):
                return out
            kind, info = out
            if kind == "exact":
                used_exact_points = True
            elif kind == "numeric":
                numeric_points = max(numeric_points, info[0])
                numeric_how = numeric_how or info[1]
            elif kind == "unknown":
                return verdict("unknown", "none", lhs=_display(symbolic, None, 0), rhs=_display(symbolic, None, 1),
                               reason=f"at {label}: {info}")
            done.append(sizes)
            continue
        if reference is None:
            reference = others
        if first_built is None:
            first_built = (L, R)
        if isinstance(out, ClaimVerdict):
            return out
        kind, info = out
        if kind == "exact":
            used_exact_points = True
        elif kind == "numeric":
            numeric_points = max(numeric_points, info[0])
            numeric_how = numeric_how or info[1]
        elif kind == "unknown":
            return verdict("unknown", "none", lhs=_display(symbolic, L, 0), rhs=_display(symbolic, R, 1),
                           reason=f"at {label}: {info}")
        done.append(sizes)
    Ld = _display(symbolic, first_built[0] if first_built else None, 0)
    Rd = _display(symbolic, first_built[1] if first_built else None, 1)
    if not done:
        return verdict("unknown", "none", lhs=Ld, rhs=Rd,
                       reason="no size could be checked within the time budget"
                       + (f" ({'; '.join(skipped)})" if skipped else ""))
    label = _sizes_label(done)
    note = f" (skipped {'; '.join(skipped)})" if skipped else ""
    if numeric_points:
        method = f"components, {numeric_how}, {label}{note}"
        if strict:
            return verdict("unknown", method, lhs=Ld, rhs=Rd,
                           reason="no exact proof; supported only by numeric evidence (strict)")
        return verdict("true", method, lhs=Ld, rhs=Rd)
    how = "exact at random rational points" if used_exact_points else "exact"
    return verdict("true", f"components, {how}, {label}{note}", lhs=Ld, rhs=Rd)


def _display(symbolic: tuple | None, fallback: Any, index: int) -> Any:
    if symbolic is not None:
        return symbolic[index]
    return fallback


def _one_size(L, R, sizes, clock, seed, layout, strict, verdict, symbolic, matters=True, operands=lambda: []):
    """Compare the explicit sides at one size: a ClaimVerdict (false) or (kind, info)."""
    Ld, Rd = _display(symbolic, L, 0), _display(symbolic, R, 1)
    size_note = ", ".join(f"{k} = {v}" for k, v in sizes.items())
    if _shape(L) != _shape(R):
        if symbolic is not None:
            ls, rs = _shape_text(symbolic[0]), _shape_text(symbolic[1])
            if ls == rs:
                ls, rs = _shape_text(L), _shape_text(R)
        else:
            ls, rs = _shape_text(L), _shape_text(R)
        hint = _layout_hint(layout, matters) if _transposed(L, R, seed) else ""
        cex = {"point": {}, "lhs": ls, "rhs": rs}
        if sizes:
            cex["sizes"] = {str(k): int(v) for k, v in sizes.items()}
        at = f" (at {size_note})" if size_note and (ls, rs) == (_shape_text(L), _shape_text(R)) else ""
        return verdict("false", "shapes differ", lhs=Ld, rhs=Rd, hint=hint, counterexample=cex,
                       reason=f"the sides have different shapes: the left side is {ls}, the right side {rs}{at}")
    seed2 = seed + sum(sizes.values()) if sizes else seed
    out = _compare_matrix_exact(L, R, clock, seed2)
    if out is None:
        out = _compare_built(L, R, clock, seed2, exact_first=False, operands=operands())
    if out.status == "false":
        hint = _layout_hint(layout, matters) if _transposed(L, R, seed) else ""
        return _finish(out, f" at {size_note}" if size_note else "", strict, verdict, Ld, Rd, hint=hint,
                       sizes=sizes, prefix="components, ")
    if out.status == "proved":
        return ("proved", out.how)
    if out.status == "exact":
        return ("exact", out.points)
    if out.status == "numeric":
        return ("numeric", (out.points, out.how))
    return ("unknown", out.reason or _NOT_EVALUABLE)


# -- tensor identities (5.99-5.102), entry by entry ----------------------------------------------

#: The book's identities for a matrix function f(X), as checked per entry (k, l) of X, where
#: T_kl = d f(X) / d X_kl is an n x n matrix (the (k, l) slice of the tensor df/dX):
TENSOR_IDENTITIES: dict[str, str] = {
    "5.99": "d (f(X)^T) / dX_kl = (T_kl)^T",
    "5.100": "d tr(f(X)) / dX_kl = tr(T_kl)",
    "5.101": "d det(f(X)) / dX_kl = det(f(X)) tr(f(X)^-1 T_kl)",
    "5.102": "d (f(X)^-1) / dX_kl = -f(X)^-1 T_kl f(X)^-1",
}

TENSOR_SIZES = (1, 2, 3)


def _tensor_sides(identity: str, F: sp.ImmutableMatrix, X: sp.ImmutableMatrix) -> tuple[list, list]:
    n = F.rows
    ls: list = []
    rs: list = []
    if identity in ("5.101", "5.102"):
        det = F.det(method="berkowitz")
        adj = F.adjugate()
        inv = adj / det
    for k in range(X.rows):
        for l in range(X.cols):
            xkl = X[k, l]
            T = F.diff(xkl)
            if identity == "5.99":
                ls += list(F.T.diff(xkl))
                rs += list(T.T)
            elif identity == "5.100":
                ls.append(sp.diff(F.trace(), xkl))
                rs.append(T.trace())
            elif identity == "5.101":
                ls.append(sp.diff(det, xkl))
                rs.append(det * (inv * T).trace())
            elif identity == "5.102":
                ls += list(inv.diff(xkl))
                rs += list(-inv * T * inv)
            else:  # pragma: no cover - catalogue data
                raise InputError(f"no tensor identity {identity}")
    assert n == F.cols
    return ls, rs


def decide_tensor(identity: str, f_text: str, decl: Declarations | None = None, *, name: str | None = None,
                  source: str = "", claim: str = "", budget: float | None = CLAIM_SECONDS,
                  sizes: Sequence[int] = TENSOR_SIZES) -> ClaimVerdict:
    """Check one of the book's identities 5.99-5.102 for the concrete matrix function
    ``f_text`` of X (e.g. ``"X X"``), entry by entry of the tensor df/dX, exactly, at the
    given sizes (see TENSOR_IDENTITIES for what is compared)."""
    from ..language import parse

    started = time.monotonic()
    decl = decl or Declarations(matrices=("X",))
    node = parse(f_text)
    clock = _Clock(budget)
    claim = claim or f"{identity}: {TENSOR_IDENTITIES[identity]}, f(X) = {f_text}"

    def verdict(v: str, method: str, **kw: Any) -> ClaimVerdict:
        return ClaimVerdict(claim=claim, verdict=v, method=method, name=name, source=source,
                            seconds=round(time.monotonic() - started, 4), **kw)

    done = []
    used_points = False
    try:
        for k in sizes:
            ctx = Context(decl, sizes={DEFAULT_DIM: k})
            try:
                with time_limit(clock.budget(CLAIM_SECONDS)):
                    F = build(node, ctx)
                    if not isinstance(F, sp.MatrixBase):
                        F = sp.ImmutableMatrix([[F]])
                    X = ctx.lookup("X")
                    ls, rs = _tensor_sides(identity, sp.ImmutableMatrix(F), X)
            except TimeLimitExceeded:
                break
            L = sp.ImmutableMatrix(len(ls), 1, ls)
            R = sp.ImmutableMatrix(len(rs), 1, rs)
            out = _compare_matrix_exact(L, R, clock, zlib.crc32(claim.encode()) + k)
            if out is None:
                out = _compare_pairs(list(zip(ls, rs)), clock, zlib.crc32(claim.encode()) + k)
            if out.status == "false":
                return verdict("false", f"tensor entries, counterexample at n = {k}",
                               counterexample={"point": _fmt_point(out.point or {}), "sizes": {"n": k},
                                               "lhs": out.lhs_value, "rhs": out.rhs_value, "exact": out.exact},
                               reason=f"entries of the tensor identity differ at n = {k}")
            if out.status == "exact":
                used_points = True
            elif out.status not in ("proved",):
                return verdict("unknown", "none", reason=out.reason or f"entries at n = {k} not decided")
            done.append(k)
    except _OutOfTime:
        pass
    if not done:
        return verdict("unknown", "none", reason="no size could be checked within the time budget")
    how = "exact at random rational points" if used_points else "exact"
    span = f"{done[0]}..{done[-1]}" if len(done) > 1 else str(done[0])
    return verdict("true", f"tensor entries, {how}, n = {span}")


# -- many claims -----------------------------------------------------------------------------

#: Seconds a claim may run past its own budget before it is stopped (the budget is checked
#: between steps; this bounds a single step that overruns it).
CLAIM_GRACE = 5.0
#: The reason of a claim the run's time limit stopped (or never started).
TIME_LIMIT_REASON = "time limit: the run's --timeout ran out before this claim was decided"


def check_claims(claims: Sequence[Any], *, strict: bool = False, budget: float | None = CLAIM_SECONDS,
                 deadline: float | None = None) -> CheckReport:
    """Decide each ``claims.Claim`` in order.

    A claim that cannot be read (``claim.error``, or an InputError while it is built) is an
    "error" verdict for that claim alone.  ``deadline`` (a ``time.monotonic()`` instant, the
    run's --timeout) stops the claim being decided when it comes: that claim and the ones
    not yet started are "unknown" with the reason "time limit", and the report of the ones
    decided is returned.  Each claim also has its own ``budget`` (plus CLAIM_GRACE)."""
    results = []
    for claim in claims:
        if getattr(claim, "error", ""):
            results.append(_error_verdict(claim, claim.error))
            continue
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0.05:
            results.append(_unknown_verdict(claim, TIME_LIMIT_REASON))
            continue
        own = None if budget is None else budget + CLAIM_GRACE
        hard = min((x for x in (remaining, own) if x is not None), default=None)
        soft = budget if remaining is None else (remaining if budget is None else min(budget, remaining))
        started = time.monotonic()
        try:
            with time_limit(hard):
                result = _decide_claim(claim, strict, soft)
            if (result.verdict == "unknown" and remaining is not None and (budget is None or remaining < budget)
                    and result.reason.startswith("the time budget")):
                # the budget was what was left of the run's --timeout: say so
                result = replace(result, reason=TIME_LIMIT_REASON)
        except TimeLimitExceeded:
            by_run = remaining is not None and (own is None or remaining <= own)
            result = _unknown_verdict(claim, TIME_LIMIT_REASON if by_run else
                                      f"time limit: the claim's own limit of {own:g} s ran out",
                                      seconds=time.monotonic() - started)
        except InputError as exc:
            from .claims import error_text

            result = _error_verdict(claim, error_text(exc))
        results.append(result)
    return CheckReport(results=tuple(results))


def _decide_claim(claim: Any, strict: bool, budget: float | None) -> ClaimVerdict:
    tensor = getattr(claim, "tensor", None)
    if tensor:
        identity, f_text = tensor
        return decide_tensor(identity, f_text, claim.decl, name=claim.name, source=claim.source,
                             claim=claim.text, budget=budget)
    return decide(claim.text, claim.decl, claim.layout, strict=strict, name=claim.name,
                  source=claim.source, budget=budget, latex=getattr(claim, "latex", False))


def _error_verdict(claim: Any, message: str) -> ClaimVerdict:
    return ClaimVerdict(claim=claim.text, verdict="error", method="none", name=claim.name, source=claim.source,
                        reason=message)


def _unknown_verdict(claim: Any, reason: str, seconds: float = 0.0) -> ClaimVerdict:
    return ClaimVerdict(claim=claim.text, verdict="unknown", method="none", name=claim.name, source=claim.source,
                        reason=reason, seconds=round(seconds, 4))
