"""Syntax tree -> SymPy, through fixed tables (never ``eval``).

A ``Context`` holds the declarations (vectors, matrices, shapes, symmetric
matrices), the layout, and optionally concrete sizes.  With concrete sizes
(``Context.explicit``) every matrix symbol becomes an explicit matrix of
scalar entries (``X -> [[X_11, X_12], [X_21, X_22]]``), so the same syntax
tree can be built twice: symbolically, and component by component as
independent ground truth (``check`` and the tests use this).
"""

from __future__ import annotations

import math
import re
from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr

from ..language import ast as S
from ..errors import InputError, LimitError, ParseError, ShapeError
from ..limits import MAX_DIGITS, MAX_EXPONENT, MAX_FACTORIAL, MAX_MATRIX_POWER, MAX_ORDER, MAX_SIZE, check_explicit
from ..record import record

DEFAULT_DIM = sp.Symbol("n", integer=True, positive=True)

#: Names that sympy.sympify reads as constants, not symbols: refused as variable names.
_SYMPY_CONSTANTS = {"oo": "infinity", "zoo": "complex infinity", "nan": "not-a-number"}

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
}

#: Names a user may write that mean something fixed.
_RENAMES = {"lambda": "lamda"}


def scalar_symbol(name: str) -> sp.Symbol:
    """The SymPy symbol gradcli uses for a scalar name (real-valued)."""
    return sp.Symbol(_RENAMES.get(name, name), real=True)


# -- names that plain output could not read back ---------------------------------------

_sympify_namespace: dict[str, str] | None = None


def _sympify_names() -> dict[str, str]:
    """Every name ``sympy.sympify`` reads as something other than a symbol of that name,
    with what it reads: its default namespace (``from sympy import *``, Python's built-in
    functions, ``max``/``min``) where ``auto_symbol`` keeps the object, and Python's keywords.
    Computed from the installed SymPy, as ``sympy.parsing.sympy_parser.parse_expr`` builds it."""
    global _sympify_namespace
    if _sympify_namespace is None:
        import builtins
        import keyword
        import types

        from sympy.assumptions.ask import AssumptionKeys

        namespace: dict[str, Any] = {}
        exec("from sympy import *", namespace)  # a fixed statement, never user text
        names: dict[str, str] = {}
        for key, obj in namespace.items():
            if key.startswith("_"):
                continue
            if isinstance(obj, sp.Basic):
                names[key] = f"SymPy's constant {key}"
            elif isinstance(obj, sp.FunctionClass):
                names[key] = f"SymPy's function {key}"
            elif isinstance(obj, type):
                names[key] = f"SymPy's class {key}"
            elif isinstance(obj, AssumptionKeys) or callable(obj):
                names[key] = f"SymPy's {key}"
        for key, obj in vars(builtins).items():
            if isinstance(obj, types.BuiltinFunctionType) and not key.startswith("_"):
                names[key] = f"Python's built-in function {key}"
        names["max"], names["min"] = "SymPy's function Max", "SymPy's function Min"
        for key in keyword.kwlist + ["True", "False", "None"]:
            names[key] = "a Python keyword"
        _sympify_namespace = names
    return _sympify_namespace


def unreadable_name(name: str) -> str | None:
    """What ``sympy.sympify`` reads ``name`` as, when that is not the symbol ``name``
    ("SymPy's function beta" for ``beta``), else None.  gradcli's own names are not listed:
    ``pi``, ``e``/``E`` and ``I`` mean the same to both, and ``lambda`` is read as ``lamda``."""
    if name in ("pi", "E", "I") or name in _RENAMES:
        return None
    return _sympify_names().get(name)


def other_name(name: str) -> str:
    """A name like ``name`` that plain output reads back: beta -> beta1."""
    for candidate in (f"{name}1", f"{name}_1", f"{name}0", f"my{name}"):
        if unreadable_name(candidate) is None:
            return candidate
    return f"{name}_x"  # pragma: no cover - every candidate above taken


@record
class Declarations:
    """Which names are not scalars, and their shapes."""

    vectors: tuple[str, ...] = ()
    matrices: tuple[str, ...] = ()
    symmetric: tuple[str, ...] = ()
    shapes: tuple[tuple[str, str], ...] = ()  # (name, "3x2" | "m x n")
    dim: int | None = None

    @property
    def names(self) -> set[str]:
        return set(self.vectors) | set(self.matrices) | set(self.symmetric) | {n for n, _ in self.shapes}

    def is_empty(self) -> bool:
        return not self.names

    def merged(self, other: "Declarations") -> "Declarations":
        return Declarations(
            vectors=self.vectors + other.vectors,
            matrices=self.matrices + other.matrices,
            symmetric=self.symmetric + other.symmetric,
            shapes=self.shapes + other.shapes,
            dim=other.dim if other.dim is not None else self.dim,
        )


