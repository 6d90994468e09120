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

import sys

from ...errors import ParseError
from ...limits import check_length
from ...record import replace
from .. import ast as S
from ..commutation import latex_commutation, refuse_ambiguous_k
from ..cursor import TokenCursor
from .commands import Commands, _digamma
from .operators import DerivativeOperators, _DerivInfo, _respan
from .tokens import _CLOSER, _FUNC_WORDS, _GREEK_NAMES, Tok, _matching, _sub_name, tokenize

__all__ = ["parse_latex"]


class _Parser(TokenCursor, DerivativeOperators, Commands):
    def __init__(self, src: str):
        check_length(src, "the input")
        self.src = src
        self.tokens = tokenize(src)
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

    def found(self) -> str:
        t = self.tok
        if t.kind == "EOF":
            return "the end of the input"
        return repr(self.src[t.pos:t.end])

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
            if t.kind == "OP" and t.text in ("*", "/", ".*", "./", "⊗"):
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
            if t.kind == "SYM" and t.text in ("Gamma", "psi") and self._call_paren_follows(1):
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
                commutation = latex_commutation(self, node)
                if commutation is not None:  # K_{m,n}, the LaTeX printer's commutation matrix
                    node = commutation
                    continue
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
            minus_top = self.peek().kind == "OP" and self.peek().text == "-" and self.peek(2).kind == "TOP"
            if close == self.i + 3 and minus_top:
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
            if t.text == "psi" and k == "SYM" and (self._call_paren_follows(0) or self._power_then_paren()):
                return _digamma(self.parse_function(t, "gamma"), t, self.src)  # \psi(x): digamma
            if t.text == "sigma" and k == "SYM" and self._call_paren_follows(0):
                return self.parse_function(t, "sigmoid")  # \sigma(z): a name followed by ( is a function
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
        return refuse_ambiguous_k(_Parser(src).parse(claim), src)
    finally:
        if raised:
            sys.setrecursionlimit(old)
