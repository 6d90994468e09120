"""Taylor polynomials T_n (5.7, 5.8): one variable about x0, several by total degree.

The engine is truncated power-series arithmetic in one variable ``t``, driven by a
walk over the expression tree (Add, Mul, Pow and the elementary functions):

* one variable: ``x -> x0 + t``; the coefficient of ``t^k`` is f^(k)(x0)/k!;
* several variables: ``x_i -> x0_i + t*X_i``; the coefficient of ``t^k`` is the
  homogeneous part of total degree k, a polynomial in the displacements X_i.

Each elementary function has an O(n^2) recurrence (exp: g' = q' g, sin/cos as a
coupled pair, log: g' p = p', powers: J. C. P. Miller's p g' = a p' g, the inverse
trigonometric and hyperbolic functions by integrating their derivative), so order
100 of exp(sin(x)) takes milliseconds where ``sympy.series`` takes hours.  Series
carry a valuation (a leading power of t, negative for poles) and their precision,
so that removable singularities work (sin(x)/x, x/(exp(x) - 1)) and genuine ones
(1/x, sqrt(x), log(x), abs(x) at 0) are recognised: ``NotAnalyticError``.

Coefficients live in the smallest domain that holds them: the rationals (or the
polynomials over them in the displacements), widened on demand to rational
functions and finally to SymPy's expression domain EX (symbolic centers, pi,
exp(1), parameters).  Functions the engine does not know (erf, gamma, ...) fall back
to repeated differentiation.  Nothing here catches BaseException, so the caller's
``time_limit`` always applies.
"""

from __future__ import annotations

from math import factorial as _ifact
from typing import Any
import sympy
from sympy.polys.domains import EX, QQ

from ..errors import InputError, NotAnalyticError
from ..limits import MAX_ORDER, check_taylor
from ..record import record

METHOD_SERIES = "power series arithmetic"
METHOD_DERIVATIVES = "derivatives"


@record
class TaylorTerm:
    """One coefficient of the Taylor polynomial."""

    #: Exponent per variable (one variable: ``(k,)``).
    powers: tuple[int, ...]
    #: The (partial) derivative at the center: f^(k)(x0), or d^|a| f / dx^a.
    derivative: sympy.Expr
    #: ``derivative / a!``: the coefficient of (x - x0)^a.
    coefficient: sympy.Expr


@record
class TaylorResult:
    function: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    center: tuple[sympy.Expr, ...]
    order: int
    #: In powers of (x - x0), or of x when ``expanded``.
    polynomial: sympy.Expr
    #: By increasing total degree; one variable: every k (zeros included);
    #: several variables: the nonzero coefficients only.
    terms: tuple[TaylorTerm, ...]
    expanded: bool
    method: str


# --------------------------------------------------------------------------
# Internal signals


class _Escalate(Exception):
    """The coefficient domain is too small: start again in a wider one."""


class _Unsupported(Exception):
    """The series engine does not handle this expression: fall back."""


class _NeedPrecision(Exception):
    """A divisor (or an argument) has no known coefficient: raise the precision."""


class _Singular(Exception):
    """The function is not analytic at the center."""


# --------------------------------------------------------------------------
# Coefficient domains.  Each offers: zero, one, from_expr (a SymPy constant ->
# element, or _Escalate), scalar (a rational or constant usable as a multiplier),
# is_zero, ground (element -> SymPy constant, None when it depends on the
# displacements), inv (of a nonzero element, or _Escalate), gen(i).


class _QQDom:
    name = "QQ"

    def __init__(self, xs=()):
        self.zero, self.one = QQ.zero, QQ.one

    def from_expr(self, e):
        if e.is_Rational:
            return QQ(int(e.p), int(e.q))
        raise _Escalate

    scalar = from_expr

    def rat(self, p, q=1):
        return QQ(p, q)

    def is_zero(self, c):
        return not c

    def ground(self, c):
        return QQ.to_sympy(c)

    def inv(self, c):
        return QQ.one / c


class _ExactDom:
    """What the exact domains share: rational constants of the ring ``self.R``."""

    R: Any

    def from_expr(self, e):
        if e.is_Rational:
            return self.R.ground_new(QQ(int(e.p), int(e.q)))
        raise _Escalate

    def scalar(self, e):
        if e.is_Rational:
            return QQ(int(e.p), int(e.q))
        raise _Escalate

    def rat(self, p, q=1):
        return QQ(p, q)

    def is_zero(self, c):
        return not c

    def gen(self, i):
        return self.gens[i]


