"""The matrix steps of ``--steps`` by a vector or matrix (``calculus.matrix.steps``) in words:
the differential of an expression and how the derivative is read off."""

from __future__ import annotations

from typing import Any

from .printers import plain


def is_matrix_steps(steps: Any) -> bool:
    """Steps of a derivative by a vector or matrix (``calculus.matrix.steps``): differentials."""
    return hasattr(steps, "dvar")


def differential_text(expression: Any, show: Any = None) -> str:
    """``d(x.T*B*x)``: the differential of an expression, in ``show``'s notation."""
    return f"d({(show or plain)(expression)})"


def read_off_text(steps: Any, show: Any = None) -> str:
    """``df/dx = x.T*(B + B.T) (numerator layout: the row g^T of df = g^T dx)``."""
    return f"df/d{steps.var.name} = {(show or plain)(steps.result)} ({steps.read_off})"


#: A matrix rule's note (written in gradcli's input language, ``d(X^T) = (dX)^T``) as a
#: textbook shows it: Unicode for the terminal, inline maths inside ``\text{}`` for LaTeX.
_UNICODE = (("^-1", "⁻¹"), ("^-T", "⁻ᵀ"), ("^T", "ᵀ"), (".^(p - 1)", "^⊙(p - 1)"), (".^p", "^⊙p"),
            (".*", "⊙"), ("X^i", "Xⁱ"), ("X^k", "Xᵏ"), ("^(k-1-i)", "ᵏ⁻¹⁻ⁱ"), ("f'(Z)", "f′(Z)"),
            ("g'(u)", "g′(u)"), ("1 x 1", "1×1"))
_LATEX = (("^-1", r"$^{-1}$"), ("^-T", r"$^{-\top}$"), ("^T", r"$^{\top}$"), (".^(p - 1)", r"$^{\odot (p - 1)}$"),
          (".^p", r"$^{\odot p}$"), (".*", r"$\odot$"), ("X^i", r"X$^{i}$"), ("X^k", r"X$^{k}$"),
          ("^(k-1-i)", r"$^{k-1-i}$"), ("1 x 1", r"1$\times$1"))


def note_unicode(note: str) -> str:
    """``d(X^T) = (dX)^T`` -> ``d(Xᵀ) = (dX)ᵀ``."""
    for a, b in _UNICODE:
        note = note.replace(a, b)
    return note


def note_latex(note: str) -> str:
    r"""A note for LaTeX: ``\text{...}`` with its exponents and operators as inline maths."""
    if not note:
        return ""
    out = note
    for ch, esc in (("\\", "\x00"), ("_", r"\_"), ("&", r"\&"), ("%", r"\%"), ("#", r"\#"), ("{", r"\{"),
                    ("}", r"\}"), ("~", r"\~{}")):
        out = out.replace(ch, esc)
    for i, (a, _) in enumerate(_LATEX):
        out = out.replace(a, f"\x01{i}\x01")
    out = out.replace("^", r"\^{}").replace("\x00", r"\textbackslash{}")
    for i, (_, b) in enumerate(_LATEX):
        out = out.replace(f"\x01{i}\x01", b)
    return rf"\text{{{out}}}"
