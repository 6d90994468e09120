"""Property (issue 12): a claim written in plain text and in LaTeX reads the same.

Hypothesis generates claims over Greek and multi-character names (θ, θ1, φ_k, x_i, rate, λ)
with derivative operators by those names (d/dθ1, ∂/∂x_i, d^2/dθ^2, ∂^2/∂x∂θ), functions,
fractions, powers and implicit products, renders each in both languages (the LaTeX the way
a paper writes it: \\frac, \\left( \\right), e^{...}, \\sin x \\, e^{...}), and checks that both
parse to equations whose sides build to the same SymPy objects.  The plain form is never
derived from the LaTeX one or the other way round: both come from the tree."""

from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.calculus.derivative import build
from gradcli.errors import InputError
from gradcli.language import ast as S
from gradcli.language import parse_claim
from gradcli.model.declarations import Context

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

#: (plain, LaTeX) spellings of the same variable
NAMES = [("x", "x"), ("y", "y"), ("θ", r"\theta"), ("θ1", r"\theta_1"), ("α", r"\alpha"),
         ("x_i", "x_{i}"), ("rate", r"\mathrm{rate}"), ("y2", "y_2"), ("λ", r"\lambda"),
         ("φ_k", r"\varphi_{k}"), ("theta2", r"\theta_{2}")]
FUNCS = {"sin": r"\sin", "cos": r"\cos", "log": r"\log", "atan": r"\arctan", "tanh": r"\tanh"}

names = st.sampled_from(NAMES)
leaves = st.one_of(names.map(lambda n: ("name", n)), st.integers(1, 5).map(lambda k: ("num", k)))


def _extend(children):
    return st.one_of(
        st.tuples(st.sampled_from(sorted(FUNCS)), children).map(lambda t: ("call", *t)),
        st.tuples(st.sampled_from(["exp", "exp_cmd"]), children).map(lambda t: ("exp", t[0] == "exp_cmd", t[1])),
        children.map(lambda c: ("sqrt", c)),
        st.tuples(st.sampled_from(["+", "-", "*", "*dot", "/"]), children, children).map(lambda t: ("bin", *t)),
        st.tuples(children, st.integers(2, 3)).map(lambda t: ("pow", *t)),
        st.tuples(names, st.booleans(), children).map(lambda t: ("d", *t)),
        st.tuples(names, children).map(lambda t: ("d2", *t)),
        st.tuples(names, names, children).map(lambda t: ("mixed", *t)),
        st.tuples(names, names).map(lambda t: ("run", *t)),
    )


trees = st.recursive(leaves, _extend, max_leaves=6)


def plain(t) -> str:
    k = t[0]
    if k == "name":
        return t[1][0]
    if k == "num":
        return str(t[1])
    if k == "call":
        return f"{t[1]}({plain(t[2])})"
    if k == "exp":
        return f"exp({plain(t[2])})"
    if k == "sqrt":
        return f"sqrt({plain(t[1])})"
    if k == "bin":
        op = {"*": " ", "*dot": " * "}.get(t[1], f" {t[1]} ")
        return f"({plain(t[2])}){op}({plain(t[3])})"
    if k == "pow":
        return f"({plain(t[1])})^{t[2]}"
    if k == "d":
        d = "∂" if t[2] else "d"
        return f"{d}/{d}{t[1][0]} ({plain(t[3])})"
    if k == "d2":
        return f"d^2/d{t[1][0]}^2 ({plain(t[2])})"
    if k == "mixed":
        if t[1] == t[2]:
            return f"∂^2/∂{t[1][0]}^2 ({plain(t[3])})"
        return f"∂^2/∂{t[1][0]}∂{t[2][0]} ({plain(t[3])})"
    if k == "run":  # a function's unbracketed argument in LaTeX, then e^{...}
        return f"sin({t[1][0]}) exp({t[2][0]})"
    raise AssertionError(t)


