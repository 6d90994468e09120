"""The numbers of ``check``'s exact forward mode (``check.jets``): a ``Jet`` is a + sum of
b_m * m over monomials m of infinitesimals ε with exact (fraction or SymPy constant)
coefficients; a ``JMat`` is a matrix of jets.  Each derivative operator adds one level of
infinitesimals, and a monomial holds at most one infinitesimal of each level, so nested
operators give the mixed second derivatives they should and nothing needed is truncated."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .numeric import Singular

_ONE = frozenset()


class Jet:
    """a + Σ b_m m: ``terms`` maps a monomial (a frozenset of (level, index) infinitesimals,
    at most one per level) to its exact coefficient."""

    __slots__ = ("terms",)

    def __init__(self, terms: dict):
        self.terms = terms

    @staticmethod
    def const(c: Fraction) -> Jet:
        return Jet({_ONE: c} if c else {})

    @property
    def value(self) -> Any:
        return self.terms.get(_ONE, Fraction(0))

    def is_const(self) -> bool:
        return all(not m for m in self.terms)

    def __add__(self, other: Jet) -> Jet:
        out = dict(self.terms)
        for m, c in other.terms.items():
            v = out.get(m, 0) + c
            if v:
                out[m] = v
            else:
                out.pop(m, None)
        return Jet(out)

    def __neg__(self) -> Jet:
        return Jet({m: -c for m, c in self.terms.items()})

    def __sub__(self, other: Jet) -> Jet:
        return self + (-other)

    def __mul__(self, other: Jet) -> Jet:
        a, b = self.terms, other.terms
        if len(a) == 1 and _ONE in a:
            k = a[_ONE]
            return Jet({m: k * c for m, c in b.items()})
        if len(b) == 1 and _ONE in b:
            k = b[_ONE]
            return Jet({m: k * c for m, c in a.items()})
        out: dict = {}
        for m1, c1 in a.items():
            levels1 = {lv for lv, _ in m1}
            for m2, c2 in b.items():
                if m2 and any(lv in levels1 for lv, _ in m2):
                    continue  # ε² = 0, and ε_i ε_j = 0 within one level (first derivatives)
                m = m1 | m2
                v = out.get(m, 0) + c1 * c2
                if v:
                    out[m] = v
                else:
                    out.pop(m, None)
        return Jet(out)

    def inverse(self) -> Jet:
        a0 = self.value
        if a0 == 0:
            raise Singular()
        inv0 = 1 / a0
        if self.is_const():
            return Jet.const(inv0)
        # 1/(a0 + d) = Σ_k (-d)^k / a0^(k+1); d is nilpotent (each level at most once)
        d = Jet({m: c for m, c in self.terms.items() if m})
        levels = {lv for m in d.terms for lv, _ in m}
        result = Jet.const(inv0)
        power = Jet.const(Fraction(1))
        for k in range(1, len(levels) + 1):
            power = power * d
            if not power.terms:
                break
            result = result + Jet({m: c * (-1) ** k * inv0 ** (k + 1) for m, c in power.terms.items()})
        return result

    def levels(self) -> set:
        return {lv for m in self.terms for lv, _ in m}

    def coefficient(self, eps: tuple) -> Jet:
        """The coefficient of the infinitesimal ``eps``: the partial derivative by it."""
        return Jet({m - {eps}: c for m, c in self.terms.items() if eps in m})


class JMat:
    """An explicit matrix of jets."""

    __slots__ = ("cols", "data", "rows")

    def __init__(self, rows: int, cols: int, data: list):
        self.rows, self.cols, self.data = rows, cols, data  # data: row-major list of jets

    def __getitem__(self, ij: tuple) -> Jet:
        return self.data[ij[0] * self.cols + ij[1]]

    @property
    def shape(self) -> tuple:
        return (self.rows, self.cols)

    @property
    def T(self) -> JMat:
        return JMat(self.cols, self.rows, [self[i, j] for j in range(self.cols) for i in range(self.rows)])

    def map(self, f) -> JMat:
        return JMat(self.rows, self.cols, [f(x) for x in self.data])

    def __add__(self, other: JMat) -> JMat:
        return JMat(self.rows, self.cols, [a + b for a, b in zip(self.data, other.data)])

    def __matmul__(self, other: JMat) -> JMat:
        n, m, p = self.rows, self.cols, other.cols
        out = []
        for i in range(n):
            for j in range(p):
                acc = Jet({})
                for k in range(m):
                    acc = acc + self[i, k] * other[k, j]
                out.append(acc)
        return JMat(n, p, out)


def _eye(n: int) -> JMat:
    return JMat(n, n, [Jet.const(Fraction(1 if i == j else 0)) for i in range(n) for j in range(n)])


def jet_scalar(v: Any) -> Any:
    if isinstance(v, JMat) and v.shape == (1, 1):
        return v.data[0]
    return v


def _scale(k: Jet, m: JMat) -> JMat:
    return m.map(lambda x: k * x)


class _ZeroColumn(Singular):
    """A column that is exactly zero (every infinitesimal part too): the determinant is 0."""


def _solve_inverse(m: JMat) -> tuple[JMat, Jet]:
    """Gauss-Jordan elimination over jets (pivots with a nonzero value): (inverse, det)."""
    n = m.rows
    a = [[m[i, j] for j in range(n)] for i in range(n)]
    inv = [[Jet.const(Fraction(1 if i == j else 0)) for j in range(n)] for i in range(n)]
    det = Jet.const(Fraction(1))
    for c in range(n):
        pivot = next((r for r in range(c, n) if a[r][c].value != 0), None)
        if pivot is None:
            if all(not a[r][c].terms for r in range(c, n)):
                raise _ZeroColumn()
            raise Singular()  # singular at this point only: another point
        if pivot != c:
            a[c], a[pivot] = a[pivot], a[c]
            inv[c], inv[pivot] = inv[pivot], inv[c]
            det = -det
        p = a[c][c]
        det = det * p
        pinv = p.inverse()
        a[c] = [x * pinv for x in a[c]]
        inv[c] = [x * pinv for x in inv[c]]
        for r in range(n):
            if r != c and a[r][c].terms:
                f = a[r][c]
                a[r] = [x - f * y for x, y in zip(a[r], a[c])]
                inv[r] = [x - f * y for x, y in zip(inv[r], inv[c])]
    return JMat(n, n, [x for row in inv for x in row]), det
