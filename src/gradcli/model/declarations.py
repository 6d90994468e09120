"""Declarations (``--vector x``, ``--matrix X``, ``--symmetric W``, ``--shape X=3x2``,
``--dim N``) and the ``Context`` a tree is built under: the declarations as SymPy objects,
the layout, and optionally concrete sizes.

With concrete sizes (``Context.explicit``) every matrix symbol becomes an explicit matrix
of scalar entries (``X -> [[X_11, X_12], [X_21, X_22]]``), so the same syntax tree can be
built twice: symbolically, and component by component as independent ground truth
(``check`` and the tests use this).
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp

from ..errors import InputError
from ..limits import MAX_SIZE, check_explicit
from ..record import record
from .layout import Layout
from .shapes import conforms, shape_text
from .symbols import explicit_matrix, scalar_symbol

DEFAULT_DIM = sp.Symbol("n", integer=True, positive=True)


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

    def merged(self, other: Declarations) -> Declarations:
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
            raise InputError(f"{name} is given two different shapes: {shape_text(shapes[name])} and "
                             f"{shape_text(shape)}")
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
                                 f"{shape_text((rows, cols))}", f"write --shape {name}={rows}x1")
            if dim is not None and rows != dim:
                raise InputError(f"{name} is a vector of size --dim {dim} but its shape is {shape_text((rows, cols))}")
        else:
            kind = "symmetric" if "symmetric" in ks else "a matrix (n x n)"
            if rows != cols:
                raise InputError(f"{name} is declared {kind} but its shape is {shape_text((rows, cols))}",
                                 "a --shape for it must be square")
            if dim is not None and rows != dim:
                raise InputError(f"{name} is a matrix of size --dim {dim} but its shape is "
                                 f"{shape_text((rows, cols))}")


def _size_of(text: str, dim: sp.Expr) -> sp.Expr:
    text = text.strip()
    if re.fullmatch(r"[0-9]+", text):  # ASCII digits: str.isdigit() also says yes to "²"
        value = int(text) if len(text) <= 6 else MAX_SIZE + 1
        if not 1 <= value <= MAX_SIZE:
            shown = text[:12] + ("..." if len(text) > 12 else "")
            raise InputError(f"a size must be between 1 and {MAX_SIZE:,}, not {shown}")
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
    if re.fullmatch(r"\s*[A-Za-z]\s+x\s+[A-Za-z]\s*", dims):
        parts = dims.split("x")
    else:
        parts = re.split(r"\s*[x×*,]\s*", dims.strip())
    parts = [p for p in (p.strip() for p in parts) if p]
    if len(parts) != 2:
        raise InputError(f"--shape {spec!r}: write NAME=ROWSxCOLS, e.g. X=3x2 or X=m x n")
    try:
        return name, (_size_of(parts[0], dim), _size_of(parts[1], dim))
    except InputError as exc:  # a bad size: an error about this --shape, with the form to write
        raise InputError(f"--shape {spec!r}: {exc.message}",
                         f"write {name}=ROWSxCOLS, each size a number from 1 to {MAX_SIZE:,} or a name: "
                         f"{name}=3x2 or {name}='m x n'") from None


class Context:
    """Declarations turned into SymPy objects, plus the build options."""

    def __init__(
        self,
        decl: Declarations | None = None,
        *,
        layout: str = Layout.NUMERATOR,
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
        if size in self.sizes:
            return int(self.sizes[size])
        if isinstance(size, sp.Expr) and size.free_symbols and size.free_symbols <= set(self.sizes):
            value = size.xreplace({s: sp.Integer(self.sizes[s]) for s in size.free_symbols})  # n**2 at n = 3
            if value.is_Integer:
                return int(value)
        raise InputError(f"no concrete value for the size {size}")

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

    # -- sizes (model.sizes infers them; these are the rules of a build with sizes known) ------
    def conforms(self, a: Any, b: Any) -> bool:
        return conforms(a, b)

    def same_shape(self, a: tuple, b: tuple) -> bool:
        return all(self.conforms(x, y) for x, y in zip(a, b))

    def free_names(self) -> list[str]:
        """Declared vectors and matrices whose size no --shape or --dim gives (inferred)."""
        if self.decl.dim is not None:
            return []
        shaped = {n for n, _ in self.decl.shapes}
        return [n for n in self.shapes if n not in shaped]

    def decl_shape(self, name: str) -> tuple[Any, Any] | None:
        """The shape the declarations alone give ``name`` (n for a free size)."""
        return Context(self.decl).shapes.get(name)

    def apply_sizes(self, shapes: dict[str, tuple[Any, Any]], nodes: dict[tuple[int, int], tuple]) -> None:
        """Sizes inferred (``model.sizes``): the shapes of names, and of ``I`` and ``ones`` by position."""
        self.shapes.update(shapes)
        self.node_sizes = dict(nodes)
        self.inferred = {n: s for n, s in shapes.items()}
        self._symbols.clear()

    def node_shape(self, node: Any, kind: str) -> tuple[Any, Any]:
        """The shape of ``I`` (kind "I") or ``ones`` at ``node``: inferred, else the rule of
        ``identity`` (I) or a column of the one vector size there is, else n (ones)."""
        inferred = getattr(self, "node_sizes", {}).get((node.pos, node.end)) if node is not None else None
        if inferred is not None:
            return inferred
        if kind == "I":
            square = {r for r, c in self.shapes.values() if r == c}
            size = next(iter(square)) if len(square) == 1 else self.dim
            return (size, size)
        rows = {r for r, c in self.shapes.values() if c == 1}
        return (next(iter(rows)) if len(rows) == 1 else self.dim, sp.Integer(1))

    def identity(self, node: Any = None) -> Any:
        size = self.node_shape(node, "I")[0]
        if self.explicit:
            return sp.eye(self.concrete(size))
        return sp.Identity(size)
