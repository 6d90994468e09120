"""Building the array operations of the machine-learning language (issue 16): entrywise
functions, ``.*`` ``./`` ``.^`` (``⊙``), ``kron`` (``⊗``), a scalar with an array, ``sum``,
``mean``, ``diag``, ``softmax``, ``logsumexp``, ``vec`` and ``ones``.

``ArrayBuilder`` is a base of ``model.build.Builder``: symbolic builds give the node types of
``model.arrays`` (and SymPy's Hadamard and Kronecker products), explicit builds (concrete
sizes, ``Context.explicit``) give explicit matrices entry by entry, so that ``check`` compares
the symbolic calculus with the components.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..errors import ShapeError
from ..language import ast as S
from .arrays import ArraySum, Diag, Entrywise, LogSumExp, Softmax, Vec, hadamard, hadamard_power, ones
from .shapes import as_scalar, is_matrix, shape_of, shape_text
from .source import error_at, snippet

#: functions of arrays (not entrywise): reductions and constructors
ARRAY_FUNCTIONS = frozenset({"sum", "mean", "diag", "softmax", "logsumexp", "vec", "kron"})
#: the entrywise operators of the language
ENTRYWISE_OPS = frozenset({".*", "./", ".^", "⊗"})


class ArrayBuilder:
    """The array operations of ``Builder`` (which supplies ``ctx``, ``build`` and ``_defined``)."""

    ctx: Any

    def build(self, node: S.Node) -> Any:  # pragma: no cover - Builder's
        raise NotImplementedError

    # -- scalar with array ----------------------------------------------------------------
    def scalar_plus_array(self, m: Any, s: Any) -> Any:
        """``m + s``: s added to every entry."""
        if s == 0:
            return m
        if isinstance(m, sp.MatrixBase):
            return m.applyfunc(lambda e: e + s)
        return sp.MatAdd(m, sp.MatMul(s, ones(*m.shape)) if s != 1 else ones(*m.shape))

    def ones_vector(self, node: S.Node) -> Any:
        rows, cols = self.ctx.node_shape(node, "ones")
        if self.ctx.explicit:
            return sp.ones(self.ctx.concrete(rows), self.ctx.concrete(cols))
        return ones(rows, cols)

    # -- entrywise operators ----------------------------------------------------------------
    def entrywise_binary(self, node: S.Binary) -> Any:
        a, b = self.build(node.left), self.build(node.right)
        a, b = as_scalar(a), as_scalar(b)
        op = node.op
        if op == "⊗":
            return self.kron(a, b, node)
        if op == ".^":
            if is_matrix(b):
                raise ShapeError(f"the exponent of .^ must be a scalar, not {shape_text(shape_of(b))}: "
                                 f"{snippet(self.ctx, node.right)}")
            if not is_matrix(a):
                return self._defined(a ** b, node)
            return hadamard_power(a, b)
        if not is_matrix(a) and not is_matrix(b):
            return a * b if op == ".*" else self._scalar_quotient(a, b, node)
        if op == "./":
            if not is_matrix(b):
                if b == 0:
                    raise error_at(self.ctx, node.right, "division by zero")
                return a / b if isinstance(a, sp.MatrixBase) else sp.MatMul(1 / b, a)
            b = hadamard_power(b, -1)
        if not is_matrix(a) or not is_matrix(b):
            s, m = (a, b) if not is_matrix(a) else (b, a)
            return m * s if isinstance(m, sp.MatrixBase) else sp.MatMul(s, m)
        self.same_shape_or_error(a, b, node, "multiply entrywise" if op == ".*" else "divide entrywise")
        return hadamard(a, b)

    def _scalar_quotient(self, a: Any, b: Any, node: S.Binary) -> Any:
        if b == 0:
            raise error_at(self.ctx, node.right, "division by zero")
        return a / b

    def same_shape_or_error(self, a: Any, b: Any, node: S.Binary, what: str) -> None:
        if not self.ctx.same_shape(a.shape, b.shape):
            raise ShapeError(
                f"cannot {what} {snippet(self.ctx, node.left)} ({shape_text(shape_of(a))}) "
                f"and {snippet(self.ctx, node.right)} ({shape_text(shape_of(b))})",
                "entrywise operations need arrays of one shape",
            )

    def kron(self, a: Any, b: Any, node: S.Node) -> Any:
        if not is_matrix(a) or not is_matrix(b):
            return a * b if not (is_matrix(a) or is_matrix(b)) else (
                sp.MatMul(a, b) if not isinstance(a, sp.MatrixBase) and not isinstance(b, sp.MatrixBase) else a * b)
        if isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase):
            from sympy.matrices.expressions.kronecker import matrix_kronecker_product

            return sp.ImmutableMatrix(matrix_kronecker_product(a, b))
        return sp.KroneckerProduct(a, b)

    # -- functions ----------------------------------------------------------------------------
    def apply_entrywise(self, name: str, func: Any, args: list, node: S.Call) -> Any:
        """A scalar function of arrays, entry by entry (its arguments of one shape)."""
        mats = [a for a in args if is_matrix(a)]
        for m, arg_node in zip(args, node.args):
            if is_matrix(m) and not self.ctx.same_shape(m.shape, mats[0].shape):
                raise ShapeError(f"the arguments of {node.name} have different shapes: "
                                 f"{shape_text(shape_of(mats[0]))} and {shape_text(shape_of(m))} "
                                 f"({snippet(self.ctx, arg_node)})")
        if all(isinstance(m, sp.MatrixBase) for m in mats):
            shape = mats[0].shape
            entries = [func(*[a[i, j] if is_matrix(a) else a for a in args])
                       for i in range(shape[0]) for j in range(shape[1])]
            for e in entries:
                self._defined(e, node)
            return sp.ImmutableMatrix(shape[0], shape[1], entries)
        if func in (sp.sqrt, sp.cbrt):  # powers, not functions, in SymPy
            return hadamard_power(mats[0], sp.Rational(1, 2) if func is sp.sqrt else sp.Rational(1, 3))
        return Entrywise(func.__name__, *args)

    def array_call(self, node: S.Call) -> Any:
        name = node.name
        if name == "kron":
            factors = [as_scalar(self.build(x)) for x in node.args]
            out = factors[0]
            for b in factors[1:]:
                out = self.kron(out, b, node)
            return out
        value = self.build(node.args[0])
        if name in ("sum", "mean"):
            value = as_scalar(value)
            if not is_matrix(value):
                return value
            total = sp.Add(*list(value)) if isinstance(value, sp.MatrixBase) else ArraySum(value)
            return total if name == "sum" else total / (value.shape[0] * value.shape[1])
        if name == "vec":  # vec of a column is itself (a 1 x 1 matrix stays one, so vec(X)^T is a transpose)
            if not is_matrix(value) or value.shape[1] == 1:
                return value
            return Vec(value).doit() if isinstance(value, sp.MatrixBase) else Vec(value)
        value = value if is_matrix(value) and tuple(value.shape) != (1, 1) or name == "diag" else as_scalar(value)
        if not is_matrix(value):  # a scalar is a vector of one entry
            return {"diag": value, "softmax": sp.S.One, "logsumexp": value}[name]
        if not self.ctx.conforms(value.shape[1], 1):
            raise ShapeError(f"{name} takes a column vector, not {shape_text(shape_of(value))}: "
                             f"{snippet(self.ctx, node)}")
        if name == "diag":
            return Diag(value).doit() if isinstance(value, sp.MatrixBase) else Diag(value)
        if name == "softmax":
            return Softmax(value).doit() if isinstance(value, sp.MatrixBase) else Softmax(value)
        # logsumexp
        return LogSumExp(value).doit() if isinstance(value, sp.MatrixBase) else LogSumExp(value)


def vector_hint(a: Any, b: Any) -> str | None:
    """"did you mean .*" for a product of two arrays of one shape that do not conform."""
    if is_matrix(a) and is_matrix(b) and tuple(a.shape) == tuple(b.shape):
        return "for the entrywise (Hadamard) product write .* (or ⊙): did you mean {}?"
    return None
