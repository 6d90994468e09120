"""The views of one tensor derivative (``calculus.matrix.tensor.Tensor``), each read off the
same terms of dF:

* ``vec_form``: d vec(F) / d vec(X) (column-major vec) as a matrix expression, with
  Kronecker products and the commutation matrix K(m, n); pq x mn in numerator layout
  (rows index the output), its transpose in denominator layout;
* ``index_form``: ∂F[p,q]/∂X[i,j] as a sum of products of entries and Kronecker deltas
  (Example 5.13: δ[p,j] R[i,q] + δ[q,j] R[i,p]); an index of size 1 is left out;
* ``explicit_array``: at numeric sizes, every entry, axes output indices first;
* ``einsum_text``: the index form as NumPy ``einsum`` calls.
"""

from __future__ import annotations

from itertools import product
from typing import Any

import sympy as sp

from ...errors import InputError
from ...model.arrays import explicit
from ...model.layout import Layout
from ...model.symbols import explicit_matrix
from ...record import record
from .diff import Lin, Scal
from .tensor import Tensor, term_matrices
from .vecterm import VecLin, vec_factors

OUT = ("p", "q")
IN = ("i", "j")


# -- the vec/Kronecker form ---------------------------------------------------------------------


def vec_form(t: Tensor, layout: str = Layout.NUMERATOR) -> Any:
    """d vec(F) / d vec(X): pq x mn (numerator layout), mn x pq (denominator)."""
    cn = t.diff.cn
    p, q = t.fshape
    m, n = t.xshape
    parts = []
    for c, factors in vec_factors(t.diff, t.terms, t.fshape):
        if layout == Layout.DENOMINATOR:
            factors = [cn.tpose(f) for f in reversed(factors)]  # (A ⊗ B)^T, K(m,n)^T = K(n,m): canon's
        factors = [f for f in factors if not (isinstance(f, sp.Identity) and len(factors) > 1)] or factors
        parts.append(sp.MatMul(c, *factors) if c != 1 else (factors[0] if len(factors) == 1 else sp.MatMul(*factors)))
    shape = (p * q, m * n) if layout == Layout.NUMERATOR else (m * n, p * q)
    if not parts:
        return sp.ZeroMatrix(*shape)
    return parts[0] if len(parts) == 1 else sp.MatAdd(*parts)


# -- the index form ---------------------------------------------------------------------------


@record
class Delta:
    a: str
    b: str


@record
class Entry:
    """The entry of the matrix expression ``matrix`` at (row, col); None for an index of a
    size-1 dimension."""

    matrix: Any
    row: str | None
    col: str | None


@record
class VecEntry:
    """The entry of ``matrix`` (rows: column-major vec of an r x s array, columns: of X, m x n)
    in row (out[0], out[1]) and column (inp[0], inp[1]): a term through vec or kron.  ``sizes``:
    (r, s, m, n); an index of a size-1 dimension is None."""

    matrix: Any
    out: tuple
    inp: tuple
    sizes: tuple


@record
class IndexTerm:
    coefficient: Any
    factors: tuple  # Delta / Entry
    sums: tuple = ()  # indices summed over


@record
class IndexForm:
    out: tuple  # the function's indices (None where a size is 1)
    inp: tuple  # the variable's
    terms: tuple  # IndexTerm


def _indices(shape: tuple, names: tuple) -> tuple:
    return tuple(None if s == 1 else nm for s, nm in zip(shape, names))


def _entry(m: Any, r: str | None, c: str | None) -> tuple[Any, list]:
    """(scalar factor, [Delta/Entry]) for the entry m[r, c]."""
    if isinstance(m, sp.Identity):
        if r is None and c is None:
            return sp.S.One, []
        return sp.S.One, [Delta(r, c)]
    if r is None and c is None:
        return (sp.Trace(m) if m.shape == (1, 1) and not isinstance(m, sp.MatrixSymbol) else m[0, 0]), []
    if isinstance(m, sp.Transpose) and isinstance(m.arg, sp.MatrixSymbol):
        return sp.S.One, [Entry(m.arg, c, r)]
    return sp.S.One, [Entry(m, r, c)]


class _Fresh:
    def __init__(self) -> None:
        self.k = 0

    def pair(self, shape: tuple) -> tuple:
        self.k += 1
        suffix = "" if self.k == 1 else str(self.k)
        return _indices(shape, (f"a{suffix}", f"b{suffix}"))


