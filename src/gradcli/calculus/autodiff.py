"""Automatic differentiation shown step by step (the book's section 5.6, Example 5.14).

``trace(f, inputs, values)`` splits a scalar SymPy expression into elementary intermediate
variables, evaluates them at a point, and runs forward mode (one sweep per input) and reverse
mode (one sweep for all inputs).  It returns a frozen ``Trace``: every variable with its defining
equation, its value, the local partials of its definition by its parents, its forward tangents
and its reverse adjoint.  For Example 5.14, f = sqrt(x^2 + exp(x^2)) + cos(x^2 + exp(x^2)), the
trace is the book's (5.140): a = x^2, b = exp(a), c = a + b, d = sqrt(c), e = cos(c), f = d + e.

Granularity: one node per elementary operation, read off SymPy's expression tree.
- A sum with constant coefficients is one node, n-ary: c = a + b, g = 3 a - b + 1 (local
  partials: the coefficients).
- A product is one node, n-ary: a constant coefficient times factors over divisors
  (g = 2 a b, g = a / b).  A factor with a power other than 1 or -1 is its own node:
  x / y^2 is h = y^2, g = x / h.
- A power with a constant exponent is one node (a = x^2, d = sqrt(c), g = 1/c); a negative
  power other than -1 is the reciprocal of a positive one (1/x^2: a = x^2, b = 1/a).  A
  constant base (2^x) or a variable exponent (x^y) is one node too.
- Every function application is one node (b = exp(a), e = cos(c), g = atan2(a, b), max(a, b)).
- Numbers and constants (2, pi, sqrt(2), e) are not nodes: they stay inside the definitions.
- Equal subexpressions are one node (SymPy's structural equality decides), so the trace is a
  DAG: c = a + b above feeds both d and e.
- The output is always a node, named f; f = x is the identity node when f is an input.

Names: inputs keep theirs; the output is f; intermediate variables take the letters
a, b, c, d, e, g, h, k, m, p, q, r, s, t, u, v, w in the order they are computed, skipping the
names of the inputs and e where Euler's number appears in the expression.  When there are more
intermediate variables than free letters, all of them are v1, v2, ... (the book's general x_i).

Local partials: ``sympy.diff`` of the node's definition by a fresh symbol for each parent (the
tests check them against a fixed table and against finite differences).  Away from their jumps,
sign, Heaviside, floor and ceiling have local partial 0 (SymPy's DiracDelta and unevaluated
derivatives are replaced by it); at a jump or a kink (abs(u) at u = 0, max(a, b) at a = b) the
point is refused, as is a point where a local partial is infinite (sqrt at 0) or a value is not
real (log at -1): automatic differentiation has no local derivative to use there, even where f
itself may be differentiable (x abs(x) at 0).

Values are exact SymPy numbers computed variable by variable (the forward evaluation pass);
``finish`` (the caller's presentation of numbers: exact and simplified, or decimals) is applied
to all of them at the end.  Vector and matrix inputs (adjoints as arrays) are traced by
``calculus.autodiff_arrays`` into the same records, with arrays where the values are arrays.

Core code: takes and returns data, raises InputError, never prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sympy as sp

from ..errors import InputError
from ..limits import bounded
from ..record import record
from .definition import finite_real

__all__ = ["Partial", "Variable", "Trace", "trace", "LETTERS", "local_partial"]

#: Names of intermediate variables, in order (i, j, l, n, o, x, y, z and f are left out).
LETTERS = ("a", "b", "c", "d", "e", "g", "h", "k", "m", "p", "q", "r", "s", "t", "u", "v", "w")
OUTPUT_NAMES = ("f", "F", "f_out")
#: Most variables a trace may have (a node per elementary operation of the expression).
MAX_VARIABLES = 5000


@record
class Partial:
    """A local partial ∂v/∂p of a variable v by one of its parents p."""

    parent: str
    formula: Any  # in the symbols of v's parents
    value: Any  # at the point


@record
class Variable:
    name: str
    symbol: Any
    kind: str  # "input" (differentiated by), "parameter" (held constant), "intermediate", "output"
    definition: Any  # in the parents' symbols; None for inputs and parameters
    expression: Any  # the same in the function's variables
    parents: tuple[str, ...]
    children: tuple[str, ...]
    partials: tuple[Partial, ...]
    value: Any
    tangents: tuple[Any, ...] | None  # one per forward sweep (inputs in order); None without forward mode
    adjoint: Any  # ∂f/∂v; None without reverse mode

    def partial(self, parent: str) -> Partial:
        for p in self.partials:
            if p.parent == parent:
                return p
        raise KeyError(parent)


@record
class Trace:
    function: Any
    inputs: tuple[str, ...]  # the forward sweeps' seeds and the gradient's order
    variables: tuple[Variable, ...]  # inputs, parameters, then the computation order; the output last
    output: str
    gradient: tuple[Any, ...]  # from reverse mode when it ran, else from the forward sweeps
    forward: bool
    reverse: bool
    #: the forward sweeps' seeds when they are not the inputs (x[1], x[2], ...: one an entry of an array)
    seeds: tuple[str, ...] = ()

    @property
    def sweeps(self) -> tuple[str, ...]:
        """The seed of each forward sweep: the inputs, or the entries of array inputs."""
        return self.seeds or self.inputs

    def variable(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(name)


# -- splitting an expression into elementary operations -----------------------------------

class _Node:
    __slots__ = ("expr", "children", "make", "index")

    def __init__(self, expr: Any, children: list[Any], make: Callable[[list[Any]], Any]):
        self.expr = expr
        self.children = children  # expressions: leaves (symbols) or other nodes' expressions
        self.make = make  # the definition from the children's symbols
        self.index = -1


def _split(e: Any, variables: set[Any]) -> tuple[list[Any], Callable[[list[Any]], Any]]:
    """An expression's operands (non-constant subexpressions) and its definition in their symbols."""

    def constant(t: Any) -> bool:
        return not (t.free_symbols & variables)

    if isinstance(e, sp.Add):
        const = sp.S.Zero
        terms: list[tuple[Any, Any]] = []
        for t in e.as_ordered_terms():
            if constant(t):
                const += t
                continue
            coeff, rest = t.as_independent(*variables, as_Add=False)
            terms.append((coeff, rest))
        return [r for _, r in terms], lambda s: sp.Add(*(c * x for (c, _), x in zip(terms, s)), const)
    if isinstance(e, sp.Mul):
        coeff, rest = e.as_independent(*variables, as_Add=False)
        numer: list[Any] = []
        denom: list[Any] = []
        for factor in rest.as_ordered_factors():
            base, exp = factor.as_base_exp() if isinstance(factor, sp.Pow) else (factor, sp.S.One)
            if isinstance(factor, sp.Pow) and constant(exp) and exp.is_negative:
                denom.append(base if exp == -1 else sp.Pow(base, -exp))
            else:
                numer.append(factor)
        n = len(numer)
        return numer + denom, lambda s: coeff * sp.Mul(*s[:n]) / sp.Mul(*s[n:])
    if isinstance(e, sp.Pow):
        base, exp = e.args
        if constant(exp):
            if exp.is_negative:
                inner = base if exp == -1 else sp.Pow(base, -exp)
                return [inner], lambda s: 1 / s[0]
            return [base], lambda s: sp.Pow(s[0], exp)
        if constant(base):
            return [exp], lambda s: sp.Pow(base, s[0])
        return [base, exp], lambda s: sp.Pow(s[0], s[1])
    if (isinstance(e, sp.Function) and not isinstance(e, sp.Piecewise)) or isinstance(e, (sp.Max, sp.Min)):
        args = list(e.args)
        moving = [a for a in args if not constant(a)]

        def make(s: list[Any]) -> Any:
            it = iter(s)
            return e.func(*[a if constant(a) else next(it) for a in args])

        return moving, make
    raise InputError(f"automatic differentiation cannot trace {e}: it is not an elementary operation")


