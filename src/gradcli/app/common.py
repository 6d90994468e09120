"""What the use cases share: the options of the computing commands, an expression parsed
and built under them, its variables, and a result's value at ``--at``.

Each command has its use case in this package (``derivative``, ``gradient``, ``chain``,
``taylor``, ``autodiff``, ``check``): text and options in, a result (``gradcli.results``)
out.  Nothing here prints, exits or writes a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from ..calculus.derivative import build
from ..calculus.evaluate import evaluate
from ..errors import InputError
from ..language import parse
from ..model.declarations import Context, Declarations
from ..model.layout import Layout
from ..model.points import Point, parse_names, parse_point
from ..model.shapes import as_scalar, is_matrix, shape_of, shape_text
from ..model.symbols import natural_order, scalar_symbol
from ..record import record


@record
class Options:
    """Options shared by the computing commands."""

    decl: Declarations = Declarations()
    layout: str = Layout.NUMERATOR
    simplify: bool = True
    at: str | None = None
    digits: int | None = None
    latex_input: bool = False


def context(opts: Options, source: str = "") -> Context:
    return Context(opts.decl, layout=opts.layout, source=source)


def build_tree(text: str, opts: Options) -> tuple[Any, Context, Any]:
    """Parse and build one expression under the options' declarations; also its syntax tree
    (the renderers show the input as written)."""
    node = parse(text, latex=opts.latex_input)
    ctx = context(opts, text)
    return build(node, ctx), ctx, node


def build_text(text: str, opts: Options) -> tuple[Any, Context]:
    """Parse and build one expression under the options' declarations."""
    f, ctx, _ = build_tree(text, opts)
    return f, ctx


def read_point(opts: Options, ctx: Context, *, digits: int | None = None, allow_bare: Any = None) -> Point:
    """``--at`` read under the options' declarations (values built as expressions are)."""
    return parse_point(opts.at, ctx, digits, allow_bare=allow_bare, build=build)


def free_scalars(obj: Any) -> set[sp.Symbol]:
    """The scalar variables of ``obj``: not dummies, and not the size symbols of shapes
    (n behind --matrix X or I, m and n of --shape X=m x n: integer symbols, which no
    variable is, since variables are real)."""
    syms = getattr(obj, "free_symbols", set())
    return {s for s in syms if isinstance(s, sp.Symbol) and not isinstance(s, sp.Dummy) and s.is_integer is not True}


def tidy_result(obj: Any, opts: Options) -> Any:
    """A derivative as shown: ``simplify.tidy_result`` of it, unless --no-simplify."""
    if not opts.simplify:
        return obj
    from ..calculus.simplify import tidy_result as tidy

    return tidy(obj)


def point_and_value(obj: Any, function: Any, opts: Options, ctx: Context,
                    allow_bare: Any = None) -> tuple[Point | None, Any]:
    if opts.at is None:
        return None, None
    point = read_point(opts, ctx, digits=opts.digits, allow_bare=allow_bare)
    return point, evaluate(obj, point, needed=free_scalars(function) | free_scalars(obj), function=function)


def evaluate_at(result: Any, function: Any, opts: Options, ctx: Context, symbolic: bool) -> tuple[Any, Any]:
    if opts.at is None:
        return None, None
    point = read_point(opts, ctx, digits=opts.digits)
    if symbolic or point.arrays:
        from ..calculus.evaluate import evaluate_arrays

        return point, evaluate_arrays(result, function, point, ctx.symmetric)
    return point, evaluate(result, point, needed=free_scalars(function) | free_scalars(result), function=function)


def check_corners(f: Any, variables: Sequence[Any], point: Point, text: str, *, first: bool) -> None:
    """At a kink of abs/sign/...: a first derivative only where both one-sided limits agree;
    higher ones not at all (see calculus.corners)."""
    from ..calculus.corners import ensure_no_corners, ensure_partial_exists

    if point.arrays and isinstance(f, sp.Basic) and f.atoms(sp.MatrixSymbol):
        # an array point: the corners of every entry, by every entry of the variables
        from ..calculus.evaluate import components_at

        entries, given = components_at(f, point, variables)
        for entry in entries:
            if first:
                for var in given:
                    ensure_partial_exists(entry, var, given, text, point.text)
            else:
                ensure_no_corners(entry, list(given), given, text, point.text)
        return
    given = point.as_dict()
    if not isinstance(f, sp.Basic) or not set(given):
        return
    if first:
        for var in variables:
            if var in given:
                ensure_partial_exists(f, var, given, text, point.text)
    else:
        ensure_no_corners(f, variables, given, text, point.text)


def matrix_symbols_in(obj: Any) -> list[Any]:
    if not isinstance(obj, sp.Basic):
        return []
    return sorted(obj.atoms(sp.MatrixSymbol), key=lambda m: str(m))


def variables_of(f: Any, ctx: Context, wrt: Sequence[str], command: str) -> tuple[list[Any], bool]:
    """The variables to differentiate by, and whether they are one matrix symbol."""
    names = parse_names(wrt) if wrt else []
    if names:
        nonscalar = [n for n in names if n in ctx.shapes]
        if nonscalar:
            if len(names) != 1:
                raise InputError(
                    f"{command} by a vector or matrix takes that one symbol alone in --wrt, not {', '.join(names)}"
                )
            return [ctx.lookup(names[0])], True
        if len(set(names)) != len(names):
            raise InputError(f"--wrt names a variable twice: {', '.join(names)}")
        return [scalar_symbol(n) for n in names], False
    mats = matrix_symbols_in(f)
    if mats:
        if len(mats) == 1 and not free_scalars(f):
            return [mats[0]], True
        raise InputError(
            f"choose the variable with --wrt: the expression has {', '.join(str(m) for m in mats)}"
            + (f" and {', '.join(map(str, natural_order(free_scalars(f))))}" if free_scalars(f) else ""),
            f"for example --wrt {mats[0]}",
        )
    symbols = natural_order(free_scalars(f))
    if not symbols:
        raise InputError("the expression has no variables", "name them with --wrt, e.g. --wrt x,y")
    return list(symbols), False


def scalar_function(f: Any, text: str, command: str) -> Any:
    f = as_scalar(f)
    if is_matrix(f):
        raise InputError(
            f"{command} needs a scalar function, but {text!r} is {shape_text(shape_of(f))}",
            f"for a vector function use: gradcli jacobian {text!r}",
        )
    return f
