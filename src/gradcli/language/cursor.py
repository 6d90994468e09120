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


def paren_span(peek: Any, k: int) -> tuple[int, int] | None:
    """For the '(' at offset ``k``: (the offset of the ')' that closes it, the commas at its top
    level); None when it never closes.  ``peek(j)``: the token at offset j (None or kind "EOF"
    past the end)."""
    depth = commas = 0
    while True:
        t = peek(k)
        if t is None or t.kind == "EOF":
            return None
        if t.kind == "OP" and t.text in "([":
            depth += 1
        elif t.kind == "OP" and t.text in ")]":
            depth -= 1
            if depth == 0:
                return k, commas
        elif t.kind == "OP" and t.text == "," and depth == 1:
            commas += 1
        k += 1


def closing_paren(tokens: list, k: int) -> int | None:
    """Index of the ')' matching the '(' at ``k`` (plain tokens)."""
    span = paren_span(lambda j: tokens[j] if j < len(tokens) else None, k)
    return None if span is None else span[0]
