"""Property tests: random expressions, rendered in gradcli's language.

For each random expression tree (x, small integers, + - * / ^ with small
integer exponents, sin cos tan exp log sqrt atan tanh), the CLI's derivative
must agree with an mpmath finite difference of the same tree (rendered as
SymPy text, never through gradcli) at a random point where the function is
defined and real; its plain output must read back with ``sympy.sympify`` to
the derivative; and every JSON output must parse.
"""

from __future__ import annotations

import json

import mpmath
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helpers import run

mpmath.mp.dps = 50
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
UNARY = ["sin", "cos", "tan", "exp", "log", "sqrt", "atan", "tanh"]
X = sympy.Symbol("x")


# -- trees -------------------------------------------------------------------------

leaves = st.one_of(st.just(("x",)), st.just(("x",)), st.integers(1, 5).map(lambda n: ("num", n)))


def _extend(children):
    return st.one_of(
        st.tuples(st.sampled_from(UNARY), children).map(lambda t: ("call", t[0], t[1])),
        st.tuples(st.sampled_from(["+", "-", "*", "/"]), children, children).map(lambda t: ("bin", *t)),
        st.tuples(children, st.sampled_from([2, 3, -1, -2])).map(lambda t: ("pow", t[0], t[1])),
        children.map(lambda c: ("neg", c)),
    )


trees = st.recursive(leaves, _extend, max_leaves=8)


def py_text(t) -> str:
    """SymPy/Python text of a tree (the ground truth's side)."""
    kind = t[0]
    if kind == "x":
        return "x"
    if kind == "num":
        return str(t[1])
    if kind == "call":
        return f"{t[1]}({py_text(t[2])})"
    if kind == "bin":
        return f"({py_text(t[2])}) {t[1]} ({py_text(t[3])})"
    if kind == "pow":
        return f"({py_text(t[1])})**({t[2]})"
    if kind == "neg":
        return f"-({py_text(t[1])})"
    raise AssertionError(t)


@st.composite
def gradcli_text(draw, t) -> str:
    """gradcli's text of a tree, with random but equivalent spellings."""
    kind = t[0]
    if kind == "x":
        return "x"
    if kind == "num":
        return str(t[1])
    if kind == "call":
        name = t[1]
        if name in ("atan", "log") and draw(st.booleans()):
            name = {"atan": "arctan", "log": "ln"}[name]
        return f"{name}({draw(gradcli_text(t[2]))})"
    if kind == "bin":
        left, right = draw(gradcli_text(t[2])), draw(gradcli_text(t[3]))
        if t[1] == "*":
            style = draw(st.sampled_from(["({}) * ({})", "({})({})", "({}) ({})", "({})·({})"]))
            return style.format(left, right)
        return f"({left}) {t[1]} ({right})"
    if kind == "pow":
        op = draw(st.sampled_from(["^", "**"]))
        e = t[2]
        exp = str(e) if e > 0 else draw(st.sampled_from([str(e), f"({e})"]))
        return f"({draw(gradcli_text(t[1]))}){op}{exp}"
    if kind == "neg":
        return f"-({draw(gradcli_text(t[1]))})"
    raise AssertionError(t)


points = st.tuples(st.sampled_from([1, -1]), st.integers(5, 190)).map(lambda t: f"{t[0] * t[1] / 100:.2f}")


def real_value(f, x0):
    try:
        v = f(mpmath.mpf(x0))
    except (ZeroDivisionError, ValueError, OverflowError, TypeError):
        return None
    v = mpmath.mpmathify(v)
    if isinstance(v, mpmath.mpc):
        if abs(v.imag) > mpmath.mpf("1e-40") * (1 + abs(v.real)):
            return None
        v = v.real
    if not mpmath.isfinite(v) or abs(v) > 10**12:
        return None
    return v


def cli(fmt: str, text: str):
    r = run(["--timeout", "20", "-f", fmt, "derivative", "--wrt", "x", "--", text], exit=None)
    assert "Traceback" not in r.stderr
    if r.exit_code == 2 and ("division by zero" in r.stderr or "defined" in r.stderr):
        assume(False)  # a constant part divides by zero: gradcli rightly refuses it
    assert r.exit_code == 0, f"gradcli derivative {text!r}: exit {r.exit_code}: {r.stderr}"
    return r.stdout


