"""One core function per command: text and options in, a result out.

Commands in ``cli`` parse options and call these; these parse the
expression, build it under the declarations, call the calculus engine and
return a frozen dataclass from ``results``.  Nothing here prints or exits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import sympy as sp

from . import syntax as S
from .build import Context, Declarations, build, is_matrix, scalar_symbol, shape_of, describe_shape
from .errors import InputError
from .parsing import parse
from .points import evaluate, natural_order, parse_names, parse_point
from .results import DerivativeResult, Point


@dataclass(frozen=True)
class Options:
    """Options shared by the computing commands."""

    decl: Declarations = Declarations()
    layout: str = "numerator"
    simplify: bool = True
    at: str | None = None
    digits: int | None = None
    latex_input: bool = False


def context(opts: Options, source: str = "") -> Context:
    return Context(opts.decl, layout=opts.layout, source=source)


def build_text(text: str, opts: Options) -> tuple[Any, Context]:
    """Parse and build one expression under the options' declarations."""
    node = parse(text, latex=opts.latex_input)
    ctx = context(opts, text)
    return build(node, ctx), ctx


def free_scalars(obj: Any) -> set[sp.Symbol]:
    syms = getattr(obj, "free_symbols", set())
    return {s for s in syms if isinstance(s, sp.Symbol) and not isinstance(s, sp.Dummy)}


def tidy_result(obj: Any, opts: Options) -> Any:
    if not opts.simplify:
        return obj
    from .calculus.simplify import tidy, tidy_matrix

    if isinstance(obj, sp.MatrixBase):
        return tidy_matrix(obj)
    if is_matrix(obj):
        return obj
    return tidy(obj)


def point_and_value(obj: Any, function: Any, opts: Options, ctx: Context) -> tuple[Point | None, Any]:
    if opts.at is None:
        return None, None
    point = parse_point(opts.at, ctx, opts.digits)
    return point, evaluate(obj, point, needed=free_scalars(function) | free_scalars(obj))


def derivative(text: str, opts: Options, *, wrt: Sequence[str] = (), order: int = 1,
               steps: bool = False, definition: bool = False) -> DerivativeResult:
    if order < 0:
        raise InputError(f"--order must be 0 or more, not {order}")
    from .build import MAX_ORDER

    if order > MAX_ORDER:
        raise InputError(f"--order {order} is above the limit of {MAX_ORDER}")
    f, ctx = build_text(text, opts)
    names = parse_names(wrt) if wrt else []
    if not names:
        symbols = natural_order(free_scalars(f))
        if len(symbols) == 1:
            names = [str(symbols[0])]
        elif not symbols:
            raise InputError(
                f"{text!r} has no variable to differentiate by", "name one with --wrt, e.g. --wrt x"
            )
        else:
            raise InputError(
                f"{text!r} has several variables: {', '.join(map(str, symbols))}",
                f"choose with --wrt, e.g. --wrt {symbols[0]}",
            )
    if len(names) > 1 and order != 1:
        raise InputError(
            "-n/--order goes with a single --wrt variable",
            "for mixed partials repeat --wrt: --wrt x --wrt y is d/dy(d/dx f)",
        )
    if (steps or definition) and (len(names) > 1 or order != 1 or is_matrix(f)):
        raise InputError("--steps and --definition show a first derivative of a scalar by one variable")
    wrt_pairs = [(name, order) for name in names] if len(names) == 1 else [(name, 1) for name in names]
    from .build import Builder

    builder = Builder(ctx)
    node = S.Name(0, len(text), "f")
    result = f
    for name, k in wrt_pairs:
        result = builder.derivative(result, name, k, node)
    variables = tuple((ctx.lookup(n) if n in ctx.shapes else scalar_symbol(n), k) for n, k in wrt_pairs)
    raw = result
    result = tidy_result(result, opts)
    step_result = definition_result = None
    if steps:
        from .calculus.steps import derivative_steps

        step_result = derivative_steps(f, variables[0][0])
    if definition:
        from .calculus.definition import from_definition

        at_value = None
        if opts.at is not None:
            pt = parse_point(opts.at, ctx, opts.digits, allow_bare=variables[0][0])
            at_value = pt.as_dict().get(variables[0][0])
        definition_result = from_definition(f, variables[0][0], at=at_value)
    point, value = point_and_value(result, f, opts, ctx)
    return DerivativeResult(
        input=text,
        function=f,
        wrt=variables,
        result=result,
        value=value,
        point=point,
        steps=step_result,
        definition=definition_result,
        simplified=result != raw,
    )
