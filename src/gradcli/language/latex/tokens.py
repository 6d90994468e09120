"""LaTeX source -> tokens (``language.latex.parser`` reads them): every command is looked up
in the fixed tables below, and any other command is an error that names it."""

from __future__ import annotations

import re

from ...errors import ParseError
from ...record import record
from ..names import FUNCTIONS, GREEK

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
    "Tr": "tr", "sgn": "sign", "max": "max", "min": "min",
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
_TIMES = {"cdot": "*", "times": "*", "ast": "*", "div": "/", "odot": ".*", "oslash": "./", "otimes": "⊗"}
_MATRIX_ENVS = {"bmatrix", "pmatrix", "matrix", "Bmatrix", "vmatrix", "smallmatrix"}

_UNSUPPORTED = {
    **{c: "an ellipsis cannot be computed: write the terms out" for c in (
        "dots", "cdots", "ldots", "vdots", "ddots", "dotsc", "dotsb", "dotsm")},
    "infty": "infinity is not supported",
    **{c: f"\\{c} is not supported" for c in (
        "sum", "prod", "int", "iint", "oint", "lim", "limsup", "liminf", "sup", "inf",
        "arg", "nabla", "pm", "mp", "circ", "oplus", "wedge", "vee",
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


#: One-character tokens: character -> (kind, text, side).
_SINGLE = {
    "{": ("LBRACE", "{", None), "}": ("RBRACE", "}", None),
    "(": ("OPEN", "(", "("), "[": ("OPEN", "[", "["), ")": ("CLOSE", ")", "("), "]": ("CLOSE", "]", "["),
    "|": ("BAR", "|", None), "‖": ("BAR", "||", None), "&": ("AMP", "&", None), "∂": ("PARTIAL", "∂", None),
    **{c: ("OP", c, None) for c in "+-*/^_=,!'$"},
    **{c: ("OP", "*", None) for c in "·×⋅"},
    "⊙": ("OP", ".*", None), "⊗": ("OP", "⊗", None),
    "−": ("OP", "-", None),
}


class _Tokenizer:
    """LaTeX source -> tokens, left to right; every command is looked up in the tables."""

    def __init__(self, src: str):
        self.src = src
        self.toks: list[Tok] = []
        #: white space (or a TeX space) comes before the next token
        self.space = False
        #: an explicit TeX space (\, \; \quad ~ ...) comes before it
        self.spaced = False

    def add(self, kind: str, text: str, pos: int, end: int, side: str | None = None) -> None:
        self.toks.append(Tok(kind, text, pos, end, self.space, side, self.spaced))
        self.space = self.spaced = False

    def run(self) -> list[Tok]:
        src, n = self.src, len(self.src)
        i = 0
        while i < n:
            c = src[i]
            if c.isspace() or c == "~":
                i += 1
                self.space = True
                self.spaced = self.spaced or c == "~"
            elif c == "\\":
                i = self.command(i)
            elif c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit()):
                m = _NUMBER_RE.match(src, i)
                assert m
                self.add("NUM", m.group(0), i, m.end())
                i = m.end()
            elif c.isascii() and c.isalpha():
                self.add("LETTER", c, i, i + 1)
                i += 1
            elif c in GREEK:
                self.add("SYM", GREEK[c], i, i + 1)
                i += 1
            elif c in _SINGLE:
                kind, text, side = _SINGLE[c]
                self.add(kind, text, i, i + 1, side)
                i += 1
            else:
                hint = "a LaTeX comment is not supported" if c == "%" else None
                raise _err(f"unexpected character {c!r}", src, i, hint)
        self.toks.append(Tok("EOF", "", n, n, self.space))
        return self.toks

    def command(self, start: int) -> int:
        """The command at ``start`` (a backslash): its token; the index after it."""
        src = self.src
        m = _CMD_RE.match(src, start)
        if not m:
            raise _err("a lone backslash at the end", src, start)
        name = m.group(1)
        i = m.end()
        add = self.add
        if name in _SPACING:
            self.space = True
            self.spaced = self.spaced or name in _VISIBLE_SPACES
        elif name == "\\":
            add("ROWSEP", "\\\\", start, i)
        elif name in ("left", "right") or name in _SIZES:
            i = self.delimiter(i, start, name)
        elif name in ("{", "}", "|") or any("\\" + name in table for table in (_BARS, _DELIMS_OPEN, _DELIMS_CLOSE)):
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
            i = self.environment(i, start, name)
        elif name in _UNSUPPORTED:
            raise _err(_UNSUPPORTED[name], src, start)
        elif name in _TEX_PRIMITIVES:
            raise _err(f"unknown LaTeX command \\{name}", src, start,
                       "gradcli reads mathematics only; it never runs TeX")
        else:
            raise _err(f"unknown LaTeX command \\{name}", src, start, _glued_command(name))
        return i

    def environment(self, i: int, start: int, name: str) -> int:
        """\\begin{bmatrix} or \\end{bmatrix}: the matrix environments alone."""
        src = self.src
        m2 = _ENV_RE.match(src, i)
        if not m2:
            raise _err(f"\\{name} needs an environment name in braces, e.g. \\{name}{{bmatrix}}", src, start)
        env = m2.group(1)
        if env not in _MATRIX_ENVS:
            raise _err(f"the environment {env!r} is not supported", src, start,
                       "matrices are written with bmatrix, pmatrix or vmatrix")
        self.add("BEGIN" if name == "begin" else "END", env, start, m2.end())
        return m2.end()

    def delimiter(self, j: int, cmd_pos: int, cmd: str) -> int:
        """The delimiter after \\left, \\right, \\bigl...: emits its token."""
        src, n, add = self.src, len(self.src), self.add
        while j < n and src[j].isspace():
            j += 1
        if j >= n:
            raise _err(f"\\{cmd} needs a delimiter after it", src, cmd_pos)
        m = _CMD_RE.match(src, j)
        d = ("\\" + m.group(1)) if (src[j] == "\\" and m) else src[j]
        end = j + len(d)
        if cmd == "left" or cmd.endswith("l"):
            side = "open"
        else:
            side = "close" if cmd == "right" or cmd.endswith("r") else None
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


def tokenize(src: str) -> list[Tok]:
    return _Tokenizer(src).run()


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

