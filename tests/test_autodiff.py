"""gradcli autodiff: the evaluation trace of section 5.6 (Example 5.14), forward and reverse mode.

Ground truth is independent of the engine: the book's own trace and local partials (5.140,
5.141) and its reverse sweep (5.142-5.145) written out by hand, sympy.diff of the function and
of each intermediate variable's subexpression, mpmath central differences in 40-digit
arithmetic, and `gradcli gradient --at` (a different code path: symbolic gradient, then the
point).  Random expression DAGs (shared subexpressions) come from hypothesis.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import mpmath
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.calculus.autodiff import LETTERS, local_partial, trace
from helpers import assert_short_error, compile_latex, pdflatex_or_skip, run

x, y, z = sp.symbols("x y z", real=True)
E = sp.E
EXAMPLE = "sqrt(x^2 + exp(x^2)) + cos(x^2 + exp(x^2))"
F514 = sp.sqrt(x**2 + sp.exp(x**2)) + sp.cos(x**2 + sp.exp(x**2))
GOLDEN = Path(__file__).parent / "golden"


def ad_json(*args: str) -> dict:
    return json.loads(run(["-f", "json", "autodiff", *args]).stdout)


def same(a: sp.Expr, b: sp.Expr, digits: int = 50) -> bool:
    """Equal to ``digits`` significant digits (evaluated in high precision, not floats)."""
    a, b = sp.sympify(a), sp.sympify(b)
    diff = sp.N(a - b, digits + 10)
    scale = max(1, abs(sp.N(b, digits + 10)))
    return abs(diff) <= scale * sp.Float(10) ** (-digits)


def fd_partial(f: sp.Expr, variables: list, point: dict, var) -> sp.Float:
    """∂f/∂var at the point by mpmath's numerical differentiation in 40 digits."""
    g = sp.lambdify(variables, f, "mpmath")
    with mpmath.workdps(40):
        base = [mpmath.mpf(str(sp.N(point[v], 50))) for v in variables]
        i = variables.index(var)

        def along(t):
            args = list(base)
            args[i] += t
            return g(*args)

        return sp.Float(mpmath.nstr(mpmath.diff(along, 0), 40), 40)


# -- Example 5.14 -----------------------------------------------------------------------

def test_example_5_14_trace_is_the_books():
    # (5.140): a = x^2, b = exp(a), c = a + b, d = sqrt(c), e = cos(c), f = d + e
    t = trace(F514, [x], {x: sp.Integer(1)})
    a, b, c, d, e, f = sp.symbols("a b c d e f", real=True)
    names = [v.name for v in t.variables]
    assert names == ["x", "a", "b", "c", "d", "e", "f"]
    defs = {v.name: v.definition for v in t.variables}
    assert defs == {"x": None, "a": x**2, "b": sp.exp(a), "c": a + b, "d": sp.sqrt(c), "e": sp.cos(c), "f": d + e}
    # a DAG: c is computed once and feeds both d and e; a feeds b and c
    assert t.variable("c").children == ("d", "e")
    assert t.variable("a").children == ("b", "c")
    assert t.variable("f").parents == ("d", "e")
    # (5.141): the local partials
    book = {("a", "x"): 2 * x, ("b", "a"): sp.exp(a), ("c", "a"): 1, ("c", "b"): 1,
            ("d", "c"): 1 / (2 * sp.sqrt(c)), ("e", "c"): -sp.sin(c), ("f", "d"): 1, ("f", "e"): 1}
    got = {(v.name, p.parent): p.formula for v in t.variables for p in v.partials}
    assert got == book
    # values at x = 1, exactly
    values = {v.name: v.value for v in t.variables}
    assert values == {"x": 1, "a": 1, "b": E, "c": 1 + E, "d": sp.sqrt(1 + E), "e": sp.cos(1 + E),
                      "f": sp.sqrt(1 + E) + sp.cos(1 + E)}


