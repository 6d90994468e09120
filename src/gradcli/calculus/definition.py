"""The derivative from its definition (``derivative --definition``).

``from_definition(expr, var, at=None)`` gives the difference quotient (5.3)
of f, a simplified form of it and its limit h -> 0 (5.4).  For f = x**n
(n a natural number) it follows Example 5.2: the binomial expansion of
(x + h)**n, the x**n that cancels, the division by h (5.6b) and the limit
n*x**(n - 1) (5.6d).

With a point x0 it adds the one-sided limits of the quotient at x0 and a
table of secant slopes for h = 1, 1/10, ..., 1/10**6 (and -h), each computed
exactly (a rational) or to 15 significant digits with SymPy's adaptive
precision, so that no slope suffers float cancellation.  Where the one-sided
limits differ (abs(x) at 0) there is no derivative: ``limit`` is None and the
note says why.

Core code: takes and returns data, never prints, never exits.
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy import Add, Mul, Pow, S

from ..errors import InputError
from ..limits import bounded
from ..record import record
from .prose import Equal, Formula, Tends, text

__all__ = ["SecantRow", "DefinitionResult", "from_definition", "one_sided_derivatives", "finite_real",
           "SECANT_EXPONENTS"]

#: h = 10**-k for these k in the secant table.
SECANT_EXPONENTS = tuple(range(0, 7))
#: Significant digits of an inexact secant slope.
SLOPE_DIGITS = 15
#: Largest n for which x**n is expanded term by term (Example 5.2).
BINOMIAL_MAX_N = 40
LIMIT_SECONDS = 5
#: the h of the one-sided limits named in notes
_H = sympy.Symbol("h")


@record
class SecantRow:
    """One row of the secant table: h, the slope (f(x0+h) - f(x0))/h and the
    slope for -h.  A slope is an exact Rational where it is rational, else a
    Float of 15 significant digits; None where f(x0 +- h) is not a real number."""

    h: sympy.Rational
    slope_right: sympy.Expr | None
    slope_left: sympy.Expr | None


@record
class DefinitionResult:
    function: sympy.Expr
    var: sympy.Symbol
    h: sympy.Symbol
    #: (f(x+h) - f(x))/h, unevaluated (5.3 / 5.5b).
    quotient: sympy.Expr
    #: The quotient simplified; for x**n the sum of 5.6b, expanded.
    simplified: sympy.Expr
    #: The derivative, lim h->0 (5.4); None when the limit does not exist (at the point).
    limit: sympy.Expr | None
    #: True when Example 5.2's route (binomial expansion) was followed.
    binomial: bool
    point: sympy.Expr | None = None
    #: f'(x0), None when f is not differentiable at x0 (or no point was given).
    value_at_point: sympy.Expr | None = None
    secants: tuple[SecantRow, ...] = ()
    one_sided_differ: bool = False
    #: what the renderers say besides the table, each note in words and maths (``calculus.prose``)
    notes: tuple[tuple, ...] = ()
    # -- extras for renderers ------------------------------------------------
    #: Example 5.2 only: (x+h)**n expanded, sum_{i=0}^n binom(n,i) x**(n-i) h**i (5.5c).
    expansion: sympy.Expr | None = None
    #: Example 5.2 only: the numerator once x**n cancels, sum_{i=1}^n ... (5.6a).
    numerator: sympy.Expr | None = None
    #: The one-sided limits of the quotient at the point (h -> 0+ and h -> 0-).
    limit_right: sympy.Expr | None = None
    limit_left: sympy.Expr | None = None
    #: The derivative as a function of var, kept even when f is not
    #: differentiable at the point (then ``limit`` is None).
    formula: sympy.Expr | None = None
    #: "limit" (SymPy's limit of the quotient), "binomial" (Example 5.2), or
    #: "rules" (the limit could not be evaluated; the derivative is from the rules).
    method: str = "limit"

    @property
    def note(self) -> str:
        """The notes as text, maths in SymPy's string form."""
        return "; ".join(text(n) for n in self.notes)

    @property
    def equation(self) -> sympy.Eq | None:
        """d/dx f = lim_{h->0} quotient, unevaluated, when the limit exists."""
        if self.limit is None:
            return None
        return sympy.Eq(sympy.Derivative(self.function, self.var, evaluate=False), self.limit, evaluate=False)

    @property
    def limit_expression(self) -> sympy.Limit:
        """lim_{h->0} (f(x+h) - f(x))/h, unevaluated (5.4)."""
        return sympy.Limit(self.quotient, self.h, 0, dir="+-")


