"""The abstract syntax tree shared by the plain and the LaTeX parsers.

Parsers turn text into these nodes (and import nothing heavy); ``build``
turns nodes into SymPy objects under a ``Context`` of declarations.  Every
node records ``pos``/``end``, offsets into the source text, so that errors
found while building (an unknown name, a shape mismatch) can point at the
source with a caret.
"""

from __future__ import annotations

from ..record import record


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
    """``op`` is one of ``+ - * / ^``, the entrywise ``.* ./ .^`` (``⊙`` is ``.*``) or the
    Kronecker product ``⊗``; implicit multiplication is ``*``."""

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
    #: ``d vec(F)/d vec(X)``: the derivative of vec(F) by vec(X), a matrix
    vec: bool = False


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


def order_value(text: str) -> int:
    """The order written in diff(f, x, n) (ASCII digits); a huge one is simply huge, without
    converting thousands of digits."""
    return int(text) if len(text) <= 7 else 10**7


def is_order(text: str) -> bool:
    return bool(text) and all("0" <= c <= "9" for c in text)


def total_order(node: Node) -> int:
    """The total order of the derivatives written in a tree: operators (d^2/dx^2) and
    diff(f, x, n) calls, nested or side by side, all count (the limit is limits.MAX_ORDER)."""
    total = 0
    for n in walk(node):
        if isinstance(n, Derivative):
            total += n.order
        elif isinstance(n, Call) and n.name == "diff":
            for arg in n.args[1:]:  # diff(f, x, 3, y): a number replaces the 1 of the name before it
                if isinstance(arg, Name):
                    total += 1
                elif isinstance(arg, Number) and is_order(arg.text):
                    total += order_value(arg.text) - 1
    return total
