"""What code is generated from (``Problem``: f, its gradient and Hessian from gradcli's own
calculus, the arguments and the target) and what comes out (``Module``: the source and what
a caller needs to run it)."""

from __future__ import annotations

from typing import Any

from ..record import record


@record
class Argument:
    """One argument of the generated functions."""

    name: str  # in the expression
    code: str  # in the code (np -> np_)
    symbol: Any  # the SymPy symbol (Symbol or MatrixSymbol)
    shape: tuple = ()  # () for a scalar; (rows, cols) with SymPy sizes
    symmetric: bool = False
    variable: bool = False  # differentiated by (--wrt)

    @property
    def kind(self) -> str:
        if not self.shape:
            return "scalar"
        rows, cols = self.shape
        if rows == 1 and cols == 1:
            return "scalar"
        return "vector" if rows == 1 or cols == 1 else "matrix"


@record
class Problem:
    input: str  # the expression as given
    command: str  # the gradcli command line that writes the module
    function: Any
    gradient: Any
    hessian: Any  # None without --hessian
    arguments: tuple[Argument, ...]
    layout: str
    target: str = "numpy"
    #: the maths as gradcli writes it (plain text, for the docstring)
    function_text: str = ""
    gradient_text: str = ""
    hessian_text: str = ""
    #: the longest line (a test file indents functions it embeds)
    width: int = 99


@record
class Module:
    source: str
    target: str
    arguments: tuple[Argument, ...]
    functions: tuple[str, ...]  # f, grad_f[, hess_f]
    #: {SymPy size symbol: its name in the code}
    sizes: tuple[tuple[Any, str], ...] = ()
    #: the parts of ``source`` a test file reuses
    imports: tuple[str, ...] = ()
    body: str = ""  # helpers and functions
    docstring: str = ""
    definitions: tuple[tuple[str, str], ...] = ()  # (function name, its source)
    helpers: tuple[str, ...] = ()  # the sources of the helpers the functions call

    @property
    def variables(self) -> tuple[Argument, ...]:
        return tuple(a for a in self.arguments if a.variable)
