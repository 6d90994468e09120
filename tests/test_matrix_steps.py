"""Matrix --steps (issue 19): the derivation by differentials, every step checked on its own.

Each step is an equation d(E) = D(X, dX).  Ground truth is independent of the matrix calculus:
at concrete sizes, every matrix symbol is a random rational matrix, E is written out entry by
entry with X replaced by X0 + t dX0, and SymPy's scalar diff by t at t = 0 gives the left side;
the right side is D at X0 and dX0.  Both are linear in dX and must agree entry by entry (to 30
digits where functions like exp or sigmoid make them irrational).  The form df = tr(G^T dX)
(g^T dx, J dx) is checked the same way, and the derivative read off against the form.
"""

from __future__ import annotations

import random

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.app.common import Options
from gradcli.app.gradient import gradient, jacobian
from gradcli.calculus.matrix.steps import MATRIX_RULES, MatrixStep
from gradcli.model.declarations import Declarations
from gradcli.record import replace
from helpers import compile_latex, pdflatex_or_skip, run

T = sp.Symbol("t", real=True)

LOGISTIC = "sum(log(1 + exp(-y .* (X w))))"
# (id, expression, declarations, wrt, command)
CASES = [
    ("5.103", "a^T X^-1 b", dict(vectors=("a", "b"), matrices=("X",)), "X", "gradient"),
    ("5.104", "x^T a", dict(vectors=("x", "a")), "x", "gradient"),
    ("5.106", "a^T X b", dict(vectors=("a", "b"), matrices=("X",)), "X", "gradient"),
    ("5.107", "x^T B x", dict(vectors=("x",), matrices=("B",)), "x", "gradient"),
    ("5.108", "(x - A s)^T W (x - A s)", dict(vectors=("x", "s"), matrices=("A",), symmetric=("W",)), "s",
     "gradient"),
    ("logistic", LOGISTIC, dict(vectors=("y", "w"), shapes=(("X", "N x D"),)), "w", "gradient"),
    ("logdet", "log(det(X)) + tr(X^-1 A)", dict(matrices=("X", "A")), "X", "gradient"),
    ("trace-power", "tr(X^3) + tr(X)^2", dict(matrices=("X",)), "X", "gradient"),
    ("layer-A", "norm(y - sigmoid(A x + b))^2", dict(vectors=("y", "x", "b"), matrices=("A",)), "A", "gradient"),
    ("softmax-ce", "-y^T log(softmax(z))", dict(vectors=("y", "z")), "z", "gradient"),
    ("logsumexp", "logsumexp(z) + sum(z .* z)", dict(vectors=("z",)), "z", "gradient"),
    ("diag", "x^T diag(exp(x)) x", dict(vectors=("x",)), "x", "gradient"),
    ("hadamard", "sum(X .* (A X) .* sin(X))", dict(matrices=("X", "A")), "X", "gradient"),
    ("scalar-factor", "(x^T x) (a^T x)", dict(vectors=("x", "a")), "x", "gradient"),
    ("jacobian-Ax", "A x", dict(vectors=("x",), matrices=("A",)), "x", "jacobian"),
    ("jacobian-sigmoid", "sigmoid(A x + b)", dict(vectors=("x", "b"), matrices=("A",)), "x", "jacobian"),
    ("jacobian-softmax", "softmax(z)", dict(vectors=("z",)), "z", "jacobian"),
    ("vec", "norm(vec(A X))^2 + sum(vec(X B))", dict(matrices=("X", "A", "B")), "X", "gradient"),
    ("vec-entrywise", "sum(exp(vec(X^T)))", dict(matrices=("X",)), "X", "gradient"),
    ("jacobian-kron", "kron(x, A x)", dict(vectors=("x",), matrices=("A",)), "x", "jacobian"),
]


def _result(text, decl, wrt, command, layout="numerator"):
    opts = Options(decl=Declarations(**decl), layout=layout)
    if command == "gradient":
        return gradient(text, opts, wrt=[wrt], steps=True)
    return jacobian([text], opts, wrt=[wrt], steps=True)


# -- the oracle ---------------------------------------------------------------------------------


def _sizes(expr_set, k: int) -> dict:
    """Every size symbol -> a concrete size (N one more than the others: unequal sizes)."""
    syms = set()
    for e in expr_set:
        for m in e.atoms(sp.MatrixSymbol):
            for d in m.shape:
                syms |= {s for s in sp.sympify(d).free_symbols}
    return {s: (k + 1 if s.name == "N" else k) for s in syms}


def _values(matrices, sizes, rng, symmetric) -> dict:
    out = {}
    for m in matrices:
        r, c = (int(sp.sympify(d).xreplace(sizes)) for d in m.shape)
        v = sp.Matrix(r, c, lambda i, j: sp.Rational(rng.randint(-20, 20), rng.randint(7, 13)))
        if m.name in symmetric:
            v = (v + v.T) / 2
        out[m.name] = v
    return out


