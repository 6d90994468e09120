"""Differentials through ``vec(...)`` and ``kron(...)`` (issues 16 and 17).

vec(dX) is not of the form L dX R, so these differentials are a term of their own,
``VecLin``: c unvec_{r x s}(P vec dX), P a product of factors (an rs x mn matrix; X is m x n):
the r x s matrix whose column-major vec is c P vec dX.  Every other term turns into one by
the rules of vec (Magnus & Neudecker, *Matrix Differential Calculus*, ch. 2 and 3.10):

    vec(L dX R)        = (R^T ⊗ L) vec dX        vec(L dX^T R) = (R^T ⊗ L) K(m,n) vec dX
    vec(c M tr(G^T dX)) = c vec(M) vec(G)^T vec dX
    vec(L (H ⊙ T) R)   = (R^T ⊗ L) diag(vec H) vec T
    vec(Y ⊗ B)         = (I_s ⊗ K(w,r) ⊗ I_u) (I_rs ⊗ vec B) vec Y     (Y r x s, B u x w)
    vec(A ⊗ Y)         = (I_s ⊗ K(w,r) ⊗ I_u) (vec A ⊗ I_uw) vec Y     (A r x s, Y u x w)

and products, transposes and traces act on P: L unvec(P v) R = unvec((R^T ⊗ L) P v),
unvec_{r x s}(P v)^T = unvec_{s x r}(K(r,s) P v), tr unvec_{r x r}(P v) = vec(I_r)^T P v.
For a vector x, vec dx = dx, so a term whose value is a column is an ordinary ``Lin`` (P dx).

A gradient by a matrix X read off vec(G)^T vec dX needs G = unvec(P^T ...): ``unvec`` pushes
unvec through the factors (unvec((A ⊗ B) v) = B unvec(v) A^T, unvec(K v) = unvec(v)^T,
unvec(diag(vec H) v) = H ⊙ unvec(v), unvec(vec M) = M) and refuses what it cannot write.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ...errors import InputError
from ...model.arrays import ArraySum, Commutation, Diag, Entrywise, Vec, hadamard
from ...model.shapes import is_matrix
from ...record import record


@record
class VecLin:
    """c * unvec_{rows x cols}(P vec dX), P a tuple of factors (their product)."""

    c: Any
    P: tuple
    rows: Any
    cols: Any


# -- factors ------------------------------------------------------------------------------------


def _one(s: Any) -> bool:
    return s == 1


def kron(*factors: Any) -> Any:
    """A ⊗ B ⊗ ... with I_1 dropped, I_a ⊗ I_b = I_ab, K(1, n) = K(n, 1) = I_n."""
    flat: list = []
    for f in factors:
        if isinstance(f, sp.KroneckerProduct):
            flat.extend(f.args)
        elif isinstance(f, Commutation) and (_one(f.args[0]) or _one(f.args[1])):
            flat.append(sp.Identity(f.shape[0]))
        else:
            flat.append(f)
    out: list = []
    for f in flat:
        if isinstance(f, sp.Identity) and _one(f.shape[0]):
            continue
        if out and isinstance(f, sp.Identity) and isinstance(out[-1], sp.Identity):
            out[-1] = sp.Identity(out[-1].shape[0] * f.shape[0])
            continue
        out.append(f)
    if not out:
        return sp.Identity(1)
    if len(out) == 1:
        return out[0]
    if all(isinstance(f, sp.OneMatrix) for f in out):  # ones ⊗ ones = ones
        return sp.OneMatrix(sp.Mul(*[f.shape[0] for f in out]), sp.Mul(*[f.shape[1] for f in out]))
    if any(f.shape == (1, 1) for f in out):  # a 1 x 1 factor is a scalar
        scalars = [sp.Trace(f) for f in out if f.shape == (1, 1)]
        rest = [f for f in out if f.shape != (1, 1)]
        return sp.MatMul(sp.Mul(*scalars), kron(*rest) if rest else sp.Identity(1))
    return sp.KroneckerProduct(*out)


def vec_of(m: Any) -> Any:
    """vec(M): M itself when it is a column, its transpose when a row."""
    if _one(m.shape[1]):
        return m
    if _one(m.shape[0]):
        return sp.Transpose(m) if not isinstance(m, sp.Transpose) else m.arg
    return Vec(m)


def _no_identity(factors: list | tuple) -> list:
    """The factors of a product without its identities (an empty product is I)."""
    return [f for f in factors if not isinstance(f, sp.Identity)]


# -- every term as (coefficient, factors) of vec(dF) = c Π factors vec(dX) ------------------------


def vec_factors(d: Any, terms: list | tuple, shape: tuple) -> list[tuple[Any, list]]:
    """(c, factors) with vec(Σ terms) = Σ c Π factors vec(dX); the terms' value is of ``shape``.
    d: the ``_Diff`` engine (its variable and canonical forms)."""
    from .diff import Lin, Scal

    cn = d.cn
    m, n = d.X.shape
    out: list[tuple[Any, list]] = []
    for term in terms:
        if isinstance(term, VecLin):
            out.append((term.c, list(term.P)))
        elif isinstance(term, Lin):
            inner = (n, m) if term.t else (m, n)
            lm = cn.mono_expr((sp.S.One, term.L), (shape[0], inner[0]))
            rm = cn.mono_expr((sp.S.One, term.R), (inner[1], shape[1]))
            factors = [kron(cn.tpose(rm), lm)]
            if term.t and not _one(m) and not _one(n):
                factors.append(Commutation(m, n))
            out.append((term.c, _no_identity(factors) or [sp.Identity(m * n)]))
        elif isinstance(term, Scal):
            mm = cn.mono_expr((sp.S.One, term.M), shape) if term.M else sp.Identity(term.rows)
            g = cn.sum_expr(list(term.g), tuple(d.X.shape))
            out.append((term.c, [vec_of(mm), cn.tpose(vec_of(g))]))
        else:  # Had
            rows, cols = term.H.shape
            lm = cn.mono_expr((sp.S.One, term.L), (shape[0], rows))
            rm = cn.mono_expr((sp.S.One, term.R), (cols, shape[1]))
            outer = kron(cn.tpose(rm), lm)
            head = [] if isinstance(outer, sp.Identity) else [outer]
            for c, fs in vec_factors(d, term.T, term.H.shape):
                out.append((term.c * c, head + [Diag(vec_of(term.H))] + _no_identity(fs)))
    return out


def settle(d: Any, t: VecLin) -> Any:
    """By a vector x (vec dx = dx, or dx^T for a row x), a term whose value is a column is the
    ``Lin`` P dx (P dx^T); any other term stays as it is."""
    from .diff import Lin

    m, n = d.X.shape
    if _one(t.cols) and (_one(n) or _one(m)):
        return Lin(t.c, tuple(_no_identity(t.P)), (), _one(m) and not _one(n))
    return t


def as_vec(d: Any, terms: list, shape: tuple) -> list:
    """The terms of d vec(Y), Y of ``shape`` with the differential ``terms``."""
    rows = shape[0] * shape[1]
    return [settle(d, VecLin(c, tuple(fs), rows, sp.S.One)) for c, fs in vec_factors(d, terms, shape)]


def d_vec(d: Any, e: Vec) -> list:
    y = e.arg
    dy = d.dmat(y)
    if _one(y.shape[1]):
        return dy
    return as_vec(d, dy, tuple(y.shape))


def d_kron(d: Any, e: sp.KroneckerProduct) -> list:
    """d(A ⊗ B) = dA ⊗ B + A ⊗ dB (A ⊗ B ⊗ C read as (A ⊗ B) ⊗ C)."""
    args = list(e.args)
    a = args[0] if len(args) == 2 else sp.KroneckerProduct(*args[:-1])
    b = args[-1]
    r, s = a.shape
    u, w = b.shape
    perm = kron(sp.Identity(s), Commutation(w, r), sp.Identity(u))
    out: list = []
    for part, other, left in ((a, b, True), (b, a, False)):
        if not d.has(part):
            continue
        dpart = d.dmat(part)
        if left:
            spread = kron(sp.Identity(r * s), vec_of(other))
        else:
            spread = kron(vec_of(other), sp.Identity(u * w))
        head = _no_identity([perm, spread])
        for c, fs in vec_factors(d, dpart, tuple(part.shape)):
            out.append(settle(d, VecLin(c, tuple(head + _no_identity(fs)), r * u, s * w)))
    return out


# -- products, transposes, traces ---------------------------------------------------------------


def lmul(d: Any, c: Any, atoms: tuple, t: VecLin) -> Any:
    if not atoms:
        return VecLin(c * t.c, t.P, t.rows, t.cols)
    lm = d.cn.mono_expr((sp.S.One, atoms), (atoms[0].shape[0], t.rows))
    f = kron(sp.Identity(t.cols), lm)
    return settle(d, VecLin(c * t.c, _prepend(f, t.P), atoms[0].shape[0], t.cols))


def rmul(d: Any, t: VecLin, atoms: tuple) -> Any:
    if not atoms:
        return t
    rm = d.cn.mono_expr((sp.S.One, atoms), (t.cols, atoms[-1].shape[1]))
    f = kron(d.cn.tpose(rm), sp.Identity(t.rows))
    return settle(d, VecLin(t.c, _prepend(f, t.P), t.rows, atoms[-1].shape[1]))


def transpose(d: Any, t: VecLin) -> Any:
    f = kron(Commutation(t.rows, t.cols))
    return settle(d, VecLin(t.c, _prepend(f, t.P), t.cols, t.rows))


def _prepend(f: Any, P: tuple) -> tuple:
    return P if isinstance(f, sp.Identity) else (f,) + tuple(P)


def trace_grad(d: Any, t: VecLin) -> list:
    """G (monomials) with tr(c unvec_{r x r}(P vec dX)) = tr(G^T dX): vec G = c P^T vec(I_r)."""
    cn = d.cn
    chain = [cn.tpose(f) for f in reversed(t.P)]
    if not _one(t.rows):
        chain.append(Vec(sp.Identity(t.rows)))
    m, n = d.X.shape
    return [(t.c * c, at) for c, at in unvec(d, chain, m, n)]


def unvec(d: Any, chain: list, m: Any, n: Any) -> list:
    """unvec_{m x n} of the column Π chain, as monomials."""
    cn = d.cn
    chain = _no_identity(chain)
    if not chain:
        return [(sp.S.One, ())]
    if _one(n):
        return [cn.flat(_mat(chain))]
    if _one(m):
        return [cn.flat(cn.tpose(_mat(chain)))]
    f, rest = chain[0], chain[1:]
    if isinstance(f, sp.MatMul):
        c, at = cn.flat(f)
        return [(c * c2, a2) for c2, a2 in unvec(d, list(at) + rest, m, n)]
    if isinstance(f, Vec) and _scalar(rest) and _shape_is(f.arg, m, n):  # unvec_{m x n}(vec M) = M, M m x n
        c, at = cn.flat(f.arg)
        return [(c * s, at) for s in [_scalar_value(d, rest)]]
    if not rest:
        column = _unvec_column(d, f, m, n)
        if column is not None:
            return [cn.flat(column)]
    if isinstance(f, Commutation) and f.args[0] == n and f.args[1] == m:  # unvec(K(n,m) v) = unvec_{n x m}(v)^T
        return [(c, cn.tseq(at)) for c, at in unvec(d, rest, n, m)]
    spread = _kron_of_vec(d, chain, m, n)
    if spread is not None:
        return spread
    if isinstance(f, sp.KroneckerProduct):
        args = f.args
        for k in range(1, len(args)):
            a, b = kron(*args[:k]), kron(*args[k:])
            if b.shape[0] == m and a.shape[0] == n:  # unvec((A ⊗ B) v) = B unvec(v) A^T
                ta = cn.flat(cn.tpose(a)) if not isinstance(a, sp.Identity) else (sp.S.One, ())
                tb = cn.flat(b) if not isinstance(b, sp.Identity) else (sp.S.One, ())
                return [(tb[0] * c * ta[0], tb[1] + at + ta[1]) for c, at in unvec(d, rest, b.shape[1], a.shape[1])]
    if isinstance(f, Diag):
        (hc, hat), = unvec(d, [f.arg], m, n) or [(None, None)]
        inner = cn.sum_expr(unvec(d, rest, m, n), (m, n))
        h = cn.mono_expr((hc, hat), (m, n))
        return [cn.flat(hadamard(h, inner))]
    raise InputError(
        "this gradient has no closed form gradcli can write (it would need unvec, the inverse of vec, "
        "of a product)",
        "gradcli check decides a claimed gradient at concrete sizes; derivative by the matrix shows the vec form",
    )


def _perm(s: Any, w: Any, r: Any, u: Any) -> Any:
    """I_s ⊗ K(w, r) ⊗ I_u: vec(Y ⊗ B) = perm (vec Y ⊗ vec B) for Y r x s, B u x w."""
    return kron(sp.Identity(s), Commutation(w, r), sp.Identity(u))


def _matrices_of_vec(b: Any) -> list:
    """The M with vec(M) = b, as ``vec_of`` writes it: vec(M); a column c (c itself, or c^T
    when c is a row transposed: both have that vec)."""
    if isinstance(b, Vec):
        return [b.arg]
    if isinstance(b, sp.Transpose) and _one(b.arg.shape[0]):
        return [b, b.arg]
    return [b]


def _fits(r: Any, s: Any, identity: Any) -> bool:
    """r x s is a shape (whole numbers where numeric) of r s entries, the identity's size."""
    if any(v.is_number and not v.is_Integer for v in (r, s)):
        return False
    return sp.simplify(r * s - identity.shape[0]) == 0


