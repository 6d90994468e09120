"""Exact forward-mode values of claims at a point (``check``'s fast path).

A claim is evaluated here with Python fractions instead of SymPy expressions (and exact SymPy
constants where a function leaves the rationals: exp(7/3), log of a determinant): a
derivative operator by a scalar
or by every entry of a vector or matrix at once is forward-mode differentiation with exact
dual numbers ("jets").  A jet is a + sum of b_m * m over monomials m of infinitesimals ε;
each derivative operator adds one level of infinitesimals (one per entry of its variable),
and a monomial holds at most one infinitesimal of each level, so nested operators give the
mixed second derivatives they should and nothing is truncated that is needed.

The shapes and layouts follow ``build`` exactly (``layout_derivative``, the 1 x 1 rules of
``_add``/``_mul``/``_div``, ``I`` of whatever size fits).  Anything else -- a shape error,
an unexpected node -- raises ``Unsupported``, and the caller builds the point with SymPy
(``pointwise.PointBuilder``), which reports errors in the builder's own words.  The tests
check that both give the same values.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from ..language import ast as S
from ..model.build import number
from ..model.symbols import scalar_symbol
from .pointwise import Outside, Singular

__all__ = ["Unsupported", "evaluate_claim"]


class Unsupported(Exception):
    """Not handled here: build the point with SymPy instead."""


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


def _as_scalar(v: Any) -> Any:
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


class _Evaluator:
    def __init__(self, shapes: dict, sizes: dict, dim: Any, layout: str, values: dict):
        self.layout = layout
        self.shapes = {name: (self._size(r, sizes), self._size(c, sizes)) for name, (r, c) in shapes.items()}
        # I is as large as the one square shape's size (symbolically, as build.Context.identity)
        square = {r for r, c in shapes.values() if r == c}
        self.identity_size = self._size(next(iter(square)) if len(square) == 1 else dim, sizes)
        #: every entry symbol and scalar symbol -> its jet
        self.values = {k: Jet.const(Fraction(int(v.p), int(v.q))) for k, v in values.items()}
        self.level = 0

    @staticmethod
    def _size(s: Any, sizes: dict) -> int:
        if isinstance(s, sp.Integer):
            return int(s)
        if s in sizes:
            return int(sizes[s])
        raise Unsupported()

    def entry_symbols(self, name: str) -> list:
        from ..model.symbols import entry_symbol

        r, c = self.shapes[name]
        return [entry_symbol(name, r, c, i, j) for i in range(r) for j in range(c)]

    # -- nodes -------------------------------------------------------------------------------
    def eval(self, node: S.Node) -> Any:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise Unsupported()
        return method(node)

    def _Number(self, node: S.Number) -> Any:
        q = number(node.text)
        return Jet.const(Fraction(int(q.p), int(q.q)))

    def _Name(self, node: S.Name) -> Any:
        name = node.name
        if name in self.shapes:
            r, c = self.shapes[name]
            return JMat(r, c, [self.values[s] for s in self.entry_symbols(name)])
        if name == "I":
            return _eye(self.identity_size)
        from ..model.symbols import SYMPY_CONSTANTS
        from ..language.names import FUNCTIONS

        if name in FUNCTIONS or name in SYMPY_CONSTANTS:
            raise Unsupported()  # the builder's error
        sym = scalar_symbol(name)
        if sym not in self.values:
            raise Unsupported()
        return self.values[sym]

    def _Unary(self, node: S.Unary) -> Any:
        v = self.eval(node.operand)
        if node.op == "+":
            return v
        return v.map(lambda x: -x) if isinstance(v, JMat) else -v

    def _Binary(self, node: S.Binary) -> Any:
        if node.op in "+-":
            right = self.eval(node.right)
            if node.op == "-":
                right = right.map(lambda x: -x) if isinstance(right, JMat) else -right
            return self._add(self.eval(node.left), right)
        if node.op == "*":
            return self._mul(self.eval(node.left), self.eval(node.right))
        if node.op == "/":
            a, b = self.eval(node.left), _as_scalar(self.eval(node.right))
            if isinstance(b, JMat):
                raise Unsupported()
            inv = b.inverse()
            a = _as_scalar(a) if isinstance(a, JMat) and a.shape == (1, 1) else a
            return _scale(inv, a) if isinstance(a, JMat) else a * inv
        if node.op == "^":
            return self._pow(node)
        raise Unsupported()

    def _add(self, a: Any, b: Any) -> Any:
        if isinstance(a, JMat) and isinstance(b, JMat):
            if a.shape == b.shape:
                return a + b
            if (1, 1) in (a.shape, b.shape):
                a, b = _as_scalar(a), _as_scalar(b)
                if not isinstance(a, JMat) and not isinstance(b, JMat):
                    return a + b
            raise Unsupported()
        if isinstance(a, JMat) or isinstance(b, JMat):
            m, s = (a, b) if isinstance(a, JMat) else (b, a)
            if m.shape == (1, 1):
                return m.data[0] + s
            raise Unsupported()
        return a + b

    def _mul(self, a: Any, b: Any) -> Any:
        if isinstance(a, JMat) and isinstance(b, JMat):
            if a.cols == b.rows:
                return a @ b
            if (1, 1) in (a.shape, b.shape):
                return self._mul(_as_scalar(a), _as_scalar(b))
            raise Unsupported()
        if isinstance(a, JMat):
            return _scale(b, a)
        if isinstance(b, JMat):
            return _scale(a, b)
        return a * b

    def _pow(self, node: S.Binary) -> Any:
        base = self.eval(node.left)
        e = node.right
        if isinstance(base, JMat):
            if isinstance(e, S.Name) and e.name in ("T", "top") and e.name not in self.shapes:
                return base.T
            if isinstance(e, S.Unary) and e.op == "-" and isinstance(e.operand, S.Name) and e.operand.name == "T":
                return self._inverse(base).T
            k = self._integer(e)
            if base.rows != base.cols:
                raise Unsupported()
            if k < 0:
                base, k = self._inverse(base), -k
            result, square = _eye(base.rows), base
            while k:
                if k & 1:
                    result = result @ square
                k >>= 1
                if k:
                    square = square @ square
            return result
        k = self._integer(e)
        if k < 0:
            base, k = base.inverse(), -k
        result = Jet.const(Fraction(1))
        for _ in range(k):
            result = result * base
        return result

    def _integer(self, node: S.Node) -> int:
        v = self.eval(node)
        v = _as_scalar(v)
        if isinstance(v, JMat) or not v.is_const() or not isinstance(v.value, Fraction) \
                or v.value.denominator != 1 or abs(v.value) > 1000:
            raise Unsupported()
        return int(v.value)

    def _inverse(self, m: JMat) -> JMat:
        if m.rows != m.cols:
            raise Unsupported()
        if m.shape == (1, 1):
            return JMat(1, 1, [m.data[0].inverse()])
        return _solve_inverse(m)[0]

    def _Transpose(self, node: S.Transpose) -> Any:
        v = self.eval(node.operand)
        if not isinstance(v, JMat):
            if node.prime:
                raise Unsupported()  # the builder refuses a prime on a scalar
            return v
        return v.T

    def _Matrix(self, node: S.Matrix) -> Any:
        rows = []
        for row in node.rows:
            out = []
            for item in row:
                v = _as_scalar(self.eval(item))
                if isinstance(v, JMat):
                    raise Unsupported()
                out.append(v)
            rows.append(out)
        if node.vector:
            return JMat(len(rows[0]), 1, list(rows[0]))
        if len({len(r) for r in rows}) != 1:
            raise Unsupported()
        return JMat(len(rows), len(rows[0]), [x for r in rows for x in r])

    def _Call(self, node: S.Call) -> Any:
        name = node.name
        if name == "diff":
            specs: list[str] = []
            for arg in node.args[1:]:
                if isinstance(arg, S.Name):
                    specs.append(arg.name)
                elif isinstance(arg, S.Number) and arg.text.isdigit() and specs:
                    specs.extend([specs[-1]] * (int(arg.text) - 1))
                else:
                    raise Unsupported()
            return self._derive(node.args[0], specs)
        if len(node.args) != 1:
            raise Unsupported()
        v = self.eval(node.args[0])
        if name in ("tr", "trace", "Trace"):
            if not isinstance(v, JMat):
                return v
            if v.rows != v.cols:
                raise Unsupported()
            acc = Jet({})
            for i in range(v.rows):
                acc = acc + v[i, i]
            return acc
        if name in ("det", "Determinant"):
            if not isinstance(v, JMat):
                return v
            if v.rows != v.cols:
                raise Unsupported()
            if v.rows == 1:
                return v.data[0]
            try:
                return _solve_inverse(v)[1]
            except _ZeroColumn:
                return Jet({})  # det is exactly 0, with its derivatives
        if name in ("inv", "Inverse"):
            if not isinstance(v, JMat):
                return v.inverse()
            return self._inverse(v)
        if name in ("transpose", "Transpose"):
            return v.T if isinstance(v, JMat) else v
        if name in _FUNCTIONS:
            v = _as_scalar(v)
            if isinstance(v, JMat):
                raise Unsupported()  # the builder's shape error
            return _apply(name, v)
        raise Unsupported()

    def _Derivative(self, node: S.Derivative) -> Any:
        return self._derive(node.operand, [node.var] * node.order)

    def _Equation(self, node: S.Equation) -> Any:
        raise Unsupported()

    # -- derivatives ---------------------------------------------------------------------------
    def _derive(self, operand: S.Node, specs: list[str]) -> Any:
        if not specs:
            return self.eval(operand)
        *inner, var = specs
        self.level += 1
        level = self.level
        try:
            if var in self.shapes:
                syms = self.entry_symbols(var)
            else:
                syms = [scalar_symbol(var)]
                if syms[0] not in self.values:
                    raise Unsupported()
            saved = {s: self.values[s] for s in syms}
            for idx, s in enumerate(syms):
                self.values[s] = saved[s] + Jet({frozenset({(level, idx)}): Fraction(1)})
            try:
                G = _as_scalar(self._derive(operand, inner)) if var in self.shapes else self._derive(operand, inner)
            finally:
                self.values.update(saved)
        finally:
            self.level -= 1

        def part(x: Jet, idx: int) -> Jet:
            return x.coefficient((level, idx))

        if var not in self.shapes:
            return G.map(lambda x: part(x, 0)) if isinstance(G, JMat) else part(G, 0)
        rows, cols = self.shapes[var]
        # build.layout_derivative's arrangement
        if not isinstance(G, JMat):
            if cols == 1:
                col = JMat(rows, 1, [part(G, i) for i in range(rows)])
                return col.T if self.layout == "numerator" else col
            if rows == 1:
                return JMat(1, cols, [part(G, j) for j in range(cols)])
            return JMat(rows, cols, [part(G, i * cols + j) for i in range(rows) for j in range(cols)])
        frows, fcols = G.shape
        if fcols == 1 and cols == 1:
            jac = JMat(frows, rows, [part(G[i, 0], j) for i in range(frows) for j in range(rows)])
            return jac if self.layout == "numerator" else jac.T
        if frows == 1 and cols == 1:
            jac = JMat(fcols, rows, [part(G[0, i], j) for i in range(fcols) for j in range(rows)])
            return jac if self.layout == "numerator" else jac.T
        raise Unsupported()


#: Scalar functions evaluated on jets by their Taylor expansion (the chain rule).
_FUNCTIONS = {
    "exp": sp.exp, "log": sp.log, "ln": sp.log, "sqrt": sp.sqrt, "sin": sp.sin, "cos": sp.cos,
    "tan": sp.tan, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "atan": sp.atan, "arctan": sp.atan,
    "abs": sp.Abs, "Abs": sp.Abs, "sign": sp.sign,
}
_S = sp.Dummy("s", real=True)


def _fraction_or_sympy(c: Any) -> Any:
    c = sp.sympify(c)
    if isinstance(c, sp.Rational):
        return Fraction(int(c.p), int(c.q))
    return c


def _apply(name: str, x: Jet) -> Jet:
    """f(a + d) = Σ_k f^(k)(a) d^k / k! (d nilpotent: as many terms as levels of infinitesimals);
    a point outside f's real domain, or on a kink inside a derivative, is Outside."""
    func = _FUNCTIONS[name]
    a = sp.sympify(x.value)
    moving = not x.is_const()
    if func in (sp.log, sp.sqrt):
        sign = a.is_extended_positive if a.is_number else None
        if sign is None:
            sign = bool(sp.N(a, 30) > 0) if a != 0 else False
        if not sign and not (func is sp.sqrt and a == 0 and not moving):
            raise Outside()
    if func in (sp.Abs, sp.sign):
        if a == 0:
            if moving:
                raise Outside()  # a kink inside a derivative: no derivative there
            return Jet({})
        s = 1 if (a > 0) else -1
        return Jet.const(Fraction(s)) if func is sp.sign else Jet({m: s * c for m, c in x.terms.items()})
    d = Jet({m: c for m, c in x.terms.items() if m})
    result = Jet.const(_fraction_or_sympy(func(a)))
    if not d.terms:
        return result
    power = Jet.const(Fraction(1))
    for k in range(1, len(d.levels()) + 1):
        power = power * d
        if not power.terms:
            break
        ck = _fraction_or_sympy(sp.diff(func(_S), _S, k).xreplace({_S: a}) / sp.factorial(k))
        if ck == 0:
            continue
        result = result + Jet({m: ck * c for m, c in power.terms.items()})
    return result


def _to_sympy(v: Any) -> Any:
    if isinstance(v, JMat):
        return sp.ImmutableMatrix(v.rows, v.cols, [_to_sympy(x) for x in v.data])
    if not v.is_const():
        raise Unsupported()
    q = v.value
    if isinstance(q, Fraction):
        return sp.Rational(q.numerator, q.denominator)
    return sp.sympify(q)


def evaluate_claim(node: S.Equation, shapes: dict, sizes: dict, dim: Any, layout: str, values: dict
                   ) -> tuple[Any, Any]:
    """Both sides at the point ``values`` (entry and scalar symbols -> Rationals), as SymPy
    Rationals and ImmutableMatrices.  Raises Singular for a point to skip, Unsupported for
    anything the SymPy point build should do instead."""
    ev = _Evaluator(shapes, sizes, dim, layout, values)
    return _to_sympy(ev.eval(node.lhs)), _to_sympy(ev.eval(node.rhs))
