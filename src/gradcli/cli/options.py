"""The command line's options, and what they become: global ``Settings``, the shared
options of the computing commands, the use cases' ``Options`` (declarations checked, every
text value within the length limit), the output format, and expressions that start with a
minus sign (``-x^2`` is not the option ``-x``).

Imports only Click at load time (``--help`` and TAB completion pay for nothing else).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import click

from ..errors import GradcliError, InputError
from ..limits import (
    DEFAULT_TIMEOUT,
    MAX_DECIMAL_DIGITS,
    MAX_LENGTH_CEILING,
    MAX_ORDER,
    MAX_SIZE,
    MAX_TIMEOUT,
    MIN_TIMEOUT,
    check_length,
)
from ..model.layout import LAYOUTS, Layout
from ..record import record

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
FORMAT_CHOICE = click.Choice(["auto", "rich", "plain", "latex", "json"], case_sensitive=False)
INPUT_CHOICE = click.Choice(["auto", "plain", "latex"])


@record(frozen=False)
class Settings:
    format: str = "auto"
    timeout: float = DEFAULT_TIMEOUT
    debug: bool = False
    input: str = "auto"


def number_text(v: float) -> str:
    """A bound as a person writes it: 1,000,000 (not 1000000.0), 0.01."""
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,g}"


class Number(click.ParamType):
    """A number in a range, refused in words (``0 is not between 0.01 and 1,000,000``) where
    Click would print ``0.01<=x<=1000000.0``; the help says the range itself."""

    name = "number"

    def __init__(self, kind: type, low: float, high: float, what: str = "a number"):
        self.kind, self.low, self.high, self.what = kind, low, high, what

    @property
    def range_text(self) -> str:
        return f"{number_text(self.low)} to {number_text(self.high)}"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, self.kind) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = self.kind(str(value).strip())
            except ValueError:
                self.fail(f"{value.strip() if isinstance(value, str) else value!r} is not {self.what}", param, ctx)
        if not (self.low <= number <= self.high):  # NaN fails here too
            self.fail(f"{str(value).strip()} is not between {number_text(self.low)} and "
                      f"{number_text(self.high)}", param, ctx)
        return number


SECONDS = Number(float, MIN_TIMEOUT, MAX_TIMEOUT, "a number of seconds")
LENGTH = Number(int, 1, MAX_LENGTH_CEILING, "a whole number")
DIGITS = Number(int, 1, MAX_DECIMAL_DIGITS, "a whole number")
ORDER = Number(int, 0, MAX_ORDER, "a whole number")
SIZE = Number(int, 1, MAX_SIZE, "a whole number")

#: The help of the options shared by the group and every command (a command's own value wins).
FORMAT_HELP = "Output format; auto: rich at a terminal, plain when piped."
TIMEOUT_HELP = f"Time limit in seconds for all work: reading, computing, writing ({SECONDS.range_text})."
MAX_LENGTH_HELP = f"Longest expression, claim or option value in characters ({LENGTH.range_text})."
INPUT_HELP = "Input language; auto: LaTeX when the text has a backslash."
DEBUG_HELP = "Show a traceback on internal errors."


def _settings(ctx: click.Context) -> Settings | None:
    return ctx.find_object(Settings)


def _set_timeout(ctx: click.Context, param: Any, value: float | None) -> None:
    """``--timeout`` after the command: the call's time limit, counted from its start."""
    if value is None or ctx.resilient_parsing:
        return
    settings = _settings(ctx)
    if settings is not None:
        settings.timeout = value
    limit = ctx.meta.get("gradcli.limit")
    if limit is not None:
        limit.retime(value)


def _set_max_length(ctx: click.Context, param: Any, value: int | None) -> None:
    if value is not None and not ctx.resilient_parsing:
        from ..limits import set_max_length

        set_max_length(value)


def _set_debug(ctx: click.Context, param: Any, value: bool) -> None:
    settings = _settings(ctx)
    if value and settings is not None:
        settings.debug = True


