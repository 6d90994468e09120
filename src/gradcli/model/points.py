"""Variables and evaluation points: ``--wrt x,y`` and ``--at x=1,y=pi/2``, read as the
language reads names (x1, θ_1) and values (exact unless written with a decimal point).
Evaluating at a point is the calculus's (``calculus.evaluate``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import InputError, ParseError
from ..language import parse_value, split_top_level
from ..language.names import NAME_RE, internal_name  # names as the language: x1, θ_1
from ..limits import MAX_DECIMAL_DIGITS
from ..record import record
from .build import build
from .declarations import Context
from .shapes import is_matrix
from .symbols import scalar_symbol


@record
class Point:
    """An evaluation point: ``--at x=1,y=pi/2``."""

    values: tuple[tuple[Any, Any], ...]  # (Symbol, value)
    decimal: bool = False  # a value was written with a decimal point
    digits: int | None = None
    text: str = ""
    #: numeric vectors and matrices (``--at 'x=[1,2,3]'``): (name, explicit matrix)
    arrays: tuple[tuple[str, Any], ...] = ()

    def as_dict(self) -> dict:
        return dict(self.values)


def parse_names(values: Iterable[str], option: str = "--wrt") -> list[str]:
    """``["x,y", "z"]`` -> ``["x", "y", "z"]``; empty or malformed names are errors."""
    out: list[str] = []
    for value in values:
        for piece in value.split(","):
            name = piece.strip()
            if not name:
                raise InputError(f"{option} {value!r}: an empty variable name", f"write {option} x,y")
            if not NAME_RE.fullmatch(name):
                raise InputError(f"{option} {value!r}: {name!r} is not a variable name")
            out.append(internal_name(name))
    return out


def parse_point(text: str, ctx: Context | None = None, digits: int | None = None, *, allow_bare: Any = None,
                build: Callable[..., Any] = build) -> Point:
    """``x=1,y=pi/2`` -> Point.  Values are exact unless written with a decimal point.

    ``allow_bare``: a symbol that a value written without a name refers to
    (``taylor --at 1`` for one variable).  ``build``: the builder of the values (the
    calculus's, where a value may hold a derivative operator).
    """
    ctx = ctx or Context()
    if digits is not None and not 1 <= digits <= MAX_DECIMAL_DIGITS:
        raise InputError(f"--digits must be between 1 and {MAX_DECIMAL_DIGITS}")
    pairs: list[tuple[Any, Any]] = []
    arrays: list[tuple[str, Any]] = []
    decimal = False
    for _offset, piece in split_top_level(text.replace(";", ",")):
        if not piece.strip():
            raise InputError(f"--at {text!r}: an empty entry", "write --at x=1,y=2")
        if "=" in piece:
            name, _, value_text = piece.partition("=")
            name = name.strip()
            if not name or not NAME_RE.fullmatch(name):
                raise InputError(f"--at {text!r}: {name!r} is not a variable name", "write --at x=1,y=2")
            var = scalar_symbol(internal_name(name))
            if not value_text.strip():
                raise InputError(f"--at {text!r}: no value for {name}", "write --at x=1,y=2")
        elif allow_bare is not None and len(split_top_level(text)) == 1:
            var, value_text = allow_bare, piece
        else:
            raise InputError(f"--at {text!r}: write NAME=VALUE, e.g. --at x=1,y=2")
        node = _value_node(text, var, value_text)
        value = build(node, Context(ctx.decl, layout=ctx.layout, source=value_text))
        if re.search(r"\d\.|\.\d|\d[eE][+-]?\d", value_text):
            decimal = True
        if is_matrix(value):
            if "=" not in piece or str(var) not in ctx.shapes:
                raise InputError(f"--at {text!r}: the value of {var} must be a scalar",
                                 f"a vector or matrix value is for a declared name: --vector {var} or --matrix {var}")
            if any(n == str(var) for n, _ in arrays):
                raise InputError(f"--at {text!r}: {var} is given twice")
            arrays.append((str(var), value))
            continue
        if "=" not in piece and getattr(value, "free_symbols", set()) & {var}:
            raise InputError(f"--at {text!r}: a value for {var} cannot contain {var}", f"write --at {var}=VALUE")
        if any(v == var for v, _ in pairs):
            raise InputError(f"--at {text!r}: {var} is given twice")
        pairs.append((var, value))
    return Point(tuple(pairs), decimal=decimal, digits=digits, text=text, arrays=tuple(arrays))


def _value_node(text: str, var: Any, value_text: str) -> Any:
    """The syntax tree of one value of ``--at``; what cannot be read is an error about the
    option's value (``--at 'x=1 y=2'``: the entries want commas), not about an expression."""
    try:
        return parse_value(value_text)
    except ParseError as exc:
        if value_text.lstrip().startswith("="):
            raise InputError(f"--at {text!r}: write one '=' between {var} and its value", "e.g. --at x=1,y=2") from None
        if "=" in value_text:
            raise InputError(f"--at {text!r}: the value of {var} runs into another entry ({value_text.strip()!r})",
                             "separate the entries with commas: --at x=1,y=2") from None
        raise InputError(f"--at {text!r}: cannot read the value of {var}, {value_text.strip()!r}: {exc.message}",
                         "write --at x=1,y=pi/2 (each value a number or an expression)") from None
