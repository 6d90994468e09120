"""calculus/simplify.py: the cheap rewrites of shown numbers keep their values (checked at 40
digits, independently of the rewrite)."""

from __future__ import annotations

import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.calculus.simplify import tidy_numbers
from gradcli.model.functions import sigmoid

_ATOMS = [sigmoid(sp.Rational(-16, 9)), sp.exp(sp.Rational(2602, 495)), sp.exp(sp.Rational(-1741, 1638)),
          sp.sqrt(2), sp.sin(sp.Rational(1, 3)), sp.log(3), sp.pi]


def test_collecting_beside_exp_keeps_the_value():
    """SymPy's collect rewrote sigmoid(-16/9)**2 beside exp(2602/495) as exp(3031081/(5366088
    log(sigmoid(-16/9)))): an autodiff gradient showed another number (found by the hypothesis
    property of tests/test_autodiff_arrays.py)."""
    s = sigmoid(sp.Rational(-16, 9))
    n = -2 * _ATOMS[1] / 5 + 2 * s - sp.Rational(32, 9) * (1 - s) * s + sp.Rational(11, 7) * _ATOMS[2]
    (shown,) = tidy_numbers([n])
    assert abs(sp.N(shown - n, 40)) < sp.Float("1e-35")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(-9, 9), st.sampled_from(_ATOMS), st.integers(0, 2), st.sampled_from(_ATOMS)),
                min_size=1, max_size=4))
def test_shown_numbers_keep_their_values(terms):
    n = sp.Add(*[sp.Rational(c, 7) * a ** k * b for c, a, k, b in terms])
    (shown,) = tidy_numbers([n])
    assert abs(sp.N(shown - n, 40)) < sp.Float("1e-30") * (1 + abs(sp.N(n, 40))), (n, shown)
