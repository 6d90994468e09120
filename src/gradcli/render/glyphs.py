"""The characters of textbook maths in one-line Unicode: superscripts (``n - 1`` -> ``ⁿ⁻¹``),
Greek letters for their names (``theta1`` -> ``θ1``), and the names a textbook gives functions
(``arctan``, ``sgn``), and which of d or ∂ a derivative operator takes."""

from __future__ import annotations

import re
from typing import Any

_SUPERSCRIPT = dict(zip(
    "0123456789+-=()abcdefghijklmnoprstuvwxyzθ",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᶿ",
))
_GREEK_NAMES = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ", "eta": "η",
    "theta": "θ", "iota": "ι", "kappa": "κ", "lamda": "λ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "omicron": "ο", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "chi": "χ",
    "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
_GREEK_RE = re.compile(r"(?<![A-Za-z])(" + "|".join(sorted(_GREEK_NAMES, key=len, reverse=True)) + r")(?![A-Za-z])")
#: function names as a textbook writes them
_FUNCTION_NAMES = {
    "asin": "arcsin", "acos": "arccos", "atan": "arctan", "acot": "arccot", "asec": "arcsec",
    "acsc": "arccsc", "asinh": "arsinh", "acosh": "arcosh", "atanh": "artanh", "acoth": "arcoth",
    "sign": "sgn",
}


def superscript(text: str) -> str | None:
    """``n - 1`` -> ``ⁿ⁻¹``; None when a character has no superscript form (then ``^(...)``)."""
    compact = re.sub(r" ([+-]) ", r"\1", text)
    if not compact or " " in compact or len(compact) > 8:
        return None
    out = []
    for ch in compact:
        if ch not in _SUPERSCRIPT:
            return None
        out.append(_SUPERSCRIPT[ch])
    return "".join(out)


def greek(name: str) -> str:
    """``theta1`` -> ``θ1``, ``x_theta`` -> ``x_θ``, ``lamda`` -> ``λ``."""
    return _GREEK_RE.sub(lambda m: _GREEK_NAMES[m.group(1)], name)


def partial(variables: Any, function: Any = None) -> bool:
    """Whether an operator is written with ∂: several variables, or a function of several
    (SymPy's rule); d for a function of one variable (d/dx x³, d/dX log det X)."""
    variables = list(variables)
    if len(set(variables)) > 1:
        return True
    if function is None:
        return False
    free = {s for s in getattr(function, "free_symbols", set()) if not getattr(s, "is_integer", False)}
    return len(free | set(variables)) > 1


def _groups(variables: list[Any]) -> list[list[Any]]:
    """Consecutive equal variables grouped, in the order of application reversed (the last
    applied stands leftmost in the denominator)."""
    groups: list[list[Any]] = []
    for v in reversed(variables):
        if groups and groups[-1][0] == v:
            groups[-1].append(v)
        else:
            groups.append([v])
    return groups
