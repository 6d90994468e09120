"""Component-by-component ground truth for matrix calculus.

Independent of ``matrix.py``: every MatrixSymbol becomes an explicit matrix of
real scalar symbols at a concrete size (``X -> [[X_11, X_12], [X_21, X_22]]``,
a vector ``x -> [x_1, ..., x_n]^T``, a symmetric ``W`` with ``W_21 = W_12``),
the expression is evaluated by ordinary matrix arithmetic (inverses by
adjugate / determinant, no simplification), and derivatives are taken entry
by entry with SymPy's scalar ``diff``, arranged per SPEC's layout table.
The entry names are those of ``gradcli.model.build.explicit_matrix`` (``entry_symbol``).

``compare`` decides whether a symbolic result equals an explicit one, entry
by entry: symbolically where that is cheap (polynomial entries: expand), else
exactly at random rational points (no floats).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr

from gradcli.errors import InputError
from gradcli.limits import bounded, check_explicit
from gradcli.model.symbols import entry_symbol

__all__ = [
    "explicit",
    "explicit_matrix",
    "explicit_derivative",
    "compare_components",
    "compare",
    "Comparison",
]

#: Budget for proving one entry difference zero symbolically, in seconds.
PROVE_SECONDS = 0.5


def explicit_matrix(name: str, rows: int, cols: int, symmetric: bool = False) -> sp.ImmutableMatrix:
    """The explicit matrix of entry symbols; symmetric: entry (j, i) is entry (i, j) for i < j."""

    def entry(i: int, j: int) -> sp.Symbol:
        if symmetric and i > j:
            i, j = j, i
        return entry_symbol(name, rows, cols, i, j)

    check_explicit(rows, cols, name)
    return sp.ImmutableMatrix(rows, cols, lambda i, j: entry(i, j))


def _names(symmetric: Iterable) -> frozenset[str]:
    return frozenset(s.name if isinstance(s, sp.MatrixSymbol) else str(s) for s in (symmetric or ()))


class _Explicit:
    def __init__(self, sizes: dict | None, n_value: int, symmetric: Iterable):
        self.sizes = {(k.name if isinstance(k, sp.Symbol) else str(k)): int(v) for k, v in (sizes or {}).items()}
        self.n_value = int(n_value)
        self.symmetric = _names(symmetric)
        self.memo: dict = {}
        self.size_symbols: dict = {}

    def size(self, d: Any) -> int:
        d = sp.sympify(d)
        if d.is_Integer:
            return int(d)
        if isinstance(d, sp.Symbol):
            value = self.sizes.get(d.name, self.n_value)
            self.size_symbols[d] = sp.Integer(value)
            return value
        value = d.xreplace({s: sp.Integer(self.size(s)) for s in d.free_symbols})
        if not value.is_Integer:
            raise InputError(f"no concrete value for the size {d}")
        return int(value)

    def matrix_of(self, m: sp.MatrixSymbol) -> sp.ImmutableMatrix:
        rows, cols = self.size(m.shape[0]), self.size(m.shape[1])
        sym = m.name in self.symmetric and rows == cols
        return explicit_matrix(m.name, rows, cols, sym)

    def register(self, e: Any) -> None:
        """Note the size symbols of every matrix in e (so that a size symbol
        used as a scalar, like n in tr(I) = n, is replaced too)."""
        if not isinstance(e, sp.Basic):
            return
        for node in sp.preorder_traversal(e):
            if isinstance(node, MatrixExpr):
                for d in node.shape:
                    if isinstance(d, sp.Basic):
                        for s in sp.sympify(d).free_symbols:
                            self.size(s)

    def ev(self, e: Any) -> Any:
        if not isinstance(e, sp.Basic):
            return e
        if not self.memo:
            self.register(e)
        if e in self.memo:
            return self.memo[e]
        out = self._ev(e)
        self.memo[e] = out
        return out

    def _ev(self, e: Any) -> Any:
        if isinstance(e, sp.MatrixBase):
            return sp.ImmutableMatrix(e.shape[0], e.shape[1], [self.ev(v) for v in e])
        if isinstance(e, MatrixExpr):
            return self._ev_matrix(e)
        if isinstance(e, sp.Trace):
            return self._square(self.ev(e.arg), "tr").trace()
        if isinstance(e, sp.Determinant):
            m = self._square(self.ev(e.arg), "det")
            return m.det(method="berkowitz")
        if isinstance(e, MatrixElement):
            parent = self.ev(e.parent)
            i, j = e.i, e.j
            if not (sp.sympify(i).is_Integer and sp.sympify(j).is_Integer):
                raise InputError(f"the entry {e} needs integer indices")
            return parent[int(i), int(j)]
        if isinstance(e, sp.Symbol):
            return self.size_symbols.get(e, e)
        if not e.args:
            return e
        args = [self.ev(a) for a in e.args]
        args = [a[0, 0] if isinstance(a, sp.MatrixBase) and a.shape == (1, 1) else a for a in args]
        return e.func(*args)

    def _square(self, m: Any, what: str) -> sp.ImmutableMatrix:
        if not isinstance(m, sp.MatrixBase):
            m = sp.ImmutableMatrix([[m]])
        if m.rows != m.cols:
            raise InputError(f"{what} of a non-square {m.rows} x {m.cols} matrix")
        return m

    def _ev_matrix(self, e: MatrixExpr) -> sp.ImmutableMatrix:
        if isinstance(e, sp.MatrixSymbol):
            return self.matrix_of(e)
        if isinstance(e, sp.Identity):
            return sp.ImmutableMatrix(sp.eye(self.size(e.shape[0])))
        if isinstance(e, sp.ZeroMatrix):
            return sp.ImmutableMatrix(sp.zeros(self.size(e.shape[0]), self.size(e.shape[1])))
        if isinstance(e, sp.OneMatrix):
            return sp.ImmutableMatrix(sp.ones(self.size(e.shape[0]), self.size(e.shape[1])))
        if isinstance(e, sp.Transpose):
            return sp.ImmutableMatrix(self.ev(e.arg).T)
        if isinstance(e, sp.Inverse):
            return _inverse(self.ev(e.arg))
        if isinstance(e, sp.MatPow):
            base, k = e.args
            if not k.is_Integer:
                raise InputError(f"the matrix power {e} needs an integer exponent")
            m = self.ev(base)
            k = int(k)
            if k < 0:
                m, k = _inverse(m), -k
            out = sp.eye(m.rows)
            for _ in range(k):
                out = out * m
            return sp.ImmutableMatrix(out)
        if isinstance(e, sp.MatAdd):
            parts = [self.ev(a) for a in e.args]
            out = parts[0]
            for p in parts[1:]:
                out = out + p
            return sp.ImmutableMatrix(out)
        if isinstance(e, sp.MatMul):
            coef = sp.S.One
            out = None
            for a in e.args:
                v = self.ev(a)
                if isinstance(v, sp.MatrixBase):
                    out = v if out is None else out * v
                else:
                    coef *= v
            return sp.ImmutableMatrix(coef * out)
        if isinstance(e, sp.HadamardProduct):
            parts = [self.ev(a) for a in e.args]
            out = parts[0]
            for p in parts[1:]:
                out = out.multiply_elementwise(p)
            return sp.ImmutableMatrix(out)
        if isinstance(e, sp.KroneckerProduct):
            from sympy.physics.quantum import TensorProduct

            parts = [self.ev(a) for a in e.args]
            return sp.ImmutableMatrix(TensorProduct(*parts))
        raise InputError(f"cannot write {type(e).__name__} out component by component")


def _inverse(m: sp.MatrixBase) -> sp.ImmutableMatrix:
    if m.rows != m.cols:
        raise InputError(f"only a square matrix has an inverse, not a {m.rows} x {m.cols} one")
    if m.rows == 1:
        return sp.ImmutableMatrix([[1 / m[0, 0]]])
    det = m.det(method="berkowitz")
    return sp.ImmutableMatrix(m.adjugate(method="berkowitz") / det)


def explicit(expr: Any, sizes: dict | None = None, n_value: int = 3, *, symmetric: Iterable = frozenset()) -> Any:
    """expr with every MatrixSymbol written out at a concrete size.

    sizes maps size symbols (or their names) to ints; any other size symbol
    becomes n_value.  Returns an ImmutableMatrix for a matrix (1 x 1 included)
    and an Expr for a scalar.
    """
    return _Explicit(sizes, n_value, symmetric).ev(sp.sympify(expr) if not isinstance(expr, sp.Basic) else expr)


def _as_scalar(v: Any) -> Any:
    if isinstance(v, sp.MatrixBase) and v.shape == (1, 1):
        return v[0, 0]
    return v


def explicit_derivative(
    expr: Any,
    wrt: sp.MatrixSymbol,
    n: int = 3,
    *,
    layout: str = "numerator",
    symmetric: Iterable = frozenset(),
    sizes: dict | None = None,
) -> sp.ImmutableMatrix:
    """d expr / d wrt entry by entry, arranged per SPEC's layout table.

    A scalar by a column vector: 1 x n (numerator) or n x 1 (denominator); by a
    row vector or a matrix: the shape of wrt.  A column vector f (m x 1; a row
    vector is read as a column) by a vector: m x n (numerator) or n x m.
    Symmetric wrt: entries W_ij = W_ji are one symbol, so the (i, j) entry is
    df/dW_ij of that symbol.
    """
    if layout not in ("numerator", "denominator"):
        raise InputError(f"unknown layout {layout!r}: use numerator or denominator")
    ex = _Explicit(sizes, n, symmetric)
    ex.register(expr)
    ex.register(wrt)
    f = ex.ev(expr)
    w = ex.ev(wrt)
    rows, cols = w.shape
    # the kinds (scalar / vector / matrix) come from the declared, symbolic
    # shapes: a declared m x n matrix stays a matrix at m = 1 or n = 1
    wkind = _kind(tuple(wrt.shape))
    fkind = _kind(tuple(expr.shape)) if isinstance(expr, (MatrixExpr, sp.MatrixBase)) else "scalar"
    if fkind == "scalar":
        if isinstance(f, sp.MatrixBase):
            f = f[0, 0]
        if wkind == "column":
            col = sp.ImmutableMatrix(rows, 1, [sp.diff(f, w[i, 0]) for i in range(rows)])
            return col.T if layout == "numerator" else col
        return sp.ImmutableMatrix(rows, cols, lambda i, j: sp.diff(f, w[i, j]))
    if fkind in ("column", "row") and wkind in ("column", "row", "scalar"):
        fv = list(f) if isinstance(f, sp.MatrixBase) else [f]
        xv = list(w)
        jac = sp.ImmutableMatrix(len(fv), len(xv), lambda i, j: sp.diff(fv[i], xv[j]))
        return jac if layout == "numerator" else jac.T
    order = _DIMS[fkind] + _DIMS[wkind]
    raise InputError(
        f"the derivative of a {f.rows} x {f.cols} matrix w.r.t. a {rows} x {cols} one is a tensor of order {order}"
    )


_DIMS = {"scalar": 0, "column": 1, "row": 1, "matrix": 2}


def _kind(shape: tuple) -> str:
    r, c = shape
    if r == 1 and c == 1:
        return "scalar"
    if c == 1:
        return "column"
    if r == 1:
        return "row"
    return "matrix"


# -- comparison ---------------------------------------------------------------------


@dataclass
class Comparison:
    """The verdict of a component comparison.

    equal: True (every entry equal), False (a counterexample), None (undecided).
    method: how it was decided.  point: the substitution of a counterexample,
    entry: its (i, j), values: (left, right) there.
    """

    equal: bool | None
    method: str
    entry: tuple | None = None
    point: dict = field(default_factory=dict)
    values: tuple | None = None
    shapes: tuple | None = None

    def __bool__(self) -> bool:
        return self.equal is True


def _shape(v: Any) -> tuple:
    return tuple(v.shape) if isinstance(v, sp.MatrixBase) else ()


def _entries(v: Any) -> list:
    if isinstance(v, sp.MatrixBase):
        return [((i, j), v[i, j]) for i in range(v.rows) for j in range(v.cols)]
    return [((), v)]


def _random_rational(rng: random.Random) -> sp.Rational:
    while True:
        p = rng.randint(-9, 9)
        if p:
            return sp.Rational(p, rng.randint(1, 5))


def _is_polynomial(d: Any, syms: list) -> bool:
    try:
        return bool(d.is_polynomial(*syms))
    except Exception:  # noqa: BLE001
        return False


def _exact_zero(v: Any) -> bool | None:
    """True if v is exactly 0, False if certainly not, None if unsure."""
    if v == 0:
        return True
    if v.is_Rational:
        return False
    if v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return None
    if v.is_number:
        s = bounded(lambda: sp.nsimplify(sp.simplify(v)), PROVE_SECONDS, v)
        if s == 0:
            return True
        approx = v.evalf(60)
        if approx.is_number and abs(approx) > sp.Float("1e-40", 60):
            return False
    return None


def compare(
    symbolic_result: Any,
    expected: Any,
    n: int = 3,
    *,
    sizes: dict | None = None,
    symmetric: Iterable = frozenset(),
    points: int = 3,
    seed: int = 0,
    prove: bool = True,
) -> Comparison:
    """Does symbolic_result equal expected component by component at size n?

    Both sides are written out with ``explicit`` (an already explicit side is
    unchanged); a 1 x 1 matrix counts as a scalar.  Entries whose difference is
    a polynomial are compared symbolically (expand); the others exactly at
    ``points`` random rational points (a point where a side is undefined is
    replaced).
    """
    ex = _Explicit(sizes, n, symmetric)
    ex.register(symbolic_result)
    ex.register(expected)
    a = _as_scalar(ex.ev(symbolic_result))
    b = _as_scalar(ex.ev(expected))
    if _shape(a) != _shape(b):
        return Comparison(False, "the shapes differ", shapes=(_shape(a), _shape(b)))
    pairs = [(idx, u, v) for (idx, u), (_, v) in zip(_entries(a), _entries(b))]
    open_pairs = []
    differs: list = []
    for idx, u, v in pairs:
        d = u - v
        if d == 0:
            continue
        syms = sorted(d.free_symbols, key=sp.default_sort_key)
        if prove and _is_polynomial(d, syms):
            e = bounded(lambda d=d: sp.expand(d), PROVE_SECONDS, None)
            if e == 0:
                continue
            if e is not None:
                # a nonzero polynomial: unequal; look for a point to show
                differs.append(idx)
        open_pairs.append((idx, u, v))
    if not open_pairs:
        return Comparison(True, f"component by component, symbolically (size {n})")
    syms = sorted(set().union(*[(u - v).free_symbols for _, u, v in open_pairs]), key=sp.default_sort_key)
    rng = random.Random(seed)
    done = 0
    tries = 0
    unsure = False
    while done < points and tries < points * 10:
        tries += 1
        pt = {s: _random_rational(rng) for s in syms}
        values = []
        bad = False
        for idx, u, v in open_pairs:
            uv, vv = u.xreplace(pt), v.xreplace(pt)
            if any(t.has(sp.zoo, sp.nan, sp.oo, -sp.oo) for t in (uv, vv)):
                bad = True
                break
            values.append((idx, uv, vv))
        if bad:
            continue
        done += 1
        for idx, uv, vv in values:
            z = _exact_zero(sp.expand(uv - vv))
            if z is False:
                return Comparison(False, f"exact values at a rational point (size {n})", idx, pt, (uv, vv))
            if z is None:
                unsure = True
    if differs:
        return Comparison(False, f"the entries differ symbolically (size {n})", differs[0])
    if done == 0 or unsure:
        return Comparison(None, f"undecided at size {n}")
    return Comparison(True, f"component by component, exactly at {done} random rational points (size {n})")


def compare_components(
    symbolic_result: Any,
    expected_explicit: Any,
    n: int = 3,
    *,
    sizes: dict | None = None,
    symmetric: Iterable = frozenset(),
    points: int = 3,
    seed: int = 0,
) -> bool:
    """True when ``compare`` finds the two equal in every component."""
    result = compare(symbolic_result, expected_explicit, n, sizes=sizes, symmetric=symmetric, points=points, seed=seed)
    return result.equal is True
