"""Issue 16: matrix calculus for machine learning, verified component by component against
independent oracles (tests/support/ml_oracle.py): SymPy's scalar diff of the explicit build,
checked itself by 40-digit finite differences, and JAX autodiff of an independent translation."""

from __future__ import annotations

import random

import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gradcli.app.common import Options
from gradcli.app.gradient import gradient, hessian, jacobian
from gradcli.errors import InputError
from gradcli.language import parse
from gradcli.language.ast import Name, walk
from gradcli.model.declarations import Declarations
from tests.helpers import run
from tests.support import ml_oracle as O

LOGISTIC = "sum(log(1 + exp(-y .* (X w))))"
LAYER = "norm(y - sigmoid(A x + b))^2"
GAUSS = "-1/2 (x - mu)^T inv(S) (x - mu) - 1/2 log(det(S))"
RIDGE = "norm(y - X w)^2 + lambda norm(w)^2"

# (id, expression, declarations, wrt, kind, size symbols -> sizes, positive-definite names)
CASES = [
    ("logistic", LOGISTIC, dict(vectors=("y", "w"), matrices=("X",)), "w", "gradient"),
    ("logistic-hessian", LOGISTIC, dict(vectors=("y", "w"), matrices=("X",)), "w", "hessian"),
    ("least-squares", "norm(y - Phi theta)^2", dict(vectors=("y", "theta"), shapes=(("Phi", "N x D"),)),
     "theta", "gradient"),
    ("layer-A", LAYER, dict(vectors=("y", "x", "b"), matrices=("A",)), "A", "gradient"),
    ("layer-b", LAYER, dict(vectors=("y", "x", "b"), matrices=("A",)), "b", "gradient"),
    ("layer-x", LAYER, dict(vectors=("y", "x", "b"), matrices=("A",)), "x", "gradient"),
    ("softmax-ce", "-y^T log(softmax(z))", dict(vectors=("y", "z")), "z", "gradient"),
    ("logsumexp", "logsumexp(z)", dict(vectors=("z",)), "z", "gradient"),
    ("gauss-mu", GAUSS, dict(vectors=("x", "mu"), symmetric=("S",)), "mu", "gradient"),
    ("gauss-S", GAUSS, dict(vectors=("x", "mu"), symmetric=("S",)), "S", "gradient"),
    ("ridge", RIDGE, dict(vectors=("y", "w"), matrices=("X",)), "w", "gradient"),
    ("ridge-hessian", RIDGE, dict(vectors=("y", "w"), matrices=("X",)), "w", "hessian"),
    ("jacobian-sigmoid", "sigmoid(A x + b)", dict(vectors=("x", "b"), matrices=("A",)), "x", "jacobian"),
    ("softplus-loss", "sum(softplus(X w) - y .* (X w))", dict(vectors=("y", "w"), matrices=("X",)), "w", "gradient"),
    ("entrywise-mix", "mean(tanh(W x) ./ (1 + x .^ 2)) + sum(log1p(x .^ 2))", dict(vectors=("x",), matrices=("W",)),
     "x", "gradient"),
    ("hadamard-matrix", "sum(X .* (A X) .* sin(X))", dict(matrices=("X", "A")), "X", "gradient"),
    ("softmax-jacobian", "softmax(z)", dict(vectors=("z",)), "z", "jacobian"),
    ("diag", "x^T diag(exp(x)) x", dict(vectors=("x",)), "x", "gradient"),
    # through vec and kron (calculus/matrix/vecterm.py)
    ("vec-norm", "norm(vec(X))^2", dict(matrices=("X",)), "X", "gradient"),
    ("vec-sum", "sum(vec(A X B))", dict(matrices=("A", "X", "B")), "X", "gradient"),
    ("vec-inner", "vec(X)^T vec(A X B)", dict(matrices=("A", "X", "B")), "X", "gradient"),
    ("vec-entrywise", "sum(log(1 + exp(vec(A X))))", dict(shapes=(("A", "N x D"), ("X", "D x n"))), "X",
     "gradient"),
    ("vec-outer-jacobian", "vec(x y^T)", dict(vectors=("x", "y")), "x", "jacobian"),
    ("kron-jacobian", "kron(x, y)", dict(vectors=("x", "y")), "y", "jacobian"),
    ("kron-jacobian-matrix", "kron(A, x) y", dict(vectors=("x", "y"), matrices=("A",)), "x", "jacobian"),
    ("kron-gradient", "norm(kron(x, y))^2 + sum(kron(A, x) .* kron(A, x))", dict(vectors=("x", "y"), matrices=("A",)),
     "x", "gradient"),
    ("kron-trace", "tr(kron(X, B)) + tr(kron(A, X^T X))", dict(matrices=("X", "A", "B")), "X", "gradient"),
    ("kron-sum", "sum(kron(X, X)) + sum(kron(A, exp(X) .* X))", dict(matrices=("X", "A")), "X", "gradient"),
    ("kron-hessian", "norm(kron(x, x))^2 + sum(kron(A x, x))", dict(vectors=("x",), matrices=("A",)), "x", "hessian"),
]
SIZES = [1, 2, 3]


