"""The contract of the commands beyond derivative, end to end through the CLI:
gradient, hessian, jacobian, chain (issue 3), taylor (issue 4), vectors and matrices (issue 5).

Ground truth is independent of gradcli: mpmath finite differences, the book's worked examples,
the Matrix Cookbook, and entry-by-entry computation at concrete sizes with plain SymPy.
"""

from __future__ import annotations

import json
from pathlib import Path

import mpmath
import pytest
import sympy as sp

from helpers import assert_short_error, run


def plain(*args: str) -> str:
    return run(["-f", "plain", *args]).stdout.strip()


def js(*args: str) -> dict:
    return json.loads(run(["-f", "json", *args]).stdout)


x, y, z, t, s, r, theta = sp.symbols("x y z t s r theta")


# -- gradient, hessian, jacobian, chain -----------------------------------------------------

GRADIENT_CASES = [  # (gradcli text, the same function written for SymPy, names, point)
    ("x^2 y + sin(z)", "x**2*y + sin(z)", "x,y,z", {"x": "0.3", "y": "-1.7", "z": "2.1"}),
    ("exp(x y) / (1 + z^2)", "exp(x*y)/(1 + z**2)", "x,y,z", {"x": "0.5", "y": "0.25", "z": "-0.75"}),
    ("atan(x/y) + log(x^2 + y^2)", "atan(x/y) + log(x**2 + y**2)", "x,y", {"x": "1.25", "y": "0.5"}),
    ("x1^2 x2 + x1 x2^3", "x1**2*x2 + x1*x2**3", "x1,x2", {"x1": "0.7", "x2": "-1.1"}),
]


@pytest.mark.parametrize("expr,truth,names,point", GRADIENT_CASES)
def test_gradient_against_finite_differences(expr, truth, names, point):
    mpmath.mp.dps = 40
    obj = js("gradient", expr)
    assert obj["wrt"] == names.split(",")
    assert obj["shape"] == [1, len(obj["wrt"])]
    f = sp.sympify(truth)
    syms = [sp.Symbol(n) for n in obj["wrt"]]
    fn = sp.lambdify(syms, f, "mpmath")
    at = [mpmath.mpf(point[n]) for n in obj["wrt"]]
    for i, entry in enumerate(obj["result"]):
        partial = sp.lambdify(syms, sp.sympify(entry), "mpmath")(*at)
        fd = mpmath.diff(lambda u, i=i: fn(*[u if j == i else a for j, a in enumerate(at)]), at[i])
        assert abs(partial - fd) < mpmath.mpf("1e-25") * (1 + abs(fd)), (expr, i, entry)


def test_gradient_row_and_column():
    assert plain("gradient", "x^2 y") == "[2*x*y, x**2]"
    assert js("gradient", "x^2 y")["shape"] == [1, 2]
    assert js("gradient", "x^2 y", "--layout", "denominator")["shape"] == [2, 1]


def test_gradient_natural_order_and_wrt():
    assert js("gradient", "x10 + x2^2 + x1")["wrt"] == ["x1", "x2", "x10"]
    assert plain("gradient", "x10 + x2^2 + x1", "--wrt", "x10,x1") == "[1, 1]"


def test_gradient_of_a_vector_function_points_to_jacobian():
    r = run(["gradient", "[x^2, y]"], exit=2)
    assert_short_error(r, "jacobian")


def test_hessian_is_symmetric_and_the_jacobian_of_the_gradient():
    f = "x^3 y^2 + sin(x z) + exp(y) z"
    h = sp.Matrix(sp.sympify(js("hessian", f)["result"]))
    assert h == h.T
    grad = sp.sympify(js("gradient", f)["result"])
    jac = sp.Matrix(sp.sympify(js("jacobian", ", ".join(str(g) for g in grad), "--wrt", "x,y,z")["result"]))
    assert sp.simplify(h - jac) == sp.zeros(3, 3)


def test_jacobian_of_a_linear_map_is_the_matrix():
    a = [[2, -1, 3], [0, 5, 7]]
    funcs = [" + ".join(f"{a[i][j]}*x{j + 1}" for j in range(3)) for i in range(2)]
    assert sp.Matrix(sp.sympify(js("jacobian", ", ".join(funcs))["result"])) == sp.Matrix(a)


