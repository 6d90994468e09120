"""The input as the user wrote it: a syntax tree (``language.ast``) printed in textbook notation,
one-line Unicode for the terminal (``‖A x - b‖²``, ``x² sin(x)``) and LaTeX for documents
(``\\left\\| A x - b \\right\\|^{2}``), never SymPy's rewrite of it.

The LaTeX reads back through gradcli's LaTeX parser to the same mathematics (the tests build
both); the Unicode reads as the plain language does: an operator ``d/dx`` takes the term that
follows it, so a product after one is put in parentheses (``d/dx (x² y)``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..language import ast as S
from ..model.symbols import scalar_symbol
from .printers import GradLatexPrinter, greek, superscript

# precedence levels: a child below the level its place needs is put in parentheses
ADD, UNARY, MUL, POW, POSTFIX, ATOM = 10, 15, 20, 30, 40, 50

_ARC = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "acot": "arccot", "asec": "arcsec",
        "acsc": "arccsc", "asinh": "arsinh", "acosh": "arcosh", "atanh": "artanh", "arcsinh": "arsinh",
        "arccosh": "arcosh", "arctanh": "artanh", "sign": "sgn", "trace": "tr", "Trace": "tr",
        "Determinant": "det", "ln": "ln", "Abs": "abs", "Inverse": "inv", "Transpose": "transpose"}
#: functions whose integer power is written on the name: sin²(x)
#: LaTeX: one-argument functions written around their argument (@), the result's precedence
_AROUND = {
    "abs": (r"\left|@\right|", ATOM), "norm": (r"\left\|@\right\|", ATOM), "sqrt": (r"\sqrt{@}", ATOM),
    "cbrt": (r"\sqrt[3]{@}", ATOM), "exp": (r"e^{@}", POW), "gamma": (r"\Gamma\left(@\right)", ATOM),
    "sigmoid": (r"\sigma\left(@\right)", ATOM),
}
#: LaTeX: one-argument functions written as a mark after their argument, wrapped at that level
_AFTER = {"inv": ("^{-1}", POSTFIX), "transpose": (r"^{\top}", POSTFIX), "factorial": ("!", ATOM)}
_POWER_ON_NAME = {"sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth", "sech", "csch"}
_LATEX_COMMANDS = {
    "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "coth",
    "exp", "ln", "log", "det",
}


def _name(node: S.Call) -> str:
    return _ARC.get(node.name, node.name)


def _spine(node: S.Node, ops: str) -> tuple[S.Node, list[tuple[str, S.Node]]]:
    """A left-leaning chain of ``ops`` (a sum, a product) as its first operand and the
    (op, operand) pairs after it, without recursion (a sum may have thousands of terms)."""
    rest: list[tuple[str, S.Node]] = []
    while isinstance(node, S.Binary) and node.op in ops:
        rest.append((node.op, node.right))
        node = node.left
    rest.reverse()
    return node, rest


class _Source:
    """What the Unicode and LaTeX forms share: the structure and the parentheses."""

    def text(self, node: S.Node) -> str:
        return self.show(node)[0]

    def show(self, node: S.Node) -> tuple[str, int]:
        return getattr(self, "_" + type(node).__name__)(node)

    def wrap(self, node: S.Node, level: int) -> str:
        text, own = self.show(node)
        return self.paren(text) if own < level else text

    def paren(self, text: str) -> str:
        raise NotImplementedError

    def _Equation(self, node: S.Equation) -> tuple[str, int]:
        return f"{self.text(node.lhs)} = {self.text(node.rhs)}", 0

    def _sum(self, node: S.Binary) -> tuple[str, int]:
        first, rest = _spine(node, "+-")
        out = self.wrap(first, UNARY)
        for op, right in rest:
            out += f" {op} " + self.wrap(right, MUL)
        return out, ADD

    def _Unary(self, node: S.Unary) -> tuple[str, int]:
        return node.op + self.wrap(node.operand, MUL), UNARY

    def _Binary(self, node: S.Binary) -> tuple[str, int]:
        if node.op in ("+", "-"):
            return self._sum(node)
        if node.op == "*":
            return self._product(node)
        if node.op == "/":
            return self._quotient(node)
        if node.op in self.ENTRYWISE:  # x ⊙ y, x ⊘ y, x ⊗ y (issue 16's entrywise and Kronecker products)
            return f"{self.wrap(node.left, MUL)}{self.ENTRYWISE[node.op]}{self.wrap(node.right, POW)}", MUL
        if node.op == ".^":
            return self.entrywise_power(self.wrap(node.left, POSTFIX), self.text(node.right)), POW
        return self._power(node)

    ENTRYWISE: dict[str, str] = {}

    def entrywise_power(self, base: str, exponent: str) -> str:
        raise NotImplementedError

    def _factor(self, node: S.Node, first: bool) -> str:
        """A factor of a product: an operator on the left would take what follows it."""
        if isinstance(node, S.Derivative) and first:
            return self.paren(self.text(node))
        return self.wrap(node, MUL if not isinstance(node, S.Unary) else ATOM)

    def _Transpose(self, node: S.Transpose) -> tuple[str, int]:
        return self.wrap(node.operand, POSTFIX) + self.transpose_mark(), POSTFIX

    def transpose_mark(self) -> str:
        raise NotImplementedError


class UnicodeSource(_Source):
    """One-line Unicode: ``d/dx (x² y)``, ``‖A x - b‖²``, ``xᵀ B x``, ``arctan(x)``."""

    ENTRYWISE = {".*": " ⊙ ", "./": " ⊘ ", "⊗": " ⊗ "}

    def paren(self, text: str) -> str:
        return f"({text})"

    def entrywise_power(self, base: str, exponent: str) -> str:
        return f"{base}.^{exponent if exponent.isalnum() else '(' + exponent + ')'}"

    def transpose_mark(self) -> str:
        return "ᵀ"

    def _Number(self, node: S.Number) -> tuple[str, int]:
        text = "0" + node.text if node.text.startswith(".") else node.text
        return text, ATOM

    def _Name(self, node: S.Name) -> tuple[str, int]:
        if node.name in ("e", "E"):
            return "e", ATOM
        return greek(node.name), ATOM

    def _product(self, node: S.Binary) -> tuple[str, int]:
        first, rest = _spine(node, "*/")
        out = self._factor(first, True)
        previous: S.Node = first
        for op, right in rest:
            if op == "/":
                out += "/" + self.wrap(right, POW)
            else:
                text = self._factor(right, False)
                if isinstance(previous, S.Number) and not text[:1].isdigit() and (
                        isinstance(right, (S.Name, S.Binary)) or text.startswith(("(", "√"))):
                    out += text
                elif out[-1:].isdigit() and text[:1].isdigit():
                    out += "⋅" + text
                else:
                    out += " " + text
            previous = right
        return out, MUL

    _quotient = _product

    def _power(self, node: S.Binary) -> tuple[str, int]:
        exponent = self.text(node.right)
        if exponent in ("T", "top", "-T"):
            return self.wrap(node.left, POSTFIX) + ("ᵀ" if exponent != "-T" else "⁻ᵀ"), POSTFIX
        sup = superscript(exponent)
        if isinstance(node.left, S.Call) and node.left.name in _POWER_ON_NAME and sup:
            head, _, tail = self.text(node.left).partition("(")
            return f"{head}{sup}({tail}", ATOM
        base = self.wrap(node.left, POSTFIX)
        if sup is not None:
            return base + sup, POW
        if not isinstance(node.right, (S.Name, S.Number)):
            exponent = f"({exponent})"
        return f"{base}^{exponent}", POW

    def _Call(self, node: S.Call) -> tuple[str, int]:
        name, args = _name(node), node.args
        inner = ", ".join(self.text(a) for a in args)
        if name == "abs":
            return f"|{inner}|", ATOM
        if name == "norm":
            return f"‖{inner}‖", ATOM
        if name in ("sqrt", "cbrt"):
            mark = "√" if name == "sqrt" else "∛"
            text, level = self.show(args[0])
            return mark + (text if level == ATOM and "(" not in text else f"({text})"), POSTFIX
        if name == "factorial":
            return self.wrap(args[0], ATOM) + "!", POSTFIX
        if name in ("inv", "transpose"):
            return self.wrap(args[0], POSTFIX) + ("⁻¹" if name == "inv" else "ᵀ"), POSTFIX
        if name == "gamma":
            return f"Γ({inner})", ATOM
        if name == "sigmoid":
            return f"σ({inner})", ATOM
        if name == "polygamma" and isinstance(args[0], S.Number):
            k = args[0].text
            return ("ψ" if k == "0" else f"ψ{superscript(f'({k})') or f'^({k})'}") + f"({self.text(args[1])})", ATOM
        if name == "diff":
            return self._Derivative_like(args[0], [self.text(a) for a in args[1:]])
        return f"{name}({inner})", ATOM

    def _Derivative_like(self, operand: S.Node, variables: list[str]) -> tuple[str, int]:
        names: list[str] = []
        for v in variables:
            if v.isdigit() and names:
                names.extend([names[-1]] * (int(v) - 1) if len(v) < 4 else [])
            else:
                names.append(v)
        d = "∂" if len(set(names)) > 1 else "d"
        order = superscript(str(len(names))) if len(names) > 1 else ""
        groups: list[list[str]] = []
        for v in reversed(names):
            if groups and groups[-1][0] == v:
                groups[-1].append(v)
            else:
                groups.append([v])
        den = "".join(f"{d}{g[0]}" + (superscript(str(len(g))) or "" if len(g) > 1 else "") for g in groups)
        return f"{d}{order}/{den} " + self._operand(operand), MUL

    def _operand(self, node: S.Node) -> str:
        return self.text(node) if self.show(node)[1] >= POW else f"({self.text(node)})"

    def _Derivative(self, node: S.Derivative) -> tuple[str, int]:
        d = "∂" if node.partial else "d"
        var = greek(node.var)
        if node.vec:  # d vec(F)/d vec(X)
            op = "d vec" if d == "d" else "∂vec"
            return f"{op}({self.text(node.operand)})/{op}({var})", MUL
        if node.order == 1:
            operator = f"{d}/{d}{var}"
        else:
            k = superscript(str(node.order))
            operator = f"{d}{k}/{d}{var}{k}"
        return f"{operator} " + self._operand(node.operand), MUL

    def _Matrix(self, node: S.Matrix) -> tuple[str, int]:
        if node.vector:
            return "[" + ", ".join(self.text(a) for a in node.rows[0]) + "]", ATOM
        return "[" + ", ".join("[" + ", ".join(self.text(a) for a in row) + "]" for row in node.rows) + "]", ATOM

    def _Norm(self, node: S.Norm) -> tuple[str, int]:
        return f"‖{self.text(node.operand)}‖", ATOM


class LatexSource(_Source):
    """LaTeX that gradcli's LaTeX parser reads back: ``\\frac{d}{d x} \\left( x^{2} y \\right)``,
    ``\\left\\| A x - b \\right\\|^{2}``, ``x^{\\top} B x``, ``\\arctan\\left(x\\right)``."""

    def __init__(self) -> None:
        self._printer = GradLatexPrinter()

    ENTRYWISE = {".*": r" \odot ", "./": r" \oslash ", "⊗": r" \otimes "}

    def paren(self, text: str) -> str:
        return rf"\left({text}\right)"

    def entrywise_power(self, base: str, exponent: str) -> str:
        return rf"{base}^{{\odot {exponent}}}"

    def transpose_mark(self) -> str:
        return r"^{\top}"

    def _Number(self, node: S.Number) -> tuple[str, int]:
        m = re.fullmatch(r"(\d*\.?\d*)[eE]([+-]?\d+)", node.text)
        if m:
            mantissa = m.group(1) if not m.group(1).startswith(".") else "0" + m.group(1)
            return rf"{mantissa} \cdot 10^{{{int(m.group(2))}}}", MUL
        return ("0" + node.text if node.text.startswith(".") else node.text), ATOM

    def _Name(self, node: S.Name) -> tuple[str, int]:
        if node.name in ("e", "E"):
            return "e", ATOM
        if node.name == "pi":
            return r"\pi", ATOM
        if node.name == "I":
            return "I", ATOM
        return self._printer.doprint(scalar_symbol(node.name)), ATOM

    def _product(self, node: S.Binary) -> tuple[str, int]:
        first, rest = _spine(node, "*")
        out = self._factor(first, True)
        for _, right in rest:
            text = self._factor(right, False)
            sep = r" \cdot " if out[-1:].isdigit() and text[:1].isdigit() else " "
            out += sep + text
        return out, MUL

    def _quotient(self, node: S.Binary) -> tuple[str, int]:
        return rf"\frac{{{self.text(node.left)}}}{{{self.text(node.right)}}}", POW - 1

    def _power(self, node: S.Binary) -> tuple[str, int]:
        exponent = node.right
        if isinstance(exponent, S.Name) and exponent.name in ("T", "top"):
            return self.wrap(node.left, POSTFIX) + r"^{\top}", POSTFIX
        if isinstance(exponent, S.Unary) and isinstance(exponent.operand, S.Name) and exponent.operand.name == "T":
            return self.wrap(node.left, POSTFIX) + r"^{-\top}", POSTFIX
        sup = self.text(exponent)
        if isinstance(node.left, S.Call) and node.left.name in _POWER_ON_NAME:
            return self._call(node.left, power=sup), ATOM
        return self.wrap(node.left, POSTFIX) + f"^{{{sup}}}", POW

    def _Call(self, node: S.Call) -> tuple[str, int]:
        name, args = _name(node), node.args
        if name == "K":  # the commutation matrix K(m, n), as the LaTeX printer writes it
            return "K_{" + ",".join(self.text(a) for a in args) + "}", ATOM
        if name in _AROUND:  # |x|, ||x||, sqrt, Γ(x), σ(x), e^x: the argument inside a template
            template, level = _AROUND[name]
            return template.replace("@", self.text(args[0])), level
        if name in _AFTER:  # X^{-1}, X^⊤, n!: a mark after the argument
            mark, level = _AFTER[name]
            return self.wrap(args[0], level) + mark, POSTFIX
        if name == "root":
            return rf"\sqrt[{self.text(args[1])}]{{{self.text(args[0])}}}", ATOM
        if name == "polygamma" and isinstance(args[0], S.Number):
            order = "" if args[0].text == "0" else rf"^{{\left({args[0].text}\right)}}"
            return rf"\psi{order}\left({self.text(args[1])}\right)", ATOM
        if name == "log" and len(args) == 2:
            return rf"\log_{{{self.text(args[1])}}}\left({self.text(args[0])}\right)", ATOM
        if name == "diff":
            return self._diff(node)
        return self._call(node), ATOM

    def _call(self, node: S.Call, power: str | None = None) -> str:
        name = _name(node)
        head = "\\" + name if name in _LATEX_COMMANDS else rf"\operatorname{{{name}}}"
        if name == "tr":
            head = r"\operatorname{tr}"
        if power is not None:
            head += f"^{{{power}}}"
        return head + r"\left(" + ", ".join(self.text(a) for a in node.args) + r"\right)"

    def _diff(self, node: S.Call) -> tuple[str, int]:
        operand: S.Node = node.args[0]
        names: list[str] = []
        for a in node.args[1:]:
            if isinstance(a, S.Number) and names:
                names.extend([names[-1]] * (S.order_value(a.text) - 1))
            elif isinstance(a, S.Name):
                names.append(a.name)
        for name in names:
            operand = S.Derivative(node.pos, node.end, operand, name, 1, len(set(names)) > 1)
        return self.show(operand)

    def _Derivative(self, node: S.Derivative) -> tuple[str, int]:
        d = r"\partial" if node.partial else "d"
        var = self._Name(S.Name(0, 0, node.var))[0]
        if node.vec:  # d vec(F)/d vec(X), as the LaTeX parser reads it back
            return (rf"\frac{{{d} \operatorname{{vec}}\left({self.text(node.operand)}\right)}}"
                    rf"{{{d} \operatorname{{vec}}\left({var}\right)}}"), ATOM
        if node.order == 1:
            operator = rf"\frac{{{d}}}{{{d} {var}}}"
        else:
            operator = rf"\frac{{{d}^{{{node.order}}}}}{{{d} {var}^{{{node.order}}}}}"
        text, level = self.show(node.operand)
        operand = text if level >= POW else rf"\left( {text} \right)"
        return f"{operator} {operand}", MUL

    def _Matrix(self, node: S.Matrix) -> tuple[str, int]:
        if node.vector:
            body = r" \\ ".join(self.text(a) for a in node.rows[0])
        else:
            body = r" \\ ".join(" & ".join(self.text(a) for a in row) for row in node.rows)
        return r"\begin{bmatrix}" + body + r"\end{bmatrix}", ATOM

    def _Norm(self, node: S.Norm) -> tuple[str, int]:
        return rf"\left\|{self.text(node.operand)}\right\|", ATOM


def _shown_by(printer: Callable[[Any], str], fallback: Callable[[Any], str]) -> Callable[[Any, Any], str]:
    def show(tree: Any, function: Any) -> str:
        if tree is None:
            return fallback(function)
        if isinstance(tree, tuple):
            return ", ".join(printer(t) for t in tree)
        return printer(tree)

    return show


def unicode_source(tree: Any, function: Any) -> str:
    """The function as written (``tree``), or SymPy's form of it where no tree was kept."""
    from .printers import pretty

    return _shown_by(UnicodeSource().text, pretty)(tree, function)


def latex_source(tree: Any, function: Any) -> str:
    from .printers import latex

    return _shown_by(LatexSource().text, latex)(tree, function)
