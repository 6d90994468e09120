"""The command line: options in, one core call, one renderer out.

This module imports only Click at load time: ``--help`` and TAB completion
(which runs gradcli on every keypress) must not pay for SymPy or Rich.  Core
modules are imported inside the commands.  ``main`` is the one place where
exceptions become exit statuses.
"""

from __future__ import annotations

import os
import re
import sys
from ..record import record
from typing import Any, Callable

import click

from ..errors import ExitStatus, GradcliError, OutputClosed, OutputError
from ..limits import (DEFAULT_TIMEOUT, MAX_DECIMAL_DIGITS, MAX_LENGTH, MAX_LENGTH_CEILING, MAX_ORDER, MAX_SIZE,
    MAX_TIMEOUT, MIN_TIMEOUT)

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
FORMAT_CHOICE = click.Choice(["auto", "rich", "plain", "latex", "json"], case_sensitive=False)


@record(frozen=False)
class Settings:
    format: str = "auto"
    timeout: float = DEFAULT_TIMEOUT
    debug: bool = False
    input: str = "auto"


# -- shared options --------------------------------------------------------------

def _declaration_options(f: Callable) -> Callable:
    options = [
        click.option("--vector", "vectors", multiple=True, metavar="NAMES",
                     help="Declare column vectors (n x 1), comma separated: --vector a,b,x."),
        click.option("--matrix", "matrices", multiple=True, metavar="NAMES",
                     help="Declare n x n matrices: --matrix A,B,X."),
        click.option("--symmetric", "symmetric", multiple=True, metavar="NAMES",
                     help="Declare symmetric n x n matrices: --symmetric W."),
        click.option("--shape", "shapes", multiple=True, metavar="NAME=RxC",
                     help="Declare a shape: --shape X=3x2 or --shape 'X=m x n'."),
        click.option("--dim", type=click.IntRange(1, MAX_SIZE), default=None,
                     help="The size n behind --vector and --matrix (default: a symbol n)."),
        click.option("--layout", type=click.Choice(["numerator", "denominator"]), default="numerator",
                     show_default=True, help="Layout convention for derivatives by vectors."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _common_options(f: Callable) -> Callable:
    options = [
        click.option("-x", "--wrt", "wrt", multiple=True, metavar="VARS",
                     help="Variables, comma separated (default: the free symbols, x2 before x10)."),
        click.option("--at", "at", default=None, metavar="POINT",
                     help="Also evaluate at a point: --at x=1,y=pi/2 (a decimal point gives decimals)."),
        click.option("--digits", type=click.IntRange(1, MAX_DECIMAL_DIGITS), default=None,
                     help="Significant digits of a decimal value (default 15)."),
        click.option("--simplify/--no-simplify", default=True, show_default=True,
                     help="Simplify results (bounded in time)."),
        click.option("--rhs-only", is_flag=True, help="LaTeX: the result alone, without the left-hand side."),
        click.option("-f", "--format", "fmt", type=FORMAT_CHOICE, default=None,
                     help="Output format (overrides the global -f)."),
        click.option("--input", "input_kind", type=click.Choice(["auto", "plain", "latex"]), default=None,
                     help="Input language (auto: LaTeX when the text starts with a backslash)."),
    ]
    f = _declaration_options(f)
    for option in reversed(options):
        f = option(f)
    return f


#: Options whose values are text gradcli reads: each counts toward the length limit.
_TEXT_OPTIONS = {"wrt": "--wrt", "at": "--at", "vectors": "--vector", "matrices": "--matrix",
                 "symmetric": "--symmetric", "shapes": "--shape", "subs": "--sub"}


def _check_option_lengths(kw: dict[str, Any]) -> None:
    from ..limits import check_length

    for key, option in _TEXT_OPTIONS.items():
        value = kw.get(key)
        if isinstance(value, (tuple, list)):
            value = " ".join(value)
        if value:
            check_length(value, f"the value of {option}")


def _options(settings: Settings, kw: dict[str, Any]):
    from ..model.build import Declarations, check_declarations
    from ..app.common import Options
    from ..model.points import parse_names

    _check_option_lengths(kw)
    decl = Declarations(
        vectors=tuple(parse_names(kw.get("vectors", ()), "--vector")),
        matrices=tuple(parse_names(kw.get("matrices", ()), "--matrix")),
        symmetric=tuple(parse_names(kw.get("symmetric", ()), "--symmetric")),
        shapes=tuple(_shape_pairs(kw.get("shapes", ()))),
        dim=kw.get("dim"),
    )
    check_declarations(decl)
    input_kind = kw.get("input_kind") or settings.input
    return Options(
        decl=decl,
        layout=kw.get("layout", "numerator"),
        simplify=kw.get("simplify", True),
        at=kw.get("at"),
        digits=kw.get("digits"),
        latex_input=input_kind == "latex",
    )


def _shape_pairs(specs: tuple[str, ...]) -> list[tuple[str, str]]:
    from ..model.build import parse_shape

    out = []
    for spec in specs:
        name, _ = parse_shape(spec, None)  # validates
        out.append((name, spec.partition("=")[2]))
    return out


# -- running a command -------------------------------------------------------------

def _format(settings: Settings, override: str | None) -> str:
    fmt = (override or settings.format).lower()
    if fmt == "auto":
        from ..output import stdout_is_terminal, stdout_takes_unicode

        # rich on a terminal that can show its maths (an ASCII-only locale gets plain)
        fmt = "rich" if stdout_is_terminal() and stdout_takes_unicode() else "plain"
    return fmt


def _emit(result: Any, fmt: str, *, last: bool = False, **render_options: Any) -> None:
    """Render and write one result; ``last``: the call's last result (no alarm after it)."""
    import contextlib

    from .. import output
    from ..limits import final_output
    from ..render import render

    rendered = render(result, fmt, **render_options)
    with final_output() if last else contextlib.nullcontext():
        if fmt == "rich":
            output.out_rich(rendered)
        else:
            output.out(rendered, json=fmt == "json")


def _run(settings: Settings, exprs: tuple[str, ...] | str, compute: Callable[[str], Any], fmt: str | None,
         **render_options: Any) -> int:
    """Compute and render each expression under the time limit.

    ``-`` reads one expression a line from stdin; a failing line is reported
    on stderr and the others still run; the exit status is the worst one.
    """
    from .. import output
    from ..io import read_bounded
    from ..limits import check_items

    fmt = _format(settings, fmt)
    if isinstance(exprs, str):
        exprs = (exprs,)
    limit = _limit()
    items: list[tuple[str, str]] = []
    for e in exprs:
        if e == "-":
            limit.what = "reading standard input"
            lines = [line.strip() for line in read_bounded(sys.stdin, "standard input").splitlines()]
            limit.what = "the computation"
            items.extend((f"line {i}", line) for i, line in enumerate(lines, 1) if line and not line.startswith("#"))
        else:
            items.append(("", _unshield(e)))
    if not items:
        raise _usage("no expression given (standard input was empty)")
    check_items(len(items), f"{len(items):,} expressions are given")
    status = ExitStatus.OK
    many = len(items) > 1
    # --timeout bounds the whole call, however many lines standard input holds; when it
    # runs out, the message says which line was under way (the lines before keep their results)
    for index, (where, text) in enumerate(items, 1):
        limit.where = where
        try:
            _emit(compute(text), fmt, last=index == len(items), **render_options)
        except OutputClosed:
            raise
        except GradcliError as exc:
            if not many or isinstance(exc, OutputError):
                raise
            output.err(exc.lines(prefix=f"{where}: " if where else ""))
            status = max(status, exc.status)
    limit.where = ""
    return int(status)


def _limit() -> Any:
    """The time limit of this call (set up in AliasGroup.invoke), to name what is under way."""
    from ..limits import time_limit

    ctx = click.get_current_context(silent=True)
    limit = ctx.meta.get("gradcli.limit") if ctx is not None else None
    return limit if limit is not None else time_limit(None)


def _not_empty(value: str | None, name: str) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter(f"{name} needs a file name")
    return value


def _not_nan(value: float, name: str) -> float:
    if value != value:  # NaN passes FloatRange's comparisons
        raise click.BadParameter(f"{name} must be a number of seconds, not nan")
    return value


def _usage(message: str) -> GradcliError:
    from ..errors import InputError

    return InputError(message)


# -- the commands ---------------------------------------------------------------------

ALIASES = {"diff": "derivative", "grad": "gradient", "jac": "jacobian", "identity": "check", "ad": "autodiff"}


class AliasGroup(click.Group):
    """A group whose commands also answer to their short aliases."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, ALIASES.get(cmd_name, cmd_name))

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name, cmd, rest = super().resolve_command(ctx, args)
        return (cmd.name if cmd else name), cmd, rest

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command under the time limit (all of it: reading, computing and
        writing); its errors and exit status become an Exit here, so the program and
        Click's test runner see the same statuses."""
        from ..limits import begin_call, time_limit

        begin_call(ctx.params.get("max_length"))
        try:
            with time_limit(ctx.params.get("timeout", DEFAULT_TIMEOUT)) as limit:
                ctx.meta["gradcli.limit"] = limit
                rv = super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except BaseException as exc:  # noqa: BLE001 - mapped to an exit status by report()
            raise click.exceptions.Exit(report(exc, debug=bool(ctx.params.get("debug")))) from None
        if isinstance(rv, int) and rv:
            raise click.exceptions.Exit(rv)
        return rv

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        reverse = {v: k for k, v in ALIASES.items()}
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            label = f"{name} ({reverse[name]})" if name in reverse else name
            rows.append((label, cmd.get_short_help_str(limit=70)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

@click.group(cls=AliasGroup, context_settings=CONTEXT_SETTINGS)
@click.option("-f", "--format", "fmt", type=FORMAT_CHOICE, default="auto", show_default=True,
              help="auto: rich on a terminal, plain when piped.")
@click.option("--timeout", type=click.FloatRange(min=MIN_TIMEOUT, max=MAX_TIMEOUT), default=DEFAULT_TIMEOUT,
              show_default=True, metavar="SECONDS",
              callback=lambda ctx, param, value: _not_nan(value, "--timeout"),
              help="Time limit for all work (reading, computing, writing).")
@click.option("--max-length", "max_length", type=click.IntRange(1, MAX_LENGTH_CEILING), default=MAX_LENGTH,
              show_default=True, metavar="N",
              help="Longest expression, claim or option value, in characters (for generated input).")
@click.option("--input", "input_kind", type=click.Choice(["auto", "plain", "latex"]), default="auto",
              help="Input language (auto: LaTeX when the text starts with a backslash).")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
@click.version_option(package_name="gradcli", prog_name="gradcli", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, fmt: str, timeout: float, max_length: int, input_kind: str, debug: bool) -> None:
    """gradcli: derivatives, gradients, Hessians, Jacobians, the chain rule, Taylor
    polynomials, matrix calculus, and a checker for identities and hand derivations.

    \b
    Examples:
      gradcli derivative 'sin(x)^2 exp(x)'
      gradcli grad 'x^2 y + sin(z)' --at x=1,y=2,z=0
      gradcli -f latex hessian 'x^3 y'
      gradcli taylor 'exp(x)' -n 6 --at 1
      gradcli grad 'x^T B x' --vector x --matrix B --wrt x
      gradcli check 'd/dx sin(x)^2 = 2 sin(x) cos(x)'

    \b
    Expressions: + - * / ^ (or **), implicit products (2x, x y, (x+1)(x-1)),
    pi, e, sin cos tan cot sec csc asin acos atan (arcsin...) sinh cosh tanh
    exp log ln sqrt abs sign log(x, b) erf ..., diff(f, x), and derivative
    operators d/dx, d^2/dx^2, ∂/∂x.  Exit status: 0 ok, 1 a claim is false,
    2 bad input, 3 time limit or an undecided claim.
    """
    ctx.obj = Settings(format=fmt.lower(), timeout=timeout, debug=debug, input=input_kind)


@cli.command("derivative", context_settings=CONTEXT_SETTINGS)
@click.argument("exprs", nargs=-1, required=True, metavar="EXPR")
@click.option("-n", "--order", type=click.IntRange(0, MAX_ORDER), default=1, show_default=True,
              help="Order of the derivative.")
@click.option("--steps", is_flag=True, help="Show the derivation rule by rule.")
@click.option("--definition", is_flag=True, help="The difference quotient (5.3) and its limit (5.4).")
@_common_options
@click.pass_obj
def derivative_cmd(settings: Settings, exprs: tuple[str, ...], order: int, steps: bool, definition: bool,
                   **kw: Any) -> int:
    """d/dx of EXPR; higher order with -n; mixed partials by repeating --wrt
    (--wrt x --wrt y is d/dy(d/dx f)).  EXPR '-' reads one expression a line
    from standard input."""
    from ..app import common as core

    opts = _options(settings, kw)
    return _run(settings, exprs, lambda text: core.derivative(text, opts, wrt=kw["wrt"], order=order,
                                                                steps=steps, definition=definition),
                kw["fmt"], rhs_only=kw["rhs_only"])


@cli.command("gradient", context_settings=CONTEXT_SETTINGS)
@click.argument("exprs", nargs=-1, required=True, metavar="EXPR")
@_common_options
@click.pass_obj
def gradient_cmd(settings: Settings, exprs: tuple[str, ...], **kw: Any) -> int:
    """The gradient of a scalar function: the row vector of partials (5.39;
    a column with --layout denominator), or the gradient w.r.t. a vector or
    matrix symbol (--vector x --wrt x)."""
    from ..app import common as core

    opts = _options(settings, kw)
    return _run(settings, exprs, lambda text: core.gradient(text, opts, wrt=kw["wrt"]), kw["fmt"],
                rhs_only=kw["rhs_only"])


@cli.command("hessian", context_settings=CONTEXT_SETTINGS)
@click.argument("exprs", nargs=-1, required=True, metavar="EXPR")
@_common_options
@click.pass_obj
def hessian_cmd(settings: Settings, exprs: tuple[str, ...], **kw: Any) -> int:
    """The Hessian: the symmetric matrix of second partials (or w.r.t. a vector symbol)."""
    from ..app import common as core

    opts = _options(settings, kw)
    return _run(settings, exprs, lambda text: core.hessian(text, opts, wrt=kw["wrt"]), kw["fmt"],
                rhs_only=kw["rhs_only"])


@cli.command("jacobian", context_settings=CONTEXT_SETTINGS)
@click.argument("exprs", nargs=-1, required=True, metavar="EXPRS")
@click.option("--det", is_flag=True, help="Add the determinant (square Jacobians).")
@_common_options
@click.pass_obj
def jacobian_cmd(settings: Settings, exprs: tuple[str, ...], det: bool, **kw: Any) -> int:
    """The Jacobian of a vector function 'f1, f2, ...' (or '[f1, f2]', or
    several arguments): m functions of n variables give m x n (n x m with
    --layout denominator).  EXPRS '-' reads one system a line."""
    from ..app import common as core

    opts = _options(settings, kw)
    if exprs == ("-",):
        return _run(settings, exprs, lambda text: core.jacobian([text], opts, wrt=kw["wrt"], det=det), kw["fmt"],
                    rhs_only=kw["rhs_only"])
    if "-" in exprs:
        raise _usage("'-' (standard input) must be the only argument")
    exprs = tuple(_unshield(e) for e in exprs)
    return _run(settings, ", ".join(exprs), lambda _: core.jacobian(list(exprs), opts, wrt=kw["wrt"], det=det),
                kw["fmt"], rhs_only=kw["rhs_only"])


@cli.command("chain", context_settings=CONTEXT_SETTINGS)
@click.argument("exprs", nargs=-1, required=True, metavar="EXPR")
@click.option("--sub", "subs", multiple=True, metavar="X=G",
              help="A substitution x_i = g_i(t), repeatable: --sub x1='sin(t)' --sub x2='cos(t)'.")
@_common_options
@click.pass_obj
def chain_cmd(settings: Settings, exprs: tuple[str, ...], subs: tuple[str, ...], **kw: Any) -> int:
    """The chain rule (5.49-5.53): df/dx, dx/dt (or dx/d(s,t)), their product,
    and the result in terms of the parameters (--wrt t, or s,t)."""
    from ..app import common as core

    opts = _options(settings, {**kw, "subs": subs})
    return _run(settings, exprs, lambda text: core.chain(text, opts, subs=subs, wrt=kw["wrt"]), kw["fmt"],
                rhs_only=kw["rhs_only"])


@cli.command("taylor", context_settings=CONTEXT_SETTINGS)
@click.argument("exprs", nargs=-1, required=True, metavar="EXPR")
@click.option("-n", "--order", type=click.IntRange(0, MAX_ORDER), default=5, show_default=True,
              help="Order n; with several variables the total degree.")
@click.option("--table", is_flag=True, help="The table of k, f^(k)(x0) and f^(k)(x0)/k!.")
@click.option("--expand", is_flag=True, help="In powers of x instead of (x - x0).")
@click.option("--plot", type=click.Path(dir_okay=False, writable=True), default=None, metavar="FILE",
              callback=lambda ctx, param, value: _not_empty(value, "--plot"),
              help="Draw f and its Taylor polynomials to FILE.png or FILE.svg (needs gradcli[plot]).")
@_common_options
@click.pass_obj
def taylor_cmd(settings: Settings, exprs: tuple[str, ...], order: int, table: bool, expand: bool,
               plot: str | None, **kw: Any) -> int:
    """The Taylor polynomial T_n (5.7) about --at x0 (default 0); several
    variables with --at x=0,y=0, truncated by total degree n."""
    from ..app import common as core

    if plot and not plot.lower().endswith((".png", ".svg")):
        raise _usage(f"--plot {plot!r}: the file must end in .png or .svg")
    opts = _options(settings, {**kw, "digits": None})
    return _run(settings, exprs, lambda text: core.taylor(text, opts, wrt=kw["wrt"], order=order, table=table,
                                                            expand=expand, plot=plot),
                kw["fmt"], rhs_only=kw["rhs_only"])


@cli.command("autodiff", context_settings=CONTEXT_SETTINGS)
@click.argument("exprs", nargs=-1, required=True, metavar="EXPR")
@click.option("--at", "at", required=True, metavar="POINT",
              help="The point: --at x=1,y=2 (exact values stay exact; a decimal point gives decimals).")
@click.option("-x", "--wrt", "wrt", multiple=True, metavar="VARS",
              help="The inputs, comma separated (default: the free symbols); others are held constant.")
@click.option("--mode", type=click.Choice(["both", "forward", "reverse"]), default="both", show_default=True,
              help="forward: tangents, one sweep per input; reverse: adjoints, one sweep in all.")
@click.option("--graph", type=click.Path(dir_okay=False, writable=True), default=None, metavar="FILE",
              callback=lambda ctx, param, value: _not_empty(value, "--graph"),
              help="Write the computation graph: FILE.dot (Graphviz DOT) or FILE.svg (needs Graphviz's dot).")
@click.option("--digits", type=click.IntRange(1, 1000), default=None,
              help="Significant digits of decimal values (default 15).")
@click.option("-f", "--format", "fmt", type=FORMAT_CHOICE, default=None, help="Output format (overrides the global -f).")
@click.option("--input", "input_kind", type=click.Choice(["auto", "plain", "latex"]), default=None,
              help="Input language (auto: LaTeX when the text starts with a backslash).")
@click.pass_obj
def autodiff_cmd(settings: Settings, exprs: tuple[str, ...], mode: str, graph: str | None, **kw: Any) -> int:
    """Automatic differentiation (5.6): intermediate variables, forward tangents, reverse adjoints.

    \b
    Examples:
      gradcli autodiff 'sqrt(x^2 + exp(x^2)) + cos(x^2 + exp(x^2))' --at x=1
      gradcli ad 'x y + sin(x)' --at x=1,y=2 --mode reverse --graph trace.dot
    """
    from ..app.autodiff import autodiff, check_graph_path, graph_text

    graph_format = check_graph_path(graph) if graph else None
    if graph and (len(exprs) != 1 or exprs == ("-",)):
        raise _usage("--graph writes one graph: give one expression")
    opts = _options(settings, kw)

    def compute(text: str) -> Any:
        result = autodiff(text, opts, wrt=kw["wrt"], mode=mode)
        if graph:
            _write_file(graph, graph_text(result, graph_format))
        return result

    return _run(settings, exprs, compute, kw["fmt"])


def _write_file(path: str, text: str) -> None:
    from ..errors import InputError

    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


@cli.command("check", context_settings=CONTEXT_SETTINGS)
@click.argument("claims", nargs=-1, metavar="CLAIM...")
@click.option("--file", "files", multiple=True, type=click.Path(dir_okay=False), metavar="F",
              help="Claims from a .txt file (one a line, # comments) or a .toml file ([[claim]] tables).")
@click.option("--builtin", is_flag=True, help="Check the built-in catalogue (the book's 5.99-5.108 and more).")
@click.option("--list", "list_only", is_flag=True, help="With --builtin: list the catalogue.")
@click.option("--junit", type=click.Path(dir_okay=False, writable=True), default=None, metavar="FILE",
              callback=lambda ctx, param, value: _not_empty(value, "--junit"),
              help="Write a JUnit XML report, one test case per claim.")
@click.option("--strict", is_flag=True, help="Claims supported only by numeric evidence are unknown.")
@click.option("-f", "--format", "fmt", type=FORMAT_CHOICE, default=None, help="Output format.")
@click.option("--input", "input_kind", type=click.Choice(["auto", "plain", "latex"]), default=None,
              help="Input language.")
@_declaration_options
@click.pass_obj
def check_cmd(settings: Settings, claims: tuple[str, ...], files: tuple[str, ...], builtin: bool, list_only: bool,
              junit: str | None, strict: bool, **kw: Any) -> int:
    """Decide whether claims 'LHS = RHS' hold: true (proved, or shown
    component by component), false (with a counterexample) or unknown.
    CLAIM '-' reads one claim a line.  Exit status: 0 all true, 1 any false,
    3 any unknown (or the time limit) and none false, 2 an unreadable claim
    (the others are still decided and reported)."""
    from .. import output

    fmt = _format(settings, kw["fmt"])
    if list_only:
        if not builtin:
            raise _usage("--list goes with --builtin")
        from ..check.catalogue import listing

        _emit(listing(), fmt, last=True)
        return 0
    from ..check.decide import check_claims, exit_status
    from ..check.claims import collect_claims

    opts = _options(settings, {**kw, "at": None, "digits": None})
    from ..io import read_bounded
    from ..limits import check_items

    limit = _limit()
    check_items(len(claims), f"{len(claims):,} claims are given")
    limit.what = "reading standard input"
    stdin_text = read_bounded(sys.stdin, "standard input") if "-" in claims else None
    limit.what = "reading the claims" if files else "the computation"
    if stdin_text is not None:
        lines = sum(1 for line in stdin_text.splitlines() if line.strip() and not line.strip().startswith("#"))
        check_items(lines, f"standard input holds {lines:,} claims")
    collected = collect_claims(
        tuple(_unshield(c) for c in claims), files=files, builtin=builtin, decl=opts.decl, layout=kw.get("layout", "numerator"),
        latex=opts.latex_input, stdin_text=stdin_text,
    )
    limit.what = "the computation"
    if not collected:
        raise _usage("no claims: give CLAIM arguments, '-', --file F or --builtin")
    import time

    from ..limits import remaining

    check_items(len(collected), f"{len(collected):,} claims are given")
    # the time limit stops the claim being decided; the claims decided are still reported,
    # so the claims stop a little before the call's own limit (which also covers the report)
    left = remaining()
    left = settings.timeout if left is None else left
    report = check_claims(collected, strict=strict, deadline=time.monotonic() + left - min(1.0, 0.1 * left))
    if junit:
        from ..check.junit import write_junit

        write_junit(report, junit)
    errors = [f"error: {r.source or repr(r.claim)}: {r.reason}" for r in report.results if r.verdict == "error"]
    _emit(report, fmt, last=not errors)
    if errors:
        from ..limits import final_output

        with final_output():
            output.err(errors)
    return int(exit_status(report))


def report(exc: BaseException, *, debug: bool = False) -> int:
    """The one place where an exception becomes a message on stderr and an exit status."""
    from ..limits import _Expired, disarm
    from ..output import err

    disarm()  # the call is over: no alarm may interrupt the report
    if isinstance(exc, click.exceptions.Exit):
        return exc.exit_code
    if isinstance(exc, OutputClosed):
        return ExitStatus.OK
    if isinstance(exc, (click.exceptions.Abort, KeyboardInterrupt)):
        err("error: interrupted")
        return ExitStatus.INTERRUPTED
    if isinstance(exc, click.ClickException):
        lines = [f"error: {exc.format_message()}"]
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            lines.append(f"see '{ctx.command_path} --help'")
        err(lines)
        return ExitStatus.BAD_INPUT
    if isinstance(exc, GradcliError):
        err(exc.lines())
        return exc.status
    if isinstance(exc, _Expired):  # a safety net: time_limit converts its own alarms
        err(["error: the computation needed more memory than gradcli allows" if exc.memory else
             "error: the computation did not finish within the time limit",
             "simplify or split the input" if exc.memory else "raise it with --timeout SECONDS"])
        return ExitStatus.INCOMPLETE
    if isinstance(exc, RecursionError):
        err(["error: the expression is too deeply nested to work with", "simplify or split the input"])
        return ExitStatus.BAD_INPUT
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        # Python's limit on the digits of an int shown as text: a number exploded
        from ..limits import MAX_DIGITS

        err(["error: a number in the result has too many digits to show",
             f"gradcli refuses numbers of more than {MAX_DIGITS} digits; ask for a decimal (--digits) or a smaller input"])
        return ExitStatus.BAD_INPUT
    if isinstance(exc, MemoryError):
        err("error: out of memory")
        return ExitStatus.INCOMPLETE
    if debug:
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__)
    err([f"error: internal error: {type(exc).__name__}: {str(exc)[:300]}",
         "this is a bug in gradcli; rerun with --debug for a traceback"])
    return ExitStatus.INCOMPLETE


_OPTION_LIKE = re.compile(r"-(x[\w,]*|n\d*|f[a-z]*|h)$|--.*")


def _unshield(arg: str) -> str:
    return arg[1:] if arg.startswith(" -") else arg


def _shield_expression(arg: str) -> str:
    """'-x^2' or '-sin(x)' is an expression, not the option -x: Click would
    take it for one.  A leading space keeps Click off it (the parser skips
    it).  Arguments that can be options (-x, -xy, -n2, -fjson, --at) are left."""
    if len(arg) > 1 and arg[0] == "-" and not _OPTION_LIKE.match(arg):
        return " " + arg
    return arg


def _quiet_unraisable(previous: Callable[[Any], None]) -> Callable[[Any], None]:
    """sys.unraisablehook: an alarm raised where Python cannot raise it (a ``__del__``) is
    re-raised in a moment, and nothing is printed; the rest goes to the previous hook."""

    def hook(unraisable: Any) -> None:
        from ..limits import on_unraisable

        if not on_unraisable(unraisable.exc_value):
            previous(unraisable)

    hook.gradcli = True  # type: ignore[attr-defined]
    return hook


def _utf8(arg: str) -> str:
    """An argument as UTF-8 text, whatever the locale: under LC_ALL=C Python decodes 'θ'
    as two escaped bytes, which gradcli reads back as the UTF-8 they are (as it reads files)."""
    if not any("\udc80" <= c <= "\udcff" for c in arg):
        return arg
    try:
        return os.fsencode(arg).decode("utf-8")
    except (UnicodeError, ValueError):
        return arg


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI; turn every exception into an exit status."""
    args = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in args
    # no Python traceback reaches a user, not even from a crash outside report() (--debug: all)
    sys.tracebacklimit = 1000 if debug else 0
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(20_000)
    if not getattr(sys.unraisablehook, "gradcli", False):
        sys.unraisablehook = _quiet_unraisable(sys.unraisablehook)
    for stream in (sys.stdout, sys.stderr):
        # text the terminal's encoding cannot take (LC_ALL=C) is written escaped, not a crash
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass
    args = [_shield_expression(_utf8(a)) for a in args]
    if "_GRADCLI_COMPLETE" in os.environ:  # TAB completion: gradcli's own protocol
        from .completion import install

        install()
    try:
        status = cli.main(args=args, prog_name="gradcli", standalone_mode=False)
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - report() maps every exception to a status
        status = report(exc, debug=debug)
    sys.exit(int(status or 0))
