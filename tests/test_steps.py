"""Step-by-step derivatives (derivative --steps): every step is checked on its own.

Ground truth is independent: each step's equation against sympy.diff at random
real points (mpmath, 30 digits), and the final result against mpmath.diff
(numerical differentiation, 30 digits), not only against SymPy.
"""

from __future__ import annotations

import random

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gradcli.calculus.steps import RULES, Step, StepsResult, derivative_steps
from gradcli.errors import InputError

x, y = sympy.symbols("x y", real=True)
px = sympy.Symbol("x")  # no assumptions, as a parser might also produce

DPS = 30
TOL = sympy.Float("1e-20", DPS)


# -- numeric helpers ---------------------------------------------------------

def _value(expr, point):
    """expr at point to 30 digits, None where it is not a finite number.

    evalf(subs=...) substitutes into the unevaluated tree, so no exact power
    like (27/10)**((27/10)**(27/10)) is ever formed; a value beyond 1e40 is
    taken for a pole (evalf returns huge finite numbers at exact poles)."""
    v = expr.evalf(DPS, subs=point)
    if not v.is_number or v.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    if abs(v) > 1e40:
        return None
    return v


def _is_real(v) -> bool:
    re, im = v.as_real_imag()
    return abs(im) <= TOL * (1 + abs(re))


def _close(a, b) -> bool:
    return abs(sympy.N(a - b, DPS)) <= TOL * (1 + abs(a) + abs(b))


def _real_throughout(expr, point) -> bool:
    """expr and every subexpression are real and finite at point (over the
    reals, a function is defined where all its parts are)."""
    for node in sympy.preorder_traversal(expr):
        if node.is_Atom or not node.free_symbols:
            continue
        v = _value(node, point)
        if v is None or not _is_real(v):
            return False
    return True


def numerically_equal(a, b, guard, rng, tries=14, need=2, real=True) -> bool | None:
    """a == b at random points (rationals in +-[0.3, 2.7]) where ``guard`` (the
    function) is finite, and real throughout unless ``real`` is False.
    True/False, or None when no usable point was found (or time ran out)."""
    from gradcli.limits import bounded

    def work():
        syms = sorted((a.free_symbols | b.free_symbols | guard.free_symbols), key=str)
        agree = 0
        for _ in range(tries):
            point = {s: sympy.Rational(rng.choice([-1, 1]) * rng.randint(3, 27), 10) for s in syms}
            if real and not _real_throughout(guard, point):
                continue
            if not real and _value(guard, point) is None:
                continue
            va, vb = _value(a, point), _value(b, point)
            if va is None or vb is None:
                continue
            if not _close(va, vb):
                return False
            agree += 1
            if agree >= need:
                return True
        return True if agree else None

    return bounded(work, 10, None)


def check_step(step: Step, rng) -> None:
    """The step's equation holds: result == d/dvar expression."""
    assert step.rule in RULES, step.rule
    assert step.var is not None
    truth = sympy.diff(step.expression, step.var)
    if sympy.expand(step.result - truth) == 0:
        return
    ok = numerically_equal(step.result, truth, step.expression, rng)
    if ok is None and not step.expression.has(sympy.Abs, sympy.sign):
        # real nowhere in the sample: principal branches agree off the real line too
        ok = numerically_equal(step.result, truth, step.expression, rng, real=False)
    if ok is None:
        from gradcli.limits import bounded

        ok = bounded(lambda: sympy.simplify(step.result - truth) == 0, 5, None) or None
    UNDECIDED.append(step) if ok is None else None
    assert ok is not False, f"wrong step [{step.rule}]: d/d{step.var} {step.expression} = {step.result}, not {truth}"


#: Steps no check could decide (neither proved nor refuted); kept for inspection.
UNDECIDED: list[Step] = []


def check_all_steps(res: StepsResult, rng) -> None:
    for _depth, step in res.flat():
        check_step(step, rng)
        # each compound rule's result combines its substeps (none left out)
        if step.rule in ("sum", "product", "quotient", "chain", "general power", "constant multiple"):
            assert step.substeps, step.rule


def mpmath_derivative(f, var, point: dict):
    """d f/d var at point, by mpmath's numerical differentiation at 30 digits."""
    others = {s: v for s, v in point.items() if s != var}
    g = sympy.lambdify(var, f.xreplace(others), modules="mpmath")
    with mpmath.workdps(DPS):
        return mpmath.diff(g, mpmath.mpf(sympy.Rational(point[var]).p) / point[var].q)


def check_against_mpmath(res: StepsResult, points) -> None:
    for point in points:
        expected = mpmath_derivative(res.function, res.var, point)
        got = sympy.N(res.result.xreplace(point), DPS)
        assert abs(complex(got) - complex(expected)) < 1e-15 * (1 + abs(complex(expected))), (
            res.function, point, got, expected)


# -- tables ------------------------------------------------------------------

R = sympy.Rational
P1 = [{x: R(13, 10)}, {x: R(17, 10)}, {x: R(26, 10)}]

