"""From a comparison's outcome to a verdict: the method, the counterexample and the reason
a person reads, a layout hint where the sides are each other's transpose, and a matrix claim
decided at one concrete size."""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..model.layout import Layout
from ..model.shapes import is_matrix, shape_text
from .compare import _NOT_EVALUABLE, _compare_built, _compare_matrix_exact, _Outcome
from .numeric import DIGITS, _compare_at, _fmt_point, _literal_digits, _scalar_symbols, _shape
from .sampling import _points
from .verdict import ClaimVerdict, Evidence, counterexample, shapes_counterexample, value_text


def _shape_text(obj: Any) -> str:
    if not is_matrix(obj) or tuple(obj.shape) == (1, 1):
        return "a scalar"
    return shape_text(tuple(obj.shape))


def _shape_list(obj: Any) -> list:
    """A side's shape for a counterexample: [] for a scalar, sizes as numbers or names."""
    if not is_matrix(obj) or tuple(obj.shape) == (1, 1):
        return []
    return [int(d) if getattr(d, "is_Integer", False) or isinstance(d, int) else str(d) for d in obj.shape]


def _layout_hint(layout: str, matters: bool = True) -> str:
    if not matters:
        return ("the sides are transposes of each other: a transpose is missing or extra "
                "(the layout does not change a derivative of a scalar by a matrix)")
    other = Layout(layout).other
    return f"the sides are transposes of each other: check the layout (--layout {other}?)"


def _finish(out: _Outcome, suffix: str, strict: bool, verdict, L, R, *, hint: str = "", sizes: dict | None = None,
            prefix: str = "") -> ClaimVerdict:
    """A verdict from the outcome of a plain comparison (or a matrix counterexample)."""
    if out.status == "proved":
        return verdict("true", f"{prefix}symbolic: {out.how}{suffix}", lhs=L, rhs=R, evidence=Evidence.PROOF)
    if out.status == "exact":
        return verdict("true", f"{prefix}exact at random rational points{suffix}", lhs=L, rhs=R,
                       evidence=Evidence.EXACT)
    if out.status == "numeric":
        method = f"{prefix}{out.how}{suffix}"
        if strict:
            return verdict("unknown", method, lhs=L, rhs=R,
                           reason="no symbolic proof; supported only by numeric evidence (strict)")
        return verdict("true", method, lhs=L, rhs=R, evidence=Evidence.NUMERIC)
    if out.status == "false":
        cex = counterexample(_fmt_point(out.point or {}), out.lhs_value, out.rhs_value, exact=out.exact, sizes=sizes)
        where = ", ".join(f"{k} = {v}" for k, v in cex["point"].items()) or "every point"
        if sizes:
            where = ", ".join(f"{k} = {v}" for k, v in cex["sizes"].items()) + "; " + where
        reason = f"the sides differ at {where}: {value_text(out.lhs_value)} != {value_text(out.rhs_value)}"
        if len(reason) > 400:
            reason = reason[:397] + "..."
        method = f"{prefix}counterexample" + (", exact" if out.exact else f", {DIGITS}+ digits, confirmed") + suffix
        evidence = Evidence.EXACT if out.exact else Evidence.NUMERIC
        if out.difference:
            evidence = Evidence.PROOF
            cex["difference"] = out.difference
            method = f"{prefix}symbolic: lhs - rhs is the nonzero constant {out.difference}{suffix}"
            reason = (f"lhs - rhs = {out.difference} at every point where both sides are defined, e.g. {where}"
                      if cex["point"] else f"lhs - rhs = {out.difference}")
        return verdict("false", method, lhs=L, rhs=R, counterexample=cex, hint=hint, reason=reason,
                       evidence=evidence)
    return verdict("unknown", "none", lhs=L, rhs=R, reason=out.reason or _NOT_EVALUABLE)


def _display(symbolic: tuple | None, fallback: Any, index: int) -> Any:
    if symbolic is not None:
        return symbolic[index]
    return fallback


def _one_size(L, R, sizes, clock, seed, layout, strict, verdict, symbolic, matters=True, operands=lambda: []):
    """Compare the explicit sides at one size: a ClaimVerdict (false) or (kind, info)."""
    Ld, Rd = _display(symbolic, L, 0), _display(symbolic, R, 1)
    size_note = ", ".join(f"{k} = {v}" for k, v in sizes.items())
    if _shape(L) != _shape(R):
        shown = (L, R)
        if symbolic is not None and _shape_text(symbolic[0]) != _shape_text(symbolic[1]):
            shown = symbolic
        ls, rs = _shape_text(shown[0]), _shape_text(shown[1])
        hint = _layout_hint(layout, matters) if _transposed(L, R, seed) else ""
        cex = shapes_counterexample(_shape_list(shown[0]), _shape_list(shown[1]), sizes)
        at = f" (at {size_note})" if size_note and (ls, rs) == (_shape_text(L), _shape_text(R)) else ""
        return verdict("false", "shapes differ", lhs=Ld, rhs=Rd, hint=hint, counterexample=cex, evidence=Evidence.PROOF,
                       reason=f"the sides have different shapes: the left side is {ls}, the right side {rs}{at}")
    seed2 = seed + sum(sizes.values()) if sizes else seed
    out = _compare_matrix_exact(L, R, clock, seed2)
    if out is None:
        out = _compare_built(L, R, clock, seed2, exact_first=False, operands=operands())
    if out.status == "false":
        hint = _layout_hint(layout, matters) if _transposed(L, R, seed) else ""
        return _finish(out, f" at {size_note}" if size_note else "", strict, verdict, Ld, Rd, hint=hint,
                       sizes=sizes, prefix="components, ")
    if out.status == "proved":
        return ("proved", out.how)
    if out.status == "exact":
        return ("exact", out.points)
    if out.status == "numeric":
        return ("numeric", (out.points, out.how))
    return ("unknown", out.reason or _NOT_EVALUABLE)


def _transposed(L: Any, R: Any, seed: int) -> bool:
    """Is L the transpose of R (at a random point, exactly or to 50 digits)?"""
    if not (isinstance(L, sp.MatrixBase) and isinstance(R, sp.MatrixBase)):
        return False
    if tuple(L.shape) != tuple(R.shape)[::-1] or tuple(L.shape) == (1, 1):
        return False
    RT = R.T
    if L == RT:
        return True
    symbols = _scalar_symbols(L, R)
    extra = _literal_digits(L, R)
    tried = 0
    for point in _points(symbols, seed + 7):
        tried += 1
        if tried > 6:
            return False
        results = [_compare_at(l, r, point, extra) for l, r in zip(L, RT)]
        if any(x.status == "skip" for x in results):
            continue
        return all(x.status == "agree" for x in results)
    return False
