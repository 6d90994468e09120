"""Syntax tree -> SymPy, through fixed tables (never ``eval``), under a ``Context`` of
declarations (``model.declarations``).

Numbers are exact (0.1 is 1/10) and refused before they explode; shapes are checked as the
tree is built, and a mismatch names the sub-expressions and their shapes.  A derivative
operator (``d/dx``, ``diff(f, x)``) is counted against the total order and handed to
``Builder.differentiate``, which the calculus fills in (``calculus.derivative.Builder``):
this module builds, it does not differentiate.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..errors import InputError, LimitError, ShapeError
from ..language import ast as S
from ..language.names import FUNCTIONS, bare_function
from ..limits import MAX_FACTORIAL, MAX_MATRIX_POWER, MAX_ORDER
from .arrays import scaled
from .commutation import build_commutation
from .declarations import Context
from .entrywise import ARRAY_FUNCTIONS, ENTRYWISE_OPS, ArrayBuilder, vector_hint
from .functions import scalar_table
from .numbers import _digits, _guard_number, _guard_power, number
from .shapes import as_scalar, is_matrix, shape_of, shape_text, transpose, zero_as
from .source import error_at, prime_on_scalar, shape_fix, snippet, transpose_on_scalar, written_in_parentheses
from .symbols import SYMPY_CONSTANTS, other_name, scalar_symbol, unreadable_name

_SCALAR_FUNCS: dict[str, Any] = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "cot": sp.cot, "sec": sp.sec, "csc": sp.csc,
    "asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "acot": sp.acot, "asec": sp.asec, "acsc": sp.acsc,
    "arcsin": sp.asin, "arccos": sp.acos, "arctan": sp.atan, "arccot": sp.acot, "arcsec": sp.asec,
    "arccsc": sp.acsc,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "coth": sp.coth, "sech": sp.sech, "csch": sp.csch,
    "asinh": sp.asinh, "acosh": sp.acosh, "atanh": sp.atanh, "arsinh": sp.asinh, "arcosh": sp.acosh,
    "artanh": sp.atanh, "arcsinh": sp.asinh, "arccosh": sp.acosh, "arctanh": sp.atanh,
    "exp": sp.exp, "ln": sp.log, "sqrt": sp.sqrt, "cbrt": sp.cbrt, "abs": sp.Abs, "sign": sp.sign,
    "erf": sp.erf, "gamma": sp.gamma, "factorial": sp.factorial, "Abs": sp.Abs,
    **scalar_table(),
}


# -- the builder ----------------------------------------------------------------------

class Builder(ArrayBuilder):
    def __init__(self, ctx: Context):
        self.ctx = ctx
        #: the total order of the derivatives taken so far (at most MAX_ORDER)
        self.orders = 0

    def build(self, node: S.Node) -> Any:
        method = getattr(self, "_" + type(node).__name__)
        return method(node)

    # leaves
    def _Number(self, node: S.Number) -> Any:
        return number(node.text)

    def _Name(self, node: S.Name) -> Any:
        name = node.name
        if name in self.ctx.shapes:
            return self.ctx.lookup(name)
        if name == "pi":
            return sp.pi
        if name in ("e", "E"):  # E: SymPy's name for it, so plain output reads back
            return sp.E
        if name == "I":
            return self.ctx.identity(node)
        if name == "ones":
            return self.ones_vector(node)
        written = self.ctx.source[node.pos:node.end] if self.ctx.source else name
        greek = f"{written!r} ({name})" if written and written != name else repr(name)
        if name in FUNCTIONS:
            raise error_at(self.ctx, node, *bare_function(name, written))
        if name in SYMPY_CONSTANTS:
            raise error_at(self.ctx, node, f"{name!r} is SymPy's {SYMPY_CONSTANTS[name]}, so plain output would "
                            "not read back: choose another name")
        meaning = unreadable_name(name)
        if meaning is not None:
            raise error_at(self.ctx, node, f"sympy.sympify reads {greek} as {meaning}, so plain output would not "
                            "read back", f"choose another name, e.g. {other_name(name)}")
        return self.ctx.lookup(name)

    def _Unary(self, node: S.Unary) -> Any:
        value = self.build(node.operand)
        if node.op == "-" and is_matrix(value) and not isinstance(value, sp.MatrixBase):
            return scaled(-1, value)
        return -value if node.op == "-" else value

    def _Binary(self, node: S.Binary) -> Any:
        if node.op in "+-":
            # flatten the left spine iteratively: long sums must not recurse
            spine: list[tuple[str, S.Node]] = []
            cur: S.Node = node
            while isinstance(cur, S.Binary) and cur.op in "+-":
                spine.append((cur.op, cur.right))
                cur = cur.left
            acc = self.build(cur)
            acc_node = cur
            scalar_terms: list[Any] = []
            for op, right_node in reversed(spine):
                right = self.build(right_node)
                if op == "-":
                    right = -right
                if not is_matrix(acc) and not is_matrix(right):
                    scalar_terms.append(right)
                    continue
                if scalar_terms:
                    acc = self._add(acc, sp.Add(*scalar_terms), acc_node, right_node)
                    scalar_terms = []
                acc = self._add(acc, right, acc_node, right_node)
                acc_node = S.Binary(acc_node.pos, right_node.end, op, acc_node, right_node)
            if scalar_terms:
                if is_matrix(acc):
                    acc = self._add(acc, sp.Add(*scalar_terms), acc_node, node)
                else:
                    acc = sp.Add(acc, *scalar_terms)
            return _guard_number(acc, node, self.ctx)
        if node.op in "*/":
            spine = []
            cur = node
            while isinstance(cur, S.Binary) and cur.op in "*/":
                spine.append((cur.op, cur.right))
                cur = cur.left
            acc = self.build(cur)
            acc_node = cur
            for op, right_node in reversed(spine):
                right = self.build(right_node)
                whole = S.Binary(acc_node.pos, right_node.end, op, acc_node, right_node)
                if op == "*":
                    acc = self._mul(acc, right, acc_node, right_node, whole)
                else:
                    acc = self._div(acc, right, whole, right_node)
                acc = _guard_number(acc, whole, self.ctx)
                acc_node = whole
            return acc
        if node.op == "^":
            return self._pow(node)
        if node.op in ENTRYWISE_OPS:
            return self.entrywise_binary(node)
        raise AssertionError(node.op)

    def _add(self, a: Any, b: Any, an: S.Node, bn: S.Node) -> Any:
        if is_matrix(a) and is_matrix(b):
            if not self.ctx.same_shape(a.shape, b.shape):
                if tuple(a.shape) == (1, 1) or tuple(b.shape) == (1, 1):
                    a, b = as_scalar(a), as_scalar(b)
                    if not is_matrix(a) and not is_matrix(b):
                        return a + b
                raise ShapeError(
                    f"cannot add {snippet(self.ctx, an)} ({shape_text(shape_of(a))}) "
                    f"and {snippet(self.ctx, bn)} ({shape_text(shape_of(b))})", shape_fix(self.ctx, an, a, bn, b)
                )
            return sp.Add(a, b) if isinstance(a, sp.MatrixBase) else (a + b)
        if is_matrix(a) or is_matrix(b):
            m, s, mn = (a, b, an) if is_matrix(a) else (b, a, bn)
            if tuple(m.shape) == (1, 1):
                return as_scalar(m) + s
            return self.scalar_plus_array(m, s)  # entry by entry, as NumPy: X + 2 I is the identity's
        return a + b

    def _mul(self, a: Any, b: Any, an: S.Node, bn: S.Node, whole: S.Node) -> Any:
        if is_matrix(a) and is_matrix(b):
            if self.ctx.conforms(a.shape[1], b.shape[0]):
                return a * b
            if tuple(a.shape) == (1, 1) or tuple(b.shape) == (1, 1):
                # (a^T x) b: a 1 x 1 factor is a scalar
                sa, sb = as_scalar(a), as_scalar(b)
                return sa * sb
            hint = vector_hint(a, b)
            raise ShapeError(
                f"cannot multiply {snippet(self.ctx, an)} ({shape_text(shape_of(a))}) "
                f"by {snippet(self.ctx, bn)} ({shape_text(shape_of(b))})",
                hint.format(f"{_written(self.ctx, an)} .* {_written(self.ctx, bn)}") if hint else
                shape_fix(self.ctx, an, a, bn, b, product=True),
            )
        return a * b

    def _div(self, a: Any, b: Any, whole: S.Node, bn: S.Node) -> Any:
        b = as_scalar(b)
        if is_matrix(b):
            raise ShapeError(
                f"cannot divide by the {shape_text(shape_of(b))} matrix {snippet(self.ctx, bn)}",
                "multiply by its inverse instead: inv(X) or X^-1; entry by entry: ./",
            )
        if b == 0:
            raise error_at(self.ctx, bn, "division by zero")
        if is_matrix(a):
            if tuple(a.shape) == (1, 1):
                return as_scalar(a) / b
            return a * (1 / b) if not isinstance(a, sp.MatrixBase) else a / b
        return a / b

    def _pow(self, node: S.Binary) -> Any:
        base = self.build(node.left)
        exp_node = node.right
        transposed = (isinstance(exp_node, S.Name) and exp_node.name in ("T", "top")
                      and exp_node.name not in self.ctx.shapes)
        if transposed and not is_matrix(base) and self.ctx.source and not written_in_parentheses(self.ctx, exp_node):
            if not _from_matrices(base):
                raise transpose_on_scalar(self.ctx, node, snippet(self.ctx, node.left).strip("'"), power=True)
            return base  # the transpose of a scalar made of matrices (a^T x): itself
        if is_matrix(base):
            if transposed:
                return transpose(base)
            if (
                isinstance(exp_node, S.Unary)
                and exp_node.op == "-"
                and isinstance(exp_node.operand, S.Name)
                and exp_node.operand.name == "T"
            ):
                return transpose(self._inverse(base, node))
            exp = self.build(exp_node)
            if not (isinstance(exp, sp.Integer)):
                if tuple(base.shape) == (1, 1):
                    return as_scalar(base) ** exp
                raise ShapeError(
                    f"a matrix power needs an integer exponent: {snippet(self.ctx, node)}",
                )
            # a 1 x 1 matrix stays a matrix here, so that (X^-1)^T still means a
            # transpose when X is 1 x 1 (explicit builds at n = 1)
            if not self.ctx.conforms(base.shape[0], base.shape[1]):
                raise ShapeError(
                    f"{snippet(self.ctx, node.left)} is {shape_text(shape_of(base))}, not square: it has no powers",
                )
            if abs(int(exp)) > MAX_MATRIX_POWER:
                raise LimitError(f"the matrix power in {snippet(self.ctx, node)} is above the limit of "
                                 f"{MAX_MATRIX_POWER}")
            if exp == -1:
                return self._inverse(base, node)
            if isinstance(base, sp.MatrixBase):
                return self._explicit_power(base, int(exp), node)
            return sp.MatPow(base, exp).doit() if exp >= 0 else sp.MatPow(sp.Inverse(base), -exp)
        exp = self.build(exp_node)
        exp = as_scalar(exp)
        if is_matrix(exp) and base == sp.E:  # e^{-y ⊙ z}: exp entry by entry
            return self.apply_entrywise("exp", sp.exp, [exp], S.Call(node.pos, node.end, "exp", (exp_node,)))
        if is_matrix(exp):
            raise ShapeError(f"an exponent cannot be a matrix: {snippet(self.ctx, exp_node)}")
        _guard_power(base, exp, node, self.ctx)
        return self._defined(_guard_number(sp.Pow(base, exp), node, self.ctx), node)

    def _defined(self, value: Any, node: S.Node) -> Any:
        """``value``, unless a constant in it is undefined (cot(0), 0^-1, log(0): SymPy's
        zoo, oo, nan) or not real (acosh(0), sqrt(-1)): refused like division by zero."""
        if not isinstance(value, sp.Basic) or is_matrix(value):
            return value
        if value.has(sp.zoo, sp.nan, sp.oo, sp.S.NegativeInfinity):
            raise error_at(self.ctx, node, f"{snippet(self.ctx, node)} is undefined",
                            "it has no finite value (SymPy gives infinity or nan)")
        if value.is_number and (value.has(sp.I) or value.is_extended_real is False):
            raise error_at(self.ctx, node, f"{snippet(self.ctx, node)} is not a real number",
                            "gradcli works over the reals")
        return value

    # explicit matrices (overridden where values at a point are built: check.pointwise)
    def _explicit_power(self, base: sp.MatrixBase, k: int, node: S.Node) -> Any:
        return base ** k

    def _explicit_det(self, m: sp.MatrixBase) -> Any:
        return m.det()

    def _inverse(self, m: Any, node: S.Node) -> Any:
        if not self.ctx.conforms(m.shape[0], m.shape[1]):
            raise ShapeError(f"{snippet(self.ctx, node)}: only a square matrix has an inverse, "
                             f"not a {shape_text(shape_of(m))} one")
        if tuple(m.shape) == (1, 1):
            return sp.ImmutableMatrix([[1 / as_scalar(m)]]) if isinstance(m, sp.MatrixBase) else sp.Inverse(m)
        if isinstance(m, sp.MatrixBase):
            from sympy.matrices.exceptions import NonInvertibleMatrixError

            try:
                return sp.ImmutableMatrix(m.inv())
            except NonInvertibleMatrixError:
                raise ShapeError(f"{snippet(self.ctx, node)}: the matrix is singular (its determinant is 0), "
                                 "so it has no inverse") from None
        return sp.Inverse(m)

    def _Transpose(self, node: S.Transpose) -> Any:
        value = self.build(node.operand)
        if node.prime and not is_matrix(value):
            raise prime_on_scalar(self.ctx, node, value)
        if isinstance(node.operand, S.Name) and not is_matrix(value) and not _from_matrices(value):
            raise transpose_on_scalar(self.ctx, node, node.operand.name, power=False)
        return transpose(value)

    def _Norm(self, node: S.Norm) -> Any:
        return _norm(self.build(node.operand))

    def _Matrix(self, node: S.Matrix) -> Any:
        rows = []
        for row in node.rows:
            built = []
            for item in row:
                value = as_scalar(self.build(item))
                if is_matrix(value):
                    raise ShapeError(
                        f"an entry of an explicit matrix must be a scalar, not {shape_text(shape_of(value))}: "
                        f"{snippet(self.ctx, item)}"
                    )
                built.append(value)
            rows.append(built)
        if node.vector:
            return sp.ImmutableMatrix(len(rows[0]), 1, rows[0])
        return sp.ImmutableMatrix(rows)

    def _Equation(self, node: S.Equation) -> Any:
        raise error_at(self.ctx, node, "an equation is not an expression here", "use 'gradcli check' to decide a claim")

    def _Derivative(self, node: S.Derivative) -> Any:
        operand = self.build(node.operand)
        if node.vec:
            if node.var not in self.ctx.shapes:
                raise error_at(self.ctx, node, f"d vec(F)/d vec({node.var}) needs a vector or matrix {node.var}",
                               f"declare it: --matrix {node.var}")
            var = self.ctx.lookup(node.var)
            if self.ctx.display:
                return sp.Derivative(operand, (var, 1))
            return self.vec_derivative(operand, var)
        return self.derivative(operand, node.var, node.order)

    def vec_derivative(self, f: Any, var: Any) -> Any:
        """d vec(f) / d vec(var): the calculus's (``calculus.derivative.Builder``)."""
        raise InputError("a derivative operator cannot be taken here", "write the value without d/dx or diff(...)")

    def derivative(self, operand: Any, var_name: str, order: int) -> Any:
        """``operand`` differentiated ``order`` times by ``var_name``: counted against the
        total order (at most MAX_ORDER), then taken one step at a time by ``differentiate``."""
        self.orders += order
        if order > MAX_ORDER or self.orders > MAX_ORDER:
            raise LimitError(f"derivatives of total order {max(order, self.orders)} are above the limit of {MAX_ORDER}")
        var = self.ctx.lookup(var_name) if var_name in self.ctx.shapes else scalar_symbol(var_name)
        if self.ctx.display:
            return sp.Derivative(operand, (var, order))
        result = operand
        for _ in range(order):
            result = self.differentiate(result, var)
        return result

    def differentiate(self, f: Any, var: Any) -> Any:
        """d f / d var, once: the calculus's (``calculus.derivative.Builder``)."""
        raise InputError("a derivative operator cannot be taken here", "write the value without d/dx or diff(...)")

    def _Call(self, node: S.Call) -> Any:
        name = node.name
        if name in ("diff", "K"):  # K(m, n): the commutation matrix (language.commutation)
            return self._diff_call(node) if name == "diff" else build_commutation(self.ctx, node)
        if name in ARRAY_FUNCTIONS:
            return self.array_call(node)
        if name in ("max", "min", "Max", "Min"):
            args = [as_scalar(self.build(a)) for a in node.args]
            func = sp.Max if name.lower() == "max" else sp.Min
            if any(is_matrix(a) for a in args):
                return self.apply_entrywise(name, func, args, node)
            return self._defined(func(*args), node)
        if name == "log":
            args = [as_scalar(self.build(a)) for a in node.args]
            if is_matrix(args[0]) and len(args) == 1:
                return self.apply_entrywise(name, sp.log, args, node)
            args = [self._scalar_arg(a, name) for a in node.args]
            if len(args) == 2:
                base = args[1]
                if base.is_number and (base == 1 or base.is_extended_positive is False):
                    raise error_at(self.ctx, node.args[1], f"a logarithm to the base {base} is undefined",
                                    "the base must be positive and not 1")
                return self._defined(sp.log(args[0], base), node)
            return self._defined(sp.log(args[0]), node)
        if name == "atan2":
            y, x = (self._scalar_arg(a, name) for a in node.args)
            return self._defined(sp.atan2(y, x), node)
        if name == "root":
            x, k = (self._scalar_arg(a, name) for a in node.args)
            if k == 0:
                raise error_at(self.ctx, node.args[1], "a root of order 0 is undefined")
            return self._defined(sp.root(x, k), node)
        if name == "polygamma":
            k, x = (self._scalar_arg(a, name) for a in node.args)
            if k.is_number and abs(k) > MAX_FACTORIAL:
                raise LimitError(f"polygamma of order {k if _digits(sp.Rational(k)) < 30 else 'that large'} would "
                                 "explode", f"gradcli refuses orders above {MAX_FACTORIAL} before doing any work")
            return self._defined(sp.polygamma(k, x), node)
        if name in ("tr", "trace", "Trace"):
            m = self.build(node.args[0])
            if not is_matrix(m):
                return m
            if not self.ctx.conforms(m.shape[0], m.shape[1]):
                raise ShapeError(f"tr needs a square matrix, not {shape_text(shape_of(m))}: {snippet(self.ctx, node)}")
            return m.trace() if isinstance(m, sp.MatrixBase) else sp.Trace(m)
        if name in ("det", "Determinant"):
            m = self.build(node.args[0])
            if not is_matrix(m):
                return m
            if not self.ctx.conforms(m.shape[0], m.shape[1]):
                raise ShapeError(f"det needs a square matrix, not {shape_text(shape_of(m))}: {snippet(self.ctx, node)}")
            return self._explicit_det(m) if isinstance(m, sp.MatrixBase) else sp.Determinant(m)
        if name in ("inv", "Inverse"):
            m = self.build(node.args[0])
            if not is_matrix(m):
                if m == 0:
                    raise error_at(self.ctx, node, "division by zero")
                return 1 / m
            return self._inverse(m, node)
        if name in ("transpose", "Transpose"):
            return transpose(self.build(node.args[0]))
        if name == "norm":
            return _norm(self.build(node.args[0]))
        func = _SCALAR_FUNCS[name]
        arg = as_scalar(self.build(node.args[0]))
        if is_matrix(arg):
            if name in ("factorial", "gamma"):
                raise ShapeError(f"{name} takes a scalar, not the {shape_text(shape_of(arg))} matrix "
                                 f"{snippet(self.ctx, node.args[0])}")
            return self.apply_entrywise(name, func, [arg], node)
        if name in ("factorial", "gamma") and isinstance(arg, sp.Number) and abs(arg) > MAX_FACTORIAL:
            raise LimitError(
                f"{name} of {arg if _digits(sp.Rational(arg)) < 30 else 'that number'} would explode",
                f"gradcli refuses {name} of numbers above {MAX_FACTORIAL} before doing any work",
            )
        return self._defined(func(arg), node)

    def _scalar_arg(self, node: S.Node, fname: str) -> Any:
        value = as_scalar(self.build(node))
        if is_matrix(value):
            raise ShapeError(
                f"{fname} takes a scalar, not the {shape_text(shape_of(value))} matrix {snippet(self.ctx, node)}"
            )
        return value

    def _diff_call(self, node: S.Call) -> Any:
        f = self.build(node.args[0])
        specs: list[tuple[str, int]] = []
        for arg in node.args[1:]:
            if isinstance(arg, S.Name):
                specs.append((arg.name, 1))
            elif isinstance(arg, S.Number) and S.is_order(arg.text) and specs:
                name, _ = specs[-1]
                specs[-1] = (name, S.order_value(arg.text))
            else:
                raise error_at(
                    self.ctx, arg, "diff(f, x, ...) takes variable names and orders",
                    "for example diff(f, x), diff(f, x, 2) or diff(f, x, y)",
                )
        for name, order in specs:
            f = self.derivative(f, name, order)
        return f