def check_declarations(decl: Declarations) -> None:
    """Declarations that agree may repeat (``--matrix A,W --symmetric W``, ``--vector x
    --shape x=3x1``, the same ``--shape`` twice); only a contradiction is an error.

    The one place where declarations are reconciled: ``Context`` then reads them in the
    order vectors, matrices, shapes (a ``--shape`` refines the size of a vector or matrix).
    """
    kinds: dict[str, set[str]] = {}
    for kind, names in (("vector", decl.vectors), ("matrix", decl.matrices), ("symmetric", decl.symmetric)):
        for name in names:
            kinds.setdefault(name, set()).add(kind)
    dim = sp.Integer(decl.dim) if decl.dim else None
    shapes: dict[str, tuple[Any, Any]] = {}
    for name, spec in decl.shapes:
        shape = parse_shape(f"{name}={spec}", dim or DEFAULT_DIM)[1]
        if name in shapes and shapes[name] != shape:
            raise InputError(f"{name} is given two different shapes: {_shape_words(shapes[name])} and "
                             f"{_shape_words(shape)}")
        shapes[name] = shape
    for name, ks in kinds.items():
        if "vector" in ks and ks & {"matrix", "symmetric"}:
            other = "symmetric matrix" if "symmetric" in ks else "matrix"
            raise InputError(f"{name} is declared both a vector and a {other}", "declare it once")
        if name not in shapes:
            continue
        rows, cols = shapes[name]
        if "vector" in ks:
            if cols != 1:
                raise InputError(f"{name} is declared a vector (a column, k x 1) but its shape is "
                                 f"{_shape_words((rows, cols))}", f"write --shape {name}={rows}x1")
            if dim is not None and rows != dim:
                raise InputError(f"{name} is a vector of size --dim {dim} but its shape is {_shape_words((rows, cols))}")
        else:
            kind = "symmetric" if "symmetric" in ks else "a matrix (n x n)"
            if rows != cols:
                raise InputError(f"{name} is declared {kind} but its shape is {_shape_words((rows, cols))}",
                                 "a --shape for it must be square")
            if dim is not None and rows != dim:
                raise InputError(f"{name} is a matrix of size --dim {dim} but its shape is "
                                 f"{_shape_words((rows, cols))}")


def _shape_words(shape: tuple) -> str:
    return f"{shape[0]} x {shape[1]}"


def _size_of(text: str, dim: sp.Expr) -> sp.Expr:
    text = text.strip()
    if re.fullmatch(r"[0-9]+", text):  # ASCII digits: str.isdigit() also says yes to "²"
        value = int(text) if len(text) <= 6 else MAX_SIZE + 1
        if not 1 <= value <= MAX_SIZE:
            raise InputError(f"a size must be between 1 and {MAX_SIZE}, not {text[:12]}{'...' if len(text) > 12 else ''}")
        return sp.Integer(value)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", text):
        return sp.Symbol(text, integer=True, positive=True)
    raise InputError(f"{text!r} is not a size: give a number or a name")


def parse_shape(spec: str, dim: sp.Expr) -> tuple[str, tuple[sp.Expr, sp.Expr]]:
    """``X=3x2`` or ``X=m x n`` -> ("X", (3, 2))."""
    if "=" not in spec:
        raise InputError(f"--shape {spec!r}: write NAME=ROWSxCOLS, e.g. X=3x2 or X=m x n")
    name, _, dims = spec.partition("=")
    name = name.strip()
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise InputError(f"--shape {spec!r}: {name!r} is not a name")
    parts = re.split(r"\s*[x×*,]\s*", dims.strip()) if not re.fullmatch(r"\s*[A-Za-z]\s+x\s+[A-Za-z]\s*", dims) else dims.split("x")
    parts = [p for p in (p.strip() for p in parts) if p]
    if len(parts) != 2:
        raise InputError(f"--shape {spec!r}: write NAME=ROWSxCOLS, e.g. X=3x2 or X=m x n")
    return name, (_size_of(parts[0], dim), _size_of(parts[1], dim))


