"""One-sided derivatives at kinks (calculus/corners.py), against mpmath's one-sided numerical
derivatives at 30 digits (an oracle that knows nothing of branches), and through the CLI."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from gradcli.calculus.corners import branch_derivatives
from helpers import run

x = sp.Symbol("x", real=True)

# (f, point): a kink of max, min, abs, relu (as Max(u, 0)) at the point
KINKS = [
    (sp.Max(x, x**2), 1),
    (sp.Min(x, x**2), 1),
    (sp.Max(x, 2 - x), 1),
    (sp.Abs(x**3 - x), 1),
    (sp.Abs(x**3 - x), 0),
    (x * sp.Abs(x - 1), 1),
    (sp.Max(sp.sin(x - 1), x - 1), 1),  # the difference is -h^3/6: decided by the third derivative
    (sp.Max(x - 1, 0) * sp.exp(x), 1),
    (sp.Max(x**2, 2 * x - 1, sp.Rational(1, 2) + x / 2), 1),
    (sp.Min(sp.Abs(x), x**2 + x), 0),
    (sp.Abs(x - 1)**3, 1),
]


@pytest.mark.parametrize(("f", "x0"), KINKS, ids=[str(f) for f, _ in KINKS])
def test_one_sided_derivatives_against_mpmath(f, x0):
    right, left = branch_derivatives(f, x, sp.Integer(x0))
    mpmath.mp.dps = 30
    fn = sp.lambdify(x, f, "mpmath")
    for got, direction in ((right, 1), (left, -1)):
        want = mpmath.diff(fn, mpmath.mpf(x0), direction=direction)
        assert abs(sp.N(got, 30) - want) < mpmath.mpf(10) ** -15, (f, direction, got, want)


def test_a_jump_is_left_to_the_limits():
    assert branch_derivatives(sp.Heaviside(x - 1), x, sp.Integer(1)) is None
    assert branch_derivatives(sp.sign(x), x, sp.Integer(0)) is None


@pytest.mark.parametrize(("text", "exit", "words"), [
    ("max(x, x^2)", 2, "one-sided derivatives are 2 and 1"),
    ("min(x, x^2)", 2, "one-sided derivatives are 1 and 2"),
    ("max(sin(x - 1), x - 1)", 0, None),
    ("heaviside(x - 1)", 2, "no finite limit"),
    ("(x - 1) heaviside(x - 1)", 2, "one-sided derivatives are 1 and 0"),
])
def test_cli_at_a_tie(text, exit, words):
    r = run(["-f", "plain", "derivative", text, "--at", "x=1"], exit=exit)
    if words:
        assert words in r.stderr
    else:
        assert r.stdout.strip() == "1"