def _graph(f: Any, leaves: Sequence[Any]) -> list[_Node]:
    """The nodes of f in computation order (depth first, operands in printed order), shared
    subexpressions once; the last node is f itself."""
    variables = set(leaves)
    leaf_set = set(leaves)
    nodes: dict[Any, _Node] = {}
    order: list[_Node] = []

    def visit(e: Any) -> None:
        if e in leaf_set or e in nodes or not (e.free_symbols & variables):
            return
        children, make = _split(e, variables)
        node = _Node(e, children, make)
        nodes[e] = node
        for child in children:
            visit(child)
        node.index = len(order)
        order.append(node)
        if len(order) > MAX_VARIABLES:
            raise InputError(f"the trace would have more than {MAX_VARIABLES} intermediate variables",
                             "automatic differentiation is shown for smaller expressions")

    visit(f)
    if not order or order[-1].expr != f:
        # f is an input (the identity f = x) or a constant (f = 3)
        node = _Node(f, [f] if f in leaf_set else [], (lambda s: s[0]) if f in leaf_set else (lambda s: f))
        node.index = len(order)
        order.append(node)
    return order


def _names(count: int, taken: set[str], euler: bool) -> tuple[list[str], str]:
    output = next(n for n in OUTPUT_NAMES if n not in taken)
    taken = taken | {output}
    letters = [c for c in LETTERS if c not in taken and not (euler and c == "e")]
    if count <= len(letters):
        return letters[:count], output
    names: list[str] = []
    i = 1
    while len(names) < count:
        if f"v{i}" not in taken:
            names.append(f"v{i}")
        i += 1
    return names, output


