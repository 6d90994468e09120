"""Text -> syntax tree, safely.

A hand-written tokenizer and recursive-descent parser for gradcli's expression
language (SPEC, "Expression language").  Nothing here evaluates user text:
the parser only produces ``ast`` nodes, and ``model.build`` maps those nodes to
SymPy objects through fixed tables.  It imports neither SymPy nor Rich, so
the CLI can parse arguments cheaply.

Grammar (lowest precedence first)::

    claim   := expr ('=' expr)?
    expr    := ['+'|'-'] term (('+'|'-') term)*
    term    := DERIV term | factor (('*'|'/'|'.*'|'./'|'⊗'|implicit) (DERIV term | factor))*
    factor  := ('-'|'+') factor | power
    power   := postfix (('^'|'**'|'.^') factor)?     (right associative)
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

from ..errors import ParseError
from ..limits import check_length
from ..record import record, replace
from . import ast as S
from .commutation import commutation_sizes, refuse_ambiguous_k
from .cursor import TokenCursor, closing_paren
from .names import (
    FUNCTIONS,
    GREEK_CHARS,
    GREEK_WORDS,
    NAME,
    NAME_RE,
    SUBSCRIPTS,
    SUPERSCRIPTS,
    bare_function,
    fraction_of_differentials,
    glued_function,
    internal_name,
    suggest_function,
    unicode_notation,
)
from .vecop import VEC_PARTIAL_RE, refuse_vec_names, stray_partial, vec_operator, vec_operator_end

_NUMBER_RE = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")  # ASCII digits only
_SPACE_RE = re.compile(r"\s+")
_DIGITS = frozenset("0123456789")  # not "²", "₁", "٣": str.isdigit() says yes to those
# d/dx, d^2/dx^2, ∂/∂x, ∂^2/∂x^2, ∂^2/∂x∂y, d/d x, d/dθ, ∂/∂θ1, d/dx_1
_D = r"(?:d|∂)"
_DERIV_RE = re.compile(
    rf"(?P<d>{_D})\s*(?:\^\s*(?P<n>[0-9]+)\s*)?/\s*"
    rf"(?P<vars>(?:{_D}\s*{NAME}\s*(?:\^\s*[0-9]+\s*)?)+)"
)
_DERIV_VAR_RE = re.compile(rf"{_D}\s*({NAME})\s*(?:\^\s*([0-9]+))?")
#: dy/dx, df/dθ, d^2y/dx^2, ∂f/∂x: a fraction of two names, which gradcli refuses
_SHORT = rf"(?:{GREEK_WORDS}|[A-Za-z]|[{GREEK_CHARS}])[0-9]*(?:_[A-Za-z0-9{GREEK_CHARS}]+)?"  # f, y1, θ, x_1
_DFRAC_RE = re.compile(
    rf"(?P<d>{_D})(?:\^\s*(?P<n>[0-9]+)\s*)?(?P<f>{_SHORT})\s*/\s*(?P=d)\s*(?P<x>{_SHORT})"
    rf"(?![A-Za-z0-9_{GREEK_CHARS}])(?:\s*\^\s*(?P<m>[0-9]+))?"
)


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
            if m.group(1).endswith(".") and i + len(text) < n and src[i + len(text)] in "T*/^":
                text = text[:-1]  # "2.T", "2.*x": not a number followed by T or *; keep "2"
            tokens.append(Token("NUM", text, start, start + len(text), space_before=space))
            i = start + len(text)
        elif c in "d∂" and (c != "d" or not (i + 1 < n and (src[i + 1].isalnum() or src[i + 1] == "_"))) and (
            m := _DERIV_RE.match(src, i)
        ) and (c != "d" or not (i > 0 and (src[i - 1].isalnum() or src[i - 1] == "_"))):
            tokens.append(_derivative_operator(src, start, m, space))
            i = tokens[-1].end
        elif c == "∂" and VEC_PARTIAL_RE.match(src, i):  # ∂vec(F)/∂vec(X): read by language.vecop
            tokens.append(Token("NAME", "∂", i, i + 1, space_before=space))
            i += 1
        elif c in "d∂" and (m := _DFRAC_RE.match(src, i)):
            raise fraction_of_differentials(src, i, m)
        elif c == "∂":
            raise stray_partial(src, i, tokens)
        elif c.isalpha() or c == "_":
            m = NAME_RE.match(src, i)
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
        elif c == "." and i + 1 < n and src[i + 1] in "*/^":
            op = ".^" if src.startswith(".**", i) else "." + src[i + 1]  # .* ./ .^ (.** is .^)
            width = 3 if src.startswith(".**", i) else 2
            tokens.append(Token("OP", op, i, i + width, space_before=space))
            i += width
        elif c in "⊙⊗":
            tokens.append(Token("OP", ".*" if c == "⊙" else "⊗", i, i + 1, space_before=space))
            i += 1
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
        elif c in SUPERSCRIPTS or c in SUBSCRIPTS or c == "|":
            raise unicode_notation(src, i, tokens)
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


def _derivative_operator(src: str, start: int, m: re.Match, space: bool) -> Token:
    """The DERIV token of an operator matched by ``_DERIV_RE`` at ``start``: d/dx, d^2/dxdy, ∂/∂θ."""
    c = src[start]
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
        return Token("DERIV", text, start, start + len(text), deriv=pairs, partial=False, space_before=space)
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
    return Token("DERIV", text, start, start + len(text), deriv=pairs, partial=c != "d", space_before=space)


class Parser(TokenCursor):
    def __init__(self, src: str):
        check_length(src, "the input")
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
        return refuse_ambiguous_k(node, self.src)

    def parse_single(self) -> S.Node:
        node = self.parse_expr()
        if self.at("="):
            raise self.error(
                "an equation is not an expression here", hint="use 'gradcli check' to decide a claim"
            )
        self.finish()
        return refuse_ambiguous_k(node, self.src)

    def finish(self) -> None:
        t = self.tok
        if t.kind != "EOF":
            if t.kind == "OP" and t.text in ")]":
                raise self.error(f"unmatched {t.text!r}")
            if t.kind == "NUM":
                raise self.error("a number cannot follow here without an operator",
                                 hint="write '*' between the factors")
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
        last = vec_operator_end(self)
        if last is not None:
            return vec_operator(self, last)
        left = self.parse_factor()
        while True:
            t = self.tok
            if t.kind == "OP" and t.text in ("*", "/", ".*", "./", "⊗"):
                self.advance()
                if self.tok.kind == "DERIV":
                    right = self._deriv()
                elif (last := vec_operator_end(self)) is not None:
                    right = vec_operator(self, last)
                else:
                    right = self.parse_factor()
                left = S.Binary(left.pos, right.end, t.text, left, right)
            elif t.kind == "DERIV":
                right = self._deriv()
                left = S.Binary(left.pos, right.end, "*", left, right)
            elif t.kind == "NAME" or (t.kind == "OP" and t.text in "(["):
                last = vec_operator_end(self) if t.kind == "NAME" else None
                right = vec_operator(self, last) if last is not None else self.parse_power()
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
        if self.at("^") or self.at(".^"):
            self.enter()
            op = self.advance().text
            if self.tok.kind == "EOF":
                raise self.error(f"'{op}' needs an exponent")
            exponent = self.parse_factor()
            base = S.Binary(base.pos, exponent.end, op, base, exponent)
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
        if name == "sigma" and nxt.kind == "OP" and nxt.text == "(" and not nxt.space_before:
            name = "sigmoid"  # σ(z) is the logistic sigmoid: a name followed by ( is a function
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
        refuse_vec_names(self, t)  # ∂ and dvec( outside d vec(F)/d vec(X)
        if (commutation := commutation_sizes(self, t)) is not None:  # K(m, n)
            return commutation
        if nxt.kind == "OP" and nxt.text == "(" and not nxt.space_before:
            close = closing_paren(self.tokens, self.i)
            args = self.src[nxt.end:self.tokens[close].pos].strip() if close is not None else "..."
            known = suggest_function(name)
            if known:
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


def _respan(node: S.Node, pos: int, end: int) -> S.Node:
    return replace(node, pos=pos, end=end)


