"""What the core returns and the renderers show: frozen records (gradcli.record).

Every command's core function returns one of these; renderers (one module
per output format) turn them into text.  Fields hold SymPy objects; nothing
here prints.
"""

from __future__ import annotations

from .record import record
from typing import Any


@record
class Point:
    """An evaluation point: ``--at x=1,y=pi/2``."""

    values: tuple[tuple[Any, Any], ...]  # (Symbol, value)
    decimal: bool = False  # a value was written with a decimal point
    digits: int | None = None
    text: str = ""

    def as_dict(self) -> dict:
        return dict(self.values)


@record
class DerivativeResult:
    input: str
    function: Any
    wrt: tuple[tuple[Any, int], ...]  # (variable, order) in the order applied
    result: Any
    value: Any = None
    point: Point | None = None
    steps: Any = None  # calculus.steps.StepsResult
    definition: Any = None  # calculus.definition.DefinitionResult
    simplified: bool = True
    command: str = "derivative"

    @property
    def variables(self) -> tuple[Any, ...]:
        out: list[Any] = []
        for var, order in self.wrt:
            out.extend([var] * order)
        return tuple(out)


@record
class MatrixResult:
    """gradient / hessian / jacobian of scalar variables or matrix symbols."""

    command: str  # gradient | hessian | jacobian
    input: str
    function: Any  # scalar expr, or tuple of exprs (jacobian)
    wrt: tuple[Any, ...]
    result: Any  # ImmutableMatrix, or a matrix expression
    layout: str = "numerator"
    value: Any = None
    point: Point | None = None
    determinant: Any = None
    determinant_value: Any = None
    symbolic: bool = False  # result is a matrix expression (w.r.t. vectors/matrices)


@record
class ChainRuleResult:
    input: str
    chain: Any  # calculus.multivar.ChainResult
    value: Any = None
    point: Point | None = None
    command: str = "chain"


@record
class TaylorReport:
    input: str
    taylor: Any  # calculus.taylor.TaylorResult
    table: bool = False
    plot: str | None = None
    command: str = "taylor"


@record
class ClaimVerdict:
    claim: str
    verdict: str  # "true" | "false" | "unknown" | "error" (the claim could not be read)
    method: str
    name: str | None = None
    reason: str = ""
    counterexample: dict | None = None  # {"point": {...}, "sizes": {...}, "lhs": str, "rhs": str}
    lhs: Any = None
    rhs: Any = None
    hint: str = ""
    source: str = ""  # "file.txt:3" etc.
    seconds: float = 0.0
    #: the sides as written (derivative operators unevaluated), for LaTeX
    lhs_display: Any = None
    rhs_display: Any = None


@record
class CheckReport:
    results: tuple[ClaimVerdict, ...]
    command: str = "check"

    def count(self, verdict: str) -> int:
        return sum(1 for r in self.results if r.verdict == verdict)


@record
class CatalogueListing:
    entries: tuple[Any, ...]
    command: str = "check"


@record
class Batch:
    """Several results of one command (EXPR '-' on stdin)."""

    items: tuple[Any, ...] = ()
