"""Read what is written or refuse it (issue 12): names with Greek characters, digits and _,
derivative operators by any such name, and the SPEC's "did you mean" refusals.

Expected values are written by hand with SymPy (real symbols, as gradcli uses them)."""

from __future__ import annotations

import pytest
import sympy as sp

from gradcli.calculus.derivative import build
from gradcli.errors import InputError, ParseError
from gradcli.language import parse, parse_claim
from gradcli.language.names import FUNCTIONS, glued_function
from gradcli.model.declarations import Context
from gradcli.model.symbols import scalar_symbol
from helpers import assert_short_error, run

x, y, t = (scalar_symbol(n) for n in "xyt")
theta, theta1, theta_1 = (scalar_symbol(n) for n in ("theta", "theta1", "theta_1"))
alpha2, x_1, x_theta, phi = (scalar_symbol(n) for n in ("alpha2", "x_1", "x_theta", "phi"))


def B(src: str, ctx: Context | None = None):
    return build(parse(src), ctx or Context(source=src))


NAMES = [
    ("θ", theta),
    ("θ1", theta1),
    ("θ_1", theta_1),
    ("θ1^2", theta1**2),
    ("θ_1^2 + θ1", theta_1**2 + theta1),
    ("α2 x", alpha2 * x),
    ("x_θ", x_theta),
    ("2πx", 2 * sp.pi * x),           # a Greek character next to Latin letters is a separate name
    ("θ x", theta * x),
    ("2θ", 2 * theta),
    ("sin(θ)^2", sp.sin(theta) ** 2),
    ("λ", scalar_symbol("lambda")),
]


@pytest.mark.parametrize("src,expected", NAMES, ids=[n[0] for n in NAMES])
def test_greek_names_with_digits_and_subscripts(src, expected):
    assert B(src) == expected


OPERATORS = [
    ("d/dθ sin(θ)", sp.cos(theta)),
    ("d/dθ (θ^3)", 3 * theta**2),
    ("∂/∂θ sin(θ)", sp.cos(theta)),
    ("∂/∂θ1 θ1^2", 2 * theta1),
    ("d/dθ1 (θ1^3 θ)", 3 * theta1**2 * theta),
    ("d/dθ_1 θ_1^2", 2 * theta_1),
    ("d/dx_1 (x_1^2 x)", 2 * x_1 * x),
    ("d^2/dθ^2 θ^4", 12 * theta**2),
    ("∂^2/∂θ∂φ (θ^2 φ^3)", 6 * theta * phi**2),
    ("d/dφ d/dθ (θ^2 φ^3)", 6 * theta * phi**2),
    ("d/dtheta sin(theta)", sp.cos(theta)),
    ("d/drate (rate^2)", 2 * scalar_symbol("rate")),
    ("d/dθsin(θ)", sp.cos(theta)),
    ("d/dx x^2 + d/dθ θ", 2 * x + 1),
]


@pytest.mark.parametrize("src,expected", OPERATORS, ids=[o[0] for o in OPERATORS])
def test_derivative_operators_by_any_name(src, expected):
    got = B(src)
    assert sp.simplify(got - expected) == 0, got


# -- refusals: (source, words of the message, the did-you-mean) -----------------------------------

