"""What the renderers share: SymPy's printers with gradcli's conventions (plain strings that
``sympify`` reads back, LaTeX, one-line Unicode), and the texts of numbers,
points, steps and sweeps."""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from .notation import LatexNotation, PlainNotation, UnicodeNotation

# -- plain --------------------------------------------------------------------------


class PlainPrinter(PlainNotation, StrPrinter):
    """SymPy's string form, which ``sympy.sympify`` reads back."""


_plain = PlainPrinter({"order": None})


class _ReadablePrinter(UnicodeNotation, PlainPrinter):
    """For people (Rich): the scalar of a 1 x 1 product without its Trace."""

    def _print_Trace(self, expr: Any) -> str:
        if tuple(expr.arg.shape) == (1, 1):
            return "(" + self._print(expr.arg) + ")"
        return "tr(" + self._print(expr.arg) + ")"

    def _print_Determinant(self, expr: Any) -> str:
        return "det(" + self._print(expr.arg) + ")"

    def _print_Exp1(self, expr: Any) -> str:
        return "e"  # Euler's number, as a textbook writes it (SPEC: e, not E)


_readable = _ReadablePrinter({"order": None})


def readable(obj: Any) -> str:
    """Plain text for people (docstrings of generated code): SymPy's string form with the
    scalar of a 1 x 1 product written without its Trace, and tr, det for the others."""
    if isinstance(obj, sp.MatrixBase):
        if obj.rows == 1 or obj.cols == 1:
            return "[" + ", ".join(readable(e) for e in obj) + "]"
        return "[" + ", ".join("[" + ", ".join(readable(e) for e in obj.row(i)) + "]" for i in range(obj.rows)) + "]"
    if isinstance(obj, sp.Trace) and tuple(obj.arg.shape) == (1, 1):
        obj = obj.arg
    return _readable.doprint(obj)


def entry_strings(m: Any, printer: Any = None) -> list[list[str]]:
    """The printed entries of an explicit matrix, row by row.

    Big Hessians and Jacobians are mostly zeros and repeated entries: each
    distinct entry is printed once.
    """
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


# -- LaTeX ----------------------------------------------------------------------------


class GradLatexPrinter(LatexNotation, LatexPrinter):
    """SymPy's LaTeX printer with gradcli's conventions: ``^{\\top}``,
    ``\\det``, ``\\operatorname{tr}``, ``bmatrix``, ``I`` for the identity."""

    def __init__(self, settings: dict | None = None):
        base = {"mat_str": "bmatrix", "mat_delim": ""}
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

    def _print_Transpose(self, expr: Any) -> str:
        arg = expr.arg
        inner = self._print(arg)
        if not isinstance(arg, sp.MatrixSymbol):
            inner = r"\left(" + inner + r"\right)"
        return inner + r"^{\top}"

    def _print_Determinant(self, expr: Any) -> str:
        return r"\det\left(" + self._print(expr.arg) + r"\right)"

    def _print_Trace(self, expr: Any) -> str:
        if tuple(expr.arg.shape) == (1, 1):  # the scalar a 1 x 1 product stands for
            return self._print(expr.arg)
        return r"\operatorname{tr}\left(" + self._print(expr.arg) + r"\right)"

    def _print_Identity(self, expr: Any) -> str:
        return "I"

    def _print_MatrixElement(self, expr: Any) -> str:
        if tuple(expr.parent.shape) == (1, 1):
            return self._print(expr.parent)
        return super()._print_MatrixElement(expr)

    def _print_Inverse(self, expr: Any) -> str:
        arg = expr.arg
        inner = self._print(arg)
        if not isinstance(arg, sp.MatrixSymbol):
            inner = r"\left(" + inner + r"\right)"
        return inner + "^{-1}"


def latex(obj: Any, **settings: Any) -> str:
    if isinstance(obj, (list, tuple)):
        obj = sp.ImmutableMatrix([list(obj)]) if obj else sp.ImmutableMatrix([[]])
    return GradLatexPrinter(settings).doprint(obj)


def latex_operator(variables: Any, *, partial: bool = True) -> str:
    """``\\frac{\\partial}{\\partial x}``; repeated variables give higher order,
    several give a mixed partial (applied right to left, as written)."""
    variables = list(variables)
    d = r"\partial" if partial else "d"
    n = len(variables)
    if n == 0:
        return ""
    groups = _groups(variables)
    denominator = " ".join(
        f"{d} {latex(g[0])}" + (f"^{{{len(g)}}}" if len(g) > 1 else "") for g in groups
    )
    numerator = d if n == 1 else f"{d}^{{{n}}}"
    return rf"\frac{{{numerator}}}{{{denominator}}}"


