"""Derivatives of order 3 and 4 (issue 17): every view of ``calculus.matrix.tensor`` checked
against ground truth that does not use it:

* SymPy ``diff`` of the written-out components (the expression built entry by entry at
  concrete sizes, square and not), for the explicit array, the index form (evaluated entry
  by entry) and the vec form (written out);
* mpmath central differences at 40 digits at a random rational point;
* the vec form times a random direction against the directional derivative;
* a hypothesis property over random matrix expressions.
"""

from __future__ import annotations

import json
import random
import zlib
from itertools import product

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.calculus.derivative import build
from gradcli.calculus.matrix.tensor import apply, scalar_derivative, tensor_derivative
from gradcli.calculus.matrix.views import Delta, VecEntry, einsum_text, explicit_array, index_form, vec_form, vec_matrix
from gradcli.language import parse
from gradcli.model.arrays import explicit
from gradcli.model.declarations import Context, Declarations
from gradcli.model.symbols import explicit_matrix
from helpers import run

# (expression, shapes, variable): square and non-square, products, transposes, inverses,
# traces, Kronecker-free entrywise functions and Hadamard products
CASES = [
    ("R^T R", {"R": (3, 2)}, "R"),
    ("R R^T", {"R": (2, 3)}, "R"),
    ("A X B", {"A": (2, 3), "X": (3, 4), "B": (4, 2)}, "X"),
    ("A x", {"A": (3, 2), "x": (2, 1)}, "A"),
    ("X^T", {"X": (2, 3)}, "X"),
    ("inv(X)", {"X": (2, 2)}, "X"),
    ("X^-1 A", {"X": (2, 2), "A": (2, 3)}, "X"),
    ("tr(X) X", {"X": (2, 2)}, "X"),
    ("X x x^T", {"X": (2, 2), "x": (2, 1)}, "x"),
    ("A X^T X", {"A": (2, 3), "X": (3, 3)}, "X"),
    ("exp(X) .* X", {"X": (2, 3)}, "X"),
    ("A sin(X)", {"A": (2, 2), "X": (2, 3)}, "X"),
    ("sigmoid(W x)", {"W": (3, 2), "x": (2, 1)}, "W"),
    ("X^2", {"X": (2, 2)}, "X"),
    ("x^T A x X", {"x": (2, 1), "A": (2, 2), "X": (2, 2)}, "X"),
]
# through vec and kron (calculus.matrix.vecterm)
VEC_CASES = [
    ("vec(A X B)", {"A": (2, 3), "X": (3, 4), "B": (4, 2)}, "X"),
    ("vec(X^T)", {"X": (2, 3)}, "X"),
    ("kron(X, B)", {"X": (2, 3), "B": (3, 2)}, "X"),
    ("kron(A, X)", {"A": (2, 3), "X": (3, 2)}, "X"),
    ("kron(X, X)", {"X": (2, 2)}, "X"),
    ("kron(X^T, A X)", {"X": (2, 3), "A": (2, 2)}, "X"),
    ("A kron(X, B) C", {"A": (2, 4), "X": (2, 2), "B": (2, 3), "C": (6, 2)}, "X"),
    ("kron(x, y^T)", {"x": (3, 1), "y": (2, 1)}, "x"),
    ("vec(X) vec(X)^T", {"X": (2, 2)}, "X"),
    ("exp(vec(X)) .* vec(A X)", {"X": (2, 3), "A": (2, 2)}, "X"),
    ("tr(kron(X, B)) X", {"X": (2, 2), "B": (2, 2)}, "X"),
    ("kron(inv(X), B)^T", {"X": (2, 2), "B": (1, 2)}, "X"),
    ("vec(X x x^T)", {"X": (2, 2), "x": (2, 1)}, "x"),
]
CASES += VEC_CASES


def _decl(shapes: dict) -> Declarations:
    return Declarations(shapes=tuple((k, f"{r}x{c}") for k, (r, c) in shapes.items()))