def _symbolic(text: str, decl: Declarations, wrt: str, kind: str, layout: str):
    opts = Options(decl=decl, layout=layout)
    if kind == "gradient":
        return gradient(text, opts, wrt=[wrt]).result
    if kind == "hessian":
        return hessian(text, opts, wrt=[wrt]).result
    return jacobian([text], opts, wrt=[wrt]).result


def _size_map(decl: Declarations, k: int) -> dict:
    sizes = {"n": k}
    for _, spec in decl.shapes:
        for part in spec.replace("x", " ").split():
            if part.isalpha():
                sizes[part] = k + 1 if part == "N" else k  # unequal: N = k + 1, D = k
    return sizes


def _verify(case: tuple, layout: str, k: int, seed: int, use_jax: bool = True) -> None:
    _id, text, kw, wrt, kind = case
    decl = Declarations(**kw)
    result = _symbolic(text, decl, wrt, kind, layout)
    sizes = _size_map(decl, k)
    size_syms = {sp.Symbol(s, integer=True, positive=True): v for s, v in sizes.items()}
    oracle_decl = Declarations(**{**kw, "symmetric": (), "matrices": kw.get("matrices", ()) + kw.get("symmetric", ())})
    f, expected, x, ctx = O.explicit_derivative(text, oracle_decl, size_syms, kind, wrt, layout)
    used = {n.name for n in walk(parse(text)) if isinstance(n, Name)}
    shapes = {name: (ctx.concrete(r), ctx.concrete(c)) for name, (r, c) in ctx.shapes.items() if name in used}
    rng = random.Random(seed)
    values = O.random_values(shapes, rng, spd=set(kw.get("symmetric", ())))
    scalars = {sp.Symbol("lamda", real=True): sp.Rational(3, 7)}
    subs = {**O.substitution(ctx, values), **{s: v for s, v in scalars.items() if s in f.free_symbols}}
    got = O.at_values(result.xreplace(scalars), values, sizes)
    want = expected.xreplace(subs)
    assert got.shape == want.shape, (got.shape, want.shape)
    for a, b in zip(got, want):
        assert O.close(a, b), f"{text} d/d{wrt} ({layout}, n={k}): {a} != {b}\n{result}"
    if kind == "gradient" and x.rows * x.cols <= 4:  # the oracle checked by finite differences
        flat = list(expected)
        order = list(x) if not (x.cols == 1 and layout == "numerator") else list(x)
        for sym, d in zip(order, flat):
            fd = O.finite_difference(f.xreplace({s: v for s, v in subs.items() if s not in x}), sym,
                                     {s: subs[s] for s in x})
            assert O.close(fd, d.xreplace(subs), digits=20)
    if use_jax and "lambda" not in text:
        jx = O.jax_derivative(text, kind, wrt, values, layout)
        for a, b in zip(got, [v for row in jx for v in row]):
            assert abs(float(a) - b) <= 1e-9 * max(1.0, abs(b)), (text, float(a), b)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_ml_results_by_components_and_jax(case, layout):
    for k in SIZES:
        _verify(case, layout, k, seed=k * 7 + len(case[1]))


