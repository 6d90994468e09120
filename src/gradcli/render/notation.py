"""How the machine-learning notation of issue 16 prints, in one place: entrywise functions,
Hadamard products and powers, ones, diag, softmax, vec, sum, logsumexp, Kronecker products,
sigmoid/softplus/relu, log1p/expm1/log2/log10, Heaviside, and a 1 x 1 product as the scalar
it is (never ``Trace(...)``).  Three mixins, one per notation, that the printers of
``render.printers`` inherit:

* ``PlainNotation``: gradcli's own plain language, which gradcli reads back (``y.*sigmoid(z)``,
  ``x.^2``, ``1 - sigmoid(z)`` for a scalar with an array, ``ones``, ``diag(v)``, ``x.T*a``);
* ``LatexNotation``: ``\\odot``, ``\\otimes``, ``\\operatorname{diag}``, ``\\mathbf{1}``, ``\\sigma``;
* ``UnicodeNotation``: ``⊙``, ``⊗``, ``σ``, ``diag``, ``𝟏``.
"""

from __future__ import annotations

from typing import Any

import sympy as sp


def _ones_term(arg: Any, shape: tuple) -> Any:
    """The scalar c of a term c * ones (of the sum's shape), or None."""
    if isinstance(arg, sp.OneMatrix) and tuple(arg.shape) == tuple(shape):
        return sp.S.One
    if isinstance(arg, sp.MatMul):
        mats = [a for a in arg.args if isinstance(a, sp.MatrixExpr)]
        if len(mats) == 1 and isinstance(mats[0], sp.OneMatrix) and tuple(mats[0].shape) == tuple(shape):
            return sp.Mul(*[a for a in arg.args if not isinstance(a, sp.MatrixExpr)])
    return None


_ARRAY_PRINTED = (sp.HadamardProduct, sp.HadamardPower, sp.OneMatrix, sp.KroneckerProduct, sp.Function)


def _one_by_one_trace(expr: Any) -> bool:
    return isinstance(expr, sp.Trace) and tuple(expr.arg.shape) == (1, 1)


class _Common:
    """What the three notations share: names of the array functions, sums with ones."""

    _product = ".*"
    _kron = "kron"

    def _wrap(self, e: Any) -> str:
        text = self._print(e)  # type: ignore[attr-defined]
        if isinstance(e, (sp.MatAdd, sp.MatMul, sp.HadamardProduct, sp.KroneckerProduct)) or (
                isinstance(e, sp.Basic) and e.is_Add):
            return self._paren(text)
        return text

    def _power_base(self, e: Any) -> str:
        """The base of an entrywise power: wrapped as a factor, and a power too, since a power
        reads right to left (X**(-1).^2 is X**((-1).^2); X^{-1}^{...} is no LaTeX)."""
        if isinstance(e, (sp.MatPow, sp.Inverse, sp.HadamardPower)) or (isinstance(e, sp.Basic) and e.is_Pow):
            return self._paren(self._print(e))  # type: ignore[attr-defined]
        return self._wrap(e)

    def _paren(self, text: str) -> str:
        return "(" + text + ")"

    def _call(self, name: str, *args: Any) -> str:
        return f"{name}({', '.join(self._print(a) for a in args)})"  # type: ignore[attr-defined]

    def _scalar_with_ones(self, c: Any) -> str:
        return self._print(c)  # type: ignore[attr-defined]

    def _print_Commutation(self, expr: Any) -> str:
        return self._call("K", *expr.args)

    def _print_MatAdd(self, expr: Any) -> str:
        if not expr.has(*_ARRAY_PRINTED) and all(_ones_term(a, expr.shape) is None for a in expr.args):
            return super()._print_Add(expr)  # type: ignore[misc]
        parts: list[tuple[str, str, bool]] = []
        for arg in expr.args:
            c = _ones_term(arg, expr.shape)
            text = self._scalar_with_ones(c) if c is not None else self._print(arg)  # type: ignore[attr-defined]
            if isinstance(arg, sp.MatAdd):
                text = self._paren(text)
            sign = "+"
            if text.startswith("-"):
                sign, text = "-", text[1:].lstrip()
            parts.append((sign, text, c is None))
        # scalars (with ones) first, then the other terms, those with a minus last: y - sigmoid(z)
        parts.sort(key=lambda p: (p[2], p[0] == "-"))
        out = ("-" if parts[0][0] == "-" else "") + parts[0][1]
        for sign, text, _ in parts[1:]:
            out += f" {sign} {text}"
        return out

    def _print_HadamardProduct(self, expr: Any) -> str:
        return self._product.join(self._wrap(a) for a in expr.args)

    def _print_Softmax(self, expr: Any) -> str:
        return self._call("softmax", expr.arg)

    def _print_Diag(self, expr: Any) -> str:
        return self._call("diag", expr.arg)

    def _print_Vec(self, expr: Any) -> str:
        return self._call("vec", expr.arg)

    def _print_ArraySum(self, expr: Any) -> str:
        return self._call("sum", expr.arg)

    def _print_LogSumExp(self, expr: Any) -> str:
        return self._call("logsumexp", expr.arg)