def _book_reverse(at: sp.Expr) -> dict:
    """5.142-5.145 written out by hand at x = ``at``."""
    a = at**2
    b = sp.exp(a)
    c = a + b
    df_dd = df_de = 1
    df_dc = df_dd * 1 / (2 * sp.sqrt(c)) + df_de * (-sp.sin(c))  # (5.142)
    df_db = df_dc * 1  # (5.143)
    df_da = df_db * sp.exp(a) + df_dc * 1  # (5.144)
    df_dx = df_da * 2 * at  # (5.145)
    return {"f": 1, "e": df_de, "d": df_dd, "c": df_dc, "b": df_db, "a": df_da, "x": df_dx}


@pytest.mark.parametrize("at", [sp.Integer(1), sp.Rational(1, 2), sp.sqrt(2), sp.Rational(-3, 4)],
                         ids=str)
def test_example_5_14_reverse_sweep_is_5_142_to_5_145(at):
    t = trace(F514, [x], {x: at})
    book = _book_reverse(at)
    for v in t.variables:
        assert sp.simplify(v.adjoint - book[v.name]) == 0, v.name
    truth = sp.diff(F514, x).subs(x, at)
    assert sp.simplify(t.gradient[0] - truth) == 0
    # forward mode: each tangent is d(v's subexpression)/dx
    for v in t.variables:
        assert sp.simplify(v.tangents[0] - sp.diff(v.expression, x).subs(x, at)) == 0, v.name


@pytest.mark.parametrize("point", ["x=1", "x=1/2", "x=sqrt(2)", "x=-3/4", "x=0.5", "x=1.0"])
def test_example_5_14_cli_gradient_equals_gradient_at(point):
    data = ad_json(EXAMPLE, "--at", point)
    grad = json.loads(run(["-f", "json", "gradient", EXAMPLE, "--at", point]).stdout)
    assert [v["name"] for v in data["variables"]] == ["x", "a", "b", "c", "d", "e", "f"]
    ad_value = sp.sympify(data["value"][0])
    gradient_value = sp.sympify(grad["value"][0])
    if "." in point:
        assert data["value"] == grad["value"]  # the same decimals, digit for digit
    else:
        assert sp.simplify(ad_value - gradient_value) == 0
    at = sp.nsimplify(sp.sympify(point.split("=")[1]), rational=True)
    assert same(ad_value, sp.diff(F514, x).subs(x, at), 14 if "." in point else 50)
    assert abs(sp.N(ad_value, 30) - fd_partial(F514, [x], {x: at}, x)) < (1e-13 if "." in point else 1e-25)


def test_example_5_14_plain_output():
    out = run(["-f", "plain", "autodiff", EXAMPLE, "--at", "x=1"]).stdout.splitlines()
    assert out[1].startswith("a = x**2 = 1; ∂a/∂x = 2*x = 2; da/dx = 2; ∂f/∂a = ")
    assert out[3].startswith("c = a + b = 1 + E ≈ 3.718281828459045; ∂c/∂a = 1, ∂c/∂b = 1; ")
    assert out[4].startswith("d = sqrt(c) = sqrt(1 + E) ≈ 1.9282846855324671; ∂d/∂c = 1/(2*sqrt(c)) = ")
    assert out[-2] == "forward mode: 1 sweep, one per input (x); reverse mode: 1 sweep for all inputs; the gradient:"
    # the last line is exactly what `gradient --at` prints
    assert out[-1] == run(["-f", "plain", "gradient", EXAMPLE, "--at", "x=1"]).stdout.strip()
    assert out[-1] == "[sqrt(1 + E) - 2*(1 + E)*sin(1 + E)]"


# -- several inputs, modes, parameters ---------------------------------------------------------

GRADIENT_CASES = [
    ("x^2 y + sin(z)", "x=1,y=2,z=0"),
    ("exp(x y) / (1 + y^2)", "x=1,y=2"),
    ("log(x) sqrt(x y + 1)/y", "x=2,y=3"),
    ("atan(x/y) + x^y", "x=2,y=3"),
    ("tanh(x - 2 y) cos(x)^2", "x=1/3,y=1/5"),
    ("x^3 - 3x y^2 + 2", "x=1.25,y=-0.5"),
    ("sin(x y) + x y", "x=pi/6,y=1"),
    ("abs(x - y) + sign(y) y^2", "x=3,y=-2"),
    ("x^2 / y^2 - 1/sqrt(x)", "x=4,y=3"),
]


