"""``taylor``: the Taylor polynomial T_n (5.7) about ``--at``, in one variable or several
(total degree n)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from ..calculus.taylor import taylor as engine
from ..errors import InputError, NotAnalyticError
from ..limits import MAX_ORDER
from ..model.points import parse_names
from ..model.symbols import natural_order, scalar_symbol
from ..results import TaylorReport
from .common import Options, build_tree, free_scalars, read_point, scalar_function


def _has_non_real_number(expr: Any) -> bool:
    """(-1)**(1/3) and other numbers that are not real (principal roots of negatives)."""
    if not isinstance(expr, sp.Basic):
        return False
    for p in expr.atoms(sp.Pow):
        if p.is_number and p.is_extended_real is False:
            return True
    return False


#: The ends of a --range: beyond this, x0 ± the interval are not distinct floats to plot between.
MAX_RANGE_END = 1e12


def read_range(text: str) -> tuple[float, float]:
    """``--range A:B`` (numbers or constant expressions: ``-pi:pi``) as two floats, A < B."""
    from ..calculus.derivative import build
    from ..language import parse_value

    pieces = text.strip().split(":")
    if len(pieces) != 2 or not all(p.strip() for p in pieces):
        raise InputError(f"--range {text.strip()!r}: write A:B, the ends of the interval of x drawn",
                         "e.g. --range -4:4 or --range=-pi:pi")
    ends = []
    for piece in pieces:
        value = build(parse_value(piece.strip()))
        try:
            end = float(value)
        except (TypeError, ValueError):
            raise InputError(f"--range {text.strip()!r}: {piece.strip()!r} is not a number",
                             "e.g. --range -4:4 or --range=-pi:pi") from None
        if not abs(end) < MAX_RANGE_END:
            raise InputError(f"--range {text.strip()!r}: the ends must lie between -1e12 and 1e12")
        ends.append(end)
    lo, hi = ends
    if not hi - lo > 1e-9 * max(1.0, abs(lo), abs(hi)):
        raise InputError(f"--range {text.strip()!r}: the interval is empty; A must be less than B",
                         f"e.g. --range {pieces[1].strip()}:{pieces[0].strip()}" if hi < lo else None)
    return lo, hi


def taylor(text: str, opts: Options, *, wrt: Sequence[str] = (), order: int = 5, table: bool = False,
           expand: bool = False, plot: str | None = None, plot_range: str | None = None) -> Any:
    x_range = read_range(plot_range) if plot_range is not None else None
    f, ctx, tree = build_tree(text, opts)
    f = scalar_function(f, text, "taylor")

    if order < 0 or order > MAX_ORDER:
        raise InputError(f"-n/--order must be between 0 and {MAX_ORDER}, not {order}")
    names = parse_names(wrt) if wrt else []
    point = None
    if opts.at is not None:
        bare = None
        if not names and len(free_scalars(f)) == 1:
            bare = next(iter(free_scalars(f)))
        elif len(names) == 1:
            bare = scalar_symbol(names[0])
        point = read_point(opts, ctx, allow_bare=bare)
    if names:
        variables = [scalar_symbol(n) for n in names]
    elif point is not None and len(point.values) > 1:
        variables = [v for v, _ in point.values]
    else:
        variables = list(natural_order(free_scalars(f)))
        if not variables:
            variables = [scalar_symbol("x")]
    given = point.as_dict() if point is not None else {}
    unknown = [str(v) for v in given if v not in variables]
    if unknown:
        raise InputError(f"--at gives a centre for {', '.join(unknown)}, which is not a variable of the expansion")
    center = [given.get(v, sp.Integer(0)) for v in variables]
    if point is not None and point.decimal:
        center = [sp.nsimplify(c) if isinstance(c, sp.Float) else c for c in center]
    result = engine(f, tuple(variables), tuple(center), order, expand=expand)
    if result.polynomial.has(sp.I) or _has_non_real_number(result.polynomial):
        where = ", ".join(f"{v} = {c}" for v, c in zip(variables, center))
        raise NotAnalyticError(
            f"{text!r} is not real-valued near {where}, so it has no real Taylor polynomial there",
            "gradcli works over the reals; choose another centre with --at",
        )
    return TaylorReport(text, result, table=table, plot=plot, plot_range=x_range, tree=tree)
