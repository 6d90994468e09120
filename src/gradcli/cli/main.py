"""The program: the ``gradcli`` group with its global options, the commands under their
aliases, and ``main``, the one place where an exception becomes a message on stderr and an
exit status (``report``).

This package imports only Click at load time: ``--help`` and TAB completion (which runs
gradcli on every keypress) must not pay for SymPy or Rich.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from ..errors import ExitStatus, GradcliError, OutputClosed, OutputError
from ..limits import (
    DEFAULT_TIMEOUT,
    MAX_DIGITS,
    MAX_LENGTH,
    _Expired,
    begin_call,
    disarm,
    on_unraisable,
    time_limit,
)
from ..output import err, out
from .codegen import codegen_cmd
from .commands import COMMANDS
from .options import (
    CONTEXT_SETTINGS,
    DEBUG_HELP,
    FORMAT_CHOICE,
    FORMAT_HELP,
    INPUT_CHOICE,
    INPUT_HELP,
    LENGTH,
    MAX_LENGTH_HELP,
    SECONDS,
    TIMEOUT_HELP,
    Settings,
    shield_expression,
)

ALIASES = {"diff": "derivative", "grad": "gradient", "jac": "jacobian", "identity": "check", "ad": "autodiff",
           "export": "codegen"}


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
        begin_call(ctx.params.get("max_length"))
        try:
            with time_limit(ctx.params.get("timeout", DEFAULT_TIMEOUT)) as limit:
                ctx.meta["gradcli.limit"] = limit
                rv = super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except BaseException as exc:  # noqa: BLE001 - mapped to an exit status by report()
            debug = bool(ctx.params.get("debug")) or bool(getattr(ctx.obj, "debug", False))
            raise click.exceptions.Exit(report(exc, debug=debug)) from None
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
@click.option("-f", "--format", "fmt", type=FORMAT_CHOICE, default="auto", show_default=True, help=FORMAT_HELP)
@click.option("--timeout", type=SECONDS, default=DEFAULT_TIMEOUT, metavar="SECONDS",
              help=TIMEOUT_HELP + "  [default: 60]")
@click.option("--max-length", "max_length", type=LENGTH, default=MAX_LENGTH, metavar="N",
              help=MAX_LENGTH_HELP + "  [default: 10,000]")
@click.option("--input", "input_kind", type=INPUT_CHOICE, default="auto", show_default=True, help=INPUT_HELP)
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
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
    2 bad input, 3 time limit or an undecided claim.  The options above may
    also follow the command; 'gradcli COMMAND --help' shows its options.
    """
    ctx.obj = Settings(format=fmt.lower(), timeout=timeout, debug=debug, input=input_kind)


for _command in (*COMMANDS, codegen_cmd):
    cli.add_command(_command)


#: The format the call asked for (``-f``), read from its arguments before Click parses them,
#: so that even a usage error becomes a json error record with ``-f json``.
_asked_format: str | None = None


def asked_format(args: list[str]) -> str | None:
    """The last ``-f``/``--format`` value in ``args`` (global or the command's), lower case."""
    fmt = None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            break
        if arg in ("-f", "--format") and i + 1 < len(args):
            fmt, i = args[i + 1], i + 2
            continue
        if arg.startswith("--format="):
            fmt = arg.partition("=")[2]
        elif arg.startswith("-f") and not arg.startswith("--") and len(arg) > 2:
            fmt = arg[2:].lstrip("=")
        i += 1
    return fmt.strip().lower() if fmt else None


def report(exc: BaseException, *, debug: bool = False) -> int:
    """The one place where an exception becomes a message on stderr and an exit status
    (with ``-f json``, also a json error record on stdout: ``{"schema": 1, "error": ...,
    "exit": N}``; the status is the same)."""
    disarm()  # the call is over: no alarm may interrupt the report
    if isinstance(exc, click.exceptions.Exit):
        return exc.exit_code
    if isinstance(exc, OutputClosed):
        return ExitStatus.OK
    lines, status, fields = _described(exc, debug)
    err(lines)
    if _asked_format == "json" and not isinstance(exc, OutputError):
        from ..render.json import error_record

        try:
            out(error_record(fields.pop("error"), status, **fields), json=True)
        except (OutputClosed, OutputError):
            pass
    return int(status)


