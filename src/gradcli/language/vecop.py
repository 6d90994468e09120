"""The vec derivative operator ``d vec(F)/d vec(X)`` (issue 17): the derivative of vec(F) by
vec(X), column-major, read by the plain parser as ``ast.Derivative`` with ``vec`` set.
``∂vec(F)/∂vec(X)`` and ``∂ vec(F)/∂ vec(X)`` are the same operator (the tokenizer gives the
``∂`` before ``vec(`` as a NAME token ``∂``, which only this module reads).

It is recognised only when the whole pattern is there, so ``d vec(x)`` alone stays a product
(d a scalar); a near miss (``d vec(F)/d X``, ``d vec(F)/∂ vec(X)``, ``∂vec(F)`` without its
denominator, ``d vec(F)/d vec(X^T)``) is refused with the form gradcli reads."""

from __future__ import annotations

import re
from typing import Any

from ..errors import ParseError
from . import ast as S
from .cursor import paren_span

#: the ∂ of ∂vec(F) / ∂ vec(X) (the tokenizer's test)
VEC_PARTIAL_RE = re.compile(r"∂\s*vec\s*\(")

_MARKS = ("d", "∂")


def _is(t: Any, kind: str, text: str | None) -> bool:
    return t.kind == kind and (text is None or t.text == text)


def vec_operator_end(p: Any) -> int | None:
    """At ``d vec(F)/d vec(X)`` (``p`` a parser at its first token): the index of its last
    token, else None; a near miss raises ParseError."""
    first = p.peek(0)
    if not (first.kind == "NAME" and first.text in _MARKS and _is(p.peek(1), "NAME", "vec")
            and _is(p.peek(2), "OP", "(")):
        return None
    d = first.text
    span = paren_span(p.peek, 2)
    k = None if span is None else span[0]
    if k is None:
        return None  # the parser reports the unclosed parenthesis
    operand = p.src[p.peek(2).end:p.peek(k).pos].strip() or "F"
    op = "d vec" if d == "d" else "∂vec"
    hint = f"did you mean {op}({operand})/{op}(X), X a vector or matrix name?"
    slash = p.peek(k + 1)
    if not _is(slash, "OP", "/"):
        if d == "∂":
            raise ParseError(f"'∂ vec({operand})' needs its denominator", p.src, first.pos, hint)
        return None  # d vec(x): the product of a scalar d and vec(x)
    mark = p.peek(k + 2)
    if not (mark.kind == "NAME" and (mark.text in _MARKS or mark.text == "dvec")):
        if d == "∂":
            raise ParseError(f"'∂ vec({operand})/...' is read only as ∂vec(F)/∂vec(X)", p.src, slash.pos, hint)
        return None  # d vec(x)/2: a product divided
    tail = [p.peek(k + s) for s in range(2, 7)]
    if (tail[0].text == d and _is(tail[1], "NAME", "vec") and _is(tail[2], "OP", "(")
            and _is(tail[3], "NAME", None) and _is(tail[4], "OP", ")")):
        return p.i + k + 6
    if tail[0].text in _MARKS and tail[0].text != d:
        raise ParseError(f"'{d}' in the numerator and '{tail[0].text}' in the denominator", p.src, mark.pos,
                         f"write the same one in both: {hint[len('did you mean '):-1]}")
    raise ParseError("the vec derivative is d vec(F)/d vec(X), with vec( ) of one name in the denominator",
                     p.src, mark.pos, hint)


def vec_operator(p: Any, last: int) -> S.Node:
    """Parse ``d vec(F)/d vec(X)`` whose last token is at ``last``."""
    start = p.advance()  # d or ∂
    p.advance()  # vec
    p.expect("(")
    operand = p.parse_expr()
    p.expect(")")
    while p.i < last:
        p.advance()
    var = p.tokens[p.i - 1].text
    end = p.advance().end
    return S.Derivative(start.pos, end, operand, var, 1, start.text == "∂", vec=True)


def refuse_vec_names(p: Any, t: Any) -> None:
    """At the name token ``t`` (the parser just past it): ``∂`` (a NAME only before vec(, which
    ``vec_operator_end`` reads when the whole pattern is there) and ``dvec(`` are near misses."""
    nxt = p.tok
    if t.text == "∂":
        raise ParseError("'∂ vec(...)' is read only as ∂vec(F)/∂vec(X)", p.src, t.pos, "did you mean ∂vec(F)/∂vec(X)?")
    if t.text == "dvec" and nxt.kind == "OP" and nxt.text == "(":
        raise ParseError("unknown function 'dvec'", p.src, t.pos,
                         "did you mean d vec(F)/d vec(X) (a space after d)? (or 'dvec*(...)' for a product)")


def stray_partial(src: str, i: int, tokens: list) -> ParseError:
    """A ``∂`` outside a derivative operator (after ∂vec(F)/: the vec derivative's near miss)."""
    vec = any(t.kind == "NAME" and t.text == "∂" for t in tokens)
    return ParseError("'∂' is only understood in a derivative operator", src, i,
                      "did you mean ∂vec(F)/∂vec(X), with vec( ) in the denominator too?" if vec
                      else "write ∂/∂x f (or ∂^2/∂x∂y f)")
