"""autodiff with vector and matrix inputs (issue 19): array intermediate variables, adjoints as
arrays.  Ground truth: the adjoint of each input equals `gradient ... --at` exactly, and, for
random expression DAGs, SymPy's scalar diff of the function written out entry by entry
(tests/support/ml_oracle.explicit_build), for the reverse sweep's adjoints and for the forward
sweeps' tangents (the directional derivatives along each entry)."""

from __future__ import annotations

import json
import random

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.app.autodiff import autodiff
from gradcli.app.common import Options
from gradcli.app.gradient import gradient
from gradcli.model.declarations import Declarations
from helpers import compile_latex, pdflatex_or_skip, run
from tests.support import ml_oracle as O

LOGISTIC = "sum(log(1 + exp(-y .* (X w))))"
POINT = "y=[1,-1];w=[1,2];X=[[1,0],[2,1]]"


def _equal(a, b) -> bool:
    d = sp.Matrix(a) - sp.Matrix(b)
    return all(v == 0 or sp.simplify(v) == 0 or abs(sp.N(v, 40)) < 1e-35 for v in d)


@pytest.mark.parametrize("text,decl,at", [
    (LOGISTIC, dict(vectors=("y", "w"), matrices=("X",)), POINT),
    ("x^T A x + tr(A A^T)", dict(vectors=("x",), matrices=("A",)), "x=[1,2];A=[[1,2],[3,4]]"),
    ("log(det(A)) + sum(sigmoid(A x))", dict(vectors=("x",), matrices=("A",)), "x=[1,-1];A=[[2,1],[1,3]]"),
    ("norm(A x - b)^2", dict(vectors=("x", "b"), matrices=("A",)), "x=[1,2,0];b=[0,1,1];A=[[1,0,2],[0,1,1],[1,1,0]]"),
])
def test_adjoints_are_the_gradient_at_the_point(text, decl, at):
    opts = Options(decl=Declarations(**decl), at=at)
    res = autodiff(text, opts)
    t = res.trace
    for name, adjoint in zip(t.inputs, t.gradient):
        g = gradient(text, opts, wrt=[name]).value
        g = g.T if g.shape != adjoint.shape else g
        assert _equal(adjoint, g), (name, adjoint, g)
        assert t.variable(name).adjoint == adjoint


def test_arrays_are_intermediate_variables():
    res = autodiff(LOGISTIC, Options(decl=Declarations(vectors=("y", "w"), matrices=("X",)), at=POINT))
    t = res.trace
    a = t.variable("a")
    assert str(a.definition) == "X*w" and a.value == sp.ImmutableMatrix([1, 4])
    assert a.adjoint.shape == (2, 1) and t.variable("X").adjoint.shape == (2, 2)
    assert t.sweeps == ("X[1,1]", "X[1,2]", "X[2,1]", "X[2,2]", "w[1]", "w[2]", "y[1]", "y[2]")
    assert t.variable("f").value == sp.log(1 + sp.exp(-1)) + sp.log(1 + sp.exp(4))


# -- random DAGs with array inputs -----------------------------------------------------------

PIECES = ["sum(exp(A x))", "x^T A x", "tr(A A)", "sum(sigmoid(x) .* x)", "norm(A x)^2", "log(1 + x^T x)",
          "sum((A x) .* (A x))", "sum(tanh(A x + x))", "det(A)", "(a^T x) sum(A x)", "sum(x ./ (1 + x .^ 2))"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=3), st.integers(0, 10**6))
def test_property_reverse_is_gradient_forward_is_directional(pieces, seed):
    text = " + ".join(pieces)
    decl = Declarations(vectors=("x", "a"), matrices=("A",))
    rng = random.Random(seed)
    values = O.random_values({"x": (2, 1), "a": (2, 1), "A": (2, 2)}, rng)
    at = ";".join(f"{k}={v.tolist() if v.cols > 1 else [r[0] for r in v.tolist()]}" for k, v in values.items())
    res = autodiff(text, Options(decl=decl, at=at.replace(" ", "")))
    t = res.trace
    f, ctx = O.explicit_build(text, decl, {sp.Symbol("n", integer=True, positive=True): 2})
    f = f[0, 0] if isinstance(f, sp.MatrixBase) else f
    subs = O.substitution(ctx, {k: v for k, v in values.items() if k in t.inputs})
    k = 0
    out = t.variable(t.output)
    for name, adjoint in zip(t.inputs, t.gradient):
        entries = ctx.lookup(name)
        truth = sp.Matrix(entries.rows, entries.cols, [sp.diff(f, e).xreplace(subs) for e in entries])
        assert _equal(adjoint, truth), (name, adjoint, truth)
        for i in range(entries.rows * entries.cols):  # sweep k: the tangent of f along entry i
            assert _equal(sp.Matrix([[out.tangents[k]]]), sp.Matrix([[list(truth)[i]]]))
            k += 1
    assert k == len(t.sweeps)


# -- the command line ---------------------------------------------------------------------------

ARGS = ["ad", LOGISTIC, "--vector", "y,w", "--matrix", "X", "--at", POINT]


def test_formats():
    plain = run(["-f", "plain", *ARGS]).stdout
    assert "a = X*w = [1, 4]" in plain and "forward mode: 8 sweeps" in plain
    obj = json.loads(run(["-f", "json", *ARGS]).stdout)
    a = next(v for v in obj["variables"] if v["name"] == "a")
    assert a["value"] == "[1, 4]" and a["parents"] == ["X", "w"] and "X[1,1]" in a["tangent"]
    latex = run(["-f", "latex", *ARGS]).stdout
    assert latex.startswith("\\begin{aligned}") and "\\odot" in latex
    rich = run(["-f", "rich", *ARGS], env={"COLUMNS": "120"}).stdout
    assert "evaluation trace" in rich and "…" not in rich


def test_graph_dot(tmp_path):
    pydot = pytest.importorskip("pydot")
    path = tmp_path / "g.dot"
    run([*ARGS, "--graph", str(path)])
    (graph,) = pydot.graph_from_dot_file(str(path))
    names = {n.get_name().strip('"') for n in graph.get_nodes()}
    assert {"X", "w", "y", "a", "f"} <= names


def test_wrt_refused_with_arrays():
    r = run([*ARGS, "--wrt", "w"], exit=2)
    assert "drop --wrt" in r.stderr


def test_too_many_entries_refused():
    values = "[" + ",".join(["1"] * 65) + "]"
    r = run(["ad", "sum(x)", "--vector", "x", "--at", f"x={values}"], exit=2)
    assert "at most 64" in r.stderr


def test_exact_arrays_with_decimals_and_latex_compiles(tmp_path):
    args = ["ad", "sum(exp(A x))", "--vector", "x", "--matrix", "A", "--at", "x=[1,0];A=[[1,2],[0,1]]"]
    plain = run(["-f", "plain", *args]).stdout
    assert "∂f/∂x = [E, 1 + 2*E] ≈ [2.718281828459045, 6.43656365691809]" in plain
    fragment = run(["-f", "latex", *args]).stdout.strip()
    assert r"\approx \begin{bmatrix}2.718281828459045 \\ 1\end{bmatrix}" in fragment
    pdflatex_or_skip()
    proc = compile_latex(tmp_path, "ad", fragment)
    assert proc.returncode == 0, proc.stdout[-1500:]
