"""LaTeX -> syntax tree, safely (SPEC, "Expression language": LaTeX input).

Reads derivations the way papers write them: ``\\frac{\\partial}{\\partial x}``
operators, ``\\sin^2(x)``, ``x^\\top B x``, ``\\left( \\right)``, matrices, ...
and gradcli's own LaTeX output (``gradcli.render.printers.latex``).  Like
``parsing`` it produces ``syntax`` nodes only, evaluates nothing, and imports
nothing heavy.  TeX itself is never run: every command is looked up in the
fixed tables below, and any other command is an error that names it.

Conventions (the README's "LaTeX input" section says the same for users):

- Letters are single-letter names and a run of letters is a product, as in
  print: ``2xy`` is 2*x*y.  A multi-letter name is written ``\\mathrm{rate}``
  (or ``\\text``, ``\\operatorname``).  A run spelling a function (``sin(x)``)
  is an error: write ``\\sin``.
- Subscripts make names: ``x_1``, ``x_{1}`` -> ``x1``, ``\\theta_{12}`` ->
  ``theta12``, ``x_{i}`` -> ``x_i`` (a subscript that is not all digits keeps
  its underscore).
- A derivative operator (``\\frac{d}{dx}``, ``\\frac{\\partial^2}{\\partial x
  \\partial y}``, ``\\partial_x``) takes the following term, up to the next
  ``+`` or ``-`` outside brackets, as ``d/dx`` does in plain input;
  ``\\frac{\\partial f}{\\partial x}`` is the derivative of the numerator's
  expression.  ``\\frac{\\partial^2}{\\partial x \\partial y} f`` is
  d/dx (d/dy f): the variable written next to f acts first.
- A function without brackets takes the following run of implicitly
  multiplied simple factors: ``\\sin 2x`` is sin(2x), ``\\sin x \\cos x`` is
  sin(x)*cos(x).  ``\\sin^2 x`` is sin(x)^2; ``\\sin^{-1}`` is refused as
  ambiguous.
- A name directly followed by ``(`` (no space) is refused, as in plain input
  (``f(x)`` is not a product); write ``x \\left(x + 1\\right)`` or ``x (x+1)``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from .. import ast as S
from ...errors import LimitError, ParseError
from ..plain import FUNCTIONS, GREEK, MAX_DEPTH, TokenCursor, check_length
from ...record import record, replace

__all__ = ["parse_latex"]

# -- tables -------------------------------------------------------------------------

_GREEK_NAMES = set(GREEK.values()) | {"Upsilon"}
#: \varepsilon etc.: the same name as the plain letter.
_GREEK_VARIANTS = {
    "varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varrho": "rho",
    "varsigma": "sigma", "varkappa": "kappa",
}

#: LaTeX function commands -> the plain language's function names.
_FUNC_COMMANDS = {
    **{f: f for f in (
        "sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh coth exp ln log det "
        "arccot arcsec arccsc sech csch arsinh arcosh artanh arcsinh arccosh arctanh tr erf"
    ).split()},
    "Tr": "tr", "sgn": "sign",
}
#: Words inside \operatorname{...}, \mathrm{...}, \text{...} that name functions.
_FUNC_WORDS = {
    **{f: f for f in FUNCTIONS if f not in ("diff",)},
    "Tr": "tr", "trace": "tr", "sgn": "sign", "Det": "det",
}
_INVERSE_AMBIGUOUS = {
    "sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth", "sech", "csch",
}

#: Commands whose braced argument is read as raw letters: a name or a function.
_WORD_COMMANDS = {
    "operatorname", "mathrm", "text", "textrm", "mathit", "textit", "mathsf", "textsf",
    "mathtt", "texttt", "textnormal", "rm", "mathop",
}
#: Font commands that are transparent: \mathbf{x} is x.
_FONT_COMMANDS = {"mathbf", "boldsymbol", "bm", "vec", "mathbfit", "pmb", "bf", "mathnormal"}
_FRAC_COMMANDS = {"frac", "dfrac", "tfrac", "cfrac"}
_SPACING = {
    ",", ":", ";", "!", " ", "quad", "qquad", "enspace", "thinspace", "medspace", "thickspace",
    "negthinspace", "negmedspace", "negthickspace", "displaystyle", "textstyle", "scriptstyle",
    "nonumber", "notag", "limits", "nolimits", "\n", "\t", "\r",
}
#: Spaces a writer puts between factors (\cos x \, e^{x}): they end a function's argument run.
_VISIBLE_SPACES = {",", ":", ";", " ", "quad", "qquad", "enspace", "thinspace", "medspace", "thickspace"}
_SIZES = {
    p + s for p in ("big", "Big", "bigg", "Bigg") for s in ("", "l", "r", "m")
}
_TIMES = {"cdot": "*", "times": "*", "ast": "*", "div": "/"}
_MATRIX_ENVS = {"bmatrix", "pmatrix", "matrix", "Bmatrix", "vmatrix", "smallmatrix"}

_UNSUPPORTED = {
    **{c: "an ellipsis cannot be computed: write the terms out" for c in (
        "dots", "cdots", "ldots", "vdots", "ddots", "dotsc", "dotsb", "dotsm")},
    "infty": "infinity is not supported",
    **{c: f"\\{c} is not supported" for c in (
        "sum", "prod", "int", "iint", "oint", "lim", "limsup", "liminf", "max", "min", "sup", "inf",
        "arg", "nabla", "pm", "mp", "circ", "otimes", "oplus", "odot", "wedge", "vee",
        "cap", "cup", "in", "subset", "forall", "exists", "to", "mapsto", "rightarrow",
        "leftarrow", "Rightarrow", "gcd", "deg", "dim", "ker", "hom", "lg", "Pr", "binom",
        "choose", "over", "neq", "ne", "leq", "le", "geq", "ge", "lt", "gt", "approx", "equiv",
        "sim", "simeq", "propto", "coloneqq", "triangleq", "mid", "langle", "rangle", "ell",
        "hbar", "imath", "jmath", "Re", "Im", "prime", "dagger", "star",
    )},
    **{c: f"the accent \\{c} is not supported: use another letter or a subscript" for c in (
        "hat", "widehat", "bar", "overline", "tilde", "widetilde", "dot", "ddot", "check",
        "breve", "acute", "grave", "mathring", "underline", "overrightarrow")},
    **{c: f"\\{c} is not supported: write the maths as an expression" for c in (
        "mathbb", "mathcal", "mathfrak", "mathscr")},
}
_TEX_PRIMITIVES = {
    "input", "include", "def", "edef", "gdef", "xdef", "let", "csname", "endcsname", "write",
    "immediate", "openout", "openin", "read", "newcommand", "renewcommand", "providecommand",
    "catcode", "expandafter", "usepackage", "documentclass", "special", "jobname", "newwrite",
    "newread", "loop", "repeat", "typeout", "message", "errmessage", "directlua", "write18",
    "shipout", "output", "everypar", "uppercase", "lowercase", "string", "detokenize",
    "scantokens", "futurelet", "afterassignment", "aftergroup", "begingroup", "endgroup",
    "makeatletter", "makeatother", "verbatiminput", "lstinputlisting", "IfFileExists",
    "InputIfFileExists",
}

_DELIMS_OPEN = {"(": "(", "[": "[", "\\{": "{", "\\lbrace": "{", "\\lbrack": "[", "\\lparen": "("}
_DELIMS_CLOSE = {")": "(", "]": "[", "\\}": "{", "\\rbrace": "{", "\\rbrack": "[", "\\rparen": "("}
_CLOSER = {"(": ")", "[": "]", "{": "\\}"}
#: bar delimiters: (kind, side) with kind "|" (absolute value) or "||" (norm)
_BARS = {
    "|": ("|", None), "\\vert": ("|", None), "\\lvert": ("|", "open"), "\\rvert": ("|", "close"),
    "\\|": ("||", None), "\\Vert": ("||", None), "\\lVert": ("||", "open"), "\\rVert": ("||", "close"),
    "‖": ("||", None),
}

_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_CMD_RE = re.compile(r"\\([A-Za-z]+\*?|.)", re.DOTALL)
_WORD_RE = re.compile(r"\s*([A-Za-z][A-Za-z0-9]*)\s*\Z")
_ENV_RE = re.compile(r"\s*\{\s*([A-Za-z*]+)\s*\}")


@record
class Tok:
    """kind: NUM LETTER SYM WORD FUNC OP LBRACE RBRACE OPEN CLOSE BAR PARTIAL TOP
    FRAC SQRT FONT BEGIN END AMP ROWSEP EOF."""

    kind: str
    text: str
    pos: int
    end: int
    space_before: bool = False
    side: str | None = None  # BAR: "open" | "close" | None; OPEN/CLOSE: the bracket kind
    #: an explicit TeX space (\, \; \quad ~ ...) comes before: it ends a function's argument run
    spaced: bool = False


def _err(message: str, src: str, pos: int, hint: str | None = None) -> ParseError:
    return ParseError(message, src, pos, hint)


def _tokenize(src: str) -> list[Tok]:
    toks: list[Tok] = []
    i, n = 0, len(src)
    space = False

    spaced = False

    def add(kind: str, text: str, pos: int, end: int, side: str | None = None) -> None:
        nonlocal space, spaced
        toks.append(Tok(kind, text, pos, end, space, side, spaced))
        space = spaced = False

    def delimiter(j: int, cmd_pos: int, cmd: str) -> int:
        """The delimiter after \\left, \\right, \\bigl...: emits its token."""
        while j < n and src[j].isspace():
            j += 1
        if j >= n:
            raise _err(f"\\{cmd} needs a delimiter after it", src, cmd_pos)
        m = _CMD_RE.match(src, j)
        d = ("\\" + m.group(1)) if (src[j] == "\\" and m) else src[j]
        end = j + len(d)
        side = "open" if cmd == "left" or cmd.endswith("l") else "close" if cmd == "right" or cmd.endswith("r") else None
        if d in _BARS:
            kind, bside = _BARS[d]
            add("BAR", kind, cmd_pos, end, side or bside)
        elif d in _DELIMS_OPEN and side != "close":
            add("OPEN", _DELIMS_OPEN[d], cmd_pos, end, _DELIMS_OPEN[d])
        elif d in _DELIMS_CLOSE and side != "open":
            add("CLOSE", _CLOSER[_DELIMS_CLOSE[d]], cmd_pos, end, _DELIMS_CLOSE[d])
        elif d == ".":
            raise _err(f"the empty delimiter \\{cmd}. is not supported", src, cmd_pos,
                       "write a bracket, or leave \\left/\\right out")
        else:
            raise _err(f"\\{cmd} cannot take the delimiter {d!r}", src, cmd_pos)
        return end

    while i < n:
        c = src[i]
        if c.isspace() or c == "~":
            i += 1
            space = True
            spaced = spaced or c == "~"
            continue
        start = i
        if c == "\\":
            m = _CMD_RE.match(src, i)
            if not m:
                raise _err("a lone backslash at the end", src, i)
            name = m.group(1)
            i = m.end()
            if name in _SPACING:
                space = True
                spaced = spaced or name in _VISIBLE_SPACES
                continue
            if name == "\\":
                add("ROWSEP", "\\\\", start, i)
            elif name in ("left", "right") or name in _SIZES:
                i = delimiter(i, start, name)
            elif name in ("{", "}", "|") or "\\" + name in _BARS or "\\" + name in _DELIMS_OPEN or "\\" + name in _DELIMS_CLOSE:
                d = "\\" + name
                if d in _BARS:
                    add("BAR", _BARS[d][0], start, i, _BARS[d][1])
                elif d in _DELIMS_OPEN:
                    add("OPEN", _DELIMS_OPEN[d], start, i, _DELIMS_OPEN[d])
                else:
                    add("CLOSE", _CLOSER[_DELIMS_CLOSE[d]], start, i, _DELIMS_CLOSE[d])
            elif name in ("[", "]", "(", ")"):
                add("WRAP", "\\" + name, start, i)
            elif name in _GREEK_NAMES or name in _GREEK_VARIANTS:
                add("SYM", _GREEK_VARIANTS.get(name, name), start, i)
            elif name in _FUNC_COMMANDS:
                add("FUNC", _FUNC_COMMANDS[name], start, i)
            elif name in _FRAC_COMMANDS:
                add("FRAC", name, start, i)
            elif name == "sqrt":
                add("SQRT", name, start, i)
            elif name in _FONT_COMMANDS:
                add("FONT", name, start, i)
            elif name == "partial":
                add("PARTIAL", "\\partial", start, i)
            elif name in ("top", "intercal"):
                add("TOP", "\\" + name, start, i)
            elif name in _TIMES:
                add("OP", _TIMES[name], start, i)
            elif name.rstrip("*") in _WORD_COMMANDS:
                i = _word(src, i, start, name, add)
            elif name in ("begin", "end"):
                m2 = _ENV_RE.match(src, i)
                if not m2:
                    raise _err(f"\\{name} needs an environment name in braces, e.g. \\{name}{{bmatrix}}", src, start)
                env = m2.group(1)
                if env not in _MATRIX_ENVS:
                    raise _err(f"the environment {env!r} is not supported", src, start,
                               "matrices are written with bmatrix, pmatrix or vmatrix")
                i = m2.end()
                add("BEGIN" if name == "begin" else "END", env, start, i)
            elif name in _UNSUPPORTED:
                raise _err(_UNSUPPORTED[name], src, start)
            elif name in _TEX_PRIMITIVES:
                raise _err(f"unknown LaTeX command \\{name}", src, start,
                           "gradcli reads mathematics only; it never runs TeX")
            else:
                raise _err(f"unknown LaTeX command \\{name}", src, start, _glued_command(name))
        elif c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit()):
            m = _NUMBER_RE.match(src, i)
            assert m
            i = m.end()
            add("NUM", m.group(0), start, i)
        elif c.isascii() and c.isalpha():
            i += 1
            add("LETTER", c, start, i)
        elif c in GREEK:
            i += 1
            add("SYM", GREEK[c], start, i)
        elif c == "{":
            i += 1
            add("LBRACE", "{", start, i)
        elif c == "}":
            i += 1
            add("RBRACE", "}", start, i)
        elif c in "([":
            i += 1
            add("OPEN", c, start, i, c)
        elif c in ")]":
            i += 1
            add("CLOSE", c, start, i, "(" if c == ")" else "[")
        elif c in "|‖":
            i += 1
            add("BAR", _BARS[c][0], start, i, None)
        elif c == "&":
            i += 1
            add("AMP", "&", start, i)
        elif c == "∂":
            i += 1
            add("PARTIAL", "∂", start, i)
        elif c in "+-*/^_=,!'$":
            i += 1
            add("OP", c, start, i)
        elif c in "·×⋅":
            i += 1
            add("OP", "*", start, i)
        elif c == "−":
            i += 1
            add("OP", "-", start, i)
        else:
            hint = "a LaTeX comment is not supported" if c == "%" else None
            raise _err(f"unexpected character {c!r}", src, i, hint)
    toks.append(Tok("EOF", "", n, n, space))
    return toks


def _glued_command(name: str) -> str | None:
    """\\sinx, \\cosx, \\logx: a function command glued to a variable."""
    for f in sorted(_FUNC_COMMANDS, key=len, reverse=True):
        rest = name[len(f):]
        if name.startswith(f) and rest and (len(rest) == 1 or rest in _GREEK_NAMES):
            var = rest if len(rest) == 1 else "\\" + rest
            return f"did you mean \\{f} {var}?"
    return None


def _word(src: str, i: int, start: int, name: str, add) -> int:
    """\\mathrm{...}, \\text{...}, \\operatorname{...}: a name or a function."""
    n = len(src)
    j = i
    while j < n and src[j].isspace():
        j += 1
    if j < n and src[j] == "{":
        close = src.find("}", j + 1)
        inner_open = src.find("{", j + 1)
        if close < 0 or (0 <= inner_open < close):
            # \operatorname{\mathrm{...}} or an unclosed brace
            if close < 0:
                raise _err(f"the '{{' after \\{name} is never closed", src, j)
            raise _err(f"\\{name}{{...}} must hold a plain name, like \\{name}{{tr}}", src, start)
        text = src[j + 1:close]
        end = close + 1
    elif j < n and src[j].isascii() and src[j].isalpha():
        text, end = src[j], j + 1
    else:
        raise _err(f"\\{name} needs a name in braces, like \\{name}{{tr}}", src, start)
    m = _WORD_RE.match(text)
    if not m:
        if not text.strip():
            raise _err(f"\\{name}{{}} is empty", src, start)
        raise _err(f"\\{name}{{{text.strip()[:20]}}} is not a name gradcli knows", src, start,
                   "use letters and digits only, like \\mathrm{tr} or \\mathrm{rate}")
    word = m.group(1)
    if word in _FUNC_WORDS:
        add("FUNC", _FUNC_WORDS[word], start, end)
    elif word == "T" and name.rstrip("*") in ("mathsf", "mathrm", "text", "textsf", "textrm"):
        add("WORD", "T", start, end)
    elif name.rstrip("*") == "operatorname" and word not in ("d", "e"):
        raise _err(f"unknown function {word!r}", src, start,
                   "the functions are those of the plain language: sin, log, tr, det, ...")
    else:
        add("WORD", word, start, end)
    return end


def _matching(toks: list[Tok]) -> dict[int, int]:
    """Index of each LBRACE/OPEN -> index of its RBRACE/CLOSE (where balanced)."""
    out: dict[int, int] = {}
    stack: list[int] = []
    for k, t in enumerate(toks):
        if t.kind in ("LBRACE", "OPEN"):
            stack.append(k)
        elif t.kind in ("RBRACE", "CLOSE"):
            if not stack:
                break
            top = toks[stack[-1]]
            if (top.kind == "LBRACE") != (t.kind == "RBRACE"):
                break
            out[stack.pop()] = k
    return out


def _sub_name(base: str, sub: str) -> str:
    return base + sub if sub.isdigit() else f"{base}_{sub}"


@dataclass
class _DerivInfo:
    partial: bool
    pairs: tuple[tuple[str, int], ...]
    rest: tuple[int, int] | None  # token range of the numerator's expression
    after: int  # token index after the whole \frac{..}{..} (or \partial_x)


class _Parser(TokenCursor):
    def __init__(self, src: str):
        check_length(src)
        self.src = src
        self.tokens = _tokenize(src)
        self._strip_wrappers()
        self.match = _matching(self.tokens)
        self.i = 0
        self.depth = 0
        self.bars = {"|": 0, "||": 0}
        self._deriv_cache: dict[int, _DerivInfo | None] = {}

    # -- helpers ---------------------------------------------------------------------
    def _strip_wrappers(self) -> None:
        toks = self.tokens
        if len(toks) < 3:
            return
        first, last = toks[0], toks[-2]
        pairs = {"$": "$", "\\[": "\\]", "\\(": "\\)"}
        ftext = first.text if first.kind in ("OP", "WRAP") else None
        if ftext in pairs and last.kind in ("OP", "WRAP") and last.text == pairs[ftext]:
            inner = toks[1:-2]
            # $$ ... $$
            if ftext == "$" and inner and inner[0].text == "$" and inner[-1].text == "$" and len(inner) > 2:
                inner = inner[1:-1]
            self.tokens = inner + [toks[-1]]

    def at(self, kind: str, text: str | None = None) -> bool:
        t = self.tok
        return t.kind == kind and (text is None or t.text == text)

    def at_op(self, text: str) -> bool:
        return self.at("OP", text)

    def error(self, message: str, pos: int | None = None, hint: str | None = None) -> ParseError:
        return ParseError(message, self.src, self.tok.pos if pos is None else pos, hint)

    def found(self) -> str:
        t = self.tok
        if t.kind == "EOF":
            return "the end of the input"
        return repr(self.src[t.pos:t.end])

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise LimitError(
                f"the expression is nested deeper than {MAX_DEPTH} levels",
                "gradcli refuses such input before doing any work",
            )

    def leave(self) -> None:
        self.depth -= 1

    def take_digit(self) -> Tok:
        """One digit of a NUM token (\\frac12, x^23 = x^2 3, \\sqrt2)."""
        t = self.tok
        if len(t.text) == 1:
            return self.advance()
        if t.text[0] == ".":
            raise self.error("a lone decimal point")
        self.tokens[self.i] = Tok("NUM", t.text[1:], t.pos + 1, t.end, False)
        return Tok("NUM", t.text[0], t.pos, t.pos + 1, t.space_before, None, t.spaced)

    # -- top level -------------------------------------------------------------------
    def parse(self, claim: bool) -> S.Node:
        if self.tok.kind == "EOF":
            raise self.error("the expression is empty")
        node = self.parse_expr()
        if self.at_op("="):
            if not claim:
                raise self.error("an equation is not an expression here",
                                 hint="use 'gradcli check' to decide a claim")
            self.advance()
            if self.tok.kind == "EOF":
                raise self.error("the right-hand side of the equation is missing")
            rhs = self.parse_expr()
            node = S.Equation(node.pos, rhs.end, node, rhs)
        self.finish()
        return node

    def finish(self) -> None:
        t = self.tok
        if t.kind == "EOF":
            return
        text = self.src[t.pos:t.end]
        if t.kind in ("RBRACE", "CLOSE"):
            raise self.error(f"unmatched {text!r}")
        if t.kind == "BAR":
            raise self.error(f"unmatched {text!r}")
        if t.kind == "AMP":
            raise self.error("'&' is only understood inside a matrix")
        if t.kind == "ROWSEP":
            raise self.error("'\\\\' is only understood inside a matrix")
        if t.kind == "END":
            raise self.error(f"\\end{{{t.text}}} without its \\begin")
        if t.kind == "NUM":
            raise self.error("a number cannot follow here without an operator",
                             hint="write \\cdot between the factors, or x_1 for a subscript")
        if t.kind == "OP" and t.text == "=":
            raise self.error("only one '=' is allowed")
        raise self.error(f"unexpected {text!r}")

    # -- expressions -----------------------------------------------------------------
    def parse_expr(self) -> S.Node:
        self.enter()
        start = self.tok
        if self.at_op("-") or self.at_op("+"):
            op = self.advance().text
            operand = self.parse_term()
            left: S.Node = S.Unary(start.pos, operand.end, op, operand)
        else:
            left = self.parse_term()
        while self.at_op("+") or self.at_op("-"):
            op = self.advance().text
            if self.tok.kind == "EOF":
                raise self.error(f"'{op}' needs a term after it")
            right = self.parse_term()
            left = S.Binary(left.pos, right.end, op, left, right)
        self.leave()
        return left

    def parse_term(self) -> S.Node:
        if self.deriv_operator() is not None:
            return self.apply_operator()
        left = self.parse_factor()
        while True:
            t = self.tok
            if t.kind == "OP" and t.text in "*/":
                self.advance()
                if self.deriv_operator() is not None:
                    right = self.apply_operator()
                else:
                    if self.tok.kind == "EOF":
                        raise self.error(f"'{self.src[t.pos:t.end]}' needs a factor after it")
                    right = self.parse_factor()
                left = S.Binary(left.pos, right.end, t.text, left, right)
            elif self.deriv_operator() is not None:
                right = self.apply_operator()
                left = S.Binary(left.pos, right.end, "*", left, right)
            elif self.starts_factor():
                right = self.parse_power()
                left = S.Binary(left.pos, right.end, "*", left, right)
            elif t.kind == "NUM":
                raise self.error("a number cannot follow here without an operator",
                                 hint="write \\cdot between the factors, or x_1 for a subscript")
            else:
                break
        return left

    def starts_factor(self) -> bool:
        t = self.tok
        if t.kind in ("LETTER", "SYM", "WORD", "FUNC", "FRAC", "SQRT", "FONT", "LBRACE", "OPEN",
                      "BEGIN", "PARTIAL"):
            return True
        if t.kind == "BAR":
            return t.side == "open" or (t.side is None and self.bars[t.text] == 0)
        return False

    def starts_simple(self) -> bool:
        """A factor that continues a function's unbracketed argument (\\sin 2x)."""
        t = self.tok
        if t.kind in ("LETTER", "SYM", "WORD", "SQRT", "FONT", "NUM"):
            if t.kind == "SYM" and t.text == "Gamma" and self._call_paren_follows(1):
                return False
            return True
        if t.kind == "FRAC":
            return self.deriv_operator() is None
        return False

    def parse_factor(self) -> S.Node:
        t = self.tok
        if self.at_op("-") or self.at_op("+"):
            self.enter()
            self.advance()
            operand = self.parse_factor()
            self.leave()
            return S.Unary(t.pos, operand.end, t.text, operand)
        return self.parse_power()

    def parse_power(self) -> S.Node:
        node = self.parse_primary()
        node = self._factorials(node)
        sub_tok = sup_tok = None
        sup: S.Node | str | None = None
        sup_end = node.end
        while self.at_op("^") or self.at_op("_"):
            t = self.advance()
            if t.text == "_":
                if sub_tok is not None:
                    raise self.error("a double subscript", t.pos, "write x_{12}, not x_1_2")
                sub_tok = t
                node = self._subscript(node, t)  # x^2_1 is x_1^2: the subscript names the base
            else:
                if sup_tok is not None:
                    raise self.error("a double superscript", t.pos, "use braces: {x^{2}}^{3}")
                sup_tok = t
                sup = self.parse_exponent(t)
                sup_end = self.tokens[self.i - 1].end
        if sup is not None:
            node = self._apply_power(node, sup, max(sup_end, node.end))
            node = self._factorials(node)
        if self.at_op("'"):
            raise self.error("a prime is ambiguous here",
                             hint="write ^\\top for a transpose, or \\frac{d}{dx} for a derivative")
        return node

    def _apply_power(self, base: S.Node, sup: S.Node | str, end: int) -> S.Node:
        if sup == "top":
            return S.Transpose(base.pos, end, base)
        assert isinstance(sup, S.Node)
        return S.Binary(base.pos, end, "^", base, sup)

    def _factorials(self, node: S.Node) -> S.Node:
        while self.at_op("!"):
            t = self.advance()
            node = S.Call(node.pos, t.end, "factorial", (node,))
        return node

    def parse_exponent(self, caret: Tok) -> S.Node | str:
        """After '^': a braced group or one token.  Returns "top" for a transpose."""
        t = self.tok
        if t.kind == "TOP":
            self.advance()
            return "top"
        if t.kind == "LBRACE":
            close = self.match.get(self.i)
            if close == self.i + 2 and self.peek().kind == "TOP":
                self.advance(), self.advance(), self.advance()
                return "top"
            if close == self.i + 3 and self.peek().kind == "OP" and self.peek().text == "-" and self.peek(2).kind == "TOP":
                minus = self.peek()
                self.advance(), self.advance()
                top = self.advance()
                self.advance()
                return S.Unary(minus.pos, top.end, "-", S.Name(top.pos, top.end, "T"))
            return self.parse_group()
        if t.kind == "OP" and t.text in "-+":
            raise self.error("put a signed exponent in braces", hint=f"write ^{{{t.text}1}}, not ^{t.text}1")
        if t.kind == "EOF" or (t.kind == "OP") or t.kind in ("RBRACE", "CLOSE", "AMP", "ROWSEP"):
            raise self.error("'^' needs an exponent", caret.pos)
        return self.parse_atom("^")

    def parse_atom(self, what: str) -> S.Node:
        """One token as a TeX argument: a digit, a letter, a symbol, or a command with its arguments."""
        t = self.tok
        if t.kind == "NUM":
            d = self.take_digit()
            return S.Number(d.pos, d.end, d.text)
        if t.kind == "LETTER":
            self.advance()
            return S.Name(t.pos, t.end, t.text)
        if t.kind in ("SYM", "WORD"):
            self.advance()
            return S.Name(t.pos, t.end, t.text)
        if t.kind in ("FRAC", "SQRT", "FONT"):
            return self.parse_primary()
        if t.kind == "LBRACE":
            return self.parse_group()
        raise self.error(f"{what} needs an argument: a braced group {{...}}" if t.kind != "EOF"
                         else f"{what} needs an argument")

    def _subscript(self, node: S.Node, underscore: Tok) -> S.Node:
        sub, end = self._read_subscript(underscore)
        if isinstance(node, S.Name):
            return S.Name(node.pos, end, _sub_name(node.name, sub))
        if isinstance(node, S.Norm) and sub in ("2", "F"):
            return replace(node, end=end)
        raise ParseError("a subscript is only understood on a name, like x_{1}", self.src, underscore.pos)

    def _read_subscript(self, underscore: Tok) -> tuple[str, int]:
        t = self.tok
        if t.kind == "NUM":
            d = self.take_digit()
            return d.text, d.end
        if t.kind in ("LETTER", "SYM", "WORD"):
            self.advance()
            return t.text, t.end
        if t.kind == "LBRACE":
            close = self.match.get(self.i)
            if close is None:
                raise self.error("this '{' is never closed")
            parts = []
            for k in range(self.i + 1, close):
                tk = self.tokens[k]
                if tk.kind in ("LETTER", "SYM", "WORD") or (tk.kind == "NUM" and tk.text.isdigit()):
                    parts.append(tk.text)
                else:
                    raise ParseError("a subscript must be letters and digits, like x_{12} or x_{i}",
                                     self.src, tk.pos)
            if not parts:
                raise self.error("an empty subscript")
            end = self.tokens[close].end
            self.i = close + 1
            return "".join(parts), end
        raise ParseError("'_' needs a subscript, like x_{1}", self.src, underscore.pos)

    # -- primaries -------------------------------------------------------------------
    def parse_primary(self) -> S.Node:
        self.enter()
        try:
            return self._primary()
        finally:
            self.leave()

    def _primary(self) -> S.Node:
        t = self.tok
        k = t.kind
        if k == "NUM":
            self.advance()
            return S.Number(t.pos, t.end, t.text)
        if k == "LETTER":
            self._check_letter_run()
            self.advance()
            self._check_call_paren(t)
            return S.Name(t.pos, t.end, t.text)
        if k in ("SYM", "WORD"):
            self.advance()
            if t.text == "Gamma" and k == "SYM" and self._call_paren_follows(0):
                return self.parse_function(t, "gamma")
            self._check_call_paren(t)
            return S.Name(t.pos, t.end, t.text)
        if k == "FUNC":
            self.advance()
            return self.parse_function(t, t.text)
        if k == "FRAC":
            return self.parse_frac()
        if k == "SQRT":
            return self.parse_sqrt()
        if k == "FONT":
            self.advance()
            if self.tok.kind == "EOF":
                raise self.error(f"\\{t.text} needs an argument", t.pos)
            inner = self.parse_atom(f"\\{t.text}")
            return _respan(inner, t.pos, inner.end)
        if k == "LBRACE":
            return self.parse_group()
        if k == "OPEN":
            return self.parse_paren()
        if k == "BAR":
            return self.parse_bars()
        if k == "BEGIN":
            return self.parse_matrix()
        if k == "PARTIAL":
            info = self.deriv_operator()
            if info is not None:
                return self.apply_operator()
            raise self.error("\\partial is only understood in a derivative",
                             hint="write \\frac{\\partial}{\\partial x} f or \\frac{\\partial f}{\\partial x}")
        if k == "TOP":
            raise self.error(f"{t.text} is only understood as an exponent", hint="write x^\\top")
        if k == "EOF":
            raise self.error("the expression ends too early")
        if k == "WRAP":
            raise self.error(f"{t.text} only delimits the whole expression")
        if k == "END":
            raise self.error(f"\\end{{{t.text}}} without its \\begin")
        if k == "AMP":
            raise self.error("'&' is only understood inside a matrix")
        if k == "ROWSEP":
            raise self.error("'\\\\' is only understood inside a matrix")
        if k == "OP" and t.text == "'":
            raise self.error("a prime is ambiguous here",
                             hint="write ^\\top for a transpose, or \\frac{d}{dx} for a derivative")
        raise self.error(f"unexpected {self.src[t.pos:t.end]!r}")

    def _check_letter_run(self) -> None:
        """'sin(x)' typed without the backslash: refuse rather than multiply s*i*n."""
        k = self.i
        if k > 0 and self.tokens[k - 1].kind == "LETTER" and self.tokens[k - 1].end == self.tokens[k].pos:
            return
        word = ""
        end = self.tokens[k].pos
        while self.tokens[k].kind == "LETTER" and self.tokens[k].pos == end:
            word += self.tokens[k].text
            end = self.tokens[k].end
            k += 1
        if len(word) >= 2 and (word in _FUNC_WORDS or word in _GREEK_NAMES):
            raise self.error(f"'{word}' here would be a product of single letters",
                             hint=f"write \\{word} (or \\operatorname{{{word}}}); letters in LaTeX multiply")

    def _at_exp(self) -> bool:
        """e^{...} (or \\mathrm{e}^{...}) starts here: Euler's number to a power, like \\exp."""
        t, nxt = self.tok, self.peek()
        return t.kind in ("LETTER", "WORD") and t.text == "e" and nxt.kind == "OP" and nxt.text == "^"

    def _call_paren_follows(self, offset: int) -> bool:
        nxt = self.peek(offset)
        return nxt.kind == "OPEN" and nxt.side == "(" and not nxt.space_before

    def _check_call_paren(self, name_tok: Tok) -> None:
        if self._call_paren_follows(0):
            raise ParseError(
                f"unknown function {name_tok.text!r}", self.src, name_tok.pos,
                f"for a product put a space or \\cdot before the bracket: {self.src[name_tok.pos:name_tok.end]} (...)",
            )

    def parse_group(self) -> S.Node:
        open_ = self.advance()  # LBRACE
        if self.at("RBRACE"):
            raise ParseError("an empty group {}", self.src, open_.pos)
        inner = self.parse_expr()
        if not self.at("RBRACE"):
            raise self.error(f"expected '}}' to close the '{{' at position {open_.pos + 1}, found {self.found()}")
        close = self.advance()
        return _respan(inner, open_.pos, close.end)

    def parse_paren(self) -> S.Node:
        open_ = self.advance()
        if self.tok.kind == "CLOSE":
            raise ParseError("empty brackets", self.src, open_.pos)
        inner = self.parse_expr()
        close = self._expect_close(open_)
        return _respan(inner, open_.pos, close.end)

    def _expect_close(self, open_: Tok) -> Tok:
        t = self.tok
        if t.kind != "CLOSE" or t.side != open_.side:
            want = _CLOSER[open_.side or "("]
            raise self.error(f"expected {want!r} to close the {self.src[open_.pos:open_.end]!r} "
                             f"at position {open_.pos + 1}, found {self.found()}")
        return self.advance()

    def parse_bars(self) -> S.Node:
        open_ = self.tok
        if open_.side == "close":
            raise self.error(f"unmatched {self.src[open_.pos:open_.end]!r}")
        kind = open_.text
        self.advance()
        self.bars[kind] += 1
        try:
            if self.tok.kind == "BAR" and self.tok.text == kind and self.tok.side != "open":
                raise ParseError("nothing between the bars", self.src, open_.pos)
            inner = self.parse_expr()
        finally:
            self.bars[kind] -= 1
        t = self.tok
        if not (t.kind == "BAR" and t.text == kind and t.side != "open"):
            raise self.error(f"expected a closing {'|' if kind == '|' else chr(92) + '|'} for the one "
                             f"at position {open_.pos + 1}, found {self.found()}")
        self.advance()
        if kind == "|":
            return S.Call(open_.pos, t.end, "abs", (inner,))
        return S.Norm(open_.pos, t.end, inner)

    def parse_frac(self) -> S.Node:
        info = self.deriv_operator()
        if info is not None:
            return self.apply_operator()
        frac = self.advance()
        info2 = self._deriv_cache.get(self.i - 1)
        if info2 is not None and info2.rest is not None:
            return self._applied_derivative(frac, info2)
        if self.tok.kind == "EOF":
            raise self.error(f"\\{frac.text} needs a numerator and a denominator", frac.pos)
        num = self.parse_atom(f"\\{frac.text}")
        if self.tok.kind == "EOF":
            raise self.error(f"\\{frac.text} needs a denominator", frac.pos)
        den = self.parse_atom(f"\\{frac.text}")
        return S.Binary(frac.pos, den.end, "/", num, den)

    def parse_sqrt(self) -> S.Node:
        t = self.advance()
        index: S.Node | None = None
        if self.tok.kind == "OPEN" and self.tok.side == "[":
            open_ = self.advance()
            if self.tok.kind == "CLOSE":
                raise ParseError("an empty root index", self.src, open_.pos)
            index = self.parse_expr()
            self._expect_close(open_)
        if self.tok.kind == "EOF":
            raise self.error("\\sqrt needs an argument", t.pos)
        arg = self.parse_atom("\\sqrt")
        if index is None:
            return S.Call(t.pos, arg.end, "sqrt", (arg,))
        return S.Call(t.pos, arg.end, "root", (arg, index))

    def parse_function(self, t: Tok, name: str) -> S.Node:
        """After a function command: optional _base / ^power, then the argument."""
        base: S.Node | None = None
        power: S.Node | str | None = None
        while self.at_op("_") or self.at_op("^"):
            op = self.advance()
            if op.text == "_":
                if base is not None:
                    raise self.error("a double subscript", op.pos)
                if name == "log":
                    base = self.parse_atom("'_'") if not self.at("LBRACE") else self.parse_group()
                elif name == "atan" and (self.tok.text == "2" or (self.at("LBRACE") and self.peek().text == "2"
                                                                   and self.peek(2).kind == "RBRACE")):
                    if self.at("LBRACE"):
                        self.i += 3
                    else:
                        self.take_digit()
                    name = "atan2"
                    base = S.Number(op.pos, op.end, "2")  # marker only
                else:
                    raise ParseError(f"\\{name} takes no subscript", self.src, op.pos)
            else:
                if power is not None:
                    raise self.error("a double superscript", op.pos)
                power = self.parse_exponent(op)
                if power == "top":
                    raise ParseError("a transpose of a function name", self.src, op.pos,
                                     f"write \\{name}(x)^\\top")
                if (isinstance(power, S.Unary) and power.op == "-" and isinstance(power.operand, S.Number)
                        and power.operand.text == "1" and name in _INVERSE_AMBIGUOUS):
                    raise ParseError(
                        f"\\{name}^{{-1}} is ambiguous", self.src, op.pos,
                        f"write \\arc{name} (or \\operatorname{{a{name}}}) for the inverse function, "
                        f"or (\\{name} x)^{{-1}} for the reciprocal",
                    )
        args, end = self.parse_call_args(t, name)
        if name == "log" and base is not None:
            if len(args) != 1:
                raise ParseError("\\log_b takes one argument", self.src, t.pos)
            args = (args[0], base)
        arities = FUNCTIONS.get(name, (1,))
        if len(args) not in arities:
            counts = " or ".join(str(k) for k in arities)
            raise ParseError(f"{name} takes {counts} argument{'s' if arities != (1,) else ''}, not {len(args)}",
                             self.src, t.pos)
        call: S.Node = S.Call(t.pos, end, name, tuple(args))
        if power is not None:
            assert isinstance(power, S.Node)
            call = S.Binary(t.pos, end, "^", call, power)
        return call

    def parse_call_args(self, t: Tok, name: str) -> tuple[tuple[S.Node, ...], int]:
        tok = self.tok
        label = self.src[t.pos:t.end]
        if tok.kind == "LBRACE":
            close = self.match.get(self.i)
            nxt = self.peek()
            if close is not None and nxt.kind == "OPEN" and self.match.get(self.i + 1) == close - 1:
                # SymPy's \sin{\left(x \right)}, \operatorname{atan}_{2}{\left(y,x \right)}
                self.advance()
                args, _ = self._arg_list()
                end = self.advance().end  # RBRACE
                return args, end
            node = self.parse_group()
            return (node,), node.end
        if tok.kind == "OPEN" and tok.side in ("(", "["):
            return self._arg_list()
        if tok.kind == "EOF" or not (self.starts_simple() or self.starts_factor() or self.at_op("-")):
            raise ParseError(f"{label} needs an argument", self.src, t.pos)
        # unbracketed: the following run of simple factors (\sin 2x, \log x^2 y); it ends at an
        # explicit space (\,), at another function (\cos, \exp) and at e^{...}, which binds like
        # \exp: \cos x \, e^{x} and \cos x e^{x} are both cos(x)·e^x
        self.enter()
        node = self.parse_factor()
        while self.starts_simple() and self.tok.kind != "NUM" and not self.tok.spaced and not self._at_exp():
            right = self.parse_power()
            node = S.Binary(node.pos, right.end, "*", node, right)
        self.leave()
        return (node,), node.end

    def _arg_list(self) -> tuple[tuple[S.Node, ...], int]:
        open_ = self.advance()
        if self.tok.kind == "CLOSE":
            raise ParseError("a function needs an argument", self.src, open_.pos)
        args = [self.parse_expr()]
        while self.at_op(","):
            self.advance()
            args.append(self.parse_expr())
        close = self._expect_close(open_)
        return tuple(args), close.end

    def parse_matrix(self) -> S.Node:
        begin = self.advance()
        env = begin.text
        rows: list[list[S.Node]] = [[]]
        if self.at("END"):
            raise ParseError("an empty matrix", self.src, begin.pos)
        while True:
            rows[-1].append(self.parse_expr())
            if self.at("AMP"):
                self.advance()
                continue
            if self.at("ROWSEP"):
                self.advance()
                if self.at("END"):
                    break
                rows.append([])
                continue
            break
        if not self.at("END"):
            raise self.error(f"expected '&', '\\\\' or \\end{{{env}}}, found {self.found()}")
        end_tok = self.advance()
        if end_tok.text != env:
            raise ParseError(f"\\begin{{{env}}} ends with \\end{{{end_tok.text}}}", self.src, end_tok.pos)
        if len({len(r) for r in rows}) != 1:
            raise ParseError("the rows of the matrix have different lengths", self.src, begin.pos)
        if len(rows[0]) == 1:
            node: S.Node = S.Matrix(begin.pos, end_tok.end, (tuple(r[0] for r in rows),), vector=True)
        else:
            node = S.Matrix(begin.pos, end_tok.end, tuple(tuple(r) for r in rows), vector=False)
        if env == "vmatrix":
            return S.Call(begin.pos, end_tok.end, "det", (node,))
        return node

    # -- derivatives -----------------------------------------------------------------
    def deriv_operator(self) -> _DerivInfo | None:
        """The derivative operator starting here (\\frac{d}{dx}, \\partial_x), if any."""
        info = self._scan_deriv(self.i)
        if info is not None and info.rest is None:
            return info
        return None

    def apply_operator(self) -> S.Node:
        info = self.deriv_operator()
        assert info is not None
        start = self.tok
        label = self.src[start.pos:self.tokens[info.after - 1].end]
        self.i = info.after
        t = self.tok
        if t.kind in ("EOF", "RBRACE", "CLOSE", "AMP", "ROWSEP") or (t.kind == "OP" and t.text in "=+,") or (
            t.kind == "BAR" and (t.side == "close" or (t.side is None and self.bars[t.text] > 0))
        ):
            raise ParseError(f"the operator {label} needs an expression after it", self.src, start.pos)
        self.enter()
        operand = self.parse_term()
        self.leave()
        node = operand
        for var, order in reversed(info.pairs):
            node = S.Derivative(start.pos, operand.end, node, var, order, info.partial)
        return node

    def _applied_derivative(self, frac: Tok, info: _DerivInfo) -> S.Node:
        assert info.rest is not None
        a, b = info.rest
        self.i = a
        inner = self.parse_expr()
        if self.i != b:
            raise self.error(f"unexpected {self.src[self.tok.pos:self.tok.end]!r} in the numerator")
        self.i = info.after
        end = self.tokens[info.after - 1].end
        node: S.Node = _respan(inner, inner.pos, inner.end)
        for var, order in reversed(info.pairs):
            node = S.Derivative(frac.pos, end, node, var, order, info.partial)
        return node

    def _scan_deriv(self, i: int) -> _DerivInfo | None:
        if i in self._deriv_cache:
            return self._deriv_cache[i]
        info = self._scan_deriv_uncached(i)
        self._deriv_cache[i] = info
        return info

    def _scan_deriv_uncached(self, i: int) -> _DerivInfo | None:
        toks = _Clamped(self.tokens)
        t = toks[i]
        if t.kind == "PARTIAL" and toks[i + 1].kind == "OP" and toks[i + 1].text == "_":
            var = self._scan_var(i + 2)
            if var is None:
                raise ParseError("write \\partial_x or \\partial_{x} with one variable", self.src, t.pos)
            name, j = var
            if toks[j].kind == "OP" and toks[j].text == "^":
                raise ParseError("\\partial_x^2 is not supported", self.src, t.pos,
                                 "write \\frac{\\partial^2}{\\partial x^2}")
            return _DerivInfo(True, ((name, 1),), None, j)
        if t.kind != "FRAC" or toks[i + 1].kind != "LBRACE":
            return None
        num_close = self.match.get(i + 1)
        if num_close is None:
            return None
        marker = self._scan_marker(i + 2)
        if marker is None:
            return None
        partial, total, j = marker
        if toks[num_close + 1].kind != "LBRACE":
            return None
        den_close = self.match.get(num_close + 1)
        if den_close is None:
            return None
        pairs = self._scan_denominator(num_close + 2, den_close, partial)
        if pairs is None:
            return None
        rest = None if j == num_close else (j, num_close)
        if j > num_close:
            return None
        written = " ".join(self.src[t.pos:toks[den_close].end].split())
        orders = sum(k for _, k in pairs)
        if total is not None and orders != total:
            raise ParseError(f"the orders of {written} do not add up to {total}", self.src, t.pos)
        if total is None and orders > 1:
            raise ParseError(f"{written} lacks the total order in its numerator", self.src, t.pos,
                             "for example \\frac{\\partial^2}{\\partial x \\partial y}")
        return _DerivInfo(partial, tuple(pairs), rest, den_close + 1)

    def _is_d(self, k: int) -> bool:
        t = self.tokens[min(k, len(self.tokens) - 1)]
        return (t.kind in ("LETTER", "WORD")) and t.text == "d"

    def _scan_marker(self, j: int) -> tuple[bool, int | None, int] | None:
        toks = _Clamped(self.tokens)
        if toks[j].kind == "PARTIAL":
            partial = True
        elif self._is_d(j):
            partial = False
        else:
            return None
        j += 1
        total = None
        if toks[j].kind == "OP" and toks[j].text == "^":
            order = self._scan_order(j + 1)
            if order is None:
                return None
            total, j = order
        return partial, total, j

    def _scan_order(self, j: int) -> tuple[int, int] | None:
        toks = _Clamped(self.tokens)
        if toks[j].kind == "NUM" and len(toks[j].text) == 1:
            return int(toks[j].text), j + 1
        if toks[j].kind == "LBRACE" and toks[j + 1].kind == "NUM" and toks[j + 1].text.isdigit() \
                and toks[j + 2].kind == "RBRACE":
            return int(toks[j + 1].text), j + 3
        return None

    def _scan_var(self, j: int) -> tuple[str, int] | None:
        """A variable in a derivative: x, \\theta, \\mathbf{x}, \\mathrm{rate}, x_1, x_{12}."""
        toks = _Clamped(self.tokens)
        t = toks[j]
        if t.kind in ("LETTER", "SYM", "WORD") and not (t.kind == "SYM" and t.text == "pi"):
            name, j = t.text, j + 1
        elif t.kind == "FONT":
            if toks[j + 1].kind in ("LETTER", "SYM"):
                name, j = toks[j + 1].text, j + 2
            elif toks[j + 1].kind == "LBRACE" and toks[j + 2].kind in ("LETTER", "SYM", "WORD") \
                    and toks[j + 3].kind == "RBRACE":
                name, j = toks[j + 2].text, j + 4
            else:
                return None
        elif t.kind == "LBRACE" and toks[j + 1].kind in ("LETTER", "SYM", "WORD") and toks[j + 2].kind == "RBRACE":
            name, j = toks[j + 1].text, j + 3
        else:
            return None
        if toks[j].kind == "OP" and toks[j].text == "_":
            s = toks[j + 1]
            if s.kind == "NUM" and len(s.text) == 1:
                return _sub_name(name, s.text), j + 2
            if s.kind in ("LETTER", "SYM"):
                return _sub_name(name, s.text), j + 2
            if s.kind == "LBRACE":
                close = self.match.get(j + 1)
                if close is None:
                    return None
                parts = []
                for k in range(j + 2, close):
                    tk = toks[k]
                    if tk.kind in ("LETTER", "SYM", "WORD") or (tk.kind == "NUM" and tk.text.isdigit()):
                        parts.append(tk.text)
                    else:
                        return None
                if not parts:
                    return None
                return _sub_name(name, "".join(parts)), close + 1
            return None
        return name, j

    def _scan_denominator(self, j: int, end: int, partial: bool) -> list[tuple[str, int]] | None:
        pairs: list[tuple[str, int]] = []
        while j < end:
            t = self.tokens[min(j, len(self.tokens) - 1)]
            if partial and t.kind == "PARTIAL":
                pass
            elif not partial and self._is_d(j):
                pass
            else:
                return None
            var = self._scan_var(j + 1)
            if var is None:
                return None
            name, j = var
            order = 1
            tj = self.tokens[min(j, len(self.tokens) - 1)]
            if tj.kind == "OP" and tj.text == "^":
                o = self._scan_order(j + 1)
                if o is None:
                    return None
                order, j = o
            if pairs and pairs[-1][0] == name:
                pairs[-1] = (name, pairs[-1][1] + order)
            else:
                pairs.append((name, order))
        if j != end or not pairs:
            return None
        return pairs


class _Clamped:
    """Token list access that reads EOF past the end (for lookahead scans)."""

    __slots__ = ("toks",)

    def __init__(self, toks: list[Tok]):
        self.toks = toks

    def __getitem__(self, k: int) -> Tok:
        return self.toks[min(k, len(self.toks) - 1)]


def _respan(node: S.Node, pos: int, end: int) -> S.Node:
    return replace(node, pos=pos, end=end)


def parse_latex(src: str, *, claim: bool) -> S.Node:
    """Parse LaTeX maths into a syntax tree.

    ``claim=True`` allows one top-level ``=`` (an ``Equation``); otherwise an
    ``=`` is a ``ParseError``.  Errors carry the position in ``src``; input
    over the length limit or nested deeper than ``MAX_DEPTH`` is a
    ``LimitError``.
    """
    old = sys.getrecursionlimit()
    raised = old < 6000
    if raised:
        sys.setrecursionlimit(6000)
    try:
        return _Parser(src).parse(claim)
    finally:
        if raised:
            sys.setrecursionlimit(old)
