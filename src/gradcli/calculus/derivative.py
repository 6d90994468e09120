"""The derivative of one built value by one variable, whatever their kinds:

* by a scalar symbol: SymPy's ``diff`` (entrywise for an explicit matrix);
* by an explicit matrix of entry symbols (a component-by-component build): entry by entry,
  arranged in the layout asked for (``layout_derivative``, the SPEC's layout table);
* by a matrix symbol: the symbolic matrix calculus of ``calculus.matrix``
  (``matrix_symbol_derivative``), with the symmetry of ``--symmetric`` matrices imposed.

``Builder`` is ``model.build.Builder`` with that derivative: the builder for syntax trees
with derivative operators in them (``build``).  ``differentiate`` takes the derivatives a
command asks for (``-n``, ``--wrt``) under the same limit on the total order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from ..errors import InputError
from ..language import ast as S
from ..model import build as model_build
from ..model.declarations import Context
from ..model.layout import Layout
from ..model.shapes import as_scalar, is_matrix


def derivative_once(f: Any, var: Any, ctx: Context) -> Any:
    """d f / d var under ``ctx`` (its layout and symmetric matrices)."""
    if isinstance(var, sp.Symbol):
        if isinstance(f, sp.MatrixBase):
            return f.diff(var)
        if is_matrix(f):  # a matrix expression by a scalar: d/dt (X + t A)^-1
            from .matrix.tensor import scalar_derivative

            return scalar_derivative(f, var, symmetric=ctx.symmetric)
        return sp.diff(f, var)
    if isinstance(var, sp.MatrixBase):  # explicit build
        return layout_derivative(f, var, ctx.layout)
    return matrix_symbol_derivative(f, var, ctx)


class Builder(model_build.Builder):
    """The builder whose derivative operators are taken: ``derivative_once``."""

    def differentiate(self, f: Any, var: Any) -> Any:
        return derivative_once(f, var, self.ctx)

    def vec_derivative(self, f: Any, var: Any) -> Any:
        return vec_derivative(f, var, self.ctx)


def vec_derivative(f: Any, var: Any, ctx: Context) -> Any:
    """d vec(f) / d vec(var) (column-major vec), pq x mn in numerator layout: entry by entry
    for an explicit build, else the vec form of the symbolic tensor derivative."""
    if isinstance(var, sp.MatrixBase):
        fx = f if isinstance(f, sp.MatrixBase) else sp.ImmutableMatrix([[f]])
        vf = [fx[i, j] for j in range(fx.cols) for i in range(fx.rows)]
        vx = [var[i, j] for j in range(var.cols) for i in range(var.rows)]
        jac = sp.ImmutableMatrix(len(vf), len(vx), lambda r, c: sp.diff(vf[r], vx[c]))
        return jac if ctx.layout == Layout.NUMERATOR else jac.T
    from .matrix.tensor import tensor_derivative
    from .matrix.views import vec_form

    if not is_matrix(f):
        raise InputError("d vec(F)/d vec(X) is of a vector or matrix F", "for a scalar write d/dX f")
    vec = vec_form(tensor_derivative(f, var, symmetric=ctx.symmetric), ctx.layout)
    return impose_symmetry(vec, ctx.symmetric) if ctx.symmetric else vec


def build(node: S.Node, ctx: Context | None = None) -> Any:
    """Build one syntax tree into a SymPy object under ``ctx``, derivative operators taken;
    derivatives of a total order above MAX_ORDER are refused before any work."""
    return model_build.build(node, ctx, builder=Builder)


def build_claim(node: S.Equation, ctx: Context | None = None) -> tuple[Any, Any]:
    """Both sides of a claim, derivative operators taken, sizes inferred over the whole claim."""
    return model_build.build_claim(node, ctx, builder=Builder)


def differentiate(f: Any, wrt: Sequence[tuple[str, int]], ctx: Context) -> Any:
    """``f`` differentiated by each (name, order) of ``wrt`` in turn (``--wrt x --wrt y``,
    ``-n 3``), their total order at most MAX_ORDER."""
    builder = Builder(ctx)
    for name, order in wrt:
        f = builder.derivative(f, name, order)
    return f


def layout_derivative(f: Any, wrt: sp.MatrixBase, layout: str) -> sp.ImmutableMatrix:
    """Entry-by-entry derivative of an explicit f w.r.t. an explicit matrix of symbols.

    Arranged per SPEC's layout table: a scalar by an n x 1 vector is 1 x n
    (numerator) or n x 1 (denominator); an m x 1 vector by an n x 1 vector is
    m x n or n x m; a scalar by an m x n matrix is m x n.  Symmetric matrices
    (shared entry symbols) are differentiated as if the entries were
    independent, per the usual matrix-calculus convention, by
    differentiating w.r.t. each position's symbol.
    """
    f = as_scalar(f)
    rows, cols = wrt.shape
    if not is_matrix(f):
        if cols == 1:  # vector
            col = sp.ImmutableMatrix(rows, 1, [sp.diff(f, wrt[i, 0]) for i in range(rows)])
            return col.T if layout == Layout.NUMERATOR else col
        if rows == 1:  # row vector: a scalar by a 1 x n -> 1 x n both ways
            return sp.ImmutableMatrix(1, cols, [sp.diff(f, wrt[0, j]) for j in range(cols)])
        return sp.ImmutableMatrix(rows, cols, lambda i, j: sp.diff(f, wrt[i, j]))
    frows, fcols = f.shape
    if fcols == 1 and cols == 1:
        jac = sp.ImmutableMatrix(frows, rows, lambda i, j: sp.diff(f[i, 0], wrt[j, 0]))
        return jac if layout == Layout.NUMERATOR else jac.T
    if frows == 1 and cols == 1:
        # a row vector by a column vector: the transpose's Jacobian
        jac = sp.ImmutableMatrix(fcols, rows, lambda i, j: sp.diff(f[0, i], wrt[j, 0]))
        return jac if layout == Layout.NUMERATOR else jac.T
    raise InputError(
        f"the derivative of a {frows} x {fcols} matrix by a {rows} x {cols} matrix is a tensor of order 3 or 4",
        "gradcli shows derivatives up to matrices; differentiate one entry, or a scalar function of it",
    )


def elements_to_traces(f: Any) -> Any:
    """(M)[0, 0] of a 1 x 1 matrix expression -> tr(M): the same scalar, but one
    SymPy's matrix calculus differentiates (it returns 0 for the element)."""
    if not isinstance(f, sp.Basic):
        return f
    elements = [e for e in f.atoms(MatrixElement) if tuple(e.parent.shape) == (1, 1)]
    if not elements:
        return f
    return f.xreplace({e: sp.Trace(e.parent) for e in elements})


