"""Matrix claims at one concrete size, evaluated exactly at random rational points.

Building a claim with symbolic entries (X -> [[X_11, X_12], ...]) and inverting it costs
seconds at n = 4 ((I + t A)^-2 alone: 20 s).  At a point everything is a number, so this
module builds the claim with every entry and every scalar given an exact rational value:
inverses, determinants and powers are then exact rational arithmetic (milliseconds).

A derivative operator is evaluated at the point by perturbation: the derivative of F by
the scalar s at P is d/dε F(P + ε e_s) at ε = 0, computed exactly with one symbol ε (a
fresh one for each nested operator).  By a vector or matrix W, each entry of W is
perturbed in turn and the partials are arranged as the symbolic build arranges them
(``calculus.derivative.layout_derivative``, so the layout conventions are the same).  The operand of a
derivative must be real and finite at the point (log det X is not compared where
det X < 0), as in ``check``'s domain guards.

Soundness: for a claim whose sides are rational functions of the entries and scalars
(``is_rational_claim``: + - * /, integer powers, inverse, det, tr, transposes and
derivative operators only), two sides that differ differ at all but a thin set of points
(Schwartz-Zippel), so agreement at a few random rational points of a large set is exact
evidence, and one exact difference is a proof of falsity.  Other claims (exp, log, sqrt
...) are compared at 50+ digits at each point: numeric evidence, and ``check`` says so.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator, Sequence
from typing import Any

import sympy as sp

from ..calculus.derivative import layout_derivative, vec_derivative
from ..errors import InputError, LimitError, TimeLimitExceeded
from ..language import ast as S
from ..limits import MAX_ORDER, time_limit
from ..model.build import Builder, build_claim
from ..model.declarations import Context, Declarations
from ..model.shapes import is_matrix
from ..model.sizes import infer_sides
from ..model.symbols import explicit_matrix, scalar_symbol
from .compare import CLAIM_SECONDS, EXACT_POINTS, _Outcome, _OutOfTime
from .numeric import (
    _BAD,
    DIGITS,
    GUARD,
    Outside,
    Singular,
    _compare_at,
    _fmt_matrix,
    _fmt_value,
    _literal_digits,
    _shape,
    _sympify,
    _value,
)
from .outcome import _display, _finish, _layout_hint, _one_size

__all__ = [
    "Outside",
    "PointBuilder",
    "PointContext",
    "Singular",
    "build_at",
    "is_rational_claim",
    "prefers_points",
    "random_values",
    "scalar_names",
    "simple_values",
]

#: Calls whose value is a rational function of their arguments' entries.
_RATIONAL_CALLS = {"tr", "trace", "Trace", "det", "Determinant", "inv", "Inverse", "transpose", "Transpose",
                   "diff"}
#: Names that are constants, not variables.
_CONSTANTS = {"pi", "e", "E", "I", "T", "top"}


def _is_integer_literal(node: S.Node) -> bool:
    if isinstance(node, S.Number):
        return node.text.isdigit()
    if isinstance(node, S.Unary):
        return _is_integer_literal(node.operand)
    return False


def is_rational_claim(node: S.Node) -> bool:
    """Are both sides rational functions of the entries and scalars (syntactically)?"""
    for n in S.walk(node):
        if isinstance(n, S.Call) and n.name not in _RATIONAL_CALLS:
            return False
        if isinstance(n, S.Norm):
            return False
        if isinstance(n, S.Name) and n.name in ("e", "E", "pi"):
            return False
        if isinstance(n, S.Binary) and n.op == "^":
            exp = n.right
            transpose = isinstance(exp, S.Name) and exp.name in ("T", "top") or (
                isinstance(exp, S.Unary) and isinstance(exp.operand, S.Name) and exp.operand.name == "T")
            if not (transpose or _is_integer_literal(exp)):
                return False
    return True


def prefers_points(node: S.Node) -> bool:
    """Claims with inverses, determinants or negative powers: exact values at points are
    far cheaper than a symbolic build at n = 4.  A vec derivative (d vec(F)/d vec(X)) is
    built entry by entry instead (a pointwise build of it is slower)."""
    if any(isinstance(n, S.Derivative) and n.vec for n in S.walk(node)):
        return False
    for n in S.walk(node):
        if isinstance(n, S.Call) and n.name in ("inv", "Inverse", "det", "Determinant"):
            return True
        if isinstance(n, S.Binary) and n.op == "^" and isinstance(n.right, S.Unary) and n.right.op == "-":
            return True
    return False


def scalar_names(node: S.Node, shapes: dict) -> list[str]:
    """The scalar variables of a claim (names, derivative variables, diff(...) variables)."""
    out: dict[str, None] = {}
    for n in S.walk(node):
        if isinstance(n, S.Name) and n.name not in shapes and n.name not in _CONSTANTS:
            out[n.name] = None
        elif isinstance(n, S.Derivative) and n.var not in shapes:
            out[n.var] = None
    return sorted(out)


class PointContext(Context):
    """A Context whose matrices and scalars are numbers: ``values`` maps every entry symbol
    (X_12, x_3) and scalar symbol to an exact value; ``perturbed`` changes some for a block."""

    def __init__(self, decl: Declarations, *, layout: str, source: str, sizes: dict, values: dict):
        super().__init__(decl, layout=layout, source=source, sizes=sizes)
        self.values = dict(values)

    def lookup(self, name: str) -> Any:
        if name in self.shapes:
            rows, cols = (self.concrete(s) for s in self.shapes[name])
            return explicit_matrix(name, rows, cols).xreplace(self.values)
        sym = scalar_symbol(name)
        return self.values.get(sym, sym)

    def entry_matrix(self, name: str) -> sp.ImmutableMatrix:
        rows, cols = (self.concrete(s) for s in self.shapes[name])
        return explicit_matrix(name, rows, cols)

    @contextlib.contextmanager
    def perturbed(self, changes: dict) -> Iterator[None]:
        saved = {k: self.values.get(k) for k in changes}
        self.values.update(changes)
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    self.values.pop(k, None)
                else:
                    self.values[k] = v


def _defined(value: Any) -> bool:
    entries = list(value) if isinstance(value, sp.MatrixBase) else [value]
    for e in entries:
        e = sp.sympify(e)
        if e.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            return False
        if e.is_number and e.is_extended_real is False:
            return False
    return True


def _d_at_zero(value: Any, eps: sp.Dummy) -> Any:
    def one(e: Any) -> Any:
        e = sp.sympify(e)
        if not e.has(eps):
            return sp.Integer(0)
        d = sp.diff(e, eps).xreplace({eps: 0})
        if d.has(sp.nan, sp.zoo):  # a removable 0/0 left by the substitution
            d = sp.limit(sp.diff(e, eps), eps, 0)
        return d

    if isinstance(value, sp.MatrixBase):
        return sp.ImmutableMatrix(value.rows, value.cols, [one(e) for e in value])
    return one(value)


def _fast_domain(m: sp.MatrixBase) -> Any:
    """A DomainMatrix over QQ or QQ[ε...] (fast exact elimination), or None for other entries
    (algebraic generators such as sqrt(2) and sqrt(8) would be taken as independent)."""
    from sympy.polys.matrices import DomainMatrix

    dm = DomainMatrix.from_Matrix(sp.Matrix(m))
    dom = dm.domain
    if dom.is_ZZ or dom.is_QQ:
        return dm
    gens = getattr(dom, "symbols", None) or getattr(dom, "gens", None)
    if gens is not None and (dom.is_PolynomialRing or dom.is_FractionField) and all(
            isinstance(g, sp.Dummy) for g in gens) and (dom.domain.is_ZZ or dom.domain.is_QQ):
        return dm
    return None


class PointBuilder(Builder):
    """Builds a claim's side at a point (``PointContext``): every value a number, derivative
    operators by perturbation, inverses and determinants by exact elimination."""

    ctx: PointContext

    def _Derivative(self, node: S.Derivative) -> Any:
        if node.order > MAX_ORDER:
            raise LimitError(f"a derivative of order {node.order} is above the limit of {MAX_ORDER}")
        return self._derive(node.operand, [node.var] * node.order, vec=node.vec)

    def _diff_call(self, node: S.Call) -> Any:
        specs: list[str] = []
        for arg in node.args[1:]:
            if isinstance(arg, S.Name):
                specs.append(arg.name)
            elif isinstance(arg, S.Number) and arg.text.isdigit() and specs:
                order = int(arg.text)
                if order > MAX_ORDER:
                    raise LimitError(f"a derivative of order {order} is above the limit of {MAX_ORDER}")
                specs.extend([specs[-1]] * (order - 1))
            else:
                return super()._diff_call(node)  # the builder's own error message
        return self._derive(node.args[0], specs)

    def _derive(self, operand: S.Node, specs: Sequence[str], vec: bool = False) -> Any:
        """d/d specs[-1] ... d/d specs[0] of the operand, at the context's point (``vec``:
        d vec(F)/d vec(X), one matrix variable)."""
        if not specs:
            value = self.build(operand)
            if not _defined(value):
                raise Outside()
            return value
        *inner, var = specs
        eps = sp.Dummy("eps", real=True)
        ctx = self.ctx
        if var in ctx.shapes:
            W = ctx.entry_matrix(var)
            total: Any = None
            for s in dict.fromkeys(W):
                with ctx.perturbed({s: ctx.values[s] + eps}):
                    G = self._derive(operand, inner)
                term = _d_at_zero(G, eps) * s
                total = term if total is None else total + term
            return vec_derivative(total, W, ctx) if vec else layout_derivative(total, W, ctx.layout)
        sym = scalar_symbol(var)
        base = ctx.values.get(sym, sp.Integer(0))
        with ctx.perturbed({sym: base + eps}):
            G = self._derive(operand, inner)
        return _d_at_zero(G, eps)

    def _div(self, a: Any, b: Any, whole: S.Node, bn: S.Node) -> Any:
        from ..model.shapes import as_scalar

        b2 = as_scalar(b)
        if not is_matrix(b2) and b2 == 0:
            raise Singular()
        return super()._div(a, b, whole, bn)

    def _inverse(self, m: Any, node: S.Node) -> Any:
        if isinstance(m, sp.MatrixBase) and m.rows == m.cols and m.rows > 1:
            dm = _fast_domain(m)
            if dm is not None:
                from sympy.polys.matrices.exceptions import DMError

                try:
                    return sp.ImmutableMatrix(dm.to_field().inv().to_Matrix())
                except (DMError, ZeroDivisionError):
                    raise Singular() from None
            from sympy.matrices.exceptions import NonInvertibleMatrixError

            try:
                return sp.ImmutableMatrix(m.inv())
            except (NonInvertibleMatrixError, ZeroDivisionError, ValueError):
                raise Singular() from None
        if isinstance(m, sp.MatrixBase) and tuple(m.shape) == (1, 1) and m[0, 0] == 0:
            raise Singular()
        return super()._inverse(m, node)

    def _explicit_det(self, m: sp.MatrixBase) -> Any:
        dm = _fast_domain(m) if m.rows == m.cols else None
        if dm is not None:
            return dm.domain.to_sympy(dm.det())
        return m.det()

    def _explicit_power(self, base: sp.MatrixBase, k: int, node: S.Node) -> Any:
        if k < 0:
            base, k = self._inverse(base, node), -k
        result = sp.ImmutableMatrix(sp.eye(base.rows))
        square = sp.ImmutableMatrix(base)
        while k:
            if k & 1:
                result = result * square
            k >>= 1
            if k:
                square = square * square
        return result


def random_values(symbols: Sequence[sp.Symbol], rng: random.Random, symmetric_pairs: dict) -> dict:
    """Exact rational values from a large set (numerators up to 10^6, denominators up to
    10^3), the same for W_ij and W_ji of a symmetric W."""
    values = {}
    for s in symbols:
        if s in symmetric_pairs:
            continue
        values[s] = sp.Rational(rng.choice((-1, 1)) * rng.randint(1, 10**6), rng.randint(1, 10**3))
    for lower, upper in symmetric_pairs.items():
        values[lower] = values[upper]
    return values


_SIMPLE = (1, 2, -1, sp.Rational(1, 2), 3, -2, 5, sp.Rational(-1, 3))


def simple_values(symbols: Sequence[sp.Symbol], k: int, symmetric_pairs: dict) -> dict:
    """Small numbers (a counterexample a person can check by hand), varied by ``k``."""
    values = {}
    for i, s in enumerate(symbols):
        if s not in symmetric_pairs:
            values[s] = sp.sympify(_SIMPLE[(i * (k + 1) + k) % len(_SIMPLE)])
    for lower, upper in symmetric_pairs.items():
        values[lower] = values[upper]
    return values


def point_symbols(node: S.Node, ctx: Context) -> tuple[list[sp.Symbol], dict]:
    """Every entry symbol of the declared shapes and every scalar symbol of the claim, and
    the symmetric pairs {W_ji: W_ij}."""
    syms: list[sp.Symbol] = []
    pairs: dict = {}
    used = {n.name for n in S.walk(node) if isinstance(n, S.Name)} | {
        n.var for n in S.walk(node) if isinstance(n, S.Derivative)}
    for name in sorted(ctx.shapes):
        if name not in used:
            continue
        rows, cols = (ctx.concrete(s) for s in ctx.shapes[name])
        m = explicit_matrix(name, rows, cols)
        syms.extend(m)
        if name in ctx.symmetric:
            for i in range(rows):
                for j in range(i + 1, cols):
                    pairs[m[j, i]] = m[i, j]
    size_names = {str(k) for k in (ctx.sizes or {})}
    for name in scalar_names(node, ctx.shapes):
        if name not in size_names:
            syms.append(scalar_symbol(name))
    return syms, pairs


def build_at(node: S.Equation, decl: Declarations, layout: str, text: str, sizes: dict, values: dict
             ) -> tuple[Any, Any]:
    """Both sides of the claim at the point ``values`` (a size symbol written in the claim is
    its size).  Raises Singular or Outside for a point to skip; InputError for a claim that
    does not build at these sizes."""
    vals = dict(values)
    vals.update({scalar_symbol(str(k)): sp.Integer(v) for k, v in sizes.items()})
    ctx = PointContext(decl, layout=layout, source=text, sizes=sizes, values=vals)
    if all(isinstance(v, sp.Rational) for v in vals.values()):
        from .jets import Unsupported, evaluate_claim

        try:
            return evaluate_claim(node, ctx.shapes, sizes, ctx.dim, layout, vals)
        except ZeroDivisionError:
            raise Singular() from None
        except (Unsupported, TypeError, ValueError, ArithmeticError, RecursionError):
            pass  # the SymPy build below, which also words any error
    try:
        return build_claim(node, ctx, builder=PointBuilder)
    except InputError as exc:
        if "division by zero" in exc.message:
            raise Singular() from None
        raise


#: Random points per size for a claim that is not a rational function (numeric evidence).
NUMERIC_POINTS_PER_SIZE = 6


def decide_size(node: S.Equation, decl: Declarations, layout: str, text: str, sizes: dict, clock: Any,
                seed: int, strict: bool, verdict: Any, symbolic: Any, matters: bool) -> Any:
    """The claim at one size, at random exact points: what ``outcome._one_size`` returns (a
    ClaimVerdict when false, else (kind, info)), or ("unbuilt", reason) when no point could
    be used (a matrix singular everywhere: the symbolic build says why)."""

    ctx0 = Context(decl, layout=layout, source=text, sizes=sizes)
    infer_sides((node.lhs, node.rhs), ctx0, Builder)  # build_at's sizes: the point's entries are theirs
    syms, pairs = point_symbols(node, ctx0)
    rational = is_rational_claim(node)
    want = EXACT_POINTS if rational else NUMERIC_POINTS_PER_SIZE
    rng = random.Random(seed * 31 + sum(sizes.values()))
    good = attempts = skipped = 0
    all_exact = True
    size_note = ", ".join(f"{k} = {v}" for k, v in sizes.items())
    first: tuple | None = None

    def at(values: dict) -> tuple[Any, Any] | None:
        try:
            with time_limit(clock.budget(CLAIM_SECONDS)):
                L, R = build_at(node, decl, layout, text, sizes, values)
        except (Singular, Outside):
            return None
        except TimeLimitExceeded:
            raise _OutOfTime() from None
        return _sympify(L), _sympify(R)

    while good < want and attempts < 4 * want + 4:
        attempts += 1
        values = random_values(syms, rng, pairs)
        built = at(values)
        if built is None:
            skipped += 1
            continue
        L, R = built
        if first is None:
            first = (L, R)
        if _shape(L) != _shape(R):
            return _one_size(L, R, sizes, clock, seed, layout, strict, verdict, symbolic, matters)
        status, exact = _compare(L, R)
        if status == "differ":
            for k in range(len(_SIMPLE)):  # a counterexample with small numbers, if there is one
                simple = simple_values(syms, k, pairs)
                sb = at(simple)
                if sb is not None and _shape(sb[0]) == _shape(sb[1]) and _compare(*sb)[0] == "differ":
                    values, (L, R) = simple, sb
                    exact = _compare(L, R)[1]
                    break
            out = _Outcome("false", point=values, lhs_value=_fmt(L), rhs_value=_fmt(R), exact=exact)
            hint = _layout_hint(layout, matters) if _is_transpose(L, R) else ""
            Ld, Rd = _display(symbolic, L, 0), _display(symbolic, R, 1)
            return _finish(out, f" at {size_note}" if size_note else "", strict, verdict, Ld, Rd, hint=hint,
                             sizes=sizes, prefix="components, ")
        if status == "skip":
            skipped += 1
            continue
        good += 1
        all_exact = all_exact and exact
    if good == 0:
        return ("unbuilt", f"no point of the {attempts} tried lies in the domain with every inverse defined")
    if rational and all_exact:
        return ("exact", good)
    return ("numeric", (good, f"numeric: {good} points agree to {DIGITS} digits"))


def _compare(L: Any, R: Any) -> tuple[str, bool]:
    """("agree" | "differ" | "skip", all exact) for two sides of numbers of the same shape."""

    ls = list(L) if isinstance(L, sp.MatrixBase) else [L]
    rs = list(R) if isinstance(R, sp.MatrixBase) else [R]
    extra = _literal_digits(*[sp.sympify(v) for v in ls + rs if not isinstance(v, sp.Rational)])
    exact = True
    status = "agree"
    for l, r in zip(ls, rs):
        res = _compare_at(sp.sympify(l), sp.sympify(r), {}, extra)
        if res.status == "differ":
            return "differ", res.exact
        if res.status == "skip":
            status = "skip"
        exact = exact and res.exact
    return status, exact


def _is_transpose(L: Any, R: Any) -> bool:
    return (isinstance(L, sp.MatrixBase) and isinstance(R, sp.MatrixBase) and L.shape == R.shape[::-1]
            and L.shape != (1, 1) and sp.ImmutableMatrix(L) == sp.ImmutableMatrix(R).T)


def _fmt(value: Any) -> Any:

    if isinstance(value, sp.MatrixBase):
        return _fmt_matrix([_number(v) for v in value], value)
    return _fmt_value(_number(value))


def _number(v: Any) -> Any:
    """An exact rational, or the value to 50+ digits (an mpmath number), or "undefined"."""

    v = sp.sympify(v)
    if isinstance(v, sp.Rational):
        return v
    f = _value(v, {}, DIGITS + GUARD)
    return "undefined" if f is _BAD else f
