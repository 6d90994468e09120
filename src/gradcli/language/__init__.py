"""The expression language: text in, a syntax tree (``ast``) out, safely.

Plain text (``plain``) and LaTeX (``latex``) are read by two parsers that share a token
cursor (``cursor``) and a vocabulary (``names``); both produce the nodes of ``ast`` and
evaluate nothing.  ``parse`` and ``parse_claim`` pick the parser: LaTeX where the text has a
backslash or ``latex`` is asked for.  Nothing here imports SymPy.
"""

from __future__ import annotations

import sys

from ..errors import LimitError
from ..limits import MAX_DEPTH, MAX_ORDER
from . import ast as S
from .plain import Parser

#: Python frames the deepest accepted nesting may take, in the parser, the builder and
#: SymPy's printers (a few a level): more than Python's default 1000.
RECURSION_LIMIT = max(20_000, 100 * MAX_DEPTH)


def is_latex(src: str) -> bool:
    """LaTeX input: the text has a backslash (the plain language never does)."""
    return "\\" in src


def ensure_recursion_headroom() -> None:
    """Nesting up to MAX_DEPTH takes a few Python frames a level: raise Python's limit."""
    if sys.getrecursionlimit() < RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)


def _orders_checked(node: S.Node) -> S.Node:
    """Refuse d^1001/dx^1001 (and operators and diff(f, x, n) adding up past MAX_ORDER)
    before any work."""
    total = S.total_order(node)
    if total > MAX_ORDER:
        raise LimitError(f"derivatives of total order {total} are above the limit of {MAX_ORDER}")
    return node


def parse(src: str, *, latex: bool = False) -> S.Node:
    """Parse one expression (no ``=``)."""
    ensure_recursion_headroom()
    if latex or is_latex(src):
        from .latex import parse_latex

        return _orders_checked(parse_latex(src, claim=False))
    return _orders_checked(Parser(src).parse_single())


def parse_claim(src: str, *, latex: bool = False) -> S.Node:
    """Parse an expression or an equation ``lhs = rhs``."""
    ensure_recursion_headroom()
    if latex or is_latex(src):
        from .latex import parse_latex

        return _orders_checked(parse_latex(src, claim=True))
    return _orders_checked(Parser(src).parse_claim())


def parse_value(src: str) -> S.Node:
    """Parse the plain text of one value (``--at x=VALUE``, ``--sub x=VALUE``)."""
    return Parser(src).parse_single()


def split_top_level(src: str, sep: str = ",") -> list[tuple[int, str]]:
    """Split at ``sep`` outside brackets; returns (offset, piece) pairs."""
    out: list[tuple[int, str]] = []
    depth, start = 0, 0
    for i, c in enumerate(src):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == sep and depth == 0:
            out.append((start, src[start:i]))
            start = i + 1
    out.append((start, src[start:]))
    return out