# --------------------------------------------------------------------------

def _fresh_h(expr: sympy.Expr, var: sympy.Symbol) -> sympy.Symbol:
    taken = {str(s) for s in expr.free_symbols} | {str(var)}
    for name in ("h", "delta", "h_1", "h_2"):
        if name not in taken:
            return sympy.Symbol(name)
    return sympy.Dummy("h")


def _unevaluated_quotient(fxh: sympy.Expr, f: sympy.Expr, h: sympy.Symbol) -> sympy.Expr:
    minus_f = Mul(S.NegativeOne, f, evaluate=False)
    return Mul(Add(fxh, minus_f, evaluate=False), Pow(h, S.NegativeOne, evaluate=False), evaluate=False)


def _finite_real(v) -> bool:
    if v is None:
        return False
    if v.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan, sympy.Limit, sympy.AccumBounds):
        return False
    return v.is_extended_real is not False and not v.has(sympy.I)


def _is_finite(v) -> bool:
    return v is not None and not v.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan, sympy.Limit, sympy.AccumBounds)


_SAMPLE = (sympy.Rational(7, 10), sympy.Rational(13, 10), sympy.Rational(21, 10),
           sympy.Rational(9, 20), sympy.Rational(37, 10), sympy.Rational(-3, 5), sympy.Rational(-17, 10))


def _same(a: sympy.Expr, b: sympy.Expr) -> bool:
    """a == b as functions: exactly, or at sample points to 25 digits (both
    sides finite at >= 3 points, never different at one)."""
    if a == b:
        return True
    syms = sorted(a.free_symbols | b.free_symbols, key=str)
    agree = 0
    for k in range(len(_SAMPLE)):
        point = {s: _SAMPLE[(k + 2 * i) % len(_SAMPLE)] for i, s in enumerate(syms)}
        try:
            va = sympy.N(a.xreplace(point), 30)
            vb = sympy.N(b.xreplace(point), 30)
        except Exception:  # noqa: BLE001
            continue
        if not (va.is_number and vb.is_number and _is_finite(va) and _is_finite(vb)):
            continue
        d = abs(sympy.N(va - vb, 30))
        scale = max(abs(va), abs(vb), 1)
        if d > scale * sympy.Float("1e-25", 30):
            return False
        agree += 1
    return agree >= 3


def _limit(expr: sympy.Expr, h: sympy.Symbol, direction: str) -> sympy.Expr | None:
    return bounded(lambda: sympy.limit(expr, h, 0, dir=direction), LIMIT_SECONDS, None)


def _one_sided_limits(q: sympy.Expr, h: sympy.Symbol, *, right: bool = True, left: bool = True
                      ) -> tuple[sympy.Expr | None, sympy.Expr | None]:
    """lim q as h -> 0+ and h -> 0- (each bounded; None where not asked, not found, or not real)."""
    out = []
    for wanted, direction in ((right, "+"), (left, "-")):
        v = _limit(q, h, direction) if wanted else None
        out.append(None if v is not None and v.has(sympy.I) else v)
    return out[0], out[1]


def one_sided_derivatives(f: sympy.Expr, var: sympy.Symbol, x0: sympy.Expr
                          ) -> tuple[sympy.Expr | None, sympy.Expr | None]:
    """The right and left limits of the difference quotient of f at var = x0 (None where
    SymPy cannot find one in time)."""
    h = _fresh_h(f, var)
    q = (f.xreplace({var: x0 + h}) - f.xreplace({var: x0})) / h
    return _one_sided_limits(q, h)


