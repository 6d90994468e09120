"""Sizes inferred from the expression (issue 16): a declared vector or matrix whose size no
``--shape`` or ``--dim`` gives takes the size the expression forces on it, and so do ``I``
and ``ones`` at each place they are written.

The tree is built once on trial: each free size is a fresh symbol, and wherever the builder
asks whether two sizes agree (a product, a sum, an entrywise operation), the two are unified
(union-find; a fixed size -- a number or a name of ``--shape`` -- wins over a free one, two
different fixed sizes do not agree).  The solved sizes are then given to the context and the
tree is built for real; a size nothing forces is n, as before.  A contradiction is found by
the real build, which names the sub-expression and both shapes; the hint says which sizes
were inferred and how to give them.
"""

from __future__ import annotations

import itertools
from typing import Any

import sympy as sp

from ..errors import ShapeError
from ..language import ast as S
from .declarations import Context
from .shapes import conforms, shape_text

_COUNTER = itertools.count()


class SizeSolver:
    """Union-find over sizes: fresh symbols are free, numbers and other symbols fixed."""

    def __init__(self, *, allow_one: bool = False) -> None:
        self.parent: dict[Any, Any] = {}
        self.free: set[Any] = set()
        #: equations of products of sizes with more than one free size (solved by ``settle``)
        self.pending: list[tuple[Any, Any]] = []
        #: a free size may become 1 (sizes read off a point's values, which are what they are)
        self.allow_one = allow_one

    def fresh(self) -> sp.Symbol:
        s = sp.Symbol(f"_size{next(_COUNTER)}", integer=True, positive=True)
        self.free.add(s)
        return s

    def find(self, x: Any) -> Any:
        while x in self.parent:
            x = self.parent[x]
        return x

    def unify(self, a: Any, b: Any) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not self.allow_one and ((ra in self.free and rb == 1) or (rb in self.free and ra == 1)):
            return False  # a declared vector or matrix is not made 1 x 1 by a misfit
        if ra in self.free:
            self.parent[ra] = rb
            return True
        if rb in self.free:
            self.parent[rb] = ra
            return True
        if isinstance(ra, sp.Basic) and isinstance(rb, sp.Basic) and (ra.free_symbols & self.free
                                                                      or rb.free_symbols & self.free):
            # a product of sizes (vec, kron) with a free part: solved where one free size is
            # left (kron(I, B) = 8 x 4 with B 2 x 1 makes I 4 x 4), else not decided on trial
            solved = self._solve(self._known(ra), self._known(rb))
            if solved is None:
                self.pending.append((ra, rb))
            return True if solved is None else solved
        return conforms(ra, rb)

    def settle(self) -> None:
        """Solve the pending equations, each once a single free size is left in it (the I's
        of kron(I, K(2, 4)) kron(I, B^T) ..., one after the other)."""
        changed = True
        while changed:
            changed = False
            for eq in list(self.pending):
                a, b = (self._known(x) for x in eq)
                if not (a.free_symbols | b.free_symbols) & self.free or self._solve(a, b) is not None:
                    self.pending.remove(eq)
                    changed = True

    def _known(self, x: Any) -> Any:
        """x with its solved free sizes put in."""
        for _ in range(20):
            free = x.free_symbols & self.free if isinstance(x, sp.Basic) else set()
            y = x.xreplace({f: self.find(f) for f in free})
            if y == x:
                return x
            x = y
        return x

    def _solve(self, a: Any, b: Any) -> bool | None:
        """a = b for the one free size of one side (a whole positive solution); None: not one."""
        for x, y in ((a, b), (b, a)):
            free = x.free_symbols & self.free
            if len(free) != 1 or y.free_symbols & self.free:
                continue
            f = free.pop()
            if x == f:
                self.parent[f] = y
                return True
            roots = [r for r in sp.solve(sp.Eq(x, y), f) if r.is_positive is not False and r.is_integer is not False]
            if not self.allow_one and roots == [1]:
                return False  # as for a single size: a misfit does not make a declared array 1 x 1
            if len(roots) != 1:
                return False if not roots else None
            self.parent[f] = roots[0]
            return True
        return None

    def value(self, x: Any) -> Any:
        """The solved size, or None while it is free."""
        r = self._known(self.find(x))
        if isinstance(r, sp.Basic) and r.free_symbols & self.free:
            return None
        return r


