"""Derivative operators in LaTeX: ``\\frac{d}{dx}``, ``\\frac{\\partial^2}{\\partial x \\partial y}``,
``\\partial_x``, and ``\\frac{\\partial f}{\\partial x}`` (the derivative of the numerator's
expression).  A mixin of the LaTeX parser: it scans ahead for an operator and applies it to
the term that follows, as ``d/dx`` does in plain input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...errors import ParseError
from ...record import replace
from .. import ast as S
from .tokens import Tok, _sub_name


@dataclass
class _DerivInfo:
    partial: bool
    pairs: tuple[tuple[str, int], ...]
    rest: tuple[int, int] | None  # token range of the numerator's expression
    after: int  # token index after the whole \frac{..}{..} (or \partial_x)


class DerivativeOperators:
    """What the parser (``self``) gains: ``deriv_operator`` (the operator starting at the
    current token, if any), ``apply_operator`` and ``_applied_derivative``."""

    src: str
    tokens: list[Tok]
    i: int
    match: dict[int, int]
    bars: dict[str, int]
    _deriv_cache: dict[int, Any]

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

    def vec_fraction(self) -> S.Node | None:
        """``\\frac{\\partial \\operatorname{vec}(F)}{\\partial \\operatorname{vec}(X)}`` (also
        ``\\mathrm{vec}``, ``d`` for ``\\partial``, ``\\mathrm{vec}\\, F`` without parentheses) at
        the current FRAC token: the vec derivative d vec(F)/d vec(X), as the plain
        ``d vec(F)/d vec(X)`` reads.  None where the fraction is no such thing; a near miss
        (vec on one side only, \\partial over d, vec of more than a name below) is refused."""
        toks = _Clamped(self.tokens)
        i = self.i
        if toks[i].kind != "FRAC" or toks[i + 1].kind != "LBRACE":
            return None
        num_close = self.match.get(i + 1)
        if num_close is None or toks[num_close + 1].kind != "LBRACE":
            return None
        den_close = self.match.get(num_close + 1)
        if den_close is None:
            return None

        def marked(k: int) -> tuple[str | None, bool]:
            mark = "partial" if toks[k].kind == "PARTIAL" else ("d" if self._is_d(k) else None)
            return mark, mark is not None and toks[k + 1].kind == "FUNC" and toks[k + 1].text == "vec"

        num_mark, num_vec = marked(i + 2)
        den_mark, den_vec = marked(num_close + 2)
        if not (num_vec or den_vec):
            return None
        d = r"\partial" if "partial" in (num_mark, den_mark) else "d"
        hint = (rf"did you mean \frac{{{d} \operatorname{{vec}}(F)}}{{{d} \operatorname{{vec}}(X)}}, "
                "X a vector or matrix name?")
        if not (num_vec and den_vec and num_mark == den_mark):
            if "partial" in (num_mark, den_mark) or (num_mark and den_mark):
                raise ParseError("the vec derivative is written with vec and the same d or \\partial above "
                                 "and below", self.src, toks[i].pos, hint)
            return None  # \frac{d \operatorname{vec}(x)}{2}: a fraction (d a scalar)
        self.enter()
        self.i = i + 4
        top = self.parse_function(toks[i + 3], "vec")
        if self.i != num_close:
            raise self.error(f"unexpected {self.src[self.tok.pos:self.tok.end]!r} in the numerator", hint=hint)
        self.i = num_close + 4
        below = self.parse_function(toks[num_close + 3], "vec")
        if self.i != den_close or not (isinstance(below, S.Call) and isinstance(below.args[0], S.Name)):
            raise ParseError("the denominator of a vec derivative is vec of one vector or matrix name",
                             self.src, toks[num_close + 1].pos, hint)
        self.leave()
        self.i = den_close + 1
        assert isinstance(top, S.Call)
        return S.Derivative(toks[i].pos, toks[den_close].end, top.args[0], below.args[0].name, 1,
                            num_mark == "partial", vec=True)

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
