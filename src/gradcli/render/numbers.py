"""Numbers as a person reads them: a terminating rational as its exact decimal (12.006001),
others to the digits asked and never with trailing zeros (0.8, not 0.800000000000000), and an
exact value that is not rational with its decimal beside it (``cos(1) ≈ 0.54030230586814``)."""

from __future__ import annotations

from typing import Any

import sympy as sp

from .printers import plain

#: significant digits of a decimal shown beside an exact value when --digits is not given
DIGITS = 15


def decimal_text(v: Any, digits: int = DIGITS) -> str:
    """A number for a table a person reads: a terminating rational exactly as a decimal
    (12.006001), anything else to ``digits`` significant digits."""
    if v is None:
        return ""
    if isinstance(v, sp.Rational) and max(int(v.p).bit_length(), int(v.q).bit_length()) < 3000:
        exact = _terminating(v)
        if exact is not None:
            return exact
    if not isinstance(v, sp.Number):
        v = sp.N(v, digits)  # an exact number such as sqrt(1 + E)
    return plain(sp.Float(v, digits))


def _terminating(v: sp.Rational) -> str | None:
    """The exact decimal of a rational whose denominator has no prime but 2 and 5."""
    q = int(v.q)
    twos = fives = 0
    while q % 2 == 0:
        q //= 2
        twos += 1
    while q % 5 == 0:
        q //= 5
        fives += 1
    if q != 1:
        return None
    if v.q == 1:
        return str(v.p)
    places = max(twos, fives)
    scaled = abs(int(v.p)) * 10**places // int(v.q)
    whole, frac = divmod(scaled, 10**places)
    frac_text = str(frac).rjust(places, "0").rstrip("0")
    sign = "-" if v.p < 0 else ""
    return f"{sign}{whole}.{frac_text}" if frac_text else f"{sign}{whole}"


def needs_decimal(v: Any) -> bool:
    """An exact number that is not rational (sqrt(2), cos(1)): shown with its decimal beside it."""
    return (isinstance(v, sp.Expr) and not isinstance(v, sp.MatrixExpr) and v.is_number and not v.is_Rational
            and not v.has(sp.Float) and not v.has(sp.I, sp.zoo, sp.nan, sp.oo))


def with_decimal(v: Any, digits: int | None = None, show: Any = None) -> str:
    """``cos(1) ≈ 0.54030230586814``: an exact value with its decimal; others as they are."""
    text = (show or plain)(v)
    if needs_decimal(v):
        text += " ≈ " + decimal_text(v, digits or DIGITS)
    return text