def _kron_of_vec(d: Any, chain: list, m: Any, n: Any) -> list | None:
    """unvec of a chain that starts with the factors of a Kronecker product's rule:
    unvec(perm (I_rs ⊗ vec B) v) = unvec_{r x s}(v) ⊗ B, unvec(perm (vec A ⊗ I_uw) v) =
    A ⊗ unvec_{u x w}(v); and their transposes, which contract a Kronecker product:
    unvec_{r x s}((I_rs ⊗ vec(B)^T) perm^T vec(P ⊗ Q)) = tr(B^T Q) P, and
    unvec_{u x w}((vec(A)^T ⊗ I_uw) perm^T vec(P ⊗ Q)) = tr(A^T P) Q.  None: not of that kind."""
    cn = d.cn
    for k, f in enumerate(chain[:2]):
        if not isinstance(f, sp.KroneckerProduct) or len(f.args) != 2:
            continue
        left, right = f.args
        if isinstance(left, sp.Identity) and _one(right.shape[1]):  # perm (I_rs ⊗ vec B) v
            for B in _matrices_of_vec(right):
                r, s = sp.simplify(m / B.shape[0]), sp.simplify(n / B.shape[1])
                if _fits(r, s, left) and _ok(chain[:k], _perm(s, B.shape[1], r, B.shape[0])):
                    inner = cn.sum_expr(unvec(d, chain[k + 1:], r, s), (r, s))
                    return [cn.flat(kron(inner, B))]
        if isinstance(right, sp.Identity) and _one(left.shape[1]):  # perm (vec A ⊗ I_uw) v
            for A in _matrices_of_vec(left):
                u, w = sp.simplify(m / A.shape[0]), sp.simplify(n / A.shape[1])
                if _fits(u, w, right) and _ok(chain[:k], _perm(A.shape[1], w, A.shape[0], u)):
                    inner = cn.sum_expr(unvec(d, chain[k + 1:], u, w), (u, w))
                    return [cn.flat(kron(A, inner))]
    f = chain[0]
    if not isinstance(f, sp.KroneckerProduct) or len(f.args) != 2:
        return None
    left, right = f.args
    if isinstance(left, sp.Identity) and _one(right.shape[0]):  # (I_rs ⊗ vec(B)^T): the variable's side first
        for B in _matrices_of_vec(cn.tpose(right)):
            r, s, u, w = m, n, B.shape[0], B.shape[1]
            pq = _kron_pair(d, chain[1:], _perm(s, w, r, u), r, s, u, w) if _fits(r, s, left) else None
            if pq is not None:
                P, Q = pq
                return [(cn.flat(P)[0] * _tr(d, B, Q), cn.flat(P)[1])]
    if isinstance(right, sp.Identity) and _one(left.shape[0]):  # (vec(A)^T ⊗ I_uw)
        for A in _matrices_of_vec(cn.tpose(left)):
            r, s, u, w = A.shape[0], A.shape[1], m, n
            pq = _kron_pair(d, chain[1:], _perm(s, w, r, u), r, s, u, w) if _fits(u, w, right) else None
            if pq is not None:
                P, Q = pq
                return [(cn.flat(Q)[0] * _tr(d, A, P), cn.flat(Q)[1])]
    return None