REFUSED = [
    ("f'(x)", "is not a derivative", "did you mean d/dx (...)"),
    ("f'(θ) + 1", "is not a derivative", "did you mean d/dθ (...)"),
    ("(x^2)'", "a prime on the scalar", "did you mean d/dx (x^2)?"),
    ("y'", "a prime on the scalar", "did you mean d/dx (...)"),
    ("sin(x)' + 1", "a prime on the scalar", "did you mean d/dx (sin(x))?"),
    ("df/dx", "fraction of two names", "did you mean d/dx f"),
    ("dy/dx + 1", "fraction of two names", "did you mean d/dx y"),
    ("d^2y/dx^2", "fraction of two names", "did you mean d^2/dx^2 y"),
    ("∂f/∂x", "fraction of two names", "did you mean ∂/∂x f"),
    ("dθ/dt", "fraction of two names", "did you mean d/dt θ"),
    ("sinx", "glues the function sin", "did you mean sin(x)?"),
    ("cosx + 1", "glues the function cos", "did you mean cos(x)?"),
    ("expx", "glues the function exp", "did you mean exp(x)?"),
    ("logx", "glues the function log", "did you mean log(x)?"),
    ("2 tanx1", "glues the function tan", "did you mean tan(x1)?"),
    ("sintheta", "glues the function sin", "did you mean sin(theta)?"),
    ("detA", "glues the function det", "did you mean det(A)?"),
    ("cost", "glues the function cos", "did you mean cos(t)?"),
    ("sine", "glues the function sin", "did you mean sin(e)?"),
    ("sine(x)", "unknown function 'sine'", "did you mean sin(x)?"),
    ("cosine(2x)", "unknown function 'cosine'", "did you mean cos(2x)?"),
    ("log10x", "glues the function log10", "did you mean log10(x)?"),
    ("log2y", "glues the function log2", "did you mean log2(y)?"),
    ("sumx", "glues the function sum", "did you mean sum(x)?"),
    ("sigmoidz", "glues the function sigmoid", "did you mean sigmoid(z)?"),
    ("|x|", "not part of the plain language", "did you mean abs(x)?"),
    ("|x - 1| + 2", "not part of the plain language", "did you mean abs(x - 1)?"),
    ("||x||", "not part of the plain language", "did you mean norm(x)?"),
    ("x²", "superscript digits", "did you mean x^2?"),
    ("x²³ + 1", "superscript digits", "did you mean x^23?"),
    ("x₁", "subscript digits", "did you mean x1 (or x_1)?"),
    ("sinθ", "needs its argument in parentheses", "did you mean sin(θ)?"),
    ("sin x", "needs its argument in parentheses", "did you mean sin(x)?"),
    ("∂x", "only understood in a derivative operator", "∂/∂x"),
    ("x^T", "^T would be a power with a variable T", "declare it (--vector x or --matrix x)"),
    ("x^T A x", "^T would be a power with a variable T", "for the power, write x^(T)"),
    ("(x + 1)^T", "^T would be a power", "declare its vectors and matrices"),
    ("x.T y", "its transpose is x itself", "declare it (--vector x or --matrix x)"),
]


