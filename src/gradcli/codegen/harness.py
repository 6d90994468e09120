"""The numeric check of generated code: its gradient (and Hessian) against central differences
of its own f, at random inputs.

This module is self-contained (NumPy, and the target's library when asked for): ``gradcli
codegen --gradcheck`` runs it, and ``--test FILE`` copies its source into the pytest file, so
both run the same check.

At each point, for each variable entry checked (every entry up to 64, else 64 at random, and
2 random directions), the derivative of f along the direction E by a fourth-order central
difference, (f(-2h) - 8 f(-h) + 8 f(h) - f(2h)) / 12h with h = 0.001 max(1, |x|), is compared
with sum(gradient * E).  For a symmetric matrix variable W the directions are symmetric
(E_ij = E_ji = 1): the gradient is taken as if W's entries were independent, so the change of f
along a symmetric change is what it must give.  The Hessian is checked the same way against
central differences of the gradient.

The relative error of a derivative d against the code's g is |d - g| / max(|d|, |g|, floor),
where the floor is a thousandth of the largest derivative at that point, or, if larger, ten times
the bound on the rounding error of the difference divided by TOLERANCE: an error in a
derivative far smaller than the others is measured against the others, and rounding alone never
fails the check.  The check passes when the largest error is below TOLERANCE.
"""

import contextlib

import numpy as np

TOLERANCE = 1e-6
POINTS = 3
ENTRIES = 64
DIRECTIONS = 2
ATTEMPTS = 20
_EPS = np.finfo(float).eps


def random_inputs(rng, arguments, sizes, attempt=0):
    """Random arguments: positive scalars and vectors, square matrices near the identity
    (invertible, with a positive determinant), symmetric ones symmetric; ``attempt``: the
    points already refused (f or its gradient not finite there): after an odd number of them,
    wider ranges of both signs."""
    wide = attempt % 2 == 1
    out = {}
    for name, kind, dims, symmetric in arguments:
        dims = tuple(sizes.get(d, d) for d in dims)
        if kind == "scalar":
            out[name] = np.float64(rng.uniform(-2, 2) if wide else rng.uniform(0.5, 1.5))
        elif kind == "vector":
            out[name] = rng.uniform(-2, 2, dims) if wide else rng.uniform(0.5, 1.5, dims)
        elif dims[0] == dims[1]:
            spread = rng.uniform(-1, 1, dims) if wide else rng.uniform(-0.5, 0.5, dims)
            matrix = np.eye(dims[0]) + spread / np.sqrt(dims[0])
            out[name] = (matrix + matrix.T) / 2 if symmetric else matrix
        else:
            out[name] = rng.uniform(-2, 2, dims) if wide else rng.uniform(-1, 1, dims)
    return out


def converters(target):
    """(to the target, back to NumPy) for arrays and scalars."""
    if target == "jax":
        import jax.numpy as jnp

        return jnp.asarray, np.asarray
    if target == "torch":
        import torch

        def back(value):
            return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)

        return (lambda value: torch.tensor(value, dtype=torch.float64)), back
    return (lambda value: value), np.asarray


def float64(target):
    """A context in which the target computes in float64 (JAX computes in float32 by default)."""
    if target != "jax":
        return contextlib.nullcontext()
    import jax

    if hasattr(jax, "enable_x64"):
        return jax.enable_x64(True)
    from jax.experimental import enable_x64  # older JAX

    return enable_x64()


def _directions(rng, arg, shape, symmetric, variables):
    """(name, direction) pairs: entries of the variable (pairs when symmetric), and random."""
    name = arg
    if len(variables) > 1 or not shape:  # scalar variables: one direction each
        return [(v, 1.0) for v in variables]
    entries = []
    for index in np.ndindex(*shape):
        if symmetric and index[0] > index[1]:
            continue
        e = np.zeros(shape)
        e[index] = 1.0
        if symmetric:
            e[index[::-1]] = 1.0
        entries.append((name, e))
    if len(entries) > ENTRIES:
        entries = [entries[i] for i in rng.choice(len(entries), ENTRIES, replace=False)]
    for _ in range(DIRECTIONS):
        e = rng.standard_normal(shape)
        entries.append((name, (e + e.T) / 2 if symmetric else e))
    return entries


