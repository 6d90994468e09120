"""Taylor polynomials T_n (5.7, 5.8): one variable about x0, several by total degree.

``taylor`` drives the power-series engine (``engine``: truncated series arithmetic over the
coefficient domains of ``domains``), falls back to repeated differentiation for functions
the engine does not know, and builds the polynomial and its table of coefficients.  A point
where the function is not analytic is a ``NotAnalyticError``.  Nothing here catches
BaseException, so the caller's ``time_limit`` always applies.
"""

from __future__ import annotations

from math import factorial as _ifact

import sympy
from sympy.polys.domains import EX

from ...errors import InputError, NotAnalyticError
from ...limits import MAX_ORDER, check_taylor
from ...record import record
from .domains import _Escalate, _EXDom, _FracDom, _NeedPrecision, _PolyDom, _QQDom, _Singular, _Unsupported
from .engine import _S, _Engine

METHOD_SERIES = "power series arithmetic"
METHOD_DERIVATIVES = "derivatives"


@record
class TaylorTerm:
    """One coefficient of the Taylor polynomial."""

    #: Exponent per variable (one variable: ``(k,)``).
    powers: tuple[int, ...]
    #: The (partial) derivative at the center: f^(k)(x0), or d^|a| f / dx^a.
    derivative: sympy.Expr
    #: ``derivative / a!``: the coefficient of (x - x0)^a.
    coefficient: sympy.Expr


@record
class TaylorResult:
    function: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    center: tuple[sympy.Expr, ...]
    order: int
    #: In powers of (x - x0), or of x when ``expanded``.
    polynomial: sympy.Expr
    #: By increasing total degree; one variable: every k (zeros included);
    #: several variables: the nonzero coefficients only.
    terms: tuple[TaylorTerm, ...]
    expanded: bool
    method: str


# --------------------------------------------------------------------------
# Driving the engine


def _check_args(expr, variables, center, order):
    if isinstance(order, bool) or not isinstance(order, int):
        try:
            order_int = int(order)
        except (TypeError, ValueError):
            raise InputError(f"the order must be a whole number, not {order!r}") from None
        if order_int != order:
            raise InputError(f"the order must be a whole number, not {order!r}")
        order = order_int
    if order < 0:
        raise InputError(f"the order must be 0 or more, not {order}")
    if order > MAX_ORDER:
        raise InputError(
            f"order {order} is too large", f"the largest order gradcli computes is {MAX_ORDER}"
        )
    if isinstance(variables, sympy.Symbol):
        variables = (variables,)
    variables = tuple(variables)
    if not variables:
        raise InputError("taylor needs at least one variable")
    for v in variables:
        if not isinstance(v, sympy.Symbol):
            raise InputError(f"{v} is not a variable")
    if len(set(variables)) != len(variables):
        raise InputError("a variable is named twice")
    check_taylor(len(variables), order)  # before any work: C(n + k, k) terms
    if isinstance(center, (str, bytes)):
        raise InputError("the center must be an expression, not text")
    if not isinstance(center, (list, tuple)):
        center = (center,)
    try:
        center = tuple(sympy.sympify(c, strict=True) for c in center)
    except sympy.SympifyError:
        raise InputError("the center must be a number or an expression") from None
    if len(center) != len(variables):
        raise InputError(
            f"{len(variables)} variable(s) but a center with {len(center)} coordinate(s)"
        )
    for c in center:
        if c.free_symbols & set(variables):
            raise InputError(f"the center {c} contains a variable of the expansion")
        if c.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise InputError(f"the center {c} is not a finite point")
    try:
        expr = sympy.sympify(expr, strict=True)
    except sympy.SympifyError:
        raise InputError("taylor needs an expression") from None
    if not isinstance(expr, sympy.Expr) or getattr(expr, "is_Matrix", False) or isinstance(
        expr, sympy.MatrixExpr
    ):
        raise InputError("taylor needs a scalar expression")
    return expr, variables, center, order


def _point_text(variables, center):
    return ", ".join(f"{v} = {c}" for v, c in zip(variables, center))


def _not_analytic(expr, variables, center):
    return NotAnalyticError(
        f"{expr} is not analytic at {_point_text(variables, center)}: "
        "it has no Taylor polynomial there",
        "choose another point with --at",
    )


def _run_series(expr, variables, center, n):
    """Coefficient dict {powers: Expr} of degree <= n, by the series engine."""
    m = len(variables)
    if m == 1:
        xs = ()
        doms = [_QQDom, _EXDom]
    else:
        xs = tuple(sympy.Dummy(f"d{v}") for v in variables)
        doms = [_PolyDom, _FracDom, _EXDom]
    W = n + 1
    max_W = 2 * (n + 1) + 256
    di = 0
    while True:
        dom = doms[di](xs)
        try:
            leaves = {}
            eng = _Engine(dom, W, leaves)
            pad = [dom.zero] * W
            for i, (v, c) in enumerate(zip(variables, center)):
                lin = dom.one if m == 1 else dom.gen(i)
                c0 = dom.from_expr(c)
                if dom.is_zero(c0):
                    leaves[v] = _S(1, ([lin] + pad)[:W])
                else:
                    leaves[v] = _S(0, ([c0, lin] + pad)[:W])
            s = eng.series(expr)
        except _Escalate:
            di += 1
            if di >= len(doms):  # pragma: no cover - EX holds everything
                raise _Unsupported from None
            continue
        except _NeedPrecision:
            if W >= max_W:
                raise _Singular from None
            W = min(2 * W + 8, max_W)
            continue
        if s.c and s.v < 0:
            raise _Singular
        if s.N < n + 1:
            if W >= max_W:
                raise _Singular
            W = min(W + (n + 1 - s.N), max_W)
            continue
        break
    out: dict[tuple[int, ...], sympy.Expr] = {}
    for i, c in enumerate(s.c):
        k = s.v + i
        if k > n:
            break
        if m == 1:
            out[(k,)] = dom.ground(c) if dom.name == "QQ" else c.ex
        else:
            for mon, val in dom.to_dict(c).items():
                out[tuple(int(p) for p in mon)] = val
    return out