class _PolyDom(_ExactDom):
    """QQ[X_1..X_m]: exact polynomials in the displacements."""

    name = "QQ[X]"

    def __init__(self, xs):
        from sympy.polys.rings import ring

        self.R, *self.gens = ring(list(xs), QQ)
        self.zero, self.one = self.R.zero, self.R.one

    def ground(self, c):
        if not c:
            return sympy.S.Zero
        if c.is_ground:
            return QQ.to_sympy(c.LC)
        return None

    def inv(self, c):
        if c.is_ground:
            return self.R.ground_new(QQ.one / c.LC)
        raise _Escalate

    def to_dict(self, c):
        return {m: QQ.to_sympy(v) for m, v in c.terms()}


class _FracDom(_ExactDom):
    """QQ(X_1..X_m): rational functions of the displacements (quotients whose
    leading coefficient is not a constant, e.g. (exp(x) - 1)/x in two variables)."""

    name = "QQ(X)"

    def __init__(self, xs):
        from sympy.polys.fields import field

        self.R, *self.gens = field(list(xs), QQ)
        self.zero, self.one = self.R.zero, self.R.one

    def ground(self, c):
        if not c:
            return sympy.S.Zero
        if c.numer.is_ground and c.denom.is_ground:
            return QQ.to_sympy(c.numer.LC / c.denom.LC)
        return None

    def inv(self, c):
        return self.R.one / c

    def to_dict(self, c):
        if not c.denom.is_ground:
            raise _Singular
        d = c.denom.LC
        return {m: QQ.to_sympy(v / d) for m, v in c.numer.terms()}


class _EXDom:
    """SymPy expressions (symbolic centers, pi, e, parameters, floats)."""

    name = "EX"

    def __init__(self, xs=()):
        self.xs = tuple(xs)
        self.zero, self.one = EX.zero, EX.one
        self._cache: dict = {}

    def from_expr(self, e):
        return EX.from_sympy(e)

    scalar = from_expr

    def rat(self, p, q=1):
        key = (p, q)
        r = self._cache.get(key)
        if r is None:
            r = self._cache[key] = EX.from_sympy(sympy.Rational(p, q))
        return r

    def is_zero(self, c):
        return c.ex.is_zero is True

    def ground(self, c):
        if self.xs and c.ex.has(*self.xs):
            return None
        return c.ex

    def inv(self, c):
        return EX.one / c

    def gen(self, i):
        return EX.from_sympy(self.xs[i])

    def to_dict(self, c):
        from sympy.polys.polyerrors import PolynomialError

        expr = c.ex
        if expr.is_zero:
            return {}
        try:
            p = sympy.Poly(expr, *self.xs)
        except PolynomialError:
            raise _Singular from None
        out = {}
        for m, v in p.terms():
            if v.has(*self.xs):
                raise _Singular
            out[m] = v
        return out


# --------------------------------------------------------------------------
# Truncated series: sum c[i] t^(v+i) + O(t^(v+len(c))).  The relative precision
# len(c) is at most the working precision W; an exactly known zero has v = _INF.

_INF = 1 << 40


class _S:
    __slots__ = ("v", "c")

    def __init__(self, v, c):
        self.v = v
        self.c = c

    @property
    def N(self):
        return self.v + len(self.c) if self.c else self.v