def _stencil(fun, h):
    values = [fun(-2 * h), fun(-h), fun(h), fun(2 * h)]
    derivative = (values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * h)
    noise = 18 * _EPS * max(np.max(np.abs(v)) for v in values) / (12 * h)
    return derivative, noise


def _errors(numeric, analytic, noise):
    numeric, analytic = np.asarray(numeric, float), np.asarray(analytic, float)
    scale = max(np.max(np.abs(numeric)), np.max(np.abs(analytic)))
    floor = max(1e-3 * scale, 10 * noise / TOLERANCE, 1e-300)
    largest = np.maximum(np.maximum(np.abs(numeric), np.abs(analytic)), floor)
    return np.abs(numeric - analytic) / largest


class _Point:
    """The functions at one point of the arguments."""

    def __init__(self, functions, arguments, inputs, target):
        self.functions = functions
        self.names = [a[0] for a in arguments]
        self.inputs = inputs
        self.to, self.back = converters(target)

    def call(self, name, inputs=None):
        inputs = self.inputs if inputs is None else inputs
        with np.errstate(all="ignore"):  # a point outside the domain is skipped, not reported
            out = self.functions[name](*(self.to(inputs[n]) for n in self.names))
        return tuple(self.back(v) for v in out) if isinstance(out, tuple) else self.back(out)

    def moved(self, name, direction, t):
        inputs = dict(self.inputs)
        inputs[name] = inputs[name] + t * direction
        return inputs


def _check_point(point, variables, directions, hessian):
    value = point.call("f")
    value2, gradient = point.call("grad_f")
    if not (np.all(np.isfinite(value)) and np.all(np.isfinite(gradient))):
        return None
    several = len(variables) > 1 or np.ndim(point.inputs[variables[0]]) == 0
    grad_errors, hess_errors = [], []
    numeric, analytic, noises = [], [], []
    hess = point.call("hess_f")[2] if hessian else None
    for index, (name, e) in enumerate(directions):
        h = 1e-3 * max(1.0, float(np.max(np.abs(point.inputs[name]))))
        d, noise = _stencil(lambda t, n=name, e=e: point.call("f", point.moved(n, e, t)), h)
        g = gradient[index] if several else np.sum(gradient * e)
        numeric.append(d)
        analytic.append(g)
        noises.append(noise)
        if hess is not None:
            def gradient_at(t, n=name, e=e):
                return point.call("grad_f", point.moved(n, e, t))[1]

            dg, noise_g = _stencil(gradient_at, h)
            hg = hess[:, index] if several else np.tensordot(hess, e, axes=np.ndim(e))
            hess_errors.append(np.max(_errors(dg, hg, noise_g)))
    grad_errors = _errors(numeric, analytic, max(noises))
    same = abs(value - value2) / max(abs(value), 1e-300)
    hess_error = max(hess_errors) if hess_errors else None
    return max(float(np.max(grad_errors)), float(same)), hess_error


def gradcheck(functions, arguments, variables, sizes, target="numpy", *, points=POINTS, seed=0):
    """Check ``grad_f`` (and ``hess_f`` when given) against central differences of ``f``.

    ``functions``: {"f": f, "grad_f": grad_f[, "hess_f": hess_f]}; ``arguments``: (name, kind,
    dims, symmetric) for each argument in order (kind scalar, vector or matrix; dims names of
    ``sizes`` or numbers); ``variables``: the names differentiated by.  Returns a dict with
    ``error`` (the largest relative error), ``gradient_error``, ``hessian_error``, ``points``,
    ``passed`` and ``reason`` (why no point could be checked).
    """
    rng = np.random.default_rng(seed)
    specs = {a[0]: a for a in arguments}
    first = specs[variables[0]]
    shape = tuple(sizes.get(d, d) for d in first[2])
    hessian = "hess_f" in functions
    grad_error, hess_error, checked = 0.0, 0.0, 0
    with float64(target):
        for attempt in range(ATTEMPTS):
            if checked == points:
                break
            inputs = random_inputs(rng, arguments, sizes, attempt - checked)
            point = _Point(functions, arguments, inputs, target)
            directions = _directions(rng, variables[0], shape, first[3], variables)
            result = _check_point(point, variables, directions, hessian)
            if result is None:
                continue
            checked += 1
            grad_error = max(grad_error, result[0])
            hess_error = max(hess_error, result[1] or 0.0)
    error = max(grad_error, hess_error)
    reason = None if checked else "no random point was found where f and its gradient are finite"
    return {"error": float(error) if checked else None,
            "gradient_error": float(grad_error) if checked else None,
            "hessian_error": float(hess_error) if checked and hessian else None, "points": checked,
            "passed": bool(checked and error < TOLERANCE), "reason": reason}