EXAMPLES = [
    (["gradient", LOGISTIC, "--vector", "y,w", "--matrix", "X", "--wrt", "w", "--layout", "denominator"],
     "-X.T*(y.*sigmoid(-(y.*(X*w))))"),
    (["hessian", LOGISTIC, "--vector", "y,w", "--matrix", "X", "--wrt", "w"],
     "X.T*diag(y.^2.*sigmoid(-(y.*(X*w))).*(1 - sigmoid(-(y.*(X*w)))))*X"),
    (["gradient", "norm(y - Phi theta)^2", "--shape", "Phi=N x D", "--vector", "y,theta", "--wrt", "theta",
      "--layout", "denominator"], "-2*Phi.T*(-Phi*theta + y)"),
    (["gradient", "norm(y - Phi theta)^2", "--shape", "Phi=N x D", "--vector", "y,theta", "--wrt", "theta"],
     "-2*(-Phi*theta + y).T*Phi"),
    (["gradient", "logsumexp(z)", "--vector", "z", "--wrt", "z", "--layout", "denominator"], "softmax(z)"),
    (["gradient", "-y^T log(softmax(z))", "--vector", "y,z", "--wrt", "z", "--layout", "denominator"],
     "sum(y)*softmax(z) - y"),
    (["jacobian", "sigmoid(A x + b)", "--vector", "x,b", "--matrix", "A", "--wrt", "x"],
     "diag(sigmoid(A*x + b).*(1 - sigmoid(A*x + b)))*A"),
    (["hessian", RIDGE, "--vector", "y,w", "--matrix", "X", "--wrt", "w"], "2*(lamda*I + X.T*X)"),
    (["gradient", "x^T a", "--vector", "x,a", "--wrt", "a"], "x.T"),
    (["gradient", GAUSS, "--vector", "x,mu", "--symmetric", "S", "--wrt", "mu", "--layout", "denominator"],
     "S**(-1)*(-mu + x)"),
    (["gradient", GAUSS, "--vector", "x,mu", "--symmetric", "S", "--wrt", "mu"], "(-mu + x).T*S**(-1)"),
    (["gradient", GAUSS, "--vector", "x,mu", "--symmetric", "S", "--wrt", "S"],
     "(1/2)*S**(-1)*((-mu + x)*(-mu + x).T*S**(-1) - I)"),
    (["gradient", RIDGE, "--vector", "y,w", "--matrix", "X", "--wrt", "w", "--layout", "denominator"],
     "2*(lamda*w - X.T*(-X*w + y))"),
    (["gradient", LAYER, "--vector", "y,x,b", "--matrix", "A", "--wrt", "A"],
     "-2*((-sigmoid(A*x + b) + y).*sigmoid(A*x + b).*(1 - sigmoid(A*x + b)))*x.T"),
    (["gradient", LAYER, "--vector", "y,x,b", "--matrix", "A", "--wrt", "x"],
     "-2*((-sigmoid(A*x + b) + y).*sigmoid(A*x + b).*(1 - sigmoid(A*x + b))).T*A"),
]


@pytest.mark.parametrize("args,out", EXAMPLES, ids=[e[0][1][:30] + e[0][-1] for e in EXAMPLES])
def test_issue_examples_read_back_and_print(args, out):
    r = run(["-f", "plain", *args])
    assert r.stdout.strip() == out


def test_plain_output_reads_back_in_check():
    # what gradcli prints, gradcli reads: the result claimed equal to the derivative is true
    r = run(["-f", "plain", "check", f"d/dw {LOGISTIC} = -X.T*(y.*sigmoid(-(y.*(X*w))))",
             "--vector", "y,w", "--matrix", "X", "--layout", "denominator"])
    assert r.stdout.startswith("true")
    run(["-f", "plain", "check", f"d/dw {LOGISTIC} = X^T (y .* sigmoid(-y .* (X w)))",
         "--vector", "y,w", "--matrix", "X", "--layout", "denominator"], exit=1)


@pytest.mark.parametrize("args", [
    ["sum(X)", "--shape", "X=2x3"],
    ["sum(kron(X, B))", "--shape", "X=2x3", "--shape", "B=3x2"],
    ["y^T A X z", "--shape", "A=2x3", "--shape", "X=3x4", "--vector", "y,z"],
    # an entrywise power of an inverse: (X**(-1)).^2, not X**(-1).^2, which reads X**((-1).^2)
    ["norm(inv(X + 3 I) .* inv(X + 3 I))^2", "--shape", "X=2x2"],
])
def test_printed_gradient_reads_back_at_numeric_sizes(args):
    """What gradcli prints (ones*ones.T: the ones take their size from the claim's other side)
    is a claim gradcli decides true, at sizes that are numbers and not square."""
    text, decl = args[0], args[1:]
    printed = run(["-f", "plain", "gradient", text, *decl, "--wrt", "X"]).stdout.strip()
    r = run(["-f", "plain", "check", f"d/dX ({text}) = {printed}", *decl])
    assert r.stdout.startswith("true"), (printed, r.stdout)
    run(["-f", "plain", "check", f"d/dX ({text}) = 2 ({printed})", *decl], exit=1)


def test_no_trace_in_any_output():
    for fmt in ("plain", "latex", "rich", "json"):
        r = run(["-f", fmt, "gradient", "(x^T a)^2 + sum(x)", "--vector", "x,a", "--wrt", "x"])
        assert "Trace" not in r.stdout and "Entrywise" not in r.stdout