class _Engine:
    def __init__(self, dom, W, leaves):
        self.dom = dom
        self.W = W
        self.leaves = leaves  # Symbol -> _S
        self.memo: dict = {}
        self.zero, self.one = dom.zero, dom.one

    # ---- basic operations -------------------------------------------------

    def norm(self, v, c):
        iz = self.dom.is_zero
        i = 0
        while i < len(c) and iz(c[i]):
            i += 1
        if i:
            v, c = v + i, c[i:]
        if len(c) > self.W:
            c = c[: self.W]
        return _S(v, c)

    def const(self, k):
        if self.dom.is_zero(k):
            return _S(_INF, [])
        return _S(0, [k] + [self.zero] * (self.W - 1))

    def cexpr(self, e):
        """The constant series of a SymPy expression free of the variables."""
        return self.const(self.dom.from_expr(e))

    def add(self, a, b):
        N = min(a.N, b.N)
        v = min(a.v, b.v)
        if v >= N:
            return _S(N, [])
        c = [self.zero] * (N - v)
        for s in (a, b):
            off = s.v - v
            for i, x in enumerate(s.c[: N - s.v]):
                c[off + i] = c[off + i] + x
        return self.norm(v, c)

    def neg(self, a):
        return _S(a.v, [-x for x in a.c])

    def scale(self, a, k):
        """a times a constant element k."""
        if self.dom.is_zero(k):
            return _S(_INF, [])
        return _S(a.v, [x * k for x in a.c])

    def mul(self, a, b):
        if not a.c or not b.c:
            N = min(a.N + b.v, b.N + a.v, _INF)
            return _S(N, [])
        A, B = a.c, b.c
        L = min(len(A), len(B))
        zero = self.zero
        c = []
        for k in range(L):
            acc = zero
            for i in range(k + 1):
                x = A[i]
                if x:
                    y = B[k - i]
                    if y:
                        acc = acc + x * y
            c.append(acc)
        return self.norm(a.v + b.v, c)

    def inv(self, a):
        if not a.c:
            raise _NeedPrecision
        A = a.c
        g0 = self.dom.inv(A[0])
        mg0 = -g0
        g = [g0]
        for k in range(1, len(A)):
            acc = self.zero
            for j in range(1, k + 1):
                x = A[j]
                if x:
                    acc = acc + x * g[k - j]
            g.append(acc * mg0)
        return self.norm(-a.v, g)

    def dense(self, a, M):
        """Coefficients of t^0 .. t^(M-1) of a series with valuation >= 0."""
        out = [self.zero] * M
        for i, x in enumerate(a.c):
            e = a.v + i
            if e >= M:
                break
            out[e] = x
        return out

    def _arg(self, a):
        """(dense coefficients, length) of a function argument, which must have
        no negative powers."""
        if a.v < 0:
            if a.c:
                raise _Singular
        if a.N <= 0:
            raise _NeedPrecision
        M = min(a.N, self.W + max(a.v, 0))
        return self.dense(a, M), M

    def _ground(self, c):
        g = self.dom.ground(c)
        if g is None:  # a t^0 coefficient that depends on the direction: x/y
            raise _Singular
        return g

    def _cfun(self, func, c):
        """An element for func(c), c a ground constant; a non-finite value means
        the function is singular there."""
        val = func(self._ground(c))
        if val.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise _Singular
        return self.dom.from_expr(val)

    # ---- elementary functions ---------------------------------------------

    def exp(self, a):
        d, M = self._arg(a)
        c0 = d[0]
        jq = [d[j] * j for j in range(M)]
        g = [self.one]
        rat = self.dom.rat
        for k in range(1, M):
            acc = self.zero
            for j in range(1, k + 1):
                x = jq[j]
                if x:
                    acc = acc + x * g[k - j]
            g.append(acc * rat(1, k))
        if not self.dom.is_zero(c0):
            E = self._cfun(sympy.exp, c0)
            g = [x * E for x in g]
        return self.norm(0, g)

    def _sincos(self, a, hyper):
        d, M = self._arg(a)
        c0 = d[0]
        jq = [d[j] * j for j in range(M)]
        s = [self.zero]
        co = [self.one]
        rat = self.dom.rat
        for k in range(1, M):
            acc_s = self.zero
            acc_c = self.zero
            for j in range(1, k + 1):
                x = jq[j]
                if x:
                    acc_s = acc_s + x * co[k - j]
                    acc_c = acc_c + x * s[k - j]
            r = rat(1, k)
            s.append(acc_s * r)
            co.append(acc_c * r if hyper else -(acc_c * r))
        S, C = self.norm(0, s), self.norm(0, co)
        if self.dom.is_zero(c0):
            return S, C
        if hyper:
            sc, cc = self._cfun(sympy.sinh, c0), self._cfun(sympy.cosh, c0)
            return (
                self.add(self.scale(C, sc), self.scale(S, cc)),
                self.add(self.scale(C, cc), self.scale(S, sc)),
            )
        sc, cc = self._cfun(sympy.sin, c0), self._cfun(sympy.cos, c0)
        return (
            self.add(self.scale(C, sc), self.scale(S, cc)),
            self.add(self.scale(C, cc), self.neg(self.scale(S, sc))),
        )

    def log(self, a):
        if not a.c:
            raise _NeedPrecision
        if a.v != 0:
            raise _Singular
        A = a.c
        M = len(A)
        a0 = A[0]
        inv0 = self.dom.inv(a0)
        g = [self._cfun(sympy.log, a0)]
        rat = self.dom.rat
        for k in range(1, M):
            acc = A[k] * k
            for j in range(1, k):
                x = g[j]
                if x:
                    y = A[k - j]
                    if y:
                        acc = acc - x * y * j
            g.append(acc * inv0 * rat(1, k))
        return self.norm(0, g)

    def pow(self, a, e):
        """a**e for a constant exponent e (a SymPy expression)."""
        if e.is_zero:
            return self.const(self.one)
        if e.is_Integer:
            k = int(e)
            if k < 0:
                return self.inv(self.pow(a, -e))
            if not a.c:
                return _S(min(a.N * k, _INF), [])
            result = None
            base = a
            while True:  # binary powering: no division, so no domain widening
                if k & 1:
                    result = base if result is None else self.mul(result, base)
                k >>= 1
                if not k:
                    return result
                base = self.mul(base, base)
        if not a.c:
            raise _NeedPrecision
        v = a.v
        if v != 0:
            ve = v * e
            integral = e.is_Float and e == int(e)
            if not (integral or (v % 2 == 0 and ve.is_Integer and ve % 2 == 0)):
                raise _Singular
            newv = int(ve)
        else:
            newv = 0
        A = a.c
        u0 = A[0]
        base0 = self._ground(u0)
        g0 = sympy.Pow(base0, e)
        if g0.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise _Singular
        g = [self.dom.from_expr(g0)]
        es = self.dom.scalar(e)
        e1 = es + self.dom.rat(1)
        inv0 = self.dom.inv(u0)
        rat = self.dom.rat
        for k in range(1, len(A)):
            acc = self.zero
            for j in range(1, k + 1):
                x = A[j]
                if x:
                    acc = acc + x * g[k - j] * (e1 * j - k)
            g.append(acc * inv0 * rat(1, k))
        return self.norm(newv, g)

    def deriv(self, a):
        """d/dt of a series with valuation >= 0."""
        d, M = self._arg(a)
        return self.norm(0, [d[k] * k for k in range(1, M)])

    def integrate(self, h, c0):
        """c0 + the integral of h from 0 (h without negative powers)."""
        if h.v < 0 and h.c:
            raise _Singular
        if h.N <= 0:
            raise _NeedPrecision
        M = h.N
        d = self.dense(h, M)
        rat = self.dom.rat
        g = [c0] + [d[k - 1] * rat(1, k) for k in range(1, M + 1)]
        return self.norm(0, g)

    def _inverse_function(self, a, func, deriv_of):
        """func(a) = func(a0) + integral of a' * deriv_of(a)."""
        d, M = self._arg(a)
        c0 = self._cfun(func, d[0])
        da = self.deriv(a)
        return self.integrate(self.mul(da, deriv_of(a)), c0)

    def _one_plus(self, a, sign_one, sign_a2):
        """sign_one*1 + sign_a2*a^2."""
        one = self.const(self.one if sign_one > 0 else -self.one)
        a2 = self.mul(a, a)
        return self.add(one, a2 if sign_a2 > 0 else self.neg(a2))

    def abs_(self, a):
        if not a.c:
            raise _NeedPrecision
        if a.v % 2:
            raise _Singular
        lead = self._ground(a.c[0])
        if lead.is_extended_positive:
            return a
        if lead.is_extended_negative:
            return self.neg(a)
        if lead.is_extended_real:  # a symbolic center: |a + t| = sign(a) (a + t)
            r = self.scale(a, self.dom.from_expr(sympy.sign(lead)))
            if a.v == 0:
                r.c[0] = self.dom.from_expr(sympy.Abs(lead))
            return r
        raise _Unsupported

    def sign_(self, a):
        if not a.c:
            raise _NeedPrecision
        if a.v != 0:
            raise _Singular
        lead = self._ground(a.c[0])
        if lead.is_extended_positive:
            return self.const(self.one)
        if lead.is_extended_negative:
            return self.const(-self.one)
        if lead.is_extended_real:
            return self.cexpr(sympy.sign(lead))
        raise _Unsupported

    # ---- the tree walk ----------------------------------------------------

    def series(self, node):
        hit = self.memo.get(node)
        if hit is not None:
            return hit
        r = self._series(node)
        self.memo[node] = r
        return r

    def _series(self, node):
        leaf = self.leaves.get(node)
        if leaf is not None:
            return leaf
        if not node.free_symbols & self.leaves.keys():
            if node.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
                raise _Singular
            return self.cexpr(node)
        if node.is_Add:
            args = [self.series(x) for x in node.args]
            r = args[0]
            for x in args[1:]:
                r = self.add(r, x)
            return r
        if node.is_Mul:
            # Constant factors first: cheap scaling, not a full product.
            const = [x for x in node.args if not x.free_symbols & self.leaves.keys()]
            rest = [x for x in node.args if x.free_symbols & self.leaves.keys()]
            r = self.series(rest[0])
            for x in rest[1:]:
                r = self.mul(r, self.series(x))
            if const:
                r = self.scale(r, self.dom.from_expr(sympy.Mul(*const)))
            return r
        if node.is_Pow:
            b, e = node.args
            if not e.free_symbols & self.leaves.keys():
                return self.pow(self.series(b), e)
            return self.exp(self.mul(self.series(e), self.series(sympy.log(b))))
        if isinstance(node, sympy.Function) and len(node.args) == 1:
            return self._function(node)
        raise _Unsupported

    def _function(self, node):
        F = sympy.functions
        a = self.series(node.args[0])
        if isinstance(node, F.exp):
            return self.exp(a)
        if isinstance(node, F.log):
            return self.log(a)
        if isinstance(node, (F.sin, F.cos, F.tan, F.cot, F.sec, F.csc)):
            s, c = self._sincos(a, hyper=False)
            if isinstance(node, F.sin):
                return s
            if isinstance(node, F.cos):
                return c
            if isinstance(node, F.tan):
                return self.mul(s, self.inv(c))
            if isinstance(node, F.cot):
                return self.mul(c, self.inv(s))
            if isinstance(node, F.sec):
                return self.inv(c)
            return self.inv(s)
        if isinstance(node, (F.sinh, F.cosh, F.tanh, F.coth, F.sech, F.csch)):
            s, c = self._sincos(a, hyper=True)
            if isinstance(node, F.sinh):
                return s
            if isinstance(node, F.cosh):
                return c
            if isinstance(node, F.tanh):
                return self.mul(s, self.inv(c))
            if isinstance(node, F.coth):
                return self.mul(c, self.inv(s))
            if isinstance(node, F.sech):
                return self.inv(c)
            return self.inv(s)
        half = sympy.Rational(-1, 2)
        if isinstance(node, F.atan):
            return self._inverse_function(a, sympy.atan, lambda a: self.inv(self._one_plus(a, 1, 1)))
        if isinstance(node, F.acot):
            return self._inverse_function(
                a, sympy.acot, lambda a: self.neg(self.inv(self._one_plus(a, 1, 1)))
            )
        if isinstance(node, F.asin):
            return self._inverse_function(a, sympy.asin, lambda a: self.pow(self._one_plus(a, 1, -1), half))
        if isinstance(node, F.acos):
            return self._inverse_function(
                a, sympy.acos, lambda a: self.neg(self.pow(self._one_plus(a, 1, -1), half))
            )
        if isinstance(node, F.atanh):
            return self._inverse_function(a, sympy.atanh, lambda a: self.inv(self._one_plus(a, 1, -1)))
        if isinstance(node, F.asinh):
            return self._inverse_function(a, sympy.asinh, lambda a: self.pow(self._one_plus(a, 1, 1), half))
        if isinstance(node, F.acosh):
            # SymPy's branch: d/dx acosh(x) = 1/(sqrt(x - 1)*sqrt(x + 1))
            def d_acosh(a):
                one = self.const(self.one)
                return self.mul(
                    self.pow(self.add(a, self.neg(one)), half), self.pow(self.add(a, one), half)
                )

            return self._inverse_function(a, sympy.acosh, d_acosh)
        if isinstance(node, F.Abs):
            return self.abs_(a)
        if isinstance(node, F.sign):
            return self.sign_(a)
        raise _Unsupported


