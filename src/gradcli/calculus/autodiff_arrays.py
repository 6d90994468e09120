"""Automatic differentiation with vector and matrix inputs (section 5.6 with arrays).

``trace_arrays(f, inputs, values)`` splits a scalar function of vectors and matrices (at the
concrete sizes its point fixes) into intermediate variables that are arrays or scalars (a = X w,
b = y .* a, c = exp(-b), ..., f = sum(d)), evaluates each exactly at the point, and runs
forward mode (one sweep per entry of each input: the tangent of every variable in that
entry's direction, an array of the variable's shape) and reverse mode (one sweep in all: the
adjoint ∂f/∂v of every variable, an array of its shape).  The records are those of
``calculus.autodiff`` (``Trace``, ``Variable``), with arrays where the values are arrays.

The local derivatives of an array operation are linear maps, applied the way an AD system
applies them, without forming a Jacobian: a tangent is the directional derivative
d/dt D(p + t ṗ) at t = 0 of the variable's definition D, and a parent's adjoint gathers the
vector-Jacobian products ∂<v̄, D(P)>/∂P, both computed exactly on the explicit arrays.
(The local partials of scalar operations are not listed for array traces.)

Core code: takes and returns data, raises InputError, never prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sympy as sp

from ..errors import InputError
from ..limits import MAX_AUTODIFF_ENTRIES
from ..model.shapes import is_matrix
from .autodiff import MAX_VARIABLES, Trace, Variable, _names, _split

__all__ = ["trace_arrays"]

_T = sp.Dummy("t", real=True)


def _depends(e: Any, variables: set) -> bool:
    return isinstance(e, sp.Basic) and bool(e.free_symbols & variables)


def _split_any(e: Any, variables: set) -> tuple[list[Any], Callable[[list[Any]], Any]]:
    """Operands and definition: scalar operations as ``calculus.autodiff`` splits them, any
    other node (matrix products and sums, transposes, inverses, entrywise functions, Hadamard
    products, traces, determinants, sums of entries) by its arguments."""
    if not is_matrix(e) and isinstance(e, (sp.Add, sp.Mul, sp.Pow)) and not any(
            is_matrix(a) for a in e.args):
        return _split(e, variables)
    if isinstance(e, sp.Function) and not is_matrix(e):
        return _split(e, variables)
    args = list(e.args)
    moving = [a for a in args if _depends(a, variables)]

    def make(s: list[Any]) -> Any:
        it = iter(s)
        return e.func(*[next(it) if _depends(a, variables) else a for a in args])

    return moving, make


def explicit_value(e: Any) -> Any:
    """e, whose leaves are explicit arrays and numbers, written out: an ImmutableMatrix or a
    number (a 1 x 1 result of a scalar node as its entry)."""
    if not isinstance(e, sp.Basic):
        return e
    fill = {m: sp.ImmutableMatrix(sp.ones(*m.shape)) for m in e.atoms(sp.OneMatrix)}
    fill.update({m: sp.ImmutableMatrix(sp.eye(m.shape[0])) for m in e.atoms(sp.Identity)})
    out = e.xreplace(fill).doit()
    for _ in range(6):
        again = out.doit()
        if again == out:
            break
        out = again
    if is_matrix(out) and not isinstance(out, sp.MatrixBase):
        out = out.as_explicit()
    return sp.ImmutableMatrix(out) if isinstance(out, sp.MatrixBase) else out


def _zero_like(v: Any) -> Any:
    return sp.ImmutableMatrix(sp.zeros(*v.shape)) if isinstance(v, sp.MatrixBase) else sp.S.Zero


class _Nodes:
    """The DAG of f: nodes in computation order, shared subexpressions once."""

    def __init__(self, f: Any, leaves: Sequence[Any]):
        self.variables = set(leaves)
        self.leaves = set(leaves)
        self.index: dict[Any, int] = {}
        self.order: list[tuple[Any, list[Any], Callable]] = []
        self.visit(f)
        if not self.order or self.order[-1][0] != f:
            raise InputError("autodiff traces a function of its inputs; this one does not depend on them")

    def visit(self, e: Any) -> None:
        if e in self.leaves or e in self.index or not _depends(e, self.variables):
            return
        children, make = _split_any(e, self.variables)
        for c in children:
            self.visit(c)
        self.index[e] = len(self.order)
        self.order.append((e, children, make))
        if len(self.order) > MAX_VARIABLES:
            raise InputError(f"the trace would have more than {MAX_VARIABLES} intermediate variables")


def _placeholder(name: str, value: Any) -> Any:
    if isinstance(value, sp.MatrixBase):
        return sp.MatrixSymbol(name, *value.shape)
    return sp.Symbol(name, real=True)


def trace_arrays(f: Any, inputs: Sequence[Any], values: Mapping[Any, Any], *, forward: bool = True,
                 reverse: bool = True, finish: Callable[[list[Any]], list[Any]] | None = None) -> Trace:
    """The evaluation trace of the scalar ``f`` (concrete sizes) at ``values`` (explicit arrays
    for matrix symbols, numbers for scalars); every input is differentiated by."""
    if not (forward or reverse):
        raise InputError("choose forward mode, reverse mode or both")
    entries = sum(len(values[s]) if isinstance(values[s], sp.MatrixBase) else 1 for s in inputs)
    if entries > MAX_AUTODIFF_ENTRIES:
        raise InputError(f"the inputs have {entries} entries; autodiff shows at most {MAX_AUTODIFF_ENTRIES}",
                         "trace a smaller example")
    nodes = _Nodes(f, inputs).order
    names, output = _names(len(nodes) - 1, {str(s) for s in inputs} | {str(s) for s in f.free_symbols}, False)
    names.append(output)
    t = _ArrayTracer(nodes, inputs, names, values)
    if forward:
        t.forward()
    if reverse:
        t.reverse()
    return t.records(f, forward, reverse, finish)


class _ArrayTracer:
    def __init__(self, nodes: list, inputs: Sequence[Any], names: list[str], values: Mapping[Any, Any]):
        self.inputs = list(inputs)
        self.value: dict[Any, Any] = {s: values[s] for s in inputs}
        self.name_of: dict[Any, str] = {s: str(s) for s in inputs}
        symbol_of: dict[Any, Any] = {s: s for s in inputs}
        self.syms: list[Any] = []
        self.defs: list[Any] = []
        self.parents: list[list[Any]] = []
        self.exprs: dict[Any, Any] = {s: s for s in inputs}
        for (expr, children, make), name in zip(nodes, names):
            parents = []
            for c in children:
                if symbol_of[c] not in parents:
                    parents.append(symbol_of[c])
            definition = make([symbol_of[c] for c in children])
            v = explicit_value(definition.xreplace({p: self.value[p] for p in parents}))
            entries = list(v) if isinstance(v, sp.MatrixBase) else [v]
            if any(not isinstance(a, sp.Expr) or not a.is_number or a.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I)
                   or a.is_extended_real is False for a in entries):
                raise InputError(f"{name} = {definition} is not a real number at the point",
                                 "gradcli works over the reals; choose a point inside the domain")
            sym = _placeholder(name, v)
            self.value[sym] = v
            self.name_of[sym] = name
            symbol_of[expr] = sym
            self.exprs[sym] = expr
            self.syms.append(sym)
            self.defs.append(definition)
            self.parents.append(parents)
        self.order = self.inputs + self.syms
        self.tangents: dict[Any, list[Any]] = {s: [] for s in self.order}
        self.adjoint: dict[Any, Any] = {}
        self.seeds: list[tuple[Any, int]] = []

    def _local(self, i: int, moved: Mapping[Any, Any]) -> Any:
        """Definition i with its parents at ``moved`` (others at their values), written out."""
        given = {p: moved.get(p, self.value[p]) for p in self.parents[i]}
        return explicit_value(self.defs[i].xreplace(given))

    def forward(self) -> None:
        """One sweep per input entry: seed the entry's unit direction, push tangents forward."""
        for x in self.inputs:
            xv = self.value[x]
            count = len(xv) if isinstance(xv, sp.MatrixBase) else 1
            for k in range(count):
                self.seeds.append((x, k))
                dot = {s: _zero_like(self.value[s]) for s in self.inputs}
                if isinstance(xv, sp.MatrixBase):
                    e = sp.zeros(*xv.shape)
                    e[k] = 1
                    dot[x] = sp.ImmutableMatrix(e)
                else:
                    dot[x] = sp.S.One
                for i, sym in enumerate(self.syms):
                    moved = {p: self.value[p] + _T * dot[p] for p in self.parents[i]}
                    v = self._local(i, moved)
                    d = v.applyfunc(lambda a: sp.diff(a, _T).subs(_T, 0)) if isinstance(v, sp.MatrixBase) \
                        else sp.diff(v, _T).subs(_T, 0)
                    dot[sym] = d
                for s in self.order:
                    self.tangents[s].append(dot[s])

    def reverse(self) -> None:
        """One sweep: the output's adjoint 1, each parent gathering ∂<v̄, D(P)>/∂P."""
        adj = {s: _zero_like(self.value[s]) for s in self.order}
        adj[self.syms[-1]] = sp.S.One
        for i in reversed(range(len(self.syms))):
            vbar = adj[self.syms[i]]
            for p in self.parents[i]:
                pv = self.value[p]
                if isinstance(pv, sp.MatrixBase):
                    P = sp.Matrix(pv.rows, pv.cols, lambda r, c: sp.Dummy("P", real=True))
                    at = dict(zip(P, pv))
                else:
                    P = sp.Dummy("P", real=True)
                    at = {P: pv}
                v = self._local(i, {p: sp.ImmutableMatrix(P) if isinstance(P, sp.MatrixBase) else P})
                inner = sum((a * b for a, b in zip(vbar, v)), sp.S.Zero) if isinstance(v, sp.MatrixBase) \
                    else vbar * v
                if isinstance(P, sp.MatrixBase):
                    grad = sp.ImmutableMatrix(P.rows, P.cols, [sp.diff(inner, q).xreplace(at) for q in P])
                else:
                    grad = sp.diff(inner, P).xreplace(at)
                adj[p] = adj[p] + grad
        self.adjoint = adj

    def records(self, f: Any, forward: bool, reverse: bool, finish: Callable | None) -> Trace:
        shown = _Shown(self, reverse, finish)
        children: dict[Any, list[str]] = {s: [] for s in self.order}
        for sym, parents in zip(self.syms, self.parents):
            for p in parents:
                children[p].append(self.name_of[sym])
        out: list[Variable] = []
        for s in self.order:
            i = self.syms.index(s) if s in self.syms else None
            kind = "input" if i is None else ("output" if i == len(self.syms) - 1 else "intermediate")
            out.append(Variable(
                name=self.name_of[s], symbol=s, kind=kind, definition=None if i is None else self.defs[i],
                expression=self.exprs[s], parents=() if i is None else tuple(self.name_of[p] for p in self.parents[i]),
                children=tuple(children[s]), partials=(), value=shown.value[s],
                tangents=tuple(shown.tangents[s]) if forward else None,
                adjoint=shown.adjoint[s] if reverse else None,
            ))
        gradient = tuple(shown.adjoint[x] for x in self.inputs) if reverse else tuple(
            _assemble(self.value[x], [t for (sx, _), t in zip(self.seeds, shown.tangents[self.syms[-1]]) if sx == x])
            for x in self.inputs)
        return Trace(function=f, inputs=tuple(str(s) for s in self.inputs), variables=tuple(out),
                     output=self.name_of[self.syms[-1]], gradient=gradient, forward=forward, reverse=reverse,
                     seeds=tuple(self._seed_name(x, k) for x, k in self.seeds) if forward else ())

    def _seed_name(self, x: Any, k: int) -> str:
        v = self.value[x]
        if not isinstance(v, sp.MatrixBase):
            return str(x)
        i, j = divmod(k, v.cols)
        return f"{x}[{i + 1}]" if v.cols == 1 else f"{x}[{i + 1},{j + 1}]"


