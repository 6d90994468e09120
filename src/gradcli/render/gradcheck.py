"""``codegen --gradcheck`` said in words (plain, LaTeX, rich) and as a JSON object."""

from __future__ import annotations

from typing import Any


def gradcheck_text(g: Any) -> str:
    """``codegen --gradcheck`` in one line: the verdict, the largest relative error, where."""
    sizes = ", ".join(f"{name} = {value}" for name, value in g.sizes)
    where = f"{g.target}{', ' + sizes if sizes else ''}, {g.points} random point{'s' if g.points != 1 else ''}"
    if g.error is None:
        return f"gradcheck FAILED: {g.reason} ({where})"
    import re

    verdict = "passed" if g.passed else "FAILED"
    relation = "below" if g.passed else "not below"
    tolerance = re.sub(r"e([+-])0*(\d)", r"e\1\2", f"{g.tolerance:.0e}")
    return f"gradcheck {verdict}: largest relative error {g.error:.1e}, {relation} {tolerance} ({where})"


def gradcheck_json(g: Any) -> dict:
    """``codegen --gradcheck`` as a JSON object."""
    return {"passed": g.passed, "error": g.error, "gradient_error": g.gradient_error,
            "hessian_error": g.hessian_error, "tolerance": g.tolerance, "points": g.points,
            "sizes": dict(g.sizes), "target": g.target, **({"reason": g.reason} if g.reason else {})}