def _groups(variables: list[Any]) -> list[list[Any]]:
    """Consecutive equal variables grouped, in the order of application reversed (the last
    applied stands leftmost in the denominator)."""
    groups: list[list[Any]] = []
    for v in reversed(variables):
        if groups and groups[-1][0] == v:
            groups[-1].append(v)
        else:
            groups.append([v])
    return groups


def latex_applied(operator: str, function: Any) -> str:
    body = latex(function)
    return rf"{operator} \left( {body} \right)"


def unicode_operator(variables: Any) -> str:
    variables = list(variables)
    n = len(variables)
    groups = _groups(variables)
    sup = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
    den = "".join(f"∂{g[0]}" + (str(len(g)).translate(sup) if len(g) > 1 else "") for g in groups)
    num = "∂" if n == 1 else "∂" + str(n).translate(sup)
    return f"{num}/{den}"


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_GREEK_NAMES = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ", "eta": "η",
    "theta": "θ", "iota": "ι", "kappa": "κ", "lamda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π",
    "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
}


def pretty(obj: Any) -> str:
    """One-line Unicode maths for the terminal: ``3⋅x²⋅sin(θ)``, ``xᵀ⋅(B + Bᵀ)``."""
    import re

    if isinstance(obj, sp.MatrixBase):
        if obj.rows == 1 or obj.cols == 1:
            body = "[" + ", ".join(pretty(e) for e in obj) + "]"
            return body + ("ᵀ" if obj.cols == 1 and obj.rows > 1 else "")
        return "[" + ", ".join("[" + ", ".join(pretty(e) for e in obj.row(i)) + "]" for i in range(obj.rows)) + "]"
    if isinstance(obj, MatrixElement) and tuple(obj.parent.shape) == (1, 1):
        obj = obj.parent
    if isinstance(obj, sp.Trace) and tuple(obj.arg.shape) == (1, 1):
        obj = obj.arg
    text = _readable.doprint(obj)
    # Greek names first: after 'theta**2' becomes 'theta²' no word boundary is left to find
    text = re.sub(r"\b(" + "|".join(_GREEK_NAMES) + r")\b", lambda m: _GREEK_NAMES[m.group(1)], text)
    text = re.sub(r"\*\*\((-?\d+)\)", lambda m: m.group(1).translate(_SUPERSCRIPT), text)
    text = re.sub(r"\*\*(\d+)", lambda m: m.group(1).translate(_SUPERSCRIPT), text)
    text = re.sub(r"\.T\b", "ᵀ", text)
    text = text.replace("**", "^").replace("*", "⋅").replace("sqrt(", "√(")
    return text


def version() -> str:
    """The package version: pyproject takes it from ``gradcli.__version__`` (importlib.metadata
    would cost a json result ~15 ms of imports; a test keeps the two equal)."""
    from .. import __version__

    return __version__


def counterexample_text(ce: dict) -> str:
    """``at x = 1/3, n = 2: lhs = ..., rhs = ...`` for a counterexample dict."""
    from ..check.verdict import shape_words, value_text

    where = ", ".join(f"{k} = {v}" for k, v in {**(ce.get("sizes") or {}), **(ce.get("point") or {})}.items())
    sides = f"lhs = {value_text(ce['lhs'])}, rhs = {value_text(ce['rhs'])}" if "lhs" in ce else ""
    if "lhs_shape" in ce:
        sides = f"lhs = {shape_words(ce['lhs_shape'])}, rhs = {shape_words(ce['rhs_shape'])}"
    if ce.get("difference"):
        sides += f"; lhs - rhs = {ce['difference']}"
    return f"at {where}: {sides}" if where else sides


# -- steps and definition (derivative --steps / --definition) ----------------------------


def is_matrix_steps(steps: Any) -> bool:
    """Steps of a derivative by a vector or matrix (``calculus.matrix.steps``): differentials."""
    return hasattr(steps, "dvar")


def differential_text(expression: Any, show: Any = None) -> str:
    """``d(x.T*B*x)``: the differential of an expression, in ``show``'s notation."""
    return f"d({(show or plain)(expression)})"


def read_off_text(steps: Any, show: Any = None) -> str:
    """``df/dx = x.T*(B + B.T) (numerator layout: the row g^T of df = g^T dx)``."""
    return f"df/d{steps.var.name} = {(show or plain)(steps.result)} ({steps.read_off})"


def step_var(steps: Any, step: Any) -> Any:
    """The variable a step differentiates by: the chain rule's fresh u, or the command's."""
    return step.var if getattr(step, "var", None) is not None else steps.var