@pytest.mark.parametrize("expr,point", GRADIENT_CASES)
def test_gradient_equals_gradient_at(expr, point):
    data = ad_json(expr, "--at", point)
    grad = json.loads(run(["-f", "json", "gradient", expr, "--at", point]).stdout)
    assert data["wrt"] == grad["wrt"]
    exact = "." not in point
    for a, g in zip(data["value"], grad["value"]):
        if exact:
            d = sp.sympify(a) - sp.sympify(g)
            assert sp.simplify(d) == 0 or sp.simplify(d.rewrite(sp.exp)) == 0, (a, g)
        else:
            assert a == g
    # and against sympy.diff and mpmath, independently of both commands
    from gradcli.app.common import Options, build_text

    f, _ = build_text(expr, Options())
    variables = sorted(f.free_symbols, key=lambda s: s.name)
    point_values = {sp.Symbol(k, real=True): sp.nsimplify(sp.sympify(v.replace("pi", "pi")), rational=True)
                    for k, v in (p.split("=") for p in point.split(","))}
    for name, a in zip(data["wrt"], data["value"]):
        var = sp.Symbol(name, real=True)
        truth = sp.diff(f, var).subs(point_values)
        assert same(sp.sympify(a), truth, 50 if exact else 14)
        assert abs(sp.N(sp.sympify(a), 30) - fd_partial(f, variables, point_values, var)) < 1e-12


def test_several_inputs_one_forward_sweep_each_one_reverse_sweep():
    data = ad_json("x y + sin(x)", "--at", "x=1,y=2")
    assert data["sweeps"] == {"forward": 2, "reverse": 1}
    xs = {v["name"]: v for v in data["variables"]}
    assert xs["x"]["tangent"] == {"x": "1", "y": "0"}
    assert xs["y"]["tangent"] == {"x": "0", "y": "1"}
    assert xs["f"]["tangent"] == {"x": data["value"][0], "y": data["value"][1]}
    plain = run(["-f", "plain", "autodiff", "x y + sin(x)", "--at", "x=1,y=2"]).stdout
    assert "forward mode: 2 sweeps, one per input (x, y); reverse mode: 1 sweep for all inputs" in plain
    rich = run(["-f", "rich", "autodiff", "x y + sin(x)", "--at", "x=1,y=2"], env={"COLUMNS": "100"}).stdout
    assert "forward mode, sweep 1 of 2: seed dx/dx = 1" in rich
    assert "forward mode, sweep 2 of 2: seed dy/dy = 1" in rich
    assert "reverse mode, 1 sweep for all inputs: seed ∂f/∂f = 1" in rich


def test_modes():
    both = ad_json("x y + sin(x)", "--at", "x=1,y=2")
    fwd = ad_json("x y + sin(x)", "--at", "x=1,y=2", "--mode", "forward")
    rev = ad_json("x y + sin(x)", "--at", "x=1,y=2", "--mode", "reverse")
    assert both["value"] == fwd["value"] == rev["value"]
    assert all(v["adjoint"] is None and v["tangent"] is not None for v in fwd["variables"])
    assert all(v["tangent"] is None and v["adjoint"] is not None for v in rev["variables"])
    assert fwd["sweeps"] == {"forward": 2, "reverse": 0} and rev["sweeps"] == {"forward": 0, "reverse": 1}
    out = run(["-f", "plain", "autodiff", "x y", "--at", "x=1,y=2", "--mode", "reverse"]).stdout
    assert "d" not in out.split("\n")[0].split(";")[1] and "forward" not in out
    run(["autodiff", "x", "--at", "x=1", "--mode", "sideways"], exit=2)


