"""The book's identities 5.99-5.102 for a matrix function f(X), checked entry by entry of the
tensor df/dX, exactly, at concrete sizes: the left sides are computed from the explicit
entries of f(X)^T, tr f(X), det f(X) and f(X)^-1, independently of the right sides."""

from __future__ import annotations

import time
import zlib
from collections.abc import Sequence
from typing import Any

import sympy as sp

from ..calculus.derivative import build
from ..errors import InputError, TimeLimitExceeded
from ..language import parse
from ..limits import time_limit
from ..model.declarations import DEFAULT_DIM, Context, Declarations
from .compare import CLAIM_SECONDS, _Clock, _compare_matrix_exact, _compare_pairs, _OutOfTime
from .numeric import _fmt_point
from .verdict import ClaimVerdict, Evidence, counterexample

#: The book's identities for a matrix function f(X), as checked per entry (k, l) of X, where
#: T_kl = d f(X) / d X_kl is an n x n matrix (the (k, l) slice of the tensor df/dX):
TENSOR_IDENTITIES: dict[str, str] = {
    "5.99": "d (f(X)^T) / dX_kl = (T_kl)^T",
    "5.100": "d tr(f(X)) / dX_kl = tr(T_kl)",
    "5.101": "d det(f(X)) / dX_kl = det(f(X)) tr(f(X)^-1 T_kl)",
    "5.102": "d (f(X)^-1) / dX_kl = -f(X)^-1 T_kl f(X)^-1",
}

TENSOR_SIZES = (1, 2, 3)


def _tensor_sides(identity: str, F: sp.ImmutableMatrix, X: sp.ImmutableMatrix) -> tuple[list, list]:
    n = F.rows
    ls: list = []
    rs: list = []
    if identity in ("5.101", "5.102"):
        det = F.det(method="berkowitz")
        adj = F.adjugate()
        inv = adj / det
    for k in range(X.rows):
        for l in range(X.cols):
            xkl = X[k, l]
            T = F.diff(xkl)
            if identity == "5.99":
                ls += list(F.T.diff(xkl))
                rs += list(T.T)
            elif identity == "5.100":
                ls.append(sp.diff(F.trace(), xkl))
                rs.append(T.trace())
            elif identity == "5.101":
                ls.append(sp.diff(det, xkl))
                rs.append(det * (inv * T).trace())
            elif identity == "5.102":
                ls += list(inv.diff(xkl))
                rs += list(-inv * T * inv)
            else:  # pragma: no cover - catalogue data
                raise InputError(f"no tensor identity {identity}")
    assert n == F.cols
    return ls, rs


def decide_tensor(identity: str, f_text: str, decl: Declarations | None = None, *, name: str | None = None,
                  source: str = "", claim: str = "", budget: float | None = CLAIM_SECONDS,
                  sizes: Sequence[int] = TENSOR_SIZES) -> ClaimVerdict:
    """Check one of the book's identities 5.99-5.102 for the concrete matrix function
    ``f_text`` of X (e.g. ``"X X"``), entry by entry of the tensor df/dX, exactly, at the
    given sizes (see TENSOR_IDENTITIES for what is compared)."""
    started = time.monotonic()
    decl = decl or Declarations(matrices=("X",))
    node = parse(f_text)
    clock = _Clock(budget)
    claim = claim or f"{identity}: {TENSOR_IDENTITIES[identity]}, f(X) = {f_text}"

    def verdict(v: str, method: str, **kw: Any) -> ClaimVerdict:
        return ClaimVerdict(claim=claim, verdict=v, method=method, name=name, source=source,
                            seconds=round(time.monotonic() - started, 4), **kw)

    done = []
    used_points = False
    try:
        for k in sizes:
            ctx = Context(decl, sizes={DEFAULT_DIM: k})
            try:
                with time_limit(clock.budget(CLAIM_SECONDS)):
                    F = build(node, ctx)
                    if not isinstance(F, sp.MatrixBase):
                        F = sp.ImmutableMatrix([[F]])
                    X = ctx.lookup("X")
                    ls, rs = _tensor_sides(identity, sp.ImmutableMatrix(F), X)
            except TimeLimitExceeded:
                break
            L = sp.ImmutableMatrix(len(ls), 1, ls)
            R = sp.ImmutableMatrix(len(rs), 1, rs)
            out = _compare_matrix_exact(L, R, clock, zlib.crc32(claim.encode()) + k)
            if out is None:
                out = _compare_pairs(list(zip(ls, rs)), clock, zlib.crc32(claim.encode()) + k)
            if out.status == "false":
                return verdict("false", f"tensor entries, counterexample at n = {k}",
                               evidence=Evidence.EXACT if out.exact else Evidence.NUMERIC,
                               counterexample=counterexample(_fmt_point(out.point or {}), out.lhs_value,
                                                             out.rhs_value, exact=out.exact, sizes={"n": k}),
                               reason=f"entries of the tensor identity differ at n = {k}")
            if out.status == "exact":
                used_points = True
            elif out.status not in ("proved",):
                return verdict("unknown", "none", reason=out.reason or f"entries at n = {k} not decided")
            done.append(k)
    except _OutOfTime:
        pass
    if not done:
        return verdict("unknown", "none", reason="no size could be checked within the time budget")
    how = "exact at random rational points" if used_points else "exact"
    span = f"{done[0]}..{done[-1]}" if len(done) > 1 else str(done[0])
    return verdict("true", f"tensor entries, {how}, n = {span}", evidence=Evidence.EXACT)