# --------------------------------------------------------------------------
# Driving the engine


def _check_args(expr, variables, center, order):
    if isinstance(order, bool) or not isinstance(order, int):
        try:
            order_int = int(order)
        except (TypeError, ValueError):
            raise InputError(f"the order must be a whole number, not {order!r}") from None
        if order_int != order:
            raise InputError(f"the order must be a whole number, not {order!r}")
        order = order_int
    if order < 0:
        raise InputError(f"the order must be 0 or more, not {order}")
    if order > MAX_ORDER:
        raise InputError(
            f"order {order} is too large", f"the largest order gradcli computes is {MAX_ORDER}"
        )
    if isinstance(variables, sympy.Symbol):
        variables = (variables,)
    variables = tuple(variables)
    if not variables:
        raise InputError("taylor needs at least one variable")
    for v in variables:
        if not isinstance(v, sympy.Symbol):
            raise InputError(f"{v} is not a variable")
    if len(set(variables)) != len(variables):
        raise InputError("a variable is named twice")
    check_taylor(len(variables), order)  # before any work: C(n + k, k) terms
    if isinstance(center, (str, bytes)):
        raise InputError("the center must be an expression, not text")
    if not isinstance(center, (list, tuple)):
        center = (center,)
    try:
        center = tuple(sympy.sympify(c, strict=True) for c in center)
    except sympy.SympifyError:
        raise InputError("the center must be a number or an expression") from None
    if len(center) != len(variables):
        raise InputError(
            f"{len(variables)} variable(s) but a center with {len(center)} coordinate(s)"
        )
    for c in center:
        if c.free_symbols & set(variables):
            raise InputError(f"the center {c} contains a variable of the expansion")
        if c.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise InputError(f"the center {c} is not a finite point")
    try:
        expr = sympy.sympify(expr, strict=True)
    except sympy.SympifyError:
        raise InputError("taylor needs an expression") from None
    if not isinstance(expr, sympy.Expr) or getattr(expr, "is_Matrix", False) or isinstance(
        expr, sympy.MatrixExpr
    ):
        raise InputError("taylor needs a scalar expression")
    return expr, variables, center, order