def _explicit(expr, sizes, values) -> sp.Matrix:
    e = expr.xreplace(sizes)
    mats = {m: sp.ImmutableMatrix(values[m.name]) for m in e.atoms(sp.MatrixSymbol)}
    mats.update({m: sp.ImmutableMatrix(sp.ones(*m.shape)) for m in e.atoms(sp.OneMatrix)})
    mats.update({m: sp.ImmutableMatrix(sp.eye(m.shape[0])) for m in e.atoms(sp.Identity)})
    out = e.xreplace(mats).doit()
    for _ in range(4):  # an array function of a sum with ones is written out a level at a time
        again = out.doit()
        if again == out:
            break
        out = again
    if isinstance(out, sp.MatrixBase):
        return sp.Matrix(out)
    if hasattr(out, "as_explicit"):
        return sp.Matrix(out.as_explicit())
    return sp.Matrix([[out]])


def _agree(a, b) -> bool:
    if a.shape != b.shape:
        return False
    for u, v in zip(a, b):
        diff = sp.N(u - v, 30)
        if not (abs(diff) <= sp.Float("1e-20") * (1 + abs(sp.N(u, 30)))):
            return False
    return True


def step_holds(step: MatrixStep, steps, sizes, values, d0) -> bool:
    """d(E) at X0 in the direction d0 (scalar diff of the explicit E(X0 + t d0)) equals the
    step's differential at X0 and d0."""
    x, dx = steps.var, steps.dvar
    moved = {**values, x.name: values[x.name] + T * d0}
    lhs = _explicit(step.expression, sizes, moved).applyfunc(lambda v: sp.diff(v, T).subs(T, 0))
    rhs = _explicit(step.differential, sizes, {**values, dx.name: d0})
    if lhs.shape != rhs.shape and rhs.shape == (1, 1):
        rhs = rhs[0, 0] * sp.ones(*lhs.shape) if lhs.shape == (1, 1) else rhs
    return _agree(lhs, rhs)


def check_steps(res, k: int, seed: int, symmetric=frozenset()) -> int:
    """Every step of res.steps holds at size k; the derivative read off matches the form.
    Returns the number of steps checked."""
    steps = res.steps
    rng = random.Random(seed)
    flat = steps.flat()
    exprs = [s.expression for _, s in flat] + [s.differential for _, s in flat] + [steps.result]
    exprs = [e for e in exprs if isinstance(e, sp.Basic)]
    sizes = _sizes(exprs, k)
    matrices = set().union(*(e.atoms(sp.MatrixSymbol) for e in exprs))
    values = _values({m for m in matrices if m.name != steps.dvar.name}, sizes, rng, symmetric)
    d0 = _values({steps.var}, sizes, rng, set())[steps.var.name]
    for _depth, step in flat:
        assert step.rule in MATRIX_RULES, step.rule
        assert step_holds(step, steps, sizes, values, d0), (step.rule, str(step.expression), str(step.differential))
    # the read-off: df at d0 from the derivative equals the form's value
    form = _explicit(steps.form.differential, sizes, {**values, steps.dvar.name: d0})
    deriv = _explicit(steps.result, sizes, values)
    if steps.var.shape[1] == 1 and form.shape == (1, 1):  # g^T dx
        g_row = deriv if steps.layout == "numerator" else deriv.T
        assert _agree(g_row * d0, form)
    elif form.shape == (1, 1):  # tr(G^T dX)
        assert _agree(sp.Matrix([[(deriv.T * d0).trace()]]), form)
    else:  # J dx
        jac = deriv if steps.layout == "numerator" else deriv.T
        assert _agree(jac * d0, form)
    return len(flat)


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_every_step_holds_componentwise(case, layout):
    _id, text, decl, wrt, command = case
    res = _result(text, decl, wrt, command, layout)
    assert res.steps.result == res.result  # the steps read off the result the command shows
    for k, seed in ((2, 1), (3, 2)):
        assert check_steps(res, k, seed, frozenset(decl.get("symmetric", ()))) >= 2


