"""Derivatives of and with respect to vectors and matrices (issue 5).

SymPy's own matrix-expression ``diff`` is right for products, sums, transposes
and inverses, but silently returns 0 for scalar functions of traces and
determinants (d/dA log det A, d/dA exp(tr A), ...), leaves d det X
unevaluated and crashes on tr(I - A)**2 (FINDINGS.md, "Matrix expressions").
So this module does not call it at all.  It differentiates with its own
rules, on differentials:

* a matrix expression E has the differential dE, a sum of terms
    ``c * L dX R``        (``Lin``;  ``L dX^T R`` when ``t`` is set), or
    ``tr(G^T dX) * c * M`` (``Scal``: a scalar's differential times a matrix);
* a scalar s has df = tr(G^T dX); G (the shape of X, G_ij = ds/dX_ij) is kept
  as a list of monomials ``(coefficient, (factor, factor, ...))``;
* scalar functions of matrix scalars (trace, det, 1 x 1 products, elements
  of 1 x 1 products) go through the ordinary chain rule: each such "matrix
  atom" is replaced by a dummy scalar, SymPy's *scalar* ``diff`` gives
  g'(h), and the atom's own gradient comes from the rules:
    d tr(Y) = tr(dY),  d det(Y) = det(Y) tr(Y^-1 dY),  d Y^-1 = -Y^-1 dY Y^-1,
    d (Y^k) = sum_i Y^i dY Y^(k-1-i),  d(AB) = dA B + A dB,  d(Y^T) = (dY)^T.

Results are arranged per the layout table of SPEC.md, like terms are
collected, common left/right factors pulled out (``x.T*(B + B.T)``), and a
symmetric matrix W (named in ``symmetric``) is its own transpose everywhere.

The gradient of a scalar w.r.t. a *symmetric* matrix W follows the
component convention of the explicit build (``calculus.derivative.layout_derivative``: W_ij and W_ji are
one symbol): D = G + G^T - I o G (the Matrix Cookbook's, 2.8).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from ...errors import InputError
from ...model.layout import Layout, layout_of
from ...model.shapes import shape_of, shape_text
from .canon import Mono, _Canon, collect
from .diff import Lin, _Diff

__all__ = ["matrix_derivative", "matrix_hessian"]


def _is_one(d: Any) -> bool:
    return d == 1


def _as_scalar_input(expr: Any) -> Any:
    """A 1 x 1 matrix expression as a scalar (its trace)."""
    if isinstance(expr, MatrixExpr) and tuple(expr.shape) == (1, 1):
        return sp.Trace(expr)
    if isinstance(expr, sp.MatrixBase) and expr.shape == (1, 1):
        return expr[0, 0]
    return expr


def _kind(shape: tuple) -> str:
    if not shape:
        return "scalar"
    r, c = shape
    if _is_one(r) and _is_one(c):
        return "scalar"
    if _is_one(c):
        return "column"
    if _is_one(r):
        return "row"
    return "matrix"


def _dims(shape: tuple) -> int:
    return {"scalar": 0, "column": 1, "row": 1, "matrix": 2}[_kind(shape)]


def _names(symmetric: Iterable) -> frozenset[str]:
    out = set()
    for s in symmetric or ():
        out.add(s.name if isinstance(s, sp.MatrixSymbol) else str(s))
    return frozenset(out)


def _tensor_error(fshape: tuple, wrt: sp.MatrixSymbol, order: int) -> InputError:
    fk = _kind(fshape)
    what = {"column": "vector", "row": "row vector", "matrix": "matrix"}[fk]
    wk = _kind(tuple(wrt.shape))
    wwhat = {"column": "vector", "row": "row vector", "matrix": "matrix", "scalar": "scalar"}[wk]
    return InputError(
        f"the derivative of a {shape_text(fshape)} {what} w.r.t. the {shape_text(tuple(wrt.shape))} "
        f"{wwhat} {wrt.name} is a tensor of order {order}",
        "gradcli computes gradients and Jacobians (orders 1 and 2); differentiate a scalar "
        "(e.g. a trace or an entry a^T F b) instead",
    )


def matrix_derivative(expr: Any, wrt: sp.MatrixSymbol, *, layout: str = Layout.NUMERATOR, symmetric=frozenset(),
                      engine: _Diff | None = None) -> Any:
    """d expr / d wrt per SPEC's layout table, simplified.

    expr: a scalar (an Expr built from traces, determinants, 1 x 1 products and
    their elements, or a 1 x 1 matrix expression) or a vector matrix expression
    (a Jacobian).  wrt: a MatrixSymbol.  Matrix-by-matrix and vector-by-matrix
    derivatives (tensors of order 3/4) raise InputError.  engine: the differential engine to
    use (``calculus.matrix.steps`` passes one that records its steps as it forms the terms).
    """
    layout = layout_of(layout)
    if not isinstance(wrt, sp.MatrixSymbol):
        raise InputError(f"{wrt} is not a vector or matrix symbol")
    sym = _names(symmetric)
    d = engine if engine is not None else _Diff(wrt, sym)
    cn = d.cn
    xshape = tuple(wrt.shape)
    xkind = _kind(xshape)
    expr = sp.sympify(expr) if not isinstance(expr, (sp.Basic, sp.MatrixBase)) else expr
    expr = _as_scalar_input(expr)
    fshape = shape_of(expr)
    fkind = _kind(fshape) if fshape else "scalar"

    if fkind == "scalar":
        g = collect(cn._fractions_out(c, at) for c, at in d.scalar_grad(expr))
        if xkind == "column":
            if layout == Layout.NUMERATOR:
                return cn.sum_expr(collect((c, cn.tseq(at)) for c, at in g), (xshape[1], xshape[0]))
            return cn.sum_expr(g, xshape)
        if wrt.name in sym and xshape[0] == xshape[1] and not _is_one(xshape[0]):
            return _symmetric_gradient(cn, g, xshape)
        return cn.sum_expr(g, xshape)

    # vector or matrix valued
    order = _dims(fshape) + _dims(xshape)
    if xkind == "matrix" or fkind == "matrix":
        raise _tensor_error(fshape, wrt, order)
    if fkind == "row":
        expr = cn.tpose(cn.canon(expr))
        fshape = (fshape[1], fshape[0])
    j = _jacobian_monos(d, cn.canon(expr), xkind)
    m = fshape[0]
    nx = xshape[0] if xkind == "column" else xshape[1]
    if xkind == "scalar":
        nx = 1
    if layout == Layout.NUMERATOR:
        return cn.sum_expr(j, (m, nx))
    return cn.sum_expr(collect((c, cn.tseq(at)) for c, at in j), (nx, m))


def _jacobian_monos(d: _Diff, f: Any, xkind: str) -> list[Mono]:
    """Monomials of J (J_ij = d f_i / d x_j) of a column vector f w.r.t. a vector x."""
    cn = d.cn
    out: list[Mono] = []
    row = xkind == "row"
    for t in d.products(d.dmat(f)):
        if isinstance(t, Lin):
            # column x: L dx R with R 1 x 1  -> J += L * r;  L dx^T R -> J += L R^T
            # row x:    L dx R  -> J += L R^T; L dx^T R with R 1 x 1 -> J += L * r
            if t.t != row:
                out.append((t.c, t.L + cn.tseq(t.R)))
            else:
                out.append((d.scalar_of(t.c, t.R), t.L))
        else:
            for c, at in t.g:
                gt = at if row else cn.tseq(at)
                out.append((t.c * c, t.M + gt))
    return collect(cn._fractions_out(c, at) for c, at in out)


def _symmetric_gradient(cn: _Canon, g: list[Mono], shape: tuple) -> Any:
    """D = G + G^T - I o G: the gradient when W_ij and W_ji are one variable."""
    gt = [(c, cn.tseq(at)) for c, at in g]
    total = collect(list(g) + gt)
    diag_monos = collect(g)
    if all(not at for _, at in diag_monos):  # G = c I: I o G = G
        return cn.sum_expr(collect(total + [(-c, at) for c, at in diag_monos]), shape)
    main = cn.sum_expr(total, shape)
    gexpr = cn.sum_expr(diag_monos, shape)
    return sp.MatAdd(main, sp.MatMul(-1, sp.HadamardProduct(sp.Identity(shape[0]), gexpr)))


def matrix_hessian(expr: Any, wrt: sp.MatrixSymbol, *, symmetric=frozenset()) -> Any:
    """The Hessian (d^2 f / dx_i dx_j) of a scalar w.r.t. a vector: n x n."""
    if not isinstance(wrt, sp.MatrixSymbol):
        raise InputError(f"{wrt} is not a vector or matrix symbol")
    xkind = _kind(tuple(wrt.shape))
    expr = _as_scalar_input(expr)
    fshape = shape_of(expr)
    if fshape and _kind(fshape) != "scalar":
        order = _dims(fshape) + 2 * _dims(tuple(wrt.shape))
        raise InputError(
            f"the Hessian of a {shape_text(fshape)} expression w.r.t. {wrt.name} is a tensor of order {order}",
            "a Hessian is of a scalar function",
        )
    if xkind == "matrix":
        raise InputError(
            f"the Hessian of a scalar w.r.t. the {shape_text(tuple(wrt.shape))} matrix {wrt.name} "
            "is a tensor of order 4",
            "take the Hessian w.r.t. a vector",
        )
    grad = matrix_derivative(expr, wrt, layout=Layout.DENOMINATOR, symmetric=symmetric)
    if xkind == "row":
        grad = sp.Transpose(grad)
    if isinstance(grad, sp.ZeroMatrix):
        n = wrt.shape[0] if xkind != "row" else wrt.shape[1]
        return sp.ZeroMatrix(n, n)
    return matrix_derivative(grad, wrt, layout=Layout.NUMERATOR, symmetric=symmetric)
