"""What the renderers share: SymPy's printers with gradcli's conventions, one printer class per
notation, each a set of ``_print_<Class>`` methods as SymPy's own printers are:

- ``PlainPrinter``: SymPy's string form, which ``sympy.sympify`` and gradcli read back
  (``x**2``, ``x.T*(B + B.T)``);
- ``UnicodePrinter``: one-line textbook maths for the terminal (``x² sin(x)``, ``xᵀ(B + Bᵀ)``,
  ``|x|``, ``arctan(x)``, ``Γ(x)``, ``e``), and with ``ascii=True`` the same maths in the
  characters of gradcli's input language (``x^2 sin(x)``), for the notes of plain output;
- ``GradLatexPrinter``: LaTeX for ``\\[ ... \\]`` with amsmath, which gradcli's LaTeX parser
  reads back (``\\arctan``, ``X^{-\\top}``, ``^{\\top}``, ``bmatrix``).

All three show the scalar of a 1 x 1 product without SymPy's ``Trace`` around it, a sum built
as an ``OrderedAdd`` in its own order (Taylor polynomials in ascending degree, ``x - a``), and
a decimal without trailing zeros.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from ..model.shapes import is_matrix
from .glyphs import _FUNCTION_NAMES, _groups, greek, partial, superscript
from .notation import LatexNotation, PlainNotation, UnicodeNotation
from .ordered import OrderedAdd, OrderedMul, _Common, _ordered_parts, _shown, _strip_zeros  # noqa: F401


class PlainPrinter(PlainNotation, _Common, StrPrinter):
    """SymPy's string form, which ``sympy.sympify`` (and gradcli) read back."""

    def _print_Trace(self, expr: Any) -> str:
        if tuple(expr.arg.shape) == (1, 1):
            return self._print(expr.arg)
        return "Trace(" + self._print(expr.arg) + ")"

    def _print_Float(self, expr: Any) -> str:
        return _strip_zeros(super()._print_Float(expr))

    def _print_MatMul(self, expr: Any) -> str:
        """``-exp(-x.T*x/2)*x.T``: a scalar factor's sign in front, not ``(-exp(...))*x.T``."""
        first, rest = expr.args[0], expr.args[1:]
        if not is_matrix(first) and rest and first.could_extract_minus_sign() and not first.is_Number:
            return "-" + self._print(sp.MatMul(-first, *rest))
        return super()._print_MatMul(expr)

    def _print_OrderedMul(self, expr: Any) -> str:
        negative, num, den = _ordered_parts(expr)
        text = "*".join(self._factors(num))
        if den:
            below = "*".join(self._factors(den))
            text += "/" + (below if len(den) == 1 and not isinstance(den[0], sp.Mul) else f"({below})")
        return ("-" if negative else "") + text


_plain = PlainPrinter({"order": None})


# -- Unicode: textbook maths on one line -------------------------------------------------------

#: functions whose integer powers are written on the name: sin²(x)
_POWER_ON_NAME = (sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc, sp.sinh, sp.cosh, sp.tanh, sp.coth,
                  sp.sech, sp.csch)
_ROOTS = {sp.Rational(1, 2): "√", sp.Rational(1, 3): "∛", sp.Rational(1, 4): "∜"}