def matrix_symbol_derivative(f: Any, var: Any, ctx: Context, *, hessian: bool = False) -> Any:
    """The derivative (or Hessian) of f by a matrix symbol, symbolically.

    Convention for a symmetric variable W: the entries are differentiated as
    independent, and the symmetry W^T = W is imposed on the result (as in
    d/dS log det S = S^-1 for a covariance S); the explicit build does the same.
    """
    from . import matrix  # the symbolic matrix calculus: loaded when a matrix symbol is met

    symmetric = ctx.symmetric - {var.name}
    f = elements_to_traces(f)
    if hessian:
        result = matrix.matrix_hessian(f, var, symmetric=symmetric)
    else:
        result = matrix.matrix_derivative(f, var, layout=ctx.layout, symmetric=symmetric)
    if ctx.symmetric and isinstance(result, sp.Basic):
        result = impose_symmetry(result, ctx.symmetric)
    return result


def impose_symmetry(expr: Any, names: frozenset[str]) -> Any:
    """Drop transposes of symmetric matrices and of their inverses and powers."""

    def symmetric_part(e: Any) -> bool:
        if isinstance(e, sp.MatrixSymbol):
            return e.name in names
        if isinstance(e, (sp.Inverse, sp.MatPow)):
            return symmetric_part(e.args[0])
        return False

    return expr.replace(lambda e: isinstance(e, sp.Transpose) and symmetric_part(e.arg), lambda e: e.arg)


def matrix_symbol_steps(f: Any, var: Any, ctx: Context) -> Any:
    """``--steps`` of the derivative of f by a matrix symbol: the differentials by which the
    matrix calculus computes it (``calculus.matrix.steps``), under the conventions of
    ``matrix_symbol_derivative`` (the result is the same)."""
    from .matrix.steps import matrix_steps

    steps = matrix_steps(elements_to_traces(f), var, layout=ctx.layout, symmetric=ctx.symmetric - {var.name},
                         wrt_symmetric=var.name in ctx.symmetric)
    if ctx.symmetric and isinstance(steps.result, sp.Basic):
        from ..record import replace

        steps = replace(steps, result=impose_symmetry(steps.result, ctx.symmetric))
    return steps
