"""``check``: decide claims ``LHS = RHS`` (issue 6).

A claim gets one of three verdicts:

* **true** -- proved symbolically (the difference of the sides is 0 after
  ``expand``, ``cancel``, a rewrite in exponentials, ``trigsimp`` or a
  bounded ``simplify``), or, for a claim about vectors and matrices, shown
  component by component at several concrete sizes (n = 1..4) on the explicit
  build of ``model.declarations.Context(sizes=...)``: every entry of the difference is
  ``expand``-ed to 0, or, for rational entries (inverses, determinants),
  evaluated *exactly* at several random rational points (Schwartz-Zippel);
  or, last, by numeric evidence: the sides agree to 50 significant digits at
  12 random points of their common real domain (the method says so, and
  ``strict=True`` turns such a claim into unknown).
* **false** -- with a counterexample: a point (and the sizes) where the sides
  differ, both values shown; exact when the values are rational, otherwise a
  disagreement found at 60+ digits and confirmed at twice the precision.
  Sides of different shapes are false, naming both shapes; sides that are
  each other's transpose get a hint about the layout.
* **unknown** -- neither, with the reason.

Numbers are exact rationals or mpmath floats of 60+ digits; the working
precision grows with the longest literal in the claim, so ``cos(x + 10^-12)``,
``3x^2 + x/10^20`` and ``1 + 10^-30`` are told apart from the true sides.

Nothing here prints or exits; ``check.verdict.exit_status`` maps a report to the status.
"""

from __future__ import annotations

import time
import zlib
from typing import Any

import sympy as sp

from ..calculus.derivative import build, build_claim
from ..errors import GradcliError, InputError, TimeLimitExceeded
from ..language import ast as S
from ..limits import time_limit
from ..model.declarations import Context, Declarations
from ..model.layout import Layout
from ..model.shapes import is_matrix
from ..model.symbols import scalar_symbol
from .compare import CLAIM_SECONDS, _Clock, _compare_built, _OutOfTime
from .numeric import _scalar_symbols, _shape, _sympify
from .outcome import _display, _finish, _layout_hint, _one_size, _shape_list, _shape_text, _transposed
from .pointwise import decide_size, prefers_points
from .verdict import ClaimVerdict, Evidence, shapes_counterexample

#: Concrete sizes for claims about vectors and matrices of symbolic size.
SIZES = (1, 2, 3, 4)
#: Budget of each further size once one size is done (n = 4 with inverses can be slow).
SIZE_SECONDS = 12.0
#: Budget of a symbolic component build at one size before it is decided at points instead.
SYMBOLIC_SIZE_SECONDS = 4.0


def _names_used(node: S.Node) -> set[str]:
    out: set[str] = set()
    for n in S.walk(node):
        if isinstance(n, S.Name):
            out.add(n.name)
        elif isinstance(n, S.Derivative):
            out.add(n.var)
    return out


def _operand_nodes(node: S.Node) -> list[S.Node]:
    """The operands of derivative operators and diff(...) calls in a claim."""
    out: list[S.Node] = []
    for n in S.walk(node):
        if isinstance(n, S.Derivative):
            out.append(n.operand)
        elif isinstance(n, S.Call) and n.name == "diff" and n.args:
            out.append(n.args[0])
    return out


def _operands(node: S.Node, ctx: Context) -> list:
    """The functions under derivative operators, built (their domain bounds the claim's)."""
    out = []
    for n in _operand_nodes(node):
        try:
            with time_limit(2.0):
                out.append(_sympify(build(n, ctx)))
        except TimeLimitExceeded:
            continue
        except (RecursionError, Exception):  # noqa: BLE001 - the full build reports real errors
            continue
    return out