class PlainNotation(_Common):
    """gradcli's plain language (reads back in gradcli)."""

    def _print_Entrywise(self, expr: Any) -> str:
        name = {"Abs": "abs", "Max": "max", "Min": "min", "Heaviside": "heaviside"}.get(expr.name, expr.name)
        return self._call(name, *expr.arguments)

    def _print_HadamardPower(self, expr: Any) -> str:
        exp = self._print(expr.exp)  # type: ignore[attr-defined]
        if not (expr.exp.is_Integer and expr.exp >= 0):
            exp = "(" + exp + ")"
        return f"{self._power_base(expr.base)}.^{exp}"

    def _print_OneMatrix(self, expr: Any) -> str:
        rows, cols = expr.shape
        if cols == 1:
            return "ones"
        return "ones.T" if rows == 1 else "ones*ones.T"

    def _print_KroneckerProduct(self, expr: Any) -> str:
        return self._call("kron", *expr.args) if len(expr.args) == 2 else "kron(" + ", ".join(
            self._print(a) for a in expr.args) + ")"  # type: ignore[attr-defined]

    def _print_Trace(self, expr: Any) -> str:
        if tuple(expr.arg.shape) == (1, 1):  # the scalar of a 1 x 1 product, as gradcli reads it
            return "(" + self._print(expr.arg) + ")"  # type: ignore[attr-defined]
        return self._print_Basic(expr)  # type: ignore[attr-defined]

    def doprint(self, expr: Any) -> str:
        if _one_by_one_trace(expr):
            return self._print(expr.arg)  # type: ignore[attr-defined]
        return super().doprint(expr)  # type: ignore[misc]


class UnicodeNotation(PlainNotation):
    """One-line Unicode (rich): ⊙, ⊗, σ, 𝟏."""

    _product = " ⊙ "

    def _print_OneMatrix(self, expr: Any) -> str:
        rows, cols = expr.shape
        return "𝟏" if cols == 1 else ("𝟏ᵀ" if rows == 1 else "𝟏𝟏ᵀ")

    def _scalar_with_ones(self, c: Any) -> str:
        return "𝟏" if c == 1 else self._print(c) + "⋅𝟏"  # type: ignore[attr-defined]

    def _print_KroneckerProduct(self, expr: Any) -> str:
        return " ⊗ ".join(self._wrap(a) for a in expr.args)

    def _print_Entrywise(self, expr: Any) -> str:
        name = {"sigmoid": "σ", "Abs": "abs", "Max": "max", "Min": "min", "Heaviside": "H"}.get(expr.name, expr.name)
        return self._call(name, *expr.arguments)

    def _print_sigmoid(self, expr: Any) -> str:
        return self._call("σ", expr.args[0])

    def _print_Heaviside(self, expr: Any) -> str:
        return self._call("H", expr.args[0])


