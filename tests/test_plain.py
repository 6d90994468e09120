"""The expression language: text -> syntax tree -> SymPy, and syntax errors.

Expected values are written by hand with SymPy (real symbols, as gradcli
uses), not produced by gradcli; equality is structural after ``expand`` where
the form is incidental, and mathematical (``simplify(a - b) == 0``) for the
derivative-operator cases.
"""

from __future__ import annotations

import pytest
import sympy as sp

from gradcli.calculus.derivative import build
from gradcli.errors import GradcliError, LimitError, ParseError
from gradcli.language import parse
from gradcli.language.names import FUNCTIONS
from gradcli.model.declarations import Context
from gradcli.model.symbols import scalar_symbol

x, y, z, b, t = (scalar_symbol(n) for n in "xyzbt")
theta = scalar_symbol("theta")


def B(src: str):
    return build(parse(src), Context(source=src))


def same(a, e) -> bool:
    if a == e:
        return True
    try:
        return sp.simplify(sp.expand(a - e)) == 0
    except TypeError:
        return False


# -- expressions -----------------------------------------------------------------

CASES = [
    # numbers; decimals are exact
    ("2", sp.Integer(2)),
    ("0.1", sp.Rational(1, 10)),
    (".5", sp.Rational(1, 2)),
    ("1e-3", sp.Rational(1, 1000)),
    ("2.5e2", sp.Integer(250)),
    ("1/3", sp.Rational(1, 3)),
    ("0.1 x", sp.Rational(1, 10) * x),
    # operators and precedence
    ("x + y - z", x + y - z),
    ("x*y/z", x * y / z),
    ("x**2", x**2),
    ("x^2", x**2),
    ("-x^2", -(x**2)),
    ("-2^2", sp.Integer(-4)),
    ("2^3^2", sp.Integer(512)),
    ("x^2^3", x**8),
    ("x^-1", 1 / x),
    ("2^-1", sp.Rational(1, 2)),
    ("10^-2", sp.Rational(1, 100)),
    ("x^(1/2)", sp.sqrt(x)),
    ("(x + 1)^2", (x + 1) ** 2),
    ("x - -y", x + y),
    ("+x", x),
    # implicit multiplication
    ("2x", 2 * x),
    ("2 x", 2 * x),
    ("2 sin(x)", 2 * sp.sin(x)),
    ("x y", x * y),
    ("2 x y", 2 * x * y),
    ("(x+1)(x-1)", (x + 1) * (x - 1)),
    ("(x)(y)", x * y),
    ("2(x+1)", 2 * x + 2),
    ("x (y+1)", x * (y + 1)),
    ("x^2y", x**2 * y),
    ("2 x^2 y", 2 * x**2 * y),
    ("sin(x)cos(x)", sp.sin(x) * sp.cos(x)),
    ("sin(x) cos(x)", sp.sin(x) * sp.cos(x)),
    ("2 pi x", 2 * sp.pi * x),
    # names
    ("xy", scalar_symbol("xy")),
    ("x_1 y1", scalar_symbol("x_1") * scalar_symbol("y1")),
    ("theta", theta),
    ("θ", theta),
    ("2·x", 2 * x),
    ("x−1", x - 1),
    # constants
    ("e", sp.E),
    ("pi", sp.pi),
    ("e^x", sp.exp(x)),
    ("e^(2x)", sp.exp(2 * x)),
    ("2 e", 2 * sp.E),
    ("exp(1)", sp.E),
    # functions with special forms
    ("log(x, b)", sp.log(x) / sp.log(b)),
    ("log(x, 2)", sp.log(x) / sp.log(2)),
    ("ln(x)", sp.log(x)),
    ("sin^2(x)", sp.sin(x) ** 2),
    ("sqrt(x)", sp.sqrt(x)),
    ("root(x, 3)", sp.root(x, 3)),
    ("atan2(y, x)", sp.atan2(y, x)),
    ("abs(x)", sp.Abs(x)),
    # explicit vectors and matrices
    ("[x, y]", sp.ImmutableMatrix([x, y])),
    ("[[1, x], [y, 2]]", sp.ImmutableMatrix([[1, x], [y, 2]])),
    # diff(...)
    ("diff(x^3, x)", 3 * x**2),
    ("diff(x^3, x, 2)", 6 * x),
    ("diff(x^2 y^2, x, y)", 4 * x * y),
    ("diff(sin(x y), x)", y * sp.cos(x * y)),
    ("2 diff(x^2, x) + 1", 4 * x + 1),
    # derivative operators and their reach
    ("d/dx x^2", 2 * x),
    ("d/dx x^2 y + 1", 2 * x * y + 1),
    ("d/dx sin(x)^2", 2 * sp.sin(x) * sp.cos(x)),
    ("d/dx atan(x) + d/dx atan(1/x)", sp.Integer(0)),
    ("d/dx (x^2 + 1)", 2 * x),
    ("d/dx x^2 + 1", 2 * x + 1),
    ("d/dx x^2 - x", x),
    ("d/dx x * y", y),
    ("d/dx x^2 / x", sp.Integer(1)),
    ("-d/dx x^2", -2 * x),
    ("y d/dx x^2", 2 * x * y),
    ("2 d/dx x^2 + 1", 4 * x + 1),
    ("d^2/dx^2 x^4", 12 * x**2),
    ("d^3/dx^3 sin(x)", -sp.cos(x)),
    ("∂/∂x x^2 y", 2 * x * y),
    ("∂^2/∂x^2 x^3 y", 6 * x * y),
    ("∂^2/∂x∂y x^2 y^2", 4 * x * y),
    ("d/dy d/dx x^2 y^3", 6 * x * y**2),
    ("d/dx d/dx x^3", 6 * x),
    ("d/dx e^x", sp.exp(x)),
    ("d/dt (t^2 + t)", 2 * t + 1),
]