# -- local partials -------------------------------------------------------------------------

_JUMPS = (sp.sign, sp.Heaviside, sp.floor, sp.ceiling)


def local_partial(definition: Any, symbol: Any) -> Any:
    """∂definition/∂symbol, by sympy.diff; 0 for the parts of sign, Heaviside, floor, ceiling
    that only matter at their jumps (where ``trace`` refuses the point)."""
    d = sp.diff(definition, symbol)
    if d.has(sp.DiracDelta, sp.Derivative):
        zero = {a: sp.S.Zero for a in d.atoms(sp.DiracDelta)}
        for a in d.atoms(sp.Derivative):
            if isinstance(a.expr, _JUMPS):
                zero[a] = sp.S.Zero
        d = d.xreplace(zero)
        if d.has(sp.Derivative):
            raise InputError(f"automatic differentiation has no derivative rule for {definition}")
    return d


# -- the sweeps -----------------------------------------------------------------------------

def _settle(v: Any) -> Any:
    """An exact number that is 0 but not written as 0 (sin(1)**2 + cos(1)**2 - 1) becomes 0,
    so that kinks and infinite partials are seen.  Bounded in time."""
    if not isinstance(v, sp.Expr) or v.is_Atom or not v.is_number:
        return v
    if v.is_zero:
        return sp.S.Zero
    try:
        approx = bounded(lambda: v.evalf(30), 0.5, None)
    except Exception:  # noqa: BLE001 - an approximation that fails decides nothing
        approx = None
    if approx is None or not approx.is_number or approx.has(sp.I):
        return v
    if approx == 0 or abs(approx) < sp.Float("1e-25"):
        if bounded(lambda: sp.simplify(v) == 0, 1.0, False):
            return sp.S.Zero
    return v


def _where(values: Mapping[Any, Any], at: str) -> str:
    return at or ", ".join(f"{k} = {v}" for k, v in values.items())