def _ok(before: list, perm: Any) -> bool:
    """The factors before a spread are the permutation (or nothing where it is I)."""
    return not before if isinstance(perm, sp.Identity) else before == [perm]


def _kron_pair(d: Any, rest: list, perm: Any, r: Any, s: Any, u: Any, w: Any) -> tuple | None:
    """(P, Q) with perm^T ... = vec(P ⊗ Q) for the chain ``rest`` (P r x s, Q u x w), or None."""
    cn = d.cn
    if not isinstance(perm, sp.Identity):
        if not rest or rest[0] != cn.tpose(perm):
            return None
        rest = rest[1:]
    try:
        monos = unvec(d, rest, r * u, s * w)
    except InputError:
        return None
    if len(monos) != 1:
        return None
    c, at = monos[0]
    n = cn.mono_expr((c, at), (r * u, s * w))
    if isinstance(n, sp.Identity) and r == s and u == w:
        return sp.Identity(r), sp.Identity(u)
    if isinstance(n, sp.OneMatrix):
        return sp.OneMatrix(r, s), sp.OneMatrix(u, w)
    coef, body = (n.args[0], n.args[1]) if isinstance(n, sp.MatMul) and len(n.args) == 2 and not is_matrix(
        n.args[0]) else (sp.S.One, n)
    if isinstance(body, sp.KroneckerProduct) and len(body.args) == 2 and tuple(body.args[0].shape) == (r, s):
        return sp.MatMul(coef, body.args[0]) if coef != 1 else body.args[0], body.args[1]
    return None