def latex(t) -> str:
    k = t[0]
    if k == "name":
        return t[1][1]
    if k == "num":
        return str(t[1])
    if k == "call":
        return rf"{FUNCS[t[1]]}\left({latex(t[2])}\right)"
    if k == "exp":
        return rf"\exp\left({latex(t[2])}\right)" if t[1] else rf"e^{{{latex(t[2])}}}"
    if k == "sqrt":
        return rf"\sqrt{{{latex(t[1])}}}"
    if k == "bin":
        a, b = latex(t[2]), latex(t[3])
        if t[1] == "/":
            return rf"\frac{{{a}}}{{{b}}}"
        op = {"*": " ", "*dot": r" \cdot "}.get(t[1], f" {t[1]} ")
        return rf"\left({a}\right){op}\left({b}\right)"
    if k == "pow":
        return rf"\left({latex(t[1])}\right)^{{{t[2]}}}"
    if k == "d":
        if t[2]:
            return rf"\frac{{\partial}}{{\partial {t[1][1]}}} \left({latex(t[3])}\right)"
        return rf"\frac{{d}}{{d{t[1][1]}}} \left({latex(t[3])}\right)"
    if k == "d2":
        return rf"\frac{{d^2}}{{d{t[1][1]}^2}} \left({latex(t[2])}\right)"
    if k == "mixed":
        if t[1] == t[2]:
            return rf"\frac{{\partial^2}}{{\partial {t[1][1]}^2}} \left({latex(t[3])}\right)"
        return rf"\frac{{\partial^2}}{{\partial {t[1][1]} \partial {t[2][1]}}} \left({latex(t[3])}\right)"
    if k == "run":
        return rf"\sin {t[1][1]} \, e^{{{t[2][1]}}}"
    raise AssertionError(t)


def _same(a, b) -> bool:
    if a == b:
        return True
    d = a - b
    syms = sorted(d.free_symbols, key=str)
    rng = random.Random(1)
    for _ in range(3):  # equal as functions: compare at random points (complex where not real)
        point = {s: sp.Rational(rng.randint(11, 29), 7) for s in syms}
        v = complex(d.xreplace(point).evalf(30))
        if not mpmath.isfinite(v.real) or abs(v) > 1e-20 * (1 + abs(complex(a.xreplace(point).evalf(30)))):
            return False
    return True


def _sides(src: str, latex_input: bool = False):
    node = parse_claim(src, latex=latex_input)
    assert isinstance(node, S.Equation)
    ctx = Context(source=src)
    return build(node.lhs, ctx), build(node.rhs, ctx)


@SETTINGS
@given(trees, trees)
def test_plain_and_latex_read_the_same(lhs, rhs):
    p = f"{plain(lhs)} = {plain(rhs)}"
    q = f"{latex(lhs)} = {latex(rhs)}"
    try:
        pl, pr = _sides(p)
    except InputError as exc:  # refused (x/log(1): division by zero): the LaTeX is refused alike
        with pytest.raises(type(exc)):
            _sides(q, latex_input=True)
        return
    ql, qr = _sides(q, latex_input=True)
    assert _same(pl, ql), (p, q, pl, ql)
    assert _same(pr, qr), (p, q, pr, qr)


def test_the_generator_covers_what_it_claims():
    # a fixed example of each construct reads the same both ways
    n = dict(NAMES)
    cases = [
        ("d/dθ1 (θ1^3 rate) = 3 θ1^2 rate",
         r"\frac{d}{d\theta_1} \left(\theta_1^{3} \mathrm{rate}\right) = 3 \theta_1^{2} \mathrm{rate}"),
        ("∂^2/∂x_i∂θ (x_i^2 θ) = 2 x_i",
         r"\frac{\partial^2}{\partial x_{i} \partial \theta} \left(x_{i}^{2} \theta\right) = 2 x_{i}"),
        ("d/dx exp(sin(x)) = cos(x) exp(sin(x))", r"\frac{d}{dx} e^{\sin x} = \cos x \, e^{\sin x}"),
        ("d/dx exp(sin(x)) = cos(x) exp(sin(x))", r"\frac{d}{dx} e^{\sin x} = \cos x e^{\sin x}"),
        ("d/dx exp(sin(x)) = cos(x) exp(sin(x))", r"\frac{d}{dx} \exp(\sin x) = \cos x \exp(\sin x)"),
        ("d/dλ (λ^2 φ_k) = 2 λ φ_k", r"\frac{d}{d\lambda} \left(\lambda^2 \varphi_{k}\right) = 2 \lambda \varphi_{k}"),
    ]
    assert n["θ1"] == r"\theta_1"
    for p, q in cases:
        pl, pr = _sides(p)
        ql, qr = _sides(q, latex_input=True)
        assert pl == ql and pr == qr, (p, q)
