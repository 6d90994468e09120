"""Text -> syntax tree, safely.

A hand-written tokenizer and recursive-descent parser for gradcli's expression
language (SPEC, "Expression language").  Nothing here evaluates user text:
the parser only produces ``syntax`` nodes, and ``build`` maps those nodes to
SymPy objects through fixed tables.  It imports neither SymPy nor Rich, so
the CLI can parse arguments cheaply.

Grammar (lowest precedence first)::

    claim   := expr ('=' expr)?
    expr    := ['+'|'-'] term (('+'|'-') term)*
    term    := DERIV term | factor (('*'|'/'|implicit) (DERIV term | factor))*
    factor  := ('-'|'+') factor | power
    power   := postfix ('^'|'**' factor)?            (right associative)
    postfix := primary ("'" | '.T')*
    primary := NUMBER | NAME | FUNC '(' args ')' | FUNC '^' NUMBER '(' args ')'
             | '(' expr ')' | '[' ... ']'

A derivative operator (``d/dx``, ``d^2/dx^2``, ``∂/∂x``) takes the rest of
the term, everything up to the next ``+`` or ``-`` outside parentheses, as a
minus sign would.  Implicit multiplication joins a factor with a following
name, function, ``(`` or ``[`` (``2x``, ``2 sin(x)``, ``x y``,
``(x+1)(x-1)``); ``xy`` is one name, and a name that is not a function
directly followed by ``(`` is an error (a typo'd function would otherwise be
read as a product).
"""

from __future__ import annotations

import re
from typing import Any
from . import ast as S
from ..errors import LimitError, ParseError
from ..limits import MAX_DEPTH, MAX_ORDER
from ..limits import check_length as _check_length
from ..record import record, replace