@SETTINGS
@given(data=st.data(), tree=trees, x0=points)
def test_derivative_matches_finite_difference(data, tree, x0):
    py = py_text(tree)
    f_expr = sympy.sympify(py, locals={"x": X})
    assume(f_expr.is_finite is not False and not f_expr.has(sympy.zoo, sympy.nan))
    f = sympy.lambdify(X, f_expr, "mpmath")
    # defined, real and moderate near x0 (the finite difference samples around it)
    h = mpmath.mpf("1e-3")
    for p in (mpmath.mpf(x0) - h, mpmath.mpf(x0), mpmath.mpf(x0) + h):
        assume(real_value(f, p) is not None)
    try:
        want = mpmath.diff(f, mpmath.mpf(x0))
    except (ZeroDivisionError, ValueError):
        assume(False)
    want = mpmath.mpmathify(want)
    assume(not isinstance(want, mpmath.mpc) or abs(want.imag) < mpmath.mpf("1e-30"))
    want = want.real if isinstance(want, mpmath.mpc) else want
    assume(abs(want) < 10**10)

    text = data.draw(gradcli_text(tree), label="gradcli text")
    out = cli("plain", text).strip()
    assert "\n" not in out
    # plain output reads back with sympify...
    got_expr = sympy.sympify(out, locals={"x": X})
    g = sympy.lambdify(X, got_expr, "mpmath")
    got = real_value(g, x0)
    assert got is not None, f"{text!r}: derivative {out} is not real at {x0}"
    assert abs(got - want) <= mpmath.mpf("1e-20") * max(1, abs(want)), (
        f"d/dx {text!r} at x={x0}: gradcli {out} = {got}, finite difference {want}")
    # ...to the derivative: equal to SymPy's derivative of the same tree at 3 points, 30 digits
    d_expr = sympy.lambdify(X, sympy.diff(f_expr, X), "mpmath")
    checked = 0
    for p in (x0, "0.77", "1.23", "-0.61", "1.61", "-1.3"):
        a, b = real_value(g, p), real_value(d_expr, p)
        if a is None or b is None:
            continue
        assert abs(a - b) <= mpmath.mpf("1e-30") * max(1, abs(b)), f"{out} != d/dx {py} at {p}"
        checked += 1
        if checked == 3:
            break


@SETTINGS
@given(data=st.data(), tree=trees, with_at=st.booleans())
def test_json_output_parses(data, tree, with_at):
    text = data.draw(gradcli_text(tree), label="gradcli text")
    args = ["--timeout", "20", "-f", "json", "derivative", "--wrt", "x"]
    if with_at:
        args += ["--at", "x=1.25"]
    r = run([*args, "--", text], exit=None)
    assert "Traceback" not in r.stderr
    if r.exit_code == 2:
        # refusals are fine (division by zero, undefined at the point): short, on stderr, and
        # a json error record on stdout (README, "JSON")
        assert 1 <= len(r.stderr.strip().splitlines()) <= 2
        (record,) = [json.loads(line) for line in r.stdout.splitlines()]
        assert record["exit"] == 2 and "command" not in record
        return
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.strip("\n").split("\n")
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert obj["command"] == "derivative" and obj["input"] == text and obj["wrt"] == ["x"]
    assert isinstance(obj["result"], str) and isinstance(obj["latex"], str)
    sympy.sympify(obj["result"])
    if with_at:
        assert "value" in obj
        sympy.sympify(obj["value"])


@SETTINGS
@given(data=st.data(), trees_=st.lists(trees, min_size=1, max_size=4))
def test_json_lines_from_stdin_parse(data, trees_):
    texts = [data.draw(gradcli_text(t)) for t in trees_]
    r = run(["--timeout", "20", "-f", "json", "derivative", "--wrt", "x", "-"],
            input="\n".join(texts) + "\n", exit=None)
    assert r.exit_code in (0, 2) and "Traceback" not in r.stderr
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    # one object per line: a result, or an error record in its place (README, "JSON")
    lines = [t.strip() for t in texts if t.strip() and not t.strip().startswith("#")]
    assert [o["input"] for o in objs] == lines
    errors = [o for o in objs if "command" not in o]
    assert len(errors) == r.stderr.count("error:") and all(o["exit"] == 2 for o in errors)