class UnicodePrinter(UnicodeNotation, _Common, StrPrinter):
    """One-line textbook maths: ``2x y``, ``x² sin(x)``, ``exp(a) (x - a)³/6``, ``|x|``,
    ``arctan(x)``, ``Γ(x)``, ``ψ(x)``, ``xˣ``, ``xᵀ(B + Bᵀ)``, ``X⁻ᵀ``, ``e``, ``π``.

    With the setting ``ascii=True``: the same maths in gradcli's input language (``x^2``,
    ``n x^(n - 1)``, ``abs(x)``), for the notes of plain output."""

    _default_settings = {**StrPrinter._default_settings, "ascii": False}

    @property
    def _ascii(self) -> bool:
        return bool(self._settings.get("ascii"))

    # atoms
    def _print_Symbol(self, expr: Any) -> str:
        return expr.name if self._ascii else greek(expr.name)

    _print_MatrixSymbol = _print_Symbol

    def _print_Dummy(self, expr: Any) -> str:
        return self._print_Symbol(expr)

    def _print_Exp1(self, expr: Any) -> str:
        return "e"

    def _print_Pi(self, expr: Any) -> str:
        return "pi" if self._ascii else "π"

    def _print_Float(self, expr: Any) -> str:
        return _strip_zeros(super()._print_Float(expr))

    def _print_Identity(self, expr: Any) -> str:
        return "I"

    def _print_ZeroMatrix(self, expr: Any) -> str:
        return "0"

    # products and powers
    def _glued(self, before: Any, item: Any, text: str) -> bool:
        """A numeral and what follows it are written together: ``2x``, ``6(x - 1)``, ``2√x``."""
        if not (isinstance(before, sp.Rational) and before.is_Integer):
            return False
        base = item.base if isinstance(item, (sp.Pow, sp.MatPow)) else item
        return (isinstance(base, (sp.Symbol, sp.MatrixSymbol)) or text.startswith(("(", "√", "∛", "∜"))) \
            and not text[:1].isdigit()

    def _juxtapose(self, items: list[Any], texts: list[str]) -> str:
        out = texts[0]
        for before, item, text in zip(items, items[1:], texts[1:]):
            if self._glued(before, item, text):
                out += text
            elif out[-1:].isdigit() and text[:1].isdigit():
                out += ("*" if self._ascii else "⋅") + text
            else:
                out += " " + text
        return out

    def _fraction(self, negative: bool, num: list[Any], den: list[Any]) -> str:
        prec = PRECEDENCE["Mul"]
        num = num or [sp.S.One]
        text = self._juxtapose(num, [self.parenthesize(a, prec, strict=False) for a in num])
        if den:
            below = self._juxtapose(den, [self.parenthesize(a, prec, strict=False) for a in den])
            text += "/" + (below if len(den) == 1 else f"({below})")
        return ("-" if negative else "") + text

    def _print_Mul(self, expr: Any) -> str:
        c, rest = expr.as_coeff_Mul()
        negative = bool(c.is_negative)
        if negative:
            expr = -expr
        num: list[Any] = []
        den: list[Any] = []
        factors = expr.as_ordered_factors() if self.order not in ("old", "none") else sp.Mul.make_args(expr)
        for item in factors:
            if item.is_commutative and isinstance(item, sp.Pow) and item.exp.is_Rational and item.exp.is_negative:
                den.append(item.base if item.exp == -1 else sp.Pow(item.base, -item.exp, evaluate=False))
            elif isinstance(item, sp.Rational) and item is not sp.S.Infinity:
                if item.p != 1:
                    num.append(sp.Integer(item.p))
                if item.q != 1:
                    den.append(sp.Integer(item.q))
            else:
                num.append(item)
        return self._fraction(negative, num, den)

    def _print_OrderedMul(self, expr: Any) -> str:
        negative, num, den = _ordered_parts(expr)
        text = self._juxtapose(num, self._factors(num))
        if den:
            below = self._juxtapose(den, self._factors(den))
            text += "/" + (below if len(den) == 1 and not isinstance(den[0], sp.Mul) else f"({below})")
        return ("-" if negative else "") + text

    def _print_MatMul(self, expr: Any) -> str:
        args = list(expr.args)
        negative = False
        if not is_matrix(args[0]) and args[0].could_extract_minus_sign():
            negative, args[0] = True, -args[0]
            if args[0] == 1:
                args.pop(0)
        prec = PRECEDENCE["Mul"]
        return ("-" if negative else "") + self._juxtapose(args, [self.parenthesize(a, prec, strict=False)
                                                                  for a in args])

    def _power(self, base_text: str, exp: Any) -> str:
        exp_text = self._print(exp)
        if not self._ascii:
            sup = superscript(exp_text)
            if sup is not None:
                return base_text + sup
        if not (isinstance(exp, (sp.Symbol, sp.Integer)) and not exp_text.startswith("-")):
            exp_text = f"({exp_text})"
        return f"{base_text}^{exp_text}"

    def _print_Pow(self, expr: Any, rational: bool = False) -> str:
        base, exp = expr.base, expr.exp
        if exp in _ROOTS and not self._ascii:
            inner = self._print(base)
            return _ROOTS[exp] + (inner if isinstance(base, (sp.Symbol, sp.Integer)) else f"({inner})")
        if exp == sp.S.Half:
            return f"sqrt({self._print(base)})"
        if expr.is_commutative and exp.is_Rational and exp.is_negative:
            return self._fraction(False, [sp.S.One], [base if exp == -1 else sp.Pow(base, -exp, evaluate=False)])
        if (isinstance(base, _POWER_ON_NAME) and exp.is_Integer and exp > 0 and not self._ascii):
            name = self._print_Function(base)
            head, _, tail = name.partition("(")
            return self._power(head, exp) + "(" + tail
        base_text = self.parenthesize(base, PRECEDENCE["Pow"], strict=False)
        if isinstance(base, sp.Number) and (base.is_negative or not base.is_Integer) and not base_text.startswith("("):
            base_text = f"({base_text})"
        return self._power(base_text, exp)

    def _print_MatPow(self, expr: Any) -> str:
        return self._power(self.parenthesize(expr.base, PRECEDENCE["Pow"], strict=False), expr.exp)

    # matrices
    def _transposed(self, arg: Any, mark: str) -> str:
        inner = self._print(arg)
        if not isinstance(arg, (sp.MatrixSymbol, sp.Symbol)):
            inner = f"({inner})"
        return inner + mark

    def _print_Transpose(self, expr: Any) -> str:
        if isinstance(expr.arg, sp.Inverse):
            return self._transposed(expr.arg.arg, "^-T" if self._ascii else "⁻ᵀ")
        if self._ascii:
            return self._transposed(expr.arg, "^T")
        return self._transposed(expr.arg, "ᵀ")

    def _print_Inverse(self, expr: Any) -> str:
        if isinstance(expr.arg, sp.Transpose):
            return self._transposed(expr.arg.arg, "^-T" if self._ascii else "⁻ᵀ")
        if self._ascii:
            return self._transposed(expr.arg, "^-1")
        if isinstance(expr.arg, sp.Transpose):
            return self._transposed(expr.arg.arg, "⁻ᵀ")
        return self._transposed(expr.arg, "⁻¹")

    def _print_Trace(self, expr: Any) -> str:
        if tuple(expr.arg.shape) == (1, 1):
            return self._print(expr.arg)
        return f"tr({self._print(expr.arg)})"

    def _print_Determinant(self, expr: Any) -> str:
        return f"det({self._print(expr.arg)})"

    # functions
    def _print_Function(self, expr: Any) -> str:
        name = expr.func.__name__
        if not self._ascii:
            name = _FUNCTION_NAMES.get(name, name)
        return name + "(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Abs(self, expr: Any) -> str:
        inner = self._print(expr.args[0])
        return f"abs({inner})" if self._ascii else f"|{inner}|"

    def _print_gamma(self, expr: Any) -> str:
        return ("gamma(" if self._ascii else "Γ(") + self._print(expr.args[0]) + ")"

    def _print_polygamma(self, expr: Any) -> str:
        k, x = expr.args
        if self._ascii:
            return f"polygamma({self._print(k)}, {self._print(x)})"
        if k == 0:
            return f"ψ({self._print(x)})"
        sup = superscript(f"({self._print(k)})")
        return ("ψ" + sup if sup else f"ψ^({self._print(k)})") + f"({self._print(x)})"

    def _print_factorial(self, expr: Any) -> str:
        return self.parenthesize(expr.args[0], PRECEDENCE["Func"], strict=True) + "!"

    def _print_binomial(self, expr: Any) -> str:
        return "C(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Derivative(self, expr: Any) -> str:
        operator = unicode_operator([v for v, k in expr.variable_count for _ in range(k)], expr.expr,
                                    ascii=self._ascii)
        return operator + " " + self.parenthesize(expr.expr, PRECEDENCE["Mul"], strict=False)

    def _print_Equality(self, expr: Any) -> str:
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

    def _print_Limit(self, expr: Any) -> str:
        e, z, z0, _ = expr.args
        arrow = "->" if self._ascii else "→"
        return f"lim {self._print(z)} {arrow} {self._print(z0)} of " + self.parenthesize(e, PRECEDENCE["Mul"])


