"""``--test FILE``: a pytest file that checks the generated code as ``--gradcheck`` does (the
source of ``harness`` is copied into it, so it needs only NumPy, pytest and the target), and,
where JAX is installed, compares the gradient (and Hessian) with ``jax.grad`` (and
``jax.hessian``) of f written for JAX; PyTorch code is also compared with ``torch.autograd``.

The module is imported from the ``-o`` file (by its path relative to the test file), or, without
``-o``, written into the test file itself.
"""

from __future__ import annotations

import inspect
import os
import textwrap
from pathlib import Path

from . import harness
from .format import WIDTH, lines
from .problem import Module
from .run import check_sizes, harness_arguments


def _harness_source() -> str:
    """The harness without its docstring and imports (the test file has them at its top)."""
    source = inspect.getsource(harness)
    return source.split("import numpy as np\n", 1)[1].strip() + "\n"


def _skip_imports(module: Module) -> list[str]:
    """The module's imports, as pytest skips when the library is missing (a target's tests
    skip where it is not installed)."""
    out = []
    for line in module.imports:
        if line == "import numpy as np":
            continue
        words = line.split()
        name = words[-1]
        out.append(f'{name} = pytest.importorskip("{words[1]}")')
    return out


def _module_part(module: Module, module_path: str | None, test_path: str) -> list[str]:
    if module_path is None:
        return [*_skip_imports(module), "", "", module.body.rstrip(), "", ""]
    relative = Path(os.path.relpath(os.path.abspath(module_path), os.path.dirname(os.path.abspath(test_path))))
    out = [f'pytest.importorskip("{module.target}")'] if module.target != "numpy" else []
    out += [
        "# the module under test, beside this file",
        f'_SPEC = importlib.util.spec_from_file_location("{_module_name(module_path)}", '
        f'Path(__file__).parent / "{relative.as_posix()}")',
        "module = importlib.util.module_from_spec(_SPEC)",
        "_SPEC.loader.exec_module(module)",
    ]
    out += [f"{name} = module.{name}" for name in module.functions]
    return out + ["", ""]


def _module_name(path: str) -> str:
    stem = Path(path).stem
    return stem if stem.isidentifier() else "generated"


def _jax_factory(jax_module: Module | None) -> list[str]:
    """``_jax_f()``: f written for JAX, for jax.grad (imports inside: JAX may be missing)."""
    if jax_module is None:
        return ["def _jax_f():", '    """f itself: this module is JAX code."""', "    return f", "", ""]
    definition = dict(jax_module.definitions)["f"]
    out = ["def _jax_f():", '    """f written for JAX by gradcli from the same expression, for jax.grad."""']
    out += [f"    {line}" for line in jax_module.imports]
    out += [""] + [("    " + line) if line else "" for line in definition.rstrip().split("\n")]
    return out + ["", "    return f", "", ""]


def test_source(module: Module, *, command: str, test_path: str, module_path: str | None = None,
                jax_module: Module | None = None) -> str:
    """The pytest file's text.  ``jax_module``: f for JAX (None when the module is JAX code)."""
    sizes = check_sizes(module)
    functions = ", ".join(f'"{name}": {name}' for name in module.functions)
    variables = [a.code for a in module.variables]
    doc = [f'"""Tests of code written by gradcli ({module.target}):']
    doc += textwrap.wrap(command.replace("\\", "\\\\"), WIDTH - 4, initial_indent="    ", subsequent_indent="        ",
                         break_on_hyphens=False)
    doc += ["", "grad_f (and hess_f) against central differences of f at random inputs, and, where JAX is",
            "installed, against jax.grad (and jax.hessian) of f written for JAX.", '"""', ""]
    out = doc + ["import contextlib", "import importlib.util", "from pathlib import Path", "", "import numpy as np",
                 "import pytest", "", ""]
    out += _module_part(module, module_path, test_path)
    out += lines(f"{{{functions}}}", prefix="FUNCTIONS = ")
    out += lines(repr(harness_arguments(module)), prefix="ARGUMENTS = ")
    out += lines(repr(variables), prefix="VARIABLES = ")
    out += lines(repr(sizes), prefix="SIZES = ")
    out += [f'TARGET = "{module.target}"', "", "", "# -- the check (gradcli.codegen.harness) --", "", ""]
    out += _harness_source().split("\n")
    out += ["", ""] + _jax_factory(jax_module)
    out += _tests(module)
    text = "\n".join(out).rstrip() + "\n"
    return text.replace("\n\n\n\n", "\n\n\n")


def _tests(module: Module) -> list[str]:
    out = [
        "def test_gradient_against_central_differences():",
        "    report = gradcheck(FUNCTIONS, ARGUMENTS, VARIABLES, SIZES, TARGET)",
        '    assert report["passed"], report',
        "",
        "",
        "def test_gradient_against_jax():",
        '    pytest.importorskip("jax")',
        "    error = compare_with_jax(FUNCTIONS, _jax_f(), ARGUMENTS, VARIABLES, SIZES, TARGET)",
        "    assert error < AD_TOLERANCE, error",
    ]
    if module.target == "torch":
        out += [
            "",
            "",
            "def test_gradient_against_torch_autograd():",
            "    error = compare_with_torch(FUNCTIONS, ARGUMENTS, VARIABLES, SIZES)",
            "    assert error < AD_TOLERANCE, error",
        ]
    return out
