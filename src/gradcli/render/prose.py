"""Explanations as maths in each format: the notes of ``--steps`` and ``--definition``
(``calculus.prose``: words, SymPy maths, named rules), and the lines the renderers share
(a counterexample, f'(x0), the sweeps of autodiff).

- plain: words and maths in gradcli's input language (``d/dx x^n = n x^(n - 1)``), so a note
  reads as maths and can be typed back;
- rich: Unicode maths (``d/dx xⁿ = n xⁿ⁻¹``, ``(f g)' = f' g + f g'``);
- LaTeX: math mode, the words in ``\\text{...}`` (never code inside ``\\text``).
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp

from ..calculus.prose import Diff, Equal, Formula, Tends
from .printers import latex, pretty, superscript, written

ASCII, UNICODE, LATEX = "ascii", "unicode", "latex"

#: the named rules, in each notation
_RULES = {
    "sum": ("(f + g)' = f' + g'", "(f + g)' = f' + g'", "(f + g)' = f' + g'"),
    "product": ("(f g)' = f' g + f g'", "(f g)' = f' g + f g'", "(f g)' = f' g + f g'"),
    "quotient": ("(f/g)' = (f' g - f g')/g^2", "(f/g)' = (f' g - f g')/g²",
                 r"\left(\frac{f}{g}\right)' = \frac{f' g - f g'}{g^{2}}"),
}


#: the names of --steps rules as a textbook writes them (json keeps SymPy's: atan)
_RULE_NAMES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "acot": "arccot", "asec": "arcsec",
               "acsc": "arccsc", "asinh": "arsinh", "acosh": "arcosh", "atanh": "artanh", "acoth": "arcoth",
               "abs": "absolute value"}


def rule_name(rule: str) -> str:
    return _RULE_NAMES.get(rule, rule)


def maths(obj: Any, notation: str) -> str:
    """``obj`` in the notation's maths: input language, Unicode or LaTeX."""
    if notation == LATEX:
        return latex(obj)
    return written(obj) if notation == ASCII else pretty(obj)


def _text(s: str) -> str:
    r"""Words for ``\text{...}``: TeX's special characters escaped."""
    out = s.replace("\\", "\x00")
    for a, b in (("_", r"\_"), ("&", r"\&"), ("%", r"\%"), ("#", r"\#"), ("$", r"\$"), ("{", r"\{"),
                 ("}", r"\}"), ("^", r"\^{}"), ("~", r"\~{}")):
        out = out.replace(a, b)
    return out.replace("\x00", r"\textbackslash{}")


def latex_words(s: str) -> str:
    return rf"\text{{{_text(s)}}}" if s else ""


def _diff(d: Diff, notation: str) -> str:
    var = maths(d.var, notation)
    inner = maths(d.expr, notation)
    compound = isinstance(d.expr, (sp.Add, sp.Mul)) or (isinstance(d.expr, sp.Pow) and notation != LATEX
                                                         and d.expr.exp.is_negative)
    if notation == LATEX:
        body = rf"\left( {inner} \right)" if compound else inner
        return rf"\frac{{d}}{{d {var}}} {body}"
    return f"d/d{var} " + (f"({inner})" if compound else inner)


def _formula(f: Formula, notation: str) -> str:
    if f.name in _RULES:
        return _RULES[f.name][(ASCII, UNICODE, LATEX).index(notation)]
    m = [maths(a, notation) for a in f.args]
    if f.name == "chain":
        x, u = m
        if notation == LATEX:
            return rf"\frac{{d}}{{d {x}}} f({u}) = \frac{{d f}}{{d {u}}} \frac{{d {u}}}{{d {x}}}"
        return f"d/d{x} f({u}) = df/d{u} " + ("" if notation == ASCII else "⋅ ") + f"d{u}/d{x}"
    if f.name == "general power":
        base, exp = m
        if notation == LATEX:
            return (r"f^{g} = e^{g \log f}" + latex_words(", so ") + r"\left(f^{g}\right)' = f^{g} "
                    r"\left(g \log f\right)'" + latex_words(" with ") + f"f = {base}, g = {exp}")
        power = "f^g" if notation == ASCII else "fᵍ"
        return (f"{power} = exp(g log(f)), so ({power})' = {power} (g log(f))' with f = {base}, g = {exp}")
    if f.name == "binomial":
        x, h, n = m
        if notation == LATEX:
            return (rf"\left({x} + {h}\right)^{{{n}}} = \sum_{{i=0}}^{{{n}}} \binom{{{n}}}{{i}} "
                    rf"{x}^{{{n} - i}} {h}^{{i}}")
        if notation == ASCII:
            return f"({x} + {h})^{n} = sum over i = 0..{n} of C({n}, i) {x}^({n} - i) {h}^i"
        top = superscript(n) or f"^{n}"
        return f"({x} + {h}){top} = ∑ᵢ₌₀{top} C({n}, i) {x}{superscript(f'{n}-i') or '^(' + n + ' - i)'} {h}ⁱ"
    raise ValueError(f.name)