def finite_real(v) -> bool:
    """A finite real number (no infinity, nan, unevaluated limit or imaginary part)."""
    return _finite_real(v)


def _binomial_n(expr: sympy.Expr, var: sympy.Symbol) -> int | None:
    if expr == var:
        return 1
    if (isinstance(expr, Pow) and expr.base == var and expr.exp.is_Integer
            and 1 <= int(expr.exp) <= BINOMIAL_MAX_N):
        return int(expr.exp)
    return None


_ADDITION = {
    sympy.sin: lambda x, h: sympy.sin(x) * sympy.cos(h) + sympy.cos(x) * sympy.sin(h),
    sympy.cos: lambda x, h: sympy.cos(x) * sympy.cos(h) - sympy.sin(x) * sympy.sin(h),
    sympy.exp: lambda x, h: sympy.exp(x) * sympy.exp(h),
}


def _simplify_quotient(f: sympy.Expr, fxh: sympy.Expr, var, h) -> sympy.Expr:
    """A readable simplified form of (f(x+h) - f(x))/h (bounded in time)."""
    q = (fxh - f) / h

    def work() -> sympy.Expr:
        if q.is_rational_function(var, h):
            return sympy.cancel(q)
        if f == sympy.sqrt(var):
            # multiply by the conjugate: ((x+h) - x)/(h (sqrt(x+h) + sqrt(x)))
            return 1 / (sympy.sqrt(var + h) + sympy.sqrt(var))
        # the addition theorems sin(x+h), cos(x+h), exp(x+h) where f uses them
        reps = {}
        for func, rule in _ADDITION.items():
            target = func(var + h)
            if fxh.has(target):
                reps[target] = rule(var, h)
        if reps:
            num = sympy.expand(fxh.xreplace(reps) - f, power_exp=False, log=False, multinomial=False)
            num = sympy.collect(num, [sympy.sin(var), sympy.cos(var), sympy.exp(var)])
            return Add(*(t / h for t in Add.make_args(num)))
        return q

    return bounded(work, 2.0, q)


_EXACT_FUNCS = (sympy.Abs, sympy.sign, sympy.Max, sympy.Min, sympy.floor, sympy.ceiling)


def _exact_ok(q: sympy.Expr) -> bool:
    """Whether substituting a rational h into q is cheap: constant rational
    exponents with small denominators and numerators only (roots of rationals are
    cheap, a power like (1 - 10**-6)**(1 - 10**-6) or **99999 is not), and no functions but abs,
    sign, min, max, floor, ceiling."""
    for node in sympy.preorder_traversal(q):
        if isinstance(node, Pow) and not (node.exp.is_Rational and node.exp.q <= 12 and abs(node.exp.p) <= 64):
            return False  # (1 + 10**-6)**99999 exactly has 600,000 digits: use evalf
        if isinstance(node, sympy.Function) and not isinstance(node, _EXACT_FUNCS):
            return False
    return True


def _slope(q: sympy.Expr, h: sympy.Symbol, value: sympy.Rational, exact: bool) -> sympy.Expr | None:
    """q at h = value: exact when it is a rational number, else a Float of 15
    significant digits from SymPy's adaptive-precision evalf (substituting into
    the unevaluated expression, so (1 - 10**-6)**(1 - 10**-6) is never
    evaluated exactly); None where the value is not a finite real number."""

    def work():
        if exact:
            v = q.xreplace({h: value})
            if v.is_Rational:
                return v
            if not _is_finite(v):
                return None
            n = sympy.N(v, SLOPE_DIGITS, maxn=400)
        else:
            n = q.evalf(SLOPE_DIGITS, subs={h: value}, maxn=400)
        if not n.is_number or not _is_finite(n):
            return None
        re, im = n.as_real_imag()
        if im != 0 and abs(im) > 1e-100:
            return None
        if abs(re) < 1e-100:  # evalf's "0.e-439": a difference that is exactly 0
            return S.Zero
        return re

    return bounded(work, 2.0, None)


