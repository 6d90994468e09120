"""The commutation matrix ``K(m, n)`` written in an expression (issue 17): K(m, n) vec(A) =
vec(A^T) for an m x n A, the matrix gradcli prints in vec forms.

The rule, since ``K`` is also an ordinary name (the book's K = R^T R): ``K(`` directly
followed by two sizes, each a number or a size name (``K(2, 3)``, ``K(m, n)``), is the
commutation matrix, read as the call ``ast.Call("K", (m, n))``.  ``K(x + 1)`` (one argument)
stays an unknown function ("write K*(...)"); ``K(a, b, c)`` and sizes that are not a number
or a name are refused; an input that uses ``K`` both as a name and as K(m, n) is refused
(``refuse_ambiguous_k``); whether the names are declared sizes, and K not a declared vector
or matrix, the builder decides (``model.build``).  The LaTeX parser reads the LaTeX
printer's ``K_{m,n}`` the same way.
"""

from __future__ import annotations

from typing import Any

from ..errors import ParseError
from . import ast as S
from .cursor import paren_span

COMMUTATION = "K"


def check_sizes(args: tuple, src: str, pos: int) -> None:
    """Each size of K(m, n) a number or a name, or a ParseError with the form to write."""
    for a in args:
        if _size_text(a):
            continue
        raise ParseError("the sizes of the commutation matrix K(m, n) are numbers or size names",
                         src, a.pos, "write K(2, 3) or K(m, n), m and n sizes of --shape or --dim")


def _size_text(a: S.Node) -> bool:
    """A size: a whole number, a name, or a product or power of them (n^2, m*n: as printed)."""
    if isinstance(a, S.Number):
        return a.text.isdigit()
    if isinstance(a, S.Name):
        return True
    if isinstance(a, S.Binary) and a.op == "*":
        return _size_text(a.left) and _size_text(a.right)
    if isinstance(a, S.Binary) and a.op == "^":
        return _size_text(a.left) and isinstance(a.right, S.Number) and a.right.text.isdigit()
    return False


def commutation_sizes(p: Any, name_tok: Any) -> S.Node | None:
    """At ``K(`` (the parser just past the name K): the call K(m, n) when the parentheses hold
    two arguments; None when they hold one, or the name is not K( (the parser goes on)."""
    nxt = p.tok
    if not (name_tok.text == COMMUTATION and nxt.kind == "OP" and nxt.text == "(" and not nxt.space_before):
        return None
    span = paren_span(p.peek, 0)
    commas = None if span is None else span[1]
    if commas is None or commas == 0:
        return None
    if commas > 1:
        raise ParseError("the commutation matrix K(m, n) takes two sizes", p.src, name_tok.pos,
                         "write K(m, n), or K*(...) for a product with a matrix K")
    p.enter()
    p.advance()  # (
    first = p.parse_expr()
    p.expect(",")
    second = p.parse_expr()
    close = p.expect(")", "')'")
    p.leave()
    check_sizes((first, second), p.src, name_tok.pos)
    return S.Call(name_tok.pos, close.end, COMMUTATION, (first, second))


def refuse_ambiguous_k(node: S.Node, src: str) -> S.Node:
    """An input with both K(m, n) and the name K (a matrix or scalar K) is refused: which K
    is which would be a guess."""
    calls = [n for n in S.walk(node) if isinstance(n, S.Call) and n.name == COMMUTATION]
    if not calls:
        return node
    named = any(isinstance(n, S.Name) and n.name == COMMUTATION for n in S.walk(node)) or any(
        isinstance(n, S.Derivative) and n.var == COMMUTATION for n in S.walk(node))
    if named:
        call = min(calls, key=lambda c: c.pos)
        raise ParseError("K is a name here and also the commutation matrix K(m, n)", src, call.pos,
                         "did you mean a product K*(...)? The commutation matrix is read only where K is "
                         "not otherwise a name: rename the matrix or scalar K")
    return node


def latex_commutation(p: Any, node: S.Node) -> S.Node | None:
    """``K_{m,n}`` in LaTeX (the LaTeX parser ``p`` at the ``{`` after ``K_``): the commutation
    matrix K(m, n), its sizes numbers or names; None for any other subscript."""
    if not (isinstance(node, S.Name) and node.name == COMMUTATION and p.tok.kind == "LBRACE"):
        return None
    close = p.match.get(p.i)
    inner = p.tokens[p.i + 1:close] if close is not None else []
    if len(inner) != 3 or not (inner[1].kind == "OP" and inner[1].text == ","):
        return None
    args: list[S.Node] = []
    for t in (inner[0], inner[2]):
        if t.kind == "NUM":
            args.append(S.Number(t.pos, t.end, t.text))
        elif t.kind in ("LETTER", "WORD"):
            args.append(S.Name(t.pos, t.end, t.text))
        else:
            raise ParseError("the sizes of the commutation matrix K_{m,n} are numbers or size names",
                             p.src, t.pos, "write K_{2,3} or K_{m,n}, m and n sizes of --shape or --dim")
    end = p.tokens[close].end
    p.i = close + 1
    return S.Call(node.pos, end, COMMUTATION, tuple(args))