def _relation(part: Any, notation: str) -> str:
    symbols = {sp.Ne: ("!=", "≠", r"\neq"), sp.Ge: (">=", "≥", r"\geq"), sp.Le: ("<=", "≤", r"\leq"),
               sp.Eq: ("=", "=", "=")}
    for kind, marks in symbols.items():
        if isinstance(part, kind):
            mark = marks[(ASCII, UNICODE, LATEX).index(notation)]
            return f"{maths(part.lhs, notation)} {mark} {maths(part.rhs, notation)}"
    raise TypeError(type(part))


def part_text(part: Any, notation: str) -> str:
    """One part of a note: words stay words (LaTeX: ``\\text``), the rest is maths."""
    if isinstance(part, str):
        return latex_words(part) if notation == LATEX else part
    if isinstance(part, Formula):
        return _formula(part, notation)
    if isinstance(part, Diff):
        return _diff(part, notation)
    if isinstance(part, Equal):
        return " = ".join(_diff(s, notation) if isinstance(s, Diff) else maths(s, notation) for s in part.sides)
    if isinstance(part, Tends):
        var, to = maths(part.var, notation), maths(part.to, notation)
        if notation == LATEX:
            return rf"{var} \to {to}" + (f"^{{{part.side}}}" if part.side else "")
        if notation == ASCII:
            return f"{var} -> {to}{part.side}"
        return f"{var} → {to}" + ({"+": "⁺", "-": "⁻"}.get(part.side, ""))
    if isinstance(part, (sp.Eq, sp.Ne, sp.Ge, sp.Le)):
        return _relation(part, notation)
    return maths(part, notation)


def note(parts: tuple, notation: str) -> str:
    """A note (``calculus.prose`` parts) in the notation; LaTeX is math-mode text."""
    return "".join(part_text(p, notation) for p in parts)


#: characters of a LaTeX line (as its Unicode reads) that fit the text width of a document
LATEX_LINE = 64


def latex_lines(parts: tuple, width: int = LATEX_LINE) -> list[str]:
    """A note as LaTeX lines that fit the page: broken between words and between pieces of
    maths (a formula is never broken), each line math-mode text for an ``aligned`` block."""
    atoms: list[tuple[bool, str, int]] = []  # (words?, LaTeX, width as read)
    for part in parts:
        if isinstance(part, str):
            for word in re.findall(r"\s*\S+\s*|\s+", part):
                atoms.append((True, word, len(word)))
        else:
            atoms.append((False, part_text(part, LATEX), len(part_text(part, UNICODE))))
    lines: list[list[tuple[bool, str, int]]] = [[]]
    used = 0
    for atom in atoms:
        if used + atom[2] > width and lines[-1] and atom[1].strip() and atom[1][:1] not in ",;:.)":
            lines.append([])
            used = 0
        lines[-1].append(atom)
        used += atom[2]
    return [_latex_line(line) for line in lines if line]


def _latex_line(atoms: list[tuple[bool, str, int]]) -> str:
    out, words = "", ""
    for is_words, text, _ in atoms:
        if is_words:
            words += text
            continue
        out += latex_words(words) if words.strip() else ""
        words = ""
        out += text
    return out + (latex_words(words.rstrip()) if words.strip() else "")


# -- lines the renderers share ------------------------------------------------------------------


def counterexample_text(ce: dict) -> str:
    """``at x = 1/3, n = 2: lhs = ..., rhs = ...`` for a counterexample dict."""
    from ..check.verdict import shape_words, value_text

    where = ", ".join(f"{k} = {v}" for k, v in {**(ce.get("sizes") or {}), **(ce.get("point") or {})}.items())
    sides = f"lhs = {value_text(ce['lhs'])}, rhs = {value_text(ce['rhs'])}" if "lhs" in ce else ""
    if "lhs_shape" in ce:
        sides = f"lhs = {shape_words(ce['lhs_shape'])}, rhs = {shape_words(ce['rhs_shape'])}"
    if ce.get("difference"):
        sides += f"; lhs - rhs = {ce['difference']}"
    return f"at {where}: {sides}" if where else sides


def definition_at_point(d: Any) -> tuple | None:
    """What --definition says at the point (a note's parts), or None without a point."""
    if d.point is None:
        return None
    x, p = d.var, d.point
    if d.value_at_point is not None:
        return ("f'(", p, ") = ", d.value_at_point)
    if d.one_sided_differ:
        return ("at ", sp.Eq(x, p, evaluate=False), " the one-sided limits differ: ", d.limit_right, " (",
                Tends(d.h, 0, "+"), ") and ", d.limit_left, " (", Tends(d.h, 0, "-"),
                "); f has no derivative there")
    return ("f has no derivative at ", sp.Eq(x, p, evaluate=False))


def sweeps_text(t: Any) -> str:
    """What the modes cost, said plainly: forward mode one sweep per input, reverse one in all."""
    parts = []
    if t.forward:
        n = len(t.sweeps)
        seeds = ", ".join(t.sweeps)
        parts.append(f"forward mode: {n} sweep{'s' if n != 1 else ''}, one per input ({seeds})")
    if t.reverse:
        parts.append("reverse mode: 1 sweep for all inputs")
    return "; ".join(parts)
