"""``taylor --plot FILE.png|FILE.svg``: f beside a few of its Taylor polynomials, drawn from
the computed result (``calculus.taylor.TaylorResult``) by matplotlib (the ``plot`` extra).

The plot is the only file written: matplotlib's configuration and font cache go to a
private temporary directory, removed afterwards, and its notes stay off stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sympy

from ..calculus.taylor import TaylorResult, taylor
from ..errors import InputError
from ..limits import MAX_ORDER

#: Half the width of the plotted interval around the centre.
HALF_WIDTH = 4.0


def default_orders(order: int) -> list[int]:
    """The polynomials drawn: T_0, T_1, T_(n/2) and T_n."""
    return sorted({0, 1, order // 2, order} & set(range(order + 1)))


def write_plot(result: TaylorResult, path: Any, *, orders: Any = None) -> None:
    """Draw f beside its Taylor polynomials T_k (k in ``orders``, at most the result's
    order) about the result's centre, and write the figure to ``path`` (PNG or SVG, by the
    suffix)."""
    if len(result.variables) != 1:
        raise InputError("--plot draws a Taylor polynomial in one variable")
    path = Path(path)
    fmt = _format(path)
    orders = _orders(result.order if orders is None else None, orders)
    import tempfile

    # matplotlib keeps a configuration and font cache under $HOME: give it a private
    # directory instead, removed afterwards (gradcli writes no file but the one named), and
    # keep its notes ("building the font cache") off stderr
    with tempfile.TemporaryDirectory(prefix="gradcli-matplotlib-") as private:
        _plot(result, path, fmt, orders, private)


def plot_taylor(expr: Any, var: Any, x0: Any, order: int, path: Any, *, orders: Any = None) -> None:
    """Draw f beside its Taylor polynomials T_k about x0 (for k in ``orders``; default
    ``default_orders(order)``) and write the figure to ``path``."""
    _format(Path(path))
    if isinstance(var, (list, tuple)):
        if len(var) != 1:
            raise InputError("--plot draws functions of one variable only")
        var = var[0]
    if isinstance(x0, (list, tuple)):
        x0 = x0[0]
    orders = _orders(order, orders)
    write_plot(taylor(expr, (var,), (x0,), max(orders)), path, orders=orders)


def _format(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise InputError(
            f"cannot tell the plot format from {path.name!r}", "name the file FILE.png or FILE.svg"
        )
    return fmt


def _orders(order: int | None, orders: Any) -> list[int]:
    orders = default_orders(order) if orders is None else sorted(set(int(k) for k in orders))
    if not orders:
        raise InputError("--plot needs at least one order")
    if orders[0] < 0 or orders[-1] > MAX_ORDER:
        raise InputError(f"plot orders must be between 0 and {MAX_ORDER}")
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


def _plot(result: TaylorResult, path: Path, fmt: str, orders: list[int], private: str) -> None:
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
    xs = np.linspace(xc - HALF_WIDTH, xc + HALF_WIDTH, 801)
    with np.errstate(all="ignore"):
        ys = _samples(f, var, xs)
        try:
            coeffs = [float(sympy.N(t.coefficient)) for t in result.terms]
        except TypeError:
            raise InputError(
                f"--plot cannot draw the Taylor polynomial of {f} about {var} = {center}: "
                "its coefficients are not real numbers"
            ) from None
        fig = Figure(figsize=(7, 4.5), dpi=100)
        FigureCanvasAgg(fig)
        _draw(fig.add_subplot(1, 1, 1), result, xs, ys, xc, coeffs, orders)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # glyphs missing from the font, tight_layout notes
            fig.tight_layout()
            try:
                fig.savefig(str(path), format=fmt)
            except OSError as exc:
                raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


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


def _draw(ax: Any, result: TaylorResult, xs: Any, ys: Any, xc: float, coeffs: list[float], orders: list[int]) -> None:
    """f (broken at its poles) and T_k for k in ``orders`` on the axes, clipped to a view of
    the middle 96% of f's values."""
    import numpy as np

    var, f = result.variables[0], result.function
    finite = ys[np.isfinite(ys)]
    if finite.size:
        lo, hi = np.percentile(finite, [2, 98])
    else:
        lo = hi = coeffs[0] if coeffs else 0.0
    span = max(hi - lo, 1.0)
    ylo, yhi = lo - 0.25 * span, hi + 0.25 * span
    clip_lo, clip_hi = ylo - 10 * span, yhi + 10 * span
    # break the curve at poles instead of joining +inf to -inf
    jumps = np.abs(np.diff(ys)) > 2 * (yhi - ylo)
    ys = ys.copy()
    ys[1:][jumps] = np.nan
    ax.plot(xs, ys, color="black", linewidth=2.2, label=f"f({var}) = {sympy.sstr(f)}")
    h = xs - xc
    for k in orders:
        p = np.zeros_like(xs)
        for c in reversed(coeffs[: k + 1]):  # Horner in (x - x0)
            p = p * h + c
        p = np.clip(np.nan_to_num(p, nan=np.nan, posinf=clip_hi, neginf=clip_lo), clip_lo, clip_hi)
        ax.plot(xs, p, linewidth=1.2, linestyle="--", label=f"$T_{{{k}}}$")
    y_at = coeffs[0] if coeffs else 0.0
    ax.plot([xc], [y_at], "o", color="black", markersize=4)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ylo, yhi)
    ax.set_xlabel(str(var))
    ax.set_ylabel(f"f({var})")
    ax.set_title(f"Taylor polynomials about {var} = {sympy.sstr(result.center[0])}")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small")


def _num(f, var, x):
    try:
        val = complex(f.subs(var, x).evalf())
    except (TypeError, ValueError):
        return float("nan")
    return val.real if abs(val.imag) < 1e-12 else float("nan")
