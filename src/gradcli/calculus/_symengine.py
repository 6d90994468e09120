"""SymEngine for big gradients, Hessians and Jacobians (``calculus.multivar`` decides when):
imported lazily and without NumPy, and converted back to SymPy with the caller's own
Symbols, each distinct subtree once.  Only expressions of the class on which SymEngine's
canonical forms provably agree with SymPy's are given to it (``se_safe``)."""

from __future__ import annotations

from collections.abc import Sequence

import sympy
from sympy import Add, Mul, Pow, S


def terms(expr) -> tuple:
    """The terms of a sum (a single term otherwise)."""
    return expr.args if isinstance(expr, Add) else (expr,)


_SAFE_FUNCS: tuple | None = None


def _safe_funcs() -> tuple:
    global _SAFE_FUNCS
    if _SAFE_FUNCS is None:
        _SAFE_FUNCS = (sympy.sin, sympy.cos, sympy.sinh, sympy.cosh, sympy.exp, sympy.log)
    return _SAFE_FUNCS


def se_safe(expr) -> bool:
    """Whether SymEngine's derivatives of expr (of any order) are exactly
    SymPy's once converted back: a sum of products of rational numbers, pi,
    surds (positive integer ** rational), powers (rational exponents) of
    symbols and of sin/cos/sinh/cosh/log of a single symbol, and at most one
    exp(symbol) per product.  The class is closed under differentiation."""
    funcs = _safe_funcs()
    for t in terms(expr):
        nexp = 0
        for a in (t.args if isinstance(t, Mul) else (t,)):
            if a.is_Symbol or a.is_Rational or a is S.Pi:
                continue
            if isinstance(a, Pow):
                base, e = a.args
                if not e.is_Rational:
                    return False
                if base.is_Symbol:
                    continue
                if base.is_Integer and base.is_positive:
                    continue
                if (isinstance(base, funcs) and not isinstance(base, sympy.exp)
                        and base.args[0].is_Symbol):
                    continue
                return False
            if isinstance(a, funcs) and a.args[0].is_Symbol:
                if isinstance(a, sympy.exp):
                    nexp += 1
                continue
            return False
        if nexp > 1:
            return False
    return True


def _import_symengine():
    """Import SymEngine (lazily: only big problems need it).

    SymEngine imports NumPy at start-up (~100 ms of its ~130 ms) for
    ``lambdify``, ``symarray`` and ``Matrix.__array__`` alone, none of which
    gradcli uses.  When NumPy is not loaded yet, a stub stands in for it
    during the import (with the two dtype classes ``sympify`` tests against);
    the stub leaves ``sys.modules`` at once, so a later ``import numpy``
    anywhere gets the real NumPy.  Set GRADCLI_SYMENGINE_NUMPY=1 to import
    SymEngine the ordinary way."""
    import os
    import sys

    if "symengine" in sys.modules or "numpy" in sys.modules or os.environ.get("GRADCLI_SYMENGINE_NUMPY"):
        import symengine

        return symengine
    import types

    stub = types.ModuleType("numpy")
    stub.float16 = type("float16", (), {})
    stub.float32 = type("float32", (), {})
    sys.modules["numpy"] = stub
    try:
        import symengine
    finally:
        if sys.modules.get("numpy") is stub:
            del sys.modules["numpy"]
    return symengine


_SYM_CLASS = None


def _symbol_class(se):
    """A SymEngine Symbol that converts back to the SymPy Symbol it holds."""
    global _SYM_CLASS
    if _SYM_CLASS is None:
        class _Sym(se.Symbol):
            def __init__(self, name, orig):
                super().__init__(name)
                self.orig = orig

            def _sympy_(self):
                return self.orig

        _SYM_CLASS = _Sym
    return _SYM_CLASS


class SEContext:
    """Conversion between SymPy and SymEngine that keeps the caller's Symbols.

    Each SymPy symbol becomes a SymEngine ``Symbol`` subclass instance holding
    it, so that converting a result back returns the very same SymPy Symbol
    (assumptions included)."""

    def __init__(self, symbols):
        se = _import_symengine()

        self.se = se
        names = [s.name for s in symbols]
        if len(set(names)) != len(names):
            raise ValueError("two symbols share a name")

        sym_class = _symbol_class(se)
        self.map = {s: sym_class(s.name, s) for s in symbols}
        self._plain = {se.Symbol(s.name): self.map[s] for s in symbols}
        self._back: dict = {}
        self._funcs = {getattr(se, n): getattr(sympy, n)
                       for n in ("sin", "cos", "sinh", "cosh", "log", "exp")}

    def to_se(self, expr):
        return self.se.sympify(expr).xreplace(self._plain)

    def back(self, e):
        """The SymPy form of a SymEngine expression, built with SymPy's own
        constructors (so in SymPy's canonical form), each distinct subtree
        once."""
        memo = self._back
        r = memo.get(e)
        if r is not None:
            return r
        t = type(e)
        se = self.se
        if t is se.Add:
            r = Add(*[self.back(a) for a in e.args])
        elif t is se.Mul:
            r = Mul(*[self.back(a) for a in e.args])
        elif t is se.Pow:
            b, x = e.args
            r = Pow(self.back(b), self.back(x))
        else:
            f = self._funcs.get(t)
            if f is not None:
                (a,) = e.args
                a = self.back(a)
                # f(symbol) never evaluates to anything else (the safe class
                # has no zero symbols): skip SymPy's costly eval
                r = f(a, evaluate=False) if a.is_Symbol and a.is_zero is not True else f(a)
            else:
                r = e._sympy_()
        memo[e] = r
        return r


def se_partials(ctx: SEContext, fe, svars: Sequence, sindex: dict) -> dict:
    """{j: d fe / d svars[j]} (SymEngine objects), nonzero partials only."""
    se = ctx.se
    groups: dict[int, list] = {}
    for t in (fe.args if isinstance(fe, se.Add) else (fe,)):
        for s in t.free_symbols:
            i = sindex.get(s)
            if i is not None:
                groups.setdefault(i, []).append(t)
    out = {}
    for j, ts in groups.items():
        v = svars[j]
        d = ts[0].diff(v) if len(ts) == 1 else se.add(*[t.diff(v) for t in ts])
        if d != 0:
            out[j] = d
    return out
