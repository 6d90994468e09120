"""Derivatives of vectors and matrices by matrices, and of matrices by vectors and scalars:
tensors of order 3 and 4 (issue 17; the book's Examples 5.12, 5.13 and 5.99-5.102).

One computation: the differential dF of ``calculus.matrix.diff`` (``_Diff.dmat``), a sum of
terms that are each a linear map of dX:

* ``Lin``  c L dX R   (c L dX^T R when t),
* ``Scal`` tr(G^T dX) c M,
* ``Had``  c L (H ⊙ T) R, T itself such a sum,
* ``VecLin`` c unvec(P vec dX), through vec(...) and kron(...) (``calculus.matrix.vecterm``).

Every view is read off those terms (``calculus.matrix.views``): the vec/Kronecker form
(vec(L dX R) = (R^T ⊗ L) vec dX, vec(L dX^T R) = (R^T ⊗ L) K(m,n) vec dX,
vec(tr(G^T dX) M) = vec(M) vec(G)^T vec dX, vec(H ⊙ T) = diag(vec H) vec T), the index form
with Kronecker deltas (∂F[p,q]/∂X[i,j] = c L[p,i] R[j,q], ...), the explicit array at numeric
sizes, and an einsum string; ``apply`` gives dF for a given dX (the directional derivative).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ...errors import InputError
from ...model.shapes import is_matrix, shape_of, shape_text
from ...record import record
from . import vecterm
from .diff import Lin, Scal, _Diff
from .vecterm import VecLin

__all__ = ["Tensor", "apply", "describe", "scalar_derivative", "tensor_derivative", "term_matrices"]


@record
class Tensor:
    """dF/dX as the terms of dF (each linear in dX), with what is needed to read them."""

    function: Any  # F, a matrix expression (p x q)
    wrt: Any  # X, a MatrixSymbol (m x n)
    terms: tuple  # Lin / Scal / Had
    diff: Any  # the _Diff that made them (its canonical forms print the factors)

    @property
    def fshape(self) -> tuple:
        return tuple(self.function.shape)

    @property
    def xshape(self) -> tuple:
        return tuple(self.wrt.shape)

    @property
    def order(self) -> int:
        return sum(1 for s in self.fshape + self.xshape if s != 1)


def tensor_derivative(f: Any, wrt: sp.MatrixSymbol, *, symmetric: frozenset[str] = frozenset()) -> Tensor:
    """The derivative of the matrix (or vector) expression ``f`` by the matrix (or vector)
    symbol ``wrt``, as the terms of df.  By a symmetric ``wrt`` its entries are taken as
    independent (``wrt`` is differentiated as a plain matrix); the symmetry is imposed on the
    views afterwards (``tensor_symmetry``)."""
    if not isinstance(wrt, sp.MatrixSymbol):
        raise InputError(f"{wrt} is not a vector or matrix symbol")
    if not is_matrix(f):
        raise InputError("a tensor derivative is of a vector or matrix function")
    d = _Diff(wrt, frozenset(symmetric) - {wrt.name})
    f = d.cn.canon(f)
    return Tensor(function=f, wrt=wrt, terms=tuple(d.dmat(f)), diff=d)


def term_matrices(t: Tensor, term: Lin) -> tuple[Any, Any]:
    """L and R of a ``Lin`` term as matrix expressions (identities where empty)."""
    cn = t.diff.cn
    m, n = t.xshape
    p, q = t.fshape
    inner = (n, m) if term.t else (m, n)
    lm = cn.mono_expr((sp.S.One, term.L), (p, inner[0]))  # I where L is empty
    rm = cn.mono_expr((sp.S.One, term.R), (inner[1], q))
    return lm, rm


def apply(t: Tensor, direction: Any, terms: tuple | None = None) -> Any:
    """dF for dX = ``direction`` (a matrix of X's shape): the directional derivative."""
    out: list = []
    d = t.diff
    for term in t.terms if terms is None else terms:
        if isinstance(term, VecLin):
            out.append(vecterm.apply(term, direction))
        elif isinstance(term, Lin):
            dx = sp.Transpose(direction) if term.t else direction
            factors = [_prod(term.L), dx, _prod(term.R)]
            out.append(sp.MatMul(term.c, *[f for f in factors if f is not None]))
        elif isinstance(term, Scal):
            g = d.cn.sum_expr(list(term.g), t.xshape)
            s = sp.Trace(sp.MatMul(sp.Transpose(g), direction))
            m = _prod(term.M)
            out.append(sp.MatMul(term.c * s, m if m is not None else sp.Identity(term.rows)))
        else:
            inner = apply(t, direction, term.T)
            h = sp.HadamardProduct(term.H, inner)
            factors = [_prod(term.L), h, _prod(term.R)]
            out.append(sp.MatMul(term.c, *[f for f in factors if f is not None]))
    if not out:
        return sp.ZeroMatrix(*t.fshape)
    return out[0] if len(out) == 1 else sp.MatAdd(*out)


def _prod(atoms: tuple) -> Any:
    if not atoms:
        return None
    return atoms[0] if len(atoms) == 1 else sp.MatMul(*atoms)


# -- a matrix by a scalar: an ordinary matrix -------------------------------------------------


def scalar_derivative(f: Any, var: sp.Symbol, *, symmetric: frozenset[str] = frozenset()) -> Any:
    """d f / d t of a matrix expression f by a scalar t (d/dt (X + t A)^-1 =
    -(X + t A)^-1 A (X + t A)^-1): t is read as the 1 x 1 matrix T, and dF is applied to
    dT = 1."""
    if not (isinstance(f, sp.Basic) and f.has(var)):
        return sp.ZeroMatrix(*shape_of(f))
    T = sp.MatrixSymbol(f"_{var.name}_1x1", 1, 1)
    lifted = f.xreplace({var: sp.Trace(T)})
    if lifted.has(var):
        raise InputError(f"cannot differentiate {f} by {var}")
    d = _Diff(T, frozenset(symmetric))
    lifted = d.cn.canon(lifted)
    t = Tensor(function=lifted, wrt=T, terms=tuple(d.dmat(lifted)), diff=d)
    return _drop_one_by_one(_at_one(t, t.terms), T, var)


def _at_one(t: Tensor, terms: tuple) -> Any:
    """dF for the 1 x 1 dX = 1 (X the 1 x 1 matrix a scalar was read as)."""
    d = t.diff
    cn = d.cn
    shape = t.fshape
    out: list = []
    for term in terms:
        if isinstance(term, VecLin):  # dX = 1: unvec(P)
            out.append(sp.MatMul(term.c, cn.sum_expr(vecterm.unvec(d, list(term.P), term.rows, term.cols),
                                                   (term.rows, term.cols))))
        elif isinstance(term, Lin):
            out.append(sp.MatMul(term.c, cn.mono_expr((sp.S.One, term.L + term.R), shape)))
        elif isinstance(term, Scal):
            g = sp.Add(*[d.scalar_of(c, at) for c, at in term.g])
            m = cn.mono_expr((sp.S.One, term.M), shape) if term.M else sp.Identity(term.rows)
            out.append(sp.MatMul(term.c * g, m))
        else:
            inner = _at_one(Tensor(function=sp.ZeroMatrix(*term.H.shape), wrt=t.wrt, terms=(), diff=d), term.T)
            h = sp.HadamardProduct(term.H, inner)
            out.append(sp.MatMul(term.c, *[a for a in (_prod(term.L), h, _prod(term.R)) if a is not None]))
    if not out:
        return sp.ZeroMatrix(*shape)
    total = out[0] if len(out) == 1 else sp.MatAdd(*out)
    return cn.canon(total)


def _drop_one_by_one(e: Any, T: Any, var: Any) -> Any:
    e = e.xreplace({sp.Trace(T): var})
    if e.has(T):
        raise InputError(f"cannot write the derivative by {var} without the 1 x 1 matrix it was read as")
    return e


def describe(t: Tensor) -> str:
    """``a 3 x 3 matrix by a 3 x 3 matrix``: what the tensor is a derivative of."""
    return f"the {shape_text(t.fshape)} function by the {shape_text(t.xshape)} {t.wrt.name}"

