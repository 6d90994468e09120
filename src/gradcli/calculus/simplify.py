"""The simplification policy: every simplification gradcli does to what it shows is here.

One rule throughout: a simplification is bounded in time (a result that does not simplify
quickly is shown as computed), never multiplies out huge powers of sums (``expands_too_much``),
and is kept only when it is not longer.  What each kind of result gets:

* ``tidy`` (``tidy_matrix`` entry by entry, ``tidy_result`` for either; a matrix expression
  stays as the matrix calculus writes it): derivatives (``derivative``) -- the shortest
  of a few cheap rewritings (cancel, together, factor_terms), and SymPy's full ``simplify``
  only when it shortens the result a lot without functions of new arguments:
  ``2*sin(x)*cos(x)`` stays as the product rule gives it rather than ``sin(2*x)``.
* ``shorter`` (``simplify_entries`` for the distinct entries of a result, under one
  budget): the entries of gradients, Hessians, Jacobians, the chain rule and determinants
  -- SymPy's ``simplify``, kept when not longer.
* ``exact_value``: an exact value at a point (``sqrt(2)/2 + sin(1)**2 + cos(1)**2``) --
  SymPy's ``simplify`` within a second.
* ``tidy_numbers``: the exact numbers of an ``autodiff`` trace -- ``tidy``, or the terms
  collected by their irrational parts where that is shorter.
* ``light``: a step of ``--steps`` -- ``together`` or ``factor_terms`` where shorter,
  never ``simplify`` (a step's equation stays the rule's).
* ``coefficient``: a coefficient of a symbolic matrix derivative -- ``factor_terms``, and
  ``simplify`` where it shortens.
"""

from __future__ import annotations

import math
import time
from typing import Any

import sympy as sp

from ..limits import MAX_EXPANDED_TERMS, SIMPLIFY_SECONDS, bounded

#: Above this many operations a result is not simplified at all.
MAX_OPS = 400
#: Results with more distinct nonzero entries than this are not simplified.
SIMPLIFY_MAX_ENTRIES = 64
#: Budget for simplifying one coefficient of a matrix derivative, in seconds.
COEFF_SIMPLIFY_SECONDS = 1.0


def _ops(e: Any) -> int:
    return sp.count_ops(e, visual=False)


def expands_too_much(e: Any) -> bool:
    """Whether multiplying ``e`` out (``expand``, ``cancel``, ``together``) could give more
    than MAX_EXPANDED_TERMS terms: a power (a + b + ...)^n of k terms has C(n + k - 1, k - 1).
    Such rewrites are skipped: (x + 1)^999999 multiplied out is a million huge coefficients."""
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
        consider(bounded(lambda rewrite=rewrite: rewrite(expr), left, None))
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


def tidy_result(obj: Any) -> Any:
    """A derivative as shown: an explicit matrix entry by entry, a scalar by ``tidy``; a
    matrix expression as the matrix calculus wrote it."""
    if isinstance(obj, sp.MatrixBase):
        return tidy_matrix(obj)
    if isinstance(obj, sp.MatrixExpr):
        return obj
    return tidy(obj)


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


# -- the entries of gradients, Hessians, Jacobians ----------------------------------------

def shorter(e: Any, seconds: float) -> Any:
    """SymPy's ``simplify`` of ``e`` within ``seconds``, kept when it is not longer."""
    if expands_too_much(e):  # (x + y)^999999: simplify would multiply it out
        return e
    s = bounded(lambda: sp.simplify(e), seconds, e)
    if s is e or s == e:
        return e
    try:
        if sp.count_ops(s) <= sp.count_ops(e):
            return s
    except Exception:  # noqa: BLE001
        pass
    return e


def simplify_entries(entries: dict, budget: float | None = None) -> dict:
    """``shorter`` of the values of ``entries`` (distinct values once) under a total time
    budget; values left over, or that do not get shorter, stay as given.  Returns a new dict
    with the same keys."""
    budget = SIMPLIFY_SECONDS if budget is None else budget
    distinct = []
    seen = set()
    for e in entries.values():
        if e in seen or e.is_Atom:
            continue
        seen.add(e)
        distinct.append(e)
    if not distinct or len(distinct) > SIMPLIFY_MAX_ENTRIES:
        return dict(entries)
    deadline = time.monotonic() + budget
    done: dict = {}
    for e in distinct:
        left = deadline - time.monotonic()
        if left < 0.02:
            break
        done[e] = shorter(e, left)
    return {k: done.get(v, v) for k, v in entries.items()}


