"""What the four formats share to show a tensor derivative (``results.TensorResult``): the
index form as text in three notations (plain: ``KroneckerDelta(p, j)*R[i, q]``; Unicode:
``δ[p,j] R[i,q]``; LaTeX: ``\\delta_{pj} R_{iq}``), the left-hand sides, the einsum string, and
the slices of the explicit array."""

from __future__ import annotations

from typing import Any

import sympy as sp

from .printers import latex, plain, pretty

_STYLES = {
    "plain": (plain, lambda a, b: f"KroneckerDelta({a}, {b})", "*", "[{}]", ", "),
    "unicode": (pretty, lambda a, b: f"δ[{a},{b}]", " ", "[{}]", ","),
    "latex": (latex, lambda a, b: r"\delta_{" + a + b + "}", " ", "_{{{}}}", ""),
}


def _simple(m: Any) -> bool:
    return isinstance(m, sp.MatrixSymbol)


def entry_text(matrix: Any, indices: tuple, style: str) -> str:
    printer, _, _, brackets, sep = _STYLES[style]
    idx = [x for x in indices if x is not None]
    body = printer(matrix)
    if not _simple(matrix):
        body = rf"\left({body}\right)" if style == "latex" else f"({body})"
    return body + brackets.format(sep.join(idx)) if idx else body


def vec_entry_text(f: Any, style: str) -> str:
    """V[(p,q),(i,j)]: the entry of a vec form in the row of (p, q) and the column of (i, j),
    column-major (a pair with one index left is that index)."""
    printer = _STYLES[style][0]
    sep = ", " if style == "plain" else ","

    def pair(names: tuple) -> str:
        kept = [x for x in names if x is not None]
        return kept[0] if len(kept) == 1 else "(" + sep.join(kept) + ")" if kept else "1"

    body = printer(f.matrix)
    body = rf"\left({body}\right)" if style == "latex" else f"({body})"
    idx = pair(f.out) + sep + pair(f.inp)
    return body + (f"_{{{idx}}}" if style == "latex" else f"[{idx}]")


def _coefficient(c: Any, style: str, rest: bool) -> tuple[str, str]:
    """(sign, text) of a term's coefficient; text is '' for 1."""
    printer = _STYLES[style][0]
    sign = ""
    if c.could_extract_minus_sign():
        sign, c = "-", -c
    if c == 1:
        return sign, "" if rest else "1"
    text = printer(c)
    if isinstance(c, sp.Add) and rest:
        text = rf"\left({text}\right)" if style == "latex" else f"({text})"
    return sign, text


def index_text(form: Any, style: str) -> str:
    """The right-hand side of ∂F[p,q]/∂X[i,j] = ... ."""
    printer, delta, times, _, _ = _STYLES[style]
    parts: list[tuple[str, str]] = []
    for term in form.terms:
        pieces = []
        for f in term.factors:
            if type(f).__name__ == "Delta":
                pieces.append(delta(f.a, f.b))
            elif type(f).__name__ == "VecEntry":
                pieces.append(vec_entry_text(f, style))
            else:
                pieces.append(entry_text(f.matrix, (f.row, f.col), style))
        sign, coef = _coefficient(term.coefficient, style, bool(pieces))
        body = times.join(([coef] if coef else []) + pieces)
        if term.sums:
            idx = ",".join(term.sums)
            body = {"plain": f"Sum({body}, {idx})", "unicode": f"Σ[{idx}] {body}",
                    "latex": r"\sum_{" + idx + "} " + body}[style]
        parts.append((sign, body))
    if not parts:
        return "0"
    text = ("-" if parts[0][0] else "") + parts[0][1]
    for sign, body in parts[1:]:
        text += f" {'-' if sign else '+'} {body}"
    return text


def index_lhs(r: Any, style: str) -> str:
    """∂F[p,q]/∂X[i,j] (F the function as written, parenthesised when compound)."""
    form = r.index
    f = entry_text(r.function, form.out, style)
    x = entry_text(r.wrt, form.inp, style)
    if style == "latex":
        return r"\frac{\partial " + f + r"}{\partial " + x + "}"
    d = "d" if style == "plain" else "∂"
    return f"{d}{f}/{d}{x}"


def vec_lhs(r: Any, style: str) -> str:
    printer = _STYLES[style][0]
    function = r.function.arg if type(r.function).__name__ == "Vec" else r.function  # vec(vec Y) = vec Y
    f, x = printer(function), printer(r.wrt)
    if style == "latex":
        return (r"\frac{\partial \operatorname{vec}\left(" + f + r"\right)}{\partial \operatorname{vec}\left("
                + x + r"\right)}")
    d = "d" if style == "plain" else "∂"
    return f"{d} vec({f})/{d} vec({x})"


def einsum(r: Any) -> str:
    """The index form as NumPy einsum calls (I: an identity of the size that fits)."""
    from ..calculus.matrix.views import einsum_text

    return einsum_text(r.index, plain)


def slices(r: Any, arr: Any = None) -> list[tuple[str, Any]]:
    """The explicit array (``arr``, default the result's) as labelled slices ∂F/∂X[i,j], each
    of F's shape: (label, matrix)."""
    arr = r.array if arr is None else arr
    p, q = (int(v) for v in r.function.shape)
    m, n = (int(v) for v in r.wrt.shape)
    out = []
    f = pretty(r.function)
    f = f if isinstance(r.function, sp.MatrixSymbol) else f"({f})"
    for i in range(m):
        for j in range(n):
            idx = ",".join(str(k + 1) for k, s in ((i, m), (j, n)) if s != 1)
            mat = sp.ImmutableMatrix(p, q, lambda a, b, i=i, j=j: arr.full.get((a, b, i, j), sp.S.Zero))
            out.append((f"∂{f}/∂{r.wrt.name}[{idx}]", mat))
    return out


def block_matrix(r: Any, mat: Any = None) -> str:
    """The explicit d vec(F)/d vec(X) (``mat``, default the result's) as a LaTeX block matrix:
    a block per column of F and column of X (numerator layout; transposed in denominator
    layout)."""
    mat = r.vec_matrix if mat is None else mat
    p, q = (int(v) for v in r.function.shape)
    m, n = (int(v) for v in r.wrt.shape)
    rb, cb = (p, m) if r.layout == "numerator" else (m, p)
    nrb, ncb = (q, n) if r.layout == "numerator" else (n, q)
    spec = "|".join(["c" * cb] * ncb)
    rows = []
    for i in range(mat.rows):
        row = " & ".join(latex(mat[i, j]) for j in range(mat.cols))
        rows.append(row)
    body = ""
    for i, row in enumerate(rows):
        body += row
        if i < len(rows) - 1:
            body += r" \\ \hline " if (i + 1) % rb == 0 else r" \\ "
    del nrb
    return r"\left[\begin{array}{" + spec + "} " + body + r" \end{array}\right]"