def test_at_arrays_evaluates_exactly():
    r = run(["-f", "plain", "gradient", LOGISTIC, "--vector", "y,w", "--matrix", "X", "--wrt", "w",
             "--at", "y=[1,-1]", "--at", "X=[[1,2],[3,4]]", "--at", "w=[0,0]"])
    assert r.stdout.strip() == "[1, 1]"  # -X^T (y σ(0)) = -(1/2) X^T y
    r = run(["-f", "plain", "hessian", LOGISTIC, "--vector", "y,w", "--matrix", "X", "--wrt", "w",
             "--at", "y=[1,-1];X=[[1,2],[3,4]];w=[0,0]"])
    assert r.stdout.strip() == "[[5/2, 7/2], [7/2, 5]]"  # X^T X / 4
    r = run(["-f", "plain", "gradient", "x^T A x", "--vector", "x", "--matrix", "A", "--wrt", "x",
             "--at", "x=[1,2,3]"], exit=2)
    assert "no value for A" in r.stderr


def test_sizes_inferred_and_contradiction():
    r = run(["-f", "plain", "gradient", "norm(y - Phi theta)^2", "--shape", "Phi=3x2", "--vector", "y,theta",
             "--wrt", "theta", "--at", "Phi=[[1,0],[0,1],[1,1]];y=[1,2,3];theta=[0,0]"])
    assert r.stdout.strip() == "[-8, -10]"
    r = run(["-f", "plain", "gradient", "x^T (A x + x)", "--shape", "A=3x2", "--vector", "x", "--wrt", "x"], exit=2)
    assert "3 x 1" in r.stderr and "2 x 1" in r.stderr and "--shape x=" in r.stderr


def test_hadamard_did_you_mean():
    r = run(["-f", "plain", "gradient", "sum(log(1 + exp(-y * (X w))))", "--vector", "y,w", "--matrix", "X",
             "--wrt", "w"], exit=2)
    assert "did you mean y .* (X w)?" in r.stderr


@pytest.mark.parametrize("text,point,message", [
    ("relu(x)", "x=0", "no derivative"),
    ("max(x, 1)", "x=1", "no derivative"),
    ("heaviside(x)", "x=0", "no derivative"),
])
def test_kinks_refused(text, point, message):
    r = run(["-f", "plain", "derivative", text, "--at", point], exit=2)
    assert message in r.stderr


@pytest.mark.parametrize("text,out", [
    ("sigmoid(x)", "(1 - sigmoid(x))*sigmoid(x)"), ("softplus(x)", "sigmoid(x)"), ("relu(x)", "Heaviside(x)"),
    ("log1p(x)", "1/(x + 1)"), ("expm1(x)", "exp(x)"), ("log10(x)", "1/(x*log(10))"), ("log2(x)", "1/(x*log(2))"),
])
def test_scalar_functions(text, out):
    assert run(["-f", "plain", "derivative", text]).stdout.strip() == out


def test_latex_forms():
    r = run(["-f", "latex", "gradient", r"\sum", "--vector", "x"], exit=2)  # \sum stays refused
    r = run(["-f", "plain", "gradient", r"\operatorname{sum}(\sigma(W x) \odot x)", "--vector", "x", "--matrix", "W",
             "--wrt", "x"])
    assert "sigmoid" in r.stdout
    r = run(["-f", "latex", "hessian", LOGISTIC, "--vector", "y,w", "--matrix", "X", "--wrt", "w", "--rhs-only"])
    assert r"\odot" in r.stdout and r"\operatorname{diag}" in r.stdout and r"\sigma" in r.stdout
    assert r"\mathbf{1}" in r.stdout


# -- a property: random compositions, verified against the oracles --------------------------

_LEAVES = ["x", "(A x)", "y", "(A^T y)"]
_FUNCS = ["sigmoid", "tanh", "softplus", "exp", "sin"]


@st.composite
def compositions(draw):
    def vec(depth):
        if depth == 0:
            return draw(st.sampled_from(_LEAVES))
        kind = draw(st.sampled_from(["func", "had", "sum", "scalar"]))
        if kind == "func":
            return f"{draw(st.sampled_from(_FUNCS))}({vec(depth - 1)})"
        if kind == "had":
            return f"({vec(depth - 1)} .* {vec(depth - 1)})"
        if kind == "sum":
            return f"({vec(depth - 1)} - {vec(depth - 1)})"
        return f"(2 {vec(depth - 1)} + 1)"
    red = draw(st.sampled_from(["sum({})", "mean({})", "logsumexp({})", "y^T {}"]))
    return red.format(vec(draw(st.integers(1, 3))))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(compositions(), st.sampled_from(["numerator", "denominator"]), st.sampled_from(["x", "A"]))
