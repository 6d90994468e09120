"""The scalar functions of machine learning that SymPy lacks: ``sigmoid``, ``softplus`` and
``relu`` (issue 16), as SymPy ``Function`` classes with their derivatives, exact values at
special points, decimals through a rewrite in ``exp``/``log``/``Max``, and real assumptions.

Their names are their plain forms (``sigmoid(x)``), which gradcli reads back.  ``log1p``,
``expm1``, ``log2``, ``log10`` are SymPy's own (``sympy.codegen.cfunctions``), ``max``/``min``
are ``Max``/``Min`` and ``heaviside`` is ``Heaviside`` with H(0) = 1/2.

* sigmoid(x) = 1 / (1 + e^-x), σ' = σ (1 - σ); σ(0) = 1/2.
* softplus(x) = log(1 + e^x), softplus' = σ; softplus(0) = log 2.
* relu(x) = max(x, 0), relu' = H(x); no derivative at 0 (a kink, like abs: ``calculus.corners``).
"""

from __future__ import annotations

from typing import Any

import sympy as sp


class _RealFunction(sp.Function):
    """A real function of one real argument, evaluated to decimals through ``_rewritten``."""

    nargs = 1

    def _eval_is_real(self) -> Any:
        return self.args[0].is_extended_real

    def _eval_is_finite(self) -> Any:
        return self.args[0].is_finite

    def _rewritten(self, x: Any) -> Any:
        raise NotImplementedError

    def _eval_evalf(self, prec: int) -> Any:
        x = self.args[0]
        if not x.is_number:
            return None
        return self._rewritten(x)._eval_evalf(prec)


class sigmoid(_RealFunction):  # noqa: N801 - the name is the printed form
    """The logistic sigmoid σ(x) = 1/(1 + e^-x)."""

    @classmethod
    def eval(cls, x: Any) -> Any:
        if x.is_zero:
            return sp.S.Half
        if x is sp.S.Infinity:
            return sp.S.One
        if x is sp.S.NegativeInfinity:
            return sp.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _rewritten(self, x: Any) -> Any:
        return 1 / (1 + sp.exp(-x))

    def _eval_rewrite_as_exp(self, x: Any, **kwargs: Any) -> Any:
        return self._rewritten(x)

    def _eval_is_positive(self) -> Any:
        return True if self.args[0].is_extended_real else None


class softplus(_RealFunction):  # noqa: N801
    """softplus(x) = log(1 + e^x), a smooth relu."""

    @classmethod
    def eval(cls, x: Any) -> Any:
        if x.is_zero:
            return sp.log(2)
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        return sigmoid(self.args[0])

    def _rewritten(self, x: Any) -> Any:
        return sp.log(1 + sp.exp(x))

    def _eval_rewrite_as_log(self, x: Any, **kwargs: Any) -> Any:
        return self._rewritten(x)

    def _eval_is_positive(self) -> Any:
        return True if self.args[0].is_extended_real else None


class relu(_RealFunction):  # noqa: N801
    """relu(x) = max(x, 0): its derivative is H(x) away from 0 and does not exist at 0."""

    @classmethod
    def eval(cls, x: Any) -> Any:
        if x.is_extended_nonnegative:
            return x
        if x.is_extended_nonpositive:
            return sp.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        return sp.Heaviside(self.args[0])

    def _rewritten(self, x: Any) -> Any:
        return sp.Max(x, 0)

    def _eval_rewrite_as_Max(self, x: Any, **kwargs: Any) -> Any:
        return self._rewritten(x)

    def _eval_is_nonnegative(self) -> Any:
        return True if self.args[0].is_extended_real else None


#: the functions of this module, by name (the language's names)
ML_FUNCTIONS = {"sigmoid": sigmoid, "softplus": softplus, "relu": relu}


def scalar_table() -> dict[str, Any]:
    """The language's new scalar functions of one argument -> their SymPy classes."""
    from sympy.codegen.cfunctions import expm1, log1p, log2, log10

    return {**ML_FUNCTIONS, "log1p": log1p, "expm1": expm1, "log2": log2, "log10": log10,
            "heaviside": sp.Heaviside, "Heaviside": sp.Heaviside}


def without_ml(expr: Any) -> Any:
    """``expr`` with sigmoid, softplus and relu rewritten in exp, log and Max (for limits and
    solvers that know only SymPy's own functions)."""
    if not isinstance(expr, sp.Basic) or not expr.has(sigmoid, softplus, relu):
        return expr
    return expr.replace(lambda e: isinstance(e, (sigmoid, softplus, relu)), lambda e: e._rewritten(e.args[0]))