def trace(f: Any, inputs: Sequence[Any], values: Mapping[Any, Any], *, parameters: Sequence[Any] = (),
          forward: bool = True, reverse: bool = True, at: str = "",
          finish: Callable[[list[Any]], list[Any]] | None = None) -> Trace:
    """The evaluation trace of the scalar expression ``f`` at ``values`` (exact numbers for the
    ``inputs`` and ``parameters``, all SymPy symbols), with forward mode (one sweep per input)
    and reverse mode (one sweep).  ``finish`` maps the list of all computed numbers to the
    numbers shown (simplified or rounded); ``at`` names the point in errors."""
    if not (forward or reverse):
        raise InputError("choose forward mode, reverse mode or both")
    leaves = list(inputs) + [p for p in parameters if p not in inputs]
    missing = [str(s) for s in leaves if s not in values]
    if missing:
        raise InputError(f"the point gives no value for {', '.join(missing)}")
    t = _Tracer(f, inputs, leaves)
    t.evaluate(values, _where({s: values[s] for s in leaves}, at))
    if forward:
        t.forward_sweeps()
    if reverse:
        t.reverse_sweep()
    t.present(finish, reverse)
    out_sym = t.node_syms[-1]
    if reverse:
        gradient = tuple(t.out_adjoint[s] for s in inputs)
    else:
        gradient = tuple(t.out_tangents[out_sym][j] for j in range(len(inputs)))
    return Trace(function=f, inputs=tuple(str(s) for s in inputs), variables=t.records(forward, reverse),
                 output=t.names[-1], gradient=gradient, forward=forward, reverse=reverse)


