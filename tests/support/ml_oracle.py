"""Independent oracles for the machine-learning calculus (issue 16).

* ``jax_function``: a JAX function built from gradcli's *syntax tree* by a translator of its
  own (jax.numpy, float64), never through ``gradcli.model`` or ``gradcli.calculus``: jax.grad,
  jax.hessian and jax.jacobian of it are the second oracle.
* ``explicit_derivative``: the expression written out entry by entry at concrete sizes
  (gradcli's explicit build, which the calculus does not use) and differentiated with SymPy's
  scalar ``diff``; ``finite_difference``: central differences of the same at 40 digits
  (mpmath), which checks the oracle itself.
* ``at_values``: a symbolic result written out at numeric arrays.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from gradcli.language import ast as S
from gradcli.language import parse
from gradcli.model.declarations import Context, Declarations


def jnp_env():
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import jax.scipy.special as jsp

    return jax, jnp, jsp


def jax_function(text: str, sizes: dict[str, tuple[int, int]]):
    """f(env) for the expression, arrays as (rows, cols) jnp arrays."""
    jax, jnp, jsp = jnp_env()
    tree = parse(text)
    unary = {
        "sin": jnp.sin, "cos": jnp.cos, "tan": jnp.tan, "exp": jnp.exp, "log": jnp.log, "sqrt": jnp.sqrt,
        "tanh": jnp.tanh, "abs": jnp.abs, "sigmoid": jax.nn.sigmoid, "softplus": jax.nn.softplus,
        "relu": jax.nn.relu, "log1p": jnp.log1p, "expm1": jnp.expm1, "log2": jnp.log2, "log10": jnp.log10,
        "sum": jnp.sum, "mean": jnp.mean, "det": jnp.linalg.det, "inv": jnp.linalg.inv,
        "norm": lambda v: jnp.sqrt(jnp.sum(v**2)), "tr": jnp.trace,
        "diag": lambda v: jnp.diag(v[:, 0]), "softmax": lambda v: jax.nn.softmax(v, axis=0),
        "logsumexp": jsp.logsumexp, "vec": lambda m: m.T.reshape(-1, 1),
    }

    def mat(v: Any) -> bool:
        return getattr(v, "ndim", 0) == 2 and v.shape != (1, 1)

    def ev(n: S.Node, env: dict) -> Any:
        if isinstance(n, S.Number):
            return float(Fraction(n.text))
        if isinstance(n, S.Name):
            return {"pi": jnp.pi, "e": jnp.e}.get(n.name, env.get(n.name))
        if isinstance(n, S.Unary):
            return -ev(n.operand, env) if n.op == "-" else ev(n.operand, env)
        if isinstance(n, S.Transpose):
            return ev(n.operand, env).T
        if isinstance(n, S.Call):
            args = [ev(a, env) for a in n.args]
            if n.name in ("max", "min"):
                return (jnp.maximum if n.name == "max" else jnp.minimum)(*args)
            if n.name == "kron":
                return jnp.kron(*args)
            return unary[n.name](*args)
        assert isinstance(n, S.Binary), n
        if n.op == "^" and isinstance(n.right, S.Name) and n.right.name == "T":
            return ev(n.left, env).T
        a, b = ev(n.left, env), ev(n.right, env)
        if n.op == "+":
            return a + b
        if n.op == "-":
            return a - b
        if n.op == "*":
            return a @ b if mat(a) and mat(b) or (getattr(a, "ndim", 0) == 2 and getattr(b, "ndim", 0) == 2
                                                  and a.shape[1] == b.shape[0]) else a * b
        if n.op in ("/", "./"):
            return a / b
        if n.op == ".*":
            return a * b
        if n.op in ("^", ".^"):
            if n.op == "^" and mat(a):
                return jnp.linalg.matrix_power(a, int(b))
            return a**b
        if n.op == "⊗":
            return jnp.kron(a, b)
        raise AssertionError(n.op)

    def f(env: dict) -> Any:
        out = ev(tree, env)
        return out.reshape(()) if getattr(out, "shape", ()) == (1, 1) else out

    return f


def jax_derivative(text: str, kind: str, wrt: str, values: dict[str, sp.Matrix], layout: str):
    """The gradient, Hessian or Jacobian by JAX at ``values`` (explicit rational matrices)."""
    jax, jnp, _ = jnp_env()
    f = jax_function(text, {k: v.shape for k, v in values.items()})
    env = {k: jnp.array([[float(e) for e in v.row(i)] for i in range(v.rows)], dtype=jnp.float64)
           for k, v in values.items()}

    def g(x: Any) -> Any:
        return f({**env, wrt: x})

    x0 = env[wrt]
    if kind == "gradient":
        out = jax.grad(g)(x0)
        if x0.shape[1] == 1 and layout == "numerator":
            out = out.T
    elif kind == "hessian":
        n = x0.shape[0]
        out = jax.hessian(g)(x0).reshape(n, n)
    else:
        jac = jax.jacobian(g)(x0)
        m, n = jac.shape[0], x0.shape[0]
        out = jac.reshape(m, n)
        if layout == "denominator":
            out = out.T
    return [[float(v) for v in row] for row in out.tolist()]


def random_values(names: dict[str, tuple[int, int]], rng: random.Random, symmetric: set[str] = frozenset(),
                  spd: set[str] = frozenset()) -> dict[str, sp.Matrix]:
    out = {}
    for name, (r, c) in names.items():
        m = sp.Matrix(r, c, lambda i, j: sp.Rational(rng.randint(-20, 20), rng.randint(7, 13)))
        if name in symmetric or name in spd:
            m = (m + m.T) / 2
        if name in spd:
            m = m * m.T + sp.eye(r)
        out[name] = m
    return out


def explicit_build(text: str, decl: Declarations, sizes: dict):
    ctx = Context(decl, sizes=sizes, source=text)
    from gradcli.model.build import build

    return build(parse(text), ctx), ctx


def explicit_derivative(text: str, decl: Declarations, sizes: dict, kind: str, wrt: str, layout: str):
    """(f explicit, derivative as an explicit matrix of expressions, the wrt entries matrix, ctx)."""
    f, ctx = explicit_build(text, decl, sizes)
    f = f[0, 0] if isinstance(f, sp.MatrixBase) and f.shape == (1, 1) else f
    x = ctx.lookup(wrt)
    if kind == "gradient":
        d = sp.Matrix(x.rows, x.cols, lambda i, j: sp.diff(f, x[i, j]))
        if x.cols == 1 and layout == "numerator":
            d = d.T
    elif kind == "hessian":
        d = sp.Matrix(x.rows, x.rows, lambda i, j: sp.diff(f, x[i, 0], x[j, 0]))
    else:
        f = f if isinstance(f, sp.MatrixBase) else sp.Matrix([[f]])
        d = sp.Matrix(f.rows, x.rows, lambda i, j: sp.diff(f[i, 0], x[j, 0]))
        if layout == "denominator":
            d = d.T
    return f, d, x, ctx


def substitution(ctx: Context, values: dict[str, sp.Matrix]) -> dict:
    subs = {}
    for name, v in values.items():
        m = ctx.lookup(name)
        for i in range(m.rows):
            for j in range(m.cols):
                subs[m[i, j]] = v[i, j]
    return subs


def finite_difference(f: Any, sym: Any, subs: dict, digits: int = 40) -> Any:
    """Central difference of f by sym at subs, in ``digits`` digits (h = 10^-15)."""
    from gradcli.model.functions import relu, sigmoid, softplus

    f = f.replace(sigmoid, lambda a: 1 / (1 + sp.exp(-a))).replace(softplus, lambda a: sp.log(1 + sp.exp(a)))
    f = f.replace(relu, lambda a: sp.Max(a, 0))
    with mpmath.workdps(digits):
        g = sp.lambdify(list(subs), f, modules="mpmath")
        base = [mpmath.mpf(sp.Rational(subs[s]).p) / sp.Rational(subs[s]).q for s in subs]
        k = list(subs).index(sym)
        h = mpmath.mpf(10) ** -15
        up, down = list(base), list(base)
        up[k] += h
        down[k] -= h
        return (g(*up) - g(*down)) / (2 * h)


def at_values(result: Any, values: dict[str, sp.Matrix], sizes: dict) -> sp.Matrix:
    """A symbolic result at explicit arrays: sizes and symbols replaced, written out."""
    if not isinstance(result, sp.Basic):
        return sp.Matrix([[result]])
    result = result.xreplace({sp.Symbol(str(k), integer=True, positive=True): v for k, v in sizes.items()})
    mats = {m: sp.ImmutableMatrix(values[m.name]) for m in result.atoms(sp.MatrixSymbol) if m.name in values}
    out = result.xreplace(mats).doit()
    if not isinstance(out, sp.MatrixBase):
        out = sp.ImmutableMatrix(out.as_explicit()) if hasattr(out, "as_explicit") else sp.Matrix([[out]])
    return sp.Matrix(out)


def close(a: Any, b: Any, digits: int = 30) -> bool:
    with mpmath.workdps(digits + 10):
        x, y = mpmath.mpf(sp.N(a, digits + 10)), mpmath.mpf(sp.N(b, digits + 10))
        return abs(x - y) <= mpmath.mpf(10) ** -digits * max(1, abs(y))
