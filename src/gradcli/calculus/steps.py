"""Step-by-step derivatives: the derivation rule by rule (``derivative --steps``).

``derivative_steps(expr, var)`` builds a tree of ``Step`` objects, one per rule
applied: constant, variable, constant multiple, sum (5.47), product (5.46),
quotient, power, chain (5.48), the elementary derivatives and the general
power f^g = exp(g log f).  Every step is an equation

    d/dvar expression = result

that holds on its own (a chain rule's outer derivative is a step in a fresh
variable ``u``, its ``var``).  A function without a rule (erf, gamma, an
unevaluated Derivative, Piecewise, ...) is not guessed at: its step is
"no rule" and takes its result from SymPy, saying so.

Core code: takes and returns data, never prints, never exits.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy
from sympy import Add, Mul, Pow, S

from ..errors import InputError
from ..model.symbols import natural_key
from ..record import record
from .prose import Diff, Equal, Formula, text
from .simplify import light

__all__ = ["Step", "StepsResult", "derivative_steps", "RULES"]


@record
class Step:
    """One rule applied: ``d/d(var) expression = result``."""

    rule: str
    expression: sympy.Expr
    result: sympy.Expr
    substeps: tuple[Step, ...] = ()
    #: The rule's statement in words and maths (``calculus.prose``): (f g)' = f' g + f g'.
    prose: tuple = ()
    #: The variable this step differentiates by: the command's variable, or the
    #: fresh ``u`` of a chain rule's outer derivative.
    var: sympy.Symbol | None = None

    @property
    def note(self) -> str:
        """The statement as text, maths in SymPy's string form."""
        return text(self.prose)

    @property
    def derivative(self) -> sympy.Derivative:
        """The left-hand side, ``Derivative(expression, var)``, unevaluated."""
        return sympy.Derivative(self.expression, self.var, evaluate=False)

    @property
    def equation(self) -> sympy.Eq:
        """``Eq(Derivative(expression, var), result)``, unevaluated."""
        return sympy.Eq(self.derivative, self.result, evaluate=False)

    def walk(self, depth: int = 0):
        """(depth, step) pairs in reading order: this step, then its substeps."""
        yield depth, self
        for sub in self.substeps:
            yield from sub.walk(depth + 1)


@record
class StepsResult:
    function: sympy.Expr
    var: sympy.Symbol
    result: sympy.Expr
    root: Step
    #: For a partial derivative: which variables are held constant (``calculus.prose``).
    prose: tuple = ()

    @property
    def note(self) -> str:
        return text(self.prose)

    def flat(self) -> tuple[tuple[int, Step], ...]:
        """Every step with its depth (root 0), in reading order, for renderers."""
        return tuple(self.root.walk(0))

    @property
    def equation(self) -> sympy.Eq:
        return self.root.equation


# --------------------------------------------------------------------------
# The elementary derivatives: name -> (rule name, d/du f(u) as a function of u)

def _elementary() -> dict[type, tuple[str, Callable[[sympy.Expr], sympy.Expr]]]:
    f = sympy
    return {
        f.exp: ("exp", lambda u: f.exp(u)),
        f.log: ("log", lambda u: 1 / u),
        f.sin: ("sin", lambda u: f.cos(u)),
        f.cos: ("cos", lambda u: -f.sin(u)),
        f.tan: ("tan", lambda u: f.tan(u) ** 2 + 1),
        f.cot: ("cot", lambda u: -f.cot(u) ** 2 - 1),
        f.sec: ("sec", lambda u: f.sec(u) * f.tan(u)),
        f.csc: ("csc", lambda u: -f.csc(u) * f.cot(u)),
        f.asin: ("asin", lambda u: 1 / f.sqrt(1 - u**2)),
        f.acos: ("acos", lambda u: -1 / f.sqrt(1 - u**2)),
        f.atan: ("atan", lambda u: 1 / (u**2 + 1)),
        f.acot: ("acot", lambda u: -1 / (u**2 + 1)),
        f.asec: ("asec", lambda u: 1 / (u**2 * f.sqrt(1 - 1 / u**2))),
        f.acsc: ("acsc", lambda u: -1 / (u**2 * f.sqrt(1 - 1 / u**2))),
        f.sinh: ("sinh", lambda u: f.cosh(u)),
        f.cosh: ("cosh", lambda u: f.sinh(u)),
        f.tanh: ("tanh", lambda u: 1 - f.tanh(u) ** 2),
        f.coth: ("coth", lambda u: -1 / f.sinh(u) ** 2),
        f.sech: ("sech", lambda u: -f.tanh(u) * f.sech(u)),
        f.csch: ("csch", lambda u: -f.coth(u) * f.csch(u)),
        f.asinh: ("asinh", lambda u: 1 / f.sqrt(u**2 + 1)),
        f.acosh: ("acosh", lambda u: 1 / (f.sqrt(u - 1) * f.sqrt(u + 1))),
        f.atanh: ("atanh", lambda u: 1 / (1 - u**2)),
        f.acoth: ("acoth", lambda u: 1 / (1 - u**2)),
        f.Abs: ("abs", lambda u: f.sign(u)),
        **_machine_learning(),
    }


