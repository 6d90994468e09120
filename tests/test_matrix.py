"""Matrix calculus (issue 5): derivatives of and w.r.t. vectors and matrices.

Every symbolic result is checked component by component at concrete sizes
against ``components.explicit_derivative`` (entry-by-entry scalar diff), and
the book's identities 5.103-5.108 also against their printed right-hand sides.
"""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy.matrices.expressions.matexpr import MatrixElement

from gradcli.calculus.matrix import matrix_derivative, matrix_hessian
from gradcli.errors import InputError
from gradcli.model.shapes import shape_of as result_shape
from support.components import compare, compare_components, explicit, explicit_derivative, explicit_matrix

n = sp.Symbol("n", integer=True, positive=True)
x = sp.MatrixSymbol("x", n, 1)
a = sp.MatrixSymbol("a", n, 1)
b = sp.MatrixSymbol("b", n, 1)
s = sp.MatrixSymbol("s", n, 1)
A = sp.MatrixSymbol("A", n, n)
B = sp.MatrixSymbol("B", n, n)
X = sp.MatrixSymbol("X", n, n)
W = sp.MatrixSymbol("W", n, n)
I = sp.Identity(n)
T = sp.Transpose
Inv = sp.Inverse
LAYOUTS = ("numerator", "denominator")
SIZES = (1, 2, 3)


def scalar(m):
    """A 1 x 1 product as the scalar the parser builds (an element)."""
    return MatrixElement(m, 0, 0)


def check_components(expr, wrt, result, layout, symmetric=frozenset(), sizes=SIZES):
    for k in sizes:
        expected = explicit_derivative(expr, wrt, k, layout=layout, symmetric=symmetric)
        verdict = compare(result, expected, k, symmetric=symmetric)
        assert verdict.equal is True, (k, layout, result, verdict)


# -- the book's identities 5.103-5.108 ----------------------------------------------