TABLE = [
    # (function, var, root rule, expected result (checked for equality), points)
    (sympy.sin(x) ** 2, x, "chain", 2 * sympy.sin(x) * sympy.cos(x), P1),
    (x**x, x, "general power", x**x * (sympy.log(x) + 1), P1),
    (sympy.exp(sympy.sin(x**2)), x, "chain", 2 * x * sympy.cos(x**2) * sympy.exp(sympy.sin(x**2)), P1),
    (x * sympy.sin(x) * sympy.exp(x), x, "product", None, P1),
    ((x + 1) / (x - 1), x, "quotient", -2 / (x - 1) ** 2, P1),
    (sympy.sqrt(1 + x**2), x, "chain", x / sympy.sqrt(x**2 + 1), P1),
    (sympy.atan(1 / x), x, "chain", -1 / (x**2 + 1), P1),
    (sympy.log(sympy.log(x)), x, "chain", 1 / (x * sympy.log(x)), P1),
    (x**2 * y, y, "constant multiple", x**2, [{x: R(3, 2), y: R(7, 10)}]),
    (sympy.erf(x), x, "no rule", 2 * sympy.exp(-x**2) / sympy.sqrt(sympy.pi), P1),
    (sympy.Integer(7), x, "constant", 0, []),
    (x, x, "variable", 1, []),
    (3 * x**5, x, "constant multiple", 15 * x**4, P1),
    (x**2 + 3 * x + 1, x, "sum", 2 * x + 3, P1),
    (sympy.tan(x), x, "tan", None, P1),
    (sympy.cot(3 * x), x, "chain", None, P1),
    (sympy.sec(x) + sympy.csc(x), x, "sum", None, P1),
    (sympy.asin(x / 3) + sympy.acos(x / 4), x, "sum", None, P1),
    (sympy.acot(x) + sympy.asinh(x) + sympy.acosh(x + 1) + sympy.atanh(x / 3), x, "sum", None, P1),
    (sympy.sinh(x) * sympy.cosh(x) - sympy.tanh(x**2), x, "sum", None, P1),
    (sympy.Abs(x**2 - 4), x, "chain", 2 * x * sympy.sign(x**2 - 4), P1 + [{x: R(-3, 2)}]),
    (2**x, x, "exponential", 2**x * sympy.log(2), P1),
    (sympy.sin(x) ** sympy.cos(x), x, "general power", None, P1),
    (sympy.log(x, 2), x, "constant multiple", 1 / (x * sympy.log(2)), P1),
    (1 / (x * sympy.sin(x)), x, "product", None, P1),
    (x ** R(1, 3) + x**-2, x, "sum", None, P1),
    (sympy.sin(x) / x**2, x, "quotient", None, P1),
    (sympy.exp(x * y) + y * sympy.sin(x), y, "sum", None, [{x: R(7, 10), y: R(13, 10)}]),
    (sympy.gamma(x) + x, x, "sum", None, P1),
    (sympy.sin(px) ** 2 + px**3, px, "sum", None, [{px: R(11, 10)}]),
]


@pytest.mark.parametrize("f,var,rule,expected,points", TABLE, ids=[str(t[0]) + " d" + str(t[1]) for t in TABLE])
def test_table(f, var, rule, expected, points):
    rng = random.Random(1)
    res = derivative_steps(f, var)
    assert res.function == f and res.var == var
    assert res.root.rule == rule
    assert res.result == res.root.result
    check_all_steps(res, rng)
    if expected is not None:
        assert sympy.simplify(res.result - expected) == 0
    check_against_mpmath(res, points)
    assert numerically_equal(res.result, sympy.diff(f, var), f, rng) is not False


def test_chain_shows_outer_and_inner_substeps():
    res = derivative_steps(sympy.exp(sympy.sin(x**2)), x)
    rules = [(d, s.rule) for d, s in res.flat()]
    assert rules == [(0, "chain"), (1, "exp"), (1, "chain"), (2, "sin"), (2, "power")]
    outer, inner = res.root.substeps
    u = outer.var
    assert outer.expression == sympy.exp(u) and outer.result == sympy.exp(u)
    assert inner.expression == sympy.sin(x**2) and inner.var == x
    assert "u = sin(x**2)" in res.root.note and "5.48" in res.root.note


def test_power_of_sin():
    res = derivative_steps(sympy.sin(x) ** 2, x)
    outer, inner = res.root.substeps
    assert outer.rule == "power" and inner.rule == "sin"
    assert inner.result == sympy.cos(x)


def test_equation_is_unevaluated():
    res = derivative_steps(x**3, x)
    eq = res.root.equation
    assert isinstance(eq, sympy.Eq)
    assert isinstance(eq.lhs, sympy.Derivative) and eq.lhs.expr == x**3
    assert eq.rhs == 3 * x**2


def test_partial_derivative_holds_others_constant():
    res = derivative_steps(x**2 * y, y)
    assert res.result == x**2
    assert "x is held constant" in res.note
    assert "x is held constant" in res.root.note
    res = derivative_steps(x**2 + y, x)
    const = [s for _, s in res.flat() if s.rule == "constant"]
    assert const and const[0].expression == y and "y is held constant" in const[0].note


