"""``--gradcheck``: the generated module run at random inputs (``harness``), in this process.

What runs is gradcli's own output, built only from checked names and printed SymPy trees
(``module``), executed in a fresh namespace under the call's time limit; the user's text is
never executed.  Sizes left symbolic take 3, 4, 5, ... (one value each, so that a transpose
in the wrong place changes the shapes), given sizes (``--dim``, ``--shape``) keep theirs.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import sympy as sp

from ..errors import InputError
from ..limits import MAX_GRADCHECK_ENTRIES
from ..record import record
from .problem import Module
from .targets import LIBRARIES

#: The first value of symbolic sizes (the next ones count up from it).
DEFAULT_SIZE = 3
_MODULES = {"numpy": "numpy", "jax": "jax", "torch": "torch"}


@record
class GradcheckReport:
    error: float | None  # the largest relative error (None: no point could be checked)
    gradient_error: float | None
    hessian_error: float | None
    points: int
    sizes: tuple[tuple[str, int], ...]  # (size name, value) for each size of the arguments
    target: str
    tolerance: float
    passed: bool
    reason: str | None = None


def check_sizes(module: Module) -> dict[str, int]:
    """{size name in the code: its value}: given sizes as given, symbolic ones 3, 4, ..."""
    sizes: dict[str, int] = {}
    value = DEFAULT_SIZE
    for _symbol, name in module.sizes:
        sizes[name] = value
        value += 1
    total = 0
    for arg in module.arguments:
        count = 1
        for d in arg.shape:
            count *= sizes[dict(module.sizes)[d]] if isinstance(d, sp.Symbol) else int(d)
        total += count
    if total > MAX_GRADCHECK_ENTRIES:
        raise InputError(f"--gradcheck at these sizes would make arrays of {total:,} entries "
                         f"(at most {MAX_GRADCHECK_ENTRIES:,})", "check at smaller sizes (--dim, --shape)")
    return sizes


def harness_arguments(module: Module) -> list[tuple[str, str, tuple, bool]]:
    """(name, kind, dims, symmetric) of each argument, as ``harness`` takes them."""
    names = dict(module.sizes)
    out = []
    for arg in module.arguments:
        dims = tuple(names[d] if isinstance(d, sp.Symbol) else int(d) for d in arg.shape)
        if arg.kind == "vector":
            dims = tuple(d for d, s in zip(dims, arg.shape) if s != 1)
        elif arg.kind == "scalar":
            dims = ()
        out.append((arg.code, arg.kind, dims, arg.symmetric))
    return out


def _require(target: str) -> None:
    if importlib.util.find_spec(_MODULES[target]) is None:
        raise InputError(f"--gradcheck --target {target} runs the code, which needs {LIBRARIES[target]}: "
                         f"it is not installed", f"pip install {_MODULES[target]}")


def run_gradcheck(module: Module, *, seed: int = 0) -> GradcheckReport:
    """Run the module's check (``harness.gradcheck``) and report it."""
    _require(module.target)
    sizes = check_sizes(module)
    from . import harness

    namespace: dict[str, Any] = {"__name__": "gradcli_generated"}
    exec(compile(module.source, "<gradcli codegen>", "exec"), namespace)  # gradcli's own output, not user text
    functions = {name: namespace[name] for name in module.functions}
    variables = [a.code for a in module.variables]
    result = harness.gradcheck(functions, harness_arguments(module), variables, sizes, module.target, seed=seed)
    return GradcheckReport(
        error=result["error"], gradient_error=result["gradient_error"], hessian_error=result["hessian_error"],
        points=result["points"], sizes=tuple(sizes.items()), target=module.target, tolerance=harness.TOLERANCE,
        passed=result["passed"], reason=result["reason"])
