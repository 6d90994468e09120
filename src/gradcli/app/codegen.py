"""``codegen`` (``export``): Python source for f and its gradient (and Hessian) in NumPy, JAX or
PyTorch, from the results ``gradient`` and ``hessian`` compute; with ``--gradcheck``, that
source run at random inputs against central differences."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Any

import sympy as sp

from ..codegen import Argument, Problem, generate
from ..codegen.format import WIDTH
from ..codegen.names import argument_name
from ..errors import InputError
from ..model.symbols import natural_key
from ..record import replace
from ..render.printers import readable
from ..results import CodegenResult
from .common import Options, free_scalars
from .gradient import gradient, hessian


def codegen(text: str, opts: Options, *, wrt: Sequence[str] = (), target: str = "numpy",
            with_hessian: bool = False, gradcheck: bool = False, seed: int = 0, output: str | None = None,
            test: str | None = None) -> CodegenResult:
    """The module for ``text``; its check when asked (``gradcheck``); with ``test`` (the path the
    pytest file will have) the file's text, which imports the module from ``output`` if given.
    Nothing is written here."""
    grad = gradient(text, opts, wrt=wrt)
    hess = hessian(text, opts, wrt=wrt) if with_hessian else None
    arguments = _arguments(grad.function, grad.wrt, opts)
    problem = Problem(
        input=text,
        command=command_line(text, opts, wrt=wrt, target=target, with_hessian=with_hessian),
        function=grad.function,
        gradient=grad.result,
        hessian=hess.result if hess is not None else None,
        arguments=arguments,
        layout=str(opts.layout),
        target=target,
        function_text=readable(grad.function),
        gradient_text=readable(grad.result),
        hessian_text=readable(hess.result) if hess is not None else "",
    )
    module = generate(problem)
    report = None
    if gradcheck:
        from ..codegen.run import run_gradcheck

        report = run_gradcheck(module, seed=seed)
    test_text = None
    if test is not None:
        from ..codegen.testfile import test_source

        jax_module = None if target == "jax" else generate(replace(problem, target="jax", width=WIDTH - 4))
        written = (f" -o {shlex.quote(output)}" if output else "") + f" --test {shlex.quote(test)}"
        test_text = test_source(module, command=problem.command + written, test_path=test,
                                module_path=output, jax_module=jax_module)
    return CodegenResult(text, grad.function, grad.wrt, grad.result, opts.layout, target=target, module=module,
                         hessian=problem.hessian, gradcheck=report, output=output, test=test, test_source=test_text)


def _arguments(f: Any, variables: Sequence[Any], opts: Options) -> tuple[Argument, ...]:
    """The variables first (in their order), then the other symbols of f by name: the order
    of scipy.optimize's ``fun(x, *args)``."""
    symbols = set(free_scalars(f)) | (f.atoms(sp.MatrixSymbol) if isinstance(f, sp.Basic) else set())
    rest = sorted(set(symbols) - set(variables), key=lambda s: natural_key(s))
    symmetric = set(opts.decl.symmetric)
    out: list[Argument] = []
    codes: dict[str, str] = {}
    for sym in [*variables, *rest]:
        code = argument_name(sym.name)
        if code in codes.values():
            raise InputError(f"two arguments would both be called {code} in the code", "rename one of them")
        codes[sym.name] = code
        shape = tuple(sym.shape) if isinstance(sym, sp.MatrixSymbol) else ()
        out.append(Argument(name=sym.name, code=code, symbol=sym, shape=shape, symmetric=sym.name in symmetric,
                            variable=sym in variables))
    return tuple(out)


def command_line(text: str, opts: Options, *, wrt: Sequence[str], target: str, with_hessian: bool) -> str:
    """The command that writes this module (for its docstring)."""
    words = ["gradcli", "codegen", text]
    decl = opts.decl
    for option, names in (("--vector", decl.vectors), ("--matrix", decl.matrices), ("--symmetric", decl.symmetric)):
        if names:
            words += [option, ",".join(names)]
    for name, spec in decl.shapes:
        words += ["--shape", f"{name}={spec.strip()}"]
    if decl.dim is not None:
        words += ["--dim", str(decl.dim)]
    if wrt:
        words += ["--wrt", ",".join(wrt)]
    if str(opts.layout) != "numerator":
        words += ["--layout", str(opts.layout)]
    if opts.latex_input:
        words += ["--input", "latex"]
    if not opts.simplify:
        words.append("--no-simplify")
    if target != "numpy":
        words += ["--target", target]
    if with_hessian:
        words.append("--hessian")
    return " ".join(shlex.quote(w) for w in words)