def _exact_point(at) -> sympy.Expr:
    if isinstance(at, str):
        raise InputError("the point must be a number, not text")
    try:
        x0 = sympy.sympify(at, strict=True)
    except (sympy.SympifyError, TypeError):
        raise InputError(f"the point must be a number: {at!r}") from None
    if not x0.is_number:
        raise InputError(f"the point must be a number, not {x0}")
    if x0.has(sympy.I):
        raise InputError(f"the point must be a real number, not {x0}")
    return x0


# --------------------------------------------------------------------------

def from_definition(expr, var, at=None) -> DefinitionResult:
    """The derivative of ``expr`` w.r.t. ``var`` from the difference quotient."""
    if not isinstance(expr, sympy.Basic):
        expr = sympy.sympify(expr, strict=True)
    if not isinstance(var, sympy.Symbol):
        raise InputError(f"can only differentiate with respect to a variable, not {var}")
    if not isinstance(expr, sympy.Expr) or isinstance(expr, sympy.MatrixExpr) or getattr(expr, "is_Matrix", False):
        raise InputError("--definition works on scalar functions of one variable")
    h = _fresh_h(expr, var)
    fxh = expr.xreplace({var: var + h})
    notes: list[str] = []
    n = _binomial_n(expr, var)
    if n is not None:
        simplified, formula, method, expansion, numerator = _binomial_limit(var, h, n, notes)
    else:
        expansion = numerator = None
        simplified, formula, method = _quotient_limit(expr, fxh, var, h, notes)
    result = dict(
        function=expr, var=var, h=h, quotient=_unevaluated_quotient(fxh, expr, h), simplified=simplified,
        limit=formula, binomial=n is not None, expansion=expansion, numerator=numerator,
        formula=formula, method=method,
    )
    if at is None:
        return DefinitionResult(**result, notes=tuple(notes))
    return _at_point(expr, var, h, at, formula, result, notes)


def _binomial_limit(var, h, n: int, notes: list[str]) -> tuple:
    """Example 5.2: (x+h)**n = sum binom(n,i) x**(n-i) h**i; x**n cancels; divide by h."""
    terms = [sympy.binomial(n, i) * var ** (n - i) * h**i for i in range(n + 1)]
    expansion = Add(*terms)
    numerator = Add(*terms[1:])
    simplified = Add(*(sympy.binomial(n, i) * var ** (n - i) * h ** (i - 1) for i in range(1, n + 1)))
    formula = simplified.xreplace({h: 0})  # (5.6c): every term with h**(i-1), i >= 2, -> 0
    if n > 1:
        notes.append(("Example 5.2: ", Formula("binomial", (var, h, n)), "; ", var**n, " cancels; divide by ", h,
                      " and let ", Tends(h, 0), ": ", formula))
    else:
        notes.append((Equal((sympy.Function("f")(var + h) - sympy.Function("f")(var), h)),
                      ", so the quotient is 1"))
    return simplified, formula, "binomial", expansion, numerator


def _quotient_limit(expr, fxh, var, h, notes: list[str]) -> tuple:
    """The simplified quotient and its limit; the differentiation rules' formula where SymPy
    cannot take the limit, or its limit disagrees with them (and a note says so)."""
    rules = sympy.diff(expr, var)
    simplified = _simplify_quotient(expr, fxh, var, h)
    lim = _limit(simplified, h, "+")
    if _finite_real(lim) and _same(lim, rules):
        return simplified, lim, "limit"
    if lim is None or not _is_finite(lim):
        why = f"SymPy could not take the limit for a general {var}"
    else:
        why = "SymPy's limit disagreed with the differentiation rules"
    notes.append(("the limit shown, ", rules, f", is from the differentiation rules ({why})"))
    return simplified, rules, "rules"