def test_wrt_holds_the_others_constant():
    data = ad_json("x y + sin(x)", "--at", "x=1,y=2", "--wrt", "x")
    kinds = {v["name"]: v["kind"] for v in data["variables"]}
    assert kinds["x"] == "input" and kinds["y"] == "parameter"
    assert data["wrt"] == ["x"] and data["sweeps"]["forward"] == 1
    assert sp.simplify(sp.sympify(data["value"][0]) - (2 + sp.cos(1))) == 0
    # a --wrt variable that f does not contain has derivative 0
    data = ad_json("x^2", "--at", "x=3,z=1", "--wrt", "x,z")
    assert data["value"] == ["6", "0"]


def test_bare_point_for_one_variable_and_digits():
    data = ad_json("x^3", "--at", "2")
    assert data["value"] == ["12"]
    data = ad_json("sin(x)", "--at", "x=1", "--digits", "5")
    v = {d["name"]: d for d in data["variables"]}
    assert v["f"]["value"] == "sin(1)"  # exact stays exact; --digits is the decimal beside it
    plain = run(["-f", "plain", "autodiff", "sin(x)", "--at", "x=1", "--digits", "5"]).stdout
    assert "f = sin(x) = sin(1) ≈ 0.84147;" in plain
    data = ad_json("sin(x)", "--at", "x=1.0", "--digits", "5")
    assert data["value"] == ["0.5403"]  # 5 significant digits, the trailing zero of 0.54030 dropped


# -- naming, granularity ---------------------------------------------------------------------

def test_names_skip_inputs_and_e_beside_eulers_number():
    t = trace(sp.sin(sp.Symbol("a", real=True)) ** 2 + 1, [sp.Symbol("a", real=True)], {sp.Symbol("a", real=True): 1})
    assert [v.name for v in t.variables] == ["a", "b", "c", "f"]
    # Euler's number as a constant: no variable named e
    expr = E * sp.sin(x) + sp.cos(x) * sp.sin(x) + sp.exp(x) + x**2
    t = trace(expr, [x], {x: sp.Integer(1)})
    assert "e" not in [v.name for v in t.variables]
    # an input named f: the output is F
    f_sym = sp.Symbol("f", real=True)
    t = trace(sp.sin(f_sym), [f_sym], {f_sym: sp.Integer(0)})
    assert [v.name for v in t.variables] == ["f", "F"]


def test_many_variables_are_v1_v2():
    expr = sum(sp.sin(k * x) for k in range(1, 13))
    t = trace(expr, [x], {x: sp.Integer(1)})
    names = [v.name for v in t.variables]
    assert names[1:4] == ["v1", "v2", "v3"] and names[-1] == "f"
    assert len(names) > len(LETTERS)


@pytest.mark.parametrize("text,definitions", [
    ("x - y", {"f": "x - y"}),
    ("x/y", {"f": "x/y"}),
    ("x/y^2", {"a": "y**2", "f": "x/a"}),
    ("1/x^2", {"a": "x**2", "f": "1/a"}),
    ("3 x^2 - 2 x y + 1", {"a": "x**2", "b": "x*y", "f": "3*a - 2*b + 1"}),
    ("2^x", {"f": "2**x"}),
    ("x^y", {"f": "x**y"}),
    ("exp(-x)", {"a": "-x", "f": "exp(a)"}),
    ("x", {"f": "x"}),
    ("atan2(y, x)", {"f": "atan2(y, x)"}),
    ("sqrt(2) x + pi", {"f": "sqrt(2)*x + pi"}),
])
def test_granularity(text, definitions):
    data = ad_json(text, "--at", "x=1,y=2" if "y" in text else "x=1")
    got = {v["name"]: v["definition"] for v in data["variables"] if v["definition"] is not None}
    assert got == definitions


def test_shared_subexpressions_once():
    # sin(x y) appears three times and x y four times: one node each
    data = ad_json("sin(x y)^2 + cos(sin(x y)) + x y", "--at", "x=1,y=2")
    defs = [v["definition"] for v in data["variables"] if v["definition"]]
    assert defs.count("x*y") == 1 and defs.count("sin(a)") == 1
    a = next(v for v in data["variables"] if v["definition"] == "x*y")
    assert len([v for v in data["variables"] if a["name"] in v["parents"]]) == 2  # sin(x y) and f


