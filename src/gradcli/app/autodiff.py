"""The ``autodiff`` command's core: text and options in, an ``AutodiffResult`` out.

Parses and builds the expression like the other commands (``core.build_text``), reads the
point (``points.parse_point``), runs the tracing engine (``calculus.autodiff.trace``) on exact
numbers, and presents every number the way ``--at`` does everywhere (``points.evaluate``:
exact and simplified for an exact point, ``--digits`` significant digits for a decimal one).
``graph_text`` gives the Graphviz text for ``--graph`` (DOT, or SVG through the ``dot``
program); the command writes the file.  Nothing here prints or exits.
"""

from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from ..errors import InputError
from ..record import record
from ..results import Point

MODES = ("both", "forward", "reverse")


@record
class AutodiffResult:
    input: str
    function: Any
    trace: Any  # calculus.autodiff.Trace
    point: Point
    value: Any  # the gradient at the point, a 1 x n row (as `gradient --at` gives it)
    mode: str = "both"
    digits: int | None = None  # of the decimals shown beside exact values
    command: str = "autodiff"

    @property
    def wrt(self) -> tuple[str, ...]:
        return self.trace.inputs

    @property
    def result(self) -> Any:
        return self.value


def autodiff(text: str, opts: Any, *, wrt: Sequence[str] = (), mode: str = "both") -> AutodiffResult:
    from ..model.build import is_matrix, scalar_symbol
    from ..calculus.autodiff import trace
    from .common import _matrix_symbols_in, _scalar_function, build_text, free_scalars
    from ..model.points import (check_value, evaluate, exact_number, natural_order, parse_names, parse_point,
        require_values)

    if mode not in MODES:
        raise InputError(f"--mode must be one of {', '.join(MODES)}, not {mode!r}")
    if opts.at is None:
        raise InputError("autodiff evaluates at a point: give one with --at, e.g. --at x=1")
    f, ctx = build_text(text, opts)
    if is_matrix(f) or _matrix_symbols_in(f):
        raise InputError(
            "autodiff traces scalar functions of scalar variables; vector and matrix inputs are not traced yet",
            "write the function of the entries, e.g. x1, x2",
        )
    f = _scalar_function(f, text, "autodiff")
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
    point = parse_point(opts.at, ctx, opts.digits, allow_bare=bare)
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

    def finish(numbers: list[Any]) -> list[Any]:
        if not numbers:
            return numbers
        if point.decimal:
            # --digits significant digits (default 15), as --at gives decimals everywhere
            return list(evaluate(sp.ImmutableMatrix(len(numbers), 1, numbers), point))
        # exact: each number tidied by the results' simplification policy (cheap rewrites, so the
        # same input prints the same; evaluate's full simplify under one shared budget would not
        # on a slower machine); decimals beside them come from --digits
        shown = tidy_numbers(numbers)
        check_value(sp.ImmutableMatrix(len(shown), 1, shown), point)
        return shown

    result = trace(f, inputs, values, parameters=parameters, forward=mode in ("both", "forward"),
                   reverse=mode in ("both", "reverse"), at=point.text, finish=finish)
    gradient = sp.ImmutableMatrix(1, len(result.gradient), list(result.gradient))
    return AutodiffResult(input=text, function=f, trace=result, point=point, value=gradient, mode=mode,
                          digits=opts.digits)


def tidy_numbers(numbers: list[Any], budget: float | None = None) -> list[Any]:
    """Each distinct exact number as the shorter of ``calculus.simplify.tidy`` of it and of its
    terms collected by their irrational parts (an adjoint such as k e + k, k = 1/(2 sqrt(1 + e))
    - sin(1 + e), becomes sqrt(1 + e)/2 - (1 + e) sin(1 + e)), under one total budget (a big
    trace's numbers past it are shown as computed)."""
    import time

    from ..calculus.simplify import tidy
    from ..limits import SIMPLIFY_SECONDS, bounded

    deadline = time.monotonic() + (SIMPLIFY_SECONDS if budget is None else budget)
    done: dict[Any, Any] = {}
    out = []
    for n in numbers:
        if n not in done:
            best = n
            left = deadline - time.monotonic()
            if left > 0.01 and isinstance(n, sp.Expr) and not n.is_Atom:
                best = tidy(n, min(left, 0.5))
                left = deadline - time.monotonic()
                other = bounded(lambda: _collected(n), min(left, 0.5), None) if left > 0.01 else None
                if other is not None:
                    other = tidy(other, min(max(deadline - time.monotonic(), 0.01), 0.5))
                    if sp.count_ops(other) < sp.count_ops(best):
                        best = other
            done[n] = best
        out.append(done[n])
    return out


def _collected(n: Any) -> Any:
    """n expanded, its terms collected by the functions and roots in it, each coefficient factored."""
    from ..calculus.simplify import MAX_OPS

    if sp.count_ops(n) > MAX_OPS:
        return None
    e = sp.expand(n)
    if sp.count_ops(e) > MAX_OPS:
        return None
    parts = sorted((a for a in e.atoms(sp.Function, sp.Pow) if not (isinstance(a, sp.Pow) and a.exp.is_Integer)),
                   key=sp.default_sort_key)
    terms = sp.collect(e, parts, evaluate=False)
    return sp.Add(*(sp.factor(coefficient) * part for part, coefficient in terms.items()))


# -- --graph -------------------------------------------------------------------------------

GRAPH_SUFFIXES = (".dot", ".gv", ".svg")


def check_graph_path(path: str) -> str:
    """The graph's format from its file name (before any work is done)."""
    lower = path.lower()
    if not lower.endswith(GRAPH_SUFFIXES):
        raise InputError(f"--graph {path!r}: the file must end in .dot (Graphviz DOT) or .svg")
    return "svg" if lower.endswith(".svg") else "dot"


def graph_text(result: AutodiffResult, fmt: str) -> str:
    """The computation graph as DOT text, or as SVG drawn by Graphviz's ``dot`` program."""
    from ..render.dot import render as dot

    text = dot(result)
    if fmt == "dot":
        return text
    return svg_from_dot(text)


def svg_from_dot(text: str) -> str:
    import shutil
    import subprocess

    from ..limits import remaining

    program = shutil.which("dot")
    if program is None:
        raise InputError("--graph FILE.svg needs the Graphviz program 'dot', which is not installed",
                         "write FILE.dot instead, or install Graphviz (Debian: apt install graphviz)")
    left = remaining()
    try:
        proc = subprocess.run([program, "-Tsvg"], input=text, capture_output=True, text=True,
                              timeout=None if left is None else max(left, 0.1))
    except subprocess.TimeoutExpired:
        from ..errors import TimeLimitExceeded

        raise TimeLimitExceeded("drawing the graph with dot did not finish within the time limit",
                                "raise it with --timeout SECONDS, or write FILE.dot") from None
    except OSError as exc:
        raise InputError(f"could not run dot: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        first = (proc.stderr.strip().splitlines() or ["no message"])[0]
        raise InputError(f"dot could not draw the graph: {first[:200]}")
    return proc.stdout