def _at_point(expr, var, h, at, formula, result: dict, notes: list[str]) -> DefinitionResult:
    """The secant slopes at x0 from both sides, the one-sided limits, and f'(x0) where they
    agree (or where f is defined on one side only)."""
    x0 = _exact_point(at)
    x0e = sympy.Rational(str(x0)) if isinstance(x0, sympy.Float) else x0
    f0 = expr.xreplace({var: x0e})
    if not _finite_real(f0) or (f0.is_number and sympy.N(f0, 20).has(sympy.I)):
        notes.append(("f is not defined at ", sympy.Eq(var, x0, evaluate=False), " (f(", x0, ") = ", f0,
                      "): no derivative there"))
        return DefinitionResult(**{**result, "limit": None}, point=x0, notes=tuple(notes))
    q0 = (expr.xreplace({var: x0e + h}) - f0) / h
    exact = _exact_ok(q0)
    secants = tuple(
        SecantRow(
            h=sympy.Rational(1, 10**k),
            slope_right=_slope(q0, h, sympy.Rational(1, 10**k), exact),
            slope_left=_slope(q0, h, -sympy.Rational(1, 10**k), exact),
        )
        for k in SECANT_EXPONENTS
    )
    # Over the reals, f may be defined on one side of x0 only.
    right_defined = any(r.slope_right is not None for r in secants[-3:])
    left_defined = any(r.slope_left is not None for r in secants[-3:])
    right, left = _one_sided_limits(q0, h, right=right_defined, left=left_defined)
    general_notes, notes = notes, []
    value, differ = _value_at(var, x0e, x0, formula, secants, right, left, right_defined, left_defined, notes)
    limit = formula
    if value is None:
        limit = None
    elif isinstance(x0, sympy.Float):
        value = sympy.N(value, 15)
    return DefinitionResult(
        **{**result, "limit": limit},
        point=x0, value_at_point=value, secants=secants, one_sided_differ=differ,
        limit_right=right, limit_left=left,
        notes=tuple(notes + general_notes),
    )


def _value_at(var, x0e, p, formula, secants, right, left, right_defined: bool, left_defined: bool,
              notes: list[tuple]) -> tuple[Any, bool]:
    """f'(x0) from the one-sided limits (None where there is none), and whether they differ."""
    right_ok, left_ok = _finite_real(right), _finite_real(left)
    value = None
    differ = False
    if right_ok and left_ok:
        if _same(right, left) or sympy.N(right - left, 30) == 0:
            value = right
        else:
            differ = True  # the renderers say so, from limit_right and limit_left
    elif right_ok and not left_defined:
        value = right
        notes.append(("f is defined only for ", sympy.Ge(var, p, evaluate=False), " near ", p,
                      ": the one-sided derivative (", Tends(_H, 0, "+"), ") is ", right))
    elif left_ok and not right_defined:
        value = left
        notes.append(("f is defined only for ", sympy.Le(var, p, evaluate=False), " near ", p,
                      ": the one-sided derivative (", Tends(_H, 0, "-"), ") is ", left))
    elif (right is not None and not _is_finite(right)) or (left is not None and not _is_finite(left)):
        if not left_defined:
            notes.append(("f is defined only for ", sympy.Ge(var, p, evaluate=False), " near ", p))
        elif not right_defined:
            notes.append(("f is defined only for ", sympy.Le(var, p, evaluate=False), " near ", p))
        shown: list = []
        for side, v in (("+", right), ("-", left)):
            if v is not None:
                shown += [", " if shown else "", Tends(_H, 0, side), ": ", v]
        notes.append(("the difference quotient has no finite limit (", *shown, "): f is not differentiable at ", p))
    else:
        # SymPy could not take the one-sided limits: use the formula, if the
        # secant slopes from both sides approach its value.
        guess = formula.xreplace({var: x0e}) if formula is not None else None
        last = secants[-1]
        if _finite_real(guess) and all(
            s is None or abs(sympy.N(s - guess, 20)) < sympy.Float("1e-4") * (1 + abs(sympy.N(guess, 20)))
            for s in (last.slope_right, last.slope_left)
        ):
            value = guess
            notes.append(("SymPy could not take the limit at ", p, "; f'(", p, ") is the derivative's value there, "
                          "which the secant slopes approach"))
        else:
            notes.append(("could not decide whether f is differentiable at ", p),)
    return value, differ
