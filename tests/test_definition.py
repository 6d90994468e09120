"""The derivative from its definition (derivative --definition): 5.3, 5.4, Example 5.2.

Ground truth is independent of SymPy's differentiation: mpmath.diff at 30
digits for the limits, and mpmath at 50 digits for the secant slopes.
"""

from __future__ import annotations

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.calculus.definition import DefinitionResult, SecantRow, from_definition
from gradcli.errors import InputError

x, y = sympy.symbols("x y", real=True)
R = sympy.Rational
H_VALUES = [R(1, 10**k) for k in range(7)]


def mp_derivative(f, var, at):
    g = sympy.lambdify(var, f, modules="mpmath")
    with mpmath.workdps(30):
        return mpmath.diff(g, mpmath.mpf(at.p) / at.q)


def close(a, b, tol=1e-15) -> bool:
    return abs(complex(a) - complex(b)) <= tol * (1 + abs(complex(b)))


# -- Example 5.2: x**n by the binomial expansion -------------------------------

def test_x_cubed_follows_example_5_2():
    r = from_definition(x**3, x)
    h = r.h
    assert r.binomial and r.method == "binomial"
    assert r.limit == 3 * x**2
    assert sympy.expand(r.quotient.doit() - ((x + h) ** 3 - x**3) / h) == 0
    assert r.expansion == x**3 + 3 * x**2 * h + 3 * x * h**2 + h**3          # 5.5c
    assert r.numerator == 3 * x**2 * h + 3 * x * h**2 + h**3                 # 5.6a
    assert r.simplified == 3 * x**2 + 3 * x * h + h**2                        # 5.6b
    assert "Example 5.2" in r.note
    assert r.point is None and r.secants == ()


@pytest.mark.parametrize("n", range(1, 9))
def test_x_to_the_n(n):
    r = from_definition(x**n, x)
    assert r.binomial
    assert r.limit == n * x ** (n - 1)
    h = r.h
    assert sympy.expand(r.simplified - ((x + h) ** n - x**n) / h) == 0
    assert r.expansion == sympy.expand((x + h) ** n)


def test_quotient_is_unevaluated_and_shows_f_of_x_plus_h():
    r = from_definition(x**2, x)
    q = r.quotient
    assert isinstance(q, sympy.Mul)
    assert sympy.Pow(r.h, -1) in q.args
    assert (x + r.h) ** 2 in q.atoms(sympy.Pow)
    assert sympy.simplify(q.doit() - (2 * x + r.h)) == 0
    assert isinstance(r.limit_expression, sympy.Limit)


# -- other functions: the limit of the quotient --------------------------------

def test_sin_gives_cos():
    r = from_definition(sympy.sin(x), x)
    assert not r.binomial
    assert r.limit == sympy.cos(x)
    assert r.method == "limit"
    h = r.h
    # the addition theorem: sin(x)(cos h - 1)/h + cos(x) sin(h)/h
    assert r.simplified.has(sympy.cos(h)) and r.simplified.has(sympy.sin(h))
    assert sympy.simplify(r.simplified - (sympy.sin(x + h) - sympy.sin(x)) / h) == 0


TABLE = [
    sympy.sin(x), sympy.cos(x), sympy.exp(x), sympy.log(x), sympy.sqrt(x), 1 / x, x**x,
    sympy.tan(x), x * sympy.sin(x), sympy.exp(x**2), (x + 1) / (x - 1), sympy.atan(x),
    x**3 - 2 * x + 1, sympy.cos(2 * x), sympy.Abs(x), sympy.log(sympy.log(x)), 2**x,
]


@pytest.mark.parametrize("f", TABLE, ids=str)
def test_limit_matches_mpmath(f):
    r = from_definition(f, x)
    assert r.limit is not None
    for at in (R(13, 10), R(27, 10)):
        got = sympy.N(r.limit.subs(x, at), 30)
        assert close(got, mp_derivative(f, x, at)), (f, at, got)
    # the simplified quotient is the quotient
    h = r.h
    pt = {x: R(17, 10), h: R(1, 7)}
    assert close(sympy.N(r.simplified.xreplace(pt), 30), sympy.N(r.quotient.doit().xreplace(pt), 30))


def test_limit_failure_falls_back_to_rules_and_says_so():
    r = from_definition(x**x, x)
    assert r.limit == sympy.diff(x**x, x) or sympy.simplify(r.limit - sympy.diff(x**x, x)) == 0
    if r.method == "rules":
        assert "differentiation rules" in r.note


# -- at a point: one-sided limits and secant slopes -----------------------------

def test_x_squared_at_1_secant_slopes_are_exactly_2_plus_h():
    r = from_definition(x**2, x, at=1)
    assert r.value_at_point == 2 and r.limit == 2 * x
    assert [row.h for row in r.secants] == H_VALUES
    for row in r.secants:
        assert isinstance(row, SecantRow)
        assert row.slope_right == 2 + row.h and row.slope_right.is_Rational
        assert row.slope_left == 2 - row.h
    assert not r.one_sided_differ


def test_abs_at_0_is_not_differentiable():
    r = from_definition(sympy.Abs(x), x, at=0)
    assert r.one_sided_differ
    assert r.limit is None and r.value_at_point is None
    assert r.limit_right == 1 and r.limit_left == -1
    for row in r.secants:
        assert row.slope_right == 1 and row.slope_left == -1


def test_abs_away_from_0_is_differentiable():
    r = from_definition(sympy.Abs(x), x, at=-2)
    assert r.value_at_point == -1 and not r.one_sided_differ


