"""Numbers as a person reads them: a terminating rational as its exact decimal (12.006001),
others to the digits asked and never with trailing zeros (0.8, not 0.800000000000000), and an
exact value that is not rational with its decimal beside it (``cos(1) ≈ 0.5403023058681398``).

With no digits asked, the decimal is the shortest one that names the nearest double
(``0.5403023058681398``, Python's ``repr`` of the float: 15 to 17 significant digits);
``--digits N`` shows N significant digits, trailing zeros dropped."""

from __future__ import annotations

from typing import Any

import sympy as sp

from .printers import plain

#: significant digits of a decimal beyond the range of a double, when --digits is not given
DIGITS = 17


def decimal_text(v: Any, digits: int | None = None) -> str:
    """A number for a table a person reads: a terminating rational exactly as a decimal
    (12.006001), anything else to ``digits`` significant digits, or with none asked the
    shortest decimal naming the nearest double (0.5403023058681398)."""
    if v is None:
        return ""
    if isinstance(v, sp.Rational) and max(int(v.p).bit_length(), int(v.q).bit_length()) < 3000:
        exact = _terminating(v)
        if exact is not None:
            return exact
    if digits is None:
        shortest = _shortest(v)
        if shortest is not None:
            return shortest
        digits = DIGITS
    if not isinstance(v, sp.Number):
        v = sp.N(v, digits)  # an exact number such as sqrt(1 + E)
    return plain(sp.Float(v, digits))


def _shortest(v: Any) -> str | None:
    """Python's repr of the nearest double (0.5403023058681398, 1e-05 as 0.00001), or None
    where a double cannot hold the value (too large, too small, not real)."""
    import math

    try:
        x = float(sp.N(v, 30))
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(x) or (x != 0 and not 1e-300 < abs(x) < 1e300):
        return None
    text = repr(x)
    if "e" in text:  # SymPy's form, as plain prints numbers elsewhere: 1.0e-5 -> 1.0e-5
        return plain(sp.Float(text, len(text.replace("-", "").split("e")[0].replace(".", "").lstrip("0")) or 1))
    return text[:-2] if text.endswith(".0") else text


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
        text += " ≈ " + decimal_text(v, digits)
    elif isinstance(v, sp.MatrixBase) and any(needs_decimal(a) for a in v):
        text += " ≈ " + decimal_array(v, digits)
    return text


def decimal_array(v: Any, digits: int | None = None) -> str:
    """The decimals of an array's entries, as plain prints it: ``[0.5, 1.7]`` for a column,
    ``[[...], [...]]`` for a matrix."""
    rows = [[decimal_text(v[i, j], digits) for j in range(v.cols)] for i in range(v.rows)]
    if v.cols == 1:
        return "[" + ", ".join(r[0] for r in rows) + "]"
    return "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"


def point_value(point: Any, v: Any, show: Any) -> str:
    """A coordinate of ``--at`` as written: a decimal where the point was written with decimals
    (``x = 0.2``, not the exact ``1/5`` it is computed with)."""
    if getattr(point, "decimal", False) and isinstance(v, sp.Rational) and not v.is_Integer:
        return decimal_text(v, point.digits)
    return show(v)
