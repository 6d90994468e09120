"""The one evaluation at a point: ``--at`` for every command, and the numbers of
``autodiff``.

``evaluate`` takes a result and a ``Point``: every variable the function needs must have a
value, the point must lie in the function's real domain, a symbolic point substitutes, and
numbers are computed by ``value_at``: exactly for an exact point (then simplified by
``simplify.exact_value``), to ``--digits`` significant digits (default 15) for a decimal
one, decimals read as the decimals they were written as.  An exact value that is not real,
or of more than MAX_VALUE_DIGITS digits, is refused (``check_value``).  ``numbers_at``
presents ``autodiff``'s numbers by the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sympy
import sympy as sp
from sympy import ImmutableMatrix, S
from sympy.matrices import MatrixBase
from sympy.matrices.exceptions import NonInvertibleMatrixError

from ..errors import InputError, LimitError
from ..limits import MAX_DECIMAL_DIGITS, MAX_VALUE_DIGITS, SIMPLIFY_SECONDS
from ..model.points import Point
from ..model.shapes import is_matrix
from ..model.symbols import natural_key, natural_order
from .domain import outside
from .simplify import exact_value, simplify_entries, tidy_numbers

#: Significant digits of a decimal value when --digits is not given.
DEFAULT_DIGITS = 15


def evaluate(obj: Any, point: Point, needed: Iterable[Any] = (), function: Any = None) -> Any:
    """``obj`` at ``point``: exact, or a decimal with ``point.digits`` digits.

    ``needed``: the variables the point must give a value for (the function's
    free symbols); a missing one is an error naming it.  ``function``: the f
    whose derivative ``obj`` is; a point outside f's real domain (log(x) at
    x = -1, where 1/x has a value) is an error naming the point.  A symbolic
    point (``--at x=a``) substitutes; numbers go through ``value_at``.
    """
    given = point.as_dict()
    require_values(point, needed)
    if function is not None:
        ensure_in_domain(function, point)
    if is_matrix(obj) and not isinstance(obj, sp.MatrixBase):
        return obj.subs(given)
    relevant = {k: v for k, v in given.items() if k in getattr(obj, "free_symbols", set())}
    if any(getattr(v, "free_symbols", None) for v in relevant.values()):
        return exact_value(obj.subs(relevant)) if not isinstance(obj, sp.MatrixBase) else obj.subs(relevant)
    digits = point.digits or (DEFAULT_DIGITS if point.decimal else None)
    value = value_at(obj, relevant, digits=digits)
    if digits is None:
        if isinstance(value, sp.MatrixBase):
            value = sp.ImmutableMatrix(value.rows, value.cols, [exact_value(e) for e in value])
        else:
            value = exact_value(value)
    check_value(value, point)
    return value


def evaluate_arrays(obj: Any, function: Any, point: Point, symmetric: Any = ()) -> Any:
    """A matrix-expression result at numeric vectors and matrices (``--at 'x=[1,2,3]'``): the
    arrays fix the sizes, every vector and matrix needs a value, and the result is written out
    explicitly and evaluated exactly (or to ``--digits``), like a scalar result."""
    written_out = _writer((obj, function), point, symmetric)
    scalar_point = Point(point.values, decimal=point.decimal, digits=point.digits, text=point.text)
    return evaluate(written_out(obj), scalar_point, needed=(), function=written_out(function))


def point_sizes(exprs: tuple, point: Point, symmetric: Any = ()) -> dict:
    """The sizes the arrays of ``point`` fix for the matrix symbols of ``exprs``: {size
    symbol: number} (every vector and matrix needs a value, of the shape its symbol has)."""
    shapes = tuple(sp.Tuple(*m.shape) for e in exprs if isinstance(e, sp.Basic) for m in e.atoms(sp.MatrixSymbol))
    return _array_sizes(tuple(exprs) + shapes, point, symmetric)[0]


def components_at(function: Any, point: Point, variables: Iterable[Any], symmetric: Any = ()) -> tuple[list, dict]:
    """``function`` written out at the sizes an array point fixes, with the entries of the
    matrix ``variables`` left as symbols (``W[1,2]``, 1-based) and every other array at its
    value: the scalar entries of f and the point ``{entry symbol: value}``, for the corner
    checks of calculus.corners (a kink of relu/abs/max... in any entry)."""
    values = dict(point.arrays)
    keep, given = {}, {}
    for m in variables:
        if not isinstance(m, sp.MatrixSymbol) or m.name not in values:
            continue
        value = values[m.name]
        rows, cols = value.shape
        vector = cols == 1

        def entry(i: int, j: int, m: Any = m, vector: bool = vector) -> Any:
            return sp.Symbol(f"{m.name}[{i + 1}]" if vector else f"{m.name}[{i + 1},{j + 1}]", real=True)

        symbols = sp.ImmutableMatrix(rows, cols, lambda i, j: entry(i, j))
        keep[m.name] = symbols
        given.update({s: v for s, v in zip(symbols, value)})
    written_out = _writer((function,), point, symmetric, replace=keep)
    value = written_out(function)
    entries = list(value) if isinstance(value, sp.MatrixBase) else [value]
    return entries, given


def concrete_function(function: Any, point: Point, symmetric: Any = ()) -> tuple[Any, dict]:
    """``function`` at the sizes the arrays of ``point`` fix, and its matrix symbols' values
    (``autodiff`` with vector and matrix inputs)."""
    sizes, mats, values = _array_sizes((function,), point, symmetric)
    return function.xreplace(sizes), {m.xreplace(sizes): sp.ImmutableMatrix(values[name]) for name, m in mats.items()}


def _array_sizes(exprs: tuple, point: Point, symmetric: Any) -> tuple[dict, dict, dict]:
    """The sizes an array point fixes, the matrix symbols of ``exprs`` by name, and the values."""
    from ..model.sizes import SizeSolver

    values = dict(point.arrays)
    mats = {m.name: m for e in exprs if isinstance(e, sp.Basic) for m in e.atoms(sp.MatrixSymbol)}
    missing = sorted(set(mats) - set(values), key=natural_key)
    if missing:
        raise InputError(f"--at {point.text!r} gives no value for {', '.join(missing)}",
                         "give each vector and matrix a value, e.g. --at 'x=[1,2,3]' --at 'A=[[1,2],[3,4]]'")
    solver = SizeSolver(allow_one=True)
    solver.free |= {s for m in mats.values() for s in m.shape if isinstance(s, sp.Symbol)}
    for name, m in mats.items():
        value = values[name]
        for size, given in zip(m.shape, value.shape):
            if not solver.unify(size, sp.Integer(given)):
                raise InputError(f"--at {point.text!r}: {name} is {m.shape[0]} x {m.shape[1]}, but its value is "
                                 f"{value.shape[0]} x {value.shape[1]}")
        if name in set(symmetric) and value != value.T:
            raise InputError(f"--at {point.text!r}: the value of the symmetric {name} is not symmetric")
    sizes = {s: solver.value(s) for e in exprs if isinstance(e, sp.Basic)
             for s in e.free_symbols if s.is_integer and solver.value(s) is not None}
    return sizes, mats, values


def _writer(exprs: tuple, point: Point, symmetric: Any, replace: dict | None = None) -> Any:
    """The sizes and values an array point fixes, as a function writing an expression out
    explicitly (``replace`` puts other explicit matrices in place of some arrays)."""
    from ..model.arrays import explicit

    sizes, mats, values = _array_sizes(exprs, point, symmetric)
    subs = {m: (replace or {}).get(name, values[name]) for name, m in mats.items()}

    def written_out(e: Any) -> Any:
        if not isinstance(e, sp.Basic):
            return e
        try:
            e = explicit(e.xreplace(sizes).xreplace({m.xreplace(sizes): v for m, v in subs.items()}))
        except NonInvertibleMatrixError:
            raise InputError(f"a matrix inverted in the result is singular at {point.text}",
                             "choose a point where the inverses exist") from None
        if is_matrix(e) and not isinstance(e, sp.MatrixBase):
            e = sp.ImmutableMatrix(e.as_explicit())
        return sp.ImmutableMatrix(e) if isinstance(e, sp.MatrixBase) else e

    return written_out


def require_values(point: Point, needed: Iterable[Any]) -> None:
    """Raise InputError naming the variables of ``needed`` that ``point`` gives no value for."""
    given = point.as_dict()
    missing = [str(s) for s in natural_order(set(needed)) if s not in given]
    if missing:
        raise InputError(
            f"--at {point.text!r} gives no value for {', '.join(missing)}",
            f"write --at {','.join(f'{str(s)}=...' for s in natural_order(set(needed)))}",
        )


def exact_number(value: Any) -> Any:
    """A point's value read exactly: a decimal as the decimal it was written as (0.1 is 1/10,
    not the nearest binary double), as ``value_at`` reads it."""
    if isinstance(value, sp.Basic) and value.has(sp.Float):
        return value.xreplace({f: sp.Rational(str(f)) for f in value.atoms(sp.Float)})
    return value


def ensure_in_domain(function: Any, point: Point) -> None:
    """Refuse a point outside the real domain of ``function`` (exit 2), naming the point and
    the part of f that is undefined there."""
    given = point.as_dict()
    if any(getattr(v, "free_symbols", None) for v in given.values()):
        return  # a symbolic point: nothing to decide
    if is_matrix(function) and not isinstance(function, sp.MatrixBase):
        return
    entries = list(function) if isinstance(function, sp.MatrixBase) else [function]
    bad = outside([e for e in entries if isinstance(e, sp.Basic)], given)
    if bad is not None:
        where = ", ".join(f"{k} = {v}" for k, v in given.items())
        raise InputError(
            f"{bad} is not defined over the reals at {where}",
            "gradcli works over the reals; choose a point inside the domain of the function",
        )


def check_value(value: Any, point: Point) -> None:
    """Refuse a value at ``point`` that is not real, or an exact one of more than 4000 digits."""
    entries = list(value) if isinstance(value, sp.MatrixBase) else [value]
    for e in entries:
        if isinstance(e, sp.Basic) and (e.has(sp.I) or (e.is_number and e.is_extended_real is False)):
            raise InputError(
                f"the result is not defined over the reals at {point.text}",
                "gradcli works over the reals; choose a point inside the domain",
            )
        if isinstance(e, sp.Rational) and max(abs(e.p), e.q).bit_length() * 0.30103 > MAX_VALUE_DIGITS:
            raise LimitError(
                f"the exact value at {point.text} has more than {MAX_VALUE_DIGITS} digits",
                "ask for a decimal instead, e.g. --at x=2.0 or --digits 20",
            )


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


def value_at(obj, point: dict, digits: int | None = None):
    """The value of ``obj`` (an expression or a matrix) at ``point``.

    ``point`` maps Symbols (or names) to values.  Exact (no Float among the
    values, ``digits`` None): substituted exactly.  Decimal (a Float among the
    values, or ``digits`` given): ``digits`` significant digits (default 15);
    decimal inputs are read as the decimals they were written as (0.1 is
    1/10, not the nearest binary double).  Raises InputError naming the
    variables the point misses, or when the value is undefined there."""
    if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int)
                               or not 1 <= digits <= MAX_DECIMAL_DIGITS):
        raise InputError(f"--digits must be between 1 and {MAX_DECIMAL_DIGITS}")
    by_sym, by_name = _point_lookup(point)
    explicit = isinstance(obj, MatrixBase)
    if not explicit:
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
        n = DEFAULT_DIGITS if digits is None else digits
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

    entries = list(obj) if explicit else [obj]
    values = [one(e) for e in entries]
    if not decimal:
        # exact values such as sqrt(2)/2 + sin(1)**2 + cos(1)**2: simplify,
        # within the total budget
        done = simplify_entries({i: v for i, v in enumerate(values)}, min(SIMPLIFY_SECONDS, 1.0))
        values = [done[i] for i in range(len(values))]
    if explicit:
        return ImmutableMatrix(obj.rows, obj.cols, values)
    return values[0]


def numbers_at(numbers: list[Any], point: Point) -> list[Any]:
    """Exact numbers computed at ``point`` (an ``autodiff`` trace's), as ``--at`` shows values:
    decimals to ``--digits`` digits for a decimal point; exact ones tidied by the cheap
    rewrites of ``simplify.tidy_numbers`` (so the same input prints the same everywhere:
    ``evaluate``'s full simplify under one shared budget would not on a slower machine)."""
    if not numbers:
        return numbers
    column = sp.ImmutableMatrix(len(numbers), 1, numbers)
    if point.decimal:
        return list(evaluate(column, point))
    shown = tidy_numbers(numbers)
    check_value(sp.ImmutableMatrix(len(shown), 1, shown), point)
    return shown
