"""Errors found while building a tree that point back into the source text: a snippet of
the sub-expression, a caret at its position (``ParseError``), and the did-you-mean of a
prime written on a scalar (``f'(x)``: a prime is a transpose in gradcli)."""

from __future__ import annotations

import re
from typing import Any

from ..errors import InputError, ParseError
from ..language import ast as S
from .declarations import Context


def snippet(ctx: Context, node: S.Node) -> str:
    text = ctx.source[node.pos:node.end] if ctx.source else ""
    text = " ".join(text.split())
    if not text:
        return "the expression"
    if len(text) > 40:
        text = text[:37] + "..."
    return f"'{text}'"


def error_at(ctx: Context, node: S.Node, message: str, hint: str | None = None, cls=InputError) -> InputError:
    if ctx.source and cls is InputError:
        return ParseError(message, ctx.source, node.pos, hint)
    return cls(message, hint)


def prime_on_scalar(ctx: Context, node: S.Transpose, value: Any) -> InputError:
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
        message = f"a prime on the scalar {snippet(ctx, node.operand)} is a transpose, which changes nothing"
        body = inner if inner.startswith("(") and inner.endswith(")") else f"({inner})"
        hint = f"did you mean d/d{var} {body}?"
    if src:
        return ParseError(message, src, node.end - 1, hint)
    return InputError(message, hint)


def transpose_on_scalar(ctx: Context, node: S.Node, name: str, *, power: bool) -> InputError:
    """x^T (or x.T) with x a scalar: almost always a vector or matrix whose declaration is
    missing; refused rather than read as x to the power of a variable T (or as x itself)."""
    written = snippet(ctx, node)
    simple = re.fullmatch(r"[^\W\d]\w*", name) is not None
    declare = (f"declare it (--vector {name} or --matrix {name})" if simple
               else "declare its vectors and matrices (--vector, --matrix)")
    if power:
        message = (f"{written}: {name} is a scalar here, so ^T would be a power with a variable T, "
                   "not a transpose")
        hint = f"{declare}; for the power, write {name if simple else '(...)'}^(T)"
    else:
        message = f"{written}: {name} is a scalar here, so its transpose is {name} itself"
        hint = declare
    if ctx.source:
        return ParseError(message, ctx.source, node.pos, hint)
    return InputError(message, hint)


def written_in_parentheses(ctx: Context, node: S.Node) -> bool:
    """Whether ``node`` is written inside brackets of its own: the T of x^(T) or x^{(T)}."""
    src = ctx.source
    if src[node.pos:node.end].lstrip(" \t{").startswith("("):
        return True  # the node's span includes its brackets
    i = node.pos - 1
    while i >= 0 and src[i] in " \t{":
        i -= 1
    return i >= 0 and src[i] == "("


def shape_fix(ctx: Context, an: S.Node, a: Any, bn: S.Node, b: Any, *, product: bool = False) -> str:
    """The hint of a shape mismatch between two operands: the ``--shape`` of a declared
    operand that would make them fit (one the user gave a --shape first, then the right one),
    for a sum or a product; a square matrix is suggested square."""
    from .shapes import shape_option

    need = "the columns of the left factor must match the rows of the right" if product else \
        "both terms must have the same shape"
    given = {name for name, _ in ctx.decl.shapes}  # a --shape of the user's is the likelier slip
    pairs = sorted(((bn, a, True), (an, b, False)),
                   key=lambda p: not (isinstance(p[0], S.Name) and p[0].name in given))
    for node, other, right in pairs:
        if isinstance(node, S.Name) and node.name in ctx.shapes:
            rows, cols = ctx.shapes[node.name]
            if product:
                square = rows == cols  # a square matrix stays square: X=2x2, not X=2x3
                rows, cols = (other.shape[1], cols) if right else (rows, other.shape[0])
                if square:
                    rows = cols = rows if right else cols
            else:
                rows, cols = other.shape
            option = shape_option(node.name, (rows, cols))
            if any(name == node.name for name, _ in ctx.decl.shapes):
                return f"{need}: e.g. {option} in place of its --shape"
            return f"{need}: declare, e.g., {option}"
    return f"{need}: declare sizes that agree (--shape NAME=RxC, --dim N)"
