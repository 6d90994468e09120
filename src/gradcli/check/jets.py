"""Exact forward-mode values of claims at a point (``check``'s fast path).

A claim is evaluated here with Python fractions instead of SymPy expressions (and exact SymPy
constants where a function leaves the rationals: exp(7/3), log of a determinant): a
derivative operator by a scalar
or by every entry of a vector or matrix at once is forward-mode differentiation with exact
dual numbers ("jets").  A jet is a + sum of b_m * m over monomials m of infinitesimals ε;
each derivative operator adds one level of infinitesimals (one per entry of its variable),
and a monomial holds at most one infinitesimal of each level, so nested operators give the
mixed second derivatives they should and nothing is truncated that is needed (the numbers
themselves: ``check.jet``).

The shapes and layouts follow ``model.build`` exactly (``layout_derivative``, the 1 x 1 rules of
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
from ..model.layout import Layout
from ..model.symbols import scalar_symbol
from .jet import Jet, JMat, _eye, _scale, _solve_inverse, _ZeroColumn, jet_scalar
from .numeric import Outside

__all__ = ["Unsupported", "evaluate_claim"]


class Unsupported(Exception):
    """Not handled here: build the point with SymPy instead."""


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
        from ..language.names import FUNCTIONS
        from ..model.symbols import SYMPY_CONSTANTS

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
            a, b = self.eval(node.left), jet_scalar(self.eval(node.right))
            if isinstance(b, JMat):
                raise Unsupported()
            inv = b.inverse()
            a = jet_scalar(a) if isinstance(a, JMat) and a.shape == (1, 1) else a
            return _scale(inv, a) if isinstance(a, JMat) else a * inv
        if node.op == "^":
            return self._pow(node)
        raise Unsupported()

    def _add(self, a: Any, b: Any) -> Any:
        if isinstance(a, JMat) and isinstance(b, JMat):
            if a.shape == b.shape:
                return a + b
            if (1, 1) in (a.shape, b.shape):
                a, b = jet_scalar(a), jet_scalar(b)
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
                return self._mul(jet_scalar(a), jet_scalar(b))
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
        v = jet_scalar(v)
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
                v = jet_scalar(self.eval(item))
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
            v = jet_scalar(v)
            if isinstance(v, JMat):
                raise Unsupported()  # the builder's shape error
            return _apply(name, v)
        raise Unsupported()

    def _Derivative(self, node: S.Derivative) -> Any:
        if node.vec:
            raise Unsupported()
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
                G = jet_scalar(self._derive(operand, inner)) if var in self.shapes else self._derive(operand, inner)
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
                return col.T if self.layout == Layout.NUMERATOR else col
            if rows == 1:
                return JMat(1, cols, [part(G, j) for j in range(cols)])
            return JMat(rows, cols, [part(G, i * cols + j) for i in range(rows) for j in range(cols)])
        frows, fcols = G.shape
        if fcols == 1 and cols == 1:
            jac = JMat(frows, rows, [part(G[i, 0], j) for i in range(frows) for j in range(rows)])
            return jac if self.layout == Layout.NUMERATOR else jac.T
        if frows == 1 and cols == 1:
            jac = JMat(fcols, rows, [part(G[0, i], j) for i in range(fcols) for j in range(rows)])
            return jac if self.layout == Layout.NUMERATOR else jac.T
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