def decimal_text(v: Any, digits: int = 15) -> str:
    """A number for a table a person reads: a terminating rational exactly as a decimal
    (12.006001), anything else to ``digits`` significant digits."""
    if v is None:
        return ""
    if isinstance(v, sp.Rational) and max(int(v.p).bit_length(), int(v.q).bit_length()) < 3000:
        q = int(v.q)
        twos = fives = 0
        while q % 2 == 0:
            q //= 2
            twos += 1
        while q % 5 == 0:
            q //= 5
            fives += 1
        if q == 1:
            if v.q == 1:
                return str(v.p)
            places = max(twos, fives)
            scaled = abs(int(v.p)) * 10**places // int(v.q)
            whole, frac = divmod(scaled, 10**places)
            frac_text = str(frac).rjust(places, "0").rstrip("0")
            sign = "-" if v.p < 0 else ""
            return f"{sign}{whole}.{frac_text}" if frac_text else f"{sign}{whole}"
    if not isinstance(v, sp.Number):
        v = sp.N(v, digits)  # an exact number such as sqrt(1 + E)
    f = sp.Float(v, digits)
    return _plain.doprint(f)


def needs_decimal(v: Any) -> bool:
    """An exact number that is not rational (sqrt(2), cos(1)): shown with its decimal beside it."""
    return (isinstance(v, sp.Expr) and v.is_number and not v.is_Rational and not v.has(sp.Float)
            and not v.has(sp.I, sp.zoo, sp.nan, sp.oo))


def with_decimal(v: Any, digits: int | None = None, show: Any = None) -> str:
    """``cos(1) ≈ 0.540302305868140``: an exact value with its decimal; others as they are."""
    text = (show or plain)(v)
    if needs_decimal(v):
        text += " ≈ " + decimal_text(v, digits or 15)
    elif isinstance(v, sp.MatrixBase) and any(needs_decimal(a) for a in v):
        text += " ≈ " + decimal_array(v, digits)
    return text


def decimal_array(v: Any, digits: int | None = None) -> str:
    """The decimals of an array's entries, as plain prints it: ``[0.5, 1.7]`` for a column,
    ``[[...], [...]]`` for a matrix."""
    rows = [[decimal_text(v[i, j], digits or 15) for j in range(v.cols)] for i in range(v.rows)]
    if v.cols == 1:
        return "[" + ", ".join(r[0] for r in rows) + "]"
    return "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"


def definition_at_point(d: Any) -> str | None:
    """One line on the derivative at the point, or None without a point."""
    if d.point is None:
        return None
    x, p = _plain.doprint(d.var), _plain.doprint(d.point)
    if d.value_at_point is not None:
        return f"f'({p}) = {_plain.doprint(d.value_at_point)}"
    if d.one_sided_differ:
        return (f"at {x} = {p} the one-sided limits differ: {_plain.doprint(d.limit_right)} (h -> 0+) and "
                f"{_plain.doprint(d.limit_left)} (h -> 0-); f has no derivative there")
    return f"f has no derivative at {x} = {p}"


# -- autodiff ---------------------------------------------------------------------------------


def sweeps_text(t: Any) -> str:
    """What the modes cost, said plainly: forward mode one sweep per input, reverse one in all."""
    parts = []
    if t.forward:
        n = len(t.sweeps)
        seeds = ", ".join(t.sweeps)
        parts.append(f"forward mode: {n} sweep{'s' if n != 1 else ''}, one per input ({seeds})")
    if t.reverse:
        parts.append("reverse mode: 1 sweep for all inputs")
    return "; ".join(parts)


def gradcheck_text(g: Any) -> str:
    """``codegen --gradcheck`` in one line: the verdict, the largest relative error, where."""
    sizes = ", ".join(f"{name} = {value}" for name, value in g.sizes)
    where = f"{g.target}{', ' + sizes if sizes else ''}, {g.points} random point{'s' if g.points != 1 else ''}"
    if g.error is None:
        return f"gradcheck FAILED: {g.reason} ({where})"
    import re

    verdict = "passed" if g.passed else "FAILED"
    relation = "below" if g.passed else "not below"
    tolerance = re.sub(r"e([+-])0*(\d)", r"e\1\2", f"{g.tolerance:.0e}")
    return f"gradcheck {verdict}: largest relative error {g.error:.1e}, {relation} {tolerance} ({where})"


def gradcheck_json(g: Any) -> dict:
    """``codegen --gradcheck`` as a JSON object."""
    return {"passed": g.passed, "error": g.error, "gradient_error": g.gradient_error,
            "hessian_error": g.hessian_error, "tolerance": g.tolerance, "points": g.points,
            "sizes": dict(g.sizes), "target": g.target, **({"reason": g.reason} if g.reason else {})}
