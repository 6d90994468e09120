"""Differentials of matrix expressions and of scalars built from them (see
``calculus.matrix``): d(AB) = dA B + A dB, d tr Y = tr dY, d det Y = det Y tr(Y^-1 dY),
d Y^-1 = -Y^-1 dY Y^-1, d Y^k, d(Y^T) = (dY)^T, and the chain rule through scalar functions
of traces, determinants and 1 x 1 products."""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr

from ...errors import InputError
from ...model.arrays import ARRAY_SCALARS, ArraySum, Vec
from ...model.shapes import is_matrix
from ...record import record
from . import vecterm
from .canon import Mono, _Canon
from .entrywise import EntrywiseRules, Had, is_array_node
from .vecterm import VecLin

# -- differentials ----------------------------------------------------------------


@record
class Lin:
    """c * L dX R, or c * L dX^T R when t."""

    c: Any
    L: tuple
    R: tuple
    t: bool


@record
class Scal:
    """tr(G^T dX) * c * M, G given by the monomials g."""

    g: tuple
    c: Any
    M: tuple
    rows: Any  # rows of the matrix M stands for (its size when M is empty: c I)


_SCALAR_ATOMS = (sp.Trace, sp.Determinant, MatrixElement, *ARRAY_SCALARS)


class _Diff:
    def __init__(self, wrt: sp.MatrixSymbol, symmetric: frozenset[str]):
        self.X = wrt
        self.cn = _Canon(symmetric)
        self.ew = EntrywiseRules(self)

    # helpers
    def has(self, e: Any) -> bool:
        return isinstance(e, sp.Basic) and e.has(self.X)

    def lmul(self, c: Any, atoms: tuple, terms: list) -> list:
        out = []
        for t in terms:
            if isinstance(t, Lin):
                out.append(Lin(c * t.c, atoms + t.L, t.R, t.t))
            elif isinstance(t, Had):
                out.append(Had(c * t.c, atoms + t.L, t.H, t.T, t.R))
            elif isinstance(t, VecLin):
                out.append(vecterm.lmul(self, c, atoms, t))
            else:
                out.append(Scal(t.g, c * t.c, atoms + t.M, atoms[0].shape[0] if atoms else t.rows))
        return out

    def rmul(self, terms: list, atoms: tuple) -> list:
        out = []
        for t in terms:
            if isinstance(t, Lin):
                out.append(Lin(t.c, t.L, t.R + atoms, t.t))
            elif isinstance(t, Had):
                out.append(Had(t.c, t.L, t.H, t.T, t.R + atoms))
            elif isinstance(t, VecLin):
                out.append(vecterm.rmul(self, t, atoms))
            else:
                out.append(Scal(t.g, t.c, t.M + atoms, t.rows))
        return out

    def transpose_terms(self, terms: list) -> list:
        out = []
        ts = self.cn.tseq
        for t in terms:
            if isinstance(t, Lin):
                if self.cn.tpose(self.X) == self.X:  # symmetric wrt: dX^T = dX
                    out.append(Lin(t.c, ts(t.R), ts(t.L), t.t))
                else:
                    out.append(Lin(t.c, ts(t.R), ts(t.L), not t.t))
            elif isinstance(t, Had):
                out.append(Had(t.c, ts(t.R), self.cn.tpose(t.H), tuple(self.transpose_terms(list(t.T))), ts(t.L)))
            elif isinstance(t, VecLin):
                out.append(vecterm.transpose(self, t))
            else:
                out.append(Scal(t.g, t.c, ts(t.M), t.M[-1].shape[1] if t.M else t.rows))
        return out

    # d of a matrix expression
    def dmat(self, e: Any) -> list:
        if not self.has(e):
            return []
        if e == self.X:
            return [Lin(sp.S.One, (), (), False)]
        if isinstance(e, sp.Transpose):
            return self.transpose_terms(self.dmat(e.arg))
        if isinstance(e, sp.MatAdd):
            out: list = []
            for a in e.args:
                out.extend(self.dmat(a))
            return out
        if isinstance(e, sp.MatMul):
            scal = sp.S.One
            mats = []
            for a in e.args:
                if is_matrix(a):
                    mats.append(a)
                else:
                    scal *= a
            flats = [self.cn.flat(m) for m in mats]
            coef = scal
            for c, _ in flats:
                coef *= c
            out = []
            for k, m in enumerate(mats):
                if not self.has(m):
                    continue
                dk = self.dmat(m)
                if not dk:
                    continue
                left = tuple(a for _, at in flats[:k] for a in at)
                right = tuple(a for _, at in flats[k + 1:] for a in at)
                cl = sp.Mul(*[c for c, _ in flats[:k]]) * sp.Mul(*[c for c, _ in flats[k + 1:]]) * scal
                out.extend(self.rmul(self.lmul(cl, left, dk), right))
            if self.has(scal):
                g = tuple(self.scalar_grad(scal))
                if g:
                    allatoms = tuple(a for _, at in flats for a in at)
                    out.append(Scal(g, sp.Mul(*[c for c, _ in flats]), allatoms, e.shape[0]))
            return out
        if isinstance(e, sp.Inverse):
            y = e.arg
            yinv = self.cn.flat(sp.Inverse(y))
            dy = self.dmat(y)
            return self.rmul(self.lmul(-yinv[0] * yinv[0], yinv[1], dy), yinv[1])
        if isinstance(e, sp.MatPow):
            base, k = e.args
            if not k.is_Integer:
                raise InputError(f"cannot differentiate the matrix power {e} with a non-integer exponent")
            k = int(k)
            if k == 0:
                return []
            if k < 0:
                return self.dmat(sp.MatPow(sp.Inverse(base), -k))
            c, atoms = self.cn.flat(base)
            db = self.dmat(base)
            out = []
            for i in range(k):
                out.extend(self.rmul(self.lmul(c ** (k - 1), atoms * i, db), atoms * (k - 1 - i)))
            return out
        if isinstance(e, Vec):
            return vecterm.d_vec(self, e)
        if isinstance(e, sp.KroneckerProduct):
            return vecterm.d_kron(self, e)
        if is_array_node(e):
            return self.ew.dmat(e)
        if isinstance(e, sp.MatrixBase):
            raise InputError(f"cannot differentiate an explicit matrix whose entries depend on {self.X} "
                             f"w.r.t. {self.X}")
        raise InputError(
            f"cannot differentiate {type(e).__name__} expressions w.r.t. the matrix {self.X}",
            "supported: sums, products, transposes, inverses, integer powers, tr, det and scalar functions of them",
        )

    # gradient G (shape of X) of a scalar
    def scalar_grad(self, s: Any) -> list[Mono]:
        if not self.has(s):
            return []
        if isinstance(s, MatrixExpr):
            if tuple(s.shape) != (1, 1):
                raise InputError(f"{s} is not a scalar")
            return self.trace_grad(self.dmat(s))
        if isinstance(s, sp.Trace):
            return self.trace_grad(self.dmat(s.arg))
        if isinstance(s, ARRAY_SCALARS):
            return self.ew.scalar_grad(s)
        if isinstance(s, sp.Determinant):
            y = s.arg
            c, atoms = self.cn.flat(sp.Inverse(y))
            return [(s * m[0], m[1]) for m in self.trace_grad(self.lmul(c, atoms, self.dmat(y)))]
        if isinstance(s, MatrixElement):
            if tuple(s.parent.shape) == (1, 1):
                return self.trace_grad(self.dmat(s.parent))
            raise InputError(
                f"cannot differentiate the single entry {s} w.r.t. the matrix {self.X}",
                "write the entry as a product, e.g. a^T X b",
            )
        # a scalar function of matrix scalars: the chain rule
        atoms = _top_scalar_atoms(s, self.X)
        if not atoms:
            raise InputError(f"cannot differentiate {s} w.r.t. the matrix {self.X}")
        dummies = {a: sp.Dummy("h", real=True) for a in atoms}
        back = {d: a for a, d in dummies.items()}
        plain = s.xreplace(dummies)
        if plain.has(self.X):
            raise InputError(f"cannot differentiate {s} w.r.t. the matrix {self.X}")
        out: list[Mono] = []
        for a, d in dummies.items():
            outer = sp.diff(plain, d)
            if outer == 0:
                continue
            outer = outer.xreplace(back)
            out.extend((outer * c, at) for c, at in self.scalar_grad(a))
        return out

    def trace_grad(self, terms: list) -> list[Mono]:
        """G with tr(G^T dX) = tr(sum of terms)."""
        out: list[Mono] = []
        for t in terms:
            if isinstance(t, Lin):
                if t.t:
                    out.append((t.c, t.R + t.L))
                else:
                    out.append((t.c, self.cn.tseq(t.R + t.L)))
            elif isinstance(t, Had):
                out.extend(self.ew.trace_grad(t))
            elif isinstance(t, VecLin):
                out.extend(vecterm.trace_grad(self, t))
            else:
                tr = self.trace_of(t.c, t.M, t.rows)
                out.extend((tr * c, at) for c, at in t.g)
        return out

    def products(self, terms: list) -> list:
        """The terms with every Hadamard term as products with diag(h) (for Jacobians)."""
        out: list = []
        for t in terms:
            out.extend(self.products(self.ew.as_products(t)) if isinstance(t, Had) else [t])
        return out

    def trace_of(self, c: Any, atoms: tuple, rows: Any = 1) -> Any:
        if not atoms:
            return c * rows
        total = self._as_sum(atoms)
        if total is not None:
            return c * total
        m = self.cn.mono_expr((sp.S.One, atoms), (atoms[0].shape[0], atoms[-1].shape[1]))
        if isinstance(m, sp.Identity):
            return c * m.shape[0]
        return c * sp.Trace(m)

    def _as_sum(self, atoms: tuple) -> Any:
        """1^T M 1, v^T 1, 1^T v (a 1 x 1 product with ones at an end) as sum(...)."""
        first, last = atoms[0], atoms[-1]
        if atoms[0].shape[0] != 1 or atoms[-1].shape[1] != 1:
            return None
        lead = isinstance(first, sp.OneMatrix)
        tail = isinstance(last, sp.OneMatrix)
        mid = atoms[int(lead): len(atoms) - int(tail)]
        if not mid or not (lead or tail):
            return None
        m = self.cn.mono_expr((sp.S.One, mid), (mid[0].shape[0], mid[-1].shape[1]))
        return ArraySum(m if lead else self.cn.tpose(m))

    def scalar_of(self, c: Any, atoms: tuple) -> Any:
        """A 1 x 1 product as a scalar."""
        if not atoms:
            return c
        return self.trace_of(c, atoms)


def _top_scalar_atoms(s: Any, X: Any) -> list:
    out: list = []

    def walk(e: Any) -> None:
        if isinstance(e, _SCALAR_ATOMS):
            if e.has(X) and e not in out:
                out.append(e)
            return
        for a in e.args:
            walk(a)

    walk(s)
    return out
