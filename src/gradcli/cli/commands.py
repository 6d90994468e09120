"""The commands: each reads its options, calls its use case (``gradcli.app``) on every
expression, and hands each result to a renderer and to the output.  Thin: no mathematics
here, and only Click at load time (a command imports its use case when it runs).

``run`` is what every computing command shares: expressions from arguments or standard
input (``-``, one a line), each computed and written under the call's time limit, a failing
line reported on stderr while the others still run (the exit status is the worst one).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from .. import output
from ..errors import ExitStatus, GradcliError, InputError, OutputClosed, OutputError
from ..io import read_bounded
from ..limits import check_items, final_output, time_limit
from .options import (
    CONTEXT_SETTINGS,
    DIGITS,
    DIGITS_HELP,
    ORDER,
    Settings,
    command_options,
    common_options,
    declaration_options,
    not_empty,
    output_format,
    shared_options,
    unshield,
    usage,
)

# -- running a command -------------------------------------------------------------

def emit(result: Any, fmt: str, *, last: bool = False, **render_options: Any) -> None:
    """Render and write one result; ``last``: the call's last result (no alarm after it)."""
    import contextlib

    from ..render import render  # SymPy's printers: loaded when a result is written

    rendered = render(result, fmt, **render_options)
    with final_output() if last else contextlib.nullcontext():
        if fmt == "rich":
            output.out_rich(rendered)
        else:
            output.out(rendered, json=fmt == "json")


def run(settings: Settings, exprs: tuple[str, ...] | str, compute: Callable[[str], Any], fmt: str | None,
         **render_options: Any) -> int:
    """Compute and render each expression under the time limit.

    ``-`` reads one expression a line from stdin; a failing line is reported
    on stderr (with ``-f json``, also as an error record in its place on stdout, so that
    output lines match input lines) and the others still run; the exit status is the worst one.
    """
    fmt = output_format(settings, fmt)
    if isinstance(exprs, str):
        exprs = (exprs,)
    limit = _limit()
    items: list[tuple[int | None, str]] = []  # (line of standard input, text)
    for e in exprs:
        if e == "-":
            limit.what = "reading standard input"
            lines = [line.strip() for line in read_bounded(sys.stdin, "standard input").splitlines()]
            limit.what = "the computation"
            items.extend((i, line) for i, line in enumerate(lines, 1) if line and not line.startswith("#"))
        else:
            items.append((None, unshield(e)))
    if not items:
        raise usage("no expression given (standard input was empty)")
    check_items(len(items), f"{len(items):,} expressions are given")
    status = ExitStatus.OK
    batch = len(items) > 1 or items[0][0] is not None
    # --timeout bounds the whole call, however many lines standard input holds; when it
    # runs out, the message says which line was under way (the lines before keep their results)
    with output.progress(len(items), "computing", fmt=fmt) as progress:
        for index, (line, text) in enumerate(items, 1):
            limit.where = f"line {line}" if line is not None else ""
            progress.step(text)
            try:
                emit(compute(text), fmt, last=index == len(items), **render_options)
            except OutputClosed:
                raise
            except GradcliError as exc:
                if not batch or isinstance(exc, OutputError):
                    raise
                output.err(exc.lines(prefix=f"line {line}: " if line is not None else ""))
                if fmt == "json":
                    _error_record(exc, line, text)
                status = max(status, exc.status)
    limit.where = ""
    return int(status)


def _error_record(exc: GradcliError, line: int | None, text: str) -> None:
    """A failing item of a batch as a json error record, in its place."""
    from ..render.json import error_record

    output.out(error_record(exc.message, exc.status, line=line, input=text,
                            **{k: v for k, v in exc.fields().items() if k != "error"}), json=True)


def _limit() -> Any:
    """The time limit of this call (set up in AliasGroup.invoke), to name what is under way."""
    ctx = click.get_current_context(silent=True)
    limit = ctx.meta.get("gradcli.limit") if ctx is not None else None
    return limit if limit is not None else time_limit(None)


