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

import re
import time
from ..record import record
from typing import Callable, Iterable, Sequence

import sympy
from sympy import Add, Expr, ImmutableMatrix, Mul, Pow, S, Symbol
from sympy.matrices import MatrixBase

from ..errors import InputError
from ..limits import SIMPLIFY_SECONDS, bounded

__all__ = [
    "ChainResult",
    "natural_order",
    "gradient",
    "hessian",
    "jacobian",
    "determinant",
    "chain",
    "evaluate",
    "matrix_strings",
    "require_scalar",
    "simplify_entries",
    "FAST_MIN_WORK",
    "SIMPLIFY_MAX_ENTRIES",
]

#: Estimated number of elementary (term, variable) derivatives above which the
#: SymEngine engine pays for its import (~80-100 ms; SymPy needs 0.5-2 ms per
#: derivative of a small term).
FAST_MIN_WORK = 60

#: Results with more distinct nonzero entries than this are not simplified.
SIMPLIFY_MAX_ENTRIES = 64

_ENGINES = ("auto", "sympy", "symengine")


# ---------------------------------------------------------------------------
# variable order and validation
# ---------------------------------------------------------------------------

_DIGITS = re.compile(r"(\d+)")


def natural_key(sym) -> tuple:
    """Sort key for a symbol or a name: digit runs compared as numbers (x2 before x10)."""
    name = getattr(sym, "name", str(sym))
    parts = _DIGITS.split(name)
    # even positions are text, odd positions digit runs: types line up
    key = tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(parts))
    return (key, name, str(getattr(sym, "assumptions0", "")))


def natural_order(symbols: Iterable) -> tuple:
    """The symbols sorted by name, digit runs compared as numbers:
    ``x2`` before ``x10``, ``x_2`` before ``x_10``, ``a`` before ``b``.
    Duplicates are dropped."""
    return tuple(sorted(set(symbols), key=natural_key))


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

def _terms(expr) -> tuple:
    return expr.args if isinstance(expr, Add) else (expr,)


