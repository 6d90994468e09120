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
component convention of ``components.explicit_derivative`` (W_ij and W_ji are
one symbol): D = G + G^T - I o G (the Matrix Cookbook's, 2.8).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr

from ..errors import InputError
from ..model.layout import Layout, layout_of
from .simplify import coefficient
from ..record import record

__all__ = ["matrix_derivative", "matrix_hessian", "result_shape"]


Mono = tuple  # (coefficient: sp.Expr, atoms: tuple[MatrixExpr, ...])


# -- canonical forms ----------------------------------------------------------------


class _Canon:
    """Canonical forms of matrix expressions under a set of symmetric names.

    Canonical atoms: MatrixSymbol, Transpose(MatrixSymbol) (not symmetric),
    Inverse(Y), Transpose(Inverse(Y)), MatAdd, Transpose(MatAdd), anything
    else SymPy offers (kept whole).  Products are flattened into a coefficient
    and a tuple of atoms; positive integer powers are repeated atoms.
    """

    def __init__(self, symmetric: frozenset[str]):
        self.symmetric = symmetric
        self._tcache: dict = {}

    # canonical expression
    def canon(self, e: Any) -> Any:
        if not isinstance(e, MatrixExpr):
            return e
        if isinstance(e, sp.MatrixSymbol) or isinstance(e, (sp.Identity, sp.ZeroMatrix, sp.OneMatrix)):
            return e
        if isinstance(e, sp.Transpose):
            return self.tpose(self.canon(e.arg))
        if isinstance(e, sp.Inverse):
            return self.inv(self.canon(e.arg))
        if isinstance(e, sp.MatPow):
            base, k = e.args
            if k.is_Integer:
                k = int(k)
                if k == 0:
                    return sp.Identity(base.shape[0])
                if k == 1:
                    return self.canon(base)
                if k < 0:
                    return self.power(self.inv(self.canon(base)), -k)
                return self.power(self.canon(base), k)
            raise InputError(f"a matrix power needs an integer exponent: {e}")
        if isinstance(e, sp.MatMul):
            c, atoms = self.flat_c(e)  # flat_c canonicalises the factors
            return self.mono_expr((c, atoms), e.shape)
        if isinstance(e, sp.MatAdd):
            return self.canon_sum([self.flat(t) for t in e.args], e.shape)
        return e

    def canon_sum(self, monos: list[Mono], shape: tuple) -> Any:
        """A sum as a unit, in the orientation with fewer transposes:
        x.T - s.T*A.T -> (x - A*s).T; a symmetric sum (B + B.T) as itself."""
        monos = collect(monos)
        u = self.sum_expr(monos, shape, factor=False)
        if not isinstance(u, sp.MatAdd):
            return u
        tmonos = collect((c, self.tseq(at)) for c, at in monos)
        v = self.sum_expr(tmonos, (shape[1], shape[0]), factor=False)
        if not isinstance(v, sp.MatAdd) or set(v.args) == set(u.args):
            return u
        su, sv = _count_transposes(u), _count_transposes(v)
        if sv < su or (sv == su and sp.default_sort_key(v) < sp.default_sort_key(u)):
            return sp.Transpose(v)
        return u

    def power(self, base: Any, k: int) -> Any:
        return sp.MatPow(base, k) if k != 1 else base

    def tpose(self, a: Any) -> Any:
        """The canonical transpose of a canonical expression."""
        if not isinstance(a, MatrixExpr):
            return a
        key = a
        if key in self._tcache:
            return self._tcache[key]
        out = self._tpose(a)
        self._tcache[key] = out
        return out

    def _tpose(self, a: Any) -> Any:
        if isinstance(a, sp.MatrixSymbol):
            return a if (a.name in self.symmetric and a.shape[0] == a.shape[1]) else sp.Transpose(a)
        if isinstance(a, sp.Transpose):
            return a.arg
        if isinstance(a, sp.Identity):
            return a
        if isinstance(a, sp.ZeroMatrix):
            return sp.ZeroMatrix(a.shape[1], a.shape[0])
        if isinstance(a, sp.OneMatrix):
            return sp.OneMatrix(a.shape[1], a.shape[0])
        if isinstance(a, sp.Inverse):
            return a if self.tpose(a.arg) == a.arg else sp.Transpose(a)
        if isinstance(a, sp.MatPow):
            return sp.MatPow(self.tpose(a.args[0]), a.args[1])
        if isinstance(a, sp.MatMul):
            c, atoms = self.flat_c(a)
            return self.mono_expr((c, self.tseq(atoms)), (a.shape[1], a.shape[0]))
        if isinstance(a, sp.MatAdd):
            ts = [self.tpose(t) for t in a.args]
            if set(ts) == set(a.args):
                return a
            return sp.Transpose(a)
        if isinstance(a, sp.MatrixBase):
            return sp.ImmutableMatrix(a.T)
        return sp.Transpose(a)

    def inv(self, a: Any) -> Any:
        """The canonical inverse of a canonical expression."""
        if isinstance(a, sp.Inverse):
            return a.arg
        if isinstance(a, sp.Identity):
            return a
        if isinstance(a, sp.Transpose):
            return self.tpose(self.inv(a.arg))
        if isinstance(a, sp.MatPow):
            return self.power(self.inv(a.args[0]), int(a.args[1]))
        if isinstance(a, sp.MatMul):
            c, atoms = self.flat_c(a)
            if c != 1:
                return self.mono_expr((1 / c, (self.inv(self.mono_expr((sp.S.One, atoms), a.shape)),)), a.shape)
        if isinstance(a, sp.MatrixBase):
            return sp.ImmutableMatrix(a.inv())
        return sp.Inverse(a)

    def tseq(self, atoms: Iterable[Any]) -> tuple:
        out: list = []
        coef = sp.S.One
        for a in reversed(tuple(atoms)):
            c, at = self.flat_c(self.tpose(a))
            coef *= c
            out.extend(at)
        if coef != 1:  # cannot happen for canonical atoms
            raise AssertionError("transposed atom with a coefficient")
        return tuple(out)

    def flat(self, e: Any) -> Mono:
        """(coefficient, atoms) of any matrix expression (canonicalised)."""
        return self.flat_c(self.canon(e))

    def flat_c(self, a: Any) -> Mono:
        """(coefficient, atoms) of a canonical expression."""
        if not isinstance(a, MatrixExpr) and not isinstance(a, sp.MatrixBase):
            return (a, ())
        if isinstance(a, sp.MatMul):
            coef = sp.S.One
            atoms: list = []
            for arg in a.args:
                if isinstance(arg, (MatrixExpr, sp.MatrixBase)):
                    c, at = self.flat_c(self.canon(arg))
                    coef *= c
                    atoms.extend(at)
                else:
                    coef *= arg
            return (coef, tuple(atoms)) if coef != 0 else (sp.S.Zero, ())
        if isinstance(a, sp.MatPow) and a.args[1].is_Integer and int(a.args[1]) > 0:
            c, at = self.flat_c(a.args[0])
            k = int(a.args[1])
            return (c**k, at * k)
        if isinstance(a, sp.Identity):
            return (sp.S.One, ())
        if isinstance(a, sp.ZeroMatrix):
            return (sp.S.Zero, ())
        return (sp.S.One, (a,))

    # building expressions back
    def mono_expr(self, mono: Mono, shape: tuple) -> Any:
        c, atoms = mono
        if c == 0:
            return sp.ZeroMatrix(*shape)
        parts = _compress(atoms)
        if not parts:
            if shape[0] != shape[1]:
                # only possible when a size is 1 for this shape
                return sp.MatMul(c, sp.Identity(shape[0])) if c != 1 else sp.Identity(shape[0])
            return sp.Identity(shape[0]) if c == 1 else sp.MatMul(c, sp.Identity(shape[0]))
        if c == 1:
            return parts[0] if len(parts) == 1 else sp.MatMul(*parts)
        return sp.MatMul(c, *parts)

    def sum_expr(self, monos: list[Mono], shape: tuple, factor: bool = True) -> Any:
        monos = [m for m in monos if m[0] != 0]
        if not monos:
            return sp.ZeroMatrix(*shape)
        if len(monos) == 1:
            return self.mono_expr(monos[0], shape)
        if factor:
            return self._factored(monos, shape)
        return sp.MatAdd(*sorted((self.mono_expr(m, shape) for m in monos), key=sp.default_sort_key))

    def _factored(self, monos: list[Mono], shape: tuple) -> Any:
        """Pull out common numeric factors and common left/right factors."""
        monos = [m for m in monos if m[0] != 0]
        if not monos:
            return sp.ZeroMatrix(*shape)
        if len(monos) == 1:
            return self.mono_expr(monos[0], shape)
        # common numeric content: 2A + 2B -> 2 (A + B); -A - B -> -(A + B)
        nums = [m[0].as_coeff_Mul()[0] for m in monos]
        content = _numeric_content(nums)
        if content != 1:
            inner = self._factored([(sp.Mul(m[0], 1 / content), m[1]) for m in monos], shape)
            return _mul(content, inner)
        lefts = Counter(m[1][0] for m in monos if m[1])
        rights = Counter(m[1][-1] for m in monos if m[1])
        best_l = max(lefts.items(), key=lambda kv: kv[1], default=(None, 0))
        best_r = max(rights.items(), key=lambda kv: kv[1], default=(None, 0))
        if max(best_l[1], best_r[1]) < 2:
            return sp.MatAdd(*[self.mono_expr(m, shape) for m in monos])
        if best_l[1] >= best_r[1]:
            atom = best_l[0]
            group = [m for m in monos if m[1] and m[1][0] == atom]
            rest = [m for m in monos if not (m[1] and m[1][0] == atom)]
            inner = self._factored([(m[0], m[1][1:]) for m in group], (atom.shape[1], shape[1]))
            part = _mul(atom, inner)
        else:
            atom = best_r[0]
            group = [m for m in monos if m[1] and m[1][-1] == atom]
            rest = [m for m in monos if not (m[1] and m[1][-1] == atom)]
            inner = self._factored([(m[0], m[1][:-1]) for m in group], (shape[0], atom.shape[0]))
            part = _mul(inner, atom)
        if not rest:
            return part
        other = self._factored(rest, shape)
        return sp.MatAdd(part, *(other.args if isinstance(other, sp.MatAdd) else (other,)))


def _count_transposes(e: Any) -> int:
    return sum(1 for node in sp.preorder_traversal(e) if isinstance(node, sp.Transpose))


def _numeric_content(nums: list) -> Any:
    if not all(isinstance(q, sp.Rational) for q in nums):
        return sp.S.One
    g = nums[0]
    for q in nums[1:]:
        g = sp.gcd(g, q)
    g = abs(g)
    if all(q < 0 for q in nums):
        g = -g
    return g if g != 0 else sp.S.One


def _mul(*parts: Any) -> Any:
    """A product of (possibly scalar-coefficient) parts, coefficients in front."""
    coef = sp.S.One
    mats: list = []
    for p in parts:
        if isinstance(p, sp.MatMul):
            for a in p.args:
                if isinstance(a, (MatrixExpr, sp.MatrixBase)):
                    mats.append(a)
                else:
                    coef *= a
        elif isinstance(p, (MatrixExpr, sp.MatrixBase)):
            mats.append(p)
        else:
            coef *= p
    if not mats:
        raise AssertionError("product without a matrix")
    if len(mats) > 1:
        mats = [m for m in mats if not isinstance(m, sp.Identity)] or mats[:1]
    if coef == 1:
        return mats[0] if len(mats) == 1 else sp.MatMul(*mats)
    return sp.MatMul(coef, *mats)


def _compress(atoms: tuple) -> list:
    """Runs of equal atoms -> powers: (X, X, A) -> [X**2, A]."""
    out: list = []
    i = 0
    while i < len(atoms):
        j = i
        while j + 1 < len(atoms) and atoms[j + 1] == atoms[i]:
            j += 1
        k = j - i + 1
        out.append(atoms[i] if k == 1 else sp.MatPow(atoms[i], k))
        i = j + 1
    return out


def collect(monos: Iterable[Mono]) -> list[Mono]:
    """Sum the coefficients of equal products; keep first-seen order."""
    acc: dict[tuple, Any] = {}
    for c, atoms in monos:
        acc[atoms] = acc.get(atoms, sp.S.Zero) + c
    out = []
    for atoms, c in acc.items():
        c = coefficient(c)
        if c != 0:
            out.append((c, atoms))
    return out


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


_SCALAR_ATOMS = (sp.Trace, sp.Determinant, MatrixElement)


class _Diff:
    def __init__(self, wrt: sp.MatrixSymbol, symmetric: frozenset[str]):
        self.X = wrt
        self.cn = _Canon(symmetric)

    # helpers
    def has(self, e: Any) -> bool:
        return isinstance(e, sp.Basic) and e.has(self.X)

    def lmul(self, c: Any, atoms: tuple, terms: list) -> list:
        out = []
        for t in terms:
            if isinstance(t, Lin):
                out.append(Lin(c * t.c, atoms + t.L, t.R, t.t))
            else:
                out.append(Scal(t.g, c * t.c, atoms + t.M, atoms[0].shape[0] if atoms else t.rows))
        return out

    def rmul(self, terms: list, atoms: tuple) -> list:
        out = []
        for t in terms:
            if isinstance(t, Lin):
                out.append(Lin(t.c, t.L, t.R + atoms, t.t))
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
                if isinstance(a, (MatrixExpr, sp.MatrixBase)):
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
        if isinstance(e, sp.MatrixBase):
            raise InputError(f"cannot differentiate an explicit matrix whose entries depend on {self.X} w.r.t. {self.X}")
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
            else:
                tr = self.trace_of(t.c, t.M, t.rows)
                out.extend((tr * c, at) for c, at in t.g)
        return out

    def trace_of(self, c: Any, atoms: tuple, rows: Any = 1) -> Any:
        if not atoms:
            return c * rows
        m = self.cn.mono_expr((sp.S.One, atoms), (atoms[0].shape[0], atoms[-1].shape[1]))
        if isinstance(m, sp.Identity):
            return c * m.shape[0]
        return c * sp.Trace(m)

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


# -- public API -------------------------------------------------------------------


def _is_one(d: Any) -> bool:
    return d == 1


def result_shape(obj: Any) -> tuple:
    """(rows, cols), ints or Symbols, of a matrix result; () for a scalar."""
    if isinstance(obj, (MatrixExpr, sp.MatrixBase)):
        return tuple(obj.shape)
    return ()


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


def _describe(shape: tuple) -> str:
    return f"{shape[0]} x {shape[1]}"


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
        f"the derivative of a {_describe(fshape)} {what} w.r.t. the {_describe(tuple(wrt.shape))} "
        f"{wwhat} {wrt.name} is a tensor of order {order}",
        "gradcli computes gradients and Jacobians (orders 1 and 2); differentiate a scalar "
        "(e.g. a trace or an entry a^T F b) instead",
    )


