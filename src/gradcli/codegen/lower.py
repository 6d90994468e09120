"""SymPy trees made ready for code: how each value is held, products split where a column
meets a row, inverses in products turned into solves, and zero results given their shape.

Arrays in the generated code: a scalar (or a 1 x 1 matrix) is a scalar, a vector (k x 1 or
1 x k) a 1-D array of k entries (so a row and a column are the same array, and ``x^T A x`` is
``x @ A @ x``), anything else a 2-D array.  ``kind`` says which: 0, 1 or 2.

A product is a chain of factors; in 1-D terms it splits into *segments* wherever a column is
followed by a row (an outer product).  Each segment is an ``@`` chain; the first may end in a
column, the last may start with a row, and the segments between are 1 x 1 (inner products):
``a b^T X c d^T`` is ``np.outer(a, d) * (b @ X @ c)``.

In a segment, ``L X^-1 R`` becomes ``L solve(X, R)`` (``Solve``) and ``L X^-1`` becomes
``solve(X^T, L^T)^T``, so an inverse is formed only where the expression needs it alone
(d/dX log det X = X^-T).  This runs before the common subexpressions are found, so that one
solve used twice is computed once.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..model.shapes import is_matrix


class Solve(MatrixExpr):
    """A^-1 B, computed by solving A X = B."""

    def __new__(cls, A: Any, B: Any) -> Any:
        return MatrixExpr.__new__(cls, A, B)

    @property
    def shape(self) -> tuple:
        return self.args[1].shape


def kind(e: Any) -> int:
    """0: a scalar (also a 1 x 1 matrix); 1: a vector (k x 1 or 1 x k); 2: a matrix."""
    if not is_matrix(e):
        return 0
    rows, cols = e.shape
    if rows == 1 and cols == 1:
        return 0
    if rows == 1 or cols == 1:
        return 1
    return 2


def is_column(e: Any) -> bool:
    return is_matrix(e) and e.shape[1] == 1 and e.shape[0] != 1


def is_row(e: Any) -> bool:
    return is_matrix(e) and e.shape[0] == 1 and e.shape[1] != 1


def flat_factors(e: Any) -> tuple[Any, list[Any]]:
    """A product as (scalar coefficient, [matrix factors]), nested products flattened."""
    coeff: Any = sp.S.One
    factors: list[Any] = []

    def walk(a: Any) -> None:
        nonlocal coeff
        if isinstance(a, sp.MatMul):
            for b in a.args:
                walk(b)
        elif is_matrix(a):
            factors.append(a)
        else:
            coeff = coeff * a

    walk(e)
    return coeff, factors


def segments(factors: list[Any]) -> list[list[Any]]:
    """The factors split where a column meets a row; a 1 x 1 factor is a segment alone."""
    out: list[list[Any]] = []
    for factor in factors:
        if kind(factor) == 0:
            out.append([factor])
            continue
        if out and kind(out[-1][-1]) != 0 and not (is_column(out[-1][-1]) and is_row(factor)):
            out[-1].append(factor)
        else:
            out.append([factor])
    return out


def product(factors: list[Any]) -> Any:
    return factors[0] if len(factors) == 1 else sp.MatMul(*factors)


def inverse_of(e: Any) -> Any:
    """M for X^-1 = M^-1 (X^-T = (X^T)^-1); else None."""
    if isinstance(e, sp.Inverse):
        return e.arg
    if isinstance(e, sp.Transpose) and isinstance(e.arg, sp.Inverse):
        return e.arg.arg.T
    return None


def _solve_segment(factors: list[Any]) -> list[Any]:
    for i, factor in enumerate(factors):
        matrix = inverse_of(factor)
        if matrix is None or kind(factor) == 0:
            continue
        if i < len(factors) - 1:
            right = _solve_segment(factors[i + 1:])
            return factors[:i] + [Solve(matrix, product(right))]
        if i > 0:
            left = product(factors[:i])
            return [sp.Transpose(Solve(matrix.T, left.T))]
    return factors


def _lower_product(e: Any) -> Any:
    coeff, factors = flat_factors(e)
    items: list[Any] = []
    for segment in segments(factors):
        items.extend(_solve_segment(segment) if len(segment) > 1 else segment)
    if coeff == 1 and len(items) == 1:
        return items[0]
    return sp.MatMul(*([coeff] if coeff != 1 else []), *items)


def solves(e: Any) -> Any:
    """``e`` with every inverse inside a product turned into a solve."""
    if isinstance(e, sp.MatrixBase):
        return e.applyfunc(solves)
    if not isinstance(e, sp.Basic) or not e.args or isinstance(e, (sp.MatrixSymbol, sp.Identity, sp.ZeroMatrix)):
        return e
    args = [solves(a) for a in e.args]
    if any(a is not b for a, b in zip(args, e.args)):
        e = e.func(*args)
    if isinstance(e, sp.MatMul) and any(inverse_of(a) is not None for a in flat_factors(e)[1]):
        return _lower_product(e)
    return e


def shaped(result: Any, shape: tuple) -> Any:
    """A zero result in the shape it stands for (a scalar 0 for an n x n Hessian)."""
    if shape and not is_matrix(result) and result == 0:
        return sp.ZeroMatrix(*shape)
    return result