def _groups(expr, index: dict) -> dict:
    """variable index -> the terms of expr that contain that variable."""
    groups: dict[int, list] = {}
    for t in _terms(expr):
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
    for t in _terms(expr):
        k = sum(1 for s in t.free_symbols if s in index)
        n += k + (k * (k + 1) // 2 if second else 0)
    return n


_SAFE_FUNCS: tuple | None = None


def _safe_funcs() -> tuple:
    global _SAFE_FUNCS
    if _SAFE_FUNCS is None:
        _SAFE_FUNCS = (sympy.sin, sympy.cos, sympy.sinh, sympy.cosh, sympy.exp, sympy.log)
    return _SAFE_FUNCS


def _se_safe(expr) -> bool:
    """Whether SymEngine's derivatives of expr (of any order) are exactly
    SymPy's once converted back: a sum of products of rational numbers, pi,
    surds (positive integer ** rational), powers (rational exponents) of
    symbols and of sin/cos/sinh/cosh/log of a single symbol, and at most one
    exp(symbol) per product.  The class is closed under differentiation."""
    funcs = _safe_funcs()
    for t in _terms(expr):
        nexp = 0
        for a in (t.args if isinstance(t, Mul) else (t,)):
            if a.is_Symbol or a.is_Rational or a is S.Pi:
                continue
            if isinstance(a, Pow):
                base, e = a.args
                if not e.is_Rational:
                    return False
                if base.is_Symbol:
                    continue
                if base.is_Integer and base.is_positive:
                    continue
                if (isinstance(base, funcs) and not isinstance(base, sympy.exp)
                        and base.args[0].is_Symbol):
                    continue
                return False
            if isinstance(a, funcs) and a.args[0].is_Symbol:
                if isinstance(a, sympy.exp):
                    nexp += 1
                continue
            return False
        if nexp > 1:
            return False
    return True


def _import_symengine():
    """Import SymEngine (lazily: only big problems need it).

    SymEngine imports NumPy at start-up (~100 ms of its ~130 ms) for
    ``lambdify``, ``symarray`` and ``Matrix.__array__`` alone, none of which
    gradcli uses.  When NumPy is not loaded yet, a stub stands in for it
    during the import (with the two dtype classes ``sympify`` tests against);
    the stub leaves ``sys.modules`` at once, so a later ``import numpy``
    anywhere gets the real NumPy.  Set GRADCLI_SYMENGINE_NUMPY=1 to import
    SymEngine the ordinary way."""
    import os
    import sys

    if "symengine" in sys.modules or "numpy" in sys.modules or os.environ.get("GRADCLI_SYMENGINE_NUMPY"):
        import symengine

        return symengine
    import types

    stub = types.ModuleType("numpy")
    stub.float16 = type("float16", (), {})
    stub.float32 = type("float32", (), {})
    sys.modules["numpy"] = stub
    try:
        import symengine
    finally:
        if sys.modules.get("numpy") is stub:
            del sys.modules["numpy"]
    return symengine


_SYM_CLASS = None


def _symbol_class(se):
    """A SymEngine Symbol that converts back to the SymPy Symbol it holds."""
    global _SYM_CLASS
    if _SYM_CLASS is None:
        class _Sym(se.Symbol):
            def __init__(self, name, orig):
                super().__init__(name)
                self.orig = orig

            def _sympy_(self):
                return self.orig

        _SYM_CLASS = _Sym
    return _SYM_CLASS


class _SEContext:
    """Conversion between SymPy and SymEngine that keeps the caller's Symbols.

    Each SymPy symbol becomes a SymEngine ``Symbol`` subclass instance holding
    it, so that converting a result back returns the very same SymPy Symbol
    (assumptions included)."""

    def __init__(self, symbols):
        se = _import_symengine()

        self.se = se
        names = [s.name for s in symbols]
        if len(set(names)) != len(names):
            raise ValueError("two symbols share a name")

        sym_class = _symbol_class(se)
        self.map = {s: sym_class(s.name, s) for s in symbols}
        self._plain = {se.Symbol(s.name): self.map[s] for s in symbols}
        self._back: dict = {}
        self._funcs = {getattr(se, n): getattr(sympy, n)
                       for n in ("sin", "cos", "sinh", "cosh", "log", "exp")}

    def to_se(self, expr):
        return self.se.sympify(expr).xreplace(self._plain)

    def back(self, e):
        """The SymPy form of a SymEngine expression, built with SymPy's own
        constructors (so in SymPy's canonical form), each distinct subtree
        once."""
        memo = self._back
        r = memo.get(e)
        if r is not None:
            return r
        t = type(e)
        se = self.se
        if t is se.Add:
            r = Add(*[self.back(a) for a in e.args])
        elif t is se.Mul:
            r = Mul(*[self.back(a) for a in e.args])
        elif t is se.Pow:
            b, x = e.args
            r = Pow(self.back(b), self.back(x))
        else:
            f = self._funcs.get(t)
            if f is not None:
                (a,) = e.args
                a = self.back(a)
                # f(symbol) never evaluates to anything else (the safe class
                # has no zero symbols): skip SymPy's costly eval
                r = f(a, evaluate=False) if a.is_Symbol and a.is_zero is not True else f(a)
            else:
                r = e._sympy_()
        memo[e] = r
        return r


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


def _se_partials(ctx: "_SEContext", fe, svars: Sequence, sindex: dict) -> dict:
    """{j: d fe / d svars[j]} (SymEngine objects), nonzero partials only."""
    se = ctx.se
    groups: dict[int, list] = {}
    for t in (fe.args if isinstance(fe, se.Add) else (fe,)):
        for s in t.free_symbols:
            i = sindex.get(s)
            if i is not None:
                groups.setdefault(i, []).append(t)
    out = {}
    for j, ts in groups.items():
        v = svars[j]
        d = ts[0].diff(v) if len(ts) == 1 else se.add(*[t.diff(v) for t in ts])
        if d != 0:
            out[j] = d
    return out


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


def _simplify_one(e, seconds: float):
    from .simplify import expands_too_much

    if expands_too_much(e):  # (x + y)^999999: simplify would multiply it out
        return e
    s = bounded(lambda: sympy.simplify(e), seconds, e)
    if s is e or s == e:
        return e
    try:
        if sympy.count_ops(s) <= sympy.count_ops(e):
            return s
    except Exception:  # noqa: BLE001
        pass
    return e


def simplify_entries(entries: dict, budget: float | None = None) -> dict:
    """Simplify the values of ``entries`` (distinct values once) under a total
    time budget; values left over, or that do not get shorter, stay as given.
    Returns a new dict with the same keys."""
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
        done[e] = _simplify_one(e, left)
    return {k: done.get(v, v) for k, v in entries.items()}


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
        ctx = _SEContext(_all_symbols(exprs, variables))
        svars = [ctx.map[v] for v in variables]
        sindex = {sv: j for j, sv in enumerate(svars)}
        out = []
        for e in exprs:
            parts = _se_partials(ctx, ctx.to_se(e), svars, sindex)
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

def gradient(expr, variables=None, *, layout: str = "numerator", simplify: bool = True,
             engine: str = "auto") -> ImmutableMatrix:
    """The gradient of a scalar function: the 1 x n row of partials (5.39);
    ``layout="denominator"`` gives the n x 1 column.  ``variables=None``: the
    free symbols in natural order."""
    _check_layout(layout)
    (expr,), variables = _prepare([expr], variables, "gradient")
    (parts,) = _first_partials([expr], variables, engine)
    if simplify:
        parts = simplify_entries(parts)
    n = len(variables)
    if layout == "numerator":
        return _matrix(1, n, {(0, j): e for j, e in parts.items()})
    return _matrix(n, 1, {(j, 0): e for j, e in parts.items()})


def jacobian(exprs, variables=None, *, layout: str = "numerator", simplify: bool = True,
             engine: str = "auto") -> ImmutableMatrix:
    """The Jacobian of m functions of n variables: m x n, entry (i, j) =
    d f_i / d x_j; ``layout="denominator"`` gives the n x m transpose."""
    _check_layout(layout)
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
    if layout == "numerator":
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
        ctx = _SEContext(_all_symbols([expr], variables))
        svars = [ctx.map[v] for v in variables]
        sindex = {sv: j for j, sv in enumerate(svars)}
        grad = _se_partials(ctx, ctx.to_se(expr), svars, sindex)
        for i, gi in grad.items():
            for j, d in _se_partials(ctx, gi, svars, sindex).items():
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
    return _simplify_one(d, SIMPLIFY_SECONDS)


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


def chain(expr, substitutions, parameters=None) -> ChainResult:
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
    df_dx = gradient(expr, xs, simplify=True)
    dx_dt = jacobian(gs, parameters, simplify=True)
    sub = dict(zip(xs, gs))
    row = df_dx.xreplace(sub)
    product = ImmutableMatrix(row * dx_dt)
    entries = simplify_entries({(0, j): product[0, j] for j in range(product.cols)})
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


def _check_layout(layout: str) -> None:
    if layout not in ("numerator", "denominator"):
        raise InputError(f"unknown layout {layout!r}: use numerator or denominator")


# ---------------------------------------------------------------------------
# evaluation at a point
# ---------------------------------------------------------------------------

def _point_lookup(point: dict) -> tuple[dict, dict]:
    by_sym, by_name = {}, {}
    for k, v in point.items():
        name = k if isinstance(k, str) else getattr(k, "name", str(k))
        name = name.strip()
        if not name:
            raise InputError("empty variable name in the point")
        v = sympy.sympify(v)
        if not isinstance(k, str):
            by_sym[k] = v
        by_name[name] = v
    return by_sym, by_name


def evaluate(obj, point: dict, digits: int | None = None):
    """The value of ``obj`` (an expression or a matrix) at ``point``.

    ``point`` maps Symbols (or names) to values.  Exact (no Float among the
    values, ``digits`` None): substituted exactly.  Decimal (a Float among the
    values, or ``digits`` given): ``digits`` significant digits (default 15);
    decimal inputs are read as the decimals they were written as (0.1 is
    1/10, not the nearest binary double).  Raises InputError naming the
    variables the point misses, or when the value is undefined there."""
    if digits is not None and (not isinstance(digits, int) or digits < 1 or digits > 10000):
        raise InputError(f"--digits must be a whole number from 1 to 10000, not {digits}")
    by_sym, by_name = _point_lookup(point)
    is_matrix = isinstance(obj, MatrixBase)
    if not is_matrix:
        obj = sympy.sympify(obj)
    subs = {}
    missing = []
    for s in obj.free_symbols:
        if s in by_sym:
            subs[s] = by_sym[s]
        elif getattr(s, "name", None) in by_name:
            subs[s] = by_name[s.name]
        else:
            missing.append(s)
    if missing:
        names = ", ".join(str(s) for s in natural_order(missing))
        raise InputError(
            f"the point gives no value for {names}",
            "give every variable a value, e.g. --at " + ",".join(f"{s}=1" for s in natural_order(missing)),
        )
    for s, v in subs.items():
        if v.free_symbols:
            raise InputError(f"the value of {s} is not a number: {v}")
    decimal = digits is not None or any(v.has(sympy.Float) for v in subs.values())
    if decimal:
        n = 15 if digits is None else digits
        exact = {s: v.xreplace({f: sympy.Rational(str(f)) for f in v.atoms(sympy.Float)})
                 for s, v in subs.items()}

        def value(e):
            # exact first, so that 1/(x - 1/10) at x=0.1 is seen to be undefined
            v = e.xreplace(exact).evalf(n=n)
            # evalf marks "zero to all the precision it tried" (sin(x)**2 +
            # cos(x)**2 - 1) as a 1-bit Float such as -0.e-125: that is 0
            tiny = {f: S.Zero for f in v.atoms(sympy.Float) if f._prec <= 1}
            return v.xreplace(tiny) if tiny else v
    else:
        def value(e):
            return e.xreplace(subs)

    at = ", ".join(f"{s}={v}" for s, v in sorted(subs.items(), key=lambda p: natural_key(p[0])))
    cache: dict = {}

    def one(e):
        r = cache.get(e)
        if r is None:
            r = cache[e] = value(e)
            if r.has(S.ComplexInfinity, S.NaN, S.Infinity, S.NegativeInfinity):
                raise InputError(f"{e} is not defined at {at}")
        return r

    entries = list(obj) if is_matrix else [obj]
    values = [one(e) for e in entries]
    if not decimal:
        # exact values such as sqrt(2)/2 + sin(1)**2 + cos(1)**2: simplify,
        # within the total budget
        done = simplify_entries({i: v for i, v in enumerate(values)}, min(SIMPLIFY_SECONDS, 1.0))
        values = [done[i] for i in range(len(values))]
    if is_matrix:
        return ImmutableMatrix(obj.rows, obj.cols, values)
    return values[0]


# ---------------------------------------------------------------------------
# printing big matrices
# ---------------------------------------------------------------------------

def matrix_strings(M, printer: Callable[[object], str] = str) -> list[list[str]]:
    """The entries of M as strings: ``printer(entry)``, by default ``str``,
    SymPy's string form, exactly ``str(entry)``.  Each distinct entry is
    printed once, so a 200 x 200 Hessian (40,000 entries, mostly zeros) costs
    its few hundred distinct entries.  Any printer works, e.g.
    ``printer=sympy.latex`` for the cells of a bmatrix."""
    if not isinstance(M, MatrixBase):
        M = ImmutableMatrix(M)
    zero = S.Zero
    cache: dict = {zero: "0", S.One: "1"} if printer is str else {}
    zs = cache.get(zero)
    out = []
    for row in M.tolist():
        r = []
        for e in row:
            if e is zero:
                if zs is None:
                    zs = cache[zero] = printer(zero)
                r.append(zs)
                continue
            s = cache.get(e)
            if s is None:
                s = cache[e] = printer(e)
            r.append(s)
        out.append(r)
    return out