def _machine_learning() -> dict[type, tuple[str, Callable[[sympy.Expr], sympy.Expr]]]:
    """The rules of issue 16's scalar functions."""
    from sympy.codegen.cfunctions import expm1, log1p, log2, log10

    from ..model.functions import relu, sigmoid, softplus

    return {
        sigmoid: ("sigmoid", lambda u: sigmoid(u) * (1 - sigmoid(u))),
        softplus: ("softplus", lambda u: sigmoid(u)),
        relu: ("relu", lambda u: sympy.Heaviside(u)),
        log1p: ("log1p", lambda u: 1 / (u + 1)),
        expm1: ("expm1", lambda u: sympy.exp(u)),
        log2: ("log2", lambda u: 1 / (u * sympy.log(2))),
        log10: ("log10", lambda u: 1 / (u * sympy.log(10))),
    }


_ELEMENTARY = _elementary()

#: The rule names a Step may carry.
RULES = (
    "constant", "variable", "constant multiple", "sum", "product", "quotient",
    "power", "sqrt", "exponential", "general power", "chain", "no rule",
) + tuple(sorted({name for name, _ in _ELEMENTARY.values()}))

def _d(f: Callable[[sympy.Symbol], sympy.Expr], *rhs: Callable[[sympy.Symbol], sympy.Expr]
       ) -> Callable[[sympy.Symbol], tuple]:
    """d/du f(u) = rhs(u) (= ...), as a note's parts."""
    return lambda u: (Equal((Diff(f(u), u), *(r(u) for r in rhs))),)


def _ml_formula(name: str) -> Callable[[sympy.Symbol], tuple]:
    """The note of one of issue 16's functions: d/du σ(u) = σ(u) (1 - σ(u)), ..."""

    def formula(u: sympy.Symbol) -> tuple:
        from sympy.codegen.cfunctions import expm1, log1p, log2, log10

        from ..model.functions import relu, sigmoid, softplus

        if name == "relu":
            return (Equal((Diff(relu(u), u), sympy.Heaviside(u))), " for ", sympy.Ne(u, 0), "; ", relu(u),
                    " has no derivative at ", sympy.Eq(u, 0))
        table = {"sigmoid": (sigmoid, lambda: sigmoid(u) * (1 - sigmoid(u))),
                 "softplus": (softplus, lambda: sigmoid(u)),
                 "log1p": (log1p, lambda: 1 / (1 + u)), "expm1": (expm1, lambda: sympy.exp(u)),
                 "log2": (log2, lambda: 1 / (u * sympy.log(2))), "log10": (log10, lambda: 1 / (u * sympy.log(10)))}
        function, derivative = table[name]
        return (Equal((Diff(function(u), u), derivative())),)

    return formula


