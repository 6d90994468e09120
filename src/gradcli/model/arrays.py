"""Array node types of the machine-learning language (issue 16): small SymPy matrix
expressions with their function's name and arguments as plain data, so that every printer
(plain, LaTeX, Unicode, a code generator) handles them by class:

* ``Entrywise(name, A, ...)``: a scalar function applied entry by entry (``exp(X w)``,
  ``sigmoid(A x + b)``, ``Max(z, 0)``); ``name`` is the SymPy function's name (``exp``,
  ``sigmoid``, ``Max``), the arguments are arrays of one shape or scalars;
* ``Softmax(z)``: the softmax of a column vector, exp(z) / sum(exp(z));
* ``Diag(v)``: the diagonal matrix of a column vector; ``Vec(X)``: the columns of X stacked;
* ``ArraySum(A)``: the sum of all entries, a scalar (like ``Trace``); ``LogSumExp(z)``:
  log(sum(exp(z))) of a column vector, a scalar.

SymPy's own ``HadamardProduct`` (``.*``, ``⊙``), ``HadamardPower`` (``.^``; ``./`` is a power
-1), ``KroneckerProduct`` (``kron``, ``⊗``) and ``OneMatrix`` (``ones``) are used as they are.
Every type has ``_entry`` (its entries, for explicit sizes) and ``doit`` on explicit matrices;
``explicit`` turns any such expression whose leaves are explicit into an ``ImmutableMatrix``.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.core.symbol import Str
from sympy.matrices.expressions.matexpr import MatrixExpr

from .functions import scalar_table
from .shapes import is_matrix


def function_named(name: str) -> Any:
    """The SymPy function of an ``Entrywise`` node's name (a fixed table, never ``getattr``)."""
    table = _functions()
    if name not in table:
        raise ValueError(f"no entrywise function {name!r}")
    return table[name]


_TABLE: dict[str, Any] = {}


def _functions() -> dict[str, Any]:
    if not _TABLE:
        fs = [sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc, sp.asin, sp.acos, sp.atan, sp.acot, sp.asec,
              sp.acsc, sp.sinh, sp.cosh, sp.tanh, sp.coth, sp.sech, sp.csch, sp.asinh, sp.acosh, sp.atanh,
              sp.exp, sp.log, sp.Abs, sp.sign, sp.erf, sp.gamma, sp.factorial, sp.Max, sp.Min, sp.atan2,
              sp.polygamma]
        _TABLE.update({f.__name__: f for f in fs})
        _TABLE.update({c.__name__: c for c in scalar_table().values()})
    return _TABLE


class Entrywise(MatrixExpr):
    """A scalar function applied entry by entry: ``Entrywise("exp", Z)`` is exp(Z)."""

    def __new__(cls, name: Any, *args: Any) -> Any:
        name = name if isinstance(name, Str) else Str(str(name))
        args = tuple(sp.sympify(a) for a in args)
        if not any(is_matrix(a) for a in args):
            raise ValueError("Entrywise needs an array argument")
        return super().__new__(cls, name, *args)

    @property
    def name(self) -> str:
        return self.args[0].name

    @property
    def arguments(self) -> tuple:
        return self.args[1:]

    @property
    def function(self) -> Any:
        return function_named(self.name)

    @property
    def shape(self) -> tuple:
        return next(a for a in self.arguments if is_matrix(a)).shape

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> Any:
        return self.function(*[a[i, j] if is_matrix(a) else a for a in self.arguments])

    def doit(self, **hints: Any) -> Any:
        args = [a.doit(**hints) if isinstance(a, sp.Basic) else a for a in self.arguments]
        if all(isinstance(a, sp.MatrixBase) or not is_matrix(a) for a in args):
            shape = next(a for a in args if is_matrix(a)).shape
            f = self.function
            return sp.ImmutableMatrix(*shape, lambda i, j: f(*[a[i, j] if is_matrix(a) else a for a in args]))
        return Entrywise(self.name, *args)