def _write_file(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


# -- the commands ---------------------------------------------------------------------
# Each command's help: a one-line summary (the command list shows it whole), what it does,
# and two examples.

@click.command("derivative", context_settings=CONTEXT_SETTINGS,
               short_help="d/dx f; higher order (-n) and mixed partials.")
@click.argument("exprs", nargs=-1, required=True, metavar="EXPR...")
@click.option("-n", "--order", type=ORDER, default=1, show_default=True, metavar="N",
              help=f"Order of the derivative ({ORDER.range_text}).")
@click.option("--steps", is_flag=True, help="Show the derivation rule by rule.")
@click.option("--definition", is_flag=True, help="The difference quotient (5.3) and its limit (5.4).")
@common_options()
@click.pass_obj
def derivative_cmd(settings: Settings, exprs: tuple[str, ...], order: int, steps: bool, definition: bool,
                   **kw: Any) -> int:
    """d/dx f; higher order (-n) and mixed partials.

    Differentiates EXPR by its variable (--wrt when it has several); -n N gives the N-th
    derivative, and repeating --wrt a mixed partial (--wrt x --wrt y is d/dy(d/dx f)).
    --steps shows the rules used, --definition the difference quotient.  EXPR '-' reads one
    expression a line from standard input.

    \b
    Examples:
      gradcli derivative 'sin(x)^2 exp(x)'
      gradcli diff 'x^3 y^2' --wrt x --wrt y --at x=1,y=2
    """
    from ..app.derivative import derivative

    opts = command_options(settings, kw)
    return run(settings, exprs, lambda text: derivative(text, opts, wrt=kw["wrt"], order=order,
                                                                steps=steps, definition=definition),
                kw["fmt"], rhs_only=kw["rhs_only"])


@click.command("gradient", context_settings=CONTEXT_SETTINGS,
               short_help="The gradient: the row vector of partials (5.39).")
@click.argument("exprs", nargs=-1, required=True, metavar="EXPR...")
@click.option("--steps", is_flag=True, help="By a vector or matrix: the derivation by matrix differentials.")
@common_options()
@click.pass_obj
def gradient_cmd(settings: Settings, exprs: tuple[str, ...], steps: bool, **kw: Any) -> int:
    """The gradient: the row vector of partials (5.39).

    A column with --layout denominator.  With a vector or matrix symbol in --wrt (declared
    with --vector, --matrix or --shape), the gradient with respect to it.

    \b
    Examples:
      gradcli gradient 'x^2 y + sin(z)' --at x=1,y=2,z=0
      gradcli grad 'x^T B x' --vector x --matrix B --wrt x
    """
    from ..app.gradient import gradient

    opts = command_options(settings, kw)
    return run(settings, exprs, lambda text: gradient(text, opts, wrt=kw["wrt"], steps=steps), kw["fmt"],
                rhs_only=kw["rhs_only"])


@click.command("hessian", context_settings=CONTEXT_SETTINGS,
               short_help="The Hessian: the matrix of second partials.")
@click.argument("exprs", nargs=-1, required=True, metavar="EXPR...")
@common_options()
@click.pass_obj
def hessian_cmd(settings: Settings, exprs: tuple[str, ...], **kw: Any) -> int:
    """The Hessian: the matrix of second partials.

    Symmetric where f is smooth; with a vector symbol in --wrt, the Hessian with respect to it.

    \b
    Examples:
      gradcli hessian 'x^3 y + y^2'
      gradcli hessian 'x^T B x' --vector x --matrix B --wrt x
    """
    from ..app.gradient import hessian

    opts = command_options(settings, kw)
    return run(settings, exprs, lambda text: hessian(text, opts, wrt=kw["wrt"]), kw["fmt"],
                rhs_only=kw["rhs_only"])


@click.command("jacobian", context_settings=CONTEXT_SETTINGS,
               short_help="The Jacobian of a vector function f1, f2, ...")
@click.argument("exprs", nargs=-1, required=True, metavar="EXPRS...")
@click.option("--det", is_flag=True, help="Add the determinant (square Jacobians).")
@click.option("--steps", is_flag=True, help="By a vector: the derivation by matrix differentials.")
@common_options()
@click.pass_obj
def jacobian_cmd(settings: Settings, exprs: tuple[str, ...], det: bool, steps: bool, **kw: Any) -> int:
    """The Jacobian of a vector function f1, f2, ...

    The functions come as 'f1, f2', as '[f1, f2]' or as separate arguments; m functions of
    n variables give an m x n matrix (n x m with --layout denominator).  EXPRS '-' reads
    one system a line.

    \b
    Examples:
      gradcli jacobian 'r cos(theta), r sin(theta)' --det
      gradcli jac 'x y, x + y, x' --wrt x,y
    """
    from ..app.gradient import jacobian

    opts = command_options(settings, kw)
    if exprs == ("-",):
        return run(settings, exprs, lambda text: jacobian([text], opts, wrt=kw["wrt"], det=det, steps=steps), kw["fmt"],
                    rhs_only=kw["rhs_only"])
    if "-" in exprs:
        raise usage("'-' (standard input) must be the only argument")
    exprs = tuple(unshield(e) for e in exprs)
    return run(settings, ", ".join(exprs), lambda _: jacobian(list(exprs), opts, wrt=kw["wrt"], det=det, steps=steps),
                kw["fmt"], rhs_only=kw["rhs_only"])


@click.command("chain", context_settings=CONTEXT_SETTINGS,
               short_help="The chain rule (5.49-5.53): df/dx times dx/dt.")
@click.argument("exprs", nargs=-1, required=True, metavar="EXPR...")
@click.option("--sub", "subs", multiple=True, metavar="VAR=EXPR",
              help="A substitution x_i = g_i(t), repeatable: --sub x1='sin(t)' --sub x2='cos(t)'.")
@common_options()
@click.pass_obj
def chain_cmd(settings: Settings, exprs: tuple[str, ...], subs: tuple[str, ...], **kw: Any) -> int:
    """The chain rule (5.49-5.53): df/dx times dx/dt.

    For f(x1..xk) with x_i = g_i given by --sub: df/dx, dx/dt (or dx/d(s,t)), their
    product, and the result in the parameters (--wrt t, or s,t; by default the free
    symbols of the substitutions).

    \b
    Examples:
      gradcli chain 'x1^2 + 2 x2' --sub x1='sin(t)' --sub x2='cos(t)'
      gradcli chain 'x1 x2' --sub x1='s t' --sub x2='s + t' --wrt s,t
    """
    from ..app.chain import chain

    opts = command_options(settings, {**kw, "subs": subs})
    return run(settings, exprs, lambda text: chain(text, opts, subs=subs, wrt=kw["wrt"]), kw["fmt"],
                rhs_only=kw["rhs_only"])


@click.command("taylor", context_settings=CONTEXT_SETTINGS,
               short_help="The Taylor polynomial T_n (5.7) about a point.")
@click.argument("exprs", nargs=-1, required=True, metavar="EXPR...")
@click.option("-n", "--order", type=ORDER, default=5, show_default=True, metavar="N",
              help=f"Order n; with several variables the total degree ({ORDER.range_text}).")
@click.option("--table", is_flag=True, help="The table of k, f^(k)(x0) and f^(k)(x0)/k!.")
@click.option("--expand", is_flag=True, help="In powers of x instead of (x - x0).")
@click.option("--plot", type=click.Path(dir_okay=False, writable=True), default=None, metavar="FILE",
              callback=lambda ctx, param, value: not_empty(value, "--plot"),
              help="Draw f and its Taylor polynomials to FILE.png, FILE.svg or FILE.pdf (needs gradcli[plot]).")
@click.option("--range", "plot_range", default=None, metavar="A:B",
              help="With --plot: the interval of x drawn, e.g. --range -4:4 or --range=-pi:pi "
                   "(default: around x0, narrowed where f grows fast).")
@common_options(at_help="The centre x0 (default 0): --at 1, or --at x=0,y=0 for several variables.",
                digits=False)
@click.pass_obj
def taylor_cmd(settings: Settings, exprs: tuple[str, ...], order: int, table: bool, expand: bool,
               plot: str | None, plot_range: str | None, **kw: Any) -> int:
    """The Taylor polynomial T_n (5.7) about a point.

    About the centre --at x0 (default 0), in powers of (x - x0) unless --expand; several
    variables with --at x=0,y=0, truncated by total degree n.  --table lists the
    derivatives and coefficients; --plot draws f beside its Taylor polynomials.

    \b
    Examples:
      gradcli taylor 'exp(x)' --at 1 -n 4 --table
      gradcli taylor 'sin(x)' -n 7 --plot sin.pdf --range -5:5
    """
    from ..app.taylor import taylor

    if plot and not plot.lower().endswith((".png", ".svg", ".pdf")):
        raise usage(f"--plot {plot!r}: the file must end in .png, .svg or .pdf")
    if plot_range is not None and not plot:
        raise usage("--range goes with --plot (the interval drawn)")
    opts = command_options(settings, {**kw, "digits": None})

    def compute(text: str) -> Any:
        report = taylor(text, opts, wrt=kw["wrt"], order=order, table=table, expand=expand, plot=plot,
                        plot_range=plot_range)
        if plot:
            from ..record import replace
            from ..render.plot import write_plot

            report = replace(report, plot_range=write_plot(report.taylor, plot, x_range=report.plot_range))
        return report

    return run(settings, exprs, compute, kw["fmt"], rhs_only=kw["rhs_only"])


@click.command("autodiff", context_settings=CONTEXT_SETTINGS,
               short_help="Automatic differentiation (5.6), step by step.")
@click.argument("exprs", nargs=-1, required=True, metavar="EXPR...")
@click.option("--at", "at", required=True, multiple=True, metavar="POINT",
              help="The point: --at x=1,y=2, arrays --at 'x=[1,2]' (exact values stay exact; a decimal point "
                   "gives decimals).")
@click.option("-x", "--wrt", "wrt", multiple=True, metavar="VARS",
              help="The inputs, comma separated (default: the free symbols); others are held constant.")
@click.option("--mode", type=click.Choice(["both", "forward", "reverse"]), default="both", show_default=True,
              help="forward: tangents, one sweep per input; reverse: adjoints, one sweep in all.")
@click.option("--graph", type=click.Path(dir_okay=False, writable=True), default=None, metavar="FILE",
              callback=lambda ctx, param, value: not_empty(value, "--graph"),
              help="Write the computation graph: FILE.dot (Graphviz DOT) or FILE.svg (needs Graphviz's dot).")
@click.option("--digits", type=DIGITS, default=None, metavar="N", help=DIGITS_HELP)
@declaration_options
@shared_options
@click.pass_obj
def autodiff_cmd(settings: Settings, exprs: tuple[str, ...], mode: str, graph: str | None, **kw: Any) -> int:
    """Automatic differentiation (5.6), step by step.

    The expression split into intermediate variables with their values at the point,
    forward mode (each variable's tangent) and reverse mode (each variable's adjoint), and
    the gradient; --graph writes the computation graph.

    \b
    Examples:
      gradcli autodiff 'sqrt(x^2 + exp(x^2)) + cos(x^2 + exp(x^2))' --at x=1
      gradcli ad 'x y + sin(x)' --at x=1,y=2 --mode reverse --graph trace.dot
    """
    from ..app.autodiff import autodiff
    from ..render.dot import check_graph_path, graph_text

    graph_format = check_graph_path(graph) if graph else None
    if graph and (len(exprs) != 1 or exprs == ("-",)):
        raise usage("--graph writes one graph: give one expression")
    opts = command_options(settings, kw)

    def compute(text: str) -> Any:
        result = autodiff(text, opts, wrt=kw["wrt"], mode=mode)
        if graph:
            _write_file(graph, graph_text(result, graph_format))
        return result

    return run(settings, exprs, compute, kw["fmt"])


@click.command("check", context_settings=CONTEXT_SETTINGS,
               short_help="Decide whether claims LHS = RHS hold.")
@click.argument("claims", nargs=-1, metavar="CLAIM...")
@click.option("--file", "files", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="Claims from a .txt file (one a line, # comments) or a .toml file ([[claim]] tables).")
@click.option("--builtin", is_flag=True, help="Check the built-in catalogue (the book's 5.99-5.108 and more).")
@click.option("--list", "list_only", is_flag=True, help="With --builtin: list the catalogue.")
@click.option("--junit", type=click.Path(dir_okay=False, writable=True), default=None, metavar="FILE",
              callback=lambda ctx, param, value: not_empty(value, "--junit"),
              help="Write a JUnit XML report, one test case per claim.")
@click.option("--strict", is_flag=True, help="Claims supported only by numeric evidence are unknown.")
@declaration_options
@shared_options
@click.pass_obj
def check_cmd(settings: Settings, claims: tuple[str, ...], files: tuple[str, ...], builtin: bool, list_only: bool,
              junit: str | None, strict: bool, **kw: Any) -> int:
    """Decide whether claims LHS = RHS hold.

    Each claim is true (proved, or shown component by component), false (with a
    counterexample) or unknown.  Claims come as arguments, from standard input ('-', one a
    line), from files (--file) or the built-in catalogue (--builtin).  Exit status: 0 all
    true, 1 any false, 3 any unknown (or the time limit) and none false, 2 an unreadable
    claim (the others are still decided and reported).

    \b
    Examples:
      gradcli check 'd/dx sin(x)^2 = 2 sin(x) cos(x)'
      gradcli check 'd/dx x^T A x = x^T (A + A^T)' --vector x --matrix A
    """
    fmt = output_format(settings, kw["fmt"])
    if list_only:
        if not builtin:
            raise usage("--list goes with --builtin")
        from ..check.catalogue import listing

        emit(listing(), fmt, last=True)
        return 0
    from ..app.check import check, claims_of
    from ..check.verdict import Verdict, exit_status

    opts = command_options(settings, {**kw, "at": None, "digits": None})
    limit = _limit()
    check_items(len(claims), f"{len(claims):,} claims are given")
    limit.what = "reading standard input"
    stdin_text = read_bounded(sys.stdin, "standard input") if "-" in claims else None
    limit.what = "reading the claims" if files else "the computation"
    if stdin_text is not None:
        lines = sum(1 for line in stdin_text.splitlines() if line.strip() and not line.strip().startswith("#"))
        check_items(lines, f"standard input holds {lines:,} claims")
    collected = claims_of([unshield(c) for c in claims], opts, files=files, builtin=builtin, stdin_text=stdin_text)
    limit.what = "the computation"
    with output.progress(len(collected), "checking", fmt=fmt) as progress:
        report = check(collected, strict=strict, timeout=settings.timeout,
                       on_claim=lambda claim: progress.step(claim.text))
    if junit:
        from ..check.junit import write_junit

        write_junit(report, junit)
    errors = [f"error: {r.source or repr(r.claim)}: {r.reason}" for r in report.results if r.verdict == Verdict.ERROR]
    emit(report, fmt, last=not errors)
    if errors:
        with final_output():
            output.err(errors)
    return int(exit_status(report))

COMMANDS = (derivative_cmd, gradient_cmd, hessian_cmd, jacobian_cmd, chain_cmd, taylor_cmd, autodiff_cmd, check_cmd)
