"""The statements of the functions: common subexpressions found once, over f, the gradient and
the Hessian together (one ``sympy.cse``), then for each function the temporaries it needs,
with those it uses once written in place.

Trivial temporaries (a transpose of an argument, a name, a number) are written in place too:
``x.T`` costs nothing and reads better than ``t0``.
"""

from __future__ import annotations

from collections import Counter
from itertools import count
from typing import Any

import sympy as sp

from ..model.shapes import is_matrix

Statement = tuple[Any, Any]  # (temporary symbol, expression)


def _is_trivial(e: Any) -> bool:
    if isinstance(e, (sp.Symbol, sp.MatrixSymbol, sp.Number, sp.NumberSymbol, sp.Identity, sp.ZeroMatrix,
                      sp.OneMatrix)):
        return True
    if isinstance(e, sp.Transpose) and isinstance(e.arg, sp.MatrixSymbol):
        return True
    if isinstance(e, sp.Mul) and len(e.args) == 2 and e.args[0] == -1 and isinstance(e.args[1], sp.Symbol):
        return True
    if isinstance(e, sp.MatMul) and len(e.args) == 2 and e.args[0].is_Number and isinstance(e.args[1], sp.OneMatrix):
        return True  # 2 * ones: the scalar 2 in an entrywise expression
    return isinstance(e, sp.Trace) and is_matrix(e.arg) and tuple(e.arg.shape) == (1, 1) and isinstance(
        e.arg, sp.MatrixSymbol)


def common(outputs: list[Any]) -> tuple[list[Statement], list[Any]]:
    """One ``cse`` over all outputs: (temporaries in order of computation, outputs)."""
    symbols = (sp.Symbol(f"_cse{i}") for i in count())
    replacements, reduced = sp.cse(outputs, symbols=symbols, order="none")
    inlined: dict[Any, Any] = {}
    kept: list[Statement] = []
    for sym, expr in replacements:
        expr = expr.xreplace(inlined) if inlined else expr
        if _is_trivial(expr):
            inlined[sym] = expr
        else:
            kept.append((sym, expr))
    return kept, [r.xreplace(inlined) if inlined else r for r in reduced]


def _symbols(e: Any) -> set[Any]:
    return e.atoms(sp.Symbol, sp.MatrixSymbol) if isinstance(e, (sp.Basic, sp.MatrixBase)) else set()


def _occurrences(e: Any, temps: set[Any]) -> Counter:
    out: Counter = Counter()
    if not isinstance(e, (sp.Basic, sp.MatrixBase)):
        return out
    items = list(e) if isinstance(e, sp.MatrixBase) else [e]
    for item in items:
        for node in sp.preorder_traversal(item):
            if node in temps:
                out[node] += 1
    return out


def for_function(statements: list[Statement], outputs: list[Any]) -> tuple[list[Statement], list[Any]]:
    """The statements ``outputs`` need, those used once written in place."""
    needed: set[Any] = set()
    for out in outputs:
        needed |= _symbols(out)
    kept: list[Statement] = []
    for sym, expr in reversed(statements):
        if sym in needed:
            kept.append((sym, expr))
            needed |= _symbols(expr)
    kept.reverse()
    temps = {sym for sym, _ in kept}
    uses: Counter = Counter()
    for _, expr in kept:
        uses += _occurrences(expr, temps)
    for out in outputs:
        uses += _occurrences(out, temps)
    once = {sym for sym in temps if uses[sym] == 1}
    # in order: a temporary's expression may hold others used once, already in place
    result: list[Statement] = []
    replace: dict[Any, Any] = {}
    for sym, expr in kept:
        expr = expr.xreplace(replace) if replace else expr
        if sym in once:
            replace[sym] = expr
        else:
            result.append((sym, expr))
    outputs = [o.xreplace(replace) if replace and isinstance(o, (sp.Basic, sp.MatrixBase)) else o for o in outputs]
    return result, outputs