def _tr(d: Any, A: Any, B: Any) -> Any:
    """tr(A^T B) as a scalar: tr(A) for B = I, a sum where A or B is all ones."""
    cn = d.cn
    if isinstance(B, sp.Identity):
        return d.trace_of(sp.S.One, cn.flat(A)[1]) * cn.flat(A)[0]
    if isinstance(A, sp.OneMatrix):
        return ArraySum(B)
    if isinstance(B, sp.OneMatrix):
        return ArraySum(A)
    return d.trace_of(sp.S.One, cn.flat(cn.tpose(A))[1] + cn.flat(B)[1]) * cn.flat(B)[0]


def _unvec_column(d: Any, e: Any, m: Any, n: Any) -> Any:
    """unvec_{m x n} of a column made entry by entry (vec M, ones, f(vec M), vec A ⊙ vec B, sums,
    scalar multiples): the same made of the matrices; None when it is not of that kind."""
    if isinstance(e, Vec) and _shape_is(e.arg, m, n):
        return e.arg
    if isinstance(e, sp.OneMatrix):
        return sp.OneMatrix(m, n)
    if isinstance(e, (sp.MatAdd, sp.HadamardProduct, Entrywise)) or (isinstance(e, sp.MatMul) and len(
            [a for a in e.args if is_matrix(a)]) == 1):
        parts = []
        for a in (e.arguments if isinstance(e, Entrywise) else e.args):
            if not is_matrix(a):
                parts.append(a)
                continue
            u = _unvec_column(d, a, m, n)
            if u is None:
                return None
            parts.append(u)
        if isinstance(e, Entrywise):
            return Entrywise(e.name, *parts)
        if isinstance(e, sp.HadamardProduct):
            return hadamard(*parts)
        if isinstance(e, sp.MatAdd):
            return sp.MatAdd(*parts)
        return sp.MatMul(*parts)
    if isinstance(e, sp.HadamardPower):
        u = _unvec_column(d, e.base, m, n)
        return None if u is None else sp.HadamardPower(u, e.exp)
    if isinstance(e, sp.MatrixSymbol) and m.is_Integer and n.is_Integer:  # unvec(a) written out
        return sp.ImmutableMatrix(int(m), int(n), lambda i, j: e[i + int(m) * j, 0])
    return None