def _symbolic(text: str, shapes: dict, var: str):
    ctx = Context(_decl(shapes))
    f = build(parse(text), ctx)
    return tensor_derivative(f, ctx.lookup(var)), ctx


def _truth(text: str, shapes: dict, var: str) -> tuple[dict, sp.ImmutableMatrix, sp.ImmutableMatrix]:
    """{(p, q, i, j): ∂F_pq/∂X_ij} by SymPy diff of the expression built entry by entry."""
    ctx = Context(_decl(shapes), sizes={})
    F = build(parse(text), ctx)
    F = F if isinstance(F, sp.MatrixBase) else sp.ImmutableMatrix([[F]])
    X = ctx.lookup(var)
    out = {}
    for p, q, i, j in product(range(F.rows), range(F.cols), range(X.rows), range(X.cols)):
        out[(p, q, i, j)] = sp.diff(F[p, q], X[i, j])
    return out, F, X


def _zero(e) -> bool:
    return sp.simplify(sp.expand(e)) == 0


def _index_value(form, values: dict, subs: dict):
    """The index form at one entry (values: index name -> number), summing the summed ones."""
    total = sp.S.Zero
    for term in form.terms:
        ranges = []
        for name in term.sums:
            size = next(_size_of(f, name, subs) for f in term.factors if not isinstance(f, Delta)
                        and name in (f.row, f.col))
            ranges.append(range(size))
        for combo in product(*ranges):
            env = dict(values)
            env.update(zip(term.sums, combo))
            c = term.coefficient
            v = explicit(c.xreplace(subs)) if isinstance(c, sp.Basic) else c
            for f in term.factors:
                if isinstance(f, Delta):
                    v *= 1 if env[f.a] == env[f.b] else 0
                elif isinstance(f, VecEntry):  # V[(a,b),(i,j)], column-major
                    r, _, m, _ = (int(x) for x in f.sizes)
                    a, b = (env[x] if x else 0 for x in f.out)
                    i, j = (env[x] if x else 0 for x in f.inp)
                    mat = sp.ImmutableMatrix(explicit(f.matrix.xreplace(subs)).as_explicit())
                    v *= mat[a + r * b, i + m * j]
                else:
                    m = sp.ImmutableMatrix(explicit(f.matrix.xreplace(subs)).as_explicit())
                    v *= m[env[f.row] if f.row else 0, env[f.col] if f.col else 0]
            total += v
    return total


def _size_of(f, name, subs):
    m = f.matrix
    return int(m.shape[0] if f.row == name else m.shape[1])


@pytest.mark.parametrize(("text", "shapes", "var"), CASES)
def test_every_view_equals_the_entrywise_derivative(text, shapes, var):
    truth, F, X = _truth(text, shapes, var)
    t, ctx = _symbolic(text, shapes, var)
    arr = explicit_array(t)
    for key, want in truth.items():
        assert _zero(arr.full.get(key, 0) - want), (text, key)
    # the vec form, written out, is the Jacobian of vec F by vec X
    syms = t.function.atoms(sp.MatrixSymbol) | {t.wrt}
    subs = {s: explicit_matrix(s.name, int(s.shape[0]), int(s.shape[1])) for s in syms}
    vf = sp.ImmutableMatrix(explicit(vec_form(t).xreplace(subs)).as_explicit())
    P, M = F.rows, X.rows
    for (p, q, i, j), want in truth.items():
        assert _zero(vf[p + q * P, i + j * M] - want), (text, "vec", (p, q, i, j))
    assert vec_matrix(arr, t) == sp.ImmutableMatrix(vf.applyfunc(lambda e: e)) or all(
        _zero(a - b) for a, b in zip(vec_matrix(arr, t), vf))
    vd = sp.ImmutableMatrix(explicit(vec_form(t, "denominator").xreplace(subs)).as_explicit())
    assert all(_zero(a - b) for a, b in zip(vd, vf.T))
    # the index form, entry by entry
    form = index_form(t)
    for (p, q, i, j), want in truth.items():
        values = {"p": p, "q": q, "i": i, "j": j}
        assert _zero(_index_value(form, values, subs) - want), (text, "index", (p, q, i, j))