def test_random_compositions(text, layout, wrt):
    assume(wrt in {n.name for n in walk(parse(text)) if isinstance(n, Name)})
    case = ("random", text, dict(vectors=("x", "y"), matrices=("A",)), wrt, "gradient")
    _verify(case, layout, 2, seed=len(text), use_jax=True)


_MATRIX_LEAVES = ["X", "(A X)", "(X B)", "X^T"]
_REDUCTIONS = ["sum(vec({0}) .* vec({0}))", "tr(kron({0}, B))", "sum(kron({0}, b))", "norm(vec({0}))^2",
               "vec({0})^T kron(B, A) vec({0})", "sum(kron(A, {0}))", "sum(exp(vec({0})))",
               "sum(kron(b, {0}) .* kron(b, {0}))"]


@st.composite
def vec_kron_compositions(draw):
    """A scalar of a random matrix function of X through vec or kron (calculus/matrix/vecterm.py)."""
    def mat(depth):
        if depth == 0:
            return draw(st.sampled_from(_MATRIX_LEAVES))
        kind = draw(st.sampled_from(["func", "had", "sum", "product"]))
        if kind == "func":
            return f"{draw(st.sampled_from(_FUNCS))}({mat(depth - 1)})"
        if kind == "had":
            return f"({mat(depth - 1)} .* {mat(depth - 1)})"
        if kind == "sum":
            return f"({mat(depth - 1)} - 2 {mat(depth - 1)})"
        return f"({mat(depth - 1)} {mat(depth - 1)})"
    return draw(st.sampled_from(_REDUCTIONS)).format(mat(draw(st.integers(0, 2))))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vec_kron_compositions())
def test_random_compositions_through_vec_and_kron(text):
    case = ("random", text, dict(vectors=("b",), matrices=("X", "A", "B")), "X", "gradient")
    try:
        _verify(case, "numerator", 2, seed=len(text), use_jax=True)
    except InputError as exc:  # refused, never guessed: only where no closed form is written
        assert "no closed form" in exc.message, (text, exc.message)


# -- kinks at array points: relu/abs/max of an entry at its corner -------------------------------
# (the formula would say heaviside(0) = 1/2 there, a derivative that does not exist)
ARRAY_KINKS = [
    # (args, exit status, what stdout or stderr holds)
    (["gradient", "sum(relu(W x))", "--vector", "x", "--matrix", "W", "--wrt", "W",
      "--at", "W=[[1,-1],[0,1]]", "--at", "x=[1,1]"], 2, "no derivative by W[1,1]"),
    (["gradient", "sum(relu(W x))", "--vector", "x", "--matrix", "W", "--wrt", "W",
      "--at", "W=[[1,0],[0,-1]]", "--at", "x=[1,1]"], 0, "[[1, 1], [0, 0]]"),
    (["jacobian", "relu(x)", "--vector", "x", "--wrt", "x", "--at", "x=[0,1]"], 2, "no derivative by x[1]"),
    (["gradient", "sum(max(x, 2 x))", "--vector", "x", "--wrt", "x", "--at", "x=[1,0]"], 2, "no derivative by x[2]"),
    # x |x| has a derivative (0) at 0: the one-sided limits agree
    (["gradient", "sum(abs(x) .* x)", "--vector", "x", "--wrt", "x", "--at", "x=[0,1]"], 0, "[0, 2]"),
    # a kink in a variable not differentiated by is no obstacle
    (["gradient", "relu(a) * w^T x", "--vector", "w,x", "--wrt", "w", "--at", "w=[1,2]", "--at", "x=[3,4]",
      "--at", "a=0"], 0, "[0, 0]"),
]


@pytest.mark.parametrize("args,status,text", ARRAY_KINKS)
def test_array_point_at_a_kink_is_refused_unless_the_derivative_exists(args, status, text):
    from helpers import run

    r = run(["-f", "plain", *args], exit=status)
    assert text in (r.stdout if status == 0 else r.stderr)


def test_a_dirac_delta_of_an_array_derivative_is_refused_by_name():
    from helpers import run

    r = run(["-f", "plain", "hessian", "sum(relu(x).^3)", "--vector", "x", "--wrt", "x"], exit=2)
    assert "Dirac delta" in r.stderr and "DiracDelta(" not in r.stderr
