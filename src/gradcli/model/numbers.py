"""Numbers of the language: a literal as an exact rational (0.1 is 1/10), and the guards that
refuse numbers and powers that would explode before any work is done."""

from __future__ import annotations

import math
import re
from typing import Any

import sympy as sp

from ..errors import InputError, LimitError
from ..language import ast as S
from ..limits import MAX_DIGITS, MAX_EXPONENT
from .declarations import Context
from .source import snippet


def number(text: str) -> sp.Rational:
    """A literal as an exact rational (0.1 is 1/10)."""
    m = re.fullmatch(r"(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?", text)
    if not m:
        raise InputError(f"{text!r} is not a number")
    whole, frac, exp = m.group(1) or "0", m.group(2) or "", int(m.group(3) or 0)
    if len(whole) + len(frac) > MAX_DIGITS or abs(exp) > MAX_DIGITS:
        raise LimitError(f"the number {text[:20]}... is too large", "gradcli refuses such input before doing any work")
    value = sp.Rational(int(whole + frac), 10 ** len(frac))
    if exp:
        value = value * sp.Rational(10) ** exp
    return value


def _digits(q: sp.Rational) -> float:
    p, d = abs(int(q.p)), int(q.q)
    return max(p.bit_length(), d.bit_length()) * math.log10(2)


def _guard_number(value: Any, node: S.Node, ctx: Context) -> Any:
    coeff = value
    if isinstance(value, sp.Mul):
        coeff = value.as_coeff_Mul()[0]
    elif isinstance(value, sp.Add):
        coeff = value.as_coeff_Add()[0]
    if isinstance(coeff, sp.Rational) and _digits(coeff) > MAX_DIGITS:
        raise LimitError(
            f"a number in {snippet(ctx, node)} would have more than {MAX_DIGITS} digits",
            "gradcli refuses such input before doing any work",
        )
    return value


def _guard_power(base: Any, exp: Any, node: S.Node, ctx: Context) -> None:
    if isinstance(exp, sp.Rational) and isinstance(base, sp.Rational):
        b = base
        if b in (0, 1, -1):
            return
        size = abs(float(exp)) * max(_digits(b), 0.31)
        if size > MAX_DIGITS:
            raise LimitError(
                f"{snippet(ctx, node)} would have about {size:.3g} digits",
                "gradcli refuses such input before doing any work",
            )
    elif isinstance(exp, sp.Integer) and abs(int(exp)) > MAX_EXPONENT:
        raise LimitError(
            f"the exponent in {snippet(ctx, node)} is larger than {MAX_EXPONENT:,}",
            "gradcli refuses such input before doing any work",
        )
    elif isinstance(exp, sp.Rational) and (abs(exp.p) > MAX_EXPONENT or exp.q > MAX_EXPONENT):
        raise LimitError(
            f"the exponent in {snippet(ctx, node)} is too large",
            "gradcli refuses such input before doing any work",
        )


