"""The vec derivative operator ``d vec(F)/d vec(X)`` (issue 17): the derivative of vec(F) by
vec(X), column-major, read by the plain parser as ``ast.Derivative`` with ``vec`` set.  It is
recognised only when the whole pattern is there, so ``d vec(x)`` alone stays a product."""

from __future__ import annotations

from typing import Any

from . import ast as S

#: the tokens after the closing parenthesis of vec(F): / d vec ( NAME )
_TAIL = (("OP", "/"), ("NAME", "d"), ("NAME", "vec"), ("OP", "("), ("NAME", None), ("OP", ")"))


def _is(t: Any, kind: str, text: str | None) -> bool:
    return t.kind == kind and (text is None or t.text == text)


def vec_operator_end(p: Any) -> int | None:
    """At ``d vec(F)/d vec(X)`` (``p`` a parser at its first token): the index of its last
    token, else None."""
    if not (_is(p.peek(0), "NAME", "d") and _is(p.peek(1), "NAME", "vec") and _is(p.peek(2), "OP", "(")):
        return None
    depth, k = 0, 2
    while True:
        t = p.peek(k)
        if t.kind == "EOF":
            return None
        if t.kind == "OP" and t.text in "([":
            depth += 1
        elif t.kind == "OP" and t.text in ")]":
            depth -= 1
            if depth == 0:
                break
        k += 1
    if all(_is(p.peek(k + s), kind, text) for s, (kind, text) in enumerate(_TAIL, start=1)):
        return p.i + k + len(_TAIL)
    return None


def vec_operator(p: Any, last: int) -> S.Node:
    """Parse ``d vec(F)/d vec(X)`` whose last token is at ``last``."""
    start = p.advance()  # d
    p.advance()  # vec
    p.expect("(")
    operand = p.parse_expr()
    p.expect(")")
    while p.i < last:
        p.advance()
    var = p.tokens[p.i - 1].text
    end = p.advance().end
    return S.Derivative(start.pos, end, operand, var, 1, False, vec=True)
