"""``autodiff``: text and options in, an ``AutodiffResult`` out.

Parses and builds the expression like the other commands (``common.build_text``), reads the
point (``common.read_point``), runs the tracing engine (``calculus.autodiff.trace``) on exact
numbers, and presents every number the way ``--at`` does everywhere
(``calculus.evaluate.numbers_at``).  The graph of ``--graph`` is a format of the result
(``render.dot``).  Nothing here prints, exits or writes a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from ..calculus.autodiff import trace
from ..calculus.evaluate import exact_number, numbers_at, require_values
from ..errors import InputError
from ..model.points import parse_names
from ..model.symbols import natural_order, scalar_symbol
from ..results import AutodiffResult
from .common import Options, build_tree, free_scalars, matrix_symbols_in, read_point, scalar_function

MODES = ("both", "forward", "reverse")


def autodiff(text: str, opts: Options, *, wrt: Sequence[str] = (), mode: str = "both") -> AutodiffResult:
    if mode not in MODES:
        raise InputError(f"--mode must be one of {', '.join(MODES)}, not {mode!r}")
    if opts.at is None:
        raise InputError("autodiff evaluates at a point: give one with --at, e.g. --at x=1")
    f, ctx, tree = build_tree(text, opts)
    f = scalar_function(f, text, "autodiff")
    if matrix_symbols_in(f):
        return _with_arrays(text, f, ctx, opts, wrt, mode, tree)
    free = natural_order(free_scalars(f))
    if wrt:
        inputs = [scalar_symbol(n) for n in parse_names(wrt)]
        if len(set(inputs)) != len(inputs):
            raise InputError(f"--wrt names a variable twice: {', '.join(map(str, inputs))}")
    else:
        inputs = list(free)
        if not inputs:
            raise InputError(f"{text!r} has no variables", "name them with --wrt, e.g. --wrt x")
    parameters = [s for s in free if s not in inputs]
    bare = inputs[0] if len(inputs) == 1 and not parameters else None
    point = read_point(opts, ctx, digits=opts.digits, allow_bare=bare)
    require_values(point, inputs + parameters)
    given = point.as_dict()
    values: dict[Any, Any] = {}
    for s in inputs + parameters:
        v = given[s]
        if not (isinstance(v, sp.Expr) and v.is_number):
            raise InputError(f"--at {point.text!r}: autodiff evaluates at numbers; the value of {s} is {v}")
        if v.has(sp.I) or v.is_extended_real is False:
            raise InputError(f"--at {point.text!r}: the value of {s} is not real",
                             "gradcli works over the reals")
        values[s] = exact_number(v)

    result = trace(f, inputs, values, parameters=parameters, forward=mode in ("both", "forward"),
                   reverse=mode in ("both", "reverse"), at=point.text,
                   finish=lambda numbers: numbers_at(numbers, point))
    gradient = sp.ImmutableMatrix(1, len(result.gradient), list(result.gradient))
    return AutodiffResult(input=text, function=f, trace=result, point=point, value=gradient, mode=mode,
                          digits=opts.digits, tree=tree)


def _with_arrays(text: str, f: Any, ctx: Any, opts: Options, wrt: Sequence[str], mode: str,
                 tree: Any = None) -> AutodiffResult:
    """Vector and matrix inputs: their values at --at fix the sizes; every vector, matrix and
    scalar of f is an input (differentiated by); the gradient of each is an array of its shape."""
    from ..calculus.autodiff_arrays import trace_arrays
    from ..calculus.evaluate import concrete_function

    if wrt:
        raise InputError("autodiff with vector or matrix inputs differentiates by all of them",
                         "drop --wrt (each input's adjoint is its gradient)")
    point = read_point(opts, ctx, digits=opts.digits)
    concrete, values = concrete_function(f, point, ctx.symmetric)
    inputs = sorted(concrete.atoms(sp.MatrixSymbol), key=lambda m: str(m)) + list(natural_order(free_scalars(f)))
    require_values(point, list(natural_order(free_scalars(f))))
    given = point.as_dict()
    for s in natural_order(free_scalars(f)):
        values[s] = exact_number(given[s])
    result = trace_arrays(concrete, inputs, values, forward=mode in ("both", "forward"),
                          reverse=mode in ("both", "reverse"), finish=lambda numbers: numbers_at(numbers, point))
    gradient = sp.ImmutableMatrix(1, len(result.gradient), list(result.gradient)) if not any(
        isinstance(g, sp.MatrixBase) for g in result.gradient) else tuple(result.gradient)
    return AutodiffResult(input=text, function=f, trace=result, point=point, value=gradient, mode=mode,
                          digits=opts.digits, tree=tree)
