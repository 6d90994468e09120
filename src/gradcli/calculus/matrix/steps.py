"""Matrix ``--steps``: the derivation of a matrix derivative by differentials, the way Magnus
and Neudecker do it.

The steps are recorded by the differential engine of ``calculus.matrix.diff`` itself, as it
forms the terms: ``_Recorder`` is that engine (``_Diff``) with a note taken at each rule it
applies, so the steps are the computation, not a second calculus.  Each step is an equation

    d(E) = (the terms of dE, linear in dX)

that holds on its own (``tests/test_matrix_steps.py`` checks each at concrete sizes, both sides
evaluated at random X and dX).  The rules: d(X + Y) = dX + dY, d(XY) = dX Y + X dY,
d(X^T) = (dX)^T, d(X^-1) = -X^-1 dX X^-1, d(X^k), d f(Z) = f'(Z) .* dZ (entrywise functions
and Hadamard products), d softmax, d diag, d tr(X) = tr(dX), d det(X) = det(X) tr(X^-1 dX),
d sum(Z) = sum(dZ), d logsumexp(z) = softmax(z)^T dz and the chain rule through scalar
functions.  Then the differential is brought to df = tr(G^T dX) (df = g^T dx for a vector x,
df = J dx for a vector function) and the derivative read off in the layout asked for.

Core code: takes and returns data, never prints, never exits.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr

from ...errors import InputError
from ...model.arrays import ArraySum, Diag, Entrywise, LogSumExp, Softmax, Vec
from ...model.layout import Layout, layout_of
from ...model.shapes import shape_of, shape_text
from ...record import record
from . import _as_scalar_input, _kind, matrix_derivative
from .canon import collect
from .diff import Lin, Scal, _Diff, _top_scalar_atoms
from .entrywise import Had
from .vecterm import VecLin

__all__ = ["MatrixStep", "MatrixStepsResult", "matrix_steps", "MATRIX_RULES"]

#: rule -> the differential rule it applies, as the notes show it
MATRIX_RULES = {
    "sum": "d(X + Y) = dX + dY",
    "product": "d(XY) = dX Y + X dY",
    "scalar multiple": "d(a X) = da X + a dX",
    "transpose": "d(X^T) = (dX)^T",
    "inverse": "d(X^-1) = -X^-1 dX X^-1",
    "matrix power": "d(X^k) = sum over i = 0..k-1 of X^i dX X^(k-1-i)",
    "entrywise": "d f(Z) = f'(Z) .* dZ, entry by entry",
    "hadamard": "d(X .* Y) = dX .* Y + X .* dY",
    "hadamard power": "d(Z.^p) = p Z.^(p - 1) .* dZ",
    "softmax": "d softmax(z) = (diag(s) - s s^T) dz with s = softmax(z)",
    "diag": "d diag(v) = diag(dv)",
    "vec": "d vec(Y) = vec(dY), vec(A dX B) = kron(B^T, A) vec(dX)",
    "kron": "d kron(Y, Z) = kron(dY, Z) + kron(Y, dZ), written by vec (Magnus & Neudecker 3.10)",
    "array": "the rule of this array function",
    "trace": "d tr(X) = tr(dX)",
    "determinant": "d det(X) = det(X) tr(X^-1 dX)",
    "sum of entries": "d sum(Z) = sum(dZ)",
    "logsumexp": "d logsumexp(z) = softmax(z)^T dz",
    "chain": "rule (5.48): d g(u) = g'(u) du",
    "constant": "dA = 0 for A that does not depend on the variable",
    "trace form": "",
    "jacobian form": "",
}


@record
class MatrixStep:
    """One rule applied: ``d(expression) = differential``."""

    rule: str
    expression: Any
    differential: Any
    note: str = ""
    substeps: tuple[MatrixStep, ...] = ()

    def walk(self, depth: int = 0):
        """(depth, step) pairs in reading order: this step, then its substeps."""
        yield depth, self
        for sub in self.substeps:
            yield from sub.walk(depth + 1)


@record
class MatrixStepsResult:
    function: Any
    var: sp.MatrixSymbol
    #: the differential of the variable, dX: a matrix symbol of X's shape
    dvar: sp.MatrixSymbol
    root: MatrixStep
    #: df = tr(G^T dX), df = g^T dx or df = J dx
    form: MatrixStep
    #: the derivative read off, in ``layout``
    result: Any
    layout: str
    read_off: str

    def flat(self) -> tuple[tuple[int, MatrixStep], ...]:
        """Every step with its depth (root 0), in reading order, then the form (depth 0)."""
        return (*self.root.walk(0), (0, self.form))


def _mm(c: Any, *mats: Any) -> Any:
    """c times the product of mats, unevaluated (c alone without mats)."""
    if not mats:
        return c
    flat: list = []
    for m in mats:
        if isinstance(m, sp.MatMul):
            coeff, factors = m.as_coeff_matrices()
            c, flat = c * coeff, flat + list(factors)
        else:
            flat.append(m)
    mats = tuple(flat)
    if c == 1:
        return mats[0] if len(mats) == 1 else sp.MatMul(*mats)
    return sp.MatMul(c, *mats)


def _one_by_one(s: Any) -> bool:
    """A scalar that is a 1 x 1 product (its step is the product's)."""
    if isinstance(s, MatrixExpr):
        return True
    if isinstance(s, sp.Trace):
        return tuple(s.arg.shape) == (1, 1)
    return isinstance(s, MatrixElement)


def _matrix_rule(e: Any) -> str:
    """The rule ``_Diff.dmat`` applies to e (its dispatch order)."""
    if isinstance(e, sp.Transpose):
        return "transpose"
    if isinstance(e, sp.MatAdd):
        return "sum"
    if isinstance(e, sp.MatMul):
        scalars = [a for a in e.args if not isinstance(a, MatrixExpr)]
        mats = [a for a in e.args if isinstance(a, MatrixExpr)]
        return "scalar multiple" if len(mats) == 1 and scalars else "product"
    if isinstance(e, sp.Inverse):
        return "inverse"
    if isinstance(e, sp.MatPow):
        return "matrix power"
    for kind, rule in ((Entrywise, "entrywise"), (sp.HadamardProduct, "hadamard"),
                       (sp.HadamardPower, "hadamard power"), (Softmax, "softmax"), (Diag, "diag"), (Vec, "vec"),
                       (sp.KroneckerProduct, "kron")):
        if isinstance(e, kind):
            return rule
    return "array"


class _Recorder(_Diff):
    """The differential engine, taking a step down at each rule it applies."""

    def __init__(self, wrt: sp.MatrixSymbol, symmetric: frozenset[str], dvar: sp.MatrixSymbol):
        super().__init__(wrt, symmetric)
        self.dvar = dvar
        self.stack: list[list[MatrixStep]] = [[]]
        self.traced: list[Any] = []  # per scalar frame: the terms its trace was taken of
        self.ds: dict[Any, Any] = {}  # scalar -> its differential (as shown)
        self.top_grad: list | None = None

    # -- the engine's rules, recorded --------------------------------------------------------

    def dmat(self, e: Any) -> list:
        if not self.has(e) or e == self.X:
            return super().dmat(e)
        self.stack.append([])
        terms = super().dmat(e)
        children = tuple(self.stack.pop())
        rule = _matrix_rule(e)
        self.stack[-1].append(MatrixStep(rule, e, self.sum_terms(terms, e.shape), MATRIX_RULES[rule], children))
        return terms

    def scalar_grad(self, s: Any) -> list:
        if not self.has(s):
            return super().scalar_grad(s)
        self.stack.append([])
        self.traced.append(None)
        g = super().scalar_grad(s)
        children = tuple(self.stack.pop())
        captured = self.traced.pop()
        step = self._scalar_step(s, children, captured or [])
        self.ds[s] = step.differential
        if _one_by_one(s):
            self.stack[-1].extend(children)  # the product's own step says it
        else:
            self.stack[-1].append(step)
        if len(self.stack) == 1:
            self.top_grad = g
        return g

    def trace_grad(self, terms: list) -> list:
        if self.traced and self.traced[-1] is None:
            self.traced[-1] = list(terms)
        return super().trace_grad(terms)

    # -- a scalar's step -------------------------------------------------------------------

    def _scalar_step(self, s: Any, children: tuple, captured: list) -> MatrixStep:
        if _one_by_one(s):
            return MatrixStep("product", s, sp.Trace(self.sum_terms(captured, (1, 1))), MATRIX_RULES["product"],
                              children)
        if isinstance(s, sp.Trace):
            return MatrixStep("trace", s, sp.Trace(self.sum_terms(captured, s.arg.shape)), MATRIX_RULES["trace"],
                              children)
        if isinstance(s, sp.Determinant):
            diff = s * sp.Trace(self.sum_terms(captured, s.arg.shape))
            return MatrixStep("determinant", s, diff, MATRIX_RULES["determinant"], children)
        if isinstance(s, ArraySum):
            return MatrixStep("sum of entries", s, ArraySum(self._d_of(s.arg, children)),
                              MATRIX_RULES["sum of entries"], children)
        if isinstance(s, LogSumExp):
            z = s.arg
            diff = sp.Trace(_mm(1, self.cn.tpose(Softmax(z)), self._d_of(z, children)))
            return MatrixStep("logsumexp", s, diff, MATRIX_RULES["logsumexp"], children)
        atoms = _top_scalar_atoms(s, self.X)
        dummies = {a: sp.Dummy("u", real=True) for a in atoms}
        back = {d: a for a, d in dummies.items()}
        plain = s.xreplace(dummies)
        total = sp.S.Zero
        for a, d in dummies.items():
            outer = sp.diff(plain, d).xreplace(back)
            if outer != 0:
                total += outer * self.ds[a]
        note = MATRIX_RULES["chain"] + ", u each trace, determinant or 1 x 1 product in it"
        return MatrixStep("chain", s, total, note, children)

    def _d_of(self, z: Any, children: tuple) -> Any:
        """dz as its step wrote it."""
        if z == self.X:
            return self.dvar
        for c in children:
            if c.expression == z:
                return c.differential
        return self.sum_terms(self.dmat(z), z.shape)

    # -- terms as expressions --------------------------------------------------------------

    def term_expr(self, t: Any) -> Any:
        if isinstance(t, Lin):
            dx = sp.Transpose(self.dvar) if t.t else self.dvar
            return _mm(t.c, *t.L, dx, *t.R)
        if isinstance(t, Had):
            inner = self.sum_terms(list(t.T), tuple(t.H.shape))
            return _mm(t.c, *t.L, sp.HadamardProduct(t.H, inner), *t.R)
        if isinstance(t, VecLin):  # c P vec(dX), a column (or its transpose, a row); unvec is not written
            if t.cols != 1 and t.rows != 1:
                raise InputError("--steps does not show a differential through kron(...) of a matrix",
                                 "drop --steps: the derivative itself is computed")
            column = _mm(1, *t.P, Vec(self.dvar))
            return _mm(t.c, column if t.cols == 1 else sp.Transpose(column))
        assert isinstance(t, Scal)
        ds = self.scalar_form(collect(t.g))
        m = _mm(t.c, *t.M) if t.M else _mm(t.c, sp.Identity(t.rows))
        return _mm(ds, m)

    def sum_terms(self, terms: list, shape: tuple) -> Any:
        exprs = [self.term_expr(t) for t in terms]
        if not exprs:
            return sp.ZeroMatrix(*shape)
        return exprs[0] if len(exprs) == 1 else sp.MatAdd(*exprs)

    def scalar_form(self, g: list) -> Any:
        """tr(G^T dX) of the gradient monomials g: g^T dx for a column x."""
        rows, cols = self.X.shape
        gt = self.cn.sum_expr(collect((c, self.cn.tseq(at)) for c, at in g), (cols, rows))
        return sp.Trace(_mm(1, gt, self.dvar))


def _dvar(var: sp.MatrixSymbol, f: Any) -> sp.MatrixSymbol:
    taken = {m.name for m in f.atoms(sp.MatrixSymbol)} if isinstance(f, sp.Basic) else set()
    name = "d" + var.name
    while name in taken:
        name = "d" + name
    return sp.MatrixSymbol(name, *var.shape)


def _read_off(kind: str, fkind: str, layout: str, name: str, symmetric: bool) -> str:
    """How the derivative is read off the form (the text after the result)."""
    if fkind != "scalar":
        if layout == Layout.NUMERATOR:
            return f"numerator layout: J of df = J d{name}"
        return f"denominator layout: J^T of df = J d{name}"
    if kind == "column":
        if layout == Layout.NUMERATOR:
            return f"numerator layout: the row g^T of df = g^T d{name}"
        return f"denominator layout: the column g of df = g^T d{name}"
    text = f"G of df = tr(G^T d{name}), the shape of {name}"
    if symmetric:
        text += f"; {name} is symmetric: its symmetry imposed on G"
    return text


def matrix_steps(f: Any, wrt: sp.MatrixSymbol, *, layout: str = Layout.NUMERATOR,
                 symmetric: frozenset[str] = frozenset(), wrt_symmetric: bool = False) -> MatrixStepsResult:
    """The derivative of f by the vector or matrix symbol wrt, derived by differentials.

    f: a scalar (or 1 x 1) expression, or a vector function (a Jacobian by a vector).
    ``symmetric``: names of the other symmetric matrices; ``wrt_symmetric``: the variable's own
    symmetry (its entries are differentiated as independent and the symmetry imposed on the
    result, as ``calculus.derivative.matrix_symbol_derivative`` does)."""
    layout = layout_of(layout)
    fshape = shape_of(_as_scalar_input(f))
    if fshape and _kind(fshape) != "scalar" and "matrix" in (_kind(fshape), _kind(tuple(wrt.shape))):
        raise InputError(
            f"--steps brings a differential to df = tr(G^T dX), g^T dx or J dx; the derivative of this "
            f"{shape_text(fshape)} expression by {wrt.name} is a tensor",
            "drop --steps: derivative shows a tensor in index and vec form",
        )
    dvar = _dvar(wrt, f)
    rec = _Recorder(wrt, frozenset(symmetric), dvar)
    result = matrix_derivative(f, wrt, layout=layout, symmetric=symmetric, engine=rec)
    scalar_f = _as_scalar_input(f)
    fshape = shape_of(scalar_f)
    fkind = _kind(fshape) if fshape else "scalar"
    top = rec.stack[0]
    if not top:
        root = MatrixStep("constant", scalar_f, sp.S.Zero if fkind == "scalar" else sp.ZeroMatrix(*fshape),
                          MATRIX_RULES["constant"])
    else:
        root = top[-1]
    kind = _kind(tuple(wrt.shape))
    if fkind == "scalar":
        g = collect(rec.top_grad or [])
        form_diff = rec.scalar_form(g) if g else sp.S.Zero
        note = (f"u^T d{wrt.name} = d{wrt.name}^T u for a scalar, like terms collected"
                if kind == "column" else "tr(AB) = tr(BA) and tr(A^T) = tr(A), like terms collected")
        form = MatrixStep("trace form", scalar_f, form_diff, note)
    else:
        jac = matrix_derivative(f, wrt, layout=Layout.NUMERATOR, symmetric=symmetric)
        form = MatrixStep("jacobian form", scalar_f, _mm(1, jac, dvar), "h .* dz = diag(h) dz, like terms collected")
    read_off = _read_off(kind, fkind, layout, wrt.name, wrt_symmetric)
    return MatrixStepsResult(function=scalar_f, var=wrt, dvar=dvar, root=root, form=form, result=result,
                             layout=layout, read_off=read_off)