def _assemble(value: Any, parts: list[Any]) -> Any:
    """The forward sweeps' output tangents of one input, in the input's shape."""
    if isinstance(value, sp.MatrixBase):
        return sp.ImmutableMatrix(value.rows, value.cols, parts)
    return parts[0]


class _Shown:
    """Every number presented together by ``finish`` (arrays entry by entry)."""

    def __init__(self, t: _ArrayTracer, reverse: bool, finish: Callable | None):
        items: list[tuple[str, Any, int, Any]] = []
        for s in t.order:
            items.append(("value", s, -1, t.value[s]))
            items.extend(("tangent", s, k, d) for k, d in enumerate(t.tangents[s]))
            if reverse:
                items.append(("adjoint", s, -1, t.adjoint[s]))
        flat: list[Any] = []
        for *_, v in items:
            flat.extend(list(v) if isinstance(v, sp.MatrixBase) else [v])
        shown = list(finish(flat)) if finish is not None and flat else flat
        it = iter(shown)
        self.value: dict[Any, Any] = {}
        self.tangents: dict[Any, list[Any]] = {s: [] for s in t.order}
        self.adjoint: dict[Any, Any] = {}
        for kind, s, _k, v in items:
            w = sp.ImmutableMatrix(v.rows, v.cols, [next(it) for _ in range(len(v))]) \
                if isinstance(v, sp.MatrixBase) else next(it)
            if kind == "value":
                self.value[s] = w
            elif kind == "tangent":
                self.tangents[s].append(w)
            else:
                self.adjoint[s] = w