def test_jacobian_polar_determinant_is_r():
    obj = js("jacobian", "r cos(theta), r sin(theta)", "--det")
    assert obj["shape"] == [2, 2] and sp.sympify(obj["determinant"]) == r
    # the forms 'f1, f2', '[f1, f2]' and separate arguments agree
    assert plain("jacobian", "[r cos(theta), r sin(theta)]") == plain("jacobian", "r cos(theta)", "r sin(theta)")
    assert js("jacobian", "x y, x + y, x", "--layout", "denominator")["shape"] == [2, 3]


def test_jacobian_det_needs_square():
    assert_short_error(run(["jacobian", "x y, x + y, x", "--det"], exit=2), "square")


def test_chain_rule_book_example_550():
    obj = js("chain", "x1^2 + 2 x2", "--sub", "x1=sin(t)", "--sub", "x2=cos(t)")
    assert sp.simplify(sp.sympify(obj["result"]) - 2 * sp.sin(t) * (sp.cos(t) - 1)) == 0
    # vectors are flat lists, as in gradient (README, "JSON")
    assert obj["df_dx"] == ["2*x1", "2"] and obj["dx_dt"] == ["cos(t)", "-sin(t)"]


def test_chain_rule_equals_differentiating_the_substituted_function():
    f = "x1^2 x2 + exp(x1 x2)"
    g1, g2 = "s t^2", "s + cos(t)"
    obj = js("chain", f, "--sub", f"x1={g1}", "--sub", f"x2={g2}", "--wrt", "s,t")
    direct = sp.sympify("x1**2*x2 + exp(x1*x2)").subs({sp.Symbol("x1"): s * t**2, sp.Symbol("x2"): s + sp.cos(t)})
    got = sp.sympify(obj["result"])
    want = [sp.diff(direct, s), sp.diff(direct, t)]
    got = list(got) if isinstance(got, (list, sp.MatrixBase)) else [got]
    flat = [e for row in got for e in (row if isinstance(row, list) else [row])]
    assert all(sp.simplify(a - b) == 0 for a, b in zip(flat, want))


@pytest.mark.parametrize("args,needle", [
    (["chain", "x1^2", "--sub", "q=sin(t)"], "no variable q"),
    (["chain", "x1^2", "--sub", "=sin(t)"], "empty variable name"),
    (["gradient", "x y", "--wrt", "x,,y"], "empty variable name"),
    (["gradient", "x y", "--at", "x=1"], "no value for y"),
    (["hessian", "x y", "--at", "x=1,q=2"], "no value for y"),
])
def test_several_variables_input_errors(args, needle):
    assert_short_error(run(args, exit=2), needle)


def test_gradient_at_a_point_exact_and_decimal():
    assert plain("gradient", "sin(x) y", "--at", "x=pi/4,y=2") == "[sqrt(2), sqrt(2)/2]"
    value = js("gradient", "sin(x) y", "--at", "x=0.5,y=1", "--digits", "30")["value"]
    assert abs(mpmath.mpf(value[0]) - mpmath.cos(mpmath.mpf("0.5"))) < mpmath.mpf("1e-28")


# -- taylor ---------------------------------------------------------------------------------

def test_taylor_book_example_x4_about_1():
    obj = js("taylor", "x^4", "--at", "1", "-n", "6", "--table")
    assert [c["derivative"] for c in obj["coefficients"]] == ["1", "4", "12", "24", "24", "0", "0"]
    assert obj["at"] == {"x": "1"} and "center" not in obj
    assert sp.expand(sp.sympify(obj["result"])) == x**4
    assert plain("taylor", "x^4", "--at", "1", "-n", "6", "--expand") == "x**4"


def test_taylor_several_variables_total_degree():
    out = sp.sympify(plain("taylor", "exp(x) sin(y)", "--at", "x=0,y=0", "-n", "3"))
    assert sp.expand(out - (y + x * y + x**2 * y / 2 - y**3 / 6)) == 0


@pytest.mark.parametrize("expr", ["1/x", "sqrt(x)", "log(x)", "abs(x)"])
def test_taylor_not_analytic_is_exit_2(expr):
    assert_short_error(run(["taylor", expr], exit=2))


def test_taylor_symbolic_point():
    out = sp.sympify(plain("taylor", "exp(x)", "--at", "a", "-n", "3"))
    a = sp.Symbol("a")
    assert sp.simplify(out - sp.exp(a) * sum((x - a) ** k / sp.factorial(k) for k in range(4))) == 0


