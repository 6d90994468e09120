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
    right, left = one_sided_derivatives(without_ml(f.xreplace(others)), var, given[var])
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


def ensure_no_corners(f: Any, variables: Iterable[Any], given: Mapping[Any, Any], text: str, where: str) -> None:
    """For second and higher derivatives: refuse any kink in the variables at the point
    (conservative: x^3 abs(x) at 0 is refused although its second derivative exists)."""
    atoms = corner_atoms(f, given, list(variables))
    if atoms:
        raise InputError(
            f"{text!r}: {atoms[0]} has a kink at {where}; gradcli computes higher derivatives there only "
            "where no kink is", "see derivative --definition for the first derivative")
