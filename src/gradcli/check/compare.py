"""Whether two built sides are equal: pairs of scalars (symbolic attempts first -- expand,
cancel, a rewrite in exponentials, trigsimp, a bounded simplify -- then numeric evidence at
points of the common real domain, near kinks and domain edges first, with counterexamples
a person can check by hand), and explicit matrices whose entries are rational functions
(exact values at random rational points; Schwartz-Zippel).  Each claim runs on a clock
(``Clock``): a budget of its own, within the command's time limit."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp
from sympy.functions.elementary.hyperbolic import HyperbolicFunction
from sympy.functions.elementary.trigonometric import TrigonometricFunction

from ..errors import GradcliError, TimeLimitExceeded
from ..limits import time_limit
from ..model.shapes import is_matrix
from .numeric import (
    _BAD,
    DIGITS,
    GUARD,
    _compare_at,
    _domain_atoms,
    _entries,
    _fmt_constant,
    _fmt_matrix,
    _fmt_value,
    _in_domain,
    _Kink,
    _literal_digits,
    _matrix_values_at,
    _PointResult,
    _scalar_symbols,
    _to_mpf,
    _value,
)
from .sampling import (
    _SPECIAL_VALUES,
    SECONDS,
    _points,
    _simple_points,
    _wide_points,
    critical_points,
    kink_arguments,
    simplest_between,
)

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


# -- the clock ------------------------------------------------------------------------------

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


# -- pairs of scalars ------------------------------------------------------------------------

@dataclass
class _Outcome:
    """How one pair of built sides compares."""

    status: str  # "proved" | "exact" | "false" | "numeric" | "unknown"
    how: str = ""  # proof method or evidence
    point: dict | None = None
    #: the sides' values at ``point``: text, or a matrix's entries row by row (``_fmt_matrix``)
    lhs_value: Any = ""
    rhs_value: Any = ""
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
        t = _attempt(lambda d=d: sp.expand(d), clock.budget(CHEAP_SECONDS * 4))
        if t is None or t != 0:
            proved_all = False
    return _Outcome("proved" if proved_all else "exact", "expand" if proved_all else "random rational points",
                    points=good)


def _has_symbolic_denominator(e: Any) -> bool:
    for p in e.atoms(sp.Pow):
        if p.exp.is_negative and p.base.free_symbols:
            return True
    return False


def _compare_built(L: Any, R: Any, clock: _Clock, seed: int, exact_first: bool,
                   operands: Sequence[Any] = ()) -> _Outcome:
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