def _powered(text: str, exp: Any) -> str:
    """``\\sigma\\left(x\\right)^{2}``: a function's power, as SymPy's LaTeX printer passes it."""
    return text if exp is None else f"{text}^{{{exp}}}"


class LatexNotation(_Common):
    """LaTeX: \\odot, \\otimes, \\operatorname{diag}, \\mathbf{1}, \\sigma."""

    _product = r" \odot "

    def _print_Commutation(self, expr: Any) -> str:
        m, n = (self._print(a) for a in expr.args)  # type: ignore[attr-defined]
        return "K_{" + m + "," + n + "}"

    def _paren(self, text: str) -> str:
        return r"\left(" + text + r"\right)"

    def _call(self, name: str, *args: Any) -> str:
        inner = ", ".join(self._print(a) for a in args)  # type: ignore[attr-defined]
        return rf"\operatorname{{{name}}}\left({inner}\right)"

    def _scalar_with_ones(self, c: Any) -> str:
        return r"\mathbf{1}" if c == 1 else self._print(c) + r" \mathbf{1}"  # type: ignore[attr-defined]

    def _print_Entrywise(self, expr: Any) -> str:
        marks = [sp.Symbol(f"ENTRYWISEARG{k}") for k in range(len(expr.arguments))]
        text = self._print(expr.function(*marks))  # type: ignore[attr-defined]
        for mark, arg in zip(marks, expr.arguments):
            text = text.replace(self._print(mark), self._print(arg))  # type: ignore[attr-defined]
        return text

    def _print_MatMul(self, expr: Any) -> str:
        if not any(isinstance(a, (sp.HadamardProduct, sp.KroneckerProduct, sp.MatAdd)) for a in expr.args):
            return super()._print_MatMul(expr)  # type: ignore[misc]
        args = list(expr.args)
        sign = ""
        if expr.could_extract_minus_sign():
            sign = "- "
            args = args[1:] if args[0] == -1 else [-args[0], *args[1:]]
        return sign + " ".join(self._wrap(a) for a in args)

    def _print_HadamardPower(self, expr: Any) -> str:
        return rf"{self._power_base(expr.base)}^{{\odot {self._print(expr.exp)}}}"  # type: ignore[attr-defined]

    def _print_OneMatrix(self, expr: Any) -> str:
        rows, cols = expr.shape
        return r"\mathbf{1}" if cols == 1 else (r"\mathbf{1}^{\top}" if rows == 1 else r"\mathbf{1} \mathbf{1}^{\top}")

    def _print_KroneckerProduct(self, expr: Any) -> str:
        return r" \otimes ".join(self._wrap(a) for a in expr.args)

    def _print_sigmoid(self, expr: Any, exp: Any = None) -> str:
        return _powered(r"\sigma\left(" + self._print(expr.args[0]) + r"\right)", exp)  # type: ignore[attr-defined]

    def _print_softplus(self, expr: Any, exp: Any = None) -> str:
        return _powered(self._call("softplus", expr.args[0]), exp)

    def _print_relu(self, expr: Any, exp: Any = None) -> str:
        return _powered(self._call("relu", expr.args[0]), exp)

    def _print_log1p(self, expr: Any, exp: Any = None) -> str:
        return _powered(self._call("log1p", expr.args[0]), exp)

    def _print_expm1(self, expr: Any, exp: Any = None) -> str:
        return _powered(self._call("expm1", expr.args[0]), exp)

    def _print_log2(self, expr: Any, exp: Any = None) -> str:
        return _powered(r"\log_{2}\left(" + self._print(expr.args[0]) + r"\right)", exp)  # type: ignore[attr-defined]

    def _print_log10(self, expr: Any, exp: Any = None) -> str:
        return _powered(r"\log_{10}\left(" + self._print(expr.args[0]) + r"\right)", exp)  # type: ignore[attr-defined]

    def _print_Heaviside(self, expr: Any, exp: Any = None) -> str:
        text = r"H\left(" + self._print(expr.args[0]) + r"\right)"  # type: ignore[attr-defined]
        return text if exp is None else f"{text}^{{{exp}}}"
