"""Lines under 100 characters, as a person (or black) would break them.

A statement too long for one line is broken inside brackets, where Python allows it: at the
operators of its outermost level (``+``/``-`` before ``*``/``/``/``@``, an operator starting
each continued line), or one item a line at the commas of a call, or else inside the last
bracket pair (``np.outer(`` ... ``)``).  Each piece is broken again if it still does not fit.
Tokens are at most a name of ``limits.MAX_CODE_NAME`` characters or a number of 24, so
every line fits.
"""

from __future__ import annotations

#: The longest line written (``lines under 100 characters``).
WIDTH = 99
_OPEN, _CLOSE = "([{", ")]}"
_CLASSES = ((", ",), (" + ", " - "), (" * ", " / ", " @ "))


def _depths(text: str) -> list[int]:
    """The bracket depth at each character (-1 inside a string literal)."""
    out: list[int] = []
    depth, quote = 0, ""
    for ch in text:
        if quote:
            out.append(-1)
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
            out.append(-1)
            continue
        if ch in _CLOSE:
            depth -= 1
        out.append(depth)
        if ch in _OPEN:
            depth += 1
    return out


def _split(text: str) -> tuple[str, list[str]]:
    """The outermost delimiter and the pieces between (the delimiter kept at each piece's
    start for operators): ``a + b - c`` -> (" + ", ["a", "+ b", "- c"])."""
    depths = _depths(text)
    for delimiters in _CLASSES:
        cuts = [(i, d) for d in delimiters for i in range(len(text))
                if depths[i] == 0 and text.startswith(d, i)]
        if not cuts:
            continue
        cuts.sort()
        pieces, start = [], 0
        for i, d in cuts:
            pieces.append(text[start:i])
            start = i + (len(d) if d == ", " else 1)
        pieces.append(text[start:])
        return delimiters[0], [p for p in pieces if p]
    return "", [text]


def _last_group(text: str) -> tuple[int, int] | None:
    """(open, close) of the last outermost bracket pair with something inside."""
    depths = _depths(text)
    close = None
    for i in range(len(text) - 1, -1, -1):
        if depths[i] == 0 and text[i] in _CLOSE and close is None:
            close = i
        elif depths[i] == 0 and text[i] in _OPEN and close is not None:
            return (i, close) if close > i + 1 else None
    return None


def lines(text: str, indent: int = 0, prefix: str = "", suffix: str = "", width: int = WIDTH) -> list[str]:
    """``prefix + text + suffix`` at ``indent`` spaces, in lines of at most ``width``."""
    pad = " " * indent
    line = pad + prefix + text + suffix
    if len(line) <= width:
        return [line]
    delimiter, pieces = _split(text)
    if len(pieces) > 1:
        inner = _pack(delimiter, pieces, indent + 4, width)
        if delimiter == ", " and prefix.endswith("(") and suffix.startswith(")"):
            return [pad + prefix] + inner + [pad + suffix]  # the brackets of a call or a def
        return [pad + prefix + "("] + inner + [pad + ")" + suffix]
    group = _last_group(text)
    if group is None:
        return [line]  # one token: cannot be broken
    start, end = group
    head, body, tail = text[:start + 1], text[start + 1:end], text[end:]
    delimiter, pieces = _split(body)
    inner = _pack(delimiter, pieces, indent + 4, width) if len(pieces) > 1 else lines(body, indent + 4, width=width)
    return lines(head, indent, prefix, width=width) + inner + [pad + tail + suffix]


def _pack(delimiter: str, pieces: list[str], indent: int, width: int) -> list[str]:
    """Pieces one a line (commas, a trailing one too) or as many as fit (operators)."""
    if delimiter == ", ":
        out: list[str] = []
        for piece in pieces:
            out.extend(lines(piece, indent, suffix=",", width=width))
        return out
    out = []
    current = ""
    pad = " " * indent
    for piece in pieces:
        candidate = f"{current} {piece}" if current else piece
        if len(pad + candidate) <= width:
            current = candidate
            continue
        if current:
            out.append(pad + current)
        if len(pad + piece) <= width:
            current = piece
        else:
            operator, _, rest = piece.partition(" ") if piece[:1] in "+-*/@" and piece[1:2] == " " else ("", "", piece)
            out.extend(lines(rest, indent, prefix=f"{operator} " if operator else "", width=width))
            current = ""
    if current:
        out.append(pad + current)
    return out
