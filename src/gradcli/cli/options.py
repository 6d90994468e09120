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
from ..limits import DEFAULT_TIMEOUT, MAX_DECIMAL_DIGITS, MAX_SIZE, check_length
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


def declaration_options(f: Callable) -> Callable:
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
        click.option("--layout", type=click.Choice(LAYOUTS), default=Layout.NUMERATOR.value,
                     show_default=True, help="Layout convention for derivatives by vectors."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def common_options(f: Callable) -> Callable:
    options = [
        click.option("-x", "--wrt", "wrt", multiple=True, metavar="VARS",
                     help="Variables, comma separated (default: the free symbols, x2 before x10)."),
        click.option("--at", "at", multiple=True, metavar="POINT",
                     help="Also evaluate at a point: --at x=1,y=pi/2 (a decimal point gives decimals); "
                          "arrays: --at 'x=[1,2]' --at 'A=[[1,2],[3,4]]'."),
        click.option("--digits", type=click.IntRange(1, MAX_DECIMAL_DIGITS), default=None,
                     help="Significant digits of a decimal value (default 15)."),
        click.option("--simplify/--no-simplify", default=True, show_default=True,
                     help="Simplify results (bounded in time)."),
        click.option("--rhs-only", is_flag=True, help="LaTeX: the result alone, without the left-hand side."),
        click.option("-f", "--format", "fmt", type=FORMAT_CHOICE, default=None,
                     help="Output format (overrides the global -f)."),
        click.option("--input", "input_kind", type=INPUT_CHOICE, default=None,
                     help="Input language (auto: LaTeX when the text starts with a backslash)."),
    ]
    f = declaration_options(f)
    for option in reversed(options):
        f = option(f)
    return f


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


def not_nan(value: float, name: str) -> float:
    if value != value:  # NaN passes FloatRange's comparisons
        raise click.BadParameter(f"{name} must be a number of seconds, not nan")
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
