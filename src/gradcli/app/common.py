"""One core function per command: text and options in, a result out.

Commands in ``cli`` parse options and call these; these parse the
expression, build it under the declarations, call the calculus engine and
return a frozen record from ``results``.  Nothing here prints or exits.
"""

from __future__ import annotations

from ..record import record
from typing import Any, Sequence

import sympy as sp

from ..language import ast as S
from ..model.build import Context, Declarations, build, is_matrix, scalar_symbol, shape_of, describe_shape
from ..errors import InputError
from ..language import parse
from ..model.points import evaluate, natural_order, parse_names, parse_point
from ..results import DerivativeResult, Point


@record
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
    """The scalar variables of ``obj``: not dummies, and not the size symbols of shapes
    (n behind --matrix X or I, m and n of --shape X=m x n: integer symbols, which no
    variable is, since variables are real)."""
    syms = getattr(obj, "free_symbols", set())
    return {s for s in syms if isinstance(s, sp.Symbol) and not isinstance(s, sp.Dummy) and s.is_integer is not True}


def tidy_result(obj: Any, opts: Options) -> Any:
    if not opts.simplify:
        return obj
    from ..calculus.simplify import tidy, tidy_matrix

    if isinstance(obj, sp.MatrixBase):
        return tidy_matrix(obj)
    if is_matrix(obj):
        return obj
    return tidy(obj)


def point_and_value(obj: Any, function: Any, opts: Options, ctx: Context,
                    allow_bare: Any = None) -> tuple[Point | None, Any]:
    if opts.at is None:
        return None, None
    point = parse_point(opts.at, ctx, opts.digits, allow_bare=allow_bare)
    return point, evaluate(obj, point, needed=free_scalars(function) | free_scalars(obj), function=function)


def _check_corners(f: Any, variables: Sequence[Any], point: Point, text: str, *, first: bool) -> None:
    """At a kink of abs/sign/...: a first derivative only where both one-sided limits agree;
    higher ones not at all (see calculus.corners)."""
    from ..calculus.corners import ensure_no_corners, ensure_partial_exists

    given = point.as_dict()
    if not isinstance(f, sp.Basic) or not set(given):
        return
    if first:
        for var in variables:
            if var in given:
                ensure_partial_exists(f, var, given, text, point.text)
    else:
        ensure_no_corners(f, variables, given, text, point.text)


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
               steps: bool = False, definition: bool = False) -> DerivativeResult:
    if order < 0:
        raise InputError(f"--order must be 0 or more, not {order}")
    from ..model.build import MAX_ORDER

    if order > MAX_ORDER:
        raise InputError(f"--order {order} is above the limit of {MAX_ORDER}")
    node = parse(text, latex=opts.latex_input)
    ctx = context(opts, text)
    if isinstance(node, S.Derivative):
        _check_operator_and_options(node, text, wrt, order)
    if not wrt and order == 1 and isinstance(node, S.Derivative):
        # 'd/dX (a^T X b)' with no --wrt: the operator written is the derivative asked for
        ops: list[tuple[str, int]] = []
        inner: S.Node = node
        while isinstance(inner, S.Derivative):
            ops.append((inner.var, inner.order))
            inner = inner.operand
        wrt = tuple(",".join([name] * k) for name, k in reversed(ops))
        text_f = text[inner.pos:inner.end]
        f = build(inner, Context(opts.decl, layout=opts.layout, source=text))
        order = 1
    else:
        f = build(node, ctx)
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
    from ..model.build import Builder

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
        from ..calculus.steps import derivative_steps

        step_result = derivative_steps(f, variables[0][0])
    if definition:
        from ..calculus.definition import from_definition

    # one variable: '--at 2' means x=2
    var = variables[0][0]
    bare = var if len(variables) == 1 and free_scalars(f) <= {var} else None
    point, value = None, None
    if definition:
        at_value = None
        if opts.at is not None:
            point = parse_point(opts.at, ctx, opts.digits, allow_bare=bare)
            at_value = point.as_dict().get(var)
        definition_result = from_definition(f, var, at=at_value)
        if definition_result.point is not None and definition_result.value_at_point is None:
            point = None  # no derivative there: the definition's table and note say so
    if opts.at is not None and (not definition or point is not None):
        point, value = point_and_value(result, f, opts, ctx, allow_bare=bare)
        if len(wrt_pairs) == 1 and wrt_pairs[0][1] == 1:
            _check_corners(f, [var], point, text, first=True)
        elif order >= 1:
            _check_corners(f, [v for v, _ in variables], point, text, first=False)
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


# -- several variables -------------------------------------------------------------------

def _matrix_symbols_in(obj: Any) -> list[Any]:
    if not isinstance(obj, sp.Basic):
        return []
    return sorted(obj.atoms(sp.MatrixSymbol), key=lambda m: str(m))