def _point_text(variables, center):
    return ", ".join(f"{v} = {c}" for v, c in zip(variables, center))


def _not_analytic(expr, variables, center):
    return NotAnalyticError(
        f"{expr} is not analytic at {_point_text(variables, center)}: "
        "it has no Taylor polynomial there",
        "choose another point with --at",
    )


def _run_series(expr, variables, center, n):
    """Coefficient dict {powers: Expr} of degree <= n, by the series engine."""
    m = len(variables)
    if m == 1:
        xs = ()
        doms = [_QQDom, _EXDom]
    else:
        xs = tuple(sympy.Dummy(f"d{v}") for v in variables)
        doms = [_PolyDom, _FracDom, _EXDom]
    W = n + 1
    max_W = 2 * (n + 1) + 256
    di = 0
    while True:
        dom = doms[di](xs)
        try:
            leaves = {}
            eng = _Engine(dom, W, leaves)
            pad = [dom.zero] * W
            for i, (v, c) in enumerate(zip(variables, center)):
                lin = dom.one if m == 1 else dom.gen(i)
                c0 = dom.from_expr(c)
                if dom.is_zero(c0):
                    leaves[v] = _S(1, ([lin] + pad)[:W])
                else:
                    leaves[v] = _S(0, ([c0, lin] + pad)[:W])
            s = eng.series(expr)
        except _Escalate:
            di += 1
            if di >= len(doms):  # pragma: no cover - EX holds everything
                raise _Unsupported from None
            continue
        except _NeedPrecision:
            if W >= max_W:
                raise _Singular from None
            W = min(2 * W + 8, max_W)
            continue
        if s.c and s.v < 0:
            raise _Singular
        if s.N < n + 1:
            if W >= max_W:
                raise _Singular
            W = min(W + (n + 1 - s.N), max_W)
            continue
        break
    out: dict[tuple[int, ...], sympy.Expr] = {}
    for i, c in enumerate(s.c):
        k = s.v + i
        if k > n:
            break
        if m == 1:
            out[(k,)] = dom.ground(c) if dom.name == "QQ" else c.ex
        else:
            for mon, val in dom.to_dict(c).items():
                out[tuple(int(p) for p in mon)] = val
    return out


