"""A tensor derivative by a ``--symmetric`` matrix (issue 17), under gradcli's convention for
symmetric matrices (README, "Symmetric matrices"): the derivative is taken as if the n²
entries of W were independent (``tensor_derivative`` differentiates W as a plain matrix, so
W^T in the expression is differentiated as the transpose it is: d vec(W^T)/d vec(W) =
K(n, n)), and W^T = W is then imposed on the result, as ``matrix_symbol_derivative`` does for a
gradient and ``check`` does on its explicit builds.  Imposed on every view, each read off the
same terms:

* the vec form: transposes of symmetric matrices (and of their inverses and powers) dropped;
* the index form: the same, in every factor's matrix (entries, and the V[(p,q),(i,j)] of a
  term through vec or kron) and coefficient;
* the explicit array: the entry symbol W_ji replaced by W_ij (i < j) in every entry.

Constant symmetric matrices (``--symmetric A`` by X) are treated the same way.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ...model.symbols import explicit_matrix
from ...record import replace
from ..derivative import impose_symmetry
from .tensor import Tensor
from .views import Entry, ExplicitArray, IndexForm, VecEntry


def symmetric_names(t: Tensor, names: frozenset[str]) -> frozenset[str]:
    """The symmetric matrices among the tensor's function and variable."""
    present = {m.name for m in t.function.atoms(sp.MatrixSymbol)} | {t.wrt.name}
    return frozenset(names) & present


def on_vec(vec: Any, names: frozenset[str]) -> Any:
    return impose_symmetry(vec, names) if names and isinstance(vec, sp.Basic) else vec


def on_index(form: IndexForm, names: frozenset[str]) -> IndexForm:
    if not names:
        return form

    def factor(f: Any) -> Any:
        return replace(f, matrix=impose_symmetry(f.matrix, names)) if isinstance(f, (Entry, VecEntry)) else f

    terms = tuple(replace(term, coefficient=on_vec(term.coefficient, names),
                          factors=tuple(factor(f) for f in term.factors)) for term in form.terms)
    return replace(form, terms=terms)


def entry_subs(t: Tensor, names: frozenset[str]) -> dict:
    """{W_ji: W_ij} (i < j) for every symmetric W of numeric size in the tensor."""
    subs: dict = {}
    mats = {m.name: m for m in t.function.atoms(sp.MatrixSymbol) | {t.wrt}}
    for name in sorted(names):
        m = mats.get(name)
        if m is None or not all(getattr(s, "is_Integer", False) for s in m.shape):
            continue
        e = explicit_matrix(name, int(m.shape[0]), int(m.shape[1]))
        for i in range(e.rows):
            for j in range(i + 1, e.cols):
                subs[e[j, i]] = e[i, j]
    return subs


def on_array(arr: ExplicitArray, t: Tensor, names: frozenset[str]) -> ExplicitArray:
    subs = entry_subs(t, names)
    if not subs:
        return arr

    def put(e: Any) -> Any:
        return e.xreplace(subs) if isinstance(e, sp.Basic) else e

    def nest(x: Any) -> Any:
        return [nest(y) for y in x] if isinstance(x, list) else put(x)

    return replace(arr, entries=nest(arr.entries), full={k: put(v) for k, v in arr.full.items()})