def shared_options(f: Callable) -> Callable:
    """The global options, also accepted after the command (``gradcli derivative x -f json
    --timeout 5``)."""
    options = [
        click.option("-f", "--format", "fmt", type=FORMAT_CHOICE, default=None, help=FORMAT_HELP),
        click.option("--input", "input_kind", type=INPUT_CHOICE, default=None, help=INPUT_HELP),
        click.option("--timeout", type=SECONDS, default=None, metavar="SECONDS", expose_value=False,
                     callback=_set_timeout, help=TIMEOUT_HELP + "  [default: 60]"),
        click.option("--max-length", type=LENGTH, default=None, metavar="N", expose_value=False,
                     callback=_set_max_length, help=MAX_LENGTH_HELP + "  [default: 10,000]"),
        click.option("--debug", is_flag=True, expose_value=False, callback=_set_debug, help=DEBUG_HELP),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def declaration_options(f: Callable) -> Callable:
    options = [
        click.option("--vector", "vectors", multiple=True, metavar="VARS",
                     help="Declare column vectors (n x 1), comma separated: --vector a,b,x."),
        click.option("--matrix", "matrices", multiple=True, metavar="VARS",
                     help="Declare n x n matrices: --matrix A,B,X."),
        click.option("--symmetric", "symmetric", multiple=True, metavar="VARS",
                     help="Declare symmetric n x n matrices: --symmetric W."),
        click.option("--shape", "shapes", multiple=True, metavar="NAME=RxC",
                     help="Declare a shape: --shape X=3x2 or --shape 'X=m x n'."),
        click.option("--dim", type=SIZE, default=None, metavar="N",
                     help=f"The size n behind --vector and --matrix ({SIZE.range_text}; default: a symbol n)."),
        click.option("--layout", type=click.Choice(LAYOUTS), default=Layout.NUMERATOR.value,
                     show_default=True, help="Layout convention for derivatives by vectors."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


AT_HELP = ("Also evaluate at a point: --at x=1,y=pi/2 (a decimal point gives decimals); "
           "arrays: --at 'x=[1,2]' --at 'A=[[1,2],[3,4]]'.")
DIGITS_HELP = f"Significant digits of a decimal value ({DIGITS.range_text}; default 15)."


def common_options(*, at_help: str = AT_HELP, digits: bool = True) -> Callable[[Callable], Callable]:
    """The options of the computing commands; ``at_help`` says what ``--at`` is to the
    command (taylor: the centre)."""

    def decorate(f: Callable) -> Callable:
        options = [
            click.option("-x", "--wrt", "wrt", multiple=True, metavar="VARS",
                         help="Variables, comma separated (default: the free symbols, x2 before x10)."),
            click.option("--at", "at", multiple=True, metavar="POINT", help=at_help),
            *([click.option("--digits", type=DIGITS, default=None, metavar="N", help=DIGITS_HELP)] if digits else []),
            click.option("--simplify/--no-simplify", default=True, show_default=True,
                         help="Simplify results (bounded in time)."),
            click.option("--rhs-only", is_flag=True, help="LaTeX: the result alone, without the left-hand side."),
        ]
        f = declaration_options(shared_options(f))
        for option in reversed(options):
            f = option(f)
        return f

    return decorate


#: Options whose values are text gradcli reads: each counts toward the length limit.
_TEXT_OPTIONS = {"wrt": "--wrt", "at": "--at", "vectors": "--vector", "matrices": "--matrix",
                 "symmetric": "--symmetric", "shapes": "--shape", "subs": "--sub"}


def _check_option_lengths(kw: dict[str, Any]) -> None:
    for key, option in _TEXT_OPTIONS.items():
        value = kw.get(key)
        if isinstance(value, (tuple, list)):
            value = " ".join(value)
        if value:
            check_length(value, f"the value of {option}")


def _joined_at(at: Any) -> str | None:
    """--at given once (a string) or repeated (a tuple of strings, joined by commas)."""
    if isinstance(at, (tuple, list)):
        return ",".join(at) if at else None
    return at or None


def command_options(settings: Settings, kw: dict[str, Any]) -> Any:
    from ..app.common import Options
    from ..model.declarations import Declarations, check_declarations
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
        layout=kw.get("layout", Layout.NUMERATOR),
        simplify=kw.get("simplify", True),
        at=_joined_at(kw.get("at")),
        digits=kw.get("digits"),
        latex_input=input_kind == "latex",
    )


def _shape_pairs(specs: tuple[str, ...]) -> list[tuple[str, str]]:
    from ..model.declarations import parse_shape

    out = []
    for spec in specs:
        name, _ = parse_shape(spec, None)  # validates
        out.append((name, spec.partition("=")[2]))
    return out


def output_format(settings: Settings, override: str | None) -> str:
    fmt = (override or settings.format).lower()
    if fmt == "auto":
        from ..output import stdout_is_terminal, stdout_takes_unicode

        # rich on a terminal that can show its maths (an ASCII-only locale gets plain)
        fmt = "rich" if stdout_is_terminal() and stdout_takes_unicode() else "plain"
    return fmt


def not_empty(value: str | None, name: str) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter(f"{name} needs a file name")
    return value


def usage(message: str) -> GradcliError:
    return InputError(message)


# -- expressions that start with a minus sign ---------------------------------------------

_OPTION_LIKE = re.compile(r"-(x[\w,]*|n\d*|f[a-z]*|h|o)$|--.*")


def unshield(arg: str) -> str:
    return arg[1:] if arg.startswith(" -") else arg


def shield_expression(arg: str) -> str:
    """'-x^2' or '-sin(x)' is an expression, not the option -x: Click would
    take it for one.  A leading space keeps Click off it (the parser skips
    it).  Arguments that can be options (-x, -xy, -n2, -fjson, -o, --at) are left."""
    if len(arg) > 1 and arg[0] == "-" and not _OPTION_LIKE.match(arg):
        return " " + arg
    return arg

