"""Variables and evaluation points: ``--wrt x,y`` and ``--at x=1,y=pi/2``."""

from __future__ import annotations

import re
from typing import Any, Iterable

import sympy as sp

from .build import Context, build, is_matrix, scalar_symbol
from ..errors import InputError
from ..limits import MAX_DECIMAL_DIGITS, MAX_VALUE_DIGITS
from ..language import parse_value, split_top_level
from ..language.names import NAME_RE, internal_name  # names as the language: x1, θ_1
from ..results import Point

DEFAULT_DIGITS = 15


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


from ..calculus.multivar import natural_order  # noqa: E402  (x2 before x10)


def parse_point(text: str, ctx: Context | None = None, digits: int | None = None, *, allow_bare: Any = None) -> Point:
    """``x=1,y=pi/2`` -> Point.  Values are exact unless written with a decimal point.

    ``allow_bare``: a symbol that a value written without a name refers to
    (``taylor --at 1`` for one variable).
    """
    ctx = ctx or Context()
    if digits is not None and not 1 <= digits <= MAX_DECIMAL_DIGITS:
        raise InputError(f"--digits must be between 1 and {MAX_DECIMAL_DIGITS}")
    pairs: list[tuple[Any, Any]] = []
    decimal = False
    for offset, piece in split_top_level(text):
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
        node = parse_value(value_text)
        value = build(node, Context(ctx.decl, layout=ctx.layout, source=value_text))
        if is_matrix(value):
            raise InputError(f"--at {text!r}: the value of {var} must be a scalar")
        if "=" not in piece and getattr(value, "free_symbols", set()) & {var}:
            raise InputError(f"--at {text!r}: a value for {var} cannot contain {var}", f"write --at {var}=VALUE")
        if re.search(r"\d\.|\.\d|\d[eE][+-]?\d", value_text):
            decimal = True
        if any(v == var for v, _ in pairs):
            raise InputError(f"--at {text!r}: {var} is given twice")
        pairs.append((var, value))
    return Point(tuple(pairs), decimal=decimal, digits=digits, text=text)


def evaluate(obj: Any, point: Point, needed: Iterable[Any] = (), function: Any = None) -> Any:
    """``obj`` at ``point``: exact, or a decimal with ``point.digits`` digits.

    ``needed``: the variables the point must give a value for (the function's
    free symbols); a missing one is an error naming it.  ``function``: the f
    whose derivative ``obj`` is; a point outside f's real domain (log(x) at
    x = -1, where 1/x has a value) is an error naming the point.  A symbolic
    point (``--at x=a``) substitutes; numbers go through ``multivar.evaluate``.
    """
    given = point.as_dict()
    require_values(point, needed)
    if function is not None:
        ensure_in_domain(function, point)
    if is_matrix(obj) and not isinstance(obj, sp.MatrixBase):
        return obj.subs(given)
    relevant = {k: v for k, v in given.items() if k in getattr(obj, "free_symbols", set())}
    if any(getattr(v, "free_symbols", None) for v in relevant.values()):
        return _tidy(obj.subs(relevant)) if not isinstance(obj, sp.MatrixBase) else obj.subs(relevant)
    from ..calculus.multivar import evaluate as numeric

    digits = point.digits or (DEFAULT_DIGITS if point.decimal else None)
    value = numeric(obj, relevant, digits=digits)
    if digits is None:
        if isinstance(value, sp.MatrixBase):
            value = sp.ImmutableMatrix(value.rows, value.cols, [_tidy(e) for e in value])
        else:
            value = _tidy(value)
    check_value(value, point)
    return value


def require_values(point: Point, needed: Iterable[Any]) -> None:
    """Raise InputError naming the variables of ``needed`` that ``point`` gives no value for."""
    given = point.as_dict()
    missing = [str(s) for s in natural_order(set(needed)) if s not in given]
    if missing:
        raise InputError(
            f"--at {point.text!r} gives no value for {', '.join(missing)}",
            f"write --at {','.join(f'{str(s)}=...' for s in natural_order(set(needed)))}",
        )


def exact_number(value: Any) -> Any:
    """A point's value read exactly: a decimal as the decimal it was written as (0.1 is 1/10,
    not the nearest binary double), as ``multivar.evaluate`` reads it."""
    if isinstance(value, sp.Basic) and value.has(sp.Float):
        return value.xreplace({f: sp.Rational(str(f)) for f in value.atoms(sp.Float)})
    return value


def ensure_in_domain(function: Any, point: Point) -> None:
    """Refuse a point outside the real domain of ``function`` (exit 2), naming the point and
    the part of f that is undefined there."""
    from ..calculus.domain import outside

    given = point.as_dict()
    if any(getattr(v, "free_symbols", None) for v in given.values()):
        return  # a symbolic point: nothing to decide
    if is_matrix(function) and not isinstance(function, sp.MatrixBase):
        return
    entries = list(function) if isinstance(function, sp.MatrixBase) else [function]
    bad = outside([e for e in entries if isinstance(e, sp.Basic)], given)
    if bad is not None:
        where = ", ".join(f"{k} = {v}" for k, v in given.items())
        raise InputError(
            f"{bad} is not defined over the reals at {where}",
            "gradcli works over the reals; choose a point inside the domain of the function",
        )


def check_value(value: Any, point: Point) -> None:
    """Refuse a value at ``point`` that is not real, or an exact one of more than 4000 digits."""
    entries = list(value) if isinstance(value, sp.MatrixBase) else [value]
    for e in entries:
        if isinstance(e, sp.Basic) and (e.has(sp.I) or (e.is_number and e.is_extended_real is False)):
            raise InputError(
                f"the result is not defined over the reals at {point.text}",
                "gradcli works over the reals; choose a point inside the domain",
            )
        if isinstance(e, sp.Rational) and max(abs(e.p), e.q).bit_length() * 0.30103 > MAX_VALUE_DIGITS:
            from ..errors import LimitError

            raise LimitError(
                f"the exact value at {point.text} has more than {MAX_VALUE_DIGITS} digits",
                "ask for a decimal instead, e.g. --at x=2.0 or --digits 20",
            )


def _tidy(value: Any) -> Any:
    from ..limits import bounded

    if not isinstance(value, sp.Expr) or value.is_Rational:
        return value
    return bounded(lambda: sp.simplify(value), 1.0, value)
