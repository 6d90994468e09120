"""Canonical forms of the symbolic matrix calculus: a matrix expression as a sum of
monomials ``(coefficient, (factor, factor, ...))``, transposes pushed onto symbols, like
terms collected and common left and right factors pulled out (``x.T*(B + B.T)``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from ...errors import InputError
from ...model.arrays import Commutation, Diag
from ...model.shapes import is_matrix
from ..simplify import coefficient

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
            return self.mono_expr(self._fractions_out(c, atoms), e.shape)
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
        if isinstance(a, (sp.Identity, Diag)):
            return a
        if isinstance(a, sp.KroneckerProduct):  # (A ⊗ B)^T = A^T ⊗ B^T
            return sp.KroneckerProduct(*[self.tpose(f) for f in a.args])
        if isinstance(a, Commutation):
            return Commutation(a.args[1], a.args[0])
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
                if is_matrix(arg):
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

    def _fractions_out(self, c: Any, atoms: tuple) -> Mono:
        """Sums with fractional coefficients among the factors give their common denominator
        to the coefficient: 2 ((1/2) x - (1/2) mu) -> 1 (x - mu), so that like terms meet."""
        out: list = []
        for a in atoms:
            transposed = isinstance(a, sp.Transpose) and isinstance(a.arg, sp.MatAdd)
            base = a.arg if transposed else a
            den = _denominator(base) if isinstance(base, sp.MatAdd) else 1
            if den == 1:
                out.append(a)
                continue
            monos = [self.flat_c(self.canon(t)) for t in base.args]
            inner = self.canon_sum([(sp.Mul(m[0], den), m[1]) for m in monos], base.shape)
            ic, at = self.flat_c(self.tpose(inner) if transposed else inner)
            c = c * ic / den
            out.extend(at)
        return (c, tuple(out))

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


def _denominator(a: sp.MatAdd) -> int:
    """The common denominator of a sum's rational coefficients (1 if one is not rational)."""
    nums = [t.as_coeff_mmul()[0] if isinstance(t, sp.MatMul) else sp.S.One for t in a.args]
    if not all(isinstance(q, sp.Rational) for q in nums):
        return 1
    return int(sp.ilcm(*[int(q.q) for q in nums])) if len(nums) > 1 else int(nums[0].q)


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
                if is_matrix(a):
                    mats.append(a)
                else:
                    coef *= a
        elif is_matrix(p):
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


def _merge_ones(atoms: tuple) -> tuple:
    """ones(m) ones(n)^T -> the m x n matrix of ones."""
    out: list = []
    for a in atoms:
        if out and isinstance(a, sp.OneMatrix) and isinstance(out[-1], sp.OneMatrix) and a.shape[0] == 1:
            out[-1] = sp.OneMatrix(out[-1].shape[0], a.shape[1])
        else:
            out.append(a)
    return tuple(out)


def _compress(atoms: tuple) -> list:
    """Runs of equal atoms -> powers: (X, X, A) -> [X**2, A]."""
    atoms = _merge_ones(atoms)
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