def _finite(val):
    if val.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return False
    # Heaviside(x) at 0: its derivatives are DiracDelta(0), not numbers
    if any(d.args[0].is_zero for d in val.atoms(sympy.DiracDelta)):
        raise _Singular
    return True


def _run_derivatives(expr, variables, center, n):
    """Coefficient dict by repeated differentiation (the general fallback)."""
    subs = dict(zip(variables, center))
    m = len(variables)
    out: dict[tuple[int, ...], sympy.Expr] = {}
    if m == 1:
        x, x0 = variables[0], center[0]
        d = expr
        for k in range(n + 1):
            if k:
                d = sympy.diff(d, x)
            val = d.subs(x, x0)
            if not _finite(val):
                try:
                    val = sympy.limit(d, x, x0, dir="+-")
                except Exception:  # noqa: BLE001 - a limit SymPy cannot take: no Taylor polynomial
                    raise _Singular from None
                if not _finite(val) or val.has(sympy.Limit):
                    raise _Singular
            out[(k,)] = val / _ifact(k)
        return out
    derivs = {(0,) * m: expr}
    for deg in range(n + 1):
        for powers in _multi_indices(m, deg):
            if powers not in derivs:
                i = next(j for j, p in enumerate(powers) if p)
                prev = powers[:i] + (powers[i] - 1,) + powers[i + 1 :]
                derivs[powers] = sympy.diff(derivs[prev], variables[i])
            val = derivs[powers].subs(subs)
            if not _finite(val):
                raise _Singular
            denom = 1
            for p in powers:
                denom *= _ifact(p)
            out[powers] = val / denom
    return out


def _multi_indices(m, deg):
    """All exponent tuples of length m and total degree deg, x1-major first."""
    if m == 1:
        yield (deg,)
        return
    for first in range(deg, -1, -1):
        for rest in _multi_indices(m - 1, deg - first):
            yield (first,) + rest


