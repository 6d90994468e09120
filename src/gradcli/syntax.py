"""The abstract syntax tree shared by the plain and the LaTeX parsers.

Parsers turn text into these nodes (and import nothing heavy); ``build``
turns nodes into SymPy objects under a ``Context`` of declarations.  Every
node records ``pos``/``end``, offsets into the source text, so that errors
found while building (an unknown name, a shape mismatch) can point at the
source with a caret.
"""

from __future__ import annotations

from .record import record


@record
class Node:
    pos: int
    end: int


@record
class Number(Node):
    """A literal: ``2``, ``0.5``, ``.5``, ``1e-3`` (text kept exactly)."""

    text: str


@record
class Name(Node):
    """A name: a variable, ``pi``, ``e``, ``I``, a Greek letter."""

    name: str


@record
class Unary(Node):
    op: str  # "-" or "+"
    operand: Node


@record
class Binary(Node):
    """``op`` is one of ``+ - * / ^``; implicit multiplication is ``*``."""

    op: str
    left: Node
    right: Node


@record
class Call(Node):
    """``name(args...)`` for a known function name (sin, log, tr, diff, ...)."""

    name: str
    args: tuple[Node, ...]


@record
class Derivative(Node):
    """A derivative operator applied to its operand: ``d^order/dvar^order operand``.

    ``d/dy d/dx f`` is ``Derivative(Derivative(f, x), y)``.  ``partial`` records
    whether the source wrote ∂ (it changes only how the operator is shown).
    """

    operand: Node
    var: str
    order: int = 1
    partial: bool = False


@record
class Transpose(Node):
    """``x^T``, ``x'``, ``x.T``, ``x^\\top``."""

    operand: Node
    #: written as a prime (``x'``): refused on a scalar, where it would be read as d/dx
    prime: bool = False


@record
class Matrix(Node):
    """``[[1, x], [y, 2]]`` (``rows``) or ``[x, y]`` (one row, ``vector=True``:
    a column vector)."""

    rows: tuple[tuple[Node, ...], ...]
    vector: bool = False


@record
class Norm(Node):
    """``\\|x\\|`` in LaTeX; the plain language writes ``norm(x)`` (a Call)."""

    operand: Node


@record
class Equation(Node):
    """``lhs = rhs``: a claim for ``check``."""

    lhs: Node
    rhs: Node


def walk(node: Node):
    """Every node of the tree under ``node`` (itself included), depth first."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        for value in vars(n).values():
            if isinstance(value, Node):
                stack.append(value)
            elif isinstance(value, tuple):
                for item in value:
                    if isinstance(item, Node):
                        stack.append(item)
                    elif isinstance(item, tuple):
                        stack.extend(x for x in item if isinstance(x, Node))