class Softmax(MatrixExpr):
    """softmax(z) = exp(z) / sum(exp(z)) of a column vector z."""

    def __new__(cls, z: Any) -> Any:
        return super().__new__(cls, z)

    @property
    def arg(self) -> Any:
        return self.args[0]

    @property
    def shape(self) -> tuple:
        return self.arg.shape

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> Any:
        z = self.arg
        return sp.exp(z[i, 0]) / sp.Add(*[sp.exp(z[k, 0]) for k in range(z.shape[0])])

    def doit(self, **hints: Any) -> Any:
        z = self.arg.doit(**hints) if isinstance(self.arg, sp.Basic) else self.arg
        if isinstance(z, sp.MatrixBase):
            total = sp.Add(*[sp.exp(e) for e in z])
            return sp.ImmutableMatrix(z.rows, 1, [sp.exp(e) / total for e in z])
        return Softmax(z)


class Diag(MatrixExpr):
    """diag(v): the square matrix with the column vector v on its diagonal."""

    def __new__(cls, v: Any) -> Any:
        return super().__new__(cls, v)

    @property
    def arg(self) -> Any:
        return self.args[0]

    @property
    def shape(self) -> tuple:
        return (self.arg.shape[0], self.arg.shape[0])

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> Any:
        return sp.KroneckerDelta(i, j) * self.arg[i, 0]

    def doit(self, **hints: Any) -> Any:
        v = self.arg.doit(**hints) if isinstance(self.arg, sp.Basic) else self.arg
        if isinstance(v, sp.MatrixBase):
            return sp.ImmutableMatrix(sp.diag(*list(v)))
        return Diag(v)