LOCAL = sp.Symbol("u", real=True)
W = sp.Symbol("w", real=True)
TABLE = [  # a fixed table of elementary derivatives, written by hand
    (LOCAL**2, {LOCAL: 2 * LOCAL}), (sp.sqrt(LOCAL), {LOCAL: 1 / (2 * sp.sqrt(LOCAL))}),
    (1 / LOCAL, {LOCAL: -1 / LOCAL**2}), (sp.exp(LOCAL), {LOCAL: sp.exp(LOCAL)}),
    (sp.log(LOCAL), {LOCAL: 1 / LOCAL}), (sp.sin(LOCAL), {LOCAL: sp.cos(LOCAL)}),
    (sp.cos(LOCAL), {LOCAL: -sp.sin(LOCAL)}), (sp.tan(LOCAL), {LOCAL: 1 + sp.tan(LOCAL) ** 2}),
    (sp.atan(LOCAL), {LOCAL: 1 / (1 + LOCAL**2)}), (sp.tanh(LOCAL), {LOCAL: 1 - sp.tanh(LOCAL) ** 2}),
    (sp.Abs(LOCAL), {LOCAL: sp.sign(LOCAL)}), (sp.sign(LOCAL), {LOCAL: 0}),
    (LOCAL * W, {LOCAL: W, W: LOCAL}), (LOCAL / W, {LOCAL: 1 / W, W: -LOCAL / W**2}),
    (LOCAL + W, {LOCAL: 1, W: 1}), (3 * LOCAL - W + 1, {LOCAL: 3, W: -1}),
    (LOCAL**W, {LOCAL: W * LOCAL ** (W - 1), W: LOCAL**W * sp.log(LOCAL)}),
    (sp.erf(LOCAL), {LOCAL: 2 * sp.exp(-LOCAL**2) / sp.sqrt(sp.pi)}),
]


@pytest.mark.parametrize("definition,partials", TABLE, ids=lambda v: str(v) if isinstance(v, sp.Basic) else "")
def test_local_partials_match_the_table(definition, partials):
    for symbol, expected in partials.items():
        assert sp.simplify(local_partial(definition, symbol) - expected) == 0


# -- refusals --------------------------------------------------------------------------------

@pytest.mark.parametrize("args,needles", [
    (["abs(x)", "--at", "x=0"], ["x=0", "kink"]),
    (["x abs(x)", "--at", "x=0"], ["x=0", "kink"]),  # f is differentiable, but abs at 0 is not
    (["sign(x - 1) x", "--at", "x=1"], ["x=1", "jump"]),
    (["log(x)", "--at", "x=-1"], ["x=-1", "reals"]),
    (["sqrt(x - 1)", "--at", "x=0"], ["x=0", "reals"]),
    (["sqrt(x)", "--at", "x=0"], ["x=0", "1/(2*sqrt(x))"]),
    (["acos(x)", "--at", "x=1"], ["x=1", "not defined"]),
    (["1/(x - 1)", "--at", "x=1"], ["x=1", "not defined"]),
    (["x^2 + y", "--at", "x=1"], ["no value for y"]),
    (["x^2", "--at", "x=a"], ["numbers"]),
    (["x^2", "--at", "x=1,x=2"], ["twice"]),
    (["3", "--at", "x=1"], ["no variables"]),
    (["[x, y]", "--at", "x=1,y=2"], ["scalar"]),
    (["x^T A x", "--vector", "x", "--matrix", "A", "--at", "x=1"], []),
    (["sin(x)", "--at", "x=1", "--graph", "out.png"], [".dot", ".svg"]),
    (["sin(x)", "cos(x)", "--at", "x=1", "--graph", "out.dot"], ["one"]),
    (["sin(x)", "--at", "x=1", "--graph", "/nonexistent/dir/out.dot"], ["cannot write"]),
    (["sin(x)"], ["--at"]),
    (["foo(x)", "--at", "x=1"], ["unknown function"]),
])
def test_refusals_are_short_errors(args, needles):
    r = run(["autodiff", *args], exit=2)
    if needles:
        assert_short_error(r, *needles)
    assert "Traceback" not in r.stderr