@pytest.mark.parametrize(("text", "shapes", "var"), [c for c in CASES if "sigmoid" not in c[0]][:10] + [
    c for c in VEC_CASES if c[0] not in ("kron(X, B)", "kron(A, X)", "kron(X^T, A X)")] + [
    ("kron(X, B)", {"X": (2, 1), "B": (2, 2)}, "X"), ("kron(A, X)", {"A": (1, 2), "X": (2, 2)}, "X"),
    ("kron(X^T, A X)", {"X": (2, 1), "A": (1, 2)}, "X")])
def test_against_finite_differences_and_along_a_direction(text, shapes, var):
    """mpmath central differences (40 digits) at a random rational point: every entry, and the
    vec form times a random direction against the directional derivative."""
    rng = random.Random(zlib.crc32(text.encode()))
    truth, F, X = _truth(text, shapes, var)
    t, _ = _symbolic(text, shapes, var)
    arr = explicit_array(t)
    point = {}
    for s in F.free_symbols | set(X):
        point[s] = sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) + (2 if s in set(X) else 0)
    mpmath.mp.dps = 40
    h = mpmath.mpf(10) ** -12

    def f_at(shift: dict) -> sp.ImmutableMatrix:
        pt = {s: mpmath.mpf(sp.Rational(v).p) / sp.Rational(v).q + shift.get(s, 0) for s, v in point.items()}
        return F.applyfunc(lambda e: sp.N(e.xreplace({k: sp.Float(v, 45) for k, v in pt.items()}), 45))

    for i, j in product(range(X.rows), range(X.cols)):
        up, down = f_at({X[i, j]: h}), f_at({X[i, j]: -h})
        for p, q in product(range(F.rows), range(F.cols)):
            fd = (up[p, q] - down[p, q]) / (2 * sp.Float(h, 45))
            exact = sp.N(arr.full.get((p, q, i, j), sp.S.Zero).xreplace(point), 45)
            assert abs(fd - exact) < sp.Float("1e-15"), (text, (p, q, i, j))
    # directional derivative along V: vec form times vec V, and apply(t, V)
    V = {X[i, j]: sp.Rational(rng.randint(-5, 5), rng.randint(1, 3)) for i, j in product(range(X.rows), range(X.cols))}
    vecV = sp.ImmutableMatrix([V[X[i, j]] for j in range(X.cols) for i in range(X.rows)])
    shift_up = {k: h * mpmath.mpf(v.p) / v.q for k, v in V.items()}
    shift_down = {k: -s for k, s in shift_up.items()}
    fd = (f_at(shift_up) - f_at(shift_down)) / (2 * sp.Float(h, 45))
    along = vec_matrix(arr, t).xreplace(point) * vecV
    for p, q in product(range(F.rows), range(F.cols)):
        assert abs(fd[p, q] - sp.N(along[p + q * F.rows], 45)) < sp.Float("1e-15"), (text, "direction")
    syms = t.function.atoms(sp.MatrixSymbol) | {t.wrt}
    subs = {s: explicit_matrix(s.name, int(s.shape[0]), int(s.shape[1])) for s in syms}
    Vm = sp.ImmutableMatrix(X.rows, X.cols, lambda i, j: V[X[i, j]])
    dirv = sp.ImmutableMatrix(explicit(apply(t, Vm).xreplace(subs)).as_explicit()).xreplace(point)
    for p, q in product(range(F.rows), range(F.cols)):
        assert abs(sp.N(dirv[p, q], 45) - fd[p, q]) < sp.Float("1e-15"), (text, "apply")


