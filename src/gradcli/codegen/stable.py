"""Numerically stable forms of what overflows when printed as written.

``log(1 + exp(z))`` overflows for z above about 709 (exp(z) is inf) and loses everything below
about -37 (1 + exp(z) is 1); ``exp(z) / (1 + exp(z))`` is inf / inf = nan for large z;
``log(exp(a) + exp(b))`` overflows where the answer is an ordinary number.  The trees are
rewritten, exactly, into three functions whose printing rules (``_print_Softplus``,
``_print_Sigmoid``, ``_print_LogAddExp`` in each target's printer) compute them stably:

* ``log(c0 + c1 exp(a1) + ...)`` (positive constants c) -> ``LogAddExp(a0', a1', ...)`` with
  aj' = aj + log(cj); ``log(1 + exp(z))`` -> ``Softplus(z)``;
* a term with a power of ``1 + exp(u)`` in its denominator, which is a rational function of
  E = exp(u) (every exp in it of an integer multiple of u), becomes a polynomial in
  p = Sigmoid(u) and q = Sigmoid(-u), from E = p/q and 1 + E = 1/q:
  E^a / (1 + E)^k = p^a q^(k - a)  (so exp(u) / (1 + exp(u))^2 = Sigmoid(u) Sigmoid(-u));
* a remaining power ``(exp(a) + exp(b) + ...)^-k`` -> ``exp(-k LogAddExp(a, b, ...))``, and the
  exps of one product are gathered: exp(a) / (exp(a) + exp(b)) = exp(a - LogAddExp(a, b)).

Functions of issue 16 (sigmoid, softplus, logsumexp of the language) get their own printing
rules beside these.
"""

from __future__ import annotations

from typing import Any

import sympy as sp


class Softplus(sp.Function):
    """log(1 + exp(z)), computed without overflow."""

    nargs = 1
    is_real = True


class Sigmoid(sp.Function):
    """1 / (1 + exp(-z)), computed without overflow."""

    nargs = 1
    is_real = True


class LogAddExp(sp.Function):
    """log(exp(a) + exp(b) + ...), computed without overflow (two or more arguments)."""

    is_real = True


def stabilize(expr: Any) -> Any:
    """``expr`` with the stable forms above (the same function, exactly)."""
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(stabilize)
    if not isinstance(expr, sp.Basic) or not expr.has(sp.exp):
        return expr
    expr = expr.replace(_is_log_of_exps, _log_of_exps)
    expr = _outermost(expr, _has_logistic_denominator, _logistic)
    expr = expr.replace(_is_reciprocal_of_exps, _reciprocal_of_exps)
    return expr.replace(_has_lse_factor, _gather_exps)


def _outermost(expr: Any, query: Any, rewrite: Any) -> Any:
    """``rewrite`` applied to the outermost subexpressions ``query`` accepts."""
    if query(expr):
        return rewrite(expr)
    if not expr.args or isinstance(expr, sp.MatrixSymbol):
        return expr
    args = [_outermost(a, query, rewrite) for a in expr.args]
    return expr.func(*args) if any(a is not b for a, b in zip(args, expr.args)) else expr


# -- sums of exponentials ---------------------------------------------------------------

def _exponents(total: Any) -> list[Any] | None:
    """a0, a1, ... with total = exp(a0) + exp(a1) + ... (a positive constant c is exp(log c)),
    when ``total`` is such a sum of two or more terms with at least one exp; else None."""
    if not isinstance(total, sp.Add):
        return None
    out: list[Any] = []
    seen_exp = False
    for term in total.args:
        coeff, rest = term.as_coeff_Mul()
        factors = sp.Mul.make_args(rest)
        if not (coeff.is_positive and coeff.is_number):
            return None
        exponent = sp.log(coeff) if coeff != 1 else sp.S.Zero
        for factor in factors:
            if isinstance(factor, sp.exp):
                exponent += factor.args[0]
                seen_exp = True
            elif factor.is_number and factor.is_positive:
                exponent += sp.log(factor)
            elif factor != 1:
                return None
        out.append(exponent)
    return out if seen_exp else None


def _is_log_of_exps(e: Any) -> bool:
    return isinstance(e, sp.log) and len(e.args) == 1 and _exponents(e.args[0]) is not None