# (tag, expr, wrt, symmetric, numerator RHS, denominator RHS, plain string numerator, denominator)
BOOK = [
    ("5.103", scalar(a.T * X.I * b), X, frozenset(),
     sp.MatMul(-1, T(Inv(X)), a, b.T, T(Inv(X))), sp.MatMul(-1, T(Inv(X)), a, b.T, T(Inv(X))),
     "-(X**(-1)).T*a*b.T*(X**(-1)).T", "-(X**(-1)).T*a*b.T*(X**(-1)).T"),
    ("5.104", scalar(x.T * a), x, frozenset(), a.T, a, "a.T", "a"),
    ("5.105", scalar(a.T * x), x, frozenset(), a.T, a, "a.T", "a"),
    ("5.106", scalar(a.T * X * b), X, frozenset(), a * b.T, a * b.T, "a*b.T", "a*b.T"),
    ("5.107", scalar(x.T * B * x), x, frozenset(),
     sp.MatMul(x.T, sp.MatAdd(B, B.T)), sp.MatMul(sp.MatAdd(B, B.T), x),
     "x.T*(B + B.T)", "(B + B.T)*x"),
    ("5.108", scalar(T(x - A * s) * W * (x - A * s)), s, frozenset({"W"}),
     sp.MatMul(-2, T(x - A * s), W, A), sp.MatMul(-2, A.T, W, x - A * s),
     "-2*(-A*s + x).T*W*A", "-2*A.T*W*(-A*s + x)"),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("case", BOOK, ids=[c[0] for c in BOOK])
def test_book_identities(case, layout):
    tag, expr, wrt, sym, rhs_num, rhs_den, str_num, str_den = case
    got = matrix_derivative(expr, wrt, layout=layout, symmetric=sym)
    rhs = rhs_num if layout == "numerator" else rhs_den
    # the book's right-hand side, as printed ...
    assert str(got) == (str_num if layout == "numerator" else str_den)
    assert result_shape(got) == result_shape(rhs)
    # ... equal to it component by component, and both equal to the ground truth
    for k in SIZES:
        expected = explicit_derivative(expr, wrt, k, layout=layout, symmetric=sym)
        assert compare_components(got, expected, k, symmetric=sym), (tag, k)
        assert compare_components(rhs, expected, k, symmetric=sym), (tag, k, "book")


def test_5108_general_W_is_not_the_symmetric_formula():
    expr = scalar(T(x - A * s) * W * (x - A * s))
    got = matrix_derivative(expr, s)
    assert str(got) == "-(-A*s + x).T*(W + W.T)*A"
    check_components(expr, s, got, "numerator", sizes=(2, 3))
    # without declaring W symmetric, -2 (x - As)^T W A is false at size 2
    book = sp.MatMul(-2, T(x - A * s), W, A)
    verdict = compare(book, explicit_derivative(expr, s, 2), 2)
    assert verdict.equal is False and verdict.point


def test_layout_shapes():
    f = scalar(x.T * B * x)
    assert result_shape(matrix_derivative(f, x)) == (1, n)
    assert result_shape(matrix_derivative(f, x, layout="denominator")) == (n, 1)
    assert result_shape(matrix_derivative(scalar(a.T * X * b), X, layout="denominator")) == (n, n)
    assert result_shape(matrix_derivative(A * x, x)) == (n, n)
    assert result_shape(sp.Symbol("t")) == ()


def test_jacobian_of_Ax():
    assert matrix_derivative(A * x, x) == A
    assert matrix_derivative(A * x, x, layout="denominator") == A.T
    m = sp.Symbol("m", integer=True, positive=True)
    C = sp.MatrixSymbol("C", m, n)
    got = matrix_derivative(C * x, x)
    assert got == C and result_shape(got) == (m, n)
    for k in SIZES:
        for layout in LAYOUTS:
            expected = explicit_derivative(C * x, x, k, layout=layout, sizes={"m": 2})
            assert compare_components(matrix_derivative(C * x, x, layout=layout), expected, k, sizes={"m": 2})


@pytest.mark.parametrize(
    "expr",
    [sp.MatMul(x, x.T, a), sp.MatMul(sp.Trace(a.T * x), x), sp.MatMul(sp.Trace(x.T * x), x), A * B * x + x, (X.I * x),
     x.T * A],
    ids=["x(x^T a)", "tr(a^T x) x", "tr(x^T x) x", "ABx + x", "X^-1 x", "row x^T A"],
)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_jacobians_componentwise(expr, layout):
    got = matrix_derivative(expr, x, layout=layout)
    check_components(expr, x, got, layout)


# -- traces, determinants, norms (Matrix Cookbook) ----------------------------------

COOKBOOK = [
    ("tr(X)", sp.Trace(X), X, "I"),
    ("tr(AX)", sp.Trace(A * X), X, "A.T"),
    ("tr(XA)", sp.Trace(X * A), X, "A.T"),
    ("tr(AXB)", sp.Trace(A * X * B), X, "A.T*B.T"),
    ("tr(X^T A)", sp.Trace(X.T * A), X, "A"),
    ("tr(X^2)", sp.Trace(X**2), X, "2*X.T"),
    ("tr(X^3)", sp.Trace(X**3), X, "3*X.T**2"),
    ("det(X)", sp.Determinant(X), X, "Determinant(X)*(X**(-1)).T"),
    ("log det X", sp.log(sp.Determinant(X)), X, "(X**(-1)).T"),
    ("det(X)^-1", 1 / sp.Determinant(X), X, None),
    ("exp(tr X)", sp.exp(sp.Trace(X)), X, "exp(Trace(X))*I"),
    ("log(tr X)", sp.log(sp.Trace(X)), X, None),
    ("tr(X^-1)", sp.Trace(X.I), X, "-(X**(-1)).T**2"),
    ("a^T X^T b", scalar(a.T * X.T * b), X, "b*a.T"),
    ("norm(x)^2", sp.sqrt(scalar(x.T * x)) ** 2, x, "2*x.T"),
    ("norm(x)", sp.sqrt(scalar(x.T * x)), x, None),
    ("tr(I - X)^2", sp.Trace(I - X) ** 2, X, None),
    ("tr(X) a^T X b", sp.Trace(X) * scalar(a.T * X * b), X, None),
    ("det(X) tr(A X)", sp.Determinant(X) * sp.Trace(A * X), X, None),
    ("log det(A X)", sp.log(sp.Determinant(A * X)), X, None),
    ("sin(a^T x) x^T x", sp.sin(scalar(a.T * x)) * scalar(x.T * x), x, None),
    ("tr(X A X^T)", sp.Trace(X * A * X.T), X, None),
    ("1x1 matrix x^T x", x.T * x, x, "2*x.T"),
]


@pytest.mark.parametrize("case", COOKBOOK, ids=[c[0] for c in COOKBOOK])
def test_cookbook_componentwise(case):
    name, expr, wrt, printed = case
    layouts = LAYOUTS if wrt.shape[1] == 1 else ("numerator",)
    for layout in layouts:
        got = matrix_derivative(expr, wrt, layout=layout)
        if printed is not None and layout == "numerator":
            assert str(got) == printed
        check_components(expr, wrt, got, layout)


def test_sympy_silent_zeros_are_not_zero():
    # FINDINGS: SymPy's diff returns 0 for these; ours must not
    for expr in (sp.log(sp.Determinant(X)), 1 / sp.Determinant(X), sp.exp(sp.Trace(X)), sp.log(sp.Trace(X))):
        got = matrix_derivative(expr, X)
        assert not isinstance(got, sp.ZeroMatrix)
    got = matrix_derivative(sp.Determinant(X), X)
    assert not got.atoms(sp.Derivative)


def test_constant_gives_zero():
    assert matrix_derivative(scalar(a.T * b), x) == sp.ZeroMatrix(1, n)
    assert matrix_derivative(scalar(a.T * b), x, layout="denominator") == sp.ZeroMatrix(n, 1)
    assert matrix_derivative(sp.Integer(3), X) == sp.ZeroMatrix(n, n)


def test_rectangular_matrix():
    m = sp.Symbol("m", integer=True, positive=True)
    Y = sp.MatrixSymbol("Y", m, n)
    c = sp.MatrixSymbol("c", m, 1)
    expr = scalar(c.T * Y * b)
    got = matrix_derivative(expr, Y)
    assert got == c * b.T and result_shape(got) == (m, n)
    expr2 = sp.Trace(Y.T * Y)
    got2 = matrix_derivative(expr2, Y)
    assert str(got2) == "2*Y"
    for k in (1, 2, 3):
        for e, g in ((expr, got), (expr2, got2)):
            assert compare_components(g, explicit_derivative(e, Y, k, sizes={"m": 2}), k, sizes={"m": 2})


def test_row_vector_wrt():
    r = sp.MatrixSymbol("r", 1, n)
    cases = [(sp.Trace(r * B * r.T), "r*(B + B.T)", "r*(B + B.T)"), (B * r.T, "B", "B.T"), (r * B, "B.T", "B")]
    for expr, num, den in cases:
        for layout, printed in zip(LAYOUTS, (num, den)):
            got = matrix_derivative(expr, r, layout=layout)
            assert str(got) == printed
            check_components(expr, r, got, layout)


def test_compare_polynomial_difference_is_false_even_without_a_point():
    expected = explicit_derivative(scalar(x.T * B * x), x, 2)
    verdict = compare(sp.MatMul(x.T, B), expected, 2, points=0)
    assert verdict.equal is False


# -- symmetric matrices -------------------------------------------------------------

def test_symmetric_transpose_is_itself():
    got = matrix_derivative(scalar(x.T * W.T * x), x, symmetric={"W"})
    assert str(got) == "2*x.T*W"
    check_components(scalar(x.T * W * x), x, got, "numerator", symmetric={"W"})


@pytest.mark.parametrize(
    "expr", [sp.log(sp.Determinant(W)), scalar(a.T * W * b), sp.Trace(W), sp.Trace(A * W)],
    ids=["log det W", "a^T W b", "tr W", "tr(A W)"],
)
def test_gradient_wrt_symmetric_matrix(expr):
    # W_ij and W_ji are one variable: D = G + G^T - I o G
    got = matrix_derivative(expr, W, symmetric={"W"})
    check_components(expr, W, got, "numerator", symmetric={"W"})


# -- Hessians and refusals ----------------------------------------------------------

def test_hessian_quadratic_form():
    got = matrix_hessian(scalar(x.T * B * x), x)
    assert str(got) == "B + B.T"
    got = matrix_hessian(scalar(x.T * W * x), x, symmetric={"W"})
    assert str(got) == "2*W"


@pytest.mark.parametrize(
    "expr",
    [scalar(x.T * B * x), sp.sqrt(scalar(x.T * x)), sp.exp(scalar(a.T * x)) + scalar(x.T * A * x) * scalar(b.T * x)],
    ids=["x^T B x", "norm x", "exp(a^T x) + (x^T A x)(b^T x)"],
)
def test_hessian_componentwise(expr):
    got = matrix_hessian(expr, x)
    for k in SIZES:
        f = explicit(expr, n_value=k)
        f = f[0, 0] if isinstance(f, sp.MatrixBase) else f
        xs = list(explicit_matrix("x", k, 1))
        assert compare_components(got, sp.hessian(f, xs), k)


@pytest.mark.parametrize(
    "expr,wrt,order",
    [(X, X, 4), (A * X * B, X, 4), (X * a, X, 3), (A * X, x, 3), (x * x.T, x, 3)],
    ids=["X by X", "AXB by X", "Xa by X", "matrix by vector", "x x^T by x"],
)
def test_tensor_refused(expr, wrt, order):
    with pytest.raises(InputError, match=f"tensor of order {order}"):
        matrix_derivative(expr, wrt)
    with pytest.raises(InputError, match="tensor of order"):
        explicit_derivative(expr, wrt, 2)


def test_hessian_refusals():
    with pytest.raises(InputError, match="tensor of order 4"):
        matrix_hessian(sp.Trace(X), X)
    with pytest.raises(InputError, match="tensor of order 3"):
        matrix_hessian(A * x, x)


def test_bad_layout_and_wrt():
    with pytest.raises(InputError):
        matrix_derivative(sp.Trace(X), X, layout="sideways")
    with pytest.raises(InputError):
        matrix_derivative(sp.Trace(X), sp.Symbol("t"))


# -- the ground truth itself ---------------------------------------------------------

def test_explicit_entries():
    M = explicit(X, n_value=2)
    assert M == sp.ImmutableMatrix(2, 2, sp.symbols("X_11 X_12 X_21 X_22", real=True))
    assert explicit(x, n_value=3) == sp.ImmutableMatrix(sp.symbols("x_1:4", real=True))
    Ws = explicit(W, n_value=2, symmetric={"W"})
    assert Ws[0, 1] == Ws[1, 0]
    assert explicit(sp.Trace(I), n_value=3) == 3
    assert explicit(n * sp.Trace(X), n_value=2) == 2 * (M[0, 0] + M[1, 1])


def test_compare_finds_counterexamples():
    expr = scalar(x.T * B * x)
    wrong = sp.MatMul(2, x.T, B)
    verdict = compare(wrong, explicit_derivative(expr, x, 2), 2)
    assert verdict.equal is False
    # a transposed answer has the wrong shape
    verdict = compare(matrix_derivative(expr, x, layout="denominator"), explicit_derivative(expr, x, 2), 2)
    assert verdict.equal is False and verdict.shapes == ((2, 1), (1, 2))
    # exact, not floating point: X^-1 entries at size 3
    got = matrix_derivative(sp.Trace(X.I), X)
    off = got + sp.MatMul(sp.Rational(1, 10**12), sp.Identity(n))
    assert not compare_components(off, explicit_derivative(sp.Trace(X.I), X, 3), 3)


# -- property test: random scalar expressions --------------------------------------

SQUARES = {"A": A, "B": B, "X": X, "X^T": X.T}


@st.composite
def terms(draw):
    kind = draw(st.sampled_from(["xMx", "ax", "xa", "bMx", "tr", "trinv"]))
    prod = draw(st.lists(st.sampled_from(sorted(SQUARES)), min_size=1, max_size=3))
    M = sp.MatMul(*[SQUARES[k] for k in prod]) if len(prod) > 1 else SQUARES[prod[0]]
    if kind == "xMx":
        return scalar(x.T * M * x)
    if kind == "ax":
        return scalar(a.T * x)
    if kind == "xa":
        return scalar(x.T * a)
    if kind == "bMx":
        return scalar(b.T * M * x)
    if kind == "trinv":
        return sp.Trace(A * X.I) if draw(st.booleans()) else sp.Trace(M)
    return sp.Trace(M)


@st.composite
def expressions(draw):
    items = draw(st.lists(terms(), min_size=1, max_size=3))
    coeffs = draw(st.lists(st.sampled_from([1, -1, 2, -3, sp.Rational(1, 2)]),
                           min_size=len(items), max_size=len(items)))
    return sp.Add(*[c * t for c, t in zip(coeffs, items)])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(expr=expressions(), wrt=st.sampled_from(["x", "X"]), layout=st.sampled_from(LAYOUTS))
def test_property_matches_components(expr, wrt, layout):
    v = x if wrt == "x" else X
    got = matrix_derivative(expr, v, layout=layout)
    expected_shape = {("x", "numerator"): (1, n), ("x", "denominator"): (n, 1)}.get((wrt, layout), (n, n))
    assert result_shape(got) == expected_shape
    for k in SIZES:
        expected = explicit_derivative(expr, v, k, layout=layout)
        assert compare_components(got, expected, k), (expr, wrt, layout, k, got)


def test_size_symbols_are_not_variables():
    # the n behind I (or --matrix X) is a size, never a variable to differentiate by
    from helpers import run

    assert run(["-f", "plain", "derivative", "I x"]).stdout.strip() == "I"
    assert run(["-f", "plain", "gradient", "tr(I) x"]).stdout.strip() == "[n]"
