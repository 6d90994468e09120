"""``chain``: the chain rule (5.49-5.53) for f(x1..xk) with x_i = g_i(t1..tp)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from ..calculus import multivar
from ..calculus.evaluate import evaluate
from ..errors import InputError
from ..limits import check_entries
from ..model.points import parse_names
from ..model.shapes import as_scalar, is_matrix
from ..model.symbols import natural_order, scalar_symbol
from ..results import ChainRuleResult
from .common import Options, build_text, build_tree, check_corners, free_scalars, read_point, scalar_function


def chain(text: str, opts: Options, *, subs: Sequence[str], wrt: Sequence[str] = ()) -> Any:
    f, ctx, tree = build_tree(text, opts)
    f = scalar_function(f, text, "chain")
    if not subs:
        raise InputError("chain needs substitutions: --sub x1='sin(t)' --sub x2='cos(t)'")
    substitutions: dict[Any, Any] = {}
    for spec in subs:
        name, eq, value_text = spec.partition("=")
        name = name.strip()
        if not eq:
            raise InputError(f"--sub {spec!r}: write NAME=EXPRESSION, e.g. --sub x1='sin(t)'")
        if not name:
            raise InputError(f"--sub {spec!r}: an empty variable name")
        (name,) = parse_names([name], "--sub")
        var = scalar_symbol(name)
        if var not in free_scalars(f):
            have = ", ".join(map(str, natural_order(free_scalars(f)))) or "no variables"
            raise InputError(f"--sub {spec!r}: {text!r} has no variable {name} (it has {have})")
        if var in substitutions:
            raise InputError(f"--sub gives {name} twice")
        if not value_text.strip():
            raise InputError(f"--sub {spec!r}: the expression for {name} is empty")
        value, _ = build_text(value_text, opts)

        value = as_scalar(value)
        if is_matrix(value):
            raise InputError(f"--sub {spec!r}: {name} must be a scalar function")
        substitutions[var] = value
    if wrt:
        parameters = [scalar_symbol(n) for n in parse_names(wrt)]
    else:
        parameters = list(natural_order(set().union(*(free_scalars(v) for v in substitutions.values()))
                                        - set(substitutions)))
        if not parameters:
            raise InputError("the substitutions have no parameters", "name them with --wrt, e.g. --wrt t")

    check_entries(len(substitutions) * len(parameters),
                  f"dx/dt for {len(substitutions):,} substitutions in {len(parameters):,} parameters")
    result = multivar.chain(f, substitutions, parameters, simplify=opts.simplify)
    point = value = None
    if opts.at is not None:
        point = read_point(opts, ctx, digits=opts.digits)
        inner = set().union(*(free_scalars(v) for v in substitutions.values()))
        needed = (free_scalars(f) - set(substitutions)) | inner
        value = evaluate(result.result, point, needed=needed)
        # the chain rule's product can be 0 * (undefined) at a kink: check the composite itself
        composite = f.xreplace(substitutions) if isinstance(f, sp.Basic) else f
        check_corners(composite, parameters, point, text, first=True)
    return ChainRuleResult(text, result, value, point, tree=tree)
