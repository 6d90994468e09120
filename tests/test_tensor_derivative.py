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
import re
import zlib
from itertools import product
from typing import Any

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.calculus.derivative import build
from gradcli.calculus.matrix import tensor_symmetry
from gradcli.calculus.matrix.tensor import apply, scalar_derivative, tensor_derivative
from gradcli.calculus.matrix.views import Delta, VecEntry, einsum_text, explicit_array, index_form, vec_form, vec_matrix
from gradcli.language import parse
from gradcli.model.arrays import explicit
from gradcli.model.declarations import Context, Declarations
from gradcli.model.functions import sigmoid
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
    ("kron(A, X, B)", {"A": (2, 1), "X": (2, 2), "B": (1, 2)}, "X"),
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
    r = run(["derivative", "A x", "--matrix", "A", "--vector", "x", "--wrt", "A", "--at", "A=[[1,2],[3,4]]"], exit=2)
    assert "gives no value for x" in r.stderr
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


# -- by a symmetric matrix --------------------------------------------------------------------------

# (expression, shapes, variable, symmetric names): the convention of README "Symmetric matrices":
# the n² entries taken as independent, W^T = W imposed on the result
SYMMETRIC = [
    ("W W", {"W": (2, 2)}, "W", ("W",)),
    ("W^T", {"W": (3, 3)}, "W", ("W",)),
    ("W^T A W", {"W": (2, 2), "A": (2, 2)}, "W", ("W",)),
    ("inv(W)", {"W": (2, 2)}, "W", ("W",)),
    ("A W B", {"A": (2, 3), "W": (3, 3), "B": (3, 2)}, "W", ("W",)),
    ("W x", {"W": (3, 3), "x": (3, 1)}, "W", ("W",)),
    ("tr(W) W^T", {"W": (2, 2)}, "W", ("W",)),
    ("exp(W) .* W", {"W": (2, 2)}, "W", ("W",)),
    ("x^T W x W", {"x": (2, 1), "W": (2, 2)}, "W", ("W",)),
    ("S W S", {"S": (2, 2), "W": (2, 2)}, "W", ("W", "S")),  # a constant symmetric S as well
    ("X^T S X", {"S": (2, 2), "X": (2, 3)}, "X", ("S",)),  # by a plain X, S symmetric
    ("vec(W^T A)", {"W": (2, 2), "A": (2, 3)}, "W", ("W",)),  # through vec and kron
    ("kron(W, B)", {"W": (2, 2), "B": (2, 1)}, "W", ("W",)),
]


def _sym_decl(shapes: dict, symmetric: tuple) -> Declarations:
    return Declarations(shapes=tuple((k, f"{r}x{c}") for k, (r, c) in shapes.items()), symmetric=symmetric)


def _symmetry_subs(shapes: dict, names: tuple) -> dict:
    subs = {}
    for name in names:
        e = explicit_matrix(name, *shapes[name])
        subs.update({e[j, i]: e[i, j] for i in range(e.rows) for j in range(i + 1, e.cols)})
    return subs