def _size_assignments(symbols: set) -> list[dict]:
    syms = sorted(symbols, key=str)
    if not syms:
        return [{}]
    out = [{s: k for s in syms} for k in SIZES]
    if len(syms) >= 2:
        # unequal sizes catch a confused m and n: every pair of size symbols differs in at
        # least one assignment (for up to nine symbols)
        out.append({s: 2 + (i % 2) for i, s in enumerate(syms)})
        out.append({s: 3 - (i % 2) for i, s in enumerate(syms)})
    if len(syms) >= 3:
        out.append({s: 2 + (i % 3) for i, s in enumerate(syms)})
    if len(syms) >= 4:
        out.append({s: 2 + (i // 3) % 3 for i, s in enumerate(syms)})
    return out


def _sizes_label(done: list[dict]) -> str:
    if not done or not done[0]:
        return "sizes as declared"
    syms = sorted(done[0], key=str)
    equal = [a for a in done if len(set(a.values())) == 1]
    parts = []
    if equal:
        ks = sorted({next(iter(a.values())) for a in equal})
        span = f"{ks[0]}..{ks[-1]}" if ks == list(range(ks[0], ks[-1] + 1)) and len(ks) > 1 else ", ".join(map(str, ks))
        parts.append(" = ".join(str(s) for s in syms) + f" = {span}")
    for a in done:
        if len(set(a.values())) > 1:
            parts.append(", ".join(f"{s} = {a[s]}" for s in syms))
    return "; ".join(parts)


def _layout_matters(node: S.Node, decl: Declarations) -> bool:
    """Whether the layout convention changes some derivative in the claim: one by a scalar
    or a vector does; a scalar's by an m x n matrix (m, n > 1) does not; a vec derivative
    (d vec(F)/d vec(X)) does (its rows index F in numerator layout)."""
    shapes = Context(decl).shapes
    for n in S.walk(node):
        if isinstance(n, S.Derivative) and n.vec:
            return True
        if isinstance(n, S.Derivative):
            names = [n.var]
        elif isinstance(n, S.Call) and n.name == "diff":
            names = [a.name for a in n.args[1:] if isinstance(a, S.Name)]
        else:
            continue
        for name in names:
            shape = shapes.get(name)
            if shape is None or any(d == 1 for d in shape):
                return True
    return False


def _parse(text_or_node: Any, latex: bool = False) -> tuple[S.Node, str]:
    if isinstance(text_or_node, S.Node):
        return text_or_node, ""
    from ..language import parse_claim

    text = str(text_or_node)
    return parse_claim(text, latex=latex), text


def _symbolic_sides(node: S.Equation, decl: Declarations, layout: str, text: str) -> tuple[Any, Any] | None:
    """The sides built symbolically (MatrixSymbols of size n), for renderers; None if that fails."""
    ctx = Context(decl, layout=layout, source=text)

    def run() -> tuple[Any, Any]:
        return build_claim(node, ctx)

    try:
        with time_limit(3.0):
            return run()
    except (TimeLimitExceeded, GradcliError):
        return None
    except (RecursionError, Exception):  # noqa: BLE001 - the symbolic matrix calculus may not cover it
        return None


def _display_sides(node: S.Equation, decl: Declarations, layout: str, text: str) -> tuple[Any, Any]:
    """The sides as written, derivative operators unevaluated (for LaTeX); (None, None) if that fails."""
    ctx = Context(decl, layout=layout, source=text, display=True)
    try:
        return build_claim(node, ctx)
    except (GradcliError, RecursionError, Exception):  # noqa: BLE001 - display only
        return None, None


def decide(text_or_node: Any, decl: Declarations | None = None, layout: str = Layout.NUMERATOR, *,
           strict: bool = False, name: str | None = None, source: str = "",
           budget: float | None = CLAIM_SECONDS, latex: bool = False) -> ClaimVerdict:
    """Decide one claim ``LHS = RHS`` (``latex``: the text is LaTeX).

    Raises InputError (exit 2) for a claim that does not parse, has no ``=`` or does
    not build (an unknown name, a shape mismatch inside one side).
    """
    started = time.monotonic()
    decl = decl or Declarations()
    node, text = _parse(text_or_node, latex)
    if not isinstance(node, S.Equation):
        raise InputError(
            f"not a claim: {text or 'the input'!r} has no '='" if text else "not a claim: no '='",
            "write LHS = RHS, e.g. 'd/dx sin(x) = cos(x)'",
        )
    claim_text = text or source
    seed = zlib.crc32((claim_text or repr(node)).encode("utf-8"))
    clock = _Clock(budget)
    probe = Context(decl, layout=layout, source=text)
    declared = _names_used(node) & set(probe.shapes)

    def verdict(v: str, method: str, **kw: Any) -> ClaimVerdict:
        shown = _display_sides(node, decl, layout, text)
        return ClaimVerdict(claim=claim_text, verdict=v, method=method, name=name, source=source,
                            seconds=round(time.monotonic() - started, 4),
                            lhs_display=shown[0], rhs_display=shown[1], tree=node, **kw)

    try:
        if declared:
            return _decide_matrix(node, decl, layout, text, probe, strict, clock, seed, verdict)
        return _decide_plain(node, decl, layout, text, strict, clock, seed, verdict)
    except _OutOfTime:
        return verdict("unknown", "none", reason=f"the time budget of {budget:g} s per claim ran out"
                       if budget is not None else "the time budget ran out")


def _written_out(e: Any) -> Any:
    """A matrix expression of numeric size without symbols (K(2, 3)^T, I of a known size)
    written out, so that it can be compared entry by entry."""
    if not (is_matrix(e) and not isinstance(e, sp.MatrixBase)) or e.atoms(sp.MatrixSymbol):
        return e
    rows, cols = e.shape
    if not (getattr(rows, "is_Integer", False) and getattr(cols, "is_Integer", False)):
        return e
    from ..limits import check_entries
    from ..model.arrays import explicit

    check_entries(int(rows) * int(cols), f"a side written out ({rows} x {cols})")
    out = explicit(e)
    if is_matrix(out) and not isinstance(out, sp.MatrixBase):
        out = sp.ImmutableMatrix(out.as_explicit())
    return out


def _decide_plain(node, decl, layout, text, strict, clock, seed, verdict) -> ClaimVerdict:
    ctx = Context(decl, layout=layout, source=text)
    matters = _layout_matters(node, decl)
    L, R = (_written_out(_sympify(side)) for side in build_claim(node, ctx))
    if is_matrix(L) and not isinstance(L, sp.MatrixBase) or is_matrix(R) and not isinstance(R, sp.MatrixBase):
        return verdict("unknown", "none", lhs=L, rhs=R, reason="the sides are matrix expressions gradcli cannot expand")
    if _shape(L) != _shape(R):
        hint = _layout_hint(layout, matters) if _transposed(L, R, seed) else ""
        return verdict(
            "false", "shapes differ", lhs=L, rhs=R, hint=hint, evidence=Evidence.PROOF,
            reason=f"the sides have different shapes: the left side is {_shape_text(L)}, "
                   f"the right side {_shape_text(R)}",
            counterexample=shapes_counterexample(_shape_list(L), _shape_list(R)),
        )
    out = _compare_built(L, R, clock, seed, exact_first=False, operands=_operands(node, ctx))
    hint = ""
    if out.status == "false" and _transposed(L, R, seed):
        hint = _layout_hint(layout, matters)
    return _finish(out, "", strict, verdict, L, R, hint=hint)


def _entry_symbols(ctx: Context) -> set:
    out: set = set()
    for name in ctx.shapes:
        m = ctx.lookup(name)
        if isinstance(m, sp.MatrixBase):
            out |= set(m)
    return out


def _decide_matrix(node, decl, layout, text, probe, strict, clock, seed, verdict) -> ClaimVerdict:
    claim = _MatrixClaim(node, decl, layout, text, strict, clock, seed, verdict)
    for sizes in claim.order(probe):
        found = claim.at_size(sizes)
        if found is not None:
            return found
    return claim.conclusion()


class _MatrixClaim:
    """A claim about vectors and matrices, decided size by size: component by component on
    the explicit build (``outcome._one_size``) or at exact random points
    (``pointwise.decide_size``), gathering what the sizes show."""

    def __init__(self, node, decl, layout, text, strict, clock, seed, verdict):
        self.node, self.decl, self.layout, self.text = node, decl, layout, text
        self.strict, self.clock, self.seed, self.verdict = strict, clock, seed, verdict
        self.points_first = prefers_points(node)
        self.matters = _layout_matters(node, decl)
        self.symbolic = _symbolic_sides(node, decl, layout, text)
        self.ones: list[dict] = []
        self.done: list[dict] = []
        self.skipped: list[str] = []
        self.used_exact_points = False
        self.numeric_points = 0
        self.numeric_how = ""
        self.reference: set | None = None
        self.first_built: tuple | None = None

    def order(self, probe: Context) -> list[dict]:
        """The small sizes first (2, 3), then n = 1 -- 1 x 1 matrices partly collapse to
        scalars, so a larger size first tells which scalar symbols belong to the claim -- then
        the expensive ones (4, unequal sizes), each with part of the remaining budget."""
        assignments = _size_assignments(probe.size_symbols())
        self.ones = [a for a in assignments if a and all(v == 1 for v in a.values())]
        small = [a for a in assignments if a not in self.ones and a and len(set(a.values())) == 1
                 and max(a.values()) <= 3]
        return small + self.ones + [a for a in assignments if a not in self.ones and a not in small]

    def at_size(self, sizes: dict) -> ClaimVerdict | None:
        """The claim at ``sizes``: a verdict that ends it (false, unknown), or None (the size
        is decided, or skipped: on to the next)."""
        label = ", ".join(f"{k} = {v}" for k, v in sizes.items()) or "the declared sizes"
        left = self.clock.left()
        if left <= 0.05:
            self.skipped.append(f"{label}: over the time budget")
            return None
        share = left if not self.done else min(left * 0.6, SIZE_SECONDS)
        may_skip_one = sizes in self.ones and bool(self.done)
        if self.points_first:
            out = self._at_points(sizes, share, may_skip_one)
            if out in ("timeout", "skip-one"):
                self.skipped.append(f"{label}: " + ("over the time budget" if out == "timeout"
                                                    else "does not build with 1 x 1 matrices"))
                return None
            if not (isinstance(out, tuple) and out[0] == "unbuilt"):
                return self._record(out, label, sizes, None)
            # singular at every point tried: the symbolic build says why
        return self._built(sizes, label, share, may_skip_one)

    def _built(self, sizes: dict, label: str, share: float, may_skip_one: bool) -> ClaimVerdict | None:
        """The claim at ``sizes`` on the explicit build; at points when that is too slow."""
        ctx = Context(self.decl, layout=self.layout, source=self.text, sizes=sizes)
        started = time.monotonic()
        others = None
        try:
            with time_limit(share if self.points_first else min(share, SYMBOLIC_SIZE_SECONDS)):
                L, R = (_sympify(side) for side in build_claim(self.node, ctx))
                subs = dict(ctx.symmetry_subs() or {})
                # a size symbol written in the claim (tr(X X^-1) = n) is the size
                subs.update({scalar_symbol(str(k)): sp.Integer(v) for k, v in sizes.items()})
                if subs:
                    L = L.xreplace(subs) if isinstance(L, sp.Basic) else L
                    R = R.xreplace(subs) if isinstance(R, sp.Basic) else R
                # A scalar symbol that appears at one size but not another is an artefact of
                # the build (a 1 x 1 matrix read as a scalar), not part of the claim.
                others = set(_scalar_symbols(L, R)) - _entry_symbols(ctx)
                if self.reference is not None and others != self.reference:
                    extra = ", ".join(map(str, sorted(others ^ self.reference, key=str)))
                    self.skipped.append(f"{label}: the build introduced other symbols ({extra})")
                    return None
                out = _one_size(L, R, sizes, self.clock, self.seed, self.layout, self.strict, self.verdict,
                                self.symbolic, self.matters, lambda: _operands(self.node, ctx))
        except (TimeLimitExceeded, _OutOfTime):
            # too slow symbolically: exact values at random points instead, with what is left
            out = None if self.points_first else self._at_points(sizes, share - (time.monotonic() - started),
                                                                 may_skip_one)
            if out in (None, "timeout", "skip-one") or (isinstance(out, tuple) and out[0] == "unbuilt"):
                self.skipped.append(f"{label}: " + ("does not build with 1 x 1 matrices" if out == "skip-one"
                                                    else "over the time budget"))
                return None
        except InputError:
            if may_skip_one:
                self.skipped.append(f"{label}: does not build with 1 x 1 matrices")
                return None
            raise
        if others is None:  # decided at points: nothing was built symbolically
            return self._record(out, label, sizes, None)
        if self.reference is None:
            self.reference = others
        if self.first_built is None:
            self.first_built = (L, R)
        return self._record(out, label, sizes, (L, R))

    def _at_points(self, sizes: dict, share: float, may_skip_one: bool) -> Any:
        """``pointwise.decide_size`` under ``share`` seconds: its result, or "timeout", or
        "skip-one" (the claim does not build with 1 x 1 matrices, and a larger size did)."""
        if share <= 0.05:
            return "timeout"
        try:
            with time_limit(share):
                return decide_size(self.node, self.decl, self.layout, self.text, sizes, self.clock, self.seed,
                                   self.strict, self.verdict, self.symbolic, self.matters)
        except (TimeLimitExceeded, _OutOfTime):
            return "timeout"
        except InputError:
            if may_skip_one:
                return "skip-one"
            raise

    def _record(self, out: Any, label: str, sizes: dict, built: tuple | None) -> ClaimVerdict | None:
        """What one size showed: a verdict that ends the claim, or evidence kept for the end."""
        L, R = built if built is not None else (None, None)
        if isinstance(out, tuple) and out[0] == "unbuilt":
            return self.verdict("unknown", "none", lhs=_display(self.symbolic, None, 0),
                                rhs=_display(self.symbolic, None, 1), reason=f"at {label}: {out[1]}")
        if isinstance(out, ClaimVerdict):
            return out
        kind, info = out
        if kind == "exact":
            self.used_exact_points = True
        elif kind == "numeric":
            self.numeric_points = max(self.numeric_points, info[0])
            self.numeric_how = self.numeric_how or info[1]
        elif kind == "unknown":
            return self.verdict("unknown", "none", lhs=_display(self.symbolic, L, 0), rhs=_display(self.symbolic, R, 1),
                                reason=f"at {label}: {info}")
        self.done.append(sizes)
        return None

    def conclusion(self) -> ClaimVerdict:
        """The verdict once every size is decided (true: exact or numeric) or none could be."""
        Ld = _display(self.symbolic, self.first_built[0] if self.first_built else None, 0)
        Rd = _display(self.symbolic, self.first_built[1] if self.first_built else None, 1)
        skipped = self.skipped
        if not self.done:
            return self.verdict("unknown", "none", lhs=Ld, rhs=Rd,
                                reason="no size could be checked within the time budget"
                                + (f" ({'; '.join(skipped)})" if skipped else ""))
        label = _sizes_label(self.done)
        note = f" (skipped {'; '.join(skipped)})" if skipped else ""
        if self.numeric_points:
            method = f"components, {self.numeric_how}, {label}{note}"
            if self.strict:
                return self.verdict("unknown", method, lhs=Ld, rhs=Rd,
                                    reason="no exact proof; supported only by numeric evidence (strict)")
            return self.verdict("true", method, lhs=Ld, rhs=Rd, evidence=Evidence.NUMERIC)
        how = "exact at random rational points" if self.used_exact_points else "exact"
        return self.verdict("true", f"components, {how}, {label}{note}", lhs=Ld, rhs=Rd, evidence=Evidence.EXACT)