def _lse(exponents: list[Any]) -> Any:
    if len(exponents) == 2 and sp.S.Zero in exponents:
        other = exponents[1] if exponents[0] == 0 else exponents[0]
        return Softplus(other)
    return LogAddExp(*exponents)


def _log_of_exps(e: Any) -> Any:
    return _lse(_exponents(e.args[0]))


def _is_reciprocal_of_exps(e: Any) -> bool:
    return (isinstance(e, sp.Pow) and e.exp.is_number and e.exp.is_negative
            and _exponents(e.base) is not None)


def _reciprocal_of_exps(e: Any) -> Any:
    return sp.exp(e.exp * _lse(_exponents(e.base)))


def _has_lse_factor(e: Any) -> bool:
    if not isinstance(e, sp.Mul):
        return False
    exps = [a for a in e.args if isinstance(a, sp.exp)]
    return len(exps) > 1 and any(a.has(LogAddExp, Softplus) for a in exps)


def _gather_exps(e: Any) -> Any:
    exps = [a for a in e.args if isinstance(a, sp.exp)]
    rest = [a for a in e.args if not isinstance(a, sp.exp)]
    return sp.Mul(*rest) * sp.exp(sp.Add(*(a.args[0] for a in exps)))


# -- rational functions of exp(u) with (1 + exp(u)) in the denominator -----------------------

def _logistic_exponent(base: Any) -> Any:
    """u when ``base`` is a polynomial in E = exp(u) with the factor 1 + E; else None."""
    if not isinstance(base, sp.Add):
        return None
    exps = list(base.atoms(sp.exp))
    if not exps:
        return None
    u = min((e.args[0] for e in exps), key=sp.count_ops)
    if not u.free_symbols:
        return None
    powers = _powers_of(base, u)
    if powers is None:
        return None
    E = sp.Dummy("E")
    poly = sp.expand(base.xreplace({e: E**k for e, k in powers.items()}))
    if poly.has(sp.exp) or not poly.is_polynomial(E):
        return None
    return u if sp.expand(poly.subs(E, -1)) == 0 else None


def _powers_of(expr: Any, u: Any) -> dict[Any, int] | None:
    """{exp(k u): k} for every exp in ``expr`` (None when one is not an integer multiple of u)."""
    out: dict[Any, int] = {}
    for e in expr.atoms(sp.exp):
        ratio = sp.cancel(e.args[0] / u)
        if not ratio.is_Integer:
            return None
        out[e] = int(ratio)
    return out


def _logistic_base(e: Any) -> Any:
    """u of the first factor (1 + exp(u))^-k of a product or power, else None."""
    factors = e.args if isinstance(e, sp.Mul) else (e,)
    for factor in factors:
        if isinstance(factor, sp.Pow) and factor.exp.is_Integer and factor.exp < 0:
            u = _logistic_exponent(factor.base)
            if u is not None:
                return u
    return None


def _has_logistic_denominator(e: Any) -> bool:
    return isinstance(e, (sp.Mul, sp.Pow)) and _logistic_base(e) is not None


def _logistic(e: Any) -> Any:
    u = _logistic_base(e)
    powers = _powers_of(e, u)
    if powers is None:
        return e
    E = sp.Dummy("E", positive=True)
    rational = e.xreplace({x: E**k for x, k in powers.items()})
    num, den = sp.fraction(sp.cancel(sp.together(rational)))
    if not (num.is_polynomial(E) and den.is_polynomial(E)):
        return e
    den_poly = sp.Poly(den, E)
    k = s = 0
    one_plus = sp.Poly(E + 1, E)
    while den_poly.degree() > 0:
        quotient, remainder = sp.div(den_poly, one_plus)
        if not remainder.is_zero:
            break
        den_poly, k = quotient, k + 1
    while den_poly.degree() > 0 and den_poly.eval(0) == 0:
        den_poly, s = sp.Poly(sp.cancel(den_poly.as_expr() / E), E), s + 1
    if den_poly.degree() != 0 or k == 0:
        return e
    constant = den_poly.as_expr()
    p, q = Sigmoid(u), Sigmoid(-u)
    terms = [c * p ** (j - s) * q ** (k - j + s)
             for (j,), c in sp.Poly(num, E).terms()]
    return sp.factor_terms(sp.Add(*terms) / constant)