def _index_terms(t: Tensor, terms: tuple, out: tuple, inp: tuple, shape: tuple, fresh: _Fresh) -> list[IndexTerm]:
    cn = t.diff.cn
    i, j = inp
    result: list[IndexTerm] = []
    for term in terms:
        if isinstance(term, VecLin):
            result.append(IndexTerm(term.c, (VecEntry(_vec_matrix_of(term, t.xshape), out, inp,
                                                      (term.rows, term.cols) + t.xshape),)))
        elif isinstance(term, Lin):
            sub = Tensor(function=sp.ZeroMatrix(*shape), wrt=t.wrt, terms=(), diff=t.diff)
            lm, rm = term_matrices(sub, term)
            a, b = (j, i) if term.t else (i, j)
            s1, f1 = _entry(lm, out[0], a)
            s2, f2 = _entry(rm, b, out[1])
            result.append(IndexTerm(term.c * s1 * s2, tuple(f1 + f2)))
        elif isinstance(term, Scal):
            mm = cn.mono_expr((sp.S.One, term.M), shape) if term.M else sp.Identity(term.rows)
            g = cn.sum_expr(list(term.g), t.xshape)
            s1, f1 = _entry(mm, *out)
            s2, f2 = _entry(g, i, j)
            result.append(IndexTerm(term.c * s1 * s2, tuple(f1 + f2)))
        else:
            if not term.L and not term.R:
                ab, head, tail, sums = out, [], [], ()
                hs = sp.S.One
            else:
                ab = fresh.pair(term.H.shape)
                rows, cols = term.H.shape
                lm = cn.mono_expr((sp.S.One, term.L), (shape[0], rows))
                rm = cn.mono_expr((sp.S.One, term.R), (cols, shape[1]))
                sl, head = _entry(lm, out[0], ab[0])
                sr, tail = _entry(rm, ab[1], out[1])
                hs = sl * sr
                sums = tuple(x for x in ab if x is not None)
            sh, fh = _entry(term.H, *ab)
            for it in _index_terms(t, term.T, ab, inp, term.H.shape, fresh):
                result.append(IndexTerm(term.c * hs * sh * it.coefficient,
                                        tuple(head + fh) + it.factors + tuple(tail), sums + it.sums))
    return result


def index_form(t: Tensor) -> IndexForm:
    out = _indices(t.fshape, OUT)
    inp = _indices(t.xshape, IN)
    terms = tuple(_contract(it) for it in _index_terms(t, t.terms, out, inp, t.fshape, _Fresh()))
    return IndexForm(out=out, inp=inp, terms=terms)


def _contract(term: IndexTerm) -> IndexTerm:
    """Σ_a δ[p,a] E[a,b] = E[p,b]: every delta with a summed index is contracted."""
    factors, sums = list(term.factors), list(term.sums)
    changed = True
    while changed:
        changed = False
        for k, f in enumerate(factors):
            if isinstance(f, Delta) and (f.a in sums or f.b in sums) and f.a != f.b:
                gone, keep = (f.a, f.b) if f.a in sums else (f.b, f.a)
                sums.remove(gone)
                rest = factors[:k] + factors[k + 1:]
                factors = [_rename(g, gone, keep) for g in rest]
                changed = True
                break
    factors = [_oriented(f) for f in factors]
    deltas = [f for f in factors if isinstance(f, Delta)]
    return IndexTerm(term.coefficient, tuple(deltas + [f for f in factors if not isinstance(f, Delta)]), tuple(sums))


def _oriented(f: Any) -> Any:
    """δ[j,q] as δ[q,j]: the function's index first."""
    if isinstance(f, Delta) and f.b in OUT and f.a not in OUT:
        return Delta(f.b, f.a)
    return f


def _vec_matrix_of(term: VecLin, xshape: tuple) -> Any:
    """The product of a ``VecLin`` term's factors (rs x mn)."""
    if not term.P:
        return sp.Identity(xshape[0] * xshape[1])
    return term.P[0] if len(term.P) == 1 else sp.MatMul(*term.P)


