"""``taylor --plot FILE.png|FILE.svg|FILE.pdf``: f beside a few of its Taylor polynomials,
drawn from the computed result (``calculus.taylor.TaylorResult``: its function, centre and
coefficients; nothing is recomputed here) by matplotlib (the ``plot`` extra).

The interval of x is ``--range A:B``, or by default x0 ± 4, narrowed (to x0 ± 1 at least)
while f grows so fast there that its values near x0 would be flattened (exp about 1 would
otherwise run to 150).  The y-axis follows f over the interval (the middle 96% of its
values, with a margin); the Taylor polynomials are clipped to it, so they never set the scale.

The plot is the only file written: matplotlib's configuration and font cache go to a
private temporary directory, removed afterwards, and its notes stay off stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sympy

from ..calculus.taylor import TaylorResult
from ..errors import InputError
from ..limits import MAX_ORDER

#: The widest default half-width of the interval around the centre, and the narrower ones
#: tried while f's values over the interval dwarf those near the centre.
HALF_WIDTHS = (4.0, 3.0, 2.0, 1.5, 1.0)
#: How much more f may vary over the interval than over x0 ± 1/2 before it is narrowed.
GROWTH = 10.0
#: The figure: inches (a page's text width) and, for PNG, dots per inch.
FIGSIZE = (6.4, 4.0)
DPI = 150
FORMATS = ("png", "svg", "pdf")
#: Metadata left out, so that the same plot gives the same file.
_METADATA = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}


def default_orders(order: int) -> list[int]:
    """The polynomials drawn: T_0, T_1, T_(n/2) and T_n."""
    return sorted({0, 1, order // 2, order} & set(range(order + 1)))


def write_plot(result: TaylorResult, path: Any, *, x_range: tuple[float, float] | None = None,
               orders: Any = None) -> tuple[float, float]:
    """Draw f beside its Taylor polynomials T_k (k in ``orders``, by default
    ``default_orders``) over ``x_range`` (by default around the centre), write the figure to
    ``path`` (PNG, SVG or PDF, by the suffix) and return the interval drawn."""
    path = Path(path)
    fmt = _format(path)
    fig, drawn = figure(result, x_range=x_range, orders=orders)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs missing from the font
        try:
            fig.savefig(str(path), format=fmt, dpi=DPI, metadata=_METADATA[fmt])
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return drawn


def figure(result: TaylorResult, *, x_range: tuple[float, float] | None = None,
           orders: Any = None) -> tuple[Any, tuple[float, float]]:
    """The matplotlib figure of ``write_plot`` and the interval of x it draws."""
    if len(result.variables) != 1:
        raise InputError("--plot draws a Taylor polynomial in one variable")
    orders = _orders(result.order, orders)
    import tempfile

    # matplotlib keeps a configuration and font cache under $HOME: give it a private
    # directory instead, removed afterwards (gradcli writes no file but the one named), and
    # keep its notes ("building the font cache") off stderr
    with tempfile.TemporaryDirectory(prefix="gradcli-matplotlib-") as private:
        return _figure(result, orders, x_range, private)


def _format(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError(
            f"cannot tell the plot format from {path.name!r}", "name the file FILE.png, FILE.svg or FILE.pdf"
        )
    return fmt


def _orders(order: int, orders: Any) -> list[int]:
    orders = default_orders(order) if orders is None else sorted(set(int(k) for k in orders))
    if not orders:
        raise InputError("--plot needs at least one order")
    if orders[0] < 0 or orders[-1] > min(order, MAX_ORDER):
        raise InputError(f"plot orders must be between 0 and {order}, the order computed")
    return orders


def _matplotlib(private: str) -> Any:
    import logging
    import os
    import sys

    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    previous = os.environ.get("MPLCONFIGDIR")
    if "matplotlib" not in sys.modules:  # matplotlib reads it once, when it loads
        os.environ["MPLCONFIGDIR"] = private
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure
    except ImportError:
        raise InputError("--plot needs matplotlib", "install it with: pip install 'gradcli[plot]'") from None
    finally:
        if previous is None:
            os.environ.pop("MPLCONFIGDIR", None)
        else:
            os.environ["MPLCONFIGDIR"] = previous
    return FigureCanvasAgg, Figure


def _figure(result: TaylorResult, orders: list[int], x_range: Any, private: str) -> tuple[Any, tuple[float, float]]:
    FigureCanvasAgg, Figure = _matplotlib(private)
    import numpy as np

    var, center, f = result.variables[0], result.center[0], result.function
    try:
        xc = float(sympy.N(center))
    except TypeError:
        raise InputError(f"--plot needs a numeric center, not {center}") from None
    if f.free_symbols - {var}:
        names = ", ".join(sorted(str(s) for s in f.free_symbols - {var}))
        raise InputError(f"--plot cannot draw {f}: it depends on {names} too")
    if not (abs(xc) < 1e12):  # beyond this, x0 ± 4 are not distinct floats to plot between
        raise InputError(f"--plot needs a centre between -1e12 and 1e12, not {sympy.N(center, 6)}")
    try:
        coeffs = [float(sympy.N(t.coefficient)) for t in result.terms]
    except TypeError:
        raise InputError(
            f"--plot cannot draw the Taylor polynomial of {f} about {var} = {center}: "
            "its coefficients are not real numbers"
        ) from None
    with np.errstate(all="ignore"):
        lo, hi = x_range if x_range is not None else default_range(lambda xs: _samples(f, var, xs), xc)
        xs = np.linspace(lo, hi, 801)
        ys = _samples(f, var, xs)
        fig = Figure(figsize=FIGSIZE, dpi=DPI)
        FigureCanvasAgg(fig)
        _draw(fig.add_subplot(1, 1, 1), result, xs, ys, xc, coeffs, orders)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # glyphs missing from the font, tight_layout notes
            fig.tight_layout()
    return fig, (float(lo), float(hi))


def default_range(samples: Any, xc: float) -> tuple[float, float]:
    """x0 ± 4, narrowed while f varies over the interval more than GROWTH times as much as
    over x0 ± 1/2 (measured on the middle 96% of its finite values)."""
    import numpy as np

    near = _spread(samples(np.linspace(xc - 0.5, xc + 0.5, 101)))
    for half in HALF_WIDTHS:
        spread = _spread(samples(np.linspace(xc - half, xc + half, 401)))
        if spread <= GROWTH * near:
            break
    return xc - half, xc + half


def _spread(ys: Any) -> float:
    import numpy as np

    finite = ys[np.isfinite(ys)]
    if finite.size < 2:
        return 0.0
    lo, hi = np.percentile(finite, [2, 98])
    return float(hi - lo)


def _samples(f: Any, var: Any, xs: Any) -> Any:
    """f at the points xs: real values, NaN where f is not real or not finite."""
    import numpy as np

    fn = sympy.lambdify(var, f, modules="numpy")
    try:
        ys = np.asarray(fn(xs), dtype=complex) * np.ones_like(xs)
        ys = np.where(np.abs(ys.imag) > 1e-12, np.nan, ys.real).astype(float)
    except Exception:  # noqa: BLE001 - a function numpy cannot evaluate: point by point
        ys = np.array([_num(f, var, x) for x in xs], dtype=float)
    ys[~np.isfinite(ys)] = np.nan
    return ys


def y_limits(ys: Any, y_at: float) -> tuple[float, float]:
    """The y-axis: the middle 96% of f's finite values over the interval (and f(x0)), with
    a margin of a tenth of their spread."""
    import numpy as np

    finite = ys[np.isfinite(ys)]
    lo, hi = np.percentile(finite, [2, 98]) if finite.size else (y_at, y_at)
    lo, hi = min(lo, y_at), max(hi, y_at)
    span = hi - lo
    pad = 0.1 * span if span > 1e-12 * max(1.0, abs(lo), abs(hi)) else max(abs(hi), 1.0) * 0.5
    return float(lo - pad), float(hi + pad)


def _draw(ax: Any, result: TaylorResult, xs: Any, ys: Any, xc: float, coeffs: list[float], orders: list[int]) -> None:
    """f (broken at its poles) and T_k for k in ``orders`` on the axes, clipped to the
    y-limits of f."""
    import numpy as np

    var, f = result.variables[0], result.function
    y_at = coeffs[0] if coeffs else 0.0
    ylo, yhi = y_limits(ys, y_at)
    span = yhi - ylo
    # break the curve at poles instead of joining +inf to -inf
    jumps = np.abs(np.diff(ys)) > 2 * span
    ys = ys.copy()
    ys[1:][jumps] = np.nan
    ax.plot(xs, ys, color="black", linewidth=2.0, label=f"f({var}) = {_text(f)}")
    h = xs - xc
    for k in orders:
        p = np.zeros_like(xs)
        for c in reversed(coeffs[: k + 1]):  # Horner in (x - x0)
            p = p * h + c
        # clipped to a margin around f's range: a polynomial leaves the frame, never sets its scale
        p = np.clip(np.nan_to_num(p, nan=np.nan, posinf=yhi + span, neginf=ylo - span), ylo - span, yhi + span)
        ax.plot(xs, p, linewidth=1.2, linestyle="--", label=f"$T_{{{k}}}$")
    ax.plot([xc], [y_at], "o", color="black", markersize=4)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ylo, yhi)
    ax.set_xlabel(str(var))
    ax.set_ylabel(f"f({var})")
    ax.set_title(f"Taylor polynomials about {var} = {_text(result.center[0])}")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small")


def _text(expr: Any) -> str:
    """An expression for a label: SymPy's string form with ^ for powers, e for Euler's number."""
    import re

    return re.sub(r"\bE\b", "e", sympy.sstr(expr).replace("**", "^"))


def _num(f, var, x):
    try:
        val = complex(f.subs(var, x).evalf())
    except (TypeError, ValueError):
        return float("nan")
    return val.real if abs(val.imag) < 1e-12 else float("nan")