def _written(ctx: Context, node: S.Node) -> str:
    return ctx.source[node.pos:node.end].strip() if ctx.source else "..."


def _norm(v: Any) -> Any:
    if not is_matrix(v):
        return sp.Abs(v)
    if isinstance(v, sp.MatrixBase):
        return sp.sqrt(sum(e**2 for e in v))
    rows, cols = v.shape
    if cols == 1:
        return sp.sqrt(sp.Trace(v.T * v))
    if rows == 1:
        return sp.sqrt(sp.Trace(v * v.T))
    return sp.sqrt(sp.Trace(v.T * v))


def build_claim(node: S.Equation, ctx: Context | None = None, *, builder: type[Builder] | None = None) -> tuple:
    """Both sides of a claim, of one shape: free sizes (``I``, ``ones``) inferred over both, 0 the zero matrix."""
    lhs, rhs = _build_sized((node.lhs, node.rhs), ctx or Context(), builder)
    return zero_as(lhs, rhs), zero_as(rhs, lhs)


def build(node: S.Node, ctx: Context | None = None, *, builder: type[Builder] | None = None) -> Any:
    """One syntax tree as a SymPy object under ``ctx`` with ``builder`` (default ``Builder``, which
    takes no derivative); a total order of derivatives above MAX_ORDER is refused before any work."""
    return _build_sized((node,), ctx or Context(), builder)[0]


def _build_sized(nodes: tuple, ctx: Context, builder: type[Builder] | None) -> list:
    from . import sizes
    for node in nodes:
        order = S.total_order(node)
        if order > MAX_ORDER:
            raise LimitError(f"derivatives of total order {order} are above the limit of {MAX_ORDER}")
    inferred = sizes.infer_sides(nodes, ctx, Builder)
    b = (builder or Builder)(ctx)
    try:
        return [b.build(node) for node in nodes]
    except ShapeError as exc:
        if inferred:
            hint = (exc.hint + "; " if exc.hint else "") + sizes.hint_for(inferred)
            raise ShapeError(exc.message, hint) from None
        raise


def _from_matrices(value: Any) -> bool:
    """Whether a scalar is made of matrices (a 1 x 1 product, a trace, a determinant)."""
    return isinstance(value, sp.Basic) and bool(value.atoms(sp.MatrixSymbol) or value.has(sp.Trace, sp.Determinant))
