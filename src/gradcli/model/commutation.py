"""Building ``K(m, n)``, the commutation matrix written in an expression (the parser's rule
is in ``language.commutation``): its sizes are numbers or declared size names, and K must not
be a declared vector or matrix."""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..language import ast as S
from ..limits import MAX_SIZE, check_entries
from .arrays import Commutation
from .declarations import Context
from .source import error_at


def declared_sizes(ctx: Context) -> dict[str, sp.Symbol]:
    """The size names the declarations give (m and n of --shape X='m x n'; n behind --vector
    and --matrix without --dim)."""
    return {s.name: s for s in Context(ctx.decl).size_symbols()}


def _size(ctx: Context, node: S.Node, names: dict[str, sp.Symbol]) -> Any:
    if isinstance(node, S.Number) and node.text.isdigit():
        value = int(node.text) if len(node.text) <= 6 else MAX_SIZE + 1
        if not 1 <= value <= MAX_SIZE:
            raise error_at(ctx, node, f"a size of K(m, n) must be between 1 and {MAX_SIZE:,}")
        return sp.Integer(value)
    if isinstance(node, S.Name) and node.name in names:
        return names[node.name]
    if isinstance(node, S.Binary) and node.op in ("*", "^"):  # n^2, m*n (as gradcli prints K's sizes)
        left = _size(ctx, node.left, names)
        return left * _size(ctx, node.right, names) if node.op == "*" else left ** int(node.right.text)
    known = ", ".join(sorted(names)) or "none here"
    written = ctx.source[node.pos:node.end] if ctx.source else getattr(node, "name", "")
    raise error_at(ctx, node, f"{written!r} is not a size: the sizes of K(m, n) are numbers or declared size names "
                   f"(declared: {known})", "declare the size with --shape, e.g. --shape X='m x n', or write a number")


def build_commutation(ctx: Context, node: S.Call) -> Any:
    """K(m, n): an mn x mn matrix (written out in an explicit build)."""
    if "K" in ctx.shapes:
        kind = "vector" if ctx.shapes["K"][1] == 1 else "matrix"
        raise error_at(ctx, node, f"K is a declared {kind} here, so 'K(...)' is not the commutation matrix K(m, n)",
                       "did you mean a product K*(...)? The commutation matrix is read only where K is not declared")
    names = declared_sizes(ctx)
    m, n = (_size(ctx, a, names) for a in node.args)
    if ctx.explicit:
        rows = ctx.concrete(m) * ctx.concrete(n)
        check_entries(rows * rows, f"K({m}, {n}) written out ({rows} x {rows})")
        return Commutation(ctx.concrete(m), ctx.concrete(n)).written_out()
    return Commutation(m, n)