@pytest.mark.parametrize(("text", "shapes", "var", "names"), SYMMETRIC)
def test_by_a_symmetric_matrix_every_view_follows_the_convention(text, shapes, var, names):
    """Oracle: the expression built entry by entry with every entry an independent symbol (the
    matrices declared plain), SymPy's diff of each entry by each entry of the variable, then
    W_ji -> W_ij; against the explicit array, the vec form and the index form of the symmetric
    declaration (as app.tensor shows them)."""
    truth, F, X = _truth(text, shapes, var)
    subs = _symmetry_subs(shapes, names)
    truth = {k: v.xreplace(subs) for k, v in truth.items()}
    ctx = Context(_sym_decl(shapes, names))
    f = build(parse(text), ctx)
    t = tensor_derivative(f, ctx.lookup(var), symmetric=ctx.symmetric)
    kept = tensor_symmetry.symmetric_names(t, ctx.symmetric)
    arr = tensor_symmetry.on_array(explicit_array(t), t, kept)
    for key, want in truth.items():
        assert _zero(arr.full.get(key, 0) - want), (text, key)
    mats = t.function.atoms(sp.MatrixSymbol) | {t.wrt}
    ex = {s: explicit_matrix(s.name, int(s.shape[0]), int(s.shape[1])) for s in mats}
    vec = tensor_symmetry.on_vec(vec_form(t), kept)
    assert not any(isinstance(a, sp.Transpose) and getattr(a.arg, "name", None) in names
                   for a in sp.preorder_traversal(vec))  # W^T = W imposed
    vf = sp.ImmutableMatrix(explicit(vec.xreplace(ex)).as_explicit()).xreplace(subs)
    for (p, q, i, j), want in truth.items():
        assert _zero(vf[p + q * F.rows, i + j * X.rows] - want), (text, "vec", (p, q, i, j))
    form = tensor_symmetry.on_index(index_form(t), kept)
    for (p, q, i, j), want in truth.items():
        got = _index_value(form, {"p": p, "q": q, "i": i, "j": j}, ex)
        assert _zero(sp.sympify(got).xreplace(subs) - want), (text, "index", (p, q, i, j))


@pytest.mark.parametrize(("text", "shapes", "var", "names"), SYMMETRIC[:6] + SYMMETRIC[-2:-1])
def test_by_a_symmetric_matrix_derivative_and_check_agree(text, shapes, var, names):
    """What derivative prints (plain vec form) is what check, which differentiates the written
    out entries and then imposes the symmetry, finds true; a dropped K(n, n) is false."""
    args = [x for k, (r, c) in shapes.items() for x in ("--shape", f"{k}={r}x{c}")] + ["--symmetric", ",".join(names)]
    obj = json.loads(run(["-f", "json", "derivative", text, "--wrt", var, *args]).stdout)
    claim = f"d vec({text})/d vec({var}) = {obj['vec']}"
    assert json.loads(run(["-f", "json", "check", claim, *args]).stdout)["results"][0]["verdict"] == "true"
    if "K(" in obj["vec"]:
        wrong = obj["vec"].replace("*K(3, 3)", "").replace("*K(2, 2)", "").replace("K(3, 3)", "I")
        r = run(["-f", "json", "check", f"d vec({text})/d vec({var}) = {wrong}", *args], exit=1)
        assert json.loads(r.stdout)["results"][0]["verdict"] == "false"


def test_by_a_symmetric_matrix_every_format():
    args = ["derivative", "W W", "--symmetric", "W", "--dim", "2", "--wrt", "W"]
    plain_lines = run(["-f", "plain", *args]).stdout.splitlines()
    assert plain_lines[0] == "kron(W, I) + kron(I, W)"
    assert "W_21" not in plain_lines[2] and "W_12" in plain_lines[2]
    obj = json.loads(run(["-f", "json", *args]).stdout)
    assert obj["vec"] == "kron(W, I) + kron(I, W)" and "W_21" not in json.dumps(obj["result"])
    assert r"W \otimes I + I \otimes W" in run(["-f", "latex", *args]).stdout
    assert "W ⊗ I + I ⊗ W" in run(["-f", "rich", *args]).stdout
    r = run(["-f", "plain", "derivative", "W^T", "--symmetric", "W", "--wrt", "W"])
    assert r.stdout.splitlines()[0] == "K(n, n)"  # W^T differentiated as written, as gradient does


# -- at a point ----------------------------------------------------------------------------------------

