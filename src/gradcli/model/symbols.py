"""The SymPy symbols of gradcli's names: a scalar is a real Symbol, an entry of an explicit
matrix a real Symbol named after its place (X_12, x_3); names that ``sympy.sympify`` reads as
something else are found here, so that plain output always reads back."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import sympy as sp

from ..limits import check_explicit

#: Names that sympy.sympify reads as constants, not symbols: refused as variable names.
SYMPY_CONSTANTS = {"oo": "infinity", "zoo": "complex infinity", "nan": "not-a-number"}

#: Names a user may write that mean something fixed.
_RENAMES = {"lambda": "lamda"}


def scalar_symbol(name: str) -> sp.Symbol:
    """The SymPy symbol gradcli uses for a scalar name (real-valued)."""
    return sp.Symbol(_RENAMES.get(name, name), real=True)


# -- names that plain output could not read back ---------------------------------------

_sympify_namespace: dict[str, str] | None = None


def _sympify_names() -> dict[str, str]:
    """Every name ``sympy.sympify`` reads as something other than a symbol of that name,
    with what it reads: its default namespace (``from sympy import *``, Python's built-in
    functions, ``max``/``min``) where ``auto_symbol`` keeps the object, and Python's keywords.
    Computed from the installed SymPy, as ``sympy.parsing.sympy_parser.parse_expr`` builds it."""
    global _sympify_namespace
    if _sympify_namespace is None:
        import builtins
        import keyword
        import types

        from sympy.assumptions.ask import AssumptionKeys

        namespace: dict[str, Any] = {}
        exec("from sympy import *", namespace)  # a fixed statement, never user text
        names: dict[str, str] = {}
        for key, obj in namespace.items():
            if key.startswith("_"):
                continue
            if isinstance(obj, sp.Basic):
                names[key] = f"SymPy's constant {key}"
            elif isinstance(obj, sp.FunctionClass):
                names[key] = f"SymPy's function {key}"
            elif isinstance(obj, type):
                names[key] = f"SymPy's class {key}"
            elif isinstance(obj, AssumptionKeys) or callable(obj):
                names[key] = f"SymPy's {key}"
        for key, obj in vars(builtins).items():
            if isinstance(obj, types.BuiltinFunctionType) and not key.startswith("_"):
                names[key] = f"Python's built-in function {key}"
        names["max"], names["min"] = "SymPy's function Max", "SymPy's function Min"
        for key in keyword.kwlist + ["True", "False", "None"]:
            names[key] = "a Python keyword"
        _sympify_namespace = names
    return _sympify_namespace


def unreadable_name(name: str) -> str | None:
    """What ``sympy.sympify`` reads ``name`` as, when that is not the symbol ``name``
    ("SymPy's function beta" for ``beta``), else None.  gradcli's own names are not listed:
    ``pi``, ``e``/``E`` and ``I`` mean the same to both, and ``lambda`` is read as ``lamda``."""
    if name in ("pi", "E", "I") or name in _RENAMES:
        return None
    return _sympify_names().get(name)


def other_name(name: str) -> str:
    """A name like ``name`` that plain output reads back: beta -> beta1."""
    for candidate in (f"{name}1", f"{name}_1", f"{name}0", f"my{name}"):
        if unreadable_name(candidate) is None:
            return candidate
    return f"{name}_x"  # pragma: no cover - every candidate above taken


def entry_symbol(name: str, rows: int, cols: int, i: int, j: int) -> sp.Symbol:
    """The real scalar symbol for entry (i, j) of a rows x cols matrix ``name``: X_12, x_3
    (X_1_12 once an index has two digits)."""
    if cols == 1:
        return sp.Symbol(f"{name}_{i + 1}", real=True)
    if rows == 1:
        return sp.Symbol(f"{name}_{j + 1}", real=True)
    if rows < 10 and cols < 10:
        return sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True)
    return sp.Symbol(f"{name}_{i + 1}_{j + 1}", real=True)


def explicit_matrix(name: str, rows: int, cols: int) -> sp.ImmutableMatrix:
    """A matrix of real scalar symbols named after its entries: X_12, x_3."""
    check_explicit(rows, cols, name)
    return sp.ImmutableMatrix(rows, cols, lambda i, j: entry_symbol(name, rows, cols, i, j))


# -- the order of variables ------------------------------------------------------------

_DIGITS = re.compile(r"(\d+)")


def natural_key(sym) -> tuple:
    """Sort key for a symbol or a name: digit runs compared as numbers (x2 before x10)."""
    name = getattr(sym, "name", str(sym))
    parts = _DIGITS.split(name)
    # even positions are text, odd positions digit runs: types line up
    key = tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(parts))
    return (key, name, str(getattr(sym, "assumptions0", "")))


def natural_order(symbols: Iterable) -> tuple:
    """The symbols sorted by name, digit runs compared as numbers:
    ``x2`` before ``x10``, ``x_2`` before ``x_10``, ``a`` before ``b``.
    Duplicates are dropped."""
    return tuple(sorted(set(symbols), key=natural_key))
