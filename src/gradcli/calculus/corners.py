"""Derivatives at corners: does d/dx f exist at a point where abs(u) or sign(u) has u = 0?

SymPy's rules give d/dx abs(x) = sign(x) and sign(0) = 0, so the formula evaluated at a corner
says 0 where no derivative exists (abs(x) at 0), while x*abs(x) at 0 really has derivative 0.
Neither the formula nor the shape of f decides it; the one-sided limits of the difference
quotient do.  ``ensure_partial_exists`` takes them (bounded in time) and refuses the point when
they differ, are infinite, or cannot be found (the limits are those of ``derivative
--definition``: ``definition.one_sided_derivatives``).  Away from corners it does nothing and costs
nothing but a scan of f's atoms.

Core code: takes and returns data, raises InputError, never prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sympy as sp

from ..errors import InputError
from ..model.functions import relu, without_ml
from .definition import finite_real, one_sided_derivatives

_KINKS = (sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min, sp.floor, sp.ceiling, relu)


def corner_atoms(f: Any, given: Mapping[Any, Any], variables: Iterable[Any]) -> list[Any]:
    """The abs/sign/... atoms of f whose argument depends on one of ``variables`` and
    vanishes at the point (for floor, ceiling: is an integer there)."""
    if not isinstance(f, sp.Basic):
        return []
    variables = set(variables)
    out = []
    for atom in f.atoms(*_KINKS):
        args = atom.args
        if not any(a.free_symbols & variables for a in args):
            continue
        if not all(a.free_symbols <= set(given) for a in args):
            continue
        values = [a.xreplace(dict(given)) for a in args]
        if isinstance(atom, (sp.Max, sp.Min)):
            hit = len(set(values)) < len(values)
        elif isinstance(atom, (sp.floor, sp.ceiling)):
            hit = values[0].is_integer is not False
        else:
            hit = values[0] == 0
        if hit:
            out.append(atom)
    return out


def ensure_partial_exists(f: Any, var: Any, given: Mapping[Any, Any], text: str, where: str) -> None:
    """Raise InputError unless ∂f/∂var exists at the point ``given`` (a corner check)."""
    atoms = corner_atoms(f, given, [var])
    if not atoms:
        return
    others = {s: v for s, v in given.items() if s != var}
    g = without_ml(f.xreplace(others))
    right, left = branch_derivatives(g, var, given[var]) or one_sided_derivatives(g, var, given[var])
    shown = f"{atoms[0]}" if len(atoms) == 1 else ", ".join(map(str, atoms[:3]))
    if not (finite_real(right) and finite_real(left)):
        if right is None or left is None:
            raise InputError(f"{text!r}: could not decide whether ∂/∂{var} exists at {where} "
                             f"({shown} has a kink there)",
                             "the one-sided limits could not be computed; see derivative --definition")
        raise InputError(f"{text!r} has no derivative by {var} at {where}: the difference quotient has no "
                         f"finite limit ({shown} has a kink there)", "see derivative --definition")
    if sp.simplify(right - left) != 0:
        raise InputError(f"{text!r} has no derivative by {var} at {where}: the one-sided derivatives are "
                         f"{right} and {left} ({shown} has a corner there)", "see derivative --definition")


# -- one-sided derivatives by the branch each kink takes on each side --------------------------------

_SIDE_ORDER = 8  # derivatives tried to decide which branch of a tie is larger on a side


def branch_derivatives(f: Any, var: Any, x0: Any) -> tuple[Any, Any] | None:
    """(right, left) derivatives of f at var = x0, f piecewise smooth through abs, sign, max,
    min, heaviside, floor, ceiling: on each side every kink at the point takes one branch
    (max(x, x^2) is x^2 just right of 1 and x just left of it: the first nonzero derivative of
    the difference decides), and that branch is differentiated.  None when a branch cannot be
    decided or f jumps at x0 (the limits of ``definition.one_sided_derivatives`` are taken then)."""
    out = []
    f0 = f.xreplace({var: x0})
    for side in (1, -1):
        g = _resolved(f, var, x0, side)
        if g is None or sp.simplify(g.xreplace({var: x0}) - f0) != 0:  # a jump: the limits decide
            return None
        d = sp.diff(g, var).xreplace({var: x0})
        if not finite_real(d):
            return None
        out.append(sp.nsimplify(d) if d.is_Float else d)
    return out[0], out[1]


def _resolved(f: Any, var: Any, x0: Any, side: int) -> Any:
    for _ in range(50):
        atoms = corner_atoms(f, {var: x0}, [var])
        if not atoms:
            return f
        inner = [a for a in atoms if not any(b is not a and a.has(b) for b in atoms)]
        branch = _branch(inner[0], var, x0, side)
        if branch is None:
            return None
        f = f.xreplace({inner[0]: branch})
    return None


def _branch(atom: Any, var: Any, x0: Any, side: int) -> Any:
    """What ``atom`` (a kink at x0) equals just to one side of x0; None if undecided."""
    if isinstance(atom, (sp.Max, sp.Min)):
        values = [a.xreplace({var: x0}) for a in atom.args]
        best = sp.Max(*values) if isinstance(atom, sp.Max) else sp.Min(*values)
        active = [a for a, v in zip(atom.args, values) if sp.simplify(v - best) == 0]
        winner = active[0]
        for a in active[1:]:
            s = _side_sign(a - winner, var, x0, side)
            if s is None:
                return None
            if (s > 0) == isinstance(atom, sp.Max) and s != 0:
                winner = a
        return winner
    u = atom.args[0]
    if isinstance(atom, (sp.floor, sp.ceiling)):
        n = u.xreplace({var: x0})
        s = _side_sign(u - n, var, x0, side)
        if s is None:
            return None
        if isinstance(atom, sp.floor):
            return n if s >= 0 else n - 1
        return n if s <= 0 else n + 1
    s = _side_sign(u, var, x0, side)
    if s is None or s == 0:
        return None
    if isinstance(atom, sp.Abs):
        return s * u
    if isinstance(atom, sp.sign):
        return sp.Integer(s)
    if isinstance(atom, sp.Heaviside):
        return sp.Integer(1 if s > 0 else 0)
    return u if s > 0 else sp.S.Zero  # relu


def _side_sign(d: Any, var: Any, x0: Any, side: int) -> int | None:
    """The sign of d just to one side of x0 (d(x0) = 0 or not): from its first nonzero
    derivative there, sign(d^(k)(x0)) side^k; 0 when d is identically 0; None if undecided."""
    if sp.simplify(d) == 0:
        return 0
    dk = d
    for k in range(_SIDE_ORDER + 1):
        v = sp.simplify(dk.xreplace({var: x0}))
        if not v.is_number or not finite_real(v):
            return None
        if v != 0:
            return (1 if v > 0 else -1) * side ** k
        dk = sp.diff(dk, var)
    return None


def ensure_no_corners(f: Any, variables: Iterable[Any], given: Mapping[Any, Any], text: str, where: str) -> None:
    """For second and higher derivatives: refuse any kink in the variables at the point
    (conservative: x^3 abs(x) at 0 is refused although its second derivative exists)."""
    atoms = corner_atoms(f, given, list(variables))
    if atoms:
        raise InputError(
            f"{text!r}: {atoms[0]} has a kink at {where}; gradcli computes higher derivatives there only "
            "where no kink is", "see derivative --definition for the first derivative")
