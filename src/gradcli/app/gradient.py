"""``gradient``, ``hessian`` and ``jacobian``: by scalar variables (explicit matrices, fast
for hundreds of variables) or by one vector or matrix symbol (matrix calculus)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from ..calculus import multivar
from ..calculus.derivative import matrix_symbol_derivative, matrix_symbol_steps
from ..calculus.evaluate import evaluate
from ..errors import InputError
from ..language import split_top_level
from ..limits import check_entries, check_length
from ..model.points import parse_names
from ..model.shapes import as_scalar, is_matrix, shape_of, shape_text
from ..model.symbols import natural_order, scalar_symbol
from ..results import GradientResult, HessianResult, JacobianResult
from .common import (
    Options,
    build_tree,
    check_corners,
    context,
    evaluate_at,
    free_scalars,
    scalar_function,
    variables_of,
)
from .tensor import is_tensor, tensor_result


def _no_steps(command: str) -> InputError:
    return InputError(
        f"{command} --steps shows the matrix differential of a derivative by a vector or matrix symbol",
        "declare the variable (--vector x or --matrix X); by scalar variables use: gradcli derivative --steps",
    )


def gradient(text: str, opts: Options, *, wrt: Sequence[str] = (), steps: bool = False) -> Any:
    f, ctx, tree = build_tree(text, opts)
    f = scalar_function(f, text, "gradient")
    variables, symbolic = variables_of(f, ctx, wrt, "gradient")
    if steps and not symbolic:
        raise _no_steps("gradient")
    step_result = matrix_symbol_steps(f, variables[0], ctx) if steps else None
    if symbolic:
        result = matrix_symbol_derivative(f, variables[0], ctx)
    else:
        check_entries(len(variables), f"the gradient in {len(variables):,} variables")
        result = multivar.gradient(f, variables, layout=opts.layout, simplify=opts.simplify)
    point, value = evaluate_at(result, f, opts, ctx, symbolic)
    if point is not None:
        check_corners(f, variables, point, text, first=True)
    return GradientResult(text, f, tuple(variables), result, opts.layout, value, point, symbolic=symbolic,
                          steps=step_result, tree=tree)


def hessian(text: str, opts: Options, *, wrt: Sequence[str] = ()) -> Any:
    f, ctx, tree = build_tree(text, opts)
    f = scalar_function(f, text, "hessian")
    variables, symbolic = variables_of(f, ctx, wrt, "hessian")
    if symbolic:
        result = matrix_symbol_derivative(f, variables[0], ctx, hessian=True)
    else:
        check_entries(len(variables) ** 2, f"the Hessian in {len(variables):,} variables")
        result = multivar.hessian(f, variables, simplify=opts.simplify)
    point, value = evaluate_at(result, f, opts, ctx, symbolic)
    if point is not None:
        check_corners(f, variables, point, text, first=False)
    return HessianResult(text, f, tuple(variables), result, opts.layout, value, point, symbolic=symbolic, tree=tree)


def split_functions(texts: Sequence[str]) -> list[tuple[str, int]]:
    """``("r cos(t), r sin(t)",)`` or several arguments -> the function texts."""

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


def jacobian(texts: Sequence[str], opts: Options, *, wrt: Sequence[str] = (), det: bool = False,
             steps: bool = False) -> Any:
    joined = ", ".join(texts)
    check_length(joined, "the list of functions")
    pieces = split_functions(texts)
    ctx = context(opts, joined)
    functions: list[Any] = []
    trees: list[Any] = []
    for piece, _ in pieces:
        value, _, tree = build_tree(piece, opts)
        functions.append(value)
        trees.append(tree)
    if len(functions) == 1 and is_matrix(functions[0]):
        vec = functions[0]
        if isinstance(vec, sp.MatrixBase):
            if vec.cols != 1 and vec.rows != 1:
                raise InputError(f"jacobian needs a vector function, not a {vec.rows} x {vec.cols} matrix")
            functions = list(vec)
        else:
            # a vector-valued matrix expression (A x): symbolic Jacobian
            variables, symbolic = variables_of(vec, ctx, wrt, "jacobian")
            if not symbolic:
                raise InputError("the Jacobian of a matrix expression is taken by a vector: --wrt x")
            if is_tensor(vec, variables[0]):
                if det:
                    raise InputError("--det needs a square Jacobian, not a tensor of order 3 or 4")
                return tensor_result(joined, vec, variables[0], opts, ctx, command="jacobian")

            result = matrix_symbol_derivative(vec, variables[0], ctx)
            step_result = matrix_symbol_steps(vec, variables[0], ctx) if steps else None
            point, value = evaluate_at(result, vec, opts, ctx, True)
            if point is not None:
                check_corners(vec, variables, point, joined, first=True)
            determinant = None
            if det:
                rows, cols = result.shape
                if rows != cols:
                    raise InputError(f"--det needs a square Jacobian; this one is {shape_text((rows, cols))}")
                determinant = sp.Determinant(result)
                if isinstance(result, sp.MatrixBase):
                    determinant = determinant.doit()
            return JacobianResult(joined, vec, tuple(variables), result, opts.layout, value, point,
                                  symbolic=True, steps=step_result, determinant=determinant, tree=trees[0])

    if steps:
        raise _no_steps("jacobian")
    functions = [as_scalar(fn) for fn in functions]
    for (piece, _), fn in zip(pieces, functions):
        if is_matrix(fn):
            raise InputError(f"each function of a Jacobian must be a scalar; {piece!r} is {shape_text(shape_of(fn))}")
    names = parse_names(wrt) if wrt else []
    if names:
        if any(n in ctx.shapes for n in names):
            raise InputError("a Jacobian of scalar functions is taken by scalar variables")
        variables = [scalar_symbol(n) for n in names]
    else:
        variables = list(natural_order(set().union(*(free_scalars(fn) for fn in functions))))
        if not variables:
            raise InputError("the functions have no variables", "name them with --wrt, e.g. --wrt x,y")

    check_entries(len(functions) * len(variables),
                  f"the Jacobian of {len(functions):,} functions in {len(variables):,} variables")
    result = multivar.jacobian(functions, variables, layout=opts.layout, simplify=opts.simplify)
    determinant = determinant_value = None
    if det:
        if result.rows != result.cols:
            raise InputError(f"--det needs a square Jacobian; this one is {result.rows} x {result.cols}")
        determinant = multivar.determinant(result) if opts.simplify else result.det()
    vector = sp.ImmutableMatrix(len(functions), 1, functions)
    point, value = evaluate_at(result, vector, opts, ctx, False)
    if point is not None:
        for (piece, _), fn in zip(pieces, functions):
            check_corners(fn, variables, point, piece, first=True)
    if point is not None and determinant is not None:
        determinant_value = evaluate(determinant, point, needed=())
    return JacobianResult(joined, tuple(functions), tuple(variables), result, opts.layout, value, point,
                        determinant=determinant, determinant_value=determinant_value,
                        tree=_function_trees(trees, len(functions)))


def _function_trees(trees: list[Any], count: int) -> Any:
    """The functions as written: one tree each, or the items of one written vector [f1, f2]."""
    from ..language import ast as S

    if len(trees) == count:
        return tuple(trees)
    if len(trees) == 1 and isinstance(trees[0], S.Matrix) and len(trees[0].rows) == 1:
        return tuple(trees[0].rows[0])
    return None