# (expression, shapes (symbolic sizes allowed: the point fixes them), variable, point, symmetric)
AT = [
    ("X^T X", {"X": "m x n"}, "X", {"X": [[1, 2], [3, 4], [5, -6]]}, ()),
    ("A X B", {"A": "p x m", "X": "m x n", "B": "n x q"}, "X",
     {"A": [[1, 2]], "X": [[1, 0, 2], [3, 1, 1]], "B": [[1, 2], [0, 1], [1, 1]]}, ()),
    ("inv(X)", {"X": "n x n"}, "X", {"X": [[2, 1], [1, 3]]}, ()),
    ("A x", {"A": "m x n", "x": "n x 1"}, "A", {"A": [[1, 2], [3, 4], [5, 6]], "x": [[7], [8]]}, ()),
    ("X x x^T", {"X": "n x n", "x": "n x 1"}, "x", {"X": [[1, 2], [3, 4]], "x": [[1], [-2]]}, ()),
    ("sigmoid(W x)", {"W": "m x n", "x": "n x 1"}, "W", {"W": [[0, 1], [2, 0]], "x": [[1], [1]]}, ()),
    ("t X^2", {"X": "n x n"}, "X", {"X": [[1, 2], [3, 4]], "t": [[sp.Rational(1, 2)]]}, ()),
    ("W^T A W", {"W": "n x n", "A": "n x n"}, "W", {"W": [[1, 2], [2, 5]], "A": [[1, 0], [3, 1]]}, ("W",)),
]


def _at_text(point: dict) -> str:
    parts = []
    for name, rows in point.items():
        if name == "t":
            parts.append(f"t={rows[0][0]}")
        elif len(rows[0]) == 1:
            parts.append(f"{name}=[{','.join(str(r[0]) for r in rows)}]")
        else:
            parts.append(f"{name}=[{','.join('[' + ','.join(map(str, r)) + ']' for r in rows)}]")
    return ";".join(parts)


@pytest.mark.parametrize(("text", "shapes", "var", "point", "names"), AT)
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_at_a_point_the_array_and_vec_matrix_are_the_exact_values(text, shapes, var, point, names, layout):
    """Oracle: at the sizes the point fixes, the expression built entry by entry (independent
    symbols), SymPy's diff of each entry, the point substituted (then W_ji -> W_ij)."""
    sizes = {k: (len(v), len(v[0])) for k, v in point.items() if k != "t"}
    truth, F, X = _truth(text, sizes, var)
    values = {}
    for name, rows in point.items():
        if name == "t":
            values[sp.Symbol("t", real=True)] = rows[0][0]
            continue
        e = explicit_matrix(name, *sizes[name])
        values.update({e[i, j]: sp.Rational(rows[i][j]) for i in range(e.rows) for j in range(e.cols)})
    subs = _symmetry_subs(sizes, names)
    truth = {k: sp.nsimplify(v.xreplace(subs).xreplace(values)) for k, v in truth.items()}
    args = [x for k, s in shapes.items() for x in ("--shape", f"{k}={s}")]
    if names:
        args += ["--symmetric", ",".join(names)]
    obj = json.loads(run(["-f", "json", "derivative", text, "--wrt", var, "--at", _at_text(point),
                          "--layout", layout, *args]).stdout)
    assert obj["at"] and "value_float" in obj
    axes = [a for a, s in zip("pqij", (F.rows, F.cols, X.rows, X.cols)) if s != 1]
    assert obj["axes"] == axes
    vec_value = obj["vec_value"]
    if layout == "denominator":
        vec_value = [list(col) for col in zip(*vec_value)]

    def same(text_value: str, want: Any) -> bool:
        """Exactly the rational (the point is exact); otherwise (sigmoid(1)) to 30 digits."""
        if want.is_Rational:
            return sp.Rational(text_value) == want
        return abs(sp.N(sp.sympify(text_value, locals={"sigmoid": sigmoid}) - want, 30)) < 1e-25

    for (p, q, i, j), want in truth.items():
        idx = [v for v, s in zip((p, q, i, j), (F.rows, F.cols, X.rows, X.cols)) if s != 1]
        got, got_float = obj["value"], obj["value_float"]
        for k in idx:
            got, got_float = got[k], got_float[k]
        assert same(got, want) and abs(got_float - float(want)) < 1e-12, (text, (p, q, i, j))
        assert same(vec_value[p + q * F.rows][i + j * X.rows], want), (text, "vec", (p, q, i, j))