def test_taylor_high_order_exact():
    # SymPy's own series() takes minutes at this order; mpmath's numerical Taylor coefficients
    # (high-precision differentiation) are the independent truth.
    out = sp.Poly(sp.sympify(plain("taylor", "exp(sin(x))", "-n", "30", "--expand")), x)
    assert out.degree() <= 30
    mpmath.mp.dps = 60
    truth = mpmath.taylor(lambda u: mpmath.exp(mpmath.sin(u)), 0, 30)
    for k, want in enumerate(truth):
        got = out.coeff_monomial(x**k)
        assert got.is_Rational
        assert abs(mpmath.mpf(got.p) / got.q - want) < mpmath.mpf("1e-30"), k


def test_taylor_plot_png(tmp_path: Path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "t.png"
    run(["-f", "plain", "taylor", "sin(x) + cos(x)", "-n", "10", "--plot", str(path)])
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_taylor_plot_bad_suffix(tmp_path: Path):
    assert_short_error(run(["taylor", "sin(x)", "--plot", str(tmp_path / "t.jpg")], exit=2), ".pdf")
    assert not (tmp_path / "t.jpg").exists()


# -- vectors and matrices -------------------------------------------------------------------

def test_matrix_gradients_both_layouts():
    decl = ["--vector", "x", "--matrix", "B", "--wrt", "x"]
    assert plain("gradient", "x^T B x", *decl) == "x.T*(B + B.T)"
    assert plain("gradient", "x^T B x", *decl, "--layout", "denominator") == "(B + B.T)*x"
    assert plain("gradient", "a^T X b", "--vector", "a,b", "--matrix", "X", "--wrt", "X") == "a*b.T"
    assert plain("jacobian", "A x", "--vector", "x", "--matrix", "A", "--wrt", "x") == "A"
    assert plain("hessian", "x^T B x", *decl) == "B + B.T"


def test_matrix_gradient_5_108_symmetric_w():
    out = plain("gradient", "(x - A s)^T W (x - A s)", "--vector", "x,s", "--matrix", "A", "--symmetric", "W",
                "--wrt", "s")
    n = 3
    X = sp.Matrix(n, 1, sp.symbols("x0:3"))
    S_ = sp.Matrix(n, 1, sp.symbols("s0:3"))
    A = sp.Matrix(n, n, sp.symbols("a0:9"))
    w = sp.symbols("w0:6")
    W = sp.Matrix([[w[0], w[1], w[2]], [w[1], w[3], w[4]], [w[2], w[4], w[5]]])
    f = ((X - A * S_).T * W * (X - A * S_))[0, 0]
    truth = sp.Matrix([[sp.diff(f, si) for si in S_]])
    mats = {"x": X, "s": S_, "A": A, "W": W}
    got = sp.sympify(out, locals={k: sp.MatrixSymbol(k, n, n if k in "AW" else 1) for k in mats})
    got = got.subs({sp.MatrixSymbol(k, n, n if k in "AW" else 1): v for k, v in mats.items()}).doit()
    assert sp.expand(sp.Matrix(got) - truth) == sp.zeros(1, n)


def test_matrix_json_reads_back_with_matrix_symbols():
    obj = js("gradient", "x^T B x", "--vector", "x", "--matrix", "B", "--wrt", "x")
    n = sp.Symbol("n")
    back = sp.sympify(obj["result"], locals={"x": sp.MatrixSymbol("x", n, 1), "B": sp.MatrixSymbol("B", n, n)})
    assert back.shape == (1, n) and obj["shape"] == [1, "n"]


def test_shape_mismatch_names_the_subexpression_and_both_shapes():
    r = run(["jacobian", "A x", "--shape", "A=2x3", "--shape", "x=2x1", "--wrt", "x"], exit=2)
    assert_short_error(r, "'A' (2 x 3)", "'x' (2 x 1)")


def test_matrix_by_matrix_is_a_tensor_and_inside_an_expression_refused():
    # issue 17: the derivative command shows it (see test_tensor_derivative); inside an
    # expression a tensor is no value, and says so
    out = run(["-f", "plain", "derivative", "d/dX X^2", "--matrix", "X"]).stdout
    assert out.startswith("kron(X.T, I) + kron(I, X)")
    assert_short_error(run(["derivative", "2 d/dX X^2", "--matrix", "X"], exit=2), "tensor")


def test_latex_matrix_conventions():
    out = run(["-f", "latex", "gradient", "a^T X^-1 b + tr(X) + det(X)", "--vector", "a,b", "--matrix", "X",
               "--wrt", "X"]).stdout
    assert r"^{\top}" in out and "^{-1}" in out and r"\det" in out


# -- show the work: --steps and --definition (issue 7) ---------------------------------------

def test_steps_chain_rule_outer_step_is_in_u():
    lines = plain("derivative", "sin(x)^2", "--steps").splitlines()
    assert lines[0].startswith("chain: d/dx (sin(x)**2) = 2*sin(x)*cos(x)")
    assert lines[1].startswith("  power: d/du (u**2) = 2*u")
    assert lines[2].startswith("  sin: d/dx (sin(x)) = cos(x)")
    assert lines[-1] == "2*sin(x)*cos(x)"
    steps = js("derivative", "sin(x)^2", "--steps")["steps"]
    assert [(s["rule"], s["wrt"], s["depth"]) for s in steps] == [("chain", "x", 0), ("power", "u", 1), ("sin", "x", 1)]


def test_steps_partial_derivative_says_what_is_held_constant():
    out = plain("derivative", "x^2 y", "--wrt", "y", "--steps")
    assert "x is held constant" in out.splitlines()[0]
    assert out.splitlines()[-1] == "x**2"


def test_definition_secant_table_converges_to_the_derivative():
    lines = plain("derivative", "x^3", "--definition", "--at", "2").splitlines()
    assert "limit h -> 0: 3*x**2" in lines
    table = [line.split("\t") for line in lines if line[:1].isdigit() and "\t" in line]
    assert [row[0] for row in table] == ["1", "0.1", "0.01", "0.001", "0.0001", "0.00001", "0.000001"]
    for h_text, right, left in table:  # ((2+h)^3 - 8)/h = 12 + 6h + h^2, exactly
        h = sp.Rational(h_text)
        assert sp.Rational(right) == 12 + 6 * h + h**2 and sp.Rational(left) == 12 - 6 * h + h**2
    assert "f'(2) = 12" in lines and lines[-1] == "12"


def test_definition_abs_at_0_has_no_derivative_and_says_so():
    out = plain("derivative", "abs(x)", "--definition", "--at", "0")
    assert "one-sided limits differ: 1 (h -> 0+) and -1 (h -> 0-)" in out
    obj = js("derivative", "abs(x)", "--definition", "--at", "0")["definition"]
    assert obj["differentiable"] is False and (obj["limit_right"], obj["limit_left"]) == ("1", "-1")
    # without --definition the derivative at a corner is an input error that points here
    assert_short_error(run(["derivative", "abs(x)", "--at", "0"], exit=2), "--definition")


def test_steps_and_definition_refuse_what_they_cannot_show():
    assert_short_error(run(["derivative", "x^3", "-n", "2", "--steps"], exit=2), "first derivative")
    assert_short_error(run(["derivative", "x y", "--wrt", "x", "--wrt", "y", "--definition"], exit=2))


def test_taylor_plot_without_matplotlib_says_how_to_get_it(monkeypatch, tmp_path: Path):
    import sys

    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # 'import matplotlib' now fails
    r = run(["taylor", "sin(x)", "--plot", str(tmp_path / "t.png")], exit=2)
    assert_short_error(r, "pip install 'gradcli[plot]'")
    assert not (tmp_path / "t.png").exists()


# -- derivatives at kinks of abs and sign: one-sided limits decide -----------------------------

@pytest.mark.parametrize("args,value", [
    (["derivative", "x abs(x)", "--at", "x=0"], "0"),
    (["derivative", "abs(x)^3", "--at", "x=0"], "0"),
    (["derivative", "x^2 sign(x)", "--at", "x=0"], "0"),
    (["derivative", "abs(x) sin(x)", "--at", "x=0"], "0"),
    (["gradient", "x abs(y)", "--at", "x=0,y=0"], "[0, 0]"),
    (["chain", "abs(x)", "--sub", "x=t^2", "--at", "t=0"], "0"),
    (["derivative", "abs(x)", "--at", "x=1"], "1"),
])
def test_differentiable_at_a_kink(args, value):
    assert plain(*args) == value


@pytest.mark.parametrize("args", [
    ["derivative", "abs(x)", "--at", "x=0"],
    ["derivative", "sign(x)", "--at", "x=0"],
    ["gradient", "abs(x)", "--at", "x=0"],
    ["gradient", "x abs(y)", "--at", "x=1,y=0"],
    ["jacobian", "abs(x), y", "--at", "x=0,y=1"],
    ["chain", "abs(x)", "--sub", "x=t", "--at", "t=0"],
    ["hessian", "x abs(x)", "--at", "x=0"],
])
def test_no_derivative_at_a_kink_is_an_error(args):
    assert_short_error(run(args, exit=2), "--definition")
