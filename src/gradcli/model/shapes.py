"""Shapes of built values: what is a matrix, its shape and how gradcli writes it ("3 x 2"),
a 1 x 1 matrix as the scalar it is, and whether two (possibly symbolic) sizes agree."""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr


def is_matrix(obj: Any) -> bool:
    return isinstance(obj, (MatrixExpr, sp.MatrixBase))


def shape_of(obj: Any) -> tuple:
    if is_matrix(obj):
        return tuple(obj.shape)
    return ()


def shape_text(shape: tuple) -> str:
    """A shape as gradcli writes it: ``3 x 2``, ``n x 1``; ``()`` is ``a scalar``."""
    if not shape:
        return "a scalar"
    return f"{shape[0]} x {shape[1]}"


def as_scalar(obj: Any) -> Any:
    """A 1 x 1 matrix as the scalar it is; other objects unchanged."""
    if is_matrix(obj) and tuple(obj.shape) == (1, 1):
        if isinstance(obj, sp.MatrixBase):
            return obj[0, 0]
        # obj[0, 0] would expand a product of symbolic size into a Sum, and
        # SymPy differentiates an unevaluated element to 0; the trace of a
        # 1 x 1 matrix is the same scalar and behaves.
        return sp.Trace(obj)
    return obj


def conforms(a: Any, b: Any) -> bool:
    return bool(sp.Eq(a, b) is sp.true) or a == b


def same_shape(a: tuple, b: tuple) -> bool:
    return all(conforms(x, y) for x, y in zip(a, b))


def transpose(m: Any) -> Any:
    if not is_matrix(m):
        return m
    if isinstance(m, sp.MatrixBase):
        return m.T
    return m.T


def shape_option(name: str, shape: tuple) -> str:
    """The ``--shape`` that declares ``name`` with ``shape``: ``--shape b=3x1``, or quoted
    when a size is a name: ``--shape b='m x 1'``."""
    rows, cols = shape
    if all(isinstance(d, int) or getattr(d, "is_Integer", False) for d in shape):
        return f"--shape {name}={rows}x{cols}"
    return f"--shape {name}='{rows} x {cols}'"


def zero_as(a: Any, other: Any) -> Any:
    """``a``, or the zero matrix of ``other``'s shape where ``a`` is the number 0 and ``other`` a
    matrix (a claim's side written 0)."""
    if is_matrix(a) or not is_matrix(other) or not (isinstance(a, (int, sp.Basic)) and a == 0):
        return a
    if isinstance(other, sp.MatrixBase):
        return sp.ImmutableMatrix(sp.zeros(*other.shape))
    return sp.ZeroMatrix(*other.shape)
