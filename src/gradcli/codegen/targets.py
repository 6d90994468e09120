"""The three targets: NumPy, JAX and PyTorch, each a printer (its library's functions and the
few rules that differ) with the imports and helpers its code may need.

Issue 16's functions (sigmoid, softplus, relu, ..., entrywise application, Hadamard products,
sum, mean, diag, ones, softmax, logsumexp, vec, kron) each need a ``_print_<Class>`` rule
here, or in ``printer.ArrayPrinter`` when the three libraries spell it alike, and nothing
else in this package.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .printer import ArrayPrinter

_COMMON = {
    "sin": "sin", "cos": "cos", "tan": "tan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh",
    "exp": "exp", "log": "log", "log1p": "log1p", "expm1": "expm1", "Abs": "abs", "sign": "sign",
    "maximum": "maximum", "minimum": "minimum", "heaviside": "heaviside", "logaddexp": "logaddexp",
    "log2": "log2", "log10": "log10",
}
_NUMPY_NAMES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "asinh": "arcsinh", "acosh": "arccosh",
                "atanh": "arctanh", "atan2": "arctan2"}
_NOT_IN_NUMPY = "NumPy has no {name} function (SciPy's is another library)"


def _table(lib: str, names: dict[str, str]) -> dict[str, str]:
    return {k: f"{lib}.{v}" for k, v in {**_COMMON, **names}.items()}


class NumpyPrinter(ArrayPrinter):
    target = "numpy"
    lib = "np"
    functions = _table("np", _NUMPY_NAMES)
    missing = {name: _NOT_IN_NUMPY.format(name=name)
               for name in ("erf", "erfc", "gamma", "loggamma", "factorial", "polygamma", "digamma")}

    def _print_Softplus(self, e: Any) -> str:
        return self.call("_softplus", self._print(e.args[0]))

    def _print_Sigmoid(self, e: Any) -> str:
        return self.call("_sigmoid", self._print(e.args[0]))

    def logsumexp(self, z: str) -> str:
        return self.call("_logsumexp", z)

    def softmax(self, z: str) -> str:
        return self.call("_softmax", z)


class JaxPrinter(ArrayPrinter):
    target = "jax"
    lib = "jnp"
    functions = {**_table("jnp", _NUMPY_NAMES), "erf": "jax.lax.erf", "gamma": "jax.scipy.special.gamma",
                 "loggamma": "jax.lax.lgamma"}
    missing = {"factorial": "write factorial(x) as gamma(x + 1)"}

    def _print_Softplus(self, e: Any) -> str:
        return self.call("jax.nn.softplus", self._print(e.args[0]))

    def _print_Sigmoid(self, e: Any) -> str:
        return self.call("jax.nn.sigmoid", self._print(e.args[0]))

    def _print_relu(self, e: Any) -> str:
        return self.call("jax.nn.relu", self._print(e.args[0]))

    def logsumexp(self, z: str) -> str:
        return self.call("jax.nn.logsumexp", z)

    def softmax(self, z: str) -> str:
        return self.call("jax.nn.softmax", z)

    def _print_polygamma(self, e: Any) -> str:
        order, x = e.args
        if order == 0:
            return self.call("jax.lax.digamma", self._print(x))
        return self.call("jax.scipy.special.polygamma", self._print(order), self._print(x))


class TorchPrinter(ArrayPrinter):
    """PyTorch: every value a tensor.  Constants that stand alone become tensors of the
    arguments' dtype (``x.new_tensor(2.0)``); a number inside an expression stays a Python
    number (``torch.sqrt(2)`` would fail, so irrational constants are written as floats)."""

    target = "torch"
    lib = "torch"
    functions = {**_table("torch", {"asin": "asin", "acos": "acos", "atan": "atan", "asinh": "asinh",
                                    "acosh": "acosh", "atanh": "atanh", "atan2": "atan2"}),
                 "erf": "torch.erf", "loggamma": "torch.lgamma"}
    missing = {"gamma": "PyTorch has no gamma function (only its logarithm, lgamma)",
               "factorial": "PyTorch has no gamma function (only its logarithm, lgamma)"}

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if (isinstance(expr, sp.Expr) and not isinstance(expr, sp.MatrixExpr) and expr.is_number
                and not expr.is_Rational and not isinstance(expr, (sp.Float, sp.NumberSymbol))):
            return self.float_text(expr)
        return super()._print(expr, **kwargs)

    def _print_Pi(self, e: Any) -> str:
        return self.float_text(e)

    def _print_Exp1(self, e: Any) -> str:
        return self.float_text(e)

    def tensor_arg(self, e: Any) -> str:
        """An argument of a function that takes only tensors."""
        if isinstance(e, sp.Expr) and e.is_number:
            return f"{self.ref}.new_tensor({self.float_text(e)})"
        return self._print(e)

    def call_tensors(self, function: str, *args: Any) -> str:
        return self.call(function, *(self.tensor_arg(a) for a in args))

    def _fold(self, name: str, args: Any) -> str:
        text = self.tensor_arg(args[0])
        for arg in args[1:]:
            text = self.call(self.functions[name], text, self.tensor_arg(arg))
        return text

    def _print_atan2(self, e: Any) -> str:
        return self.call_tensors("torch.atan2", *e.args)

    def _print_Heaviside(self, e: Any) -> str:
        half = e.args[1] if len(e.args) > 1 else sp.S.Half
        return self.call_tensors("torch.heaviside", e.args[0], half)

    def _print_polygamma(self, e: Any) -> str:
        order, x = e.args
        return self.call("torch.polygamma", self._print(order), self._print(x))

    def _print_Softplus(self, e: Any) -> str:
        return self.call("torch.nn.functional.softplus", self._print(e.args[0]))

    def _print_Sigmoid(self, e: Any) -> str:
        return self.call("torch.sigmoid", self._print(e.args[0]))

    def _print_relu(self, e: Any) -> str:
        return self.call("torch.relu", self.tensor_arg(e.args[0]))

    def logsumexp(self, z: str) -> str:
        return self.call("torch.logsumexp", z, "0")

    def softmax(self, z: str) -> str:
        return self.call("torch.softmax", z, "0")

    def _print_Identity(self, e: Any) -> str:
        return self.call("torch.eye", self._print(e.rows), f"dtype={self.ref}.dtype")

    def filled(self, name: str, e: Any) -> str:
        text = super().filled(name, e)
        return text if "(" not in text else text[:-1] + f", dtype={self.ref}.dtype)"

    def entry(self, x: Any) -> str:
        if x.is_number:
            return f"{self.ref}.new_tensor({self.float_text(x)})"
        return self._print(x)

    def array(self, entries: list[str]) -> str:
        return self.call("torch.stack", "[" + ", ".join(entries) + "]")

    def row(self, entries: list[str]) -> str:
        return self.array(entries)


PRINTERS: dict[str, type[ArrayPrinter]] = {"numpy": NumpyPrinter, "jax": JaxPrinter, "torch": TorchPrinter}
TARGETS = tuple(PRINTERS)

#: The import line of each name the code may use, per target (only those used are written).
IMPORTS = {
    "numpy": {"np": "import numpy as np"},
    "jax": {"jax": "import jax", "jnp": "import jax.numpy as jnp"},
    "torch": {"torch": "import torch"},
}

#: The library each target needs, as a person installs it.
LIBRARIES = {"numpy": "NumPy", "jax": "JAX", "torch": "PyTorch"}

#: Module-level helpers a printer may call, with their source.
HELPERS = {
    "numpy": {
        "_sigmoid": (
            "def _sigmoid(z):\n"
            '    """The logistic function 1 / (1 + exp(-z)), without overflow."""\n'
            "    e = np.exp(-np.abs(z))\n"
            "    return np.where(z >= 0, 1.0, e) / (1 + e)\n"
        ),
        "_softplus": (
            "def _softplus(z):\n"
            '    """log(1 + exp(z)), without overflow."""\n'
            "    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))\n"
        ),
        "_logsumexp": (
            "def _logsumexp(z):\n"
            '    """log(sum(exp(z))), without overflow."""\n'
            "    top = np.max(z)\n"
            "    return top + np.log(np.sum(np.exp(z - top)))\n"
        ),
        "_softmax": (
            "def _softmax(z):\n"
            '    """exp(z) / sum(exp(z)), without overflow."""\n'
            "    e = np.exp(z - np.max(z))\n"
            "    return e / np.sum(e)\n"
        ),
    },
    "jax": {},
    "torch": {},
}

#: Every name a module of any target defines or imports: no argument may take one.
MODULE_NAMES = frozenset({"np", "numpy", "jax", "jnp", "torch", "math", "f", "grad_f", "hess_f"})