class Context:
    """Declarations turned into SymPy objects, plus the build options."""

    def __init__(
        self,
        decl: Declarations | None = None,
        *,
        layout: str = "numerator",
        sizes: dict[sp.Symbol, int] | None = None,
        source: str = "",
        display: bool = False,
    ):
        self.decl = decl or Declarations()
        self.layout = layout
        #: keep derivative operators unevaluated (to show a claim as written)
        self.display = display
        self.source = source
        self.dim: sp.Expr = sp.Integer(self.decl.dim) if self.decl.dim else DEFAULT_DIM
        self.shapes: dict[str, tuple[sp.Expr, sp.Expr]] = {}
        for name in self.decl.vectors:
            self.shapes[name] = (self.dim, sp.Integer(1))
        for name in tuple(self.decl.matrices) + tuple(self.decl.symmetric):
            self.shapes[name] = (self.dim, self.dim)
        for spec_name, spec in self.decl.shapes:
            self.shapes[spec_name] = parse_shape(f"{spec_name}={spec}", self.dim)[1]
        self.symmetric = frozenset(self.decl.symmetric)
        for name in self.symmetric:
            r, c = self.shapes[name]
            if r != c:
                raise InputError(f"{name} is declared symmetric but its shape is {r} x {c}")
        #: concrete values of size symbols: set for component-by-component builds
        self.sizes = dict(sizes) if sizes is not None else None
        self._symbols: dict[str, Any] = {}
        if self.sizes is not None:  # every matrix will be written out: refuse huge ones now
            for name, (rows, cols) in self.shapes.items():
                r, c = (self.sizes.get(v, v) if isinstance(v, sp.Symbol) else v for v in (rows, cols))
                if isinstance(r, (int, sp.Integer)) and isinstance(c, (int, sp.Integer)):
                    check_explicit(int(r), int(c), name)

    # -- symbols ---------------------------------------------------------------
    @property
    def explicit(self) -> bool:
        return self.sizes is not None

    def size_symbols(self) -> set[sp.Symbol]:
        out: set[sp.Symbol] = set()
        for r, c in self.shapes.values():
            out |= {s for s in (r, c) if isinstance(s, sp.Symbol)}
        return out

    def concrete(self, size: sp.Expr) -> int:
        if isinstance(size, sp.Integer):
            return int(size)
        assert self.sizes is not None
        if size not in self.sizes:
            raise InputError(f"no concrete value for the size {size}")
        return int(self.sizes[size])

    def lookup(self, name: str) -> Any:
        if name in self._symbols:
            return self._symbols[name]
        if name in self.shapes:
            rows, cols = self.shapes[name]
            if self.explicit:
                value = explicit_matrix(name, self.concrete(rows), self.concrete(cols))
            else:
                value = sp.MatrixSymbol(name, rows, cols)
        else:
            value = scalar_symbol(name)
        self._symbols[name] = value
        return value

    def symmetry_subs(self) -> dict[sp.Symbol, sp.Symbol]:
        """In an explicit build: W_ji -> W_ij (i < j) for every symmetric W."""
        subs: dict[sp.Symbol, sp.Symbol] = {}
        for name in self.symmetric:
            m = self.lookup(name)
            if isinstance(m, sp.MatrixBase):
                for i in range(m.rows):
                    for j in range(i + 1, m.cols):
                        subs[m[j, i]] = m[i, j]
        return subs

    def matrix_symbols(self) -> dict[str, sp.MatrixSymbol]:
        return {n: sp.MatrixSymbol(n, *shape) for n, shape in self.shapes.items()}

    def identity(self) -> Any:
        square = {r for r, c in self.shapes.values() if r == c}
        size = next(iter(square)) if len(square) == 1 else self.dim
        if self.explicit:
            return sp.eye(self.concrete(size))
        return sp.Identity(size)


def entry_symbol(name: str, rows: int, cols: int, i: int, j: int) -> sp.Symbol:
    """The real scalar symbol for entry (i, j) of a rows x cols matrix ``name``: X_12, x_3
    (X_1_12 once an index has two digits)."""
    if cols == 1:
        return sp.Symbol(f"{name}_{i + 1}", real=True)
    if rows == 1:
        return sp.Symbol(f"{name}_{j + 1}", real=True)
    if rows < 10 and cols < 10:
        return sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True)
    return sp.Symbol(f"{name}_{i + 1}_{j + 1}", real=True)


def explicit_matrix(name: str, rows: int, cols: int) -> sp.ImmutableMatrix:
    """A matrix of real scalar symbols named after its entries: X_12, x_3."""
    check_explicit(rows, cols, name)
    return sp.ImmutableMatrix(rows, cols, lambda i, j: entry_symbol(name, rows, cols, i, j))


# -- shapes -----------------------------------------------------------------------

def is_matrix(obj: Any) -> bool:
    return isinstance(obj, (MatrixExpr, sp.MatrixBase))


def shape_of(obj: Any) -> tuple:
    if is_matrix(obj):
        return tuple(obj.shape)
    return ()


def describe_shape(shape: tuple) -> str:
    if not shape:
        return "a scalar"
    return f"{shape[0]} x {shape[1]}"