def _term_expr(coeff, factors):
    """coeff * prod(factors), kept as c*(x - x0) rather than distributed."""
    if not factors:
        return coeff
    if coeff == 1:
        return sympy.Mul(*factors)
    if coeff.is_Number and len(factors) == 1 and factors[0].is_Add:
        return sympy.Mul(coeff, factors[0], evaluate=False)
    return sympy.Mul(coeff, *factors)


def _expanded_polynomial(coeffs, variables, center):
    """sum coeff * prod (x_i - x0_i)^p_i, expanded in powers of the x_i."""
    from sympy.polys.constructor import construct_domain
    from sympy.polys.rings import ring

    try:
        dom = construct_domain(list(coeffs.values()) + list(center), field=True)[0]
    except Exception:  # noqa: BLE001 - any failure: the general expression domain
        dom = EX

    R, *gens = ring(list(variables), dom)
    shifts = [g - R.ground_new(dom.from_sympy(c)) for g, c in zip(gens, center)]
    powers_cache: dict = {}

    def power(i, p):
        key = (i, p)
        r = powers_cache.get(key)
        if r is None:
            r = R.one if p == 0 else power(i, p - 1) * shifts[i]
            powers_cache[key] = r
        return r

    total = R.zero
    for pw, c in coeffs.items():
        term = R.ground_new(dom.from_sympy(c))
        for i, p in enumerate(pw):
            if p:
                term = term * power(i, p)
        total += term
    return total.as_expr()


def taylor(expr, variables, center, order, *, expand=False) -> TaylorResult:
    """The Taylor polynomial of total degree ``order`` of ``expr`` about ``center``.

    ``variables``: a Symbol or a sequence of them; ``center``: a point (an
    expression per variable; a single expression for one variable).  Raises
    ``InputError`` for bad arguments (order > 1000 among them) and
    ``NotAnalyticError`` when ``expr`` is not analytic at the center.
    """
    expr, variables, center, n = _check_args(expr, variables, center, order)
    m = len(variables)
    method = METHOD_SERIES
    try:
        try:
            coeffs = _run_series(expr, variables, center, n)
        except _Unsupported:
            method = METHOD_DERIVATIVES
            coeffs = _run_derivatives(expr, variables, center, n)
    except _Singular:
        raise _not_analytic(expr, variables, center) from None

    zero = sympy.S.Zero
    if m == 1:
        keys = [(k,) for k in range(n + 1)]
    else:
        keys = [pw for deg in range(n + 1) for pw in _multi_indices(m, deg) if coeffs.get(pw, zero) != 0]
    terms = []
    pieces = []
    shifts = [v - c for v, c in zip(variables, center)]
    for pw in keys:
        c = sympy.sympify(coeffs.get(pw, zero))
        mult = 1
        for p in pw:
            mult *= _ifact(p)
        terms.append(TaylorTerm(powers=pw, derivative=c * mult, coefficient=c))
        if c != 0:
            pieces.append(_term_expr(c, [s**p if p != 1 else s for s, p in zip(shifts, pw) if p]))
    polynomial = sympy.Add(*pieces)
    if expand and any(c != 0 for c in center):
        nonzero = {t.powers: t.coefficient for t in terms if t.coefficient != 0}
        polynomial = _expanded_polynomial(nonzero, variables, center)
    return TaylorResult(
        function=expr,
        variables=variables,
        center=center,
        order=n,
        polynomial=polynomial,
        terms=tuple(terms),
        expanded=bool(expand),
        method=method,
    )


# --------------------------------------------------------------------------
# Plot