def matrix_derivative(expr: Any, wrt: sp.MatrixSymbol, *, layout: str = Layout.NUMERATOR, symmetric=frozenset()) -> Any:
    """d expr / d wrt per SPEC's layout table, simplified.

    expr: a scalar (an Expr built from traces, determinants, 1 x 1 products and
    their elements, or a 1 x 1 matrix expression) or a vector matrix expression
    (a Jacobian).  wrt: a MatrixSymbol.  Matrix-by-matrix and vector-by-matrix
    derivatives (tensors of order 3/4) raise InputError.
    """
    layout = layout_of(layout)
    if not isinstance(wrt, sp.MatrixSymbol):
        raise InputError(f"{wrt} is not a vector or matrix symbol")
    sym = _names(symmetric)
    d = _Diff(wrt, sym)
    cn = d.cn
    xshape = tuple(wrt.shape)
    xkind = _kind(xshape)
    expr = sp.sympify(expr) if not isinstance(expr, (sp.Basic, sp.MatrixBase)) else expr
    expr = _as_scalar_input(expr)
    fshape = result_shape(expr)
    fkind = _kind(fshape) if fshape else "scalar"

    if fkind == "scalar":
        g = collect(d.scalar_grad(expr))
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
    for t in d.dmat(f):
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
    return collect(out)


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
    fshape = result_shape(expr)
    if fshape and _kind(fshape) != "scalar":
        order = _dims(fshape) + 2 * _dims(tuple(wrt.shape))
        raise InputError(
            f"the Hessian of a {_describe(fshape)} expression w.r.t. {wrt.name} is a tensor of order {order}",
            "a Hessian is of a scalar function",
        )
    if xkind == "matrix":
        raise InputError(
            f"the Hessian of a scalar w.r.t. the {_describe(tuple(wrt.shape))} matrix {wrt.name} is a tensor of order 4",
            "take the Hessian w.r.t. a vector",
        )
    grad = matrix_derivative(expr, wrt, layout=Layout.DENOMINATOR, symmetric=symmetric)
    if xkind == "row":
        grad = sp.Transpose(grad)
    if isinstance(grad, sp.ZeroMatrix):
        n = wrt.shape[0] if xkind != "row" else wrt.shape[1]
        return sp.ZeroMatrix(n, n)
    return matrix_derivative(grad, wrt, layout=Layout.NUMERATOR, symmetric=symmetric)
