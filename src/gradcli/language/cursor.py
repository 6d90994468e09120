"""The token cursor the plain and the LaTeX parsers share: a position in a token list that
ends with an EOF token, the nesting depth (refused past ``limits.MAX_DEPTH``), and errors
that point into the source text."""

from __future__ import annotations

from typing import Any

from ..errors import LimitError, ParseError
from ..limits import MAX_DEPTH


class TokenCursor:
    src: str
    tokens: list[Any]
    i: int = 0
    depth: int = 0

    @property
    def tok(self) -> Any:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Any:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> Any:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def error(self, message: str, pos: int | None = None, hint: str | None = None) -> ParseError:
        """A syntax error at ``pos`` (default: the current token)."""
        return ParseError(message, self.src, self.tok.pos if pos is None else pos, hint)

    def enter(self) -> None:
        """One level deeper (a bracket, a call, a sign): refused past MAX_DEPTH."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise LimitError(
                f"the expression is nested deeper than {MAX_DEPTH} levels",
                "gradcli refuses such input before doing any work",
            )

    def leave(self) -> None:
        self.depth -= 1


def closing_paren(tokens: list, k: int) -> int | None:
    """Index of the ')' matching the '(' at ``k`` (plain tokens)."""
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