@pytest.mark.parametrize("src, expected", CASES, ids=[c[0] for c in CASES])
def test_expression(src, expected):
    got = B(src)
    if isinstance(expected, sp.MatrixBase):
        assert isinstance(got, sp.MatrixBase) and got.shape == expected.shape
        assert all(same(a, e) for a, e in zip(got, expected))
    else:
        assert same(got, expected), f"{src!r} -> {got}, expected {expected}"


def test_derivative_sum_is_two_derivatives():
    # not d/dx (atan(x) + d/dx atan(1/x)) (that would be a second derivative)
    got = B("d/dx atan(x) + d/dx atan(1/x)")
    first = sp.diff(sp.atan(x), x) + sp.diff(sp.atan(1 / x), x)
    assert sp.simplify(got - first) == 0
    assert not got.has(sp.Derivative)


def test_decimal_is_exact_rational():
    v = B("0.1")
    assert isinstance(v, sp.Rational) and v == sp.Rational(1, 10)
    assert B("0.1 + 0.2") == sp.Rational(3, 10)


def test_symbols_are_real():
    assert B("x") == x and B("x").is_real


def test_xy_is_one_name():
    v = B("xy")
    assert isinstance(v, sp.Symbol) and v.name == "xy"
    assert B("x y") != v


# every function name of the language applied to a variable
import sympy.codegen.cfunctions as cf  # noqa: E402

from gradcli.model.functions import relu, sigmoid, softplus  # noqa: E402


def _expected_unary(name: str):
    # on a scalar, the matrix functions are the scalar identities
    scalar_only = {"tr": lambda a: a, "trace": lambda a: a, "det": lambda a: a, "inv": lambda a: 1 / a,
                   "norm": sp.Abs, "transpose": lambda a: a,
                   # SymPy's names, accepted so that plain output reads back
                   "Abs": sp.Abs, "Trace": lambda a: a, "Determinant": lambda a: a,
                   "Inverse": lambda a: 1 / a, "Transpose": lambda a: a}
    table = {
        "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "cot": sp.cot, "sec": sp.sec, "csc": sp.csc,
        "asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "acot": sp.acot, "asec": sp.asec, "acsc": sp.acsc,
        "arcsin": sp.asin, "arccos": sp.acos, "arctan": sp.atan, "arccot": sp.acot, "arcsec": sp.asec,
        "arccsc": sp.acsc, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "coth": sp.coth,
        "sech": sp.sech, "csch": sp.csch, "asinh": sp.asinh, "acosh": sp.acosh, "atanh": sp.atanh,
        "arsinh": sp.asinh, "arcosh": sp.acosh, "artanh": sp.atanh, "arcsinh": sp.asinh,
        "arccosh": sp.acosh, "arctanh": sp.atanh, "exp": sp.exp, "ln": sp.log, "log": sp.log,
        "sqrt": sp.sqrt, "cbrt": sp.cbrt, "abs": sp.Abs, "sign": sp.sign, "erf": sp.erf,
        "gamma": sp.gamma, "factorial": sp.factorial, **scalar_only,
        # issue 16: machine learning, and the reductions of a scalar (a vector of one entry)
        "sigmoid": sigmoid, "softplus": softplus, "relu": relu, "log1p": cf.log1p, "expm1": cf.expm1,
        "log2": cf.log2, "log10": cf.log10, "heaviside": sp.Heaviside, "Heaviside": sp.Heaviside,
        "sum": lambda a: a, "mean": lambda a: a, "vec": lambda a: a, "diag": lambda a: a,
        "logsumexp": lambda a: a, "softmax": lambda a: sp.S.One,
    }
    return table[name]