class _Tracer:
    """The work of ``trace``: the intermediate variables, their values and local partials at
    the point, the sweeps, and the numbers as shown."""

    def __init__(self, f: Any, inputs: Sequence[Any], leaves: list[Any]):
        self.inputs, self.leaves = inputs, leaves
        self.nodes = _graph(f, leaves)
        euler = isinstance(f, sp.Basic) and f.has(sp.E)
        names, output = _names(len(self.nodes) - 1, {str(s) for s in leaves} | {str(s) for s in f.free_symbols}, euler)
        names.append(output)
        self.names = names
        # symbols and expressions of every variable
        symbol_of: dict[Any, Any] = {s: s for s in leaves}  # expression -> symbol
        self.name_of: dict[Any, str] = {s: str(s) for s in leaves}  # symbol -> name
        self.definitions: list[Any] = []
        self.parents_of: list[list[Any]] = []
        self.node_syms: list[Any] = []
        for node, name in zip(self.nodes, names):
            sym = sp.Symbol(name, real=True)
            self.node_syms.append(sym)
            child_syms = [symbol_of[c] for c in node.children]
            definition = node.make(child_syms)
            self.definitions.append(definition)
            unique: list[Any] = []
            for s in child_syms:
                if s not in unique and s in definition.free_symbols:
                    unique.append(s)
            self.parents_of.append(unique)
            if node is not self.nodes[-1] or node.expr not in symbol_of:
                symbol_of[node.expr] = sym
            self.name_of[sym] = name
        self.order = list(leaves) + self.node_syms
        self.children_of: dict[Any, list[Any]] = {s: [] for s in self.order}
        for sym, parents in zip(self.node_syms, self.parents_of):
            for p in parents:
                self.children_of[p].append(sym)
        self.tangents: dict[Any, list[Any]] = {s: [] for s in self.order}
        self.adjoint: dict[Any, Any] = {}

    def evaluate(self, values: Mapping[Any, Any], where: str) -> None:
        """Forward evaluation: each variable's value, then its local partials at the point."""
        from .corners import corner_atoms

        name_of = self.name_of
        value: dict[Any, Any] = {s: values[s] for s in self.leaves}
        partials: list[list[tuple[Any, Any, Any]]] = []  # (parent symbol, formula, value)
        for sym, definition, parents in zip(self.node_syms, self.definitions, self.parents_of):
            given = {p: value[p] for p in parents}
            label = f"{name_of[sym]} = {definition}"
            at_parents = ", ".join(f"{name_of[p]} = {value[p]}" for p in parents)
            kinks = corner_atoms(definition, given, parents)
            if kinks:
                raise InputError(
                    f"at {where}, {label} has no derivative: {kinks[0]} has a kink or jump where {at_parents}",
                    "automatic differentiation needs every elementary operation differentiable at the point",
                )
            v = _settle(definition.xreplace(given))
            if not finite_real(v):
                raise InputError(f"at {where}, {label} is not defined over the reals"
                                 + (f" ({at_parents})" if at_parents else ""),
                                 "gradcli works over the reals; choose a point inside the domain")
            value[sym] = v
            row = []
            for p in parents:
                formula = local_partial(definition, p)
                pv = formula.xreplace(given)  # the parents' values are settled: a 0 is written 0
                if not finite_real(pv):
                    raise InputError(
                        f"at {where}, ∂{name_of[sym]}/∂{name_of[p]} = {formula} is not defined ({at_parents})",
                        f"{label} has no derivative there, so automatic differentiation cannot pass through it",
                    )
                row.append((p, formula, pv))
            partials.append(row)
        self.value, self.partials = value, partials
        self.local = {(sym, p): pv for sym, row in zip(self.node_syms, partials) for p, _, pv in row}

    def forward_sweeps(self) -> None:
        """Forward mode: one sweep per input, seed dx_j/dx_j = 1."""
        for seed in self.inputs:
            dot = {s: (sp.S.One if s == seed else sp.S.Zero) for s in self.leaves}
            for sym, parents in zip(self.node_syms, self.parents_of):
                dot[sym] = sp.Add(*(self.local[(sym, p)] * dot[p] for p in parents))
            for s, t in dot.items():
                self.tangents[s].append(t)

    def reverse_sweep(self) -> None:
        """Reverse mode: one sweep, seed ∂f/∂f = 1."""
        adjoint = self.adjoint
        adjoint[self.node_syms[-1]] = sp.S.One
        for sym in reversed(list(self.leaves) + self.node_syms[:-1]):
            adjoint[sym] = sp.Add(*(adjoint[c] * self.local[(c, sym)] for c in self.children_of[sym]))

    def present(self, finish: Callable[[list[Any]], list[Any]] | None, reverse: bool) -> None:
        """Every number in one list, presented together by ``finish``, and handed back."""
        numbers: list[Any] = []
        for s in self.order:
            numbers.append(self.value[s])
            numbers.extend(self.tangents[s])
            if reverse:
                numbers.append(self.adjoint[s])
        for row in self.partials:
            numbers.extend(pv for _, _, pv in row)
        shown = list(finish(numbers)) if finish is not None else numbers
        it = iter(shown)
        self.out_value: dict[Any, Any] = {}
        self.out_tangents: dict[Any, tuple[Any, ...]] = {}
        self.out_adjoint: dict[Any, Any] = {}
        for s in self.order:
            self.out_value[s] = next(it)
            self.out_tangents[s] = tuple(next(it) for _ in self.tangents[s])
            if reverse:
                self.out_adjoint[s] = next(it)
        self.out_partials = [[(p, formula, next(it)) for p, formula, _ in row] for row in self.partials]

    def records(self, forward: bool, reverse: bool) -> tuple[Variable, ...]:
        name_of, node_syms = self.name_of, self.node_syms
        expressions = {s: s for s in self.leaves}
        for node, sym in zip(self.nodes, node_syms):
            expressions[sym] = node.expr
        records: list[Variable] = []
        for s in self.order:
            node_i = node_syms.index(s) if s in node_syms else None
            if node_i is None:
                kind = "input" if s in self.inputs else "parameter"
                definition, parents, plist = None, (), ()
            else:
                kind = "output" if node_i == len(node_syms) - 1 else "intermediate"
                definition = self.definitions[node_i]
                parents = tuple(name_of[p] for p in self.parents_of[node_i])
                plist = tuple(Partial(name_of[p], formula, pv) for p, formula, pv in self.out_partials[node_i])
            records.append(Variable(
                name=name_of[s], symbol=s, kind=kind, definition=definition, expression=expressions[s],
                parents=parents, children=tuple(name_of[c] for c in self.children_of[s]), partials=plist,
                value=self.out_value[s], tangents=self.out_tangents[s] if forward else None,
                adjoint=self.out_adjoint[s] if reverse else None,
            ))
        return tuple(records)
