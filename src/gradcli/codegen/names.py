"""Identifiers of the generated code.

Arguments keep the names of the expression (gradcli's names: ASCII letters, digits and ``_``,
no ``__``, no trailing ``_``); a name the module itself uses (``np``, ``jnp``, ``torch``, ``f``,
``grad_f``, ...) or a Python keyword gets a trailing underscore (``np`` -> ``np_``), which no
name of the language has, so the new name clashes with nothing.  Sizes (n, m) and temporaries
(t0, t1, ...) take names no argument has.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable

from ..errors import InputError
from ..limits import MAX_CODE_NAME
from .targets import MODULE_NAMES

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
#: Names the code's own locals take (values and results).
LOCALS = ("value", "gradient", "hessian")


def argument_name(name: str) -> str:
    """The identifier of an argument named ``name`` in the expression."""
    if not _IDENTIFIER.fullmatch(name) or "__" in name:
        raise InputError(f"{name!r} cannot be an argument of generated code",
                         "use a name of ASCII letters, digits and single underscores")
    if len(name) > MAX_CODE_NAME:
        raise InputError(f"the name {name[:20]}... is too long for generated code "
                         f"(at most {MAX_CODE_NAME} characters)", "choose a shorter name")
    if name in MODULE_NAMES or keyword.iskeyword(name):
        return name + "_"
    return name


class Namer:
    """Fresh identifiers that clash with no name already taken."""

    def __init__(self, taken: Iterable[str]):
        self.taken = set(taken) | MODULE_NAMES | set(keyword.kwlist)

    def fresh(self, base: str) -> str:
        name = base if base not in self.taken else next(
            f"{base}{i}" for i in range(1, len(self.taken) + 2) if f"{base}{i}" not in self.taken)
        self.taken.add(name)
        return name

    def numbered(self, prefix: str) -> Iterable[str]:
        i = 0
        while True:
            name = f"{prefix}{i}"
            i += 1
            if name not in self.taken:
                self.taken.add(name)
                yield name