def test_einsum_string_reproduces_the_array():
    t, _ = _symbolic("A X^T B", {"A": (2, 3), "X": (4, 3), "B": (4, 2)}, "X")
    arr = explicit_array(t)
    text = einsum_text(index_form(t), str)
    rng = np.random.default_rng(1)
    A, B = rng.standard_normal((2, 3)), rng.standard_normal((4, 2))
    env = {"einsum": np.einsum, "A": A, "B": B}
    got = eval(text, env)  # noqa: S307 - the test's own generated text
    subs = {}
    for name, m in (("A", A), ("B", B)):
        mat = explicit_matrix(name, *m.shape)
        subs.update({mat[i, j]: m[i, j] for i in range(m.shape[0]) for j in range(m.shape[1])})
    want = np.array(arr.entries, dtype=object)
    want = np.vectorize(lambda e: float(sp.sympify(e).xreplace(subs)))(want)
    assert got.shape == want.shape and np.allclose(got, want)


def test_book_examples_index_form():
    t, _ = _symbolic("R^T R", {"R": (3, 2)}, "R")
    terms = index_form(t).terms
    text = sorted(repr(x.factors) for x in terms)
    assert "Delta(a='q', b='j')" in text[1] and "Entry(matrix=R, row='i', col='p')" in text[1]
    assert "Delta(a='p', b='j')" in text[0] and "Entry(matrix=R, row='i', col='q')" in text[0]
    t, _ = _symbolic("A x", {"A": (3, 2), "x": (2, 1)}, "A")
    (term,) = index_form(t).terms
    assert term.factors[0] == Delta("p", "i") and term.factors[1].row == "j" and term.factors[1].col is None


@pytest.mark.parametrize("text", ["inv(X + t A)", "kron(B, inv(X + t A))", "kron(t X, t B)", "vec(X + t^2 A)",
                                  "kron(X + t A, B)^T"])
def test_matrix_by_a_scalar(text):
    shapes = {"X": (2, 2), "A": (2, 2), "B": (1, 2)}
    ctx = Context(_decl(shapes))
    var = ctx.lookup("t")
    got = scalar_derivative(build(parse(text), ctx), var)
    want = build(parse(text), Context(_decl(shapes), sizes={})).diff(var)  # entry by entry
    subs = {s: explicit_matrix(s.name, int(s.shape[0]), int(s.shape[1])) for s in got.atoms(sp.MatrixSymbol)}
    got_x = sp.ImmutableMatrix(explicit(got.xreplace(subs)).as_explicit())
    assert got_x.shape == want.shape and all(_zero(a - b) for a, b in zip(got_x, want)), (text, got)


# -- random matrix expressions -------------------------------------------------------------------

_LEAVES = ["X", "A", "X^T", "B"]


@st.composite
def _expressions(draw, depth=3):
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(_LEAVES))
    kind = draw(st.sampled_from(["mul", "add", "t", "inv", "scale", "tr", "had"]))
    a = draw(_expressions(depth=depth - 1))
    if kind == "mul":
        return f"({a}) ({draw(_expressions(depth=depth - 1))})"
    if kind == "add":
        return f"({a}) + ({draw(_expressions(depth=depth - 1))})"
    if kind == "t":
        return f"({a})^T"
    if kind == "inv":
        return f"inv(({a}) + 3 I)"
    if kind == "tr":
        return f"tr({a}) ({draw(_expressions(depth=depth - 1))})"
    if kind == "had":
        return f"({a}) .* ({draw(_expressions(depth=depth - 1))})"
    return f"2 ({a})"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_expressions(), st.sampled_from(["{}", "{}", "vec({})", "kron({}, c)", "kron(c^T, {})"]))
