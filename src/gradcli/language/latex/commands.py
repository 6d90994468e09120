"""The bracketed constructs of LaTeX input: ``|x|`` and ``\\|x\\|``, ``\\frac``, ``\\sqrt``,
function commands with or without brackets (``\\sin^2 x``), and the matrix environments.
A mixin of the LaTeX parser (``self``), which supplies the grammar they call back into."""

from __future__ import annotations

from ...errors import ParseError
from .. import ast as S
from ..names import FUNCTIONS
from .tokens import _INVERSE_AMBIGUOUS, Tok


class Commands:
    src: str
    tokens: list[Tok]
    i: int
    bars: dict[str, int]

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
        vec = self.vec_fraction()
        if vec is not None:
            return vec
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

    def _power_then_paren(self) -> bool:
        """``^{...}(`` follows: a function name's power before its bracket (``\\psi^{(1)}(x)``)."""
        if not self.at_op("^"):
            return False
        saved = self.i
        try:
            self.advance()
            self.parse_exponent(self.tok)
            return self._call_paren_follows(0)
        except ParseError:
            return False
        finally:
            self.i = saved


def _digamma(node: S.Node, t: Tok, src: str) -> S.Node:
    """``\\psi(x)`` read as the digamma function polygamma(0, x), ``\\psi^{(k)}(x)`` (the order in
    parentheses) as polygamma(k, x); ``\\psi^{2}(x)`` is the square of ``\\psi(x)``."""
    if isinstance(node, S.Call):
        return S.Call(node.pos, node.end, "polygamma", (S.Number(t.pos, t.pos, "0"), *node.args))
    if isinstance(node, S.Binary) and node.op == "^" and isinstance(node.left, S.Call):
        written = src[node.right.pos:node.right.end].lstrip("{ ")
        if written.startswith(("(", "\\left(")):
            return S.Call(node.pos, node.end, "polygamma", (node.right, *node.left.args))
        return S.Binary(node.pos, node.end, node.op, _digamma(node.left, t, src), node.right)
    return node