@pytest.mark.parametrize("src,words,suggestion", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_with_did_you_mean(src, words, suggestion):
    with pytest.raises(InputError) as info:
        B(src)
    err = info.value
    assert words in err.message, err.message
    assert suggestion in (err.hint or ""), err.hint
    assert isinstance(err, ParseError) and 0 <= err.pos < len(src)
    assert len(err.lines()) == 2  # the message and a caret


@pytest.mark.parametrize("src", ["d/dx sinx = cosx", "df/dx = 2x", "(x^2)' = 2x", "x² = x x", "|x| = abs(x)"])
def test_refused_in_claims_too(src):
    r = run(["check", src], exit=2)
    assert "did you mean" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("src", [
    "dx + dy",              # names that begin with d, alone
    "delta/dt",             # a fraction of two longer names
    "costs + cos(t)",       # not a function and one letter
    "sin_x + x_sin",        # an underscore makes a name
    "gamma1 + sinh(x)",     # a function's own name, or a name that continues with digits only
    "exp1 x",
    "d/dx f",               # an operator before a name
    "2πx",
])
def test_legitimate_names_are_read(src):
    B(src)


def test_prime_on_a_declared_vector_or_matrix_is_a_transpose():
    r = run(["-f", "plain", "gradient", "x'A x", "--vector", "x", "--matrix", "A", "--wrt", "x"])
    assert r.stdout == "x.T*(A + A.T)\n"
    r = run(["-f", "plain", "check", "(A B)' = B' A'", "--matrix", "A,B"])
    assert r.stdout.startswith("true")


def test_glued_detection_follows_the_function_table(monkeypatch):
    # a function added to the table later (issue 16's relu, sigmoid, log10, ...) is covered
    from gradcli.language import names as parsing

    assert glued_function("sincx") is None
    monkeypatch.setitem(parsing.FUNCTIONS, "sinc", (1,))
    assert glued_function("sincx") == ("sinc", "x")
    assert glued_function("relux") == ("relu", "x")
    assert glued_function("log10x") == ("log10", "x")
    # every one-argument function glued to x is refused
    for name, arities in FUNCTIONS.items():
        if 1 in arities and name[0].islower():
            assert glued_function(name + "x") == (name, "x") or glued_function(name + "x")[0].startswith(name)


def test_latex_glued_command_suggests_the_space():
    with pytest.raises(ParseError) as info:
        parse(r"\sinx + 1")
    assert "unknown LaTeX command \\sinx" in info.value.message and "did you mean \\sin x?" in info.value.hint


def test_claim_with_greek_operator_parses_to_an_equation():
    from gradcli.language import ast as S

    node = parse_claim("d/dθ sin(θ) = cos(θ)")
    assert isinstance(node, S.Equation) and isinstance(node.lhs, S.Derivative) and node.lhs.var == "theta"


def test_derivative_wrt_greek_option():
    assert run(["-f", "plain", "derivative", "θ1^3", "--wrt", "θ1"]).stdout == "3*theta1**2\n"
    assert_short_error(run(["derivative", "sinx"], exit=2), "did you mean sin(x)")


# -- LaTeX: a function's unbracketed argument run, and e^{...} binding like \exp -------------------

LATEX_RUNS = [
    (r"\cos x \, e^{\sin x}", sp.cos(x) * sp.exp(sp.sin(x))),
    (r"\cos x e^{\sin x}", sp.cos(x) * sp.exp(sp.sin(x))),
    (r"\cos x \exp(\sin x)", sp.cos(x) * sp.exp(sp.sin(x))),
    (r"\cos x \mathrm{e}^{x}", sp.cos(x) * sp.exp(x)),
    (r"\sin x \; y", sp.sin(x) * y),
    (r"\sin x \quad y", sp.sin(x) * y),
    (r"\sin x~y", sp.sin(x) * y),
    (r"\sin x y", sp.sin(x * y)),          # a plain space does not end the run
    (r"\sin x\!y", sp.sin(x * y)),         # nor a negative space
    (r"\sin 2x", sp.sin(2 * x)),
    (r"\sin x^2", sp.sin(x**2)),
    (r"\sin x \cos x", sp.sin(x) * sp.cos(x)),
    (r"\sin e^{x}", sp.sin(sp.exp(x))),    # e^{...} as the first factor is the argument
    (r"\log x \, y", sp.log(x) * y),
]


@pytest.mark.parametrize("src,expected", LATEX_RUNS, ids=[r[0] for r in LATEX_RUNS])
def test_latex_argument_runs(src, expected):
    assert build(parse(src, latex=True), Context(source=src)) == expected


@pytest.mark.parametrize("src, declared, expected", [
    ("x^(T)", {}, "x**T"),                                  # a power with a variable T, written so
    ("x^T x", {"vectors": ("x",)}, "x.T*x"),                 # declared: a transpose
    ("(a^T x)^T", {"vectors": ("a", "x")}, "x.T*a"),         # a 1 x 1 product: its transpose
])
def test_transpose_or_power_as_written(src, declared, expected):
    from gradcli.model.declarations import Context, Declarations

    value = B(src, Context(Declarations(**declared), source=src))
    assert str(value) == expected


def test_latex_transpose_of_an_undeclared_name_is_refused():
    r = run(["derivative", r"\frac{d}{dx} x^{\top} y"], exit=2)
    assert "x is a scalar here" in r.stderr and "--vector x" in r.stderr