_unicode = UnicodePrinter({"order": None})
_ascii = UnicodePrinter({"order": None, "ascii": True})


# -- LaTeX ----------------------------------------------------------------------------------


class GradLatexPrinter(LatexNotation, _Common, LatexPrinter):
    """SymPy's LaTeX printer with gradcli's conventions: ``^{\\top}``, ``X^{-\\top}``, ``\\det``,
    ``\\operatorname{tr}``, ``\\arctan``, ``\\operatorname{sgn}``, ``\\psi``, ``bmatrix``, ``I`` for
    the identity, ``\\frac{d}{d x}`` for a function of one variable and ``\\partial`` for several;
    all of it read back by gradcli's LaTeX parser."""

    def __init__(self, settings: dict | None = None):
        base = {"mat_str": "bmatrix", "mat_delim": "", "inv_trig_style": "full"}
        base.update(settings or {})
        super().__init__(base)

    def _print_Matrix(self, expr: Any) -> str:
        rows = entry_strings(expr, self._print)
        body = r" \\ ".join(" & ".join(row) for row in rows)
        return r"\begin{bmatrix}" + body + r"\end{bmatrix}"

    _print_ImmutableMatrix = _print_MutableDenseMatrix = _print_ImmutableDenseMatrix = _print_Matrix

    def _print_Symbol(self, expr: Any, style: str = "plain") -> str:
        text = super()._print_Symbol(expr, style=style) if style != "plain" else super()._print_Symbol(expr)
        name = expr.name
        if text == name and len(name) > 1 and name.isalpha():
            return r"\mathrm{" + name + "}"  # 'rate' is one name, not r a t e
        return text

    def _print_Float(self, expr: Any) -> str:
        return _strip_zeros(super()._print_Float(expr))

    def _wrapped(self, arg: Any) -> str:
        inner = self._print(arg)
        return inner if isinstance(arg, sp.MatrixSymbol) else r"\left(" + inner + r"\right)"

    def _print_Transpose(self, expr: Any) -> str:
        if isinstance(expr.arg, sp.Inverse):
            return self._wrapped(expr.arg.arg) + r"^{-\top}"
        return self._wrapped(expr.arg) + r"^{\top}"

    def _print_Inverse(self, expr: Any) -> str:
        if isinstance(expr.arg, sp.Transpose):
            return self._wrapped(expr.arg.arg) + r"^{-\top}"
        return self._wrapped(expr.arg) + "^{-1}"

    def _print_Determinant(self, expr: Any) -> str:
        return r"\det\left(" + self._print(expr.arg) + r"\right)"

    def _print_Trace(self, expr: Any) -> str:
        if tuple(expr.arg.shape) == (1, 1):  # the scalar a 1 x 1 product stands for
            return self._print(expr.arg)
        return r"\operatorname{tr}\left(" + self._print(expr.arg) + r"\right)"

    def _print_Identity(self, expr: Any) -> str:
        return "I"

    def _print_MatMul(self, expr: Any) -> str:
        first, rest = expr.args[0], expr.args[1:]
        if not is_matrix(first) and rest and first.could_extract_minus_sign() and not first.is_Number:
            return "- " + self._print(sp.MatMul(-first, *rest))
        return super()._print_MatMul(expr)

    def _print_sign(self, expr: Any, exp: Any = None) -> str:
        text = r"\operatorname{sgn}{\left(" + self._print(expr.args[0]) + r" \right)}"
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"

    def _print_polygamma(self, expr: Any, exp: Any = None) -> str:
        k, x = expr.args
        head = r"\psi" if k == 0 else rf"\psi^{{\left({self._print(k)}\right)}}"
        text = rf"{head}\left({self._print(x)}\right)"
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"

    def _print_Derivative(self, expr: Any) -> str:
        variables = [v for v, k in expr.variable_count for _ in range(k)]
        operator = latex_operator(variables, expr.expr)
        return operator + " " + self.parenthesize(expr.expr, PRECEDENCE["Mul"], is_neg=False, strict=True)

    def _paren(self, text: str) -> str:
        return rf"\left({text}\right)"

    def _print_OrderedMul(self, expr: Any) -> str:
        negative, num, den = _ordered_parts(expr)
        if len(num) == 1 and den:
            top = self._print(num[0])
        else:
            top = " ".join(self._factors(num))
        if den:
            below = self._print(den[0]) if len(den) == 1 else " ".join(self._factors(den))
            top = rf"\frac{{{top}}}{{{below}}}"
        return ("- " if negative else "") + top