def test_points_outside_the_domain_name_the_point():
    r = run(["autodiff", "log(x - 2) + x", "--at", "x=1"], exit=2)
    assert_short_error(r, "at x=1", "log(a)", "a = -1")


def test_kink_refused_even_where_gradient_answers():
    # gradient decides x abs(x) at 0 by one-sided limits (0); autodiff's abs node has no local
    # derivative there, so it refuses rather than using sign(0) = 0 as a convention would
    assert run(["-f", "plain", "gradient", "x abs(x)", "--at", "x=0"]).stdout.strip() == "[0]"
    run(["autodiff", "x abs(x)", "--at", "x=0"], exit=2)
    # away from the kink: the local partial of abs is sign
    data = ad_json("x abs(x)", "--at", "x=-2")
    assert data["value"] == ["4"]


def test_max_and_min_trace_and_refuse_ties():
    # not in the expression language yet (the machine-learning functions are), but traced
    f = sp.Max(x, y) * sp.Min(x, 2)
    t = trace(f, [x, y], {x: sp.Integer(1), y: sp.Integer(3)})
    assert [sp.simplify(g - sp.diff(f, v).subs({x: 1, y: 3})) for g, v in zip(t.gradient, [x, y])] == [0, 0]
    assert t.gradient == (3, 1)
    from gradcli.errors import InputError

    with pytest.raises(InputError, match="kink or jump"):
        trace(f, [x, y], {x: sp.Integer(3), y: sp.Integer(3)})


def test_stdin_lines():
    r = run(["-f", "plain", "autodiff", "-", "--at", "x=1"], input="x^2\nlog(x - 3)\nexp(x)\n", exit=2)
    assert "[2]" in r.stdout and "[E]" in r.stdout
    assert "line 2" in r.stderr


# -- random expression DAGs ------------------------------------------------------------------

UNARY = [
    lambda a: sp.sin(a), lambda a: sp.cos(a), lambda a: sp.exp(a / 3), lambda a: sp.atan(a),
    lambda a: sp.tanh(a), lambda a: sp.log(1 + a**2), lambda a: sp.sqrt(2 + a**2), lambda a: a**2,
    lambda a: a**3, lambda a: 3 * a, lambda a: -a, lambda a: 1 / (1 + a**2),
]
BINARY = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b, lambda a, b: a / (2 + b**2),
          lambda a, b: a * sp.exp(-b**2), lambda a, b: sp.sin(a + b)]


@st.composite
def dags(draw):
    n = draw(st.integers(1, 3))
    inputs = [x, y, z][:n]
    pool = list(inputs)
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            pool.append(draw(st.sampled_from(UNARY))(draw(st.sampled_from(pool))))
        else:
            pool.append(draw(st.sampled_from(BINARY))(draw(st.sampled_from(pool)), draw(st.sampled_from(pool))))
    # the output reuses earlier nodes: shared subexpressions
    f = draw(st.sampled_from(BINARY))(pool[-1], draw(st.sampled_from(pool)))
    point = {v: sp.Rational(draw(st.integers(-12, 12)), draw(st.integers(1, 6))) for v in inputs}
    return f, inputs, point


# a bounded simplification that runs out raises its alarm; when that lands inside hypothesis's
# garbage-collection callback, Python reports it as unraisable (and limits re-arms the alarm)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dags())
def test_random_dags_adjoints_are_the_gradient_and_tangents_directional_derivatives(case):
    f, inputs, point = case
    if not (f.free_symbols & set(inputs)):
        return  # cancelled to a constant
    t = trace(f, inputs, point)
    names = [v.name for v in t.variables]
    assert len(names) == len(set(names))
    by_name = {v.name: v for v in t.variables}
    for j, var in enumerate(inputs):
        truth = sp.diff(f, var).subs(point)
        # reverse mode: the inputs' adjoints are the gradient
        assert same(by_name[str(var)].adjoint, truth), (f, var)
        # forward mode: the output's tangent is the directional derivative along e_j, by mpmath
        # (relative: a tangent such as exp(exp(14/3)/3) runs to 10^16, beyond 30 digits' 1e-20)
        fd = fd_partial(f, inputs, point, var)
        assert abs(sp.N(t.variable(t.output).tangents[j], 30) - fd) < 1e-20 * max(1, abs(fd))
        # and every intermediate variable's tangent is the derivative of its own subexpression
        for v in t.variables:
            assert same(v.tangents[j], sp.diff(v.expression, var).subs(point)), (f, v.name)
    for v in t.variables:
        assert same(v.value, v.expression.subs(point)), (f, v.name)
        if v.definition is not None:  # the definition in the parents' symbols is the subexpression
            parents = {sp.Symbol(p, real=True): by_name[p].expression for p in v.parents}
            assert sp.simplify(v.definition.xreplace(parents) - v.expression) == 0
    # a DAG: each subexpression once
    exprs = [v.expression for v in t.variables if v.kind != "output"]
    assert len(exprs) == len(set(exprs))


