"""What ``check`` says of each claim: a ``Verdict`` (true, false, unknown, or error for a
claim that could not be read) with its method, reason and counterexample; the report of a
run, and the exit status it gives."""

from __future__ import annotations

from typing import Any, ClassVar

from ..errors import ExitStatus
from ..record import TextEnum, record


class Evidence(TextEnum):
    """What a verdict rests on (json's ``evidence``; rich, plain and LaTeX show numeric
    evidence apart from a proof)."""

    #: a symbolic proof (an identity of expressions; a nonzero constant difference; shapes
    #: that differ)
    PROOF = "proof"
    #: exact arithmetic: every component at concrete sizes, or random rational points of a
    #: claim made of rational operations; or an exact counterexample
    EXACT = "exact"
    #: agreement to 50 significant digits at sample points (or a counterexample confirmed at
    #: a higher precision); never a proof, and --strict makes such a "true" unknown
    NUMERIC = "numeric"
    #: nothing decided (unknown, or a claim that could not be read)
    NONE = "none"


class Verdict(TextEnum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"
    #: the claim could not be read (a syntax error, no '=', a bad declaration)
    ERROR = "error"


@record
class ClaimVerdict:
    claim: str
    verdict: str  # a Verdict
    method: str
    name: str | None = None
    reason: str = ""
    #: where the sides differ: {"point": {name: value}, "sizes": {name: int} (matrix claims),
    #: "lhs", "rhs": a value (text) or a matrix's entries row by row, "shape": [rows, cols]
    #: (matrices), "exact": bool, "difference": text (a nonzero constant lhs - rhs)}; or, when
    #: the shapes differ, {"point": {}, "lhs_shape": [...], "rhs_shape": [...]} ([] a scalar)
    counterexample: dict | None = None
    lhs: Any = None
    rhs: Any = None
    hint: str = ""
    source: str = ""  # "file.txt:3" etc.
    seconds: float = 0.0
    #: the sides as written (derivative operators unevaluated), for LaTeX
    lhs_display: Any = None
    rhs_display: Any = None
    evidence: str = "none"  # an Evidence
    #: the claim's syntax tree (``language.ast``), to show it as written
    tree: Any = None


@record
class CheckReport:
    command: ClassVar[str] = "check"

    results: tuple[ClaimVerdict, ...]

    def count(self, verdict: str) -> int:
        return sum(1 for r in self.results if r.verdict == verdict)


def exit_status(report: CheckReport) -> ExitStatus:
    """2 when a claim could not be read, else 1 when any is false, else 3 when any is unknown
    (the time limit included), else 0."""
    verdicts = {r.verdict for r in report.results}
    if Verdict.ERROR in verdicts:
        return ExitStatus.BAD_INPUT
    if Verdict.FALSE in verdicts:
        return ExitStatus.CLAIM_FALSE
    if Verdict.UNKNOWN in verdicts:
        return ExitStatus.INCOMPLETE
    return ExitStatus.OK


def value_text(value: Any) -> str:
    """A side of a counterexample as text: a number, or a matrix's rows as ``[[4, 4]]``."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    return str(value)


def shape_words(shape: Any) -> str:
    """A side's shape in a counterexample (``lhs_shape``) as text: ``2 x 1``, ``a scalar``."""
    return f"{shape[0]} x {shape[1]}" if shape else "a scalar"


def counterexample(point: dict, lhs: Any, rhs: Any, *, exact: bool, sizes: dict | None = None) -> dict:
    """The counterexample of a false verdict, with the shape of matrix sides."""
    cex: dict[str, Any] = {"point": point, "lhs": lhs, "rhs": rhs, "exact": exact}
    if isinstance(lhs, list) and lhs and isinstance(lhs[0], list):
        cex["shape"] = [len(lhs), len(lhs[0])]
    if sizes:
        cex["sizes"] = {str(k): int(v) for k, v in sizes.items()}
    return cex


def shapes_counterexample(lhs_shape: list, rhs_shape: list, sizes: dict | None = None) -> dict:
    """The counterexample of sides whose shapes differ: both shapes ([] for a scalar)."""
    cex: dict[str, Any] = {"point": {}, "lhs_shape": lhs_shape, "rhs_shape": rhs_shape}
    if sizes:
        cex["sizes"] = {str(k): int(v) for k, v in sizes.items()}
    return cex