AD_TOLERANCE = 1e-8


def _largest(expected, actual):
    return float(np.max(_errors(expected, actual, 0.0)))


def _inputs_at(rng, functions, arguments, sizes, target, attempt):
    """Random inputs where the code's value and gradient are finite (None: none found)."""
    inputs = random_inputs(rng, arguments, sizes, attempt)
    point = _Point(functions, arguments, inputs, target)
    value, gradient = point.call("grad_f")
    if np.all(np.isfinite(value)) and np.all(np.isfinite(gradient)):
        return point
    return None


def compare_with_jax(functions, f_jax, arguments, variables, sizes, target="numpy", *, points=2,
                     seed=1):
    """The largest relative difference between the code's gradient (and Hessian) and
    jax.grad (and jax.hessian) of ``f_jax``, f written for JAX, at random inputs."""
    import jax
    import jax.numpy as jnp

    names = [a[0] for a in arguments]
    argnums = tuple(names.index(v) for v in variables)
    several = len(variables) > 1 or arguments[argnums[0]][1] == "scalar"
    rng = np.random.default_rng(seed)
    worst, checked = 0.0, 0
    with float64("jax"):
        for attempt in range(ATTEMPTS):
            point = _inputs_at(rng, functions, arguments, sizes, target, attempt - checked)
            if point is None:
                continue
            values = [jnp.asarray(point.inputs[n]) for n in names]
            gradient = point.call("grad_f")[1]
            which = argnums if several else argnums[0]
            expected = jax.grad(f_jax, argnums=which)(*values)
            expected = np.array([float(g) for g in expected]) if several else np.asarray(expected)
            worst = max(worst, _largest(expected, gradient))
            if "hess_f" in functions:
                hessian = np.asarray(jax.hessian(f_jax, argnums=which)(*values), dtype=float)
                worst = max(worst, _largest(hessian.reshape(np.shape(point.call("hess_f")[2])),
                                            point.call("hess_f")[2]))
            checked += 1
            if checked == points:
                break
    return worst if checked else float("nan")


def compare_with_torch(functions, arguments, variables, sizes, *, points=2, seed=1):
    """The largest relative difference between the code's gradient (and Hessian) and
    torch.autograd's of its own f (PyTorch code), at random inputs."""
    import torch

    names = [a[0] for a in arguments]
    rng = np.random.default_rng(seed)
    worst, checked = 0.0, 0
    for attempt in range(ATTEMPTS):
        point = _inputs_at(rng, functions, arguments, sizes, "torch", attempt - checked)
        if point is None:
            continue
        values = [torch.tensor(point.inputs[n], dtype=torch.float64) for n in names]
        wrt = [values[names.index(v)].requires_grad_() for v in variables]
        expected = torch.autograd.grad(functions["f"](*values), wrt)
        several = len(variables) > 1 or expected[0].dim() == 0
        expected = np.array([g.item() for g in expected]) if several else expected[0].numpy()
        worst = max(worst, _largest(expected, point.call("grad_f")[1]))
        if "hess_f" in functions:

            def of_variables(*vs, values=values):
                full = list(values)
                for i, v in enumerate(variables):
                    full[names.index(v)] = vs[i]
                return functions["f"](*full)

            start = tuple(w.detach() for w in wrt)
            hessian = torch.autograd.functional.hessian(of_variables, start)
            actual = point.call("hess_f")[2]
            if several:
                expected = np.array([[h.item() for h in row] for row in hessian])
            else:
                expected = hessian[0][0].numpy()
            worst = max(worst, _largest(expected.reshape(np.shape(actual)), actual))
        checked += 1
        if checked == points:
            break
    return worst if checked else float("nan")