UNARY = sorted(n for n, arities in FUNCTIONS.items() if 1 in arities)


@pytest.mark.parametrize("name", UNARY)
def test_every_function_name(name):
    got = B(f"{name}(x)")
    assert same(got, _expected_unary(name)(x)), f"{name}(x) -> {got}"
    # and the implicit product with a coefficient
    assert same(B(f"3 {name}(x)"), 3 * _expected_unary(name)(x))


def test_the_function_list_is_covered():
    # the SPEC's list; a name dropped from FUNCTIONS fails here
    spec = ("sin cos tan cot sec csc asin acos atan arcsin arccos arctan sinh cosh tanh "
            "exp log ln sqrt abs sign").split()
    assert set(spec) <= set(FUNCTIONS)
    assert {"diff", "log", "atan2"} <= set(FUNCTIONS)


# -- errors ---------------------------------------------------------------------------

ERRORS = [
    # (source, position (0-based), words the message must contain)
    ("x +", 3, "ends too early"),
    ("(x+1", 4, "expected ')'"),
    ("x+1)", 3, "unmatched ')'"),
    ("sin(x", 5, "expected"),
    ("[1, 2", 5, "expected"),
    ("", 0, "empty"),
    ("2 $ x", 2, "unexpected character '$'"),
    ("x; y", 1, "unexpected character ';'"),
    ("`x`", 0, "unexpected character '`'"),
    ("x.__class__", 1, "unexpected character '.'"),
    ("sin x", 0, "parentheses"),
    ("()", 1, "empty parentheses"),
    ("x^", 2, "exponent"),
    ("2 + * 3", 4, "unexpected '*'"),
    ("x ** ** 2", 5, "unexpected"),
    ("(x+1)2", 5, "number cannot follow"),
    ("3 4", 2, "number cannot follow"),
    ("log(x, 1, 2)", 0, "takes 1 or 2 arguments"),
    ("atan2(x)", 0, "takes 2 arguments"),
    ("d^3/dx^2 x", 0, "do not add up"),
    ("d/dx", 4, "needs an expression"),
    ("d/dx + x", 5, "needs an expression"),
    ("x = 1", 2, "equation"),
    ("[]", 1, "empty"),
    ("diff(x^2, 2)", 10, "diff(f, x"),
    ("1/0", 2, "division by zero"),
]


@pytest.mark.parametrize("src, pos, words", ERRORS, ids=[e[0] or "<empty>" for e in ERRORS])
def test_syntax_error_position(src, pos, words):
    with pytest.raises(ParseError) as info:
        B(src)
    err = info.value
    assert err.pos == pos, f"{src!r}: position {err.pos}, expected {pos} ({err.message})"
    assert words.lower() in err.message.lower(), err.message
    lines = err.lines()
    assert len(lines) == 2
    # the caret sits under the offending character of the echoed source
    head = lines[0]
    caret = lines[1].index("^")
    if src:
        shown = head[head.index("): ") + 3:]
        col = caret - (head.index("): ") + 3)
        assert shown[col:].startswith(src[pos:pos + 1]) or pos >= len(src)


@pytest.mark.parametrize("src, name", [("foo(x)", "foo"), ("sinx(x)", "sinx"), ("f(x) + 1", "f"),
                                       ("2 getattr(x, y)", "getattr"), ("x + Sin(x)", "Sin")])
def test_unknown_function_is_named(src, name):
    with pytest.raises(ParseError) as info:
        B(src)
    assert f"unknown function {name!r}" in info.value.message
    assert info.value.pos == src.index(name)


def test_caret_window_for_long_input():
    src = "x + " * 100 + "$"
    with pytest.raises(ParseError) as info:
        B(src)
    first, caret = info.value.lines()
    assert len(first) < 200 and caret.strip() == "^"
    assert first[caret.index("^")] == "$"


def test_length_and_depth_limits():
    with pytest.raises(LimitError):
        parse("x" * 10_001)
    parse("x" * 10_000)  # at the limit: fine (one long name)
    with pytest.raises(LimitError):
        parse("(" * 201 + "x" + ")" * 201)


@pytest.mark.parametrize("n", [40, 100, 199])
def test_nesting_up_to_200_is_accepted(n):
    assert B("(" * n + "x" + ")" * n) == x


def test_errors_are_gradcli_errors():
    for src in ("x +", "foo(x)", "x" * 10_001):
        with pytest.raises(GradcliError):
            B(src)
