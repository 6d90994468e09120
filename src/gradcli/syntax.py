"""The abstract syntax tree shared by the plain and the LaTeX parsers.

Parsers turn text into these nodes (and import nothing heavy); ``build``
turns nodes into SymPy objects under a ``Context`` of declarations.  Every
node records ``pos``/``end``, offsets into the source text, so that errors
found while building (an unknown name, a shape mismatch) can point at the
source with a caret.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    pos: int
    end: int


@dataclass(frozen=True)
class Number(Node):
    """A literal: ``2``, ``0.5``, ``.5``, ``1e-3`` (text kept exactly)."""

    text: str


@dataclass(frozen=True)
class Name(Node):
    """A name: a variable, ``pi``, ``e``, ``I``, a Greek letter."""

    name: str


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "-" or "+"
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    """``op`` is one of ``+ - * / ^``; implicit multiplication is ``*``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call(Node):
    """``name(args...)`` for a known function name (sin, log, tr, diff, ...)."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Derivative(Node):
    """A derivative operator applied to its operand: ``d^order/dvar^order operand``.

    ``d/dy d/dx f`` is ``Derivative(Derivative(f, x), y)``.  ``partial`` records
    whether the source wrote ∂ (it changes only how the operator is shown).
    """

    operand: Node
    var: str
    order: int = 1
    partial: bool = False


@dataclass(frozen=True)
class Transpose(Node):
    """``x^T``, ``x'``, ``x.T``, ``x^\\top``."""

    operand: Node


@dataclass(frozen=True)
class Matrix(Node):
    """``[[1, x], [y, 2]]`` (``rows``) or ``[x, y]`` (one row, ``vector=True``:
    a column vector)."""

    rows: tuple[tuple[Node, ...], ...]
    vector: bool = False


@dataclass(frozen=True)
class Norm(Node):
    """``\\|x\\|`` in LaTeX; the plain language writes ``norm(x)`` (a Call)."""

    operand: Node


@dataclass(frozen=True)
class Equation(Node):
    """``lhs = rhs``: a claim for ``check``."""

    lhs: Node
    rhs: Node