_N = sympy.Symbol("n", integer=True)
_A = sympy.Symbol("a", positive=True)
_FORMULAS: dict[str, Callable[[sympy.Symbol], tuple]] = {
    "exp": _d(sympy.exp, sympy.exp),
    "log": _d(sympy.log, lambda u: 1 / u),
    "sin": _d(sympy.sin, sympy.cos),
    "cos": _d(sympy.cos, lambda u: -sympy.sin(u)),
    "tan": _d(sympy.tan, lambda u: 1 + sympy.tan(u) ** 2, lambda u: sympy.sec(u) ** 2),
    "cot": _d(sympy.cot, lambda u: -1 - sympy.cot(u) ** 2, lambda u: -sympy.csc(u) ** 2),
    "sec": _d(sympy.sec, lambda u: sympy.sec(u) * sympy.tan(u)),
    "csc": _d(sympy.csc, lambda u: -sympy.csc(u) * sympy.cot(u)),
    "asin": _d(sympy.asin, lambda u: 1 / sympy.sqrt(1 - u**2)),
    "acos": _d(sympy.acos, lambda u: -1 / sympy.sqrt(1 - u**2)),
    "atan": _d(sympy.atan, lambda u: 1 / (1 + u**2)),
    "acot": _d(sympy.acot, lambda u: -1 / (1 + u**2)),
    "sinh": _d(sympy.sinh, sympy.cosh),
    "cosh": _d(sympy.cosh, sympy.sinh),
    "tanh": _d(sympy.tanh, lambda u: 1 - sympy.tanh(u) ** 2),
    "abs": lambda u: (Equal((Diff(sympy.Abs(u), u), sympy.sign(u))), " for ", sympy.Ne(u, 0), "; ",
                      sympy.Abs(u), " has no derivative at ", sympy.Eq(u, 0)),
    "sqrt": _d(sympy.sqrt, lambda u: 1 / (2 * sympy.sqrt(u))),
    "power": _d(lambda u: u**_N, lambda u: _N * u ** (_N - 1)),
    "exponential": _d(lambda u: _A**u, lambda u: _A**u * sympy.log(_A)),
    **{name: _ml_formula(name) for name in ("sigmoid", "softplus", "relu", "log1p", "expm1", "log2", "log10")},
}


# --------------------------------------------------------------------------

def _names(symbols) -> tuple:
    """x; x and y; x, y and z: the symbols as a note's parts."""
    names = sorted(symbols, key=lambda s: natural_key(str(s)))
    parts: list = []
    for i, name in enumerate(names):
        if i:
            parts.append(" and " if i == len(names) - 1 else ", ")
        parts.append(name)
    return tuple(parts)


def _held(expr: sympy.Expr, var: sympy.Symbol) -> tuple:
    """'x is held constant' for the symbols of ``expr`` other than ``var`` (a note's parts)."""
    others = [s for s in expr.free_symbols if s != var]
    if not others:
        return ()
    verb = "is" if len(others) == 1 else "are"
    return (*_names(others), f" {verb} held constant")


def _fresh(var: sympy.Symbol, expr: sympy.Expr) -> sympy.Symbol:
    taken = {str(s) for s in expr.free_symbols} | {str(var)}
    for name in ("u", "v", "w", "t", "s"):
        if name not in taken:
            return sympy.Symbol(name, real=True)
    i = 1
    while f"u{i}" in taken:
        i += 1
    return sympy.Symbol(f"u{i}", real=True)


def _negative_exponent(factor: sympy.Expr) -> bool:
    return factor.is_Pow and factor.exp.could_extract_minus_sign()