# -- values at a point ------------------------------------------------------------------

def exact_value(value: Any) -> Any:
    """An exact value at a point, simplified within a second."""
    if not isinstance(value, sp.Expr) or value.is_Rational:
        return value
    return bounded(lambda: sp.simplify(value), 1.0, value)


def tidy_numbers(numbers: list[Any], budget: float | None = None) -> list[Any]:
    """Each distinct exact number as the shorter of ``tidy`` of it and of its terms collected
    by their irrational parts (an adjoint such as k e + k, k = 1/(2 sqrt(1 + e)) - sin(1 + e),
    becomes sqrt(1 + e)/2 - (1 + e) sin(1 + e)), under one total budget (a big trace's
    numbers past it are shown as computed).  Cheap rewrites only, so that the same input
    prints the same on a slower machine."""
    deadline = time.monotonic() + (SIMPLIFY_SECONDS if budget is None else budget)
    done: dict[Any, Any] = {}
    out = []
    for n in numbers:
        if n not in done:
            best = n
            left = deadline - time.monotonic()
            if left > 0.01 and isinstance(n, sp.Expr) and not n.is_Atom:
                best = tidy(n, min(left, 0.5))
                left = deadline - time.monotonic()
                other = bounded(lambda n=n: _collected(n), min(left, 0.5), None) if left > 0.01 else None
                if other is not None:
                    other = tidy(other, min(max(deadline - time.monotonic(), 0.01), 0.5))
                    if sp.count_ops(other) < sp.count_ops(best):
                        best = other
            done[n] = best
        out.append(done[n])
    return out


def _collected(n: Any) -> Any:
    """n expanded, its terms collected by the functions and roots in it, each coefficient factored."""
    if sp.count_ops(n) > MAX_OPS:
        return None
    e = sp.expand(n)
    if sp.count_ops(e) > MAX_OPS:
        return None
    parts = sorted((a for a in e.atoms(sp.Function, sp.Pow) if not (isinstance(a, sp.Pow) and a.exp.is_Integer)),
                   key=sp.default_sort_key)
    # collected by stand-ins: SymPy's collect matches powers against exp(...) patterns, and so
    # rewrote sigmoid(c)**2 beside exp(r) as exp(r'/log(sigmoid(c))), another number
    stand = {p: sp.Dummy("u") for p in parts}
    back = {d: p for p, d in stand.items()}
    terms = sp.collect(e.xreplace(stand), list(stand.values()), evaluate=False)
    return sp.Add(*(sp.factor(coefficient.xreplace(back)) * part.xreplace(back) for part, coefficient in terms.items()))


# -- steps and matrix coefficients ----------------------------------------------------------

def light(expr: Any) -> Any:
    """A light, bounded tidy-up of a step's result: the shortest of the result,
    ``together`` and ``factor_terms`` of it (each an identity, never simplify)."""
    if expr.is_Atom or sp.count_ops(expr) > 200:
        return expr

    def shortest() -> Any:
        best, best_ops = expr, sp.count_ops(expr)
        for f in (sp.together, sp.factor_terms):
            cand = f(expr)
            ops = sp.count_ops(cand)
            if ops < best_ops:
                best, best_ops = cand, ops
        return best

    return bounded(shortest, 0.5, expr)


def coefficient(c: Any) -> Any:
    """A coefficient of a symbolic matrix derivative: ``factor_terms``, then ``simplify``
    where it is shorter, within COEFF_SIMPLIFY_SECONDS."""
    if c.is_Number or not c.is_Add:
        return c
    return bounded(lambda: _nicer(c), COEFF_SIMPLIFY_SECONDS, c)


def _nicer(c: Any) -> Any:
    best = c
    for f in (sp.factor_terms, lambda e: sp.factor_terms(sp.simplify(e))):
        s = f(best)
        if s == 0:
            return s
        if sp.count_ops(s) < sp.count_ops(best) or (f is sp.factor_terms and sp.count_ops(s) <= sp.count_ops(best)):
            best = s
    return best