def _described(exc: BaseException, debug: bool) -> tuple[list[str], int, dict]:
    """The lines for stderr, the exit status and the fields of a json error record."""
    if isinstance(exc, (click.exceptions.Abort, KeyboardInterrupt)):
        return ["error: interrupted"], ExitStatus.INTERRUPTED, {"error": "interrupted"}
    if isinstance(exc, click.ClickException):
        message = exc.format_message()
        lines = [f"error: {message}"]
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            lines.append(f"see '{ctx.command_path} --help'")
        return lines, ExitStatus.BAD_INPUT, {"error": message, "hint": lines[1] if len(lines) > 1 else None}
    if isinstance(exc, GradcliError):
        return exc.lines(), exc.status, exc.fields()
    if isinstance(exc, _Expired):  # a safety net: time_limit converts its own alarms
        lines = ["error: the computation needed more memory than gradcli allows" if exc.memory else
                 "error: the computation did not finish within the time limit",
                 "simplify or split the input" if exc.memory else "raise it with --timeout SECONDS"]
        status = ExitStatus.INCOMPLETE
    elif isinstance(exc, RecursionError):
        lines = ["error: the expression is too deeply nested to work with", "simplify or split the input"]
        status = ExitStatus.BAD_INPUT
    elif isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        # Python's limit on the digits of an int shown as text: a number exploded
        lines = ["error: a number in the result has too many digits to show",
                 f"gradcli refuses numbers of more than {MAX_DIGITS} digits; "
                 "ask for a decimal (--digits) or a smaller input"]
        status = ExitStatus.BAD_INPUT
    elif isinstance(exc, MemoryError):
        lines, status = ["error: out of memory"], ExitStatus.INCOMPLETE
    else:
        if debug:
            import traceback

            traceback.print_exception(type(exc), exc, exc.__traceback__)
        lines = [f"error: internal error: {type(exc).__name__}: {str(exc)[:300]}",
                 "this is a bug in gradcli; rerun with --debug for a traceback"]
        status = ExitStatus.INCOMPLETE
    return lines, status, {"error": lines[0].removeprefix("error: "), "hint": lines[1] if len(lines) > 1 else None}


def _quiet_unraisable(previous: Callable[[Any], None]) -> Callable[[Any], None]:
    """sys.unraisablehook: an alarm raised where Python cannot raise it (a ``__del__``) is
    re-raised in a moment, and nothing is printed; the rest goes to the previous hook."""

    def hook(unraisable: Any) -> None:
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


def _run(args: list[str]) -> Any:
    """What ``cli.main(standalone_mode=False)`` does, without its newline on stderr at Ctrl-C
    (Click writes one before it raises Abort): the context, the command, Exit's status.
    TAB completion goes through Click's main, which answers it."""
    if "_GRADCLI_COMPLETE" in os.environ:
        return cli.main(args=args, prog_name="gradcli", standalone_mode=False)
    try:
        with cli.make_context("gradcli", args) as ctx:
            return cli.invoke(ctx)
    except click.exceptions.Exit as exc:
        return exc.exit_code


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
    args = [shield_expression(_utf8(a)) for a in args]
    global _asked_format
    _asked_format = asked_format(args)
    if not args:  # bare 'gradcli': the help, not an error
        args = ["--help"]
    if "_GRADCLI_COMPLETE" in os.environ:  # TAB completion: gradcli's own protocol
        from .completion import install

        install()
    try:
        status = _run(args)
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - report() maps every exception to a status
        status = report(exc, debug=debug)
    sys.exit(int(status or 0))
