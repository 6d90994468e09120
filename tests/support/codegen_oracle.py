"""Ground truth for generated code: f's gradient and Hessian by mpmath, independent of the code.

f (gradcli's reading of the input, a SymPy tree with matrix symbols) is written out entry by
entry at the check's sizes (``components.explicit``: ordinary matrix arithmetic on explicit
matrices of entry symbols, no gradcli calculus and no code printer), turned into an mpmath
function, and differentiated numerically at 40 digits (``mpmath.diff``) at the same inputs the
code gets.  A symmetric matrix W is written with W_ji = W_ij (one symbol), so the derivative by
that symbol is the change of f along a symmetric change: G_ij + G_ji for i != j, G_ii on the
diagonal, which is how the code's gradient G is compared.

``JAX`` and ``TORCH``: the libraries when installed; a test that needs one skips where it is
missing, unless GRADCLI_REQUIRE_JAX / GRADCLI_REQUIRE_TORCH is set (CI), where it fails.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

import mpmath
import numpy as np
import pytest
import sympy as sp

from gradcli.model.symbols import entry_symbol
from support.components import explicit, explicit_matrix

DIGITS = 40


def library(name: str) -> None:
    """Skip unless ``name`` (jax, torch) is installed; fail instead where CI requires it."""
    if importlib.util.find_spec(name) is None:
        if os.environ.get(f"GRADCLI_REQUIRE_{name.upper()}"):
            pytest.fail(f"GRADCLI_REQUIRE_{name.upper()} is set but {name} is not installed")
        pytest.skip(f"{name} is not installed")


#: numpy always; a test of jax or torch calls ``library`` first (skips, or fails in CI).
TARGETS = ("numpy", "jax", "torch")


def need(target: str) -> None:
    if target != "numpy":
        library(target)


def _without_ml(expr: Any) -> Any:
    """Issue 16's functions in exp, log, Max and Piecewise (for mpmath)."""
    from sympy.codegen.cfunctions import expm1, log1p, log2, log10

    try:
        from gradcli.model.functions import without_ml
    except ImportError:  # before issue 16
        return expr
    expr = without_ml(expr.doit() if isinstance(expr, (sp.Basic, sp.MatrixBase)) else expr)
    return expr.replace(log1p, lambda x: sp.log(1 + x)).replace(expm1, lambda x: sp.exp(x) - 1).replace(
        log2, lambda x: sp.log(x) / sp.log(2)).replace(log10, lambda x: sp.log(x) / sp.log(10)).replace(
        sp.Heaviside, lambda x, *h: sp.Piecewise((0, x < 0), (1, x > 0), (sp.S.Half, True)))


_ARRAY_TYPES = (sp.HadamardProduct, sp.HadamardPower, sp.OneMatrix, sp.KroneckerProduct)


def _written_out(function: Any, sizes: dict, symmetric: set[str]) -> Any:
    """f written out entry by entry at the sizes: the tests' own ``components.explicit``, or, with
    issue 16's node types, which it does not know, SymPy's (and their) ``doit`` on matrices of
    entry symbols."""
    if not any(isinstance(a, _ARRAY_TYPES) or type(a).__module__.endswith("model.arrays")
               for a in sp.preorder_traversal(function)):
        return _without_ml(explicit(function, sizes, symmetric=symmetric))
    mapping: dict[Any, Any] = dict(sizes)
    for m in function.atoms(sp.MatrixSymbol):
        rows, cols = (int(sp.sympify(d).xreplace(sizes)) for d in m.shape)
        mapping[m] = explicit_matrix(m.name, rows, cols, m.name in symmetric)
    written = function.xreplace(mapping)
    written = written.replace(sp.OneMatrix, lambda r, c: sp.ImmutableMatrix.ones(int(r), int(c)))
    written = written.replace(sp.Identity, lambda r: sp.ImmutableMatrix.eye(int(r)))
    return _without_ml(_evaluate(written))


def _evaluate(e: Any) -> Any:
    """``e`` with explicit matrices for leaves, evaluated from the leaves up."""
    if isinstance(e, sp.MatrixBase) or not isinstance(e, sp.Basic) or not e.args:
        return e
    args = [_evaluate(a) for a in e.args]
    if isinstance(e, sp.HadamardPower) and isinstance(args[0], sp.MatrixBase):
        return args[0].applyfunc(lambda v: v ** args[1])
    if isinstance(e, sp.HadamardProduct) and all(isinstance(a, sp.MatrixBase) for a in args):
        out = args[0]
        for a in args[1:]:
            out = out.multiply_elementwise(a)
        return sp.ImmutableMatrix(out)
    out = e.func(*args)
    return out.doit() if any(isinstance(a, sp.MatrixBase) for a in args) else out


