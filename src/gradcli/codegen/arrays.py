"""Printing rules for the array node types of issue 16 (``model.arrays``): entrywise functions,
Hadamard products and powers, sum, logsumexp, softmax, diag, vec, kron, ones.

They are matched by class name (``_print_<Class>``), so this package imports nothing of the
model's array types.  An entrywise expression (``Entrywise``, ``HadamardProduct``,
``HadamardPower``, and the sums and scalar multiples inside them) is printed as the scalar
expression it applies to every entry, its array leaves (``X @ w``, ``y``) standing in for
scalars: the three libraries broadcast, so ``log(1 + exp(-y .* (X w)))`` is the scalar
``log(1 + exp(-a b))`` with a = y, b = X @ w, which ``stable`` rewrites (``Softplus(-a b)``)
and the scalar rules print (``_softplus(-(y * (X @ w)))``).

``diag(v)`` inside a product is never formed: ``A diag(v) B`` is ``(A * v) @ B``; alone, it is
``np.diag(v)``.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.printing.precedence import PRECEDENCE, precedence

from ..model.shapes import is_matrix
from .lower import flat_factors, kind
from .stable import stabilize

ATOM = PRECEDENCE["Atom"]
MUL = PRECEDENCE["Mul"]


def is_entrywise(e: Any) -> bool:
    return isinstance(e, (sp.HadamardProduct, sp.HadamardPower)) or type(e).__name__ == "Entrywise"


def pointwise(e: Any, leaves: dict[Any, Any]) -> Any:
    """The scalar expression ``e`` applies to each entry; ``leaves``: {array leaf: its Dummy}."""
    if isinstance(e, sp.MatrixExpr) and type(e).__name__ == "Entrywise":
        return e.function(*(pointwise(a, leaves) if is_matrix(a) else a for a in e.arguments))
    if isinstance(e, sp.HadamardProduct):
        return sp.Mul(*(pointwise(a, leaves) for a in e.args))
    if isinstance(e, sp.HadamardPower):
        return pointwise(e.base, leaves) ** e.exp
    if isinstance(e, sp.MatAdd):
        return sp.Add(*(pointwise(a, leaves) for a in e.args))
    if isinstance(e, sp.MatMul):
        coeff, factors = flat_factors(e)
        if len(factors) == 1:
            return coeff * pointwise(factors[0], leaves)
    if isinstance(e, sp.OneMatrix):
        return sp.S.One
    if isinstance(e, sp.ZeroMatrix):
        return sp.S.Zero
    if not is_matrix(e):
        return e
    if e not in leaves:
        leaves[e] = sp.Dummy(f"leaf{len(leaves)}")
    return leaves[e]


def unwrap(text: str) -> str:
    """``(a + b)`` -> ``a + b`` when the brackets enclose all of it and no comma at their level
    (an argument of a call needs no brackets of its own; a tuple keeps them)."""
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth = 0
    for i, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth == 0 and i < len(text) - 1:
            return text
        if depth == 1 and ch == ",":
            return text
    return text[1:-1]


class ArrayRules:
    """The rules, mixed into ``printer.ArrayPrinter``."""

    names: dict
    lib: str

    # -- entrywise ---------------------------------------------------------------------------
    def scalar_form(self, e: Any) -> tuple[Any, dict[Any, Any]]:
        leaves: dict[Any, Any] = {}
        return stabilize(pointwise(e, leaves)), leaves

    def entrywise_prec(self, e: Any) -> int:
        return precedence(self.scalar_form(e)[0])

    def _print_entrywise(self, e: Any) -> str:
        scalar, leaves = self.scalar_form(e)
        added = []
        for leaf, dummy in leaves.items():
            text = self._print(leaf)
            self.names[dummy] = text if self.prec(leaf) >= ATOM else f"({text})"
            added.append(dummy)
        try:
            return self._print(scalar)
        finally:
            for dummy in added:
                del self.names[dummy]

    _print_Entrywise = _print_HadamardProduct = _print_HadamardPower = _print_entrywise

    # -- scalar functions of issue 16 ------------------------------------------------------------
    def _print_sigmoid(self, e: Any) -> str:
        return self._print_Sigmoid(e)

    def _print_softplus(self, e: Any) -> str:
        return self._print_Softplus(e)

    def _print_relu(self, e: Any) -> str:
        return self._print_Max(sp.Max(e.args[0], 0, evaluate=False))

    # -- reductions and constructors -----------------------------------------------------------
    def _print_ArraySum(self, e: Any) -> str:
        if kind(e.arg) == 0:
            return self._print(e.arg)
        return self.call(f"{self.lib}.sum", self._print(e.arg))

    def _print_LogSumExp(self, e: Any) -> str:
        return self.logsumexp(self._print(e.arg))

    def _print_Softmax(self, e: Any) -> str:
        return self.softmax(self._print(e.arg))

    def _print_Diag(self, e: Any) -> str:
        return self.call(f"{self.lib}.diag", self._print(e.arg))

    def _print_Vec(self, e: Any) -> str:
        if kind(e.arg) < 2:
            return self._print(e.arg)
        return f"{self.wrap(e.arg, ATOM)}.T.reshape(-1)"  # the columns stacked: column-major

    def _print_Commutation(self, e: Any) -> str:
        """K(m, n) (K vec(A) = vec(A^T), A m x n): the rows of I_mn permuted, row i being
        e_j for j = i // n + (i % n) m."""
        m, n = (self._print(a) if a.is_Atom else f"({self._print(a)})" for a in e.args)
        size = self._print(e.args[0] * e.args[1])
        index = self.call(f"{self.lib}.arange", size)
        return f"{self._print_Identity(sp.Identity(e.args[0] * e.args[1]))}[{index} // {n} + {index} % {n} * {m}]"

    def _print_KroneckerProduct(self, e: Any) -> str:
        """kron of 1-D vectors is the vector of the column (or row) kron; beside a matrix a
        vector is given its 2-D shape."""
        mixed = any(kind(a) == 2 for a in e.args)
        texts = [self.two_d(a) if mixed else self._print(a) for a in e.args]
        out = texts[0]
        for text in texts[1:]:
            out = self.call(f"{self.lib}.kron", out, text)
        return out

    def two_d(self, e: Any) -> str:
        """A vector as the 2-D column or row it stands for."""
        if kind(e) != 1:
            return self._print(e)
        return f"{self.wrap(e, ATOM)}[:, None]" if e.shape[1] == 1 else f"{self.wrap(e, ATOM)}[None, :]"

    # -- diag(v) inside a product -----------------------------------------------------------
    def diag_chain(self, factors: list[Any]) -> str | None:
        """``L diag(v) R`` without forming diag(v): ``(L * v) @ R`` or ``v[:, None] * R``."""
        at = next((i for i, f in enumerate(factors) if type(f).__name__ == "Diag"), None)
        if at is None or len(factors) == 1:
            return None
        v = factors[at].arg
        if at > 0:
            left = self.chain(factors[:at])
            text = f"{left if len(factors[:at]) == 1 else f'({left})'} * {self.wrap(v, MUL + 1)}"
            rest = factors[at + 1:]
            if not rest:
                return text
            return f"({text}) @ {self.chain(rest) if len(rest) == 1 else f'({self.chain(rest)})'}"
        right = factors[1:]
        column = self.wrap(v, MUL + 1) if right[-1].shape[1] == 1 else self.two_d(v)
        body = self.chain(right)
        return f"{column} * {body if len(right) == 1 else f'({body})'}"