def _default_orders(order):
    return sorted({0, 1, order // 2, order} & set(range(order + 1)))


def plot_taylor(expr, var, x0, order, path, *, orders=None) -> None:
    """Draw f beside its Taylor polynomials T_k about x0 (for k in ``orders``) and
    write the figure to ``path`` (PNG or SVG, by the suffix)."""
    from pathlib import Path

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise InputError(
            f"cannot tell the plot format from {path.name!r}", "name the file FILE.png or FILE.svg"
        )
    import tempfile

    # matplotlib keeps a configuration and font cache under $HOME: give it a private
    # directory instead, removed afterwards (gradcli writes no file but the one named), and
    # keep its notes ("building the font cache") off stderr
    with tempfile.TemporaryDirectory(prefix="gradcli-matplotlib-") as private:
        _plot(expr, var, x0, order, path, fmt, orders, private)


def _matplotlib(private: str) -> Any:
    import logging
    import os
    import sys

    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    previous = os.environ.get("MPLCONFIGDIR")
    if "matplotlib" not in sys.modules:  # matplotlib reads it once, when it loads
        os.environ["MPLCONFIGDIR"] = private
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure
    except ImportError:
        raise InputError("--plot needs matplotlib", "install it with: pip install 'gradcli[plot]'") from None
    finally:
        if previous is None:
            os.environ.pop("MPLCONFIGDIR", None)
        else:
            os.environ["MPLCONFIGDIR"] = previous
    return FigureCanvasAgg, Figure


def _plot(expr, var, x0, order, path, fmt, orders, private) -> None:
    FigureCanvasAgg, Figure = _matplotlib(private)
    import numpy as np

    if isinstance(var, (list, tuple)):
        if len(var) != 1:
            raise InputError("--plot draws functions of one variable only")
        var = var[0]
    if isinstance(x0, (list, tuple)):
        x0 = x0[0]
    orders = _default_orders(order) if orders is None else sorted(set(int(k) for k in orders))
    if not orders:
        raise InputError("--plot needs at least one order")
    if orders[0] < 0 or orders[-1] > MAX_ORDER:
        raise InputError(f"plot orders must be between 0 and {MAX_ORDER}")
    result = taylor(expr, (var,), (x0,), max(orders))
    center = result.center[0]
    try:
        xc = float(sympy.N(center))
    except TypeError:
        raise InputError(f"--plot needs a numeric center, not {center}") from None
    f = result.function
    if f.free_symbols - {var}:
        names = ", ".join(sorted(str(s) for s in f.free_symbols - {var}))
        raise InputError(f"--plot cannot draw {f}: it depends on {names} too")

    half = 4.0
    if not (abs(xc) < 1e12):  # beyond this, x0 ± 4 are not distinct floats to plot between
        raise InputError(f"--plot needs a centre between -1e12 and 1e12, not {sympy.N(center, 6)}")
    xs = np.linspace(xc - half, xc + half, 801)
    with np.errstate(all="ignore"):
        fn = sympy.lambdify(var, f, modules="numpy")
        try:
            ys = np.asarray(fn(xs), dtype=complex) * np.ones_like(xs)
            ys = np.where(np.abs(ys.imag) > 1e-12, np.nan, ys.real).astype(float)
        except Exception:  # noqa: BLE001 - a function numpy cannot evaluate: point by point
            ys = np.array([_num(f, var, x) for x in xs], dtype=float)
        ys[~np.isfinite(ys)] = np.nan
        finite = ys[np.isfinite(ys)]
        try:
            coeffs = [float(sympy.N(t.coefficient)) for t in result.terms]
        except TypeError:
            raise InputError(
                f"--plot cannot draw the Taylor polynomial of {f} about {var} = {center}: "
                "its coefficients are not real numbers"
            ) from None
        if finite.size:
            lo, hi = np.percentile(finite, [2, 98])
        else:
            lo = hi = coeffs[0] if coeffs else 0.0
        span = max(hi - lo, 1.0)
        ylo, yhi = lo - 0.25 * span, hi + 0.25 * span
        clip_lo, clip_hi = ylo - 10 * span, yhi + 10 * span

        fig = Figure(figsize=(7, 4.5), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
        # break the curve at poles instead of joining +inf to -inf
        jumps = np.abs(np.diff(ys)) > 2 * (yhi - ylo)
        ys = ys.copy()
        ys[1:][jumps] = np.nan
        ax.plot(xs, ys, color="black", linewidth=2.2, label=f"f({var}) = {sympy.sstr(f)}")
        h = xs - xc
        for k in orders:
            p = np.zeros_like(xs)
            for c in reversed(coeffs[: k + 1]):  # Horner in (x - x0)
                p = p * h + c
            p = np.clip(np.nan_to_num(p, nan=np.nan, posinf=clip_hi, neginf=clip_lo), clip_lo, clip_hi)
            ax.plot(xs, p, linewidth=1.2, linestyle="--", label=f"$T_{{{k}}}$")
        y_at = coeffs[0] if coeffs else 0.0
        ax.plot([xc], [y_at], "o", color="black", markersize=4)
        ax.set_xlim(xs[0], xs[-1])
        ax.set_ylim(ylo, yhi)
        ax.set_xlabel(str(var))
        ax.set_ylabel(f"f({var})")
        ax.set_title(f"Taylor polynomials about {var} = {sympy.sstr(center)}")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize="small")
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # glyphs missing from the font, tight_layout notes
            fig.tight_layout()
            try:
                fig.savefig(str(path), format=fmt)
            except OSError as exc:
                raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _num(f, var, x):
    try:
        val = complex(f.subs(var, x).evalf())
    except (TypeError, ValueError):
        return float("nan")
    return val.real if abs(val.imag) < 1e-12 else float("nan")