#: Function names of the language (plain form), with their arities.
FUNCTIONS: dict[str, tuple[int, ...]] = {
    **{f: (1,) for f in (
        "sin cos tan cot sec csc asin acos atan acot asec acsc "
        "arcsin arccos arctan arccot arcsec arccsc sinh cosh tanh coth sech csch "
        "asinh acosh atanh arsinh arcosh artanh arcsinh arccosh arctanh "
        "exp ln sqrt cbrt abs sign erf gamma factorial "
        "tr trace det inv norm transpose"
    ).split()},
    # SymPy's own names, so that plain output reads back
    **{f: (1,) for f in "Abs Trace Determinant Inverse Transpose".split()},
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

_GREEK_CHARS = "".join(GREEK)
#: A name: Latin letters and digits (``x``, ``y1``, ``theta``), or one Greek character with
#: digits (``θ``, ``θ1``), then any ``_`` subscripts (``x_1``, ``θ_i``, ``x_θ``).  A Greek
#: character next to Latin letters is a separate name (``2πx`` is 2·π·x, as in print).
_NAME = rf"(?:[A-Za-z][A-Za-z0-9]*|[{_GREEK_CHARS}][0-9]*)(?:_(?:[A-Za-z0-9{_GREEK_CHARS}])+)*"
_NUMBER_RE = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")  # ASCII digits only
_NAME_RE = re.compile(_NAME)
_SPACE_RE = re.compile(r"\s+")
_DIGITS = frozenset("0123456789")  # not "²", "₁", "٣": str.isdigit() says yes to those
# d/dx, d^2/dx^2, ∂/∂x, ∂^2/∂x^2, ∂^2/∂x∂y, d/d x, d/dθ, ∂/∂θ1, d/dx_1
_D = r"(?:d|∂)"
_DERIV_RE = re.compile(
    rf"(?P<d>{_D})\s*(?:\^\s*(?P<n>[0-9]+)\s*)?/\s*"
    rf"(?P<vars>(?:{_D}\s*{_NAME}\s*(?:\^\s*[0-9]+\s*)?)+)"
)
_DERIV_VAR_RE = re.compile(rf"{_D}\s*({_NAME})\s*(?:\^\s*([0-9]+))?")
#: dy/dx, df/dθ, d^2y/dx^2, ∂f/∂x: a fraction of two names, which gradcli refuses
_GREEK_WORDS = "|".join(sorted(set(GREEK.values()), key=len, reverse=True))
_SHORT = rf"(?:{_GREEK_WORDS}|[A-Za-z]|[{_GREEK_CHARS}])[0-9]*(?:_[A-Za-z0-9{_GREEK_CHARS}]+)?"  # f, y1, θ, x_1
_DFRAC_RE = re.compile(
    rf"(?P<d>{_D})(?:\^\s*(?P<n>[0-9]+)\s*)?(?P<f>{_SHORT})\s*/\s*(?P=d)\s*(?P<x>{_SHORT})"
    rf"(?![A-Za-z0-9_{_GREEK_CHARS}])(?:\s*\^\s*(?P<m>[0-9]+))?"
)
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"


def internal_name(text: str) -> str:
    """A written name as gradcli's name: Greek characters spelled out (``θ_1`` -> ``theta_1``)."""
    if not any(ch in GREEK for ch in text):
        return text
    return "".join(GREEK.get(ch, ch) for ch in text)


#: A variable-like tail glued to a function name: one letter and digits (``sinx``, ``detA``,
#: ``cosx1``), or a spelled Greek letter (``sintheta``).
_GLUED_TAIL_RE = re.compile(rf"(?:{_GREEK_WORDS}|[A-Za-z])[0-9]*")
#: log10x, log2x: a base glued between log and the variable
_LOG_BASE_RE = re.compile(r"(10|2)([A-Za-z][0-9]*)")


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
        if fname == "log" and (m := _LOG_BASE_RE.fullmatch(rest)):
            return "log", f"{m.group(2)}, {m.group(1)}"
    return None


def suggest_function(name: str) -> str | None:
    """The function name a misspelled one probably means: ``sine`` -> ``sin``, ``log10`` -> ``log``
    with a base."""
    import difflib

    if name in ("log10", "log2"):
        return name
    glued = glued_function(name)
    if glued:
        return glued[0]
    plain = [f for f in FUNCTIONS if f[0].islower() and f != "diff"]
    for f in sorted(plain, key=len, reverse=True):  # sine, cosine, logarithm: a function's name and more
        if name.lower().startswith(f) and len(f) >= 2:
            return f
    close = difflib.get_close_matches(name.lower(), plain, n=1, cutoff=0.6)
    return close[0] if close else None


@record
class Token:
    kind: str  # NUM NAME OP DERIV EOF
    text: str
    pos: int
    end: int
    # for DERIV: ((var, order), ...) in the order written; partial flag
    deriv: tuple[tuple[str, int], ...] = ()
    partial: bool = False
    space_before: bool = False


def tokenize(src: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(src)
    space = False
    while i < n:
        c = src[i]
        m = _SPACE_RE.match(src, i)
        if m:
            i = m.end()
            space = True
            continue
        start = i
        if c in _DIGITS or (c == "." and i + 1 < n and src[i + 1] in _DIGITS):
            m = _NUMBER_RE.match(src, i)
            assert m
            text = m.group(0)
            if m.group(1).endswith(".") and i + len(text) < n and src[i + len(text)] == "T":
                text = text[:-1]  # "2.T" is not a number followed by T; keep "2"
            tokens.append(Token("NUM", text, start, start + len(text), space_before=space))
            i = start + len(text)
        elif c in "d∂" and (c != "d" or not (i + 1 < n and (src[i + 1].isalnum() or src[i + 1] == "_"))) and (
            m := _DERIV_RE.match(src, i)
        ) and (c != "d" or not (i > 0 and (src[i - 1].isalnum() or src[i - 1] == "_"))):
            total = int(m.group("n")) if m.group("n") else None
            pairs = tuple((v, int(k) if k else 1) for v, k in _DERIV_VAR_RE.findall(m.group("vars")))
            if total is None and len(pairs) > 1 and c == "d":
                # 'd/dX det(X)': without a total order only one variable is
                # written after a Latin d (the next 'd...' is the operand)
                first = _DERIV_VAR_RE.match(m.group("vars"))
                assert first
                pairs = pairs[:1]
                m = re.match(re.escape(src[start:m.start("vars")]) + re.escape(first.group(0)), src[start:])
                assert m
                m_end = start + m.end()
                text = src[start:m_end].rstrip()
                pairs = tuple((internal_name(v), k) for v, k in pairs)
                tokens.append(Token("DERIV", text, start, start + len(text), deriv=pairs, partial=False,
                                    space_before=space))
                i = start + len(text)
                space = False
                continue
            if total is not None and len(pairs) == 1 and pairs[0][1] == 1 and c == "d" and "d" in pairs[0][0][1:]:
                # d^2/dxdy: split the run "xdy" at its d's
                parts = pairs[0][0].split("d")
                if all(parts) and len(parts) == total:
                    pairs = tuple((p, 1) for p in parts)
            if total is not None and sum(k for _, k in pairs) != total:
                raise ParseError(
                    f"the orders of '{m.group(0).strip()}' do not add up to {total}", src, start
                )
            if total is None and len(pairs) > 1:
                raise ParseError(
                    f"'{m.group(0).strip()}' lacks the total order, e.g. d^2/dxdy", src, start
                )
            if total is None and pairs[0][1] != 1:
                raise ParseError(
                    f"'{m.group(0).strip()}': write the order on both sides, e.g. d^2/dx^2", src, start
                )
            text = m.group(0).rstrip()
            pairs = tuple((internal_name(v), k) for v, k in pairs)
            tokens.append(
                Token("DERIV", text, start, start + len(text), deriv=pairs, partial=c != "d", space_before=space)
            )
            i = start + len(text)
        elif c in "d∂" and (m := _DFRAC_RE.match(src, i)):
            raise _fraction_of_differentials(src, i, m)
        elif c == "∂":
            raise ParseError("'∂' is only understood in a derivative operator", src, i,
                             "write ∂/∂x f (or ∂^2/∂x∂y f)")
        elif c.isalpha() or c == "_":
            m = _NAME_RE.match(src, i)
            if not m:
                raise ParseError(f"unexpected character {c!r}", src, i)
            name, j = internal_name(m.group(0)), m.end()
            tokens.append(Token("NAME", name, start, j, space_before=space))
            i = j
        elif src.startswith("**", i):
            tokens.append(Token("OP", "^", i, i + 2, space_before=space))
            i += 2
        elif src.startswith("==", i):
            tokens.append(Token("OP", "=", i, i + 2, space_before=space))
            i += 2
        elif c == "." and src.startswith(".T", i) and not (i + 2 < n and (src[i + 2].isalnum() or src[i + 2] == "_")):
            tokens.append(Token("OP", ".T", i, i + 2, space_before=space))
            i += 2
        elif c in "+-*/^()[],='":
            tokens.append(Token("OP", c, i, i + 1, space_before=space))
            i += 1
        elif c in "·×⋅":
            tokens.append(Token("OP", "*", i, i + 1, space_before=space))
            i += 1
        elif c == "−":  # unicode minus
            tokens.append(Token("OP", "-", i, i + 1, space_before=space))
            i += 1
        elif c == "ᵀ":
            tokens.append(Token("OP", "'", i, i + 1, space_before=space))
            i += 1
        elif c in _SUPERSCRIPTS or c in _SUBSCRIPTS or c == "|":
            raise _unicode_notation(src, i, tokens)
        else:
            hint = None
            if c in "{}\\":
                hint = "LaTeX input must start with a backslash, or use --input latex"
            elif c in ";:!@#$%&<>?`~\"":
                hint = "this character is not part of gradcli's expression language"
            raise ParseError(f"unexpected character {c!r}", src, i, hint)
        space = False
    tokens.append(Token("EOF", "", n, n, space_before=space))
    return tokens


def _fraction_of_differentials(src: str, i: int, m: re.Match) -> ParseError:
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


def _unicode_notation(src: str, i: int, tokens: list) -> ParseError:
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
    table = _SUPERSCRIPTS if c in _SUPERSCRIPTS else _SUBSCRIPTS
    while j < len(src) and src[j] in table:
        j += 1
    digits = "".join(str(table.index(ch)) for ch in src[i:j])
    base = prev or "(...)"
    if table is _SUPERSCRIPTS:
        return ParseError(f"unexpected character {c!r}: superscript digits are not exponents here", src, i,
                          f"did you mean {base}^{digits}?")
    return ParseError(f"unexpected character {c!r}: subscript digits are not part of names here", src, i,
                      f"did you mean {base}{digits} (or {base}_{digits})?")


class TokenCursor:
    """A position in a token list that ends with an EOF token: what the plain and the LaTeX
    parsers share."""

    tokens: list[Any]
    i: int

    @property
    def tok(self) -> Any:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Any:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> Any:
        t = self.tokens[self.i]
        self.i += 1
        return t


class Parser(TokenCursor):
    def __init__(self, src: str):
        check_length(src)
        self.src = src
        self.tokens = tokenize(src)
        self.i = 0
        self.depth = 0

    # -- helpers -----------------------------------------------------------
    def at(self, text: str) -> bool:
        t = self.tok
        return t.kind == "OP" and t.text == text

    def expect(self, text: str, what: str | None = None) -> Token:
        if not self.at(text):
            t = self.tok
            found = "the end of the input" if t.kind == "EOF" else repr(t.text)
            raise ParseError(f"expected {what or repr(text)}, found {found}", self.src, t.pos)
        return self.advance()

    def error(self, message: str, pos: int | None = None, hint: str | None = None) -> ParseError:
        return ParseError(message, self.src, self.tok.pos if pos is None else pos, hint)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise LimitError(
                f"the expression is nested deeper than {MAX_DEPTH} levels",
                "gradcli refuses such input before doing any work",
            )

    def leave(self) -> None:
        self.depth -= 1

    # -- grammar -------------------------------------------------------------
    def parse_claim(self) -> S.Node:
        lhs = self.parse_expr()
        if self.at("="):
            self.advance()
            rhs = self.parse_expr()
            node: S.Node = S.Equation(lhs.pos, rhs.end, lhs, rhs)
        else:
            node = lhs
        self.finish()
        return node

    def parse_single(self) -> S.Node:
        node = self.parse_expr()
        if self.at("="):
            raise self.error(
                "an equation is not an expression here", hint="use 'gradcli check' to decide a claim"
            )
        self.finish()
        return node

    def finish(self) -> None:
        t = self.tok
        if t.kind != "EOF":
            if t.kind == "OP" and t.text in ")]":
                raise self.error(f"unmatched {t.text!r}")
            if t.kind == "NUM":
                raise self.error("a number cannot follow here without an operator", hint="write '*' between the factors")
            raise self.error(f"unexpected {t.text!r}")

    def parse_expr(self) -> S.Node:
        start = self.tok
        if self.at("-") or self.at("+"):
            op = self.advance().text
            operand = self.parse_term()
            left: S.Node = S.Unary(start.pos, operand.end, op, operand)
        else:
            left = self.parse_term()
        while self.at("+") or self.at("-"):
            op = self.advance().text
            right = self.parse_term()
            left = S.Binary(left.pos, right.end, op, left, right)
        return left

    def _deriv(self) -> S.Node:
        self.enter()
        t = self.advance()
        if self.tok.kind == "EOF" or (self.tok.kind == "OP" and self.tok.text in ")],=+"):
            raise self.error(f"the operator {t.text!r} needs an expression after it")
        operand = self.parse_term()
        # ∂^2/∂x∂y f means d/dy (d/dx f)? Convention: the variable written next
        # to f acts first, as in ∂/∂x ∂/∂y f = ∂/∂x (∂/∂y f).  So apply the
        # written variables from the right.
        node = operand
        for var, order in reversed(t.deriv):
            node = S.Derivative(t.pos, operand.end, node, var, order, t.partial)
        self.leave()
        return node

    def parse_term(self) -> S.Node:
        if self.tok.kind == "DERIV":
            return self._deriv()
        left = self.parse_factor()
        while True:
            t = self.tok
            if t.kind == "OP" and t.text in "*/":
                self.advance()
                if self.tok.kind == "DERIV":
                    right = self._deriv()
                else:
                    right = self.parse_factor()
                left = S.Binary(left.pos, right.end, t.text, left, right)
            elif t.kind == "DERIV":
                right = self._deriv()
                left = S.Binary(left.pos, right.end, "*", left, right)
            elif t.kind == "NAME" or (t.kind == "OP" and t.text in "(["):
                right = self.parse_power()
                left = S.Binary(left.pos, right.end, "*", left, right)
            elif t.kind == "NUM":
                raise self.error(
                    "a number cannot follow here without an operator", hint="write '*' between the factors"
                )
            else:
                break
        return left

    def parse_factor(self) -> S.Node:
        t = self.tok
        if self.at("-") or self.at("+"):
            self.enter()
            self.advance()
            operand = self.parse_factor()
            node: S.Node = S.Unary(t.pos, operand.end, t.text, operand)
            self.leave()
        else:
            node = self.parse_power()
        return node

    def parse_power(self) -> S.Node:
        base = self.parse_postfix()
        if self.at("^"):
            self.enter()
            self.advance()
            if self.tok.kind == "EOF":
                raise self.error("'^' needs an exponent")
            exponent = self.parse_factor()
            base = S.Binary(base.pos, exponent.end, "^", base, exponent)
            self.leave()
        return base

    def parse_postfix(self) -> S.Node:
        node = self.parse_primary()
        while self.at("'") or self.at(".T"):
            t = self.advance()
            node = S.Transpose(node.pos, t.end, node, prime=self.src[t.pos] == "'")
        return node

    def parse_primary(self) -> S.Node:
        t = self.tok
        if t.kind == "NUM":
            self.advance()
            return S.Number(t.pos, t.end, t.text)
        if t.kind == "NAME":
            return self.parse_name()
        if self.at("("):
            self.enter()
            self.advance()
            if self.at(")"):
                raise self.error("empty parentheses")
            inner = self.parse_expr()
            close = self.expect(")", "')'")
            self.leave()
            # keep the node but widen its span to include the parentheses
            return _respan(inner, t.pos, close.end)
        if self.at("["):
            return self.parse_matrix()
        if t.kind == "DERIV":
            return self._deriv()
        if t.kind == "EOF":
            raise self.error("the expression ends too early" if t.pos else "the expression is empty")
        raise self.error(f"unexpected {t.text!r}")

    def parse_name(self) -> S.Node:
        t = self.advance()
        name = t.text
        nxt = self.tok
        glued = glued_function(name)
        if glued and not (nxt.kind == "OP" and nxt.text == "(" and not nxt.space_before):
            fname, rest = glued
            written = self.src[t.pos:t.end]
            raise ParseError(
                f"'{written}' glues the function {fname} to a variable", self.src, t.pos,
                f"did you mean {fname}({_written_tail(written, fname, rest)})?",
            )
        if name in FUNCTIONS:
            power: S.Node | None = None
            if self.at("^") and self.peek().kind == "NUM" and self.peek(2).kind == "OP" and self.peek(2).text == "(":
                # sin^2(x) = sin(x)^2
                self.advance()
                num = self.advance()
                power = S.Number(num.pos, num.end, num.text)
            if not self.at("("):
                if name == "gamma":
                    message, hint = bare_function(name, self.src[t.pos:t.end])
                    raise self.error(message, t.pos, hint)
                arg = self.tok
                example = self.src[arg.pos:arg.end] if arg.kind in ("NAME", "NUM") else "..."
                raise self.error(
                    f"the function {name!r} needs its argument in parentheses: {name}(...)", t.pos,
                    f"did you mean {name}({example})?" if example != "..." else None,
                )
            self.enter()
            self.advance()
            args: list[S.Node] = []
            if self.at(")"):
                raise self.error(f"{name}() needs an argument")
            while True:
                args.append(self.parse_expr())
                if self.at(","):
                    self.advance()
                    continue
                break
            close = self.expect(")", "',' or ')'")
            self.leave()
            if len(args) not in FUNCTIONS[name]:
                counts = " or ".join(str(k) for k in FUNCTIONS[name])
                raise ParseError(
                    f"{name} takes {counts} argument{'s' if FUNCTIONS[name] != (1,) else ''}, not {len(args)}",
                    self.src, t.pos,
                )
            call: S.Node = S.Call(t.pos, close.end, name, tuple(args))
            if power is not None:
                call = S.Binary(t.pos, close.end, "^", call, power)
            return call
        if nxt.kind == "OP" and nxt.text == "(" and not nxt.space_before:
            close = _closing_paren(self.tokens, self.i)
            args = self.src[nxt.end:self.tokens[close].pos].strip() if close is not None else "..."
            known = suggest_function(name)
            if known in ("log10", "log2"):
                hint = f"did you mean log({args}, {known[3:]})?"
            elif known:
                hint = f"did you mean {known}({args})? (or '{name}*(...)' for a product)"
            else:
                hint = f"write '{name}*(...)' for a product"
            raise ParseError(f"unknown function {name!r}", self.src, t.pos, hint)
        return S.Name(t.pos, t.end, name)

    def parse_matrix(self) -> S.Node:
        self.enter()
        open_ = self.advance()
        if self.at("]"):
            raise self.error("an empty vector or matrix")
        if self.at("["):
            self.enter()  # the row brackets nest too
            rows: list[tuple[S.Node, ...]] = []
            while True:
                if not self.at("["):
                    raise self.error("expected '[' starting a matrix row")
                self.advance()
                row = [self.parse_expr()]
                while self.at(","):
                    self.advance()
                    row.append(self.parse_expr())
                self.expect("]", "',' or ']'")
                rows.append(tuple(row))
                if self.at(","):
                    self.advance()
                    continue
                break
            close = self.expect("]", "']'")
            if len({len(r) for r in rows}) != 1:
                raise ParseError("the rows of the matrix have different lengths", self.src, open_.pos)
            self.leave()
            self.leave()
            return S.Matrix(open_.pos, close.end, tuple(rows), vector=False)
        items = [self.parse_expr()]
        while self.at(","):
            self.advance()
            items.append(self.parse_expr())
        close = self.expect("]", "',' or ']'")
        self.leave()
        return S.Matrix(open_.pos, close.end, (tuple(items),), vector=True)


def _written_tail(written: str, fname: str, rest: str) -> str:
    """The variable as the user wrote it (``sinθ`` -> ``θ``, ``log10x`` -> ``x, 10``)."""
    if "," in rest:
        return rest
    tail = written[len(fname):] if written.startswith(fname) else rest
    return tail or rest


def _closing_paren(tokens: list, k: int) -> int | None:
    """Index of the ')' matching the '(' at ``k``."""
    depth = 0
    for j in range(k, len(tokens)):
        t = tokens[j]
        if t.kind == "OP" and t.text == "(":
            depth += 1
        elif t.kind == "OP" and t.text == ")":
            depth -= 1
            if depth == 0:
                return j
    return None


def _respan(node: S.Node, pos: int, end: int) -> S.Node:
    
    return replace(node, pos=pos, end=end)


def check_length(src: str) -> None:
    _check_length(src, "the input")


def bare_function(name: str, written: str = "") -> tuple[str, str | None]:
    """The message (and hint) for a function name used without its argument: for γ, that
    it is the Gamma function, so not a variable."""
    if name == "gamma":
        shown = f"{written!r} ({name})" if written and written != name else repr(name)
        return (f"{shown} is the Gamma function in gradcli (gamma(x)), so it cannot be a variable",
                "choose another name, e.g. g or gamma1")
    return f"the function {name!r} needs its argument in parentheses: {name}(...)", None


def is_latex(src: str) -> bool:
    """LaTeX input: the text has a backslash (the plain language never does)."""
    return "\\" in src


def ensure_recursion_headroom() -> None:
    """Nesting up to MAX_DEPTH takes a few Python frames a level, in the
    parser, the builder and SymPy's printers: more than the default 1000."""
    import sys

    if sys.getrecursionlimit() < 20_000:
        sys.setrecursionlimit(20_000)


def _orders_checked(node: S.Node) -> S.Node:
    """Refuse d^1001/dx^1001 (and operators and diff(f, x, n) adding up past MAX_ORDER)
    before any work."""
    total = S.total_order(node)
    if total > MAX_ORDER:
        raise LimitError(f"derivatives of total order {total} are above the limit of {MAX_ORDER}")
    return node


def parse(src: str, *, latex: bool = False) -> S.Node:
    """Parse one expression (no ``=``)."""
    ensure_recursion_headroom()
    if latex or is_latex(src):
        from .latex.parser import parse_latex

        return _orders_checked(parse_latex(src, claim=False))
    return _orders_checked(Parser(src).parse_single())


def parse_claim(src: str, *, latex: bool = False) -> S.Node:
    """Parse an expression or an equation ``lhs = rhs``."""
    ensure_recursion_headroom()
    if latex or is_latex(src):
        from .latex.parser import parse_latex

        return _orders_checked(parse_latex(src, claim=True))
    return _orders_checked(Parser(src).parse_claim())


def split_top_level(src: str, sep: str = ",") -> list[tuple[int, str]]:
    """Split at ``sep`` outside brackets; returns (offset, piece) pairs."""
    out: list[tuple[int, str]] = []
    depth, start = 0, 0
    for i, c in enumerate(src):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == sep and depth == 0:
            out.append((start, src[start:i]))
            start = i + 1
    out.append((start, src[start:]))
    return out
