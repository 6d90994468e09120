"""The code ``codegen`` writes, run: for every example (the README's, the machine-learning
forms the language has, and more), for each target whose library is installed, the generated
gradient and Hessian are compared with mpmath's derivatives of f written out entry by entry
(``support.codegen_oracle``, independent of the code and of gradcli's calculus), and with
JAX's and PyTorch's automatic differentiation (``jax.grad`` of f written for JAX,
``torch.autograd`` of the PyTorch f).  A property test does the same for random expressions
(NumPy)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.app.codegen import codegen
from gradcli.app.common import Options
from gradcli.codegen import harness
from gradcli.codegen.format import WIDTH
from gradcli.codegen.run import check_sizes, harness_arguments
from gradcli.errors import GradcliError
from gradcli.language.names import FUNCTIONS
from gradcli.model.declarations import Declarations
from support.codegen_oracle import TARGETS, Oracle, code_gradient_entries, library, need, relative_error

#: (expression, declarations, --wrt, --hessian): the README's examples first.
CASES = [
    ("x^2 y + sin(z)", {}, [], True),
    ("x^T A x", {"vectors": ("x",), "matrices": ("A",)}, ["x"], True),
    ("a^T X^-1 b", {"vectors": ("a", "b"), "matrices": ("X",)}, ["X"], False),
    ("log(det(X))", {"matrices": ("X",)}, ["X"], False),
    ("log(1 + exp(-y w x))", {}, ["w"], True),
    # scalars
    ("x1^2 x2 + exp(x1 x2)", {}, [], True),
    ("sqrt(x^2 + y^2) + atan2(y, x)", {}, [], True),
    ("cot(x) + sec(y) + acot(x y) + tanh(x - y)", {}, [], True),
    ("log(exp(a) + exp(b) + exp(c))", {}, [], True),
    ("1/(1 + exp(-w x))", {}, [], True),
    ("x/(1 + exp(-x))", {}, [], True),
    ("abs(x - 3) + x^(5/2) y^3", {}, [], False),
    # vectors and matrices (the book's 5.99-5.108 and the Matrix Cookbook's)
    ("a^T x", {"vectors": ("a", "x")}, ["x"], True),
    ("norm(x)", {"vectors": ("x",)}, ["x"], True),
    ("log(x^T A x)", {"vectors": ("x",), "matrices": ("A",)}, ["x"], True),
    ("x^T A^-1 x", {"vectors": ("x",), "matrices": ("A",)}, ["x"], True),
    ("a^T X b", {"vectors": ("a", "b"), "matrices": ("X",)}, ["X"], False),
    ("tr(A X B)", {"matrices": ("A", "B", "X")}, ["X"], False),
    ("det(X)", {"matrices": ("X",)}, ["X"], False),
    ("exp(tr(A))", {"matrices": ("A",)}, ["A"], False),
    ("tr(X^2) + tr(X^-1)", {"matrices": ("X",)}, ["X"], False),
    ("norm(A x - b)^2", {"vectors": ("x",), "shapes": (("A", "m x n"), ("b", "m x 1"))}, ["x"], True),
    ("(y - Phi theta)^T (y - Phi theta)", {"shapes": (("Phi", "N x D"), ("y", "N x 1"), ("theta", "D x 1"))},
     ["theta"], True),
    ("t x^T x + t^2", {"vectors": ("x",)}, ["t"], True),
    # symmetric matrices: by W (the symmetric convention) and with W a constant (5.108)
    ("tr(W X)", {"symmetric": ("W",), "matrices": ("X",)}, ["W"], False),
    ("x^T W x", {"symmetric": ("W",), "vectors": ("x",)}, ["W"], False),
    ("log(det(S))", {"symmetric": ("S",)}, ["S"], False),
    ("(x - A s)^T W (x - A s)", {"symmetric": ("W",), "vectors": ("x", "s"), "matrices": ("A",)}, ["s"], True),
]

#: The machine-learning issue's examples (issue 16): run once the language reads them.
ML_CASES = [
    # logistic loss (with its Hessian), least squares (sizes inferred), the layer by A, b and x
    ("sum(log(1 + exp(-y .* (X w))))", {"shapes": (("X", "N x D"),), "vectors": ("y", "w")}, ["w"], True),
    ("norm(y - Phi theta)^2", {"shapes": (("Phi", "N x D"),), "vectors": ("y", "theta")}, ["theta"], True),
    ("norm(y - sigmoid(A x + b))^2", {"shapes": (("A", "m x n"),), "vectors": ("x", "b", "y")}, ["A"], False),
    ("norm(y - sigmoid(A x + b))^2", {"shapes": (("A", "m x n"),), "vectors": ("x", "b", "y")}, ["b"], True),
    ("norm(y - sigmoid(A x + b))^2", {"shapes": (("A", "m x n"),), "vectors": ("x", "b", "y")}, ["x"], True),
    # softmax cross-entropy, logsumexp, the Gaussian log-likelihood by mu and by a symmetric S, ridge
    ("-y^T log(softmax(z))", {"vectors": ("y", "z")}, ["z"], True),
    ("logsumexp(z)", {"vectors": ("z",)}, ["z"], True),
    ("-1/2 (x - mu)^T inv(S) (x - mu) - 1/2 log(det(S))", {"vectors": ("x", "mu"), "symmetric": ("S",)}, ["mu"],
     True),
    ("-1/2 (x - mu)^T inv(S) (x - mu) - 1/2 log(det(S))", {"vectors": ("x", "mu"), "symmetric": ("S",)}, ["S"],
     False),
    ("norm(y - X w)^2 + lambda norm(w)^2", {"shapes": (("X", "N x D"),), "vectors": ("y", "w")}, ["w"], True),
    # more of the language: softplus, relu, mean, .^, ./, diag, kron, vec, max, log1p, log2, heaviside
    ("sum(softplus(X w)) - y^T X w", {"shapes": (("X", "N x D"),), "vectors": ("y", "w")}, ["w"], True),
    ("mean(relu(X w).^2)", {"shapes": (("X", "N x D"),), "vectors": ("w",)}, ["w"], False),
    ("sum(log1p(x .^ 2) ./ (2 + expm1(x)) + log2(1 + x .* x) + log10(2 + x))", {"vectors": ("x",)}, ["x"], True),
    ("x^T diag(exp(a)) x + sum(max(x, a)) + sum(min(x, 0.5 a))", {"vectors": ("x", "a")}, ["x"], False),
    ("x^T diag(exp(a)) x", {"vectors": ("x", "a")}, ["a"], True),
    ("x^T kron(A, B) x + y^T kron(A, b) c", {"shapes": (("A", "2x2"), ("B", "2x2"), ("x", "4x1"), ("b", "3x1"),
                                                        ("y", "6x1"), ("c", "2x1"))}, ["x"], True),
    ("x^T kron(A, B) x + y^T kron(A, b) c", {"shapes": (("A", "2x2"), ("B", "2x2"), ("x", "4x1"), ("b", "3x1"),
                                                        ("y", "6x1"), ("c", "2x1"))}, ["c"], False),
    ("sum(kron(a, b) .* x) + vec(A)^T x", {"shapes": (("a", "2x1"), ("b", "3x1"), ("x", "6x1"), ("A", "2x3"))},
     ["x"], True),
    ("heaviside(a) x^2 + relu(x) + max(x, y) + min(x, y) + sigmoid(x y) + softplus(x - y)", {}, ["x"], False),
    # derivatives through vec and kron of the variable (the Hessian holds a commutation matrix K)
    ("norm(kron(x, x))^2 + sum(kron(x, y) .* kron(y, x))", {"vectors": ("x", "y")}, ["x"], True),
    ("sum(log(1 + exp(vec(A X)))) + vec(X)^T kron(B, A) vec(X)", {"matrices": ("A", "X", "B")}, ["X"], False),
]



def _generate(case: tuple, target: str, **kw: object):
    text, decl, wrt, hessian = case
    return codegen(text, Options(decl=Declarations(**decl)), wrt=wrt, target=target, with_hessian=hessian, **kw)


def _namespace(source: str) -> dict:
    namespace: dict = {"__name__": "generated"}
    exec(compile(source, "<generated>", "exec"), namespace)
    return namespace


def _check(case: tuple, target: str) -> None:
    result = _generate(case, target)
    module = result.module
    assert all(len(line) <= WIDTH for line in module.source.splitlines())
    namespace = _namespace(module.source)
    functions = {name: namespace[name] for name in module.functions}
    sizes = check_sizes(module)
    arguments = harness_arguments(module)
    variables = [a.code for a in module.variables]
    oracle = Oracle(result.function, module, sizes)
    rng = np.random.default_rng(7)
    checked = 0
    with harness.float64(target):
        for attempt in range(20):
            point = harness._inputs_at(rng, functions, arguments, sizes, target, attempt - checked)
            if point is None:
                continue
            value, gradient = point.call("grad_f")
            expected = [g for _, _, g in oracle.gradient(point.inputs, variables)]
            assert relative_error(expected, code_gradient_entries(gradient, module, variables, oracle.slots)) < 1e-9
            assert abs(float(oracle.function(*oracle.values(point.inputs))) - float(value)) <= 1e-12 * max(
                1.0, abs(float(value)))
            if "hess_f" in functions:
                hessian = point.call("hess_f")[2]
                assert relative_error(oracle.hessian(point.inputs, variables), np.reshape(hessian, (
                    len(expected), len(expected)))) < 1e-8
            checked += 1
            if checked == 2:
                break
    assert checked == 2
    _check_autodiff(case, target, module, functions, arguments, variables, sizes)


def _check_autodiff(case: tuple, target: str, module, functions, arguments, variables, sizes) -> None:
    """jax.grad of f written for JAX (every target, where JAX is installed), torch.autograd of
    PyTorch code."""
    if target == "torch":
        assert harness.compare_with_torch(functions, arguments, variables, sizes) < harness.AD_TOLERANCE
    try:
        import jax  # noqa: F401
    except ImportError:
        return
    f_jax = functions["f"] if target == "jax" else _namespace(_generate(case, "jax").module.source)["f"]
    assert harness.compare_with_jax(functions, f_jax, arguments, variables, sizes, target) < harness.AD_TOLERANCE


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", CASES, ids=[c[0] + (" by " + ",".join(c[2]) if c[2] else "") for c in CASES])
def test_generated_code_matches_mpmath_and_autodiff(case, target):
    need(target)
    _check(case, target)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", ML_CASES, ids=[c[0] for c in ML_CASES])
def test_machine_learning_examples(case, target):
    if "sigmoid" not in FUNCTIONS:
        pytest.skip("the language does not have issue 16's functions and inferred sizes yet")
    need(target)
    _check(case, target)


def test_gradcheck_passes_for_every_example():
    for case in CASES:
        report = _generate(case, "numpy", gradcheck=True).gradcheck
        assert report.passed and report.points == 3 and report.error < 1e-6, (case, report)


# -- a property test: random expressions ------------------------------------------------------

_UNARY = ["sin({})", "cos({})", "exp({})", "tanh({})", "atan({})", "sqrt(1 + ({})^2)", "log(1 + ({})^2)",
          "log(1 + exp({}))", "1/(1 + exp(-({})))", "({})^2", "({})^3"]
_BINARY = ["({}) + ({})", "({}) - ({})", "({}) ({})", "({})/(2 + ({})^2)"]


def _expressions(depth: int) -> st.SearchStrategy[str]:
    leaves = st.sampled_from(["x", "y", "z", "2", "1/3"])
    if depth == 0:
        return leaves
    smaller = _expressions(depth - 1)
    return st.one_of(
        leaves,
        st.builds(lambda f, a: f.format(a), st.sampled_from(_UNARY), smaller),
        st.builds(lambda f, a, b: f.format(a, b), st.sampled_from(_BINARY), smaller, smaller),
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_expressions(3), st.booleans())
def test_random_scalar_expressions(text, hessian):
    if not any(v in text for v in "xyz"):
        return
    case = (text, {}, [], hessian)
    try:
        _check(case, "numpy")
    except GradcliError as exc:  # a constant after simplification: no variables
        assert "no variables" in str(exc)


_FACTORS = ["A", "B", "A^T", "B^-1", "(A + B)", "(I + A^T A)^-1"]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_FACTORS), min_size=1, max_size=3),
       st.sampled_from(["{}", "log(1 + ({})^2)", "exp(-({})^2/10)", "({})^3"]),
       st.sampled_from(["x", "y", "A"]))
def test_random_matrix_expressions(factors, outer, wrt):
    chain = " ".join(factors)
    text = outer.format(f"x^T {chain} y")
    _check((text, {"vectors": ("x", "y"), "matrices": ("A", "B")}, [wrt], wrt != "A"), "numpy")


def test_jax_and_torch_are_there_when_ci_requires_them():
    library("jax")
    library("torch")
