"""Derivatives of order 3 and 4 for ``derivative`` and ``jacobian``: a vector or matrix
function by a matrix, a matrix function by a vector.  One computation
(``calculus.matrix.tensor``), every view read off it (``calculus.matrix.views``); by a
``--symmetric`` matrix the symmetry is imposed on each view (``calculus.matrix.tensor_symmetry``);
with ``--at`` the point's arrays fix the sizes and the array and vec matrix are evaluated
there (``calculus.matrix.tensor_values``)."""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..limits import check_entries
from ..model.declarations import Context
from ..model.shapes import is_matrix, shape_of
from ..results import JacobianTensorResult, TensorResult
from .common import Options, check_corners, read_point


def is_tensor(f: Any, var: Any) -> bool:
    """Whether d f / d var is of order 3 or 4: f a vector or matrix, var a vector or matrix
    symbol, and not a Jacobian (a vector by a vector)."""
    if not isinstance(var, sp.MatrixSymbol) or not is_matrix(f):
        return False
    dims = [s for s in tuple(shape_of(f)) + tuple(var.shape) if s != 1]
    return len(dims) >= 3


def tensor_result(text: str, f: Any, var: Any, opts: Options, ctx: Context, *, command: str = "derivative") -> Any:
    from ..calculus.evaluate import evaluate_arrays, point_sizes
    from ..calculus.matrix import tensor_symmetry as sym
    from ..calculus.matrix.tensor import tensor_derivative
    from ..calculus.matrix.tensor_values import array_of
    from ..calculus.matrix.views import explicit_array, index_form, numeric_sizes, vec_form, vec_matrix

    point = None
    if opts.at is not None:  # the point's arrays fix the sizes: every view at those sizes
        point = read_point(opts, ctx, digits=opts.digits)
        sizes = point_sizes((f, var), point, ctx.symmetric)
        f, var = f.xreplace(sizes), var.xreplace(sizes)
    t = tensor_derivative(f, var, symmetric=ctx.symmetric)
    names = sym.symmetric_names(t, ctx.symmetric)
    vec = sym.on_vec(vec_form(t, opts.layout), names)
    form = sym.on_index(index_form(t), names)
    array = vecm = value = vec_value = None
    if numeric_sizes(t):
        p, q = (int(v) for v in t.fshape)
        m, n = (int(v) for v in t.xshape)
        check_entries(p * q * m * n, f"the derivative's {p * q * m * n:,} entries")
        array = sym.on_array(explicit_array(t), t, names)
        vecm = vec_matrix(array, t, opts.layout)
    if point is not None:
        check_corners(f, [var], point, text, first=True)
        vec_value = evaluate_arrays(vec, t.function, point, ctx.symmetric)
        value = array_of(vec_value, t, opts.layout)
    klass = JacobianTensorResult if command == "jacobian" else TensorResult
    return klass(input=text, function=t.function, wrt=var, vec=vec, index=form, layout=opts.layout,
                 array=array, vec_matrix=vecm, point=point, value=value, vec_value=vec_value)
