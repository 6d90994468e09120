"""The power-series engine of ``taylor`` (5.7, 5.8).

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

import sympy

from .domains import _NeedPrecision, _Singular, _Unsupported

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
