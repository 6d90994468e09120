"""The vocabulary of gradcli's expression language: function names and their arities,
Greek letters, what a name is, and the did-you-mean suggestions both parsers give.

Pure data and text: nothing here imports SymPy.
"""

from __future__ import annotations

import re

from ..errors import ParseError

#: Function names of the language (plain form), with their arities.
FUNCTIONS: dict[str, tuple[int, ...]] = {
    **{f: (1,) for f in (
        "sin cos tan cot sec csc asin acos atan acot asec acsc "
        "arcsin arccos arctan arccot arcsec arccsc sinh cosh tanh coth sech csch "
        "asinh acosh atanh arsinh arcosh artanh arcsinh arccosh arctanh "
        "exp ln sqrt cbrt abs sign erf gamma factorial "
        "tr trace det inv norm transpose "
        # machine learning (issue 16): scalar functions, entrywise on arrays
        "sigmoid softplus relu log1p expm1 log2 log10 heaviside "
        # reductions and constructors of arrays
        "sum mean diag softmax logsumexp vec"
    ).split()},
    # SymPy's own names, so that plain output reads back
    **{f: (1,) for f in "Abs Trace Determinant Inverse Transpose Heaviside".split()},
    "max": (2,), "min": (2,), "Max": (2,), "Min": (2,),
    "kron": (2, 3, 4),  # kron(A, B, C) = A ⊗ B ⊗ C, as gradcli prints a vec form
    "polygamma": (2,),
    "log": (1, 2),
    "atan2": (2,),
    "root": (2,),
    "diff": (2, 3, 4, 5, 6),
}

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu",
    "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon",
    "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta",
    "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Φ": "Phi",
    "Ψ": "Psi", "Ω": "Omega",
}

GREEK_CHARS = "".join(GREEK)
#: A name: Latin letters and digits (``x``, ``y1``, ``theta``), or one Greek character with
#: digits (``θ``, ``θ1``), then any ``_`` subscripts (``x_1``, ``θ_i``, ``x_θ``).  A Greek
#: character next to Latin letters is a separate name (``2πx`` is 2·π·x, as in print).
NAME = rf"(?:[A-Za-z][A-Za-z0-9]*|[{GREEK_CHARS}][0-9]*)(?:_(?:[A-Za-z0-9{GREEK_CHARS}])+)*"
NAME_RE = re.compile(NAME)
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"
#: Greek letters spelled out, longest first (``epsilon`` before ``eta``).
GREEK_WORDS = "|".join(sorted(set(GREEK.values()), key=len, reverse=True))


def internal_name(text: str) -> str:
    """A written name as gradcli's name: Greek characters spelled out (``θ_1`` -> ``theta_1``)."""
    if not any(ch in GREEK for ch in text):
        return text
    return "".join(GREEK.get(ch, ch) for ch in text)


#: A variable-like tail glued to a function name: one letter and digits (``sinx``, ``detA``,
#: ``cosx1``), or a spelled Greek letter (``sintheta``).
_GLUED_TAIL_RE = re.compile(rf"(?:{GREEK_WORDS}|[A-Za-z])[0-9]*")


def glued_function(name: str) -> tuple[str, str] | None:
    """``sinx`` -> ("sin", "x"): a function name of the language glued to a variable.

    Built from ``FUNCTIONS`` (the longest function name that starts ``name``), so functions
    added later are covered.  Only one-argument functions, and only a tail that looks like a
    variable (``cost`` is refused as cos(t); ``costs`` and ``sin_x`` are names)."""
    if name in FUNCTIONS:
        return None
    for fname in sorted(FUNCTIONS, key=len, reverse=True):
        if 1 not in FUNCTIONS[fname] or not fname[0].islower() or len(name) <= len(fname):
            continue
        if not name.startswith(fname):
            continue
        rest = name[len(fname):]
        if _GLUED_TAIL_RE.fullmatch(rest):
            return fname, rest
    return None


def suggest_function(name: str) -> str | None:
    """The function name a misspelled one probably means: ``sine`` -> ``sin``, ``log10`` -> ``log``
    with a base."""
    import difflib

    glued = glued_function(name)
    if glued:
        return glued[0]
    plain = [f for f in FUNCTIONS if f[0].islower() and f != "diff"]
    for f in sorted(plain, key=len, reverse=True):  # sine, cosine, logarithm: a function's name and more
        if name.lower().startswith(f) and len(f) >= 2:
            return f
    close = difflib.get_close_matches(name.lower(), plain, n=1, cutoff=0.6)
    return close[0] if close else None




def bare_function(name: str, written: str = "") -> tuple[str, str | None]:
    """The message (and hint) for a function name used without its argument: for γ, that
    it is the Gamma function, so not a variable."""
    if name == "gamma":
        shown = f"{written!r} ({name})" if written and written != name else repr(name)
        return (f"{shown} is the Gamma function in gradcli (gamma(x)), so it cannot be a variable",
                "choose another name, e.g. g or gamma1")
    return f"the function {name!r} needs its argument in parentheses: {name}(...)", None


def fraction_of_differentials(src: str, i: int, m: re.Match) -> ParseError:
    """dy/dx, df/dθ, d^2y/dx^2, ∂f/∂x: refused with the operator form gradcli reads."""
    d, f, x = m.group("d"), m.group("f"), m.group("x")
    n = m.group("n")
    if n and m.group("m") and m.group("m") != n:
        op = f"{d}^{n}/{d}{x}^{m.group('m')}"
    elif n:
        op = f"{d}^{n}/{d}{x}^{n}"
    else:
        op = f"{d}/{d}{x}"
    return ParseError(
        f"{m.group(0)!r} would be a fraction of two names, {d}{f} and {d}{x}", src, i,
        f"did you mean {op} {f}, with {f}'s expression after the operator: {op} (...)?",
    )


def unicode_notation(src: str, i: int, tokens: list) -> ParseError:
    """|x|, x², x₁: notation of print that the plain language writes otherwise."""
    c = src[i]
    prev = tokens[-1].text if tokens and tokens[-1].end == i and tokens[-1].kind in ("NAME", "NUM") else ""
    if c == "|":
        double = src.startswith("||", i)
        close = src.find("||" if double else "|", i + (2 if double else 1))
        inner = src[i + (2 if double else 1):close].strip() if close > i else "x"
        func = "norm" if double else "abs"
        return ParseError(f"{'||' if double else '|'} is not part of the plain language", src, i,
                          f"did you mean {func}({inner or 'x'})?")
    j = i
    table = SUPERSCRIPTS if c in SUPERSCRIPTS else SUBSCRIPTS
    while j < len(src) and src[j] in table:
        j += 1
    digits = "".join(str(table.index(ch)) for ch in src[i:j])
    base = prev or "(...)"
    if table is SUPERSCRIPTS:
        return ParseError(f"unexpected character {c!r}: superscript digits are not exponents here", src, i,
                          f"did you mean {base}^{digits}?")
    return ParseError(f"unexpected character {c!r}: subscript digits are not part of names here", src, i,
                      f"did you mean {base}{digits} (or {base}_{digits})?")