class Oracle:
    """f at concrete sizes, as an mpmath function of its arguments' entries."""

    def __init__(self, function: Any, module: Any, sizes: dict[str, int]):
        self.module = module
        self.sizes = {sym: sizes[name] for sym, name in module.sizes}
        symmetric = {a.symbol.name for a in module.arguments if a.symmetric}
        written = _written_out(function, self.sizes, symmetric)
        if isinstance(written, sp.MatrixBase):
            written = written[0, 0]
        self.slots: list[tuple[str, tuple]] = []  # (argument code, index) per entry symbol
        symbols: list[sp.Symbol] = []
        for arg in module.arguments:
            for symbol, index in self._entries(arg):
                symbols.append(symbol)
                self.slots.append((arg.code, index))
        self.symbols = symbols
        self.function = sp.lambdify(symbols, written, modules="mpmath")

    def _dims(self, arg: Any) -> tuple[int, ...]:
        return tuple(int(self.sizes.get(d, d)) for d in arg.shape)

    def _entries(self, arg: Any) -> list[tuple[sp.Symbol, tuple]]:
        if arg.kind == "scalar":
            return [(arg.symbol, ())]
        rows, cols = self._dims(arg)
        out = []
        for i in range(rows):
            for j in range(cols):
                if arg.symmetric and i > j:
                    continue
                index = (i * cols + j,) if arg.kind == "vector" else (i, j)
                out.append((entry_symbol(arg.symbol.name, rows, cols, i, j), index))
        return out

    def values(self, inputs: dict[str, Any]) -> list[Any]:
        return [mpmath.mpf(float(np.asarray(inputs[code])[index] if index else inputs[code]))
                for code, index in self.slots]

    def _positions(self, variables: list[str]) -> list[int]:
        return [k for k, (code, _) in enumerate(self.slots) if code in variables]

    def gradient(self, inputs: dict[str, Any], variables: list[str]) -> list[tuple[str, tuple, float]]:
        """[(variable, index, df/d entry)] for every entry of the variables."""
        with mpmath.workdps(DIGITS):
            x = self.values(inputs)
            out = []
            for k in self._positions(variables):
                def along(t: Any, k: int = k) -> Any:
                    return self.function(*(x[:k] + [t] + x[k + 1:]))

                out.append((*self.slots[k], float(mpmath.diff(along, x[k]))))
            return out

    def hessian(self, inputs: dict[str, Any], variables: list[str]) -> np.ndarray:
        with mpmath.workdps(DIGITS):
            x = self.values(inputs)
            ks = self._positions(variables)
            out = np.zeros((len(ks), len(ks)))
            for a, k in enumerate(ks):
                for b, m in enumerate(ks):
                    orders = [0] * len(x)
                    orders[k] += 1
                    orders[m] += 1
                    out[a, b] = float(mpmath.diff(lambda *v: self.function(*v), x, tuple(orders)))
            return out


def code_gradient_entries(gradient: Any, module: Any, variables: list[str], slots: list) -> list[float]:
    """The code's gradient arranged as the oracle's entries (pairs summed for a symmetric W)."""
    gradient = np.asarray(gradient, dtype=float)
    args = {a.code: a for a in module.arguments}
    out = []
    for code, index in slots:
        if code not in variables:
            continue
        if len(variables) > 1 or args[code].kind == "scalar":
            out.append(float(gradient[variables.index(code)]))
        elif args[code].symmetric and index[0] != index[1]:
            out.append(float(gradient[index] + gradient[index[::-1]]))
        else:
            out.append(float(gradient[index]))
    return out


def relative_error(expected: Any, actual: Any) -> float:
    """max |e - a| / max(max |e|, max |a|, 1e-30): the normwise relative error (an answer of 0
    is compared absolutely: mpmath's derivative of a constant is 0 only to its 40 digits)."""
    expected, actual = np.asarray(expected, float), np.asarray(actual, float)
    scale = max(float(np.max(np.abs(expected))), float(np.max(np.abs(actual))), 1e-30)
    return float(np.max(np.abs(expected - actual))) / scale
