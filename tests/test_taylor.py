"""Taylor polynomials (issue 4): the pure engine in gradcli.calculus.taylor.

Ground truth is independent of the engine: closed-form coefficients (factorials,
binomials) computed with fractions.Fraction, SymPy's own series(), and derivatives
taken directly with sympy.diff at the center.
"""

from __future__ import annotations

import time
from fractions import Fraction
from math import comb, factorial

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcli.calculus.taylor import TaylorResult, TaylorTerm, taylor
from gradcli.errors import InputError, NotAnalyticError

x, y, z, a = sp.symbols("x y z a")


def coeffs(result):
    return [t.coefficient for t in result.terms]


def q(fr):
    return sp.Rational(fr.numerator, fr.denominator)


# ---------------------------------------------------------------- closed forms

N = 60


def closed_exp(k):
    return Fraction(1, factorial(k))


def closed_sin(k):
    return Fraction((-1) ** (k // 2), factorial(k)) if k % 2 else Fraction(0)


def closed_cos(k):
    return Fraction((-1) ** (k // 2), factorial(k)) if k % 2 == 0 else Fraction(0)


def closed_geometric(k):
    return Fraction(1)


def closed_log1p(k):
    return Fraction((-1) ** (k + 1), k) if k else Fraction(0)


def closed_atan(k):
    return Fraction((-1) ** (k // 2), k) if k % 2 else Fraction(0)


def closed_sqrt1p(k):
    # binomial(1/2, k) = prod_{i<k} (1/2 - i) / k!
    num = Fraction(1)
    for i in range(k):
        num *= Fraction(1, 2) - i
    return num / factorial(k)


@pytest.mark.parametrize(
    "expr, closed",
    [
        (sp.exp(x), closed_exp),
        (sp.sin(x), closed_sin),
        (sp.cos(x), closed_cos),
        (1 / (1 - x), closed_geometric),
        (sp.log(1 + x), closed_log1p),
        (sp.atan(x), closed_atan),
        (sp.sqrt(1 + x), closed_sqrt1p),
    ],
    ids=["exp", "sin", "cos", "geometric", "log1p", "atan", "sqrt1p"],
)
def test_closed_form_coefficients_order_60(expr, closed):
    r = taylor(expr, (x,), (0,), N)
    assert isinstance(r, TaylorResult)
    assert r.order == N and r.variables == (x,) and r.center == (0,)
    assert [t.powers for t in r.terms] == [(k,) for k in range(N + 1)]
    assert coeffs(r) == [q(closed(k)) for k in range(N + 1)]
    assert [t.derivative for t in r.terms] == [q(closed(k)) * factorial(k) for k in range(N + 1)]


def test_binomial_series_integer_power():
    r = taylor((1 + x) ** 12, x, 0, 15)
    assert coeffs(r) == [comb(12, k) for k in range(16)]


# ---------------------------------------------------------- against series()


def series_coeffs(expr, n, x0=0):
    s = sp.series(expr, x, x0, n + 1).removeO()
    if x0 != 0:
        h = sp.Symbol("h")
        s = s.subs(x, x0 + h)
        return [sp.simplify(sp.expand(s).coeff(h, k)) for k in range(n + 1)]
    return [sp.expand(s).coeff(x, k) for k in range(n + 1)]


def test_exp_sin_order_12_against_series():
    r = taylor(sp.exp(sp.sin(x)), x, 0, 12)
    assert coeffs(r) == series_coeffs(sp.exp(sp.sin(x)), 12)


def test_tan_order_25_against_series():
    assert coeffs(taylor(sp.tan(x), x, 0, 25)) == series_coeffs(sp.tan(x), 25)


def test_cos_over_one_plus_x2_order_20_against_series():
    f = sp.cos(x) / (1 + x**2)
    assert coeffs(taylor(f, x, 0, 20)) == series_coeffs(f, 20)


@pytest.mark.parametrize(
    "expr",
    [
        sp.tanh(x),
        sp.sinh(x) * sp.cosh(2 * x),
        sp.asin(x),
        sp.acos(x / 2),
        sp.asinh(x),
        sp.atanh(x),
        sp.acot(x + 1),
        sp.sec(x),
        1 / sp.cos(x) ** 2 + sp.log(sp.cos(x)),
        (1 + x) ** sp.Rational(-3, 2),
        2**x,
        (1 + x) ** x,
        sp.exp(x) * sp.sin(x) - sp.sqrt(4 - x) / (3 + x**3),
        sp.sin(x) / x,
        x / (sp.exp(x) - 1),
        x * sp.cot(x),
        (1 - sp.cos(x)) / x**2,
        sp.sqrt(x**4 + x**6),
        sp.Abs(x - 3) * sp.sign(x + 2),
        sp.log(2 + x, 3),
    ],
)
def test_battery_against_series(expr):
    assert [sp.nsimplify(c) for c in coeffs(taylor(expr, x, 0, 7))] == [
        sp.nsimplify(c) for c in series_coeffs(expr, 7)
    ]


def test_nonzero_rational_center_against_series():
    f = sp.atan(x) + sp.cos(x) / (1 + x**2)
    r = taylor(f, x, sp.Rational(1, 2), 5)
    got = [sp.simplify(c) for c in coeffs(r)]
    want = series_coeffs(f, 5, sp.Rational(1, 2))
    assert all(sp.simplify(g - w) == 0 for g, w in zip(got, want))


# ----------------------------------------------------------- the book's example


def test_book_x4_about_1():
    r = taylor(x**4, x, 1, 6)
    assert [t.derivative for t in r.terms] == [1, 4, 12, 24, 24, 0, 0]
    assert coeffs(r) == [1, 4, 6, 4, 1, 0, 0]
    assert sp.expand(r.polynomial - x**4) == 0
    assert r.polynomial != x**4  # unexpanded: powers of (x - 1)
    assert r.polynomial.has(x - 1)
    assert not r.expanded
    e = taylor(x**4, x, 1, 6, expand=True)
    assert e.polynomial == x**4 and e.expanded
    assert e.terms == r.terms


def test_zero_center_expand_changes_nothing():
    r1 = taylor(sp.exp(sp.sin(x)), x, 0, 8)
    r2 = taylor(sp.exp(sp.sin(x)), x, 0, 8, expand=True)
    assert r1.polynomial == r2.polynomial


def test_polynomial_form_about_nonzero_center():
    r = taylor(sp.exp(x), x, 1, 3)
    e = sp.E
    want = e + e * (x - 1) + e * (x - 1) ** 2 / 2 + e * (x - 1) ** 3 / 6
    assert sp.simplify(r.polynomial - want) == 0
    # the linear term stays c*(x - 1), not distributed: 4*(x - 1) in the book
    r4 = taylor(x**4, x, 1, 2)
    assert sp.Mul(4, x - 1, evaluate=False) in r4.polynomial.args


@settings(max_examples=40, deadline=None)
@given(
    cs=st.lists(st.integers(-20, 20), min_size=1, max_size=9),
    num=st.integers(-9, 9),
    den=st.integers(1, 9),
    extra=st.integers(0, 3),
)
def test_property_taylor_of_polynomial_is_itself(cs, num, den, extra):
    p = sum(c * x**k for k, c in enumerate(cs))
    n = len(cs) - 1 + extra
    x0 = sp.Rational(num, den)
    r = taylor(p, x, x0, n, expand=True)
    assert sp.expand(r.polynomial - p) == 0
    unexpanded = taylor(p, x, x0, n)
    assert sp.expand(unexpanded.polynomial - p) == 0
    # f^(k)(x0) directly
    for t in unexpanded.terms:
        (k,) = t.powers
        assert t.derivative == sp.diff(p, x, k).subs(x, x0)


# ---------------------------------------------------------------- several variables


def test_multivariate_book_example_degree_3():
    r = taylor(sp.exp(x) * sp.sin(y), (x, y), (0, 0), 3)
    assert sp.expand(r.polynomial - (y + x * y + x**2 * y / 2 - y**3 / 6)) == 0
    assert all(t.coefficient != 0 for t in r.terms)
    assert [sum(t.powers) for t in r.terms] == sorted(sum(t.powers) for t in r.terms)


def _check_against_diff(f, variables, center, n):
    r = taylor(f, variables, center, n)
    got = {t.powers: t for t in r.terms}
    subs = dict(zip(variables, center))
    import itertools

    for powers in itertools.product(range(n + 1), repeat=len(variables)):
        if sum(powers) > n:
            continue
        d = f
        for v, p in zip(variables, powers):
            if p:
                d = sp.diff(d, v, p)
        want = sp.simplify(d.subs(subs))
        if want == 0:
            assert powers not in got or sp.simplify(got[powers].derivative) == 0
        else:
            assert sp.simplify(got[powers].derivative - want) == 0, powers
            denom = 1
            for p in powers:
                denom *= factorial(p)
            assert sp.simplify(got[powers].coefficient - want / denom) == 0
    return r


def test_multivariate_degree_6_against_diff():
    _check_against_diff(sp.exp(x) * sp.sin(y), (x, y), (0, 0), 6)


def test_multivariate_nonzero_center_against_diff():
    r = _check_against_diff(sp.exp(x * y) + sp.cos(x + z), (x, y, z), (1, 2, 0), 3)
    e = taylor(r.function, (x, y, z), (1, 2, 0), 3, expand=True)
    assert sp.simplify(sp.expand(e.polynomial - r.polynomial)) == 0


def test_multivariate_removable_singularity():
    # (exp(x) - 1)/x = sum x^k/(k+1)!, times cos(y)
    f = (sp.exp(x) - 1) / x * sp.cos(y)
    r = taylor(f, (x, y), (0, 0), 5)
    want = sp.expand(
        sum(x**k / factorial(k + 1) for k in range(6)) * (1 - y**2 / 2 + y**4 / 24)
    )
    want = sum(t for t in want.as_ordered_terms() if sp.Poly(t, x, y).total_degree() <= 5)
    assert sp.expand(r.polynomial - want) == 0


def test_multivariate_not_analytic():
    with pytest.raises(NotAnalyticError):
        taylor(x * y / (x**2 + y**2), (x, y), (0, 0), 3)
    with pytest.raises(NotAnalyticError):
        taylor(sp.log(x + y), (x, y), (0, 0), 2)


# ------------------------------------------------------------------ centers


def test_sin_about_pi_half_against_diff():
    r = taylor(sp.sin(x), x, sp.pi / 2, 9)
    for t in r.terms:
        (k,) = t.powers
        assert t.derivative == sp.diff(sp.sin(x), x, k).subs(x, sp.pi / 2)


def test_exp_about_1_against_diff():
    r = taylor(sp.exp(x), x, 1, 12)
    assert [t.derivative for t in r.terms] == [sp.E] * 13
    assert coeffs(r) == [sp.E / factorial(k) for k in range(13)]


def test_symbolic_center():
    r = taylor(sp.exp(x), x, a, 8)
    assert coeffs(r) == [sp.exp(a) / factorial(k) for k in range(9)]
    r = taylor(sp.sin(x) * x, x, a, 4)
    for t in r.terms:
        (k,) = t.powers
        want = sp.diff(sp.sin(x) * x, x, k).subs(x, a)
        assert sp.simplify(t.derivative - want) == 0


def test_symbolic_center_abs_and_several_variables():
    xr, ar = sp.symbols("x a", real=True)
    r = taylor(sp.Abs(xr), xr, ar, 3)
    assert coeffs(r) == [sp.Abs(ar), sp.sign(ar), 0, 0]
    b = sp.Symbol("b")
    _check_against_diff(sp.exp(x) * sp.sin(y), (x, y), (a, b), 3)


def test_expanded_about_nonzero_center():
    r = taylor(sp.sin(x) * sp.exp(x), x, 1, 6)
    e = taylor(sp.sin(x) * sp.exp(x), x, 1, 6, expand=True)
    assert sp.simplify(sp.expand(r.polynomial) - e.polynomial) == 0
    assert not e.polynomial.has(x - 1)


def test_fallback_to_derivatives_for_unknown_functions():
    r = taylor(sp.erf(x) + sp.sin(x), x, 0, 7)
    assert r.method == "derivatives"
    assert [sp.simplify(c) for c in coeffs(r)] == [
        sp.simplify(c) for c in series_coeffs(sp.erf(x) + sp.sin(x), 7)
    ]
    assert taylor(sp.sin(x), x, 0, 3).method != "derivatives"


# -------------------------------------------------------------- not analytic


@pytest.mark.parametrize(
    "expr, x0",
    [
        (1 / x, 0),
        (sp.sqrt(x), 0),
        (sp.log(x), 0),
        (sp.Abs(x), 0),
        (sp.tan(x), sp.pi / 2),
        (sp.exp(1 / x), 0),
        (sp.asin(x), 1),
        (x**x, 0),
        (sp.sqrt(x**2), 0),
        (1 / (x - a), a),
        (sp.sign(x), 0),
        (sp.Heaviside(x), 0),
    ],
)
def test_not_analytic(expr, x0):
    with pytest.raises(NotAnalyticError) as info:
        taylor(expr, x, x0, 4)
    msg = str(info.value)
    assert str(expr) in msg and f"x = {x0}" in msg
    assert info.value.status == 2


def test_real_variable_abs():
    xr = sp.Symbol("x", real=True)
    assert sp.sqrt(xr**2) == sp.Abs(xr)
    with pytest.raises(NotAnalyticError):
        taylor(sp.sqrt(xr**2), xr, 0, 3)
    assert coeffs(taylor(sp.sqrt(xr**4), xr, 0, 3)) == [0, 0, 1, 0]


def test_analytic_where_derivatives_exist():
    assert coeffs(taylor(sp.log(x), x, 1, 3)) == [0, 1, sp.Rational(-1, 2), sp.Rational(1, 3)]
    assert coeffs(taylor(sp.Abs(x), x, -2, 2)) == [2, -1, 0]
    assert coeffs(taylor(sp.sqrt(x), x, 4, 2)) == [2, sp.Rational(1, 4), sp.Rational(-1, 64)]
    assert coeffs(taylor((x - sp.pi / 2) * sp.tan(x), x, sp.pi / 2, 1)) == [-1, 0]


# -------------------------------------------------------------------- inputs


def test_orders():
    r = taylor(sp.cos(x), x, 0, 0)
    assert coeffs(r) == [1] and r.polynomial == 1
    with pytest.raises(InputError):
        taylor(sp.cos(x), x, 0, 1001)
    with pytest.raises(InputError):
        taylor(sp.cos(x), x, 0, -1)
    with pytest.raises(InputError):
        taylor(sp.cos(x), (x, y), (0,), 3)


def test_terms_are_frozen():
    r = taylor(sp.cos(x), x, 0, 2)
    with pytest.raises(Exception):
        r.order = 3  # type: ignore[misc]
    assert isinstance(r.terms[0], TaylorTerm)


def test_speed_of_the_engine():
    # Far below sympy.series (order 20 of exp(sin(x)) takes minutes there).
    t = time.perf_counter()
    taylor(sp.exp(sp.sin(x)), x, 0, 100, expand=True)
    taylor(sp.tan(x), x, 0, 50)
    taylor(sp.cos(x) / (1 + x**2), x, 0, 50)
    taylor(sp.exp(x) * sp.sin(y), (x, y), (0, 0), 10)
    assert time.perf_counter() - t < 3.0