def _rename(f: Any, old: str, new: str) -> Any:
    if isinstance(f, Delta):
        return Delta(new if f.a == old else f.a, new if f.b == old else f.b)
    if isinstance(f, VecEntry):
        return VecEntry(f.matrix, tuple(new if x == old else x for x in f.out), f.inp, f.sizes)
    return Entry(f.matrix, new if f.row == old else f.row, new if f.col == old else f.col)


def einsum_text(form: IndexForm, matrix_text: Any) -> str:
    """The index form as NumPy einsum calls: ``einsum('ip,jq->pqij', R, I) + ...`` (I an
    identity); ``matrix_text`` prints a factor's matrix."""
    target = "".join(x for x in form.out + form.inp if x is not None)
    parts = []
    for term in form.terms:
        subs, ops = [], []
        for f in term.factors:
            if isinstance(f, Delta):
                subs.append(f.a + f.b)
                ops.append("I")
            elif isinstance(f, VecEntry):  # T[a,b,i,j] = V[a + r b, i + m j]: V reshaped column-major
                names = f.out + f.inp
                subs.append("".join(x for x in names if x is not None))
                dims = ", ".join(matrix_text(sz) for x, sz in zip(names, f.sizes) if x is not None)
                body = matrix_text(f.matrix)
                body = f"({body})" if isinstance(f.matrix, sp.MatMul) else body
                ops.append(f"{body}.reshape(({dims}), order='F')")
            else:
                subs.append("".join(x for x in (f.row, f.col) if x is not None))
                ops.append(matrix_text(f.matrix))
        call = f"einsum('{','.join(subs)}->{target}', {', '.join(ops)})" if subs else "1"
        c = term.coefficient
        parts.append(call if c == 1 else f"-{call}" if c == -1 else f"({matrix_text(c)})*{call}")
    text = " + ".join(parts) if parts else "0"
    return text.replace("+ -", "- ")


# -- the explicit array ---------------------------------------------------------------------------


def numeric_sizes(t: Tensor) -> bool:
    shapes = [t.fshape, t.xshape] + [tuple(s.shape) for s in t.function.atoms(sp.MatrixSymbol)]
    return all(isinstance(v, (int, sp.Integer)) for s in shapes for v in s)


@record
class ExplicitArray:
    axes: tuple  # names of the axes kept (sizes 1 left out), output first
    sizes: tuple
    entries: Any  # nested lists of SymPy expressions
    full: dict  # (p, q, i, j) -> entry, every nonzero entry


def explicit_array(t: Tensor) -> ExplicitArray:
    """Every entry ∂F[p,q]/∂X[i,j] at numeric sizes, read off the terms with the matrices
    written out entry by entry (X_12 for the entry (1, 2) of X, as elsewhere)."""
    if not numeric_sizes(t):
        raise InputError("the explicit array needs numeric sizes", "give them with --dim or --shape")
    symbols = t.function.atoms(sp.MatrixSymbol) | {t.wrt}
    subs = {s: explicit_matrix(s.name, int(s.shape[0]), int(s.shape[1])) for s in symbols}
    full: dict = {}
    _accumulate(t, t.terms, t.fshape, subs, full, None)
    return nested(t, full)


def nested(t: Tensor, full: dict) -> ExplicitArray:
    """The array of the entries ``full`` ((p, q, i, j) -> value, zeros may be left out) as
    nested lists, axes of size 1 left out, output indices first."""
    p, q = (int(v) for v in t.fshape)
    m, n = (int(v) for v in t.xshape)
    dims = [(nm, s) for nm, s in zip(OUT + IN, (p, q, m, n))]
    kept = [k for k, (_, s) in enumerate(dims) if s != 1]
    sizes = tuple(dims[k][1] for k in kept)

    def nest(prefix: tuple, level: int) -> Any:
        if level == len(kept):
            idx = [0, 0, 0, 0]
            for k, v in zip(kept, prefix):
                idx[k] = v
            return full.get(tuple(idx), sp.S.Zero)
        return [nest(prefix + (v,), level + 1) for v in range(sizes[level])]

    return ExplicitArray(axes=tuple(dims[k][0] for k in kept), sizes=sizes, entries=nest((), 0),
                         full={k: v for k, v in full.items() if v != 0})


def _x(e: Any, subs: dict) -> Any:
    return explicit(e.xreplace(subs)) if isinstance(e, sp.Basic) else e


