"""Bounded, conservative simplification of results.

``tidy`` returns the shortest of a few cheap rewritings (cancel, together,
factor_terms) and accepts SymPy's full ``simplify`` only when it shortens the
result substantially: ``2*sin(x)*cos(x)`` stays as the product rule gives it
rather than turning into ``sin(2*x)``.  Everything runs under a time budget;
a result that does not simplify quickly is returned as computed.
"""

from __future__ import annotations

import time
from typing import Any

import sympy as sp

from ..limits import MAX_EXPANDED_TERMS, SIMPLIFY_SECONDS, bounded

#: Above this many operations a result is not simplified at all.
MAX_OPS = 400


def _ops(e: Any) -> int:
    return sp.count_ops(e, visual=False)


def expands_too_much(e: Any) -> bool:
    """Whether multiplying ``e`` out (``expand``, ``cancel``, ``together``) could give more
    than MAX_EXPANDED_TERMS terms: a power (a + b + ...)^n of k terms has C(n + k - 1, k - 1).
    Such rewrites are skipped: (x + 1)^999999 multiplied out is a million huge coefficients."""
    import math

    bound = math.log(MAX_EXPANDED_TERMS)
    for p in e.atoms(sp.Pow):
        if isinstance(p.base, sp.Add) and p.exp.is_Integer and abs(p.exp) > 1:
            n, k = abs(int(p.exp)), len(p.base.args)
            if math.lgamma(n + k) - math.lgamma(n + 1) - math.lgamma(k) > bound:
                return True
    return False


def tidy(expr: Any, seconds: float = SIMPLIFY_SECONDS) -> Any:
    if not isinstance(expr, sp.Expr) or expr.is_Atom or expr.is_number and expr.is_Rational:
        return expr
    try:
        raw_ops = _ops(expr)
    except Exception:  # noqa: BLE001
        return expr
    if raw_ops > MAX_OPS:
        return expr
    deadline = time.monotonic() + seconds
    best, best_ops = expr, raw_ops
    if expands_too_much(expr):
        candidate = bounded(lambda: sp.factor_terms(expr), seconds, None)
        return candidate if candidate is not None and _ops(candidate) < raw_ops else expr

    def consider(candidate: Any, threshold: float = 1.0) -> None:
        nonlocal best, best_ops
        if candidate is None or candidate == best:
            return
        ops = _ops(candidate)
        if ops < best_ops * threshold if threshold < 1 else ops < best_ops:
            best, best_ops = candidate, ops

    for rewrite in (sp.factor_terms, sp.cancel, sp.together, lambda e: sp.factor_terms(sp.together(e))):
        left = deadline - time.monotonic()
        if left <= 0:
            return best
        consider(bounded(lambda: rewrite(expr), left, None))
    left = deadline - time.monotonic()
    if left > 0 and _worth_full_simplify(best):
        full = bounded(lambda: sp.simplify(expr), left, None)
        if full is not None and _ops(full) <= 0.6 * best_ops and _same_arguments(full, expr):
            best = full
    return best


_PAIRS = (
    (sp.sin, sp.cos), (sp.sinh, sp.cosh), (sp.tan, sp.sec), (sp.cot, sp.csc), (sp.tanh, sp.sech),
)


def _worth_full_simplify(e: Any) -> bool:
    """Whether SymPy's (slow) full simplify may find what the cheap rewrites
    cannot: Pythagorean pairs of one argument (sin(a)**2 with cos(a)**2, or
    tan(a)**2 with sec(a)), exp beside log, nested roots.  Most derivatives
    have none, and skip the 100-500 ms simplify costs."""
    squares: dict[Any, set] = {}
    for p in e.atoms(sp.Pow):
        if isinstance(p.base, sp.Function) and p.exp.is_Integer and abs(p.exp) >= 2:
            squares.setdefault(p.base.func, set()).add(p.base.args)
    funcs: dict[Any, set] = {}
    for f in e.atoms(sp.Function):
        funcs.setdefault(f.func, set()).add(f.args)
    for a, b in _PAIRS:
        if squares.get(a, set()) & funcs.get(b, set()) or squares.get(b, set()) & funcs.get(a, set()):
            return True
    if e.has(sp.exp) and e.has(sp.log):
        return True
    if any(isinstance(p.base, sp.Pow) and not p.exp.is_Integer for p in e.atoms(sp.Pow)):
        return True
    return False


def _arguments(e: Any) -> set:
    return {a for f in e.atoms(sp.Function) for a in f.args}


def _same_arguments(new: Any, old: Any) -> bool:
    """No function of a new argument: sin(2*x) from 2*sin(x)*cos(x) is refused."""
    return _arguments(new) <= _arguments(old)


def tidy_matrix(m: Any, seconds: float = SIMPLIFY_SECONDS) -> Any:
    """``tidy`` each entry of an explicit matrix within one total budget."""
    if not isinstance(m, sp.MatrixBase):
        return tidy(m, seconds)
    deadline = time.monotonic() + seconds
    cache: dict[Any, Any] = {}
    out = []
    for e in m:
        if e not in cache:
            left = deadline - time.monotonic()
            cache[e] = tidy(e, min(left, seconds / 4)) if left > 0 else e
        out.append(cache[e])
    return sp.ImmutableMatrix(m.rows, m.cols, out)
