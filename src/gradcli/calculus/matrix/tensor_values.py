"""A tensor derivative at a point (``--at`` with numeric vectors and matrices, issue 17): the
point's arrays fix the sizes (``evaluate.point_sizes``), the vec form at those sizes is
evaluated by the one evaluation at a point (``evaluate.evaluate_arrays``), exactly for an
exact point, and the explicit array is read off the evaluated vec matrix (entry
(p + q P, i + j M) of d vec(F)/d vec(X) is ∂F[p,q]/∂X[i,j])."""

from __future__ import annotations

import sympy as sp

from ...model.layout import Layout
from .tensor import Tensor
from .views import ExplicitArray, nested


def array_of(value: sp.ImmutableMatrix, t: Tensor, layout: str = Layout.NUMERATOR) -> ExplicitArray:
    """The explicit array of the evaluated d vec(F)/d vec(X) ``value`` (in ``layout``)."""
    p, q = (int(v) for v in t.fshape)
    m, n = (int(v) for v in t.xshape)
    mat = value if layout == Layout.NUMERATOR else value.T
    return nested(t, {(pp, qq, ii, jj): mat[pp + qq * p, ii + jj * m]
                      for pp in range(p) for qq in range(q) for ii in range(m) for jj in range(n)})