def _shape_is(e: Any, m: Any, n: Any) -> bool:
    """Whether e is m x n (vec of another shape with as many entries unvecs to another matrix)."""
    return all(sp.simplify(a - b) == 0 for a, b in zip(e.shape, (m, n)))


def _mat(chain: list) -> Any:
    return chain[0] if len(chain) == 1 else sp.MatMul(*chain)


def _scalar(chain: list) -> bool:
    if not chain:
        return True
    return chain[0].shape[0] == 1 and chain[-1].shape[1] == 1


def _scalar_value(d: Any, chain: list) -> Any:
    """The 1 x 1 product Π chain as a scalar: vec(A)^T w = tr(A^T unvec(w))."""
    cn = d.cn
    if not chain:
        return sp.S.One
    f = chain[0]
    if isinstance(f, sp.Transpose) and isinstance(f.arg, Vec):
        a = f.arg.arg
        monos = unvec(d, chain[1:], a.shape[0], a.shape[1])
        return sp.Add(*[d.trace_of(c, cn.tseq(cn.flat(a)[1]) + at) * cn.flat(a)[0] for c, at in monos])
    return d.scalar_of(sp.S.One, tuple(chain))


def apply(term: VecLin, direction: Any) -> Any:
    """The term's value for dX = ``direction`` (explicit sizes: an explicit matrix)."""
    from ...model.arrays import explicit

    v = explicit(sp.MatMul(*term.P, vec_of(direction)) if term.P else vec_of(direction))
    v = sp.ImmutableMatrix(v.as_explicit() if not isinstance(v, sp.MatrixBase) else v)
    r, s = int(term.rows), int(term.cols)
    return term.c * sp.ImmutableMatrix(r, s, lambda i, j: v[i + r * j, 0])