def _add(full: dict, key: tuple, value: Any) -> None:
    if value != 0:
        full[key] = full.get(key, sp.S.Zero) + value


def _accumulate(t: Tensor, terms: tuple, shape: tuple, subs: dict, full: dict, weight: Any) -> None:
    """Add c L[p,i] R[j,q] (and the other kinds) into ``full``; ``weight`` (a function of
    (p, q) giving a list of ((P, Q), factor)) maps a Hadamard term's inner array out."""
    cn = t.diff.cn
    ps, qs = (int(v) for v in shape)

    def put(pp: int, qq: int, ii: int, jj: int, value: Any) -> None:
        if weight is None:
            _add(full, (pp, qq, ii, jj), value)
        else:
            for (pp2, qq2), w in weight(pp, qq):
                _add(full, (pp2, qq2, ii, jj), w * value)

    for term in terms:
        if isinstance(term, VecLin):
            m = int(t.xshape[0])
            vx = sp.ImmutableMatrix(_x(_vec_matrix_of(term, t.xshape), subs).as_explicit())
            c = _x(term.c, subs)
            for (k, col), v in _nonzero(vx):
                put(k % ps, k // ps, col % m, col // m, c * v)
        elif isinstance(term, Lin):
            sub = Tensor(function=sp.ZeroMatrix(*shape), wrt=t.wrt, terms=(), diff=t.diff)
            lm, rm = (sp.ImmutableMatrix(_x(a, subs).as_explicit()) if not isinstance(a, sp.MatrixBase) else a
                      for a in term_matrices(sub, term))
            c = _x(term.c, subs)
            lnz = [(a, b, v) for (a, b), v in _nonzero(lm)]
            rnz = [(a, b, v) for (a, b), v in _nonzero(rm)]
            for pp, a, lv in lnz:
                for b, qq, rv in rnz:
                    ii, jj = (b, a) if term.t else (a, b)
                    put(pp, qq, ii, jj, c * lv * rv)
        elif isinstance(term, Scal):
            mm = cn.mono_expr((sp.S.One, term.M), shape) if term.M else sp.Identity(term.rows)
            mx = sp.ImmutableMatrix(_x(mm, subs).as_explicit())
            gx = sp.ImmutableMatrix(_x(cn.sum_expr(list(term.g), t.xshape), subs).as_explicit())
            c = _x(term.c, subs)
            for (pp, qq), mv in _nonzero(mx):
                for (ii, jj), gv in _nonzero(gx):
                    put(pp, qq, ii, jj, c * mv * gv)
        else:
            rows, cols = (int(v) for v in term.H.shape)
            lm = cn.mono_expr((sp.S.One, term.L), (shape[0], rows))
            rm = cn.mono_expr((sp.S.One, term.R), (cols, shape[1]))
            lx, hx, rx = (sp.ImmutableMatrix(_x(a, subs).as_explicit()) for a in (lm, term.H, rm))
            c = _x(term.c, subs)

            def inner_weight(a: int, b: int, lx=lx, hx=hx, rx=rx, c=c) -> list:
                w = c * hx[a, b]
                spots = [((pp, qq), w * lx[pp, a] * rx[b, qq]) for pp in range(ps) for qq in range(qs)
                         if lx[pp, a] != 0 and rx[b, qq] != 0]
                if weight is None:
                    return spots
                return [(k2, w2 * v) for (pp, qq), v in spots for k2, w2 in weight(pp, qq)]

            _accumulate(t, term.T, term.H.shape, subs, full, inner_weight)


def _nonzero(m: sp.ImmutableMatrix) -> list:
    return [((a, b), m[a, b]) for a, b in product(range(m.rows), range(m.cols)) if m[a, b] != 0]


def vec_matrix(arr: ExplicitArray, t: Tensor, layout: str = Layout.NUMERATOR) -> sp.ImmutableMatrix:
    """The explicit d vec(F)/d vec(X): entry (p + q P, i + j M) is ∂F[p,q]/∂X[i,j]."""
    p, q = (int(v) for v in t.fshape)
    m, n = (int(v) for v in t.xshape)
    mat = sp.zeros(p * q, m * n)
    for (pp, qq, ii, jj), v in arr.full.items():
        mat[pp + qq * p, ii + jj * m] = v
    mat = sp.ImmutableMatrix(mat)
    return mat if layout == Layout.NUMERATOR else mat.T
