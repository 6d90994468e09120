"""Differentials through entrywise functions, Hadamard products, softmax, diag and the
reductions sum and logsumexp (issue 16).

A differential term of this kind is ``Had``: c L (H ⊙ T) R, where T is a list of terms (each
linear in dX) and H an array of T's shape.  It comes from an *entrywise region*: the largest
subexpression made of entrywise functions, Hadamard products and powers, a scalar times an
array and sums with ones (``log(1 + exp(-y ⊙ (X w)))``).  The region is a scalar function g of
its leaves (``y``, ``X w``), one symbol each; SymPy's scalar ``diff`` gives ∂g/∂leaf, tidied
(e^t/(1 + e^t) -> σ(t)), and turned back into an array H, so that

    d g(A, B, ...) = Σ ∂g/∂A (A, B, ...) ⊙ dA.

Reading a gradient off uses tr(P (H ⊙ T)) = tr((P ⊙ H^T) T) (P = R L); a Jacobian by a vector
uses h ⊙ t = diag(h) t.  Other rules: d softmax(z) = (diag(s) - s s^T) dz, d diag(v) =
I ⊙ (dv 1^T), d sum(Z) = 1^T dZ 1, d logsumexp(z) = softmax(z)^T dz.  Every term stays
explicit data (a linear map of dX), so that vec forms can be read off later.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from ...errors import InputError
from ...model.arrays import (
    ArraySum,
    Diag,
    Entrywise,
    LogSumExp,
    Softmax,
    function_named,
    hadamard,
    hadamard_power,
    ones,
    scaled,
    split_coefficient,
)
from ...model.functions import sigmoid
from ...model.shapes import is_matrix
from ...record import record


@record
class Had:
    """c * L (H ⊙ T) R, T a tuple of terms."""

    c: Any
    L: tuple
    H: Any
    T: tuple
    R: tuple


#: node types that start an entrywise region
REGION_TYPES = (Entrywise, sp.HadamardProduct, sp.HadamardPower)
#: array types differentiated here (vec and kron: ``calculus.matrix.vecterm``)
ARRAY_NODES = (*REGION_TYPES, Softmax, Diag)


def _in_region(e: Any) -> bool:
    """Whether ``e`` is part of an entrywise region (not a leaf)."""
    if isinstance(e, (*REGION_TYPES, sp.OneMatrix)):
        return True
    if isinstance(e, sp.MatAdd):
        return any(_in_region(a) for a in e.args)
    if isinstance(e, sp.MatMul):
        mats = [a for a in e.args if is_matrix(a)]
        return len(mats) == 1 and _in_region(mats[0])
    return False


class _Template:
    """A region as a scalar expression of one dummy per leaf."""

    def __init__(self) -> None:
        self.leaves: dict[sp.Dummy, Any] = {}
        self._by_leaf: dict[Any, sp.Dummy] = {}

    def leaf(self, e: Any) -> sp.Dummy:
        if e not in self._by_leaf:
            d = sp.Dummy("a", real=True)
            self._by_leaf[e] = d
            self.leaves[d] = e
        return self._by_leaf[e]

    def scalar(self, e: Any) -> Any:
        """The scalar expression of an array (or scalar) ``e`` of the region."""
        if not is_matrix(e):
            if isinstance(e, sp.Basic) and e.free_symbols and any(is_matrix(a) for a in sp.preorder_traversal(e)):
                return self.leaf(e)  # a scalar made of matrices (x^T x): a scalar leaf
            return e
        if isinstance(e, sp.OneMatrix):
            return sp.S.One
        if isinstance(e, Entrywise):
            if e.name == "log" and isinstance(e.arguments[0], Softmax):  # log softmax(z) = z - lse(z) 1
                z = e.arguments[0].arg
                return self.scalar(z) - self.leaf(LogSumExp(z))
            return e.function(*[self.scalar(a) for a in e.arguments])
        if isinstance(e, sp.HadamardProduct):
            return sp.Mul(*[self.scalar(a) for a in e.args])
        if isinstance(e, sp.HadamardPower):
            return self.scalar(e.base) ** e.exp
        if isinstance(e, sp.MatAdd) and _in_region(e):
            return sp.Add(*[self.scalar(a) for a in e.args])
        if isinstance(e, sp.MatMul) and _in_region(e):
            c, m = split_coefficient(e)
            return self.scalar(c) * self.scalar(m)
        return self.leaf(e)

    def array(self, s: Any, shape: tuple) -> Any:
        """A scalar expression of the dummies back as an array of ``shape`` (a scalar when it
        holds no array leaf)."""
        arrays = {d for d, leaf in self.leaves.items() if is_matrix(leaf)}
        back = {d: leaf for d, leaf in self.leaves.items() if not is_matrix(leaf)}

        def go(e: Any) -> Any:
            if not (e.free_symbols & arrays):
                return e.xreplace(back)
            if e in self.leaves:
                return self.leaves[e]
            if isinstance(e, sp.Add):
                parts = [go(a) for a in e.args]
                mats = [p for p in parts if is_matrix(p)]
                consts = sp.Add(*[p for p in parts if not is_matrix(p)])
                total = mats[0] if len(mats) == 1 else sp.MatAdd(*mats)
                if consts != 0:
                    total = sp.MatAdd(scaled(consts, ones(*shape)), *(total.args if isinstance(total, sp.MatAdd)
                                                                       else (total,)))
                return total
            if isinstance(e, sp.Mul):
                parts = sorted((go(a) for a in e.args), key=_factor_rank)
                coef = sp.Mul(*[p for p in parts if not is_matrix(p)])
                return scaled(coef, hadamard(*[p for p in parts if is_matrix(p)]))
            if isinstance(e, sp.Pow):
                if e.exp.free_symbols & arrays:
                    return Entrywise("exp", go(e.exp * sp.log(e.base)))
                return hadamard_power(go(e.base), e.exp.xreplace(back))
            if isinstance(e, sp.Function):
                name = type(e).__name__
                try:
                    function_named(name)
                except ValueError:
                    if isinstance(e, sp.DiracDelta):  # d/dz heaviside(z), d^2/dz^2 relu(z), max, min
                        raise InputError(
                            "this derivative holds a Dirac delta (from differentiating heaviside once, or relu, "
                            "max or min twice), which gradcli does not write for arrays",
                            "it is refused rather than dropped; scalar variables (--wrt x1,x2) can show it") from None
                    raise InputError(f"cannot write the derivative of {type(e).__name__} entry by entry") from None
                args = e.args[:1] if isinstance(e, sp.Heaviside) else e.args  # H(0) = 1/2, as written
                return Entrywise(name, *[go(a) for a in args])
            raise InputError(f"cannot write the derivative {e} entry by entry")

        return go(s)


def _factor_rank(m: Any) -> int:
    """Hadamard factors as one writes them: symbols, then functions, then sums."""
    if not is_matrix(m):
        return 0
    return 1 if isinstance(m, (sp.MatrixSymbol, sp.HadamardPower)) else 2 if isinstance(m, Entrywise) else 3


def tidy(s: Any) -> Any:
    """A scalar derivative in its shortest form among: as computed, with e^t/(1 + e^t) read as
    σ(t) (the logistic function's derivatives), factored."""
    candidates = [s]
    exps = [a for a in s.atoms(sp.exp)]
    if exps:
        sub = {a: sigmoid(a.args[0]) / (1 - sigmoid(a.args[0])) for a in exps}
        candidates.append(sp.factor(sp.cancel(s.xreplace(sub))))
    candidates.append(sp.factor_terms(s))
    return min(candidates, key=lambda e: (sp.count_ops(e), len(str(e))))


class EntrywiseRules:
    """The rules of this module, for ``_Diff`` (which gives ``dmat``, ``scalar_grad``,
    ``trace_grad`` and ``lmul``/``rmul``)."""

    def __init__(self, d: Any):
        self.d = d

    def dmat(self, e: Any) -> list:
        d = self.d
        if isinstance(e, REGION_TYPES):
            return self.region(e)
        if isinstance(e, Softmax):
            s = e
            dz = d.dmat(e.arg)
            return d.lmul(sp.S.One, (Diag(s),), dz) + d.lmul(sp.S.NegativeOne, (s, d.cn.tpose(s)), dz)
        if isinstance(e, Diag):
            n = e.shape[0]
            inner = d.rmul(d.dmat(e.arg), (ones(1, n),)) if n != 1 else d.dmat(e.arg)
            return [Had(sp.S.One, (), sp.Identity(n), tuple(inner), ())]
        raise AssertionError(type(e))

    def region(self, e: Any) -> list:
        d = self.d
        t = _Template()
        g = t.scalar(e)
        out: list = []
        for dummy, leaf in list(t.leaves.items()):
            if not d.has(leaf):
                continue
            partial = tidy(sp.diff(g, dummy))
            if partial == 0:
                continue
            h = t.array(partial, e.shape)
            if not is_matrix(leaf):  # a scalar leaf: tr(G^T dX) * h
                from .diff import Scal

                c, m = split_coefficient(h) if is_matrix(h) else (h, ones(*e.shape))
                out.append(Scal(tuple(d.scalar_grad(leaf)), c, d.cn.flat(m)[1], e.shape[0]))
                continue
            dleaf = d.dmat(leaf)
            if not is_matrix(h):
                out.extend(d.lmul(h, (), dleaf))
                continue
            c, hm = split_coefficient(h)
            if isinstance(hm, sp.OneMatrix):
                out.extend(d.lmul(c, (), dleaf))
            else:
                out.append(Had(c, (), hm, tuple(dleaf), ()))
        return out

    def scalar_grad(self, s: Any) -> list:
        d = self.d
        if isinstance(s, ArraySum):
            z = s.arg
            r, c = z.shape
            terms = d.dmat(z)
            if r != 1:
                terms = d.lmul(sp.S.One, (ones(1, r),), terms)
            if c != 1:
                terms = d.rmul(terms, (ones(c, 1),))
            return d.trace_grad(terms)
        if isinstance(s, LogSumExp):
            return d.trace_grad(d.lmul(sp.S.One, (d.cn.tpose(Softmax(s.arg)),), d.dmat(s.arg)))
        raise AssertionError(type(s))

    def trace_grad(self, t: Had) -> list:
        """G with tr(G^T dX) = tr(c L (H ⊙ T) R) = c tr((P ⊙ H^T) T), P = R L."""
        d = self.d
        cn = d.cn
        rows, cols = t.H.shape
        atoms = t.R + t.L
        if atoms:
            p = cn.mono_expr((sp.S.One, atoms), (cols, rows))
        else:
            p = sp.Identity(rows)
        left = cn.tpose(hadamard(cn.tpose(p), t.H))  # P ⊙ H^T = (P^T ⊙ H)^T: columns inside
        c, at = cn.flat(left)
        return d.trace_grad(d.lmul(t.c * c, at, list(t.T)))

    def as_products(self, t: Had) -> list:
        """h ⊙ T as diag(h) T (h a column) or T diag(h^T) (h a row): for Jacobians."""
        d = self.d
        c, h = split_coefficient(t.H)
        rows, cols = h.shape
        if cols == 1:
            inner = d.lmul(sp.S.One, (Diag(h),), list(t.T))
        elif rows == 1:
            inner = d.rmul(list(t.T), (Diag(d.cn.tpose(h)),))
        else:
            raise InputError("the Jacobian of this entrywise matrix expression is a tensor",
                             "differentiate a scalar of it (a sum or a trace) instead")
        return d.rmul(d.lmul(t.c * c, t.L, inner), t.R)


def is_array_node(e: Any) -> bool:
    return isinstance(e, ARRAY_NODES) or (isinstance(e, MatrixExpr) and _in_region(e))
