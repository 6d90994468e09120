"""Derivatives of order 3 and 4 for ``derivative`` and ``jacobian``: a vector or matrix
function by a matrix, a matrix function by a vector.  One computation
(``calculus.matrix.tensor``), every view read off it (``calculus.matrix.views``)."""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..errors import InputError
from ..limits import check_entries
from ..model.declarations import Context
from ..model.shapes import is_matrix, shape_of
from ..results import JacobianTensorResult, TensorResult
from .common import Options


def is_tensor(f: Any, var: Any) -> bool:
    """Whether d f / d var is of order 3 or 4: f a vector or matrix, var a vector or matrix
    symbol, and not a Jacobian (a vector by a vector)."""
    if not isinstance(var, sp.MatrixSymbol) or not is_matrix(f):
        return False
    dims = [s for s in tuple(shape_of(f)) + tuple(var.shape) if s != 1]
    return len(dims) >= 3


def tensor_result(text: str, f: Any, var: Any, opts: Options, ctx: Context, *, command: str = "derivative") -> Any:
    from ..calculus.matrix.tensor import tensor_derivative
    from ..calculus.matrix.views import explicit_array, index_form, numeric_sizes, vec_form, vec_matrix

    if opts.at is not None:
        raise InputError("--at is not taken with a derivative of order 3 or 4",
                         "give the sizes with --dim or --shape: the explicit array is shown then")
    if var.name in ctx.symmetric:
        raise InputError(f"a derivative of order 3 or 4 by the symmetric matrix {var.name} is not supported",
                         f"declare {var.name} with --matrix (its entries independent)")
    t = tensor_derivative(f, var, symmetric=ctx.symmetric)
    form = index_form(t)
    array = vecm = None
    if numeric_sizes(t):
        p, q = (int(v) for v in t.fshape)
        m, n = (int(v) for v in t.xshape)
        check_entries(p * q * m * n, f"the derivative's {p * q * m * n:,} entries")
        array = explicit_array(t)
        vecm = vec_matrix(array, t, opts.layout)
    klass = JacobianTensorResult if command == "jacobian" else TensorResult
    return klass(input=text, function=t.function, wrt=var, vec=vec_form(t, opts.layout), index=form,
                 layout=opts.layout, array=array, vec_matrix=vecm)