class Vec(MatrixExpr):
    """vec(X): the columns of X stacked into one column (column-major)."""

    def __new__(cls, x: Any) -> Any:
        return super().__new__(cls, x)

    @property
    def arg(self) -> Any:
        return self.args[0]

    @property
    def shape(self) -> tuple:
        r, c = self.arg.shape
        return (r * c, sp.S.One)

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> Any:
        r = self.arg.shape[0]
        return self.arg[i % r, i // r]

    def doit(self, **hints: Any) -> Any:
        x = self.arg.doit(**hints) if isinstance(self.arg, sp.Basic) else self.arg
        if isinstance(x, sp.MatrixBase):
            return sp.ImmutableMatrix(x.rows * x.cols, 1, [x[i, j] for j in range(x.cols) for i in range(x.rows)])
        return Vec(x)


class Commutation(MatrixExpr):
    """K(m, n): the mn x mn commutation matrix, K(m, n) vec(X) = vec(X^T) for X m x n
    (column-major vec); K(m, n)^T = K(n, m)."""

    def __new__(cls, m: Any, n: Any) -> Any:
        return super().__new__(cls, sp.sympify(m), sp.sympify(n))

    @property
    def shape(self) -> tuple:
        m, n = self.args
        return (m * n, m * n)

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> Any:
        m, n = self.args
        return sp.S.One if j == (i // n) + (i % n) * m else sp.S.Zero

    def _eval_transpose(self) -> Any:
        return Commutation(self.args[1], self.args[0])

    def doit(self, **hints: Any) -> Any:
        m, n = self.args
        if m.is_Integer and n.is_Integer:
            return self.written_out()
        return self

    def written_out(self) -> sp.ImmutableMatrix:
        m, n = (int(a) for a in self.args)
        return sp.ImmutableMatrix(m * n, m * n, lambda i, j: self._entry(i, j))


class _ArrayScalar(sp.Expr):
    """A real scalar of one array argument (a matrix atom, like Trace); ``doit`` writes it out
    once the array is explicit (``_written``), else keeps the node."""

    is_commutative = True

    def __new__(cls, a: Any) -> Any:
        return super().__new__(cls, a)

    @property
    def arg(self) -> Any:
        return self.args[0]

    def _eval_is_real(self) -> Any:
        return True

    def doit(self, **hints: Any) -> Any:
        a = self.arg.doit(**hints) if isinstance(self.arg, sp.Basic) else self.arg
        if isinstance(a, sp.MatrixBase):
            return self._written(a)
        return type(self)(a)

    @staticmethod
    def _written(a: sp.MatrixBase) -> Any:
        raise NotImplementedError


class ArraySum(_ArrayScalar):
    """sum(A): the sum of all entries of an array, a scalar (a matrix atom, like Trace)."""

    @staticmethod
    def _written(a: sp.MatrixBase) -> Any:
        return sp.Add(*list(a))


class LogSumExp(_ArrayScalar):
    """logsumexp(z) = log(sum(exp(z))) of a column vector, a scalar; its gradient is softmax(z)."""

    @staticmethod
    def _written(z: sp.MatrixBase) -> Any:
        return sp.log(sp.Add(*[sp.exp(e) for e in z]))


#: the scalar atoms made of arrays (the chain rule goes through them, as through Trace)
ARRAY_SCALARS = (ArraySum, LogSumExp)
#: the array node types of this module
ARRAY_TYPES = (Entrywise, Softmax, Diag, Vec)


def ones(rows: Any, cols: Any = 1) -> Any:
    """The array of ones (``ones``; ``a + s`` of an array and a scalar is a + s ones)."""
    return sp.OneMatrix(rows, cols)


class HadamardProduct(sp.HadamardProduct):
    """SymPy's Hadamard product, its factors kept in the order written (``y ⊙ σ(...)``):
    SymPy's own ``doit`` sorts them."""

    def doit(self, **hints: Any) -> Any:
        deep = hints.get("deep", True)
        args = [a.doit(**hints) if deep and isinstance(a, sp.Basic) else a for a in self.args]
        return hadamard(*args)


def split_coefficient(m: Any) -> tuple[Any, Any]:
    """(c, M) with m = c M and M without a scalar factor."""
    if isinstance(m, sp.MatMul):
        c = sp.Mul(*[a for a in m.args if not is_matrix(a)])
        mats = [a for a in m.args if is_matrix(a)]
        return c, (mats[0] if len(mats) == 1 else sp.MatMul(*mats))
    return sp.S.One, m


def scaled(c: Any, m: Any) -> Any:
    """c m, the coefficient in front (none when it is 1)."""
    if c == 1:
        return m
    if isinstance(m, sp.MatrixBase):
        return m * c
    inner_c, inner = split_coefficient(m)
    c = c * inner_c
    return inner if c == 1 else sp.MatMul(c, inner)


def hadamard(*factors: Any) -> Any:
    """The Hadamard product of arrays of one shape: coefficients pulled in front, nested
    products flattened, ones dropped (1 ⊙ A = A); explicit matrices multiplied out."""
    coef = sp.S.One
    mats: list = []
    for f in factors:
        c, m = split_coefficient(f)
        coef *= c
        mats.extend(m.args if isinstance(m, sp.HadamardProduct) else (m,))
    if all(isinstance(m, sp.MatrixBase) for m in mats):
        out = mats[0]
        for m in mats[1:]:
            out = out.multiply_elementwise(m)
        return scaled(coef, sp.ImmutableMatrix(out))
    kept = [m for m in mats if not isinstance(m, sp.OneMatrix)] or mats[:1]
    if len(kept) > 1 and all(isinstance(m, sp.Transpose) for m in kept):  # rows: the columns' transpose
        return scaled(coef, sp.Transpose(hadamard(*[m.arg for m in kept])))
    return scaled(coef, kept[0] if len(kept) == 1 else HadamardProduct(*kept))


def hadamard_power(a: Any, k: Any) -> Any:
    """A .^ k, entry by entry (k a scalar)."""
    if k == 1:
        return a
    if isinstance(a, sp.MatrixBase):
        return a.applyfunc(lambda e: e**k)
    if isinstance(a, sp.OneMatrix):
        return a
    c, m = split_coefficient(a)
    if isinstance(m, sp.HadamardPower):
        return scaled(c**k, hadamard_power(m.base, m.exp * k))
    if isinstance(m, sp.HadamardProduct):
        return scaled(c**k, hadamard(*[hadamard_power(f, k) for f in m.args]))
    return scaled(c**k, sp.HadamardPower(m, k))


def explicit(e: Any) -> Any:
    """An expression of these types with explicit leaves, as an explicit matrix (or scalar)."""
    if isinstance(e, (sp.MatrixBase,)) or not isinstance(e, sp.Basic):
        return e
    # I, 0 and ones of numeric size written out first: SymPy leaves 3*I + Matrix(...) a MatAdd,
    # and so tr((3 I + X)^-1) unevaluated, when I stays an Identity
    e = e.replace(
        lambda a: isinstance(a, (sp.Identity, sp.ZeroMatrix, sp.OneMatrix)) and all(s.is_Integer for s in a.shape),
        lambda a: sp.ImmutableMatrix(a.as_explicit()),
    )
    e = e.replace(lambda a: isinstance(a, Commutation) and all(s.is_Integer for s in a.args),
                  lambda a: a.written_out())
    out = e.doit()
    return sp.ImmutableMatrix(out) if isinstance(out, sp.MatrixBase) else out