# a bounded simplification that runs out raises its alarm; when that lands inside hypothesis's
# garbage-collection callback, Python reports it as unraisable (and limits re-arms the alarm)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dags())
def test_random_dags_presentation_keeps_the_values(case):
    # the tidied numbers shown are the numbers computed
    from gradcli.calculus.simplify import tidy_numbers

    f, inputs, point = case
    if not (f.free_symbols & set(inputs)):
        return
    raw = trace(f, inputs, point)
    shown = trace(f, inputs, point, finish=tidy_numbers)
    for a, b in zip(raw.variables, shown.variables):
        assert same(a.value, b.value) and same(a.adjoint, b.adjoint)
        assert all(same(p, q) for p, q in zip(a.tangents, b.tangents))


# -- the graph ---------------------------------------------------------------------------------

def test_dot_graph_parses_and_is_the_dag(tmp_path):
    pydot = pytest.importorskip("pydot")
    path = tmp_path / "trace.dot"
    out = run(["-f", "plain", "autodiff", EXAMPLE, "--at", "x=1", "--graph", str(path)]).stdout
    assert out.strip().endswith("[sqrt(1 + E) - 2*(1 + E)*sin(1 + E)]")
    (graph,) = pydot.graph_from_dot_data(path.read_text(encoding="utf-8"))
    nodes = {n.get_name().strip('"') for n in graph.get_nodes()} - {"node", "edge"}
    assert nodes == {"x", "a", "b", "c", "d", "e", "f"}
    edges = {(e.get_source().strip('"'), e.get_destination().strip('"')) for e in graph.get_edges()}
    assert edges == {("x", "a"), ("a", "b"), ("a", "c"), ("b", "c"), ("c", "d"), ("c", "e"), ("d", "f"), ("e", "f")}
    labels = {n.get_name().strip('"'): n.get("label") for n in graph.get_nodes()}
    assert "c = a + b" in labels['"c"'.strip('"')] and "1 + e ≈ 3.718281828459045" in labels["c"]
    edge_labels = {(e.get_source().strip('"'), e.get_destination().strip('"')): e.get("label")
                   for e in graph.get_edges()}
    assert "∂d/∂c = 1/(2√c)" in edge_labels[("c", "d")]
    assert graph.get("rankdir") == "LR"


def test_dot_text_is_a_pure_function():
    from gradcli.app.autodiff import autodiff
    from gradcli.app.common import Options
    from gradcli.render.dot import graph_text

    r = autodiff("x y", Options(at="x=1,y=2"))
    text = graph_text(r, "dot")
    assert text.startswith("digraph autodiff {") and text == graph_text(r, "dot")
    assert "\"x\" -> \"f\"" in text and "\"y\" -> \"f\"" in text


def test_svg_needs_dot(tmp_path):
    path = tmp_path / "trace.svg"
    r = run(["autodiff", "x^2", "--at", "x=1", "--graph", str(path)], env={"PATH": str(tmp_path)}, exit=2)
    assert_short_error(r, "dot", "not installed")
    assert not path.exists()