def test_a_wrong_step_is_caught():
    """The oracle can fail: a step with a term dropped, or transposed, does not hold."""
    res = _result("x^T B x", dict(vectors=("x",), matrices=("B",)), "x", "gradient")
    root = res.steps.root
    dx = res.steps.dvar
    named = {m.name: m for m in root.expression.atoms(sp.MatrixSymbol)}
    x, b = named["x"], named["B"]
    for wrong in (sp.MatMul(x.T, b, dx), sp.MatMul(2, x.T, b, dx), sp.MatMul(dx.T, b.T, x) + sp.MatMul(x.T, b, dx)):
        bad = replace(root, differential=wrong)
        rng = random.Random(3)
        exprs = [root.expression, wrong]
        sizes = _sizes(exprs, 3)
        values = _values({m for e in exprs for m in e.atoms(sp.MatrixSymbol) if m.name != dx.name}, sizes, rng, set())
        d0 = _values({res.steps.var}, sizes, rng, set())[res.steps.var.name]
        assert not step_holds(bad, res.steps, sizes, values, d0), wrong


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["x^T A x", "a^T x", "x^T x", "sum(exp(A x))", "norm(A x - a)^2",
                                 "sum(sigmoid(x) .* a)", "logsumexp(A x)", "(a^T x)^2"]),
                min_size=1, max_size=3),
       st.sampled_from(["numerator", "denominator"]))
def test_random_sums_of_terms(terms, layout):
    text = " + ".join(terms)
    decl = dict(vectors=("x", "a"), matrices=("A",))
    res = _result(text, decl, "x", "gradient", layout)
    check_steps(res, 2, 7)


# -- the command line --------------------------------------------------------------------------

LOGISTIC_ARGS = ["gradient", LOGISTIC, "--vector", "y,w", "--shape", "X=N x D", "--wrt", "w", "--steps"]


def test_plain_lines():
    args = ["gradient", "a^T X b", "--vector", "a,b", "--matrix", "X", "--wrt", "X", "--steps"]
    out = run(["-f", "plain", *args]).stdout
    assert out.splitlines() == [
        "product: d(a.T*X*b) = a.T*dX*b (d(XY) = dX Y + X dY)",
        "trace form: d(a.T*X*b) = Trace(b*a.T*dX) (tr(AB) = tr(BA) and tr(A^T) = tr(A), like terms collected)",
        "read off: df/dX = a*b.T (G of df = tr(G^T dX), the shape of X)",
        "a*b.T",
    ]


def test_json_steps():
    import json

    obj = json.loads(run(["-f", "json", *LOGISTIC_ARGS]).stdout)
    assert [s["rule"] for s in obj["steps"]] == ["sum of entries", "entrywise", "product", "trace form"]
    assert [s["depth"] for s in obj["steps"]] == [0, 1, 2, 0]
    assert all(set(s) >= {"rule", "expression", "differential", "wrt", "depth"} for s in obj["steps"])
    assert obj["steps"][-1]["differential"] == "-(y.*sigmoid(-(y.*(X*w)))).T*X*dw"
    assert obj["read_off"] == "numerator layout: the row g^T of df = g^T dw"
    assert obj["result"] == "-(y.*sigmoid(-(y.*(X*w)))).T*X"


def test_rich_table_and_read_off():
    out = run(["-f", "rich", *LOGISTIC_ARGS], env={"COLUMNS": "100"}).stdout
    assert "steps" in out and "sum of entries" in out and "read off" in out and "⊙" in out
    assert "…" not in out and "Trace" not in out


def test_derivative_and_jacobian_take_steps():
    out = run(["-f", "plain", "derivative", "x^T B x", "--vector", "x", "--matrix", "B", "--wrt", "x",
               "--steps", "--layout", "denominator"]).stdout.splitlines()
    assert out[0] == "product: d(x.T*B*x) = dx.T*B*x + x.T*B*dx (d(XY) = dX Y + X dY)"
    assert out[-1] == "(B + B.T)*x"
    out = run(["-f", "plain", "jacobian", "A x", "--vector", "x", "--matrix", "A", "--wrt", "x", "--steps"]).stdout
    assert "jacobian form: d(A*x) = A*dx" in out


@pytest.mark.parametrize("args", [
    ["gradient", "x^2 y", "--steps"],
    ["jacobian", "x y, x + y", "--steps"],
    ["derivative", "x^T B x", "--vector", "x", "--matrix", "B", "--wrt", "x", "--steps", "--definition"],
    ["derivative", "A X", "--matrix", "A,X", "--wrt", "X", "--steps"],
])
def test_steps_by_scalars_refused(args):
    r = run(args, exit=2)
    assert ("--steps" in r.stderr or "tensor" in r.stderr) and "Traceback" not in r.stderr


def test_latex_compiles(tmp_path):
    fragment = run(["-f", "latex", *LOGISTIC_ARGS]).stdout.strip()
    assert fragment.startswith("\\begin{aligned}") and fragment.endswith("\\end{aligned}")
    assert "\\mathrm{d}\\left( X w \\right) &= X \\mathrm{dw}" in fragment
    pdflatex_or_skip()
    proc = compile_latex(tmp_path, "steps", fragment)
    assert proc.returncode == 0, proc.stdout[-1500:]