def test_product_and_sum_rules_cite_the_book():
    res = derivative_steps(x * sympy.sin(x) + x, x)
    assert res.root.rule == "sum" and "5.47" in res.root.note
    prod = res.root.substeps[[s.rule for s in res.root.substeps].index("product")]
    assert "5.46" in prod.note
    assert len(prod.substeps) == 2


def test_product_of_three_groups_first_and_rest():
    res = derivative_steps(x * sympy.sin(x) * sympy.exp(x), x)
    first, rest = res.root.substeps
    assert sympy.Mul(first.expression, rest.expression) == res.function
    assert rest.rule == "product"


def test_quotient_splits_numerator_and_denominator():
    res = derivative_steps((x + 1) / (x - 1), x)
    num, den = res.root.substeps
    assert num.expression == x + 1 and den.expression == x - 1


@pytest.mark.parametrize("f,name", [
    (sympy.erf(x), "erf"),
    (sympy.gamma(x**2), "gamma"),
    (sympy.Derivative(sympy.sin(x) * x, x), "an unevaluated derivative"),
    (sympy.Function("g")(x), "g"),
])
def test_no_rule_falls_back_to_sympy(f, name):
    res = derivative_steps(f, x)
    assert res.root.rule == "no rule"
    assert res.root.note == f"no rule for {name}: result from SymPy"
    assert sympy.simplify(res.result - sympy.diff(f, x)) == 0


def test_no_rule_inside_a_sum_keeps_other_rules():
    res = derivative_steps(sympy.erf(x) + sympy.sin(x), x)
    assert sorted(s.rule for s in res.root.substeps) == ["no rule", "sin"]


def test_flat_reading_order_and_depths():
    res = derivative_steps(x**2 + sympy.sin(2 * x), x)
    flat = res.flat()
    assert flat[0] == (0, res.root)
    depths = [d for d, _ in flat]
    assert depths[0] == 0 and all(d >= 1 for d in depths[1:])
    # every step's substeps follow it directly in reading order
    for i, (d, s) in enumerate(flat):
        if s.substeps:
            assert flat[i + 1] == (d + 1, s.substeps[0])


def test_rejects_non_symbol_var_and_matrices():
    with pytest.raises(InputError):
        derivative_steps(x**2, x + 1)
    with pytest.raises(InputError):
        derivative_steps(sympy.MatrixSymbol("A", 2, 2), x)


def test_fresh_u_avoids_user_symbols():
    u = sympy.Symbol("u", real=True)
    res = derivative_steps(sympy.sin(u * x), x)
    outer = res.root.substeps[0]
    assert str(outer.var) != "u"


# -- property test: random expression trees -----------------------------------

_leaves = st.sampled_from([x, x, x, y, sympy.Integer(1), sympy.Integer(2), sympy.Integer(3), sympy.Integer(-1)])
_unary = [sympy.sin, sympy.cos, sympy.exp, sympy.log, sympy.sqrt, sympy.atan, sympy.tan, sympy.Abs, sympy.asinh]


def _extend(children):
    return st.one_of(
        st.tuples(children, children).map(lambda t: t[0] + t[1]),
        st.tuples(children, children).map(lambda t: t[0] - t[1]),
        st.tuples(children, children).map(lambda t: t[0] * t[1]),
        st.tuples(children, children).map(lambda t: t[0] / t[1]),
        st.tuples(children, st.integers(-3, 4)).map(lambda t: t[0] ** t[1]),
        st.tuples(children, children).map(lambda t: t[0] ** t[1]),
        st.tuples(st.sampled_from(_unary), children).map(lambda t: t[0](t[1])),
    )


expressions = st.recursive(_leaves, _extend, max_leaves=14)


@settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(expressions, st.sampled_from([x, x, y]), st.randoms(use_true_random=False))
def test_property_random_trees(f, var, rng):
    assume(not f.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo))
    assume(sympy.count_ops(f) < 60)
    res = derivative_steps(f, var)
    check_all_steps(res, rng)
    truth = sympy.diff(f, var)
    assert numerically_equal(res.result, truth, f, rng) is not False
    # independent ground truth at one real point where f is real and smooth
    for _ in range(6):
        point = {s: sympy.Rational(rng.randint(3, 27), 10) * rng.choice([1, -1]) for s in f.free_symbols | {var}}
        fv = _value(f, point)
        gv = _value(res.result, point)
        if fv is None or gv is None or not _is_real(fv) or not _is_real(gv):
            continue
        if f.has(sympy.Abs) and any(abs(sympy.N(a.args[0].xreplace(point))) < 1e-3 for a in f.atoms(sympy.Abs)):
            continue
        try:
            expected = mpmath_derivative(f, var, point)
        except (ValueError, ZeroDivisionError, TypeError):
            continue
        if not mpmath.isfinite(expected) or abs(mpmath.im(expected)) > 1e-20:
            continue
        assert abs(complex(gv) - complex(expected)) < 1e-12 * (1 + abs(complex(expected))), (f, point, gv, expected)
        break