def _variables(f: Any, ctx: Context, wrt: Sequence[str], command: str) -> tuple[list[Any], bool]:
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
    mats = _matrix_symbols_in(f)
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


def _scalar_function(f: Any, text: str, command: str) -> Any:
    from ..model.build import _as_scalar

    f = _as_scalar(f)
    if is_matrix(f):
        raise InputError(
            f"{command} needs a scalar function, but {text!r} is {describe_shape(shape_of(f))}",
            f"for a vector function use: gradcli jacobian {text!r}",
        )
    return f


def gradient(text: str, opts: Options, *, wrt: Sequence[str] = ()) -> "Any":
    from ..results import MatrixResult

    f, ctx = build_text(text, opts)
    f = _scalar_function(f, text, "gradient")
    variables, symbolic = _variables(f, ctx, wrt, "gradient")
    if symbolic:
        from ..model.build import matrix_symbol_derivative

        result = matrix_symbol_derivative(f, variables[0], ctx)
    else:
        from ..calculus import multivar
        from ..limits import check_entries

        check_entries(len(variables), f"the gradient in {len(variables):,} variables")
        result = multivar.gradient(f, variables, layout=opts.layout, simplify=opts.simplify)
    point, value = _evaluate_at(result, f, opts, ctx, symbolic)
    if point is not None:
        _check_corners(f, variables, point, text, first=True)
    return MatrixResult("gradient", text, f, tuple(variables), result, opts.layout, value, point, symbolic=symbolic)


def hessian(text: str, opts: Options, *, wrt: Sequence[str] = ()) -> "Any":
    from ..results import MatrixResult

    f, ctx = build_text(text, opts)
    f = _scalar_function(f, text, "hessian")
    variables, symbolic = _variables(f, ctx, wrt, "hessian")
    if symbolic:
        from ..model.build import matrix_symbol_derivative

        result = matrix_symbol_derivative(f, variables[0], ctx, hessian=True)
    else:
        from ..calculus import multivar
        from ..limits import check_entries

        check_entries(len(variables) ** 2, f"the Hessian in {len(variables):,} variables")
        result = multivar.hessian(f, variables, simplify=opts.simplify)
    point, value = _evaluate_at(result, f, opts, ctx, symbolic)
    if point is not None:
        _check_corners(f, variables, point, text, first=False)
    return MatrixResult("hessian", text, f, tuple(variables), result, opts.layout, value, point, symbolic=symbolic)


def split_functions(texts: Sequence[str]) -> list[tuple[str, int]]:
    """``("r cos(t), r sin(t)",)`` or several arguments -> the function texts."""
    from ..language import split_top_level

    out: list[tuple[str, int]] = []
    for text in texts:
        stripped = text.strip()
        if stripped.startswith("\\"):
            out.append((text, 0))
            continue
        for offset, piece in split_top_level(text):
            if not piece.strip():
                raise InputError(f"an empty function in {text!r}", "write the functions as 'f1, f2, ...'")
            out.append((piece.strip(), offset))
    return out


def jacobian(texts: Sequence[str], opts: Options, *, wrt: Sequence[str] = (), det: bool = False) -> "Any":
    from ..results import MatrixResult

    from ..limits import check_entries, check_length

    joined = ", ".join(texts)
    check_length(joined, "the list of functions")
    pieces = split_functions(texts)
    ctx = context(opts, joined)
    functions: list[Any] = []
    for piece, _ in pieces:
        value, _ = build_text(piece, opts)
        functions.append(value)
    if len(functions) == 1 and is_matrix(functions[0]):
        vec = functions[0]
        if isinstance(vec, sp.MatrixBase):
            if vec.cols != 1 and vec.rows != 1:
                raise InputError(f"jacobian needs a vector function, not a {vec.rows} x {vec.cols} matrix")
            functions = list(vec)
        else:
            # a vector-valued matrix expression (A x): symbolic Jacobian
            variables, symbolic = _variables(vec, ctx, wrt, "jacobian")
            if not symbolic:
                raise InputError("the Jacobian of a matrix expression is taken by a vector: --wrt x")
            from ..model.build import matrix_symbol_derivative

            result = matrix_symbol_derivative(vec, variables[0], ctx)
            point, value = _evaluate_at(result, vec, opts, ctx, True)
            determinant = None
            if det:
                rows, cols = result.shape
                if rows != cols:
                    raise InputError(f"--det needs a square Jacobian; this one is {describe_shape((rows, cols))}")
                determinant = sp.Determinant(result).doit() if isinstance(result, sp.MatrixBase) else sp.Determinant(result)
            return MatrixResult("jacobian", joined, vec, tuple(variables), result, opts.layout, value, point,
                                determinant=determinant, symbolic=True)
    from ..model.build import _as_scalar

    functions = [_as_scalar(fn) for fn in functions]
    for (piece, _), fn in zip(pieces, functions):
        if is_matrix(fn):
            raise InputError(f"each function of a Jacobian must be a scalar; {piece!r} is {describe_shape(shape_of(fn))}")
    names = parse_names(wrt) if wrt else []
    if names:
        if any(n in ctx.shapes for n in names):
            raise InputError("a Jacobian of scalar functions is taken by scalar variables")
        variables = [scalar_symbol(n) for n in names]
    else:
        variables = list(natural_order(set().union(*(free_scalars(fn) for fn in functions))))
        if not variables:
            raise InputError("the functions have no variables", "name them with --wrt, e.g. --wrt x,y")
    from ..calculus import multivar

    check_entries(len(functions) * len(variables),
                  f"the Jacobian of {len(functions):,} functions in {len(variables):,} variables")
    result = multivar.jacobian(functions, variables, layout=opts.layout, simplify=opts.simplify)
    determinant = determinant_value = None
    if det:
        if result.rows != result.cols:
            raise InputError(f"--det needs a square Jacobian; this one is {result.rows} x {result.cols}")
        determinant = multivar.determinant(result) if opts.simplify else result.det()
    vector = sp.ImmutableMatrix(len(functions), 1, functions)
    point, value = _evaluate_at(result, vector, opts, ctx, False)
    if point is not None:
        for (piece, _), fn in zip(pieces, functions):
            _check_corners(fn, variables, point, piece, first=True)
    if point is not None and determinant is not None:
        determinant_value = evaluate(determinant, point, needed=())
    return MatrixResult("jacobian", joined, tuple(functions), tuple(variables), result, opts.layout, value, point,
                        determinant=determinant, determinant_value=determinant_value)


