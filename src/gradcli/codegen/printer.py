"""SymPy trees -> Python expressions for an array library: the rules every target shares.

A printer is SymPy's (``StrPrinter``): it finds ``_print_<Class>`` for each node, so a new node
type needs one method here or in a target's printer (``targets.py``), nothing else.  Names
come only from ``names`` (argument, size and temporary identifiers, already checked), numbers
are printed by SymPy, and functions from fixed tables: no text of the user's reaches the
output except through those names.

Values are held as ``lower.kind`` says: scalars, 1-D vectors, 2-D matrices.  Products follow
``lower.segments``: ``@`` inside a segment (right to left where it ends in a column, so
``A @ (B @ x)`` costs matrix-vector products), ``outer`` where a column meets a row.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from ..errors import InputError
from .arrays import ArrayRules, is_entrywise, unwrap
from .lower import flat_factors, is_column, is_row, kind, segments

ATOM = PRECEDENCE["Atom"]
POW = PRECEDENCE["Pow"]
MUL = PRECEDENCE["Mul"]
ADD = PRECEDENCE["Add"]

#: The longest number written as digits; longer ones are written as the float they are.
_MAX_DIGITS = 17


class CodegenError(InputError):
    """What a target cannot compute (exit 2)."""


class ArrayPrinter(ArrayRules, StrPrinter):
    """Python source for one target; subclasses set the library and its function names."""

    #: the target's name (numpy, jax, torch) and how its module is called in the code
    target = ""
    lib = ""
    #: SymPy function name -> the target's function
    functions: dict[str, str] = {}
    #: SymPy function name -> why the target cannot compute it
    missing: dict[str, str] = {}

    def __init__(self, names: dict[Any, str], *, symmetric: frozenset[str] = frozenset(), ref: str = ""):
        super().__init__({"order": None})
        #: SymPy symbol (scalar, matrix or size) -> identifier in the code
        self.names = names
        #: names of symmetric matrices (W^T is W)
        self.symmetric = symmetric
        #: an argument whose dtype new arrays take (PyTorch)
        self.ref = ref
        #: module prefixes and helpers the printed code uses (for the imports)
        self.used: set[str] = set()

    # -- helpers ---------------------------------------------------------------------
    def call(self, function: str, *args: str) -> str:
        self.used.add(function.split(".")[0])
        return f"{function}({', '.join(unwrap(a) for a in args)})"

    def prec(self, e: Any) -> int:
        """The precedence of ``e`` as this printer writes it."""
        if isinstance(e, (sp.MatAdd,)):
            return ADD
        if isinstance(e, sp.MatMul):
            coeff, factors = flat_factors(e)
            if coeff.could_extract_minus_sign():
                return ADD
            return MUL if len(factors) + (coeff != 1) > 1 else self.prec(factors[0])
        if is_entrywise(e):
            return self.entrywise_prec(e)
        if isinstance(e, sp.Transpose):
            return self.prec(e.arg) if kind(e.arg) < 2 else ATOM
        if isinstance(e, (sp.Trace, sp.Determinant)):
            return self.prec(e.arg) if kind(e.arg) == 0 else ATOM
        if isinstance(e, sp.MatPow):
            return POW if kind(e) == 0 else ATOM
        if isinstance(e, sp.MatrixExpr):
            return ATOM
        if isinstance(e, sp.Function):
            return ATOM
        return precedence(e)

    def wrap(self, e: Any, level: int) -> str:
        text = self._print(e)
        return f"({text})" if self.prec(e) < level else text

    def unsupported(self, name: str) -> CodegenError:
        reason = self.missing.get(name, f"gradcli has no {self.target} code for {name}")
        return CodegenError(f"codegen --target {self.target}: {reason}",
                            "the other targets: " + ", ".join(t for t in ("numpy", "jax", "torch") if t != self.target))

    # -- names and numbers -------------------------------------------------------------
    def _print_Symbol(self, e: Any) -> str:
        return self.names[e]

    def _print_MatrixSymbol(self, e: Any) -> str:
        return self.names[e]

    def _print_Dummy(self, e: Any) -> str:
        return self.names[e]

    def _print_Integer(self, e: Any) -> str:
        text = str(int(e))
        return text if len(text) <= _MAX_DIGITS else self.float_text(e)

    def _print_Rational(self, e: Any) -> str:
        if max(len(str(abs(int(e.p)))), len(str(int(e.q)))) > _MAX_DIGITS:
            return self.float_text(e)
        return f"{int(e.p)}/{int(e.q)}"

    def _print_Float(self, e: Any) -> str:
        return self.float_text(e)

    def float_text(self, e: Any) -> str:
        value = float(e)
        if value != value or value in (float("inf"), float("-inf")):
            raise CodegenError(f"the number {sp.sstr(e)[:40]} does not fit a float")
        return repr(value)

    def _print_Pi(self, e: Any) -> str:
        self.used.add(self.lib)
        return f"{self.lib}.pi"

    def _print_Exp1(self, e: Any) -> str:
        self.used.add(self.lib)
        return f"{self.lib}.e"

    def _print_NumberSymbol(self, e: Any) -> str:
        return self.float_text(e)

    def _print_ImaginaryUnit(self, e: Any) -> str:
        raise CodegenError("the result is complex (it holds I = sqrt(-1)); gradcli writes real code")

    def _print_Infinity(self, e: Any) -> str:
        raise CodegenError("the result holds an infinite value; no code computes it")

    _print_NegativeInfinity = _print_ComplexInfinity = _print_NaN = _print_Infinity

    # -- scalar operations ---------------------------------------------------------------
    def _print_Pow(self, e: Any, rational: bool = False) -> str:
        base, exp = e.args
        if exp == sp.S.Half:
            return self.call(f"{self.lib}.sqrt", self._print(base))
        if exp == -sp.S.Half:
            return f"1 / {self.call(f'{self.lib}.sqrt', self._print(base))}"
        return super()._print_Pow(e, rational)

    def _print_Add(self, e: Any, order: Any = None) -> str:
        for term in e.args:
            if isinstance(term, sp.exp) and (e - term - sp.S.NegativeOne) == 0:
                return self.function("expm1", term.args[0])
        return super()._print_Add(e, order)

    def _print_Function(self, e: Any) -> str:
        return self.function(type(e).__name__, *e.args)

    def function(self, name: str, *args: Any) -> str:
        if name not in self.functions:
            raise self.unsupported(name)
        return self.call(self.functions[name], *(self._print(a) for a in args))

    def _print_log(self, e: Any) -> str:
        arg = e.args[0]
        if isinstance(arg, sp.Add) and sp.S.One in arg.args:
            return self.function("log1p", arg - 1)
        return self.function("log", arg)

    def reciprocal(self, name: str, e: Any) -> str:
        return f"(1 / {self.function(name, e.args[0])})"

    def _print_cot(self, e: Any) -> str:
        return self.reciprocal("tan", e)

    def _print_sec(self, e: Any) -> str:
        return self.reciprocal("cos", e)

    def _print_csc(self, e: Any) -> str:
        return self.reciprocal("sin", e)

    def _print_coth(self, e: Any) -> str:
        return self.reciprocal("tanh", e)

    def _print_sech(self, e: Any) -> str:
        return self.reciprocal("cosh", e)

    def _print_csch(self, e: Any) -> str:
        return self.reciprocal("sinh", e)

    def _inverse_of_reciprocal(self, name: str, e: Any) -> str:
        return self.function(name, 1 / e.args[0])

    def _print_acot(self, e: Any) -> str:
        return self._inverse_of_reciprocal("atan", e)

    def _print_asec(self, e: Any) -> str:
        return self._inverse_of_reciprocal("acos", e)

    def _print_acsc(self, e: Any) -> str:
        return self._inverse_of_reciprocal("asin", e)

    def _print_acoth(self, e: Any) -> str:
        return self._inverse_of_reciprocal("atanh", e)

    def _print_asech(self, e: Any) -> str:
        return self._inverse_of_reciprocal("acosh", e)

    def _print_acsch(self, e: Any) -> str:
        return self._inverse_of_reciprocal("asinh", e)

    def _print_DiracDelta(self, e: Any) -> str:
        raise CodegenError(f"the result holds DiracDelta({sp.sstr(e.args[0])}), the derivative of a jump "
                           "(sign, heaviside): it is not a function with values",
                           "leave out the Hessian, or write the function without the jump")

    def _print_Derivative(self, e: Any) -> str:
        raise CodegenError(f"the result holds an unevaluated derivative {sp.sstr(e)[:60]}")

    def _print_Subs(self, e: Any) -> str:
        raise CodegenError(f"the result holds an unevaluated substitution {sp.sstr(e)[:60]}")

    def _print_Max(self, e: Any) -> str:
        return self._fold("maximum", e.args)

    def _print_Min(self, e: Any) -> str:
        return self._fold("minimum", e.args)

    def _fold(self, name: str, args: Any) -> str:
        text = self._print(args[0])
        for arg in args[1:]:
            text = self.call(self.functions[name], text, self._print(arg))
        return text

    def _print_Heaviside(self, e: Any) -> str:
        half = e.args[1] if len(e.args) > 1 else sp.S.Half
        return self.call(self.functions["heaviside"], self._print(e.args[0]), self._print(sp.Float(half)))

    # -- the stable forms (stable.py) ---------------------------------------------------------
    def _print_LogAddExp(self, e: Any) -> str:
        return self._fold("logaddexp", e.args)

    # -- matrices ---------------------------------------------------------------------
    def _print_Identity(self, e: Any) -> str:
        return self.call(f"{self.lib}.eye", self._print(e.rows))

    def _print_ZeroMatrix(self, e: Any) -> str:
        return self.filled("zeros", e)

    def _print_OneMatrix(self, e: Any) -> str:
        return self.filled("ones", e)

    def filled(self, name: str, e: Any) -> str:
        if kind(e) == 0:
            return "0.0" if name == "zeros" else "1.0"
        if kind(e) == 1:
            return self.call(f"{self.lib}.{name}", self._print(max(e.shape, key=lambda s: s != 1)))
        return self.call(f"{self.lib}.{name}", f"({self._print(e.rows)}, {self._print(e.cols)})")

    def transposed(self, e: Any) -> str:
        """``e^T`` where e is 2-D (a symmetric matrix is its own transpose)."""
        if isinstance(e, sp.MatrixSymbol) and e.name in self.symmetric:
            return self._print(e)
        return f"{self.wrap(e, ATOM)}.T"

    def _print_Transpose(self, e: Any) -> str:
        if kind(e.arg) < 2:
            return self._print(e.arg)
        return self.transposed(e.arg)

    def _print_Inverse(self, e: Any) -> str:
        if kind(e.arg) == 0:
            return f"1 / {self.wrap(e.arg, POW)}"
        return self.call(f"{self.lib}.linalg.inv", self._print(e.arg))

    def _print_MatPow(self, e: Any) -> str:
        base, exp = e.args
        if kind(base) == 0:
            return f"{self.wrap(base, POW + 1)}**{self.wrap(exp, POW + 1)}"
        return self.call(f"{self.lib}.linalg.matrix_power", self._print(base), self._print(exp))

    def _print_Solve(self, e: Any) -> str:
        return self.call(f"{self.lib}.linalg.solve", self._print(e.args[0]), self._print(e.args[1]))

    def _print_Trace(self, e: Any) -> str:
        if kind(e.arg) == 0:
            return self._print(e.arg)
        return self.call(f"{self.lib}.trace", self._print(e.arg))

    def _print_Determinant(self, e: Any) -> str:
        if kind(e.arg) == 0:
            return self._print(e.arg)
        return self.call(f"{self.lib}.linalg.det", self._print(e.arg))

    def _print_MatrixElement(self, e: Any) -> str:
        parent = e.parent
        if kind(parent) == 0:
            return self._print(parent)
        if kind(parent) == 1:
            index = e.i if parent.shape[1] == 1 else e.j
            return f"{self.wrap(parent, ATOM)}[{self._print(index)}]"
        return f"{self.wrap(parent, ATOM)}[{self._print(e.i)}, {self._print(e.j)}]"

    def _print_MatAdd(self, e: Any) -> str:
        out = ""
        for term in self._as_ordered_terms(e, order=None):
            term = _ones_as_scalar(term) if len(e.args) > 1 else term
            if _negative(term):
                text = self.wrap(negate(term), MUL)
                out = f"{out} - {text}" if out else f"-{text}"
            else:
                text = self.wrap(term, ADD)
                out = f"{out} + {text}" if out else text
        return out

    def _print_MatMul(self, e: Any) -> str:
        coeff, factors = flat_factors(e)
        sign = ""
        if coeff.could_extract_minus_sign():
            sign, coeff = "-", -coeff
        num, den = sp.fraction(coeff)
        scalars = [num] if num != 1 else []
        parts = segments(factors)
        left = right = middle = None
        for i, part in enumerate(parts):
            product = part[0] if len(part) == 1 else sp.MatMul(*part)
            if kind(product) == 0:
                scalars.append(product if len(part) == 1 else _Chain(part))
            elif i == 0 and is_column(part[-1]) and len(parts) > 1:
                left = part
            elif i == len(parts) - 1 and is_row(part[0]) and len(parts) > 1:
                right = part
            else:
                middle = part
        if left is not None and right is not None:
            body = self.call(f"{self.lib}.outer", self.chain(left), self.chain(right))
        else:
            body = next((self.chain(p) for p in (left, right, middle) if p is not None), None)
            if body is not None and len(next(p for p in (left, right, middle) if p is not None)) > 1 and scalars:
                body = f"({body})"
        alone = body is None and len(scalars) == 1 and den == 1
        texts = [self._chain_scalar(s, alone) for s in scalars]
        if body is not None:
            texts.append(body)
        text = " * ".join(texts) if texts else "1"
        if den != 1:
            text += f" / {self.wrap(den, MUL + 1)}"
        return sign + text

    def _chain_scalar(self, s: Any, alone: bool = False) -> str:
        if isinstance(s, _Chain):
            return self.chain(s.factors) if alone else f"({self.chain(s.factors)})"
        return self.wrap(s, MUL)

    def chain(self, factors: list[Any]) -> str:
        """One segment as an ``@`` chain (right to left when it ends in a column)."""
        if len(factors) == 1:
            return self.wrap(factors[0], MUL + 1)
        diag = self.diag_chain(factors)
        if diag is not None:
            return diag
        if len(factors) > 2 and is_column(factors[-1]) and not is_row(factors[0]):
            return f"{self.wrap(factors[0], MUL + 1)} @ ({self.chain(factors[1:])})"
        return " @ ".join(self.wrap(f, MUL + 1) for f in factors)

    def _print_ImmutableDenseMatrix(self, e: Any) -> str:
        if kind(e) == 0:
            return self._print(e[0, 0])
        if kind(e) == 1:
            return self.array([self.entry(x) for x in e])
        return self.array([self.row([self.entry(x) for x in e.row(i)]) for i in range(e.rows)])

    _print_ImmutableMatrix = _print_MutableDenseMatrix = _print_ImmutableDenseMatrix

    def entry(self, x: Any) -> str:
        """An entry of an explicit array: a whole number as a float (an array of floats)."""
        if x.is_Integer:
            return self.float_text(x)
        return self._print(x)

    def array(self, entries: list[str]) -> str:
        return self.call(f"{self.lib}.array", "[" + ", ".join(entries) + "]")

    def row(self, entries: list[str]) -> str:
        """A row of an explicit matrix (inside ``array``)."""
        return "[" + ", ".join(entries) + "]"


class _Chain:
    """A 1 x 1 segment of a product (an inner product), printed as a scalar."""

    def __init__(self, factors: list[Any]):
        self.factors = factors


def _ones_as_scalar(term: Any) -> Any:
    """c * ones in a sum of arrays: the scalar c (the libraries broadcast it)."""
    if isinstance(term, sp.OneMatrix):
        return sp.S.One
    if isinstance(term, sp.MatMul) and len(term.args) == 2 and isinstance(term.args[1], sp.OneMatrix):
        return term.args[0]
    return term


def negate(term: Any) -> Any:
    """-term, without SymPy's evaluation of the product (``doit``)."""
    if isinstance(term, sp.MatMul):
        coeff, factors = flat_factors(term)
        return sp.MatMul(-coeff, *factors) if coeff != -1 else (
            factors[0] if len(factors) == 1 else sp.MatMul(*factors))
    return -term


def _negative(term: Any) -> bool:
    if isinstance(term, sp.MatMul):
        return flat_factors(term)[0].could_extract_minus_sign()
    return isinstance(term, sp.Basic) and not isinstance(term, sp.MatrixExpr) and term.could_extract_minus_sign()