def test_property_random_matrix_expressions(text, wrap):
    shapes = {"X": (2, 2), "A": (2, 2), "B": (2, 2), "c": (2, 1)}
    if "X" not in text:
        text = f"({text}) X"
    text = wrap.format(text)
    truth, F, X = _truth(text, shapes, "X")
    t, _ = _symbolic(text, shapes, "X")
    arr = explicit_array(t)
    rng = random.Random(len(text))
    for key, want in truth.items():
        got = arr.full.get(key, sp.S.Zero)
        for _ in range(20):  # a point where no inverse on either side is singular
            point = {s: sp.Rational(rng.randint(-4, 4), rng.randint(1, 3)) for s in F.free_symbols}
            w = sp.simplify(want.xreplace(point))
            g = sp.simplify(explicit(got.xreplace(point)))
            if w.is_finite and g.is_finite:
                break
        assert w.is_finite and g - w == 0, (text, key)


# -- the command line ----------------------------------------------------------------------------


def test_cli_plain_book_example_5_13():
    r = run(["-f", "plain", "derivative", "R^T R", "--shape", "R=2x2", "--wrt", "R"])
    lines = r.stdout.splitlines()
    assert lines[0] == "(kron(R.T, I))*K(2, 2) + kron(I, R.T)"
    assert lines[1] == "d(R.T*R)[p, q]/dR[i, j] = KroneckerDelta(p, j)*R[i, q] + KroneckerDelta(q, j)*R[i, p]"
    assert lines[2].startswith("[[[[2*R_11, 0], [2*R_21, 0]]")


def test_cli_json_axes_output_first():
    r = run(["-f", "json", "jacobian", "A x", "--shape", "A=3x2", "--shape", "x=2x1", "--wrt", "A"])
    obj = json.loads(r.stdout)
    assert obj["command"] == "jacobian" and obj["axes"] == ["p", "i", "j"] and obj["shape"] == [3, 3, 2]
    assert obj["result"][0][0] == ["x_1", "x_2"] and obj["result"][1][0] == ["0", "0"]
    assert obj["vec"] == "kron(x.T, I)" and obj["rank"] == 3


def test_cli_symbolic_sizes_and_refusals():
    r = run(["-f", "plain", "derivative", "inv(X)", "--matrix", "X", "--wrt", "X"])
    assert r.stdout.splitlines()[0] == "-(kron((X**(-1)).T, X**(-1)))"
    r = run(["-f", "plain", "derivative", "X^T", "--shape", "X=2x3", "--wrt", "X"])
    assert r.stdout.splitlines()[0] == "K(2, 3)"
    r = run(["-f", "plain", "derivative", "inv(X + t A)", "--matrix", "X,A", "--wrt", "t"])
    assert r.stdout == "-(t*A + X)**(-1)*A*(t*A + X)**(-1)\n"
    run(["derivative", "A x", "--matrix", "A", "--vector", "x", "--wrt", "A", "--at", "A=[[1,2],[3,4]]"], exit=2)
    r = run(["-f", "plain", "derivative", "A x", "--matrix", "A", "--vector", "x", "--wrt", "A",
             "--layout", "denominator"])
    assert r.stdout.splitlines()[0] == "kron(x, I)"


@pytest.mark.parametrize(("claim", "verdict"), [
    ("d vec(A X B)/d vec(X) = kron(B^T, A)", "true"),
    ("d vec(A X B)/d vec(X) = kron(B, A)", "false"),
    ("d vec(A x)/d vec(A) = kron(x^T, I)", "true"),
    ("d vec(inv(X))/d vec(X) = -kron(X^-T, X^-1)", "true"),
    ("d vec(X^T X)/d vec(X) = kron(I, X^T) + kron(X^T, I)", "false"),
])
def test_check_vec_claims(claim, verdict):
    r = run(["-f", "json", "check", claim, "--matrix", "A,X,B", "--vector", "x"],
            exit={"true": 0, "false": 1}[verdict])
    assert json.loads(r.stdout)["results"][0]["verdict"] == verdict