def _evaluate_at(result: Any, function: Any, opts: Options, ctx: Context, symbolic: bool) -> tuple[Any, Any]:
    if opts.at is None:
        return None, None
    if symbolic:
        raise InputError("--at evaluates at scalar values; this result is a matrix expression")
    point = parse_point(opts.at, ctx, opts.digits)
    return point, evaluate(result, point, needed=free_scalars(function) | free_scalars(result), function=function)


def chain(text: str, opts: Options, *, subs: Sequence[str], wrt: Sequence[str] = ()) -> "Any":
    from ..results import ChainRuleResult

    f, ctx = build_text(text, opts)
    f = _scalar_function(f, text, "chain")
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
        from ..model.build import _as_scalar

        value = _as_scalar(value)
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
    from ..calculus import multivar
    from ..limits import check_entries

    check_entries(len(substitutions) * len(parameters),
                  f"dx/dt for {len(substitutions):,} substitutions in {len(parameters):,} parameters")
    result = multivar.chain(f, substitutions, parameters)
    point = value = None
    if opts.at is not None:
        point = parse_point(opts.at, ctx, opts.digits)
        remaining = (free_scalars(f) - set(substitutions)) | set().union(*(free_scalars(v) for v in substitutions.values()))
        value = evaluate(result.result, point, needed=remaining)
        # the chain rule's product can be 0 * (undefined) at a kink: check the composite itself
        composite = f.xreplace(substitutions) if isinstance(f, sp.Basic) else f
        _check_corners(composite, parameters, point, text, first=True)
    return ChainRuleResult(text, result, value, point)


# -- Taylor ---------------------------------------------------------------------------------

def _has_non_real_number(expr: Any) -> bool:
    """(-1)**(1/3) and other numbers that are not real (principal roots of negatives)."""
    if not isinstance(expr, sp.Basic):
        return False
    for p in expr.atoms(sp.Pow):
        if p.is_number and p.is_extended_real is False:
            return True
    return False


def taylor(text: str, opts: Options, *, wrt: Sequence[str] = (), order: int = 5, table: bool = False,
           expand: bool = False, plot: str | None = None) -> "Any":
    from ..results import TaylorReport

    f, ctx = build_text(text, opts)
    f = _scalar_function(f, text, "taylor")
    from ..limits import MAX_ORDER

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
        point = parse_point(opts.at, ctx, None, allow_bare=bare)
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
    from ..calculus.taylor import taylor as engine

    result = engine(f, tuple(variables), tuple(center), order, expand=expand)
    if result.polynomial.has(sp.I) or _has_non_real_number(result.polynomial):
        from ..errors import NotAnalyticError

        where = ", ".join(f"{v} = {c}" for v, c in zip(variables, center))
        raise NotAnalyticError(
            f"{text!r} is not real-valued near {where}, so it has no real Taylor polynomial there",
            "gradcli works over the reals; choose another centre with --at",
        )
    if plot:
        if len(variables) != 1:
            raise InputError("--plot draws a Taylor polynomial in one variable")
        from ..calculus.taylor import plot_taylor

        plot_taylor(f, variables[0], center[0], order, plot)
    return TaylorReport(text, result, table=table, plot=plot)