def test_svg_with_dot(tmp_path):
    if not shutil.which("dot"):
        if os.environ.get("GRADCLI_REQUIRE_DOT"):
            pytest.fail("GRADCLI_REQUIRE_DOT is set but Graphviz's dot is not installed")
        pytest.skip("Graphviz's dot is not installed")
    path = tmp_path / "trace.svg"
    run(["-f", "plain", "autodiff", EXAMPLE, "--at", "x=1", "--graph", str(path)])
    svg = path.read_text(encoding="utf-8")
    assert "<svg" in svg and "c = a + b" in svg


# -- formats -----------------------------------------------------------------------------------

def test_json_variables_keys():
    data = ad_json(EXAMPLE, "--at", "x=1")
    assert data["command"] == "autodiff" and data["output"] == "f" and data["mode"] == "both"
    assert data["shape"] == [1, 1] and data["at"] == {"x": "1"}
    for v in data["variables"]:
        assert {"name", "definition", "value", "tangent", "adjoint", "parents", "partials", "kind",
                "value_float"} <= set(v)
    c = next(v for v in data["variables"] if v["name"] == "c")
    assert c["parents"] == ["a", "b"] and c["value"] == "1 + E"
    assert abs(c["value_float"] - float(1 + sp.E)) < 1e-15
    d = next(v for v in data["variables"] if v["name"] == "d")
    assert d["partials"] == [{"parent": "c", "formula": "1/(2*sqrt(c))", "value": "1/(2*sqrt(1 + E))"}]


@pytest.mark.parametrize("columns", [80, 60, 40])
def test_rich_does_not_truncate(columns):
    for args in ([EXAMPLE, "--at", "x=1"], ["x y + sin(x) exp(y) + atan(x/y)", "--at", "x=1/3,y=2"],
                 [EXAMPLE + " + x1 x2 x3 x4 x5", "--at", "x=1/3,x1=1,x2=2,x3=3,x4=4,x5=5"]):
        out = run(["-f", "rich", "autodiff", *args], env={"COLUMNS": str(columns)}).stdout
        assert "…" not in out
        assert max(len(line) for line in out.splitlines()) <= columns




@pytest.mark.parametrize("args", [
    [EXAMPLE, "--at", "x=1"],
    ["x y + sin(x)", "--at", "x=1,y=2", "--wrt", "x"],
    ["theta^2 sqrt(x_1)", "--at", "theta=1/2,x_1=4", "--mode", "forward"],
    [EXAMPLE, "--at", "x=0.5", "--mode", "reverse"],
])
def test_latex_compiles(tmp_path, args):
    pdflatex_or_skip()
    fragment = run(["-f", "latex", "autodiff", *args]).stdout.strip()
    proc = compile_latex(tmp_path, "ad", fragment)
    assert proc.returncode == 0, proc.stdout[-1500:]


def test_latex_is_the_books_layout():
    out = run(["-f", "latex", "autodiff", EXAMPLE, "--at", "x=1"]).stdout
    assert out.startswith("\\begin{aligned}") and out.strip().endswith("\\end{aligned}")
    assert "c &= a + b = 1 + e \\approx 3.718281828459045" in out
    assert "\\frac{\\partial d}{\\partial c} &= \\frac{1}{2 \\sqrt{c}}" in out
    # (5.142)
    assert ("\\frac{\\partial f}{\\partial c} &= \\frac{\\partial f}{\\partial d} \\frac{\\partial d}{\\partial c} + "
            "\\frac{\\partial f}{\\partial e} \\frac{\\partial e}{\\partial c} = ") in out


# -- golden files, help, start-up -------------------------------------------------------------

# the golden files of autodiff are among tests/test_golden.py's cases (rich at 40, 80, 120 columns)


def test_help_has_a_summary_and_two_examples():
    out = run(["autodiff", "--help"]).stdout
    assert "Automatic differentiation (5.6)" in out
    assert out.count("gradcli autodiff ") + out.count("gradcli ad ") >= 2
    assert "autodiff (ad)" in run(["--help"]).stdout
    assert run(["ad", "--help"]).stdout == out


def test_help_does_not_import_sympy_or_rich():
    from test_startup import probe

    proc, heavy = probe(["autodiff", "--help"])
    assert "Usage" in proc.stdout and heavy == []