@pytest.mark.parametrize("f,at", [
    (sympy.sin(x), R(1)), (sympy.exp(x), R(1, 2)), (sympy.log(x), R(2)), (x**x, R(1)),
    (sympy.sqrt(x), R(9, 4)), (sympy.atan(x), R(-3, 2)), (sympy.cos(x) ** 2, R(7, 10)),
])
def test_secant_slopes_are_high_precision_and_converge(f, at):
    r = from_definition(f, x, at=at)
    exact = mp_derivative(f, x, at)
    assert close(sympy.N(r.value_at_point, 30), exact)
    g = sympy.lambdify(x, f, modules="mpmath")
    with mpmath.workdps(50):
        x0 = mpmath.mpf(at.p) / at.q
        for row in r.secants:
            hh = mpmath.mpf(row.h.p) / row.h.q
            right = (g(x0 + hh) - g(x0)) / hh
            left = (g(x0 - hh) - g(x0)) / (-hh)
            assert close(row.slope_right, right, 1e-13), (row.h, row.slope_right, right)
            assert close(row.slope_left, left, 1e-13), (row.h, row.slope_left, left)
    last = r.secants[-1]
    assert abs(complex(last.slope_right) - complex(exact)) < 1e-5
    # not float-cancelled: h = 1e-6 still agrees with the exact quotient to ~13 digits
    assert isinstance(last.slope_right, (sympy.Float, sympy.Rational))


def test_sin_at_1():
    r = from_definition(sympy.sin(x), x, at=1)
    assert r.value_at_point == sympy.cos(1)
    assert r.limit == sympy.cos(x)


def test_decimal_point_gives_decimal_value():
    r = from_definition(sympy.exp(x), x, at=sympy.Float("0.5"))
    assert isinstance(r.value_at_point, sympy.Float)
    assert close(r.value_at_point, mpmath.exp(0.5), 1e-14)
    assert close(r.secants[-1].slope_right,
                 (mpmath.exp(mpmath.mpf(1) / 2 + mpmath.mpf(10) ** -6) - mpmath.exp(0.5)) * 10**6, 1e-9)


def test_sqrt_at_0_one_sided_and_unbounded():
    r = from_definition(sympy.sqrt(x), x, at=0)
    assert r.limit is None and r.value_at_point is None
    assert "defined only for x >= 0" in r.note
    assert all(row.slope_left is None for row in r.secants)
    assert r.secants[2].slope_right == 10


def test_x_to_three_halves_at_0_one_sided_derivative():
    r = from_definition(x ** R(3, 2), x, at=0)
    assert r.value_at_point == 0
    assert "one-sided" in r.note


def test_not_defined_at_the_point():
    r = from_definition(1 / x, x, at=0)
    assert r.limit is None and r.value_at_point is None
    assert "not defined at x = 0" in r.note


def test_h_does_not_clash_with_a_user_symbol():
    h = sympy.Symbol("h", real=True)
    r = from_definition(x**2 * h, x)
    assert r.h != h and str(r.h) != "h"
    assert r.limit == 2 * x * h


def test_partial_via_definition():
    r = from_definition(x**2 * y + sympy.sin(y), y)
    assert sympy.simplify(r.limit - (x**2 + sympy.cos(y))) == 0


def test_bad_point_and_var():
    with pytest.raises(InputError):
        from_definition(x**2, x, at="__import__('os')")
    with pytest.raises(InputError):
        from_definition(x**2, x, at=y)
    with pytest.raises(InputError):
        from_definition(x**2, x + 1)


def test_result_is_frozen_data():
    r = from_definition(x**2, x, at=1)
    assert isinstance(r, DefinitionResult)
    with pytest.raises(Exception):
        r.limit = 0  # type: ignore[misc]


# -- property: polynomials and simple compositions -----------------------------

coeff = st.integers(-5, 5)
polys = st.lists(coeff, min_size=1, max_size=5).map(lambda cs: sum(c * x**i for i, c in enumerate(cs)))
outer = st.sampled_from([lambda u: u, sympy.sin, sympy.exp, lambda u: u**2, sympy.cos])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(polys, outer, st.integers(-3, 3))
def test_property_definition_matches_mpmath(p, g, at):
    f = g(p)
    r = from_definition(f, x, at=at)
    assert r.limit is not None
    pt = R(at)
    assert close(sympy.N(r.value_at_point, 30), mp_derivative(f, x, pt), 1e-12)
    assert not r.one_sided_differ
    # secant slopes converge to the derivative, from both sides
    d = complex(sympy.N(r.value_at_point, 30))
    for row in r.secants[3:]:
        for s in (row.slope_right, row.slope_left):
            assert abs(complex(s) - d) <= 1e3 * float(row.h) * (1 + abs(d)) * 100


def test_high_powers_use_decimals_not_600000_digit_rationals():
    # (1 + 10**-6)**99999 exactly has ~600,000 digits: the secant table must use evalf
    r = from_definition(x**99999, x, at=1)
    assert r.value_at_point == 99999
    assert all(isinstance(row.slope_right, sympy.Float) for row in r.secants[1:])
    import mpmath

    mpmath.mp.dps = 40
    h = mpmath.mpf(10) ** -6
    want = ((1 + h) ** 99999 - 1) / h  # independent high-precision value
    assert abs(mpmath.mpf(str(r.secants[-1].slope_right)) - want) < mpmath.mpf("1e-8") * want
