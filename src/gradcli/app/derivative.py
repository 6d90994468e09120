"""``derivative``: d/dx of an expression; higher orders, mixed partials, ``--steps``,
``--definition``, and the value at ``--at`` (where the one-sided limits agree at a kink)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..calculus.derivative import differentiate
from ..errors import InputError
from ..language import ast as S
from ..language import parse
from ..limits import MAX_ORDER
from ..model.declarations import Context
from ..model.points import Point, parse_names
from ..model.shapes import is_matrix
from ..model.symbols import natural_order, scalar_symbol
from ..results import DerivativeResult
from .common import Options, build, check_corners, context, free_scalars, point_and_value, read_point, tidy_result
from .tensor import is_tensor, tensor_result


def _check_operator_and_options(node: S.Derivative, text: str, wrt: Sequence[str], order: int) -> None:
    """EXPR that is a derivative operator (d/dx x^5) already says which derivative is meant.
    -n would be ambiguous (the total order, or more derivatives?), and so would --wrt naming
    a variable of the operator (the same derivative again, or a second one?): both refused.
    --wrt another variable differentiates the operator's result: d/dy (d/dx f)."""
    ops: list[tuple[str, int]] = []
    inner: S.Node = node
    while isinstance(inner, S.Derivative):
        ops.append((inner.var, inner.order))
        inner = inner.operand
    written = " ".join(text[node.pos:inner.pos].split()) or "the operator"
    if order != 1:
        total = sum(k for _, k in ops) + order - 1
        var = ops[0][0]
        raise InputError(
            f"-n {order} with the operator {written} in EXPR is ambiguous (the order in all, or more derivatives?)",
            f"write the order in the operator (d^{total}/d{var}^{total} ...), or drop the operator and keep -n",
        )
    pieces = [piece.strip() for value in wrt for piece in value.split(",")]
    same = [p for p, n in zip(pieces, parse_names(wrt)) if any(n == v for v, _ in ops)] if wrt else []
    if same:
        raise InputError(
            f"--wrt {same[0]} with the operator {written} in EXPR is ambiguous (the same derivative, or a second one?)",
            f"drop --wrt {same[0]} for {written}, or write the second derivative: d^2/d{same[0]}^2 ...",
        )


def derivative(text: str, opts: Options, *, wrt: Sequence[str] = (), order: int = 1,
               steps: bool = False, definition: bool = False) -> Any:
    if order < 0:
        raise InputError(f"--order must be 0 or more, not {order}")
    if order > MAX_ORDER:
        raise InputError(f"--order {order} is above the limit of {MAX_ORDER}")
    f, ctx, wrt, order, tree = _function(text, opts, wrt, order)
    names = _names(text, f, wrt)
    if len(names) > 1 and order != 1:
        raise InputError(
            "-n/--order goes with a single --wrt variable",
            "for mixed partials repeat --wrt: --wrt x --wrt y is d/dy(d/dx f)",
        )
    if len(names) == 1 and names[0] in ctx.shapes and is_tensor(f, ctx.lookup(names[0])):
        if order != 1 or steps or definition:
            raise InputError("a derivative of order 3 or 4 (a tensor) is shown as a first derivative only",
                             "drop -n, --steps and --definition")
        return tensor_result(text, f, ctx.lookup(names[0]), opts, ctx)
    by_symbol = len(names) == 1 and order == 1 and names[0] in ctx.shapes
    if steps and by_symbol and not definition:
        pass  # the matrix differential (calculus.matrix.steps)
    elif (steps or definition) and (len(names) > 1 or order != 1 or is_matrix(f) or by_symbol):
        raise InputError("--steps and --definition show a first derivative of a scalar by one variable",
                         "--steps also shows a first derivative by one vector or matrix symbol")
    wrt_pairs = [(name, order) for name in names] if len(names) == 1 else [(name, 1) for name in names]
    raw = differentiate(f, wrt_pairs, ctx)
    variables = tuple((ctx.lookup(n) if n in ctx.shapes else scalar_symbol(n), k) for n, k in wrt_pairs)
    result = tidy_result(raw, opts)
    step_result = None
    if steps:
        if by_symbol:
            from ..calculus.derivative import matrix_symbol_steps

            step_result = matrix_symbol_steps(f, variables[0][0], ctx)
        else:
            from ..calculus.steps import derivative_steps

            step_result = derivative_steps(f, variables[0][0])
    point, value, definition_result = _at_point(text, f, result, variables, opts, ctx, definition)
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
        tree=tree,
    )


def _function(text: str, opts: Options, wrt: Sequence[str], order: int
              ) -> tuple[Any, Context, Sequence[str], int, S.Node]:
    """f built, its context, the derivatives asked for, and f's syntax tree: an EXPR that is a
    derivative operator with no --wrt (``d/dX (a^T X b)``) is the derivative asked for, of its
    operand."""
    node = parse(text, latex=opts.latex_input)
    ctx = context(opts, text)
    if isinstance(node, S.Derivative):
        _check_operator_and_options(node, text, wrt, order)
    if not wrt and order == 1 and isinstance(node, S.Derivative):
        ops: list[tuple[str, int]] = []
        inner: S.Node = node
        while isinstance(inner, S.Derivative):
            ops.append((inner.var, inner.order))
            inner = inner.operand
        wrt = tuple(",".join([name] * k) for name, k in reversed(ops))
        return build(inner, context(opts, text)), ctx, wrt, 1, inner
    return build(node, ctx), ctx, wrt, order, node


def _names(text: str, f: Any, wrt: Sequence[str]) -> list[str]:
    """The variables of --wrt, or f's one variable; several without --wrt are an error."""
    names = parse_names(wrt) if wrt else []
    if names:
        return names
    symbols = natural_order(free_scalars(f))
    if len(symbols) == 1:
        return [str(symbols[0])]
    if not symbols:
        raise InputError(f"{text!r} has no variable to differentiate by", "name one with --wrt, e.g. --wrt x")
    raise InputError(
        f"{text!r} has several variables: {', '.join(map(str, symbols))}",
        f"choose with --wrt, e.g. --wrt {symbols[0]}",
    )


def _at_point(text: str, f: Any, result: Any, variables: tuple, opts: Options, ctx: Context,
              definition: bool) -> tuple[Point | None, Any, Any]:
    """The point, the value there and the definition's record (``--definition``): one
    variable takes ``--at 2`` as x=2; at a kink of abs/sign a first derivative needs the
    one-sided limits to agree, and a higher one is refused."""
    var = variables[0][0]
    bare = var if len(variables) == 1 and free_scalars(f) <= {var} else None
    point, value, definition_result = None, None, None
    if definition:
        from ..calculus.definition import from_definition

        at_value = None
        if opts.at is not None:
            point = read_point(opts, ctx, digits=opts.digits, allow_bare=bare)
            at_value = point.as_dict().get(var)
        definition_result = from_definition(f, var, at=at_value)
        if definition_result.point is not None and definition_result.value_at_point is None:
            point = None  # no derivative there: the definition's table and note say so
    if opts.at is not None and (not definition or point is not None):
        point, value = point_and_value(result, f, opts, ctx, allow_bare=bare)
        if len(variables) == 1 and variables[0][1] == 1:
            check_corners(f, [var], point, text, first=True)
        elif sum(k for _, k in variables) >= 1:
            check_corners(f, [v for v, _ in variables], point, text, first=False)
    return point, value, definition_result
