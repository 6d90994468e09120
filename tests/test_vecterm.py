"""Derivatives through vec(...) and kron(...) (calculus/matrix/vecterm.py).

The values are verified elsewhere against independent oracles: every tensor view entry by entry
and by 40-digit finite differences (tests/test_tensor_derivative.py, VEC_CASES and the property
with vec/kron wraps), gradients, Jacobians and Hessians against SymPy's diff of the written-out
entries and JAX (tests/test_ml.py, the vec-/kron- cases), matrix steps at random points
(tests/test_matrix_steps.py).  Here: the rules themselves at concrete sizes, the claims `check`
decides with them, what is refused, and the einsum string."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from gradcli.calculus.matrix.tensor import tensor_derivative
from gradcli.calculus.matrix.vecterm import kron
from gradcli.calculus.matrix.views import einsum_text, explicit_array, index_form
from gradcli.model.arrays import Commutation, Vec, explicit
from gradcli.model.symbols import explicit_matrix
from gradcli.render.printers import plain
from helpers import compile_latex, pdflatex_or_skip, run


def _vec(m: sp.Matrix) -> sp.Matrix:
    return sp.Matrix([m[i, j] for j in range(m.cols) for i in range(m.rows)])


def _K(m: int, n: int) -> sp.Matrix:
    return sp.Matrix(explicit(Commutation(m, n)))


@pytest.mark.parametrize(("r", "s", "u", "w"), [(2, 3, 1, 2), (2, 1, 3, 2), (1, 2, 2, 2), (2, 2, 3, 1)])
def test_magnus_neudecker_vec_of_a_kronecker_product(r, s, u, w):
    """vec(Y ⊗ B) = (I_s ⊗ K(w,r) ⊗ I_u)(I_rs ⊗ vec B) vec Y and vec(A ⊗ Y) =
    (I_s ⊗ K(w,r) ⊗ I_u)(vec A ⊗ I_uw) vec Y, the rules d_kron uses, at concrete sizes."""
    Y, B = explicit_matrix("Y", r, s), explicit_matrix("B", u, w)
    perm = sp.kronecker_product(sp.eye(s), _K(w, r), sp.eye(u))
    lhs = _vec(sp.kronecker_product(Y, B))
    assert sp.expand(lhs - perm * sp.kronecker_product(sp.eye(r * s), _vec(B)) * _vec(Y)) == sp.zeros(*lhs.shape)
    assert sp.expand(lhs - perm * sp.kronecker_product(_vec(Y), sp.eye(u * w)) * _vec(B)) == sp.zeros(*lhs.shape)


def test_kron_builder_simplifies_only_what_is_equal():
    n = sp.Symbol("n", integer=True, positive=True)
    A = sp.MatrixSymbol("A", n, n)
    assert kron(sp.Identity(1), A) == A
    assert kron(sp.Identity(2), sp.Identity(3)) == sp.Identity(6)
    assert kron(sp.Identity(n), Commutation(1, n), A) == sp.KroneckerProduct(sp.Identity(n ** 2), A)


def test_einsum_through_vec_reproduces_the_array():
    A, X, B = (sp.MatrixSymbol(nm, *sh) for nm, sh in (("A", (2, 3)), ("X", (3, 4)), ("B", (4, 2))))
    t = tensor_derivative(Vec(A * X * B), X)
    text = einsum_text(index_form(t), plain)  # as the renderers print it
    assert ".reshape((4, 3, 4), order='F')" in text
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((4, 2))
    got = eval(text, {"einsum": np.einsum, "kron": np.kron, "A": a, "B": b})  # noqa: S307 - own text
    subs = {}
    for name, m in (("A", a), ("B", b)):
        mat = explicit_matrix(name, *m.shape)
        subs.update({mat[i, j]: m[i, j] for i in range(m.shape[0]) for j in range(m.shape[1])})
    entries = np.array(explicit_array(t).entries, dtype=object)
    want = np.vectorize(lambda e: float(sp.sympify(e).xreplace(subs)))(entries)
    assert got.shape == want.shape and np.allclose(got, want)


@pytest.mark.parametrize(("claim", "args", "verdict"), [
    ("d/dX (vec(X)^T kron(B, A) vec(X)) = A X B^T + A^T X B", ["--matrix", "A,X,B"], "true"),
    ("d/dX (vec(X)^T kron(B, A) vec(X)) = A X B + A^T X B^T", ["--matrix", "A,X,B"], "false"),
    ("d/dX sum(exp(vec(X))) = exp(X)", ["--shape", "X=2x3"], "true"),
    ("d/dx kron(x, y) = kron(I, y)", ["--vector", "x,y"], "true"),
    ("d/dx kron(x, y) = kron(y, I)", ["--vector", "x,y"], "false"),
    ("d/dX tr(kron(A, X)) = tr(A) I", ["--matrix", "A,X"], "true"),
    ("d/dX sum(kron(X, B)) = sum(B) ones ones^T", ["--matrix", "X,B"], "true"),
    ("d/dX sum(kron(X, B)) = sum(B) X", ["--matrix", "X,B"], "false"),
    ("d/dX (vec(X)^T vec(X)) = 2 X", ["--shape", "X=1x1"], "true"),
    # a side written 0 is the zero matrix (gradcli prints 0 for a zero gradient)
    ("d/dX tr(A) = 0", ["--matrix", "X,A"], "true"),
    ("d/dX tr(A) = 0", ["--shape", "X=2x3", "--shape", "A=2x2"], "true"),
    ("0 = d vec(A)/d vec(X)", ["--matrix", "X,A"], "true"),
    ("d/dX tr(X) = 0", ["--shape", "X=2x2"], "false"),
    # what derivative prints reads back: I and K sizes from the claim's other side, kron of three
    ("d vec(kron(W, B))/d vec(W) = kron(I, B)", ["--shape", "W=2x2", "--shape", "B=2x1"], "true"),
    ("d vec(kron(W, B))/d vec(W) = kron(I, B)", ["--matrix", "W", "--vector", "B"], "true"),
    ("d vec(kron(W, B))/d vec(W) = kron(B, I)", ["--matrix", "W", "--vector", "B"], "false"),
    ("d vec(kron(X, B))/d vec(X) = kron(I, K(2, 3), I) kron(I, vec(B))", ["--shape", "X=3x2", "--shape", "B=2x2"],
     "true"),
    ("d vec(kron(X, B))/d vec(X) = kron(I, K(3, 2), I) kron(I, vec(B))", ["--shape", "X=3x2", "--shape", "B=2x2"],
     "false"),
    ("d vec(kron(A, X, B))/d vec(X) = kron(I, K(2, 4)) kron(I, B.T) kron(K(3, 2), I) kron(A, I)",
     ["--shape", "A=2x1", "--shape", "X=2x3", "--shape", "B=1x2"], "true"),
    ("d vec(kron(A, X, B))/d vec(X) = kron(I, K(2, 4)) kron(I, B.T) kron(K(2, 3), I) kron(A, I)",
     ["--shape", "A=2x1", "--shape", "X=2x3", "--shape", "B=1x2"], "false"),
    ("d vec(kron(X, X))/d vec(X) = kron(I, K(n, n), I) (kron(I, vec(X)) + kron(vec(X), I))", ["--matrix", "X"],
     "true"),
])
def test_check_claims_through_vec_and_kron(claim, args, verdict):
    r = run(["-f", "plain", "check", claim, *args], exit={"true": 0, "false": 1}[verdict])
    assert r.stdout.startswith(verdict)


@pytest.mark.parametrize(("args", "message"), [
    (["gradient", "y^T kron(X, B) z", "--shape", "X=2x2", "--shape", "B=2x2", "--shape", "y=4x1", "--shape",
      "z=4x1", "--wrt", "X"], "no closed form"),
    (["gradient", "a^T vec(X)", "--vector", "a", "--shape", "X=m x n", "--shape", "a=k x 1", "--wrt", "X"], None),
    (["gradient", "tr(kron(X, X))", "--matrix", "X", "--wrt", "X", "--steps"], None),
])
def test_what_has_no_closed_form_is_refused_not_guessed(args, message):
    r = run(["-f", "plain", *args], exit=2)
    assert "Traceback" not in r.stderr and r.stderr.startswith("error:")
    if message:
        assert message in r.stderr


def test_a_misfit_does_not_make_declared_arrays_1x1():
    """vec(A) (n^2 x 1) plus X^T: sizes of products are solved, but never to 1 by a misfit."""
    r = run(["-f", "plain", "gradient", "sum(vec(A) + X^T)", "--matrix", "X,A", "--wrt", "X"], exit=2)
    assert "cannot add" in r.stderr


def test_unvec_of_a_named_vector_at_numeric_sizes_is_written_out():
    r = run(["-f", "plain", "gradient", "a^T vec(X)", "--shape", "a=6x1", "--shape", "X=2x3", "--wrt", "X"])
    assert r.stdout.strip() == "[[a[0, 0], a[2, 0], a[4, 0]], [a[1, 0], a[3, 0], a[5, 0]]]"


def test_every_format_shows_a_tensor_through_kron():
    for fmt in ("plain", "rich", "json", "latex"):
        r = run(["-f", fmt, "derivative", "kron(X, B)", "--shape", "X=2x2", "--shape", "B=1x2", "--wrt", "X"])
        assert "VecLin" not in r.stdout and "Unvec" not in r.stdout and r.stdout.strip()


def test_latex_of_a_tensor_through_kron_compiles(tmp_path):
    pdflatex_or_skip()
    r = run(["-f", "latex", "derivative", "kron(X, B)", "--shape", "X=2x2", "--shape", "B=1x2", "--wrt", "X"])
    assert r"_{(p,q),(i,j)}" in r.stdout
    proc = compile_latex(tmp_path, "kron", r.stdout.strip())
    assert proc.returncode == 0, proc.stdout[-2000:]