# -- entry points ---------------------------------------------------------------------------


def readable(obj: Any) -> str:
    """Plain text for people (docstrings of generated code): the maths in gradcli's input
    language (``written``), arrays as lists."""
    if isinstance(obj, sp.MatrixBase):
        if obj.rows == 1 or obj.cols == 1:
            return "[" + ", ".join(readable(e) for e in obj) + "]"
        return "[" + ", ".join("[" + ", ".join(readable(e) for e in obj.row(i)) + "]" for i in range(obj.rows)) + "]"
    return written(obj)


def entry_strings(m: Any, printer: Any = None) -> list[list[str]]:
    """The printed entries of an explicit matrix, row by row; each distinct entry printed once
    (big Hessians and Jacobians are mostly zeros and repeated entries)."""
    doprint = printer or _plain.doprint
    cache: dict[Any, str] = {sp.S.Zero: doprint(sp.S.Zero)}
    flat = m.flat() if hasattr(m, "flat") else list(m)  # list(m) indexes entry by entry: slow
    out: list[str] = []
    for e in flat:
        text = cache.get(e)
        if text is None:
            text = cache[e] = doprint(e)
        out.append(text)
    cols = m.cols
    return [out[i * cols:(i + 1) * cols] for i in range(m.rows)]


def plain(obj: Any, *, vector_as_list: bool = True) -> str:
    """One line: scalars as SymPy's str, vectors as ``[a, b]``, matrices ``[[..], [..]]``."""
    if isinstance(obj, sp.MatrixBase):
        rows = entry_strings(obj)
        if vector_as_list and (obj.rows == 1 or obj.cols == 1):
            return "[" + ", ".join(t for row in rows for t in row) + "]"
        return "[" + ", ".join("[" + ", ".join(row) + "]" for row in rows) + "]"
    if isinstance(obj, (list, tuple)):
        return "[" + ", ".join(plain(o) for o in obj) + "]"
    return _plain.doprint(obj)