def _as_scalar(obj: Any) -> Any:
    """A 1 x 1 matrix as the scalar it is; other objects unchanged."""
    if is_matrix(obj) and tuple(obj.shape) == (1, 1):
        if isinstance(obj, sp.MatrixBase):
            return obj[0, 0]
        # obj[0, 0] would expand a product of symbolic size into a Sum, and
        # SymPy differentiates an unevaluated element to 0; the trace of a
        # 1 x 1 matrix is the same scalar and behaves.
        return sp.Trace(obj)
    return obj


# -- numbers ----------------------------------------------------------------------

def number(text: str) -> sp.Rational:
    """A literal as an exact rational (0.1 is 1/10)."""
    m = re.fullmatch(r"(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?", text)
    if not m:
        raise InputError(f"{text!r} is not a number")
    whole, frac, exp = m.group(1) or "0", m.group(2) or "", int(m.group(3) or 0)
    if len(whole) + len(frac) > MAX_DIGITS or abs(exp) > MAX_DIGITS:
        raise LimitError(f"the number {text[:20]}... is too large", "gradcli refuses such input before doing any work")
    value = sp.Rational(int(whole + frac), 10 ** len(frac))
    if exp:
        value = value * sp.Rational(10) ** exp
    return value


def _digits(q: sp.Rational) -> float:
    p, d = abs(int(q.p)), int(q.q)
    return max(p.bit_length(), d.bit_length()) * math.log10(2)


def _guard_number(value: Any, node: S.Node, ctx: Context) -> Any:
    coeff = value
    if isinstance(value, sp.Mul):
        coeff = value.as_coeff_Mul()[0]
    elif isinstance(value, sp.Add):
        coeff = value.as_coeff_Add()[0]
    if isinstance(coeff, sp.Rational) and _digits(coeff) > MAX_DIGITS:
        raise LimitError(
            f"a number in {_snippet(ctx, node)} would have more than {MAX_DIGITS} digits",
            "gradcli refuses such input before doing any work",
        )
    return value


def _guard_power(base: Any, exp: Any, node: S.Node, ctx: Context) -> None:
    if isinstance(exp, sp.Rational) and isinstance(base, sp.Rational):
        b = base
        if b in (0, 1, -1):
            return
        size = abs(float(exp)) * max(_digits(b), 0.31)
        if size > MAX_DIGITS:
            raise LimitError(
                f"{_snippet(ctx, node)} would have about {size:.3g} digits",
                "gradcli refuses such input before doing any work",
            )
    elif isinstance(exp, sp.Integer) and abs(int(exp)) > MAX_EXPONENT:
        raise LimitError(
            f"the exponent in {_snippet(ctx, node)} is larger than {MAX_EXPONENT:,}",
            "gradcli refuses such input before doing any work",
        )
    elif isinstance(exp, sp.Rational) and (abs(exp.p) > MAX_EXPONENT or exp.q > MAX_EXPONENT):
        raise LimitError(
            f"the exponent in {_snippet(ctx, node)} is too large",
            "gradcli refuses such input before doing any work",
        )


def _snippet(ctx: Context, node: S.Node) -> str:
    text = ctx.source[node.pos:node.end] if ctx.source else ""
    text = " ".join(text.split())
    if not text:
        return "the expression"
    if len(text) > 40:
        text = text[:37] + "..."
    return f"'{text}'"


def _error_at(ctx: Context, node: S.Node, message: str, hint: str | None = None, cls=InputError) -> InputError:
    if ctx.source and cls is InputError:
        return ParseError(message, ctx.source, node.pos, hint)
    return cls(message, hint)


# -- derivatives --------------------------------------------------------------------

def layout_derivative(f: Any, wrt: sp.MatrixBase, layout: str) -> sp.ImmutableMatrix:
    """Entry-by-entry derivative of an explicit f w.r.t. an explicit matrix of symbols.

    Arranged per SPEC's layout table: a scalar by an n x 1 vector is 1 x n
    (numerator) or n x 1 (denominator); an m x 1 vector by an n x 1 vector is
    m x n or n x m; a scalar by an m x n matrix is m x n.  Symmetric matrices
    (shared entry symbols) are differentiated as if the entries were
    independent, per the usual matrix-calculus convention, by
    differentiating w.r.t. each position's symbol.
    """
    f = _as_scalar(f)
    rows, cols = wrt.shape
    if not is_matrix(f):
        if cols == 1:  # vector
            col = sp.ImmutableMatrix(rows, 1, [sp.diff(f, wrt[i, 0]) for i in range(rows)])
            return col.T if layout == "numerator" else col
        if rows == 1:  # row vector: a scalar by a 1 x n -> 1 x n both ways
            return sp.ImmutableMatrix(1, cols, [sp.diff(f, wrt[0, j]) for j in range(cols)])
        return sp.ImmutableMatrix(rows, cols, lambda i, j: sp.diff(f, wrt[i, j]))
    frows, fcols = f.shape
    if fcols == 1 and cols == 1:
        jac = sp.ImmutableMatrix(frows, rows, lambda i, j: sp.diff(f[i, 0], wrt[j, 0]))
        return jac if layout == "numerator" else jac.T
    if frows == 1 and cols == 1:
        # a row vector by a column vector: the transpose's Jacobian
        jac = sp.ImmutableMatrix(fcols, rows, lambda i, j: sp.diff(f[0, i], wrt[j, 0]))
        return jac if layout == "numerator" else jac.T
    raise InputError(
        f"the derivative of a {frows} x {fcols} matrix by a {rows} x {cols} matrix is a tensor of order 3 or 4",
        "gradcli shows derivatives up to matrices; differentiate one entry, or a scalar function of it",
    )