def test_at_a_point_every_format():
    args = ["derivative", "X^T X", "--matrix", "X", "--wrt", "X", "--at", "X=[[1,2],[3,4]]"]
    lines = run(["-f", "plain", *args]).stdout.splitlines()
    assert lines[0] == "(kron(X.T, I))*K(2, 2) + kron(I, X.T)"  # the point fixed n = 2
    assert lines[1].startswith("d(X.T*X)[p, q]/dX[i, j] = ")  # the index form, still symbols
    assert lines[2] == "[[[[2, 0], [6, 0]], [[2, 1], [4, 3]]], [[[2, 1], [4, 3]], [[0, 4], [0, 8]]]]"
    latex_text = run(["-f", "latex", *args]).stdout
    assert r"\text{at } X = \begin{bmatrix}1 & 2 \\ 3 & 4\end{bmatrix}" in latex_text
    assert r"2 & 6 & 0 & 0" in latex_text and r"\delta_{pj} X_{iq}" in latex_text
    assert run(["-f", "latex", *args, "--rhs-only"]).stdout.startswith(r"\left[\begin{array}{cc|cc} 2 & 6 & 0 & 0")
    rich = run(["-f", "rich", *args]).stdout
    assert "X = [[1, 2], [3, 4]]" in rich and "∂(Xᵀ X)/∂X[2,2]" in rich
    decimal = json.loads(run(["-f", "json", *args[:-1], "X=[[1.5,2],[3,4]]"]).stdout)
    assert decimal["value_float"][0][0][0] == [3.0, 0.0]


@pytest.mark.parametrize(("args", "message"), [
    (["inv(X)", "--matrix", "X", "--at", "X=[[1,2],[2,4]]"], "singular"),
    (["relu(X)", "--matrix", "X", "--at", "X=[[0,2],[3,4]]"], "has no derivative"),
    (["W W", "--symmetric", "W", "--wrt", "W", "--at", "W=[[1,2],[3,4]]"], "not symmetric"),
    (["A X", "--matrix", "A,X", "--at", "X=[[1,2],[3,4]]"], "gives no value for A"),
    (["X^T X", "--shape", "X=2x3", "--at", "X=[[1,2],[3,4]]"], "X is 2 x 3, but its value is 2 x 2"),
])
def test_at_a_point_refusals(args, message):
    r = run(["derivative", *args, "--wrt", "X" if "--wrt" not in args else args[args.index("--wrt") + 1]]
            if "--wrt" not in args else ["derivative", *args], exit=2)
    assert message in r.stderr


@pytest.mark.parametrize(("text", "shapes", "var"), [c for c in CASES if "sigmoid" not in c[0]][::2] + VEC_CASES[:8])
def test_printed_vec_form_is_true_in_check(text, shapes, var):
    """What derivative prints, gradcli check reads and decides true: check computes the left side
    d vec(F)/d vec(X) entry by entry, independently of the calculus that printed the right."""
    if any(s == (1, 1) for s in shapes.values()) or var not in text:
        pytest.skip("no vec derivative to claim")
    decl = [a for name, (r, c) in shapes.items() for a in ("--shape", f"{name}={r}x{c}")]
    printed = run(["-f", "plain", "derivative", text, *decl, "--wrt", var]).stdout.splitlines()[0]
    claim = f"d vec({text})/d vec({var}) = {printed}"
    if re.search(r"kron\(I, [^()]*(\([^()]*\))?[^()]*, I\)", printed):
        # two identities in one Kronecker product: only their product is forced (README), so the
        # claim may be refused at sizes where n is not given, but it is never judged false
        r = run(["-f", "plain", "check", claim, *decl], exit=None)
        assert r.exit_code in (0, 2) and (r.exit_code == 2 or r.stdout.startswith("true")), (claim, r.stdout)
        return
    r = run(["-f", "plain", "check", claim, *decl])
    assert r.stdout.startswith("true"), (text, printed, r.stdout)
