"""Text that is safe to show: control characters from the input (ESC, BEL, NUL,
bidirectional overrides) escaped, for every message and every output format."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the characters that reorder or break lines on a terminal.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str, keep: str = "\n\t", *, json: bool = False) -> str:
    """``text`` with control characters escaped (``\\x1b``, ``\\u202e``), except ``keep``.
    ``json``: as JSON escapes (``\\u0085``), for JSON text, where they can only be inside
    strings (``json.dumps`` escapes C0 controls itself, but not C1 or bidirectional ones)."""
    if not _CONTROL.search(text):
        return text

    def escape(m: re.Match) -> str:
        c = m.group()
        if c in keep:
            return c
        code = ord(c)
        return f"\\x{code:02x}" if code < 0x100 and not json else f"\\u{code:04x}"

    return _CONTROL.sub(escape, text)