def _finite(val):
    if val.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return False
    # Heaviside(x) at 0: its derivatives are DiracDelta(0), not numbers
    if any(d.args[0].is_zero for d in val.atoms(sympy.DiracDelta)):
        raise _Singular
    return True


def _run_derivatives(expr, variables, center, n):
    """Coefficient dict by repeated differentiation (the general fallback)."""
    subs = dict(zip(variables, center))
    m = len(variables)
    out: dict[tuple[int, ...], sympy.Expr] = {}
    if m == 1:
        x, x0 = variables[0], center[0]
        d = expr
        for k in range(n + 1):
            if k:
                d = sympy.diff(d, x)
            val = d.subs(x, x0)
            if not _finite(val):
                try:
                    val = sympy.limit(d, x, x0, dir="+-")
                except Exception:  # noqa: BLE001 - a limit SymPy cannot take: no Taylor polynomial
                    raise _Singular from None
                if not _finite(val) or val.has(sympy.Limit):
                    raise _Singular
            out[(k,)] = val / _ifact(k)
        return out
    derivs = {(0,) * m: expr}
    for deg in range(n + 1):
        for powers in _multi_indices(m, deg):
            if powers not in derivs:
                i = next(j for j, p in enumerate(powers) if p)
                prev = powers[:i] + (powers[i] - 1,) + powers[i + 1 :]
                derivs[powers] = sympy.diff(derivs[prev], variables[i])
            val = derivs[powers].subs(subs)
            if not _finite(val):
                raise _Singular
            denom = 1
            for p in powers:
                denom *= _ifact(p)
            out[powers] = val / denom
    return out


def _multi_indices(m, deg):
    """All exponent tuples of length m and total degree deg, x1-major first."""
    if m == 1:
        yield (deg,)
        return
    for first in range(deg, -1, -1):
        for rest in _multi_indices(m - 1, deg - first):
            yield (first,) + rest


def _term_expr(coeff, factors):
    """coeff * prod(factors), kept as c*(x - x0) rather than distributed."""
    if not factors:
        return coeff
    if coeff == 1:
        return sympy.Mul(*factors)
    if coeff.is_Number and len(factors) == 1 and factors[0].is_Add:
        return sympy.Mul(coeff, factors[0], evaluate=False)
    return sympy.Mul(coeff, *factors)


def _expanded_polynomial(coeffs, variables, center):
    """sum coeff * prod (x_i - x0_i)^p_i, expanded in powers of the x_i."""
    from sympy.polys.constructor import construct_domain
    from sympy.polys.rings import ring

    try:
        dom = construct_domain(list(coeffs.values()) + list(center), field=True)[0]
    except Exception:  # noqa: BLE001 - any failure: the general expression domain
        dom = EX

    R, *gens = ring(list(variables), dom)
    shifts = [g - R.ground_new(dom.from_sympy(c)) for g, c in zip(gens, center)]
    powers_cache: dict = {}

    def power(i, p):
        key = (i, p)
        r = powers_cache.get(key)
        if r is None:
            r = R.one if p == 0 else power(i, p - 1) * shifts[i]
            powers_cache[key] = r
        return r

    total = R.zero
    for pw, c in coeffs.items():
        term = R.ground_new(dom.from_sympy(c))
        for i, p in enumerate(pw):
            if p:
                term = term * power(i, p)
        total += term
    return total.as_expr()


def taylor(expr, variables, center, order, *, expand=False) -> TaylorResult:
    """The Taylor polynomial of total degree ``order`` of ``expr`` about ``center``.

    ``variables``: a Symbol or a sequence of them; ``center``: a point (an
    expression per variable; a single expression for one variable).  Raises
    ``InputError`` for bad arguments (order > 1000 among them) and
    ``NotAnalyticError`` when ``expr`` is not analytic at the center.
    """
    expr, variables, center, n = _check_args(expr, variables, center, order)
    m = len(variables)
    method = METHOD_SERIES
    try:
        try:
            coeffs = _run_series(expr, variables, center, n)
        except _Unsupported:
            method = METHOD_DERIVATIVES
            coeffs = _run_derivatives(expr, variables, center, n)
    except _Singular:
        raise _not_analytic(expr, variables, center) from None

    zero = sympy.S.Zero
    if m == 1:
        keys = [(k,) for k in range(n + 1)]
    else:
        keys = [pw for deg in range(n + 1) for pw in _multi_indices(m, deg) if coeffs.get(pw, zero) != 0]
    terms = []
    pieces = []
    shifts = [v - c for v, c in zip(variables, center)]
    for pw in keys:
        c = sympy.sympify(coeffs.get(pw, zero))
        mult = 1
        for p in pw:
            mult *= _ifact(p)
        terms.append(TaylorTerm(powers=pw, derivative=c * mult, coefficient=c))
        if c != 0:
            pieces.append(_term_expr(c, [s**p if p != 1 else s for s, p in zip(shifts, pw) if p]))
    polynomial = sympy.Add(*pieces)
    if expand and any(c != 0 for c in center):
        nonzero = {t.powers: t.coefficient for t in terms if t.coefficient != 0}
        polynomial = _expanded_polynomial(nonzero, variables, center)
    return TaylorResult(
        function=expr,
        variables=variables,
        center=center,
        order=n,
        polynomial=polynomial,
        terms=tuple(terms),
        expanded=bool(expand),
        method=method,
    )