class Builder:
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
            return self.ctx.identity()
        from ..language.names import FUNCTIONS, bare_function

        written = self.ctx.source[node.pos:node.end] if self.ctx.source else name
        greek = f"{written!r} ({name})" if written and written != name else repr(name)
        if name in FUNCTIONS:
            raise _error_at(self.ctx, node, *bare_function(name, written))
        if name in _SYMPY_CONSTANTS:
            raise _error_at(self.ctx, node, f"{name!r} is SymPy's {_SYMPY_CONSTANTS[name]}, so plain output would "
                            "not read back: choose another name")
        meaning = unreadable_name(name)
        if meaning is not None:
            raise _error_at(self.ctx, node, f"sympy.sympify reads {greek} as {meaning}, so plain output would not "
                            "read back", f"choose another name, e.g. {other_name(name)}")
        return self.ctx.lookup(name)

    def _Unary(self, node: S.Unary) -> Any:
        value = self.build(node.operand)
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
                acc = self._add(acc, sp.Add(*scalar_terms), acc_node, node) if is_matrix(acc) else sp.Add(acc, *scalar_terms)
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
                acc = self._mul(acc, right, acc_node, right_node, whole) if op == "*" else self._div(acc, right, whole, right_node)
                acc = _guard_number(acc, whole, self.ctx)
                acc_node = whole
            return acc
        if node.op == "^":
            return self._pow(node)
        raise AssertionError(node.op)

    def _add(self, a: Any, b: Any, an: S.Node, bn: S.Node) -> Any:
        if is_matrix(a) and is_matrix(b):
            if not _same_shape(a.shape, b.shape):
                if tuple(a.shape) == (1, 1) or tuple(b.shape) == (1, 1):
                    a, b = _as_scalar(a), _as_scalar(b)
                    if not is_matrix(a) and not is_matrix(b):
                        return a + b
                raise ShapeError(
                    f"cannot add {_snippet(self.ctx, an)} ({describe_shape(shape_of(a))}) "
                    f"and {_snippet(self.ctx, bn)} ({describe_shape(shape_of(b))})"
                )
            return sp.Add(a, b) if isinstance(a, sp.MatrixBase) else (a + b)
        if is_matrix(a) or is_matrix(b):
            m, s, mn = (a, b, an) if is_matrix(a) else (b, a, bn)
            if tuple(m.shape) == (1, 1):
                return _as_scalar(m) + s
            raise ShapeError(
                f"cannot add the scalar {_snippet(self.ctx, bn if m is a else an)} "
                f"and {_snippet(self.ctx, mn)} ({describe_shape(shape_of(m))})",
                "write the identity explicitly, e.g. 'X + 2 I'",
            )
        return a + b

    def _mul(self, a: Any, b: Any, an: S.Node, bn: S.Node, whole: S.Node) -> Any:
        if is_matrix(a) and is_matrix(b):
            if _conforms(a.shape[1], b.shape[0]):
                return a * b
            if tuple(a.shape) == (1, 1) or tuple(b.shape) == (1, 1):
                # (a^T x) b: a 1 x 1 factor is a scalar
                sa, sb = _as_scalar(a), _as_scalar(b)
                return sa * sb
            raise ShapeError(
                f"cannot multiply {_snippet(self.ctx, an)} ({describe_shape(shape_of(a))}) "
                f"by {_snippet(self.ctx, bn)} ({describe_shape(shape_of(b))})",
                f"in {_snippet(self.ctx, whole)}: the columns of the left factor must match the rows of the right",
            )
        return a * b

    def _div(self, a: Any, b: Any, whole: S.Node, bn: S.Node) -> Any:
        b = _as_scalar(b)
        if is_matrix(b):
            raise ShapeError(
                f"cannot divide by the {describe_shape(shape_of(b))} matrix {_snippet(self.ctx, bn)}",
                "multiply by its inverse instead: inv(X) or X^-1",
            )
        if b == 0:
            raise _error_at(self.ctx, bn, "division by zero")
        if is_matrix(a):
            if tuple(a.shape) == (1, 1):
                return _as_scalar(a) / b
            return a * (1 / b) if not isinstance(a, sp.MatrixBase) else a / b
        return a / b

    def _pow(self, node: S.Binary) -> Any:
        base = self.build(node.left)
        exp_node = node.right
        if is_matrix(base):
            if isinstance(exp_node, S.Name) and exp_node.name in ("T", "top") and exp_node.name not in self.ctx.shapes:
                return _transpose(base)
            if (
                isinstance(exp_node, S.Unary)
                and exp_node.op == "-"
                and isinstance(exp_node.operand, S.Name)
                and exp_node.operand.name == "T"
            ):
                return _transpose(self._inverse(base, node))
            exp = self.build(exp_node)
            if not (isinstance(exp, sp.Integer)):
                if tuple(base.shape) == (1, 1):
                    return _as_scalar(base) ** exp
                raise ShapeError(
                    f"a matrix power needs an integer exponent: {_snippet(self.ctx, node)}",
                )
            # a 1 x 1 matrix stays a matrix here, so that (X^-1)^T still means a
            # transpose when X is 1 x 1 (explicit builds at n = 1)
            if not _conforms(base.shape[0], base.shape[1]):
                raise ShapeError(
                    f"{_snippet(self.ctx, node.left)} is {describe_shape(shape_of(base))}, not square: it has no powers",
                )
            if abs(int(exp)) > MAX_MATRIX_POWER:
                raise LimitError(f"the matrix power in {_snippet(self.ctx, node)} is above the limit of {MAX_MATRIX_POWER}")
            if exp == -1:
                return self._inverse(base, node)
            if isinstance(base, sp.MatrixBase):
                return self._explicit_power(base, int(exp), node)
            return sp.MatPow(base, exp).doit() if exp >= 0 else sp.MatPow(sp.Inverse(base), -exp)
        exp = self.build(exp_node)
        exp = _as_scalar(exp)
        if is_matrix(exp):
            raise ShapeError(f"an exponent cannot be a matrix: {_snippet(self.ctx, exp_node)}")
        _guard_power(base, exp, node, self.ctx)
        return self._defined(_guard_number(sp.Pow(base, exp), node, self.ctx), node)

    def _defined(self, value: Any, node: S.Node) -> Any:
        """``value``, unless a constant in it is undefined (cot(0), 0^-1, log(0): SymPy's
        zoo, oo, nan) or not real (acosh(0), sqrt(-1)): refused like division by zero."""
        if not isinstance(value, sp.Basic) or is_matrix(value):
            return value
        if value.has(sp.zoo, sp.nan, sp.oo, sp.S.NegativeInfinity):
            raise _error_at(self.ctx, node, f"{_snippet(self.ctx, node)} is undefined",
                            "it has no finite value (SymPy gives infinity or nan)")
        if value.is_number and (value.has(sp.I) or value.is_extended_real is False):
            raise _error_at(self.ctx, node, f"{_snippet(self.ctx, node)} is not a real number",
                            "gradcli works over the reals")
        return value

    # explicit matrices (overridden where values at a point are built: calculus.pointwise)
    def _explicit_power(self, base: sp.MatrixBase, k: int, node: S.Node) -> Any:
        return base ** k

    def _explicit_det(self, m: sp.MatrixBase) -> Any:
        return m.det()

    def _inverse(self, m: Any, node: S.Node) -> Any:
        if not _conforms(m.shape[0], m.shape[1]):
            raise ShapeError(f"{_snippet(self.ctx, node)}: only a square matrix has an inverse, not a {describe_shape(shape_of(m))} one")
        if tuple(m.shape) == (1, 1):
            return sp.ImmutableMatrix([[1 / _as_scalar(m)]]) if isinstance(m, sp.MatrixBase) else sp.Inverse(m)
        if isinstance(m, sp.MatrixBase):
            from sympy.matrices.exceptions import NonInvertibleMatrixError

            try:
                return sp.ImmutableMatrix(m.inv())
            except NonInvertibleMatrixError:
                raise ShapeError(f"{_snippet(self.ctx, node)}: the matrix is singular (its determinant is 0), "
                                 "so it has no inverse") from None
        return sp.Inverse(m)

    def _Transpose(self, node: S.Transpose) -> Any:
        value = self.build(node.operand)
        if node.prime and not is_matrix(value):
            raise _prime_on_scalar(self.ctx, node, value)
        return _transpose(value)

    def _Norm(self, node: S.Norm) -> Any:
        return _norm(self.build(node.operand))

    def _Matrix(self, node: S.Matrix) -> Any:
        rows = []
        for row in node.rows:
            built = []
            for item in row:
                value = _as_scalar(self.build(item))
                if is_matrix(value):
                    raise ShapeError(
                        f"an entry of an explicit matrix must be a scalar, not {describe_shape(shape_of(value))}: "
                        f"{_snippet(self.ctx, item)}"
                    )
                built.append(value)
            rows.append(built)
        if node.vector:
            return sp.ImmutableMatrix(len(rows[0]), 1, rows[0])
        return sp.ImmutableMatrix(rows)

    def _Equation(self, node: S.Equation) -> Any:
        raise _error_at(self.ctx, node, "an equation is not an expression here", "use 'gradcli check' to decide a claim")

    def _Derivative(self, node: S.Derivative) -> Any:
        operand = self.build(node.operand)
        return self.derivative(operand, node.var, node.order, node)

    def derivative(self, operand: Any, var_name: str, order: int, node: S.Node) -> Any:
        self.orders += order
        if order > MAX_ORDER or self.orders > MAX_ORDER:
            raise LimitError(f"derivatives of total order {max(order, self.orders)} are above the limit of {MAX_ORDER}")
        var = self.ctx.lookup(var_name) if var_name in self.ctx.shapes else scalar_symbol(var_name)
        if self.ctx.display:
            return sp.Derivative(operand, (var, order))
        result = operand
        for _ in range(order):
            result = self._derivative_once(result, var, node)
        return result

    def _derivative_once(self, f: Any, var: Any, node: S.Node) -> Any:
        if isinstance(var, sp.Symbol):
            if isinstance(f, sp.MatrixBase):
                return f.diff(var)
            if isinstance(f, MatrixExpr):
                return sp.diff(f, var)
            return sp.diff(f, var)
        if isinstance(var, sp.MatrixBase):  # explicit build
            return layout_derivative(f, var, self.ctx.layout)
        return matrix_symbol_derivative(f, var, self.ctx)

    def _Call(self, node: S.Call) -> Any:
        name = node.name
        if name == "diff":
            return self._diff_call(node)
        if name == "log":
            args = [self._scalar_arg(a, name) for a in node.args]
            if len(args) == 2:
                base = args[1]
                if base.is_number and (base == 1 or base.is_extended_positive is False):
                    raise _error_at(self.ctx, node.args[1], f"a logarithm to the base {base} is undefined",
                                    "the base must be positive and not 1")
                return self._defined(sp.log(args[0], base), node)
            return self._defined(sp.log(args[0]), node)
        if name == "atan2":
            y, x = (self._scalar_arg(a, name) for a in node.args)
            return self._defined(sp.atan2(y, x), node)
        if name == "root":
            x, k = (self._scalar_arg(a, name) for a in node.args)
            if k == 0:
                raise _error_at(self.ctx, node.args[1], "a root of order 0 is undefined")
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
            if not _conforms(m.shape[0], m.shape[1]):
                raise ShapeError(f"tr needs a square matrix, not {describe_shape(shape_of(m))}: {_snippet(self.ctx, node)}")
            return m.trace() if isinstance(m, sp.MatrixBase) else sp.Trace(m)
        if name in ("det", "Determinant"):
            m = self.build(node.args[0])
            if not is_matrix(m):
                return m
            if not _conforms(m.shape[0], m.shape[1]):
                raise ShapeError(f"det needs a square matrix, not {describe_shape(shape_of(m))}: {_snippet(self.ctx, node)}")
            return self._explicit_det(m) if isinstance(m, sp.MatrixBase) else sp.Determinant(m)
        if name in ("inv", "Inverse"):
            m = self.build(node.args[0])
            if not is_matrix(m):
                if m == 0:
                    raise _error_at(self.ctx, node, "division by zero")
                return 1 / m
            return self._inverse(m, node)
        if name in ("transpose", "Transpose"):
            return _transpose(self.build(node.args[0]))
        if name == "norm":
            return _norm(self.build(node.args[0]))
        func = _SCALAR_FUNCS[name]
        arg = self._scalar_arg(node.args[0], name)
        if name in ("factorial", "gamma") and isinstance(arg, sp.Number) and abs(arg) > MAX_FACTORIAL:
            raise LimitError(
                f"{name} of {arg if _digits(sp.Rational(arg)) < 30 else 'that number'} would explode",
                f"gradcli refuses {name} of numbers above {MAX_FACTORIAL} before doing any work",
            )
        return self._defined(func(arg), node)

    def _scalar_arg(self, node: S.Node, fname: str) -> Any:
        value = _as_scalar(self.build(node))
        if is_matrix(value):
            raise ShapeError(
                f"{fname} takes a scalar, not the {describe_shape(shape_of(value))} matrix {_snippet(self.ctx, node)}"
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
                raise _error_at(
                    self.ctx, arg, "diff(f, x, ...) takes variable names and orders",
                    "for example diff(f, x), diff(f, x, 2) or diff(f, x, y)",
                )
        for name, order in specs:
            f = self.derivative(f, name, order, node)
        return f


def _prime_on_scalar(ctx: Context, node: S.Transpose, value: Any) -> InputError:
    """f'(x), (x^2)', y' on a scalar: a prime is a transpose in gradcli, so it would change
    nothing where a derivative is meant; refused with the operator form."""
    src = ctx.source
    inner = src[node.operand.pos:node.operand.end] if src else ""
    syms = sorted(getattr(value, "free_symbols", set()), key=str)
    if isinstance(node.operand, S.Name):
        call = re.match(r"\(\s*([^()]*?)\s*\)", src[node.end:]) if src else None
        arg = call.group(1) if call else ""
        var = arg if re.fullmatch(r"[^\W\d]\w*", arg) else "x"
        if call:
            message = f"{inner}'({arg}) is not a derivative: {inner} is not a function, and a prime is a transpose"
        else:
            message = f"a prime on the scalar {inner} is a transpose, which changes nothing"
        hint = f"did you mean d/d{var} (...), with {inner}'s expression in the brackets?"
    else:
        var = str(syms[0]) if len(syms) == 1 else "x"
        message = f"a prime on the scalar {_snippet(ctx, node.operand)} is a transpose, which changes nothing"
        body = inner if inner.startswith("(") and inner.endswith(")") else f"({inner})"
        hint = f"did you mean d/d{var} {body}?"
    if src:
        return ParseError(message, src, node.end - 1, hint)
    return InputError(message, hint)


def _same_shape(a: tuple, b: tuple) -> bool:
    return all(_conforms(x, y) for x, y in zip(a, b))


def _conforms(a: Any, b: Any) -> bool:
    return bool(sp.Eq(a, b) is sp.true) or a == b


def _transpose(m: Any) -> Any:
    if not is_matrix(m):
        return m
    if isinstance(m, sp.MatrixBase):
        return m.T
    return m.T


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


def elements_to_traces(f: Any) -> Any:
    """(M)[0, 0] of a 1 x 1 matrix expression -> tr(M): the same scalar, but one
    SymPy's matrix calculus differentiates (it returns 0 for the element)."""
    if not isinstance(f, sp.Basic):
        return f
    elements = [e for e in f.atoms(MatrixElement) if tuple(e.parent.shape) == (1, 1)]
    if not elements:
        return f
    return f.xreplace({e: sp.Trace(e.parent) for e in elements})


def matrix_symbol_derivative(f: Any, var: Any, ctx: Context, *, hessian: bool = False) -> Any:
    """The derivative (or Hessian) of f by a matrix symbol, symbolically.

    Convention for a symmetric variable W: the entries are differentiated as
    independent, and the symmetry W^T = W is imposed on the result (as in
    d/dS log det S = S^-1 for a covariance S); the explicit build does the same.
    """
    from ..calculus import matrix

    symmetric = ctx.symmetric - {var.name}
    f = elements_to_traces(f)
    if hessian:
        result = matrix.matrix_hessian(f, var, symmetric=symmetric)
    else:
        result = matrix.matrix_derivative(f, var, layout=ctx.layout, symmetric=symmetric)
    if ctx.symmetric and isinstance(result, sp.Basic):
        result = impose_symmetry(result, ctx.symmetric)
    return result


def impose_symmetry(expr: Any, names: frozenset[str]) -> Any:
    """Drop transposes of symmetric matrices and of their inverses and powers."""

    def symmetric_part(e: Any) -> bool:
        if isinstance(e, sp.MatrixSymbol):
            return e.name in names
        if isinstance(e, (sp.Inverse, sp.MatPow)):
            return symmetric_part(e.args[0])
        return False

    return expr.replace(lambda e: isinstance(e, sp.Transpose) and symmetric_part(e.arg), lambda e: e.arg)


def build(node: S.Node, ctx: Context | None = None) -> Any:
    """Build one syntax tree into a SymPy object under ``ctx``; derivatives of a total
    order above MAX_ORDER are refused before any work."""
    ctx = ctx or Context()
    order = S.total_order(node)
    if order > MAX_ORDER:
        raise LimitError(f"derivatives of total order {order} are above the limit of {MAX_ORDER}")
    return Builder(ctx).build(node)