def pretty(obj: Any) -> str:
    """One-line Unicode maths for the terminal: ``3x² sin(θ)``, ``xᵀ(B + Bᵀ)``; a vector
    ``[a, b]`` (a column ``[a, b]ᵀ``), a matrix ``[[a, b], [c, d]]``."""
    if isinstance(obj, sp.MatrixBase):
        rows = entry_strings(obj, _unicode.doprint)
        if obj.rows == 1 or obj.cols == 1:
            body = "[" + ", ".join(t for row in rows for t in row) + "]"
            return body + ("ᵀ" if obj.cols == 1 and obj.rows > 1 else "")
        return "[" + ", ".join("[" + ", ".join(row) + "]" for row in rows) + "]"
    if isinstance(obj, (list, tuple)):
        return ", ".join(pretty(o) for o in obj)
    return _unicode.doprint(_shown(obj))


def written(obj: Any) -> str:
    """The maths of ``obj`` in gradcli's input language (``n x^(n - 1)``): plain output's notes."""
    return _ascii.doprint(_shown(obj))


def latex(obj: Any, **settings: Any) -> str:
    if isinstance(obj, (list, tuple)):
        obj = sp.ImmutableMatrix([list(obj)]) if obj else sp.ImmutableMatrix([[]])
    return GradLatexPrinter(settings).doprint(obj)


def latex_operator(variables: Any, function: Any = None) -> str:
    """``\\frac{d}{d x}`` for a function of one variable, ``\\frac{\\partial}{\\partial x}``
    for several (``function`` decides); repeated variables give higher order, several a mixed
    partial (applied right to left, as written)."""
    variables = list(variables)
    n = len(variables)
    if n == 0:
        return ""
    d = r"\partial" if partial(variables, function) else "d"
    denominator = " ".join(
        f"{d} {latex(g[0])}" + (f"^{{{len(g)}}}" if len(g) > 1 else "") for g in _groups(variables)
    )
    numerator = d if n == 1 else f"{d}^{{{n}}}"
    return rf"\frac{{{numerator}}}{{{denominator}}}"


def latex_applied(operator: str, body: str) -> str:
    return rf"{operator} \left( {body} \right)"


def unicode_operator(variables: Any, function: Any = None, *, ascii: bool = False) -> str:  # noqa: A002
    """``d/dx``, ``∂/∂x``, ``∂²/∂y∂x``, ``d²/dx²`` (``d^2/dx^2`` with ``ascii``)."""
    variables = list(variables)
    n = len(variables)
    d = "∂" if partial(variables, function) else "d"
    printer = _ascii if ascii else _unicode

    def power(k: int) -> str:
        if k == 1:
            return ""
        return f"^{k}" if ascii else str(k).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))

    den = "".join(f"{d}{printer.doprint(g[0])}{power(len(g))}" for g in _groups(variables))
    return f"{d}{power(n)}/{den}"


def version() -> str:
    """The package version: pyproject takes it from ``gradcli.__version__`` (importlib.metadata
    would cost a json result ~15 ms of imports; a test keeps the two equal)."""
    from .. import __version__

    return __version__


def step_var(steps: Any, step: Any) -> Any:
    """The variable a step differentiates by: the chain rule's fresh u, or the command's."""
    return step.var if getattr(step, "var", None) is not None else steps.var
