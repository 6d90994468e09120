"""Gradients, Hessians, Jacobians and the chain rule for several variables.

The conventions follow *Mathematics for Machine Learning*, chapter 5: the
gradient of a scalar function is the row vector of partials (5.39), the
Jacobian of m functions of n variables is m x n, and the chain rule (5.49-5.53)
multiplies the 1 x k row df/dx by the k x p matrix dx/dt.  ``layout=
"denominator"`` gives the transposes (the Matrix Cookbook's convention).

Exactness and speed
-------------------
Every entry is exactly (``==``) what SymPy gives: a gradient entry is
``f.diff(x_j)``, a Jacobian entry ``f_i.diff(x_j)`` (``Matrix.jacobian``), a
Hessian entry ``f.diff(x_i).diff(x_j)`` for ``i <= j``, mirrored below the
diagonal (``sympy.hessian``).  Two things make big problems fast:

* sparsity: a sum is differentiated term by term, and only the terms that
  contain the variable are touched (``Add._eval_derivative`` differentiates
  every term, and the zeros vanish in ``Add``; the result is the same object).
  An entry whose variable does not occur is 0 without calling ``diff``.
* SymEngine, imported lazily, for problems with more than ``FAST_MIN_WORK``
  elementary derivatives, *when the expression lies in a class on which
  SymEngine's canonical forms provably agree with SymPy's* (sums of products
  of rationals, pi, surds, powers of symbols, and sin/cos/sinh/cosh/exp/log of
  a single symbol, at most one exp per product, no floats; see ``_se_safe``).
  Outside that class SymEngine's results are equal in value but differ in form
  (it merges ``exp(a)*exp(b)``, does not distribute numbers into sums, writes
  ``-(cot**2 + 1)`` ...), so those problems stay with SymPy.  Results are
  converted back once per distinct entry, with the caller's own Symbol objects
  (assumptions included).

Simplification (``simplify=True``) is bounded: the distinct nonzero entries
are simplified under one total budget (``SIMPLIFY_SECONDS``); results with
more than ``SIMPLIFY_MAX_ENTRIES`` distinct entries are returned as computed,
and a simplified entry is kept only when it is not longer than the original.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sympy
from sympy import Add, Expr, ImmutableMatrix, S, Symbol
from sympy.matrices import MatrixBase

from ..errors import InputError
from ..limits import SIMPLIFY_SECONDS
from ..model.layout import Layout, layout_of
from ..model.symbols import natural_order
from ..record import record
from ._symengine import SEContext, se_partials, terms
from ._symengine import se_safe as _se_safe
from .simplify import SIMPLIFY_MAX_ENTRIES, shorter, simplify_entries

__all__ = [
    "ChainResult",
    "natural_order",
    "gradient",
    "hessian",
    "jacobian",
    "determinant",
    "chain",
    "require_scalar",
    "simplify_entries",
    "FAST_MIN_WORK",
    "SIMPLIFY_MAX_ENTRIES",
]

#: Estimated number of elementary (term, variable) derivatives above which the
#: SymEngine engine pays for its import (~80-100 ms; SymPy needs 0.5-2 ms per
#: derivative of a small term).
FAST_MIN_WORK = 60

_ENGINES = ("auto", "sympy", "symengine")


# ---------------------------------------------------------------------------
# variable order and validation
# ---------------------------------------------------------------------------

def require_scalar(expr, command: str = "gradient") -> Expr:
    """Return ``expr`` as a scalar SymPy expression, or raise InputError.

    A vector (list, tuple, explicit Matrix) is pointed to ``jacobian``."""
    if isinstance(expr, (list, tuple, MatrixBase)) or getattr(expr, "is_Matrix", False):
        shape = getattr(expr, "shape", None)
        if shape == (1, 1):
            return expr[0, 0]
        what = f"a {shape[0]}x{shape[1]} matrix" if shape else "a vector"
        raise InputError(
            f"the {command} needs a scalar function, but the input is {what}",
            "for a vector function f1, f2, ... use `gradcli jacobian`",
        )
    try:
        expr = sympy.sympify(expr, strict=True)
    except (sympy.SympifyError, TypeError) as exc:
        raise InputError(f"the {command} needs a scalar expression, not {expr!r}") from exc
    if getattr(expr, "is_Relational", False) or getattr(expr, "is_Boolean", False):
        raise InputError(f"the {command} needs an expression, not the relation {expr}")
    return expr


def _check_variables(variables, what: str = "variable") -> tuple:
    if isinstance(variables, (Symbol, str)):
        variables = (variables,)
    out = []
    seen = set()
    for v in variables:
        if isinstance(v, str):
            if not v.strip():
                raise InputError(f"empty {what} name")
            v = Symbol(v.strip())
        if not isinstance(v, Symbol):
            raise InputError(f"cannot differentiate with respect to {v}: not a scalar variable")
        if not v.name.strip():
            raise InputError(f"empty {what} name")
        if v in seen:
            raise InputError(f"the {what} {v} is listed twice")
        seen.add(v)
        out.append(v)
    if not out:
        raise InputError(f"no {what}s to differentiate with respect to")
    return tuple(out)


def _default_variables(exprs) -> tuple:
    syms = set()
    for e in exprs:
        syms |= e.free_symbols
    syms = {s for s in syms if isinstance(s, Symbol)}
    if not syms:
        raise InputError("the expression has no variables; name them with --wrt")
    return natural_order(syms)


# ---------------------------------------------------------------------------
# engines: sparse first derivatives
# ---------------------------------------------------------------------------

def _groups(expr, index: dict) -> dict:
    """variable index -> the terms of expr that contain that variable."""
    groups: dict[int, list] = {}
    for t in terms(expr):
        for s in t.free_symbols:
            i = index.get(s)
            if i is not None:
                groups.setdefault(i, []).append(t)
    return groups


def _sympy_partials(expr, variables: Sequence, index: dict) -> dict:
    """{j: expr.diff(variables[j])} for the nonzero partials, exactly as
    ``expr.diff`` gives them, touching only the terms that contain x_j."""
    out = {}
    for j, ts in _groups(expr, index).items():
        v = variables[j]
        d = ts[0].diff(v) if len(ts) == 1 else Add(*[t.diff(v) for t in ts])
        if d != 0:
            out[j] = d
    return out


def _work(expr, index: dict, second: bool) -> int:
    n = 0
    for t in terms(expr):
        k = sum(1 for s in t.free_symbols if s in index)
        n += k + (k * (k + 1) // 2 if second else 0)
    return n


def _use_symengine(exprs, index, engine: str, second: bool) -> bool:
    if engine == "sympy":
        return False
    if engine == "auto":
        work = 0
        for e in exprs:
            work += _work(e, index, second)
            if work >= FAST_MIN_WORK:
                break
        if work < FAST_MIN_WORK:
            return False
    if not all(_se_safe(e) for e in exprs):
        return False
    names = {s.name for e in exprs for s in e.free_symbols} | {v.name for v in index}
    return len(names) == len({s for e in exprs for s in e.free_symbols} | set(index))


# ---------------------------------------------------------------------------
# building results
# ---------------------------------------------------------------------------

def _matrix(rows: int, cols: int, entries: dict) -> ImmutableMatrix:
    """An ImmutableMatrix from {(i, j): entry}; absent entries are 0.

    Builds SymPy's sparse internal representation directly (what
    ``ImmutableMatrix(rows, cols, flat)`` builds, without comparing 40,000
    zeros with 0); falls back to the public constructor."""
    dod: dict = {}
    types = set()
    for (i, j), e in entries.items():
        if e != 0:
            dod.setdefault(i, {})[j] = e
            types.add(type(e))
    if sum(len(r) for r in dod.values()) < rows * cols:
        types.add(type(S.Zero))
    try:
        from sympy.matrices.immutable import ImmutableDenseMatrix

        rep = ImmutableDenseMatrix._dod_to_DomainMatrix(rows, cols, dod, types)
        return ImmutableDenseMatrix._fromrep(rep)
    except Exception:  # noqa: BLE001 - SymPy internals changed: the public way
        flat = [S.Zero] * (rows * cols)
        for (i, j), e in entries.items():
            flat[i * cols + j] = e
        return ImmutableMatrix(rows, cols, flat)


def _prepare(exprs, variables, command):
    exprs = [require_scalar(e, command) for e in exprs]
    variables = _default_variables(exprs) if variables is None else _check_variables(variables)
    return exprs, variables


def _first_partials(exprs, variables, engine: str) -> list[dict]:
    """For each expression, {j: d expr / d x_j} over the nonzero partials."""
    if engine not in _ENGINES:
        raise ValueError(f"engine must be one of {_ENGINES}")
    index = {v: j for j, v in enumerate(variables)}
    if _use_symengine(exprs, index, engine, second=False):
        ctx = SEContext(_all_symbols(exprs, variables))
        svars = [ctx.map[v] for v in variables]
        sindex = {sv: j for j, sv in enumerate(svars)}
        out = []
        for e in exprs:
            parts = se_partials(ctx, ctx.to_se(e), svars, sindex)
            out.append({j: ctx.back(d) for j, d in parts.items()})
        return out
    return [_sympy_partials(e, variables, index) for e in exprs]


def _all_symbols(exprs, variables):
    syms = set(variables)
    for e in exprs:
        syms |= e.free_symbols
    return syms


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------

def gradient(expr, variables=None, *, layout: str = Layout.NUMERATOR, simplify: bool = True,
             engine: str = "auto") -> ImmutableMatrix:
    """The gradient of a scalar function: the 1 x n row of partials (5.39);
    ``layout="denominator"`` gives the n x 1 column.  ``variables=None``: the
    free symbols in natural order."""
    layout = layout_of(layout)
    (expr,), variables = _prepare([expr], variables, "gradient")
    (parts,) = _first_partials([expr], variables, engine)
    if simplify:
        parts = simplify_entries(parts)
    n = len(variables)
    if layout == Layout.NUMERATOR:
        return _matrix(1, n, {(0, j): e for j, e in parts.items()})
    return _matrix(n, 1, {(j, 0): e for j, e in parts.items()})


def jacobian(exprs, variables=None, *, layout: str = Layout.NUMERATOR, simplify: bool = True,
             engine: str = "auto") -> ImmutableMatrix:
    """The Jacobian of m functions of n variables: m x n, entry (i, j) =
    d f_i / d x_j; ``layout="denominator"`` gives the n x m transpose."""
    layout = layout_of(layout)
    if isinstance(exprs, MatrixBase):
        if 1 not in exprs.shape:
            raise InputError(f"the jacobian needs a vector of functions, not a {exprs.rows}x{exprs.cols} matrix")
        exprs = list(exprs)
    elif isinstance(exprs, (Expr, str)) or not isinstance(exprs, Iterable):
        exprs = [exprs]
    exprs = list(exprs)
    if not exprs:
        raise InputError("the jacobian needs at least one function")
    exprs, variables = _prepare(exprs, variables, "jacobian")
    rows = _first_partials(exprs, variables, engine)
    entries = {(i, j): e for i, r in enumerate(rows) for j, e in r.items()}
    if simplify:
        entries = simplify_entries(entries)
    m, n = len(exprs), len(variables)
    if layout == Layout.NUMERATOR:
        return _matrix(m, n, entries)
    return _matrix(n, m, {(j, i): e for (i, j), e in entries.items()})


def hessian(expr, variables=None, *, simplify: bool = True, engine: str = "auto") -> ImmutableMatrix:
    """The symmetric n x n matrix of second partials; entry (i, j), i <= j, is
    ``f.diff(x_i).diff(x_j)`` (as ``sympy.hessian``), mirrored below."""
    (expr,), variables = _prepare([expr], variables, "hessian")
    if engine not in _ENGINES:
        raise ValueError(f"engine must be one of {_ENGINES}")
    index = {v: j for j, v in enumerate(variables)}
    entries: dict = {}
    if _use_symengine([expr], index, engine, second=True):
        ctx = SEContext(_all_symbols([expr], variables))
        svars = [ctx.map[v] for v in variables]
        sindex = {sv: j for j, sv in enumerate(svars)}
        grad = se_partials(ctx, ctx.to_se(expr), svars, sindex)
        for i, gi in grad.items():
            for j, d in se_partials(ctx, gi, svars, sindex).items():
                if j >= i:
                    entries[(i, j)] = ctx.back(d)
    else:
        grad = _sympy_partials(expr, variables, index)
        for i, gi in grad.items():
            for j, d in _sympy_partials(gi, variables, index).items():
                if j >= i:
                    entries[(i, j)] = d
    if simplify:
        entries = simplify_entries(entries)
    full = dict(entries)
    for (i, j), e in entries.items():
        full[(j, i)] = e
    n = len(variables)
    return _matrix(n, n, full)


def determinant(M) -> Expr:
    """The determinant of a square matrix, simplified within the budget."""
    if not isinstance(M, MatrixBase):
        M = ImmutableMatrix(M)
    if M.rows != M.cols:
        raise InputError(
            f"the determinant needs a square Jacobian, but it is {M.rows}x{M.cols}",
            "give as many functions as variables",
        )
    d = M.det()
    if d.is_Atom:
        return d
    return shorter(d, SIMPLIFY_SECONDS)


@record
class ChainResult:
    """The chain rule (5.49-5.53) for f(x1..xk), x_i = g_i(t1..tp)."""

    function: Expr
    variables: tuple          # x1..xk
    parameters: tuple         # t1..tp
    substitutions: tuple      # ((x_i, g_i), ...)
    df_dx: ImmutableMatrix    # 1 x k, in terms of x
    dx_dt: ImmutableMatrix    # k x p
    product: ImmutableMatrix  # 1 x p: df_dx (x substituted) times dx_dt, as computed
    result: object            # simplified; a scalar when p == 1, else 1 x p


def chain(expr, substitutions, parameters=None, *, simplify: bool = True) -> ChainResult:
    """The chain rule: df/dt = (df/dx)(dx/dt).

    ``substitutions``: {x_i: g_i} (a dict, or pairs), in the order to show.
    ``parameters``: t1..tp; None takes the free symbols of the g_i in natural
    order."""
    expr = require_scalar(expr, "chain rule")
    pairs = list(substitutions.items()) if isinstance(substitutions, dict) else list(substitutions)
    if not pairs:
        raise InputError("the chain rule needs at least one substitution x=g(t)")
    xs = _check_variables([x for x, _ in pairs], "substituted variable")
    gs = [require_scalar(g, "chain rule") for _, g in pairs]
    free = expr.free_symbols
    missing = [x for x in xs if x not in free]
    if missing:
        names = ", ".join(str(x) for x in missing)
        raise InputError(
            f"the function {expr} does not contain {names}",
            f"substitute only variables of the function: {', '.join(str(s) for s in natural_order(free)) or 'none'}",
        )
    xset = set(xs)
    for x, g in zip(xs, gs):
        inner = g.free_symbols & xset
        if inner:
            raise InputError(
                f"the substitution {x}={g} uses {', '.join(str(s) for s in natural_order(inner))}, "
                "which is itself substituted"
            )
    if parameters is None:
        params = set()
        for g in gs:
            params |= g.free_symbols
        if not params:
            raise InputError("the substitutions contain no parameter to differentiate with respect to")
        parameters = natural_order(params)
    else:
        parameters = _check_variables(parameters, "parameter")
        clash = set(parameters) & xset
        if clash:
            raise InputError(f"{', '.join(map(str, natural_order(clash)))} cannot be both substituted and a parameter")
    df_dx = gradient(expr, xs, simplify=simplify)
    dx_dt = jacobian(gs, parameters, simplify=simplify)
    sub = dict(zip(xs, gs))
    row = df_dx.xreplace(sub)
    product = ImmutableMatrix(row * dx_dt)
    entries = {(0, j): product[0, j] for j in range(product.cols)}
    if simplify:
        entries = simplify_entries(entries)
    res = _matrix(1, product.cols, entries)
    result = res[0, 0] if res.cols == 1 else res
    return ChainResult(
        function=expr,
        variables=xs,
        parameters=tuple(parameters),
        substitutions=tuple(zip(xs, gs)),
        df_dx=df_dx,
        dx_dt=dx_dt,
        product=product,
        result=result,
    )