class _Builder:
    def __init__(self, var: sympy.Symbol):
        self.var = var

    # The step for one expression.
    def step(self, expr: sympy.Expr) -> Step:
        var = self.var
        if not expr.has(var):
            return Step("constant", expr, S.Zero, prose=_held(expr, var) or ("a constant's derivative is 0",),
                        var=var)
        if expr == var:
            return Step("variable", expr, S.One, prose=(Equal((Diff(var, var), S.One)),), var=var)
        if isinstance(expr, Add):
            return self._sum(expr)
        if isinstance(expr, Mul):
            return self._mul(expr)
        if isinstance(expr, Pow):
            return self._pow(expr)
        if type(expr) in _ELEMENTARY and len(expr.args) == 1:
            return self._function(expr)
        return self._no_rule(expr)

    def _no_rule(self, expr: sympy.Expr) -> Step:
        if isinstance(expr, sympy.Derivative):
            what = "an unevaluated derivative"
        elif isinstance(expr, sympy.Function) or isinstance(expr, sympy.core.function.AppliedUndef):
            what = str(expr.func)
        elif isinstance(expr, Pow):
            what = f"{expr.base}**u"
        else:
            what = type(expr).__name__
        result = sympy.diff(expr, self.var)
        return Step("no rule", expr, result, prose=(f"no rule for {what}: result from SymPy",), var=self.var)

    def _sum(self, expr: Add) -> Step:
        subs = tuple(self.step(t) for t in expr.args)
        result = light(Add(*(s.result for s in subs)))
        return Step("sum", expr, result, subs, prose=("rule (5.47): ", Formula("sum")), var=self.var)

    def _mul(self, expr: Mul) -> Step:
        var = self.var
        coeff, rest = expr.as_independent(var, as_Add=False)
        if coeff != 1:
            sub = self.step(rest)
            prose: tuple = (coeff, " is a constant factor")
            held = _held(coeff, var)
            if held:
                prose += (" (", *held, ")")
            return Step("constant multiple", expr, coeff * sub.result, (sub,), prose=prose, var=var)
        factors = Mul.make_args(expr)
        den = [f for f in factors if _negative_exponent(f)]
        num = [f for f in factors if not _negative_exponent(f)]
        if den and num:
            n = Mul(*num)
            d = Mul(*(Pow(f.base, -f.exp) for f in den))
            sn, sd = self.step(n), self.step(d)
            result = light((sn.result * d - n * sd.result) / d**2)
            return Step(
                "quotient", expr, result, (sn, sd),
                prose=(Formula("quotient"),), var=var,
            )
        first, rest = factors[0], Mul(*factors[1:])
        sf, sr = self.step(first), self.step(rest)
        result = light(sf.result * rest + first * sr.result)
        return Step("product", expr, result, (sf, sr), prose=("rule (5.46): ", Formula("product")), var=var)

    def _chain(self, expr: sympy.Expr, inner: sympy.Expr, outer: Step, u: sympy.Symbol) -> Step:
        sub = self.step(inner)
        result = light(outer.result.xreplace({u: inner}) * sub.result)
        return Step(
            "chain", expr, result, (outer, sub),
            prose=("rule (5.48) with ", sympy.Eq(u, inner, evaluate=False), ": ", Formula("chain", (self.var, u))),
            var=self.var,
        )

    def _outer(self, rule: str, outer_expr: sympy.Expr, outer_result: sympy.Expr,
               u: sympy.Symbol, expr: sympy.Expr, inner: sympy.Expr, extra: tuple = ()) -> Step:
        """A direct rule when ``inner`` is the variable, else the chain rule."""
        direct = inner == self.var
        formula = _FORMULAS.get(rule)
        prose = (formula(self.var if direct else u) if formula else ()) + extra
        if direct:
            return Step(rule, expr, outer_result.xreplace({u: self.var}), prose=prose, var=self.var)
        outer = Step(rule, outer_expr, outer_result, prose=prose, var=u)
        return self._chain(expr, inner, outer, u)

    def _function(self, expr: sympy.Function) -> Step:
        rule, deriv = _ELEMENTARY[type(expr)]
        inner = expr.args[0]
        u = _fresh(self.var, expr)
        return self._outer(rule, expr.func(u), deriv(u), u, expr, inner)

    def _pow(self, expr: Pow) -> Step:
        var = self.var
        base, exp = expr.base, expr.exp
        u = _fresh(var, expr)
        if not exp.has(var):
            if exp == S.Half:
                return self._outer("sqrt", sympy.sqrt(u), 1 / (2 * sympy.sqrt(u)), u, expr, base)
            extra: tuple = (" with ", sympy.Eq(_N, exp, evaluate=False))
            held = _held(exp, var)
            if held:
                extra += (" (", *held, ")")
            return self._outer("power", u**exp, exp * u ** (exp - 1), u, expr, base, extra)
        if not base.has(var):
            if base.is_zero:
                return self._no_rule(expr)
            extra = (" with ", sympy.Eq(_A, base, evaluate=False))
            held = _held(base, var)
            if held:
                extra += (" (", *held, ")")
            return self._outer("exponential", base**u, base**u * sympy.log(base), u, expr, exp, extra)
        # f**g with the variable in both: f**g = exp(g*log(f)).
        g_log_f = exp * sympy.log(base)
        sub = self.step(g_log_f)
        result = light(expr * sub.result)
        return Step(
            "general power", expr, result, (sub,),
            prose=(Formula("general power", (base, exp)),),
            var=var,
        )


def derivative_steps(expr, var) -> StepsResult:
    """The derivative of ``expr`` with respect to ``var``, rule by rule."""
    expr = sympy.sympify(expr, strict=True) if not isinstance(expr, sympy.Basic) else expr
    if not isinstance(var, sympy.Symbol):
        raise InputError(f"can only differentiate with respect to a variable, not {var}")
    if not isinstance(expr, sympy.Expr) or getattr(expr, "is_Matrix", False) or isinstance(
        expr, sympy.MatrixExpr
    ):
        raise InputError("--steps works on scalar expressions only")
    root = _Builder(var).step(expr)
    held = _held(expr, var)
    prose = ("partial derivative with respect to ", var, ": ", *held) if held else ()
    return StepsResult(function=expr, var=var, result=root.result, root=root, prose=prose)