class _TrialContext(Context):
    """The context of the trial build: free sizes are fresh symbols that unify."""

    def __init__(self, ctx: Context, solver: SizeSolver):
        super().__init__(ctx.decl, layout=ctx.layout, source=ctx.source)
        self.solver = solver
        self.fresh_of: dict[str, sp.Symbol] = {}
        self.node_vars: dict[tuple[int, int], tuple] = {}
        for name in ctx.free_names():
            s = solver.fresh()
            self.fresh_of[name] = s
            rows, cols = self.shapes[name]
            self.shapes[name] = (s, cols if cols == 1 else s)

    def conforms(self, a: Any, b: Any) -> bool:
        return self.solver.unify(a, b)

    def node_shape(self, node: Any, kind: str) -> tuple[Any, Any]:
        key = (node.pos, node.end)
        if key not in self.node_vars:
            s = self.solver.fresh()
            self.node_vars[key] = (s, s) if kind == "I" else (s, sp.Integer(1))
        return self.node_vars[key]


def needs_inference(node: S.Node, ctx: Context) -> bool:
    names = {n.name for n in S.walk(node) if isinstance(n, S.Name)}
    return bool(names & {"I", "ones"} or names & set(ctx.free_names()))


def infer_sides(nodes: tuple, ctx: Context, builder: type) -> dict[str, tuple]:
    """Solve the free sizes of ``nodes`` (one tree, or the two sides of a claim, which have one
    shape: in d/dX sum(X) = ones ones^T the ones take the shape of X) under ``ctx`` and give
    them to ``ctx``; returns the shapes inferred for declared names (for messages), nothing
    where no size is free."""
    if not any(needs_inference(node, ctx) for node in nodes):
        return {}
    from .shapes import is_matrix

    solver = SizeSolver()
    trial = _TrialContext(ctx, solver)
    b = builder(trial)
    b.differentiate = lambda f, var: _placeholder(f, var, ctx.layout)
    b.vec_derivative = lambda f, var: _vec_placeholder(f, var, ctx.layout)
    built = []
    for node in nodes:
        try:
            built.append(b.build(node))
        except Exception:  # noqa: BLE001 - the real build reports what is wrong, with what was solved
            built.append(None)
    if len(built) == 2 and all(is_matrix(v) for v in built):
        for a, c in zip(built[0].shape, built[1].shape):
            solver.unify(a, c)
    solver.settle()
    for s in trial.fresh_of.values():  # a name's size nothing forces is n; then what follows from it
        if solver.find(s) in solver.free:
            solver.parent[solver.find(s)] = ctx.dim
    solver.settle()
    shapes: dict[str, tuple] = {}
    for name, s in trial.fresh_of.items():
        size = solver.value(s)
        size = ctx.dim if size is None else size
        rows, cols = ctx.shapes[name]
        shapes[name] = (size, cols if cols == 1 else size)
    nodes: dict[tuple[int, int], tuple] = {}
    for key, (r, c) in trial.node_vars.items():
        rv, cv = solver.value(r), solver.value(c)
        if rv is not None and cv is not None:
            nodes[key] = (rv, cv)
    ctx.apply_sizes(shapes, nodes)
    return {n: s for n, s in shapes.items() if s != ctx.decl_shape(n)}


def _vec_placeholder(f: Any, var: Any, layout: str) -> Any:
    """A stand-in of d vec(f)/d vec(var)'s shape: pq x mn (numerator layout) or mn x pq."""
    from .layout import Layout
    from .shapes import is_matrix

    p, q = f.shape if is_matrix(f) else (1, 1)
    m, n = var.shape
    shape = (p * q, m * n) if layout == Layout.NUMERATOR else (m * n, p * q)
    return sp.MatrixSymbol("_derivative", *shape)


def _placeholder(f: Any, var: Any, layout: str) -> Any:
    """A stand-in of the derivative's shape for the trial build (nothing is differentiated)."""
    from .layout import Layout
    from .shapes import is_matrix

    if not is_matrix(var):
        return f
    fr, fc = f.shape if is_matrix(f) else (1, 1)
    vr, vc = var.shape
    if (fr, fc) == (1, 1):
        shape = (vc, vr) if vc == 1 and layout == Layout.NUMERATOR else (vr, vc)
    elif fc == 1 and vc == 1:
        shape = (fr, vr) if layout == Layout.NUMERATOR else (vr, fr)
    else:
        raise ShapeError("a tensor")
    return sp.MatrixSymbol("_d", *shape)


def hint_for(inferred: dict[str, tuple]) -> str:
    """What a shape error's hint says about sizes that were inferred."""
    parts = ", ".join(f"{n} is {shape_text(s)}" for n, s in inferred.items())
    first = next(iter(inferred))
    return f"sizes inferred from the expression: {parts}; give the size you mean with --shape {first}=ROWSxCOLS"
