"""``codegen`` (alias ``export``): Python source for f and its gradient, in NumPy, JAX or
PyTorch, with a numeric check of that source.  Thin: the use case is ``app.codegen``; this
command writes the files it is asked for (``-o``, ``--test``) and the result."""

from __future__ import annotations

from typing import Any

import click

from ..errors import ExitStatus
from .commands import _write_file, emit
from .options import CONTEXT_SETTINGS, command_options, common_options, not_empty, output_format, unshield

TARGETS = ("numpy", "jax", "torch")


def _file_option(*names: str, help: str) -> Any:  # noqa: A002 - Click's keyword
    return click.option(*names, type=click.Path(dir_okay=False, writable=True), default=None, metavar="FILE",
                        callback=lambda ctx, param, value: not_empty(value, names[-1]), help=help)


@click.command("codegen", context_settings=CONTEXT_SETTINGS,
               short_help="Python source (NumPy, JAX, PyTorch) for f and its gradient, checked.")
@click.argument("expr", metavar="EXPR")
@click.option("--target", type=click.Choice(TARGETS), default="numpy", show_default=True,
              help="The library the code uses.")
@click.option("--hessian", is_flag=True, help="Also hess_f, returning (value, gradient, Hessian).")
@click.option("--gradcheck", is_flag=True,
              help="Run the code at random inputs against central differences (exit 1 above 1e-6).")
@_file_option("--test", help="Write a pytest file that runs the same check (and compares with jax.grad).")
@_file_option("-o", "--output", help="Write the module to FILE instead of standard output.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
              help="The seed of --gradcheck's random inputs.")
@common_options(digits=False)
@click.pass_obj
def codegen_cmd(settings: Any, expr: str, target: str, hessian: bool, gradcheck: bool, test: str | None,
                output: str | None, seed: int, **kw: Any) -> int:
    """Python source for f and its gradient (and Hessian): f(...) and grad_f(...) returning
    (value, gradient), arguments in a stated order, shapes checked.

    \b
    Examples:
      gradcli codegen 'x^2 y + sin(z)'
      gradcli codegen 'x^T A x' --vector x --matrix A --wrt x --hessian -o quad.py --gradcheck
      gradcli export 'log(det(X))' --matrix X --wrt X --target jax
    """
    from ..app.codegen import codegen

    if kw["at"]:
        raise click.UsageError("codegen writes code for every point: --at does not apply")
    fmt = output_format(settings, kw["fmt"])
    opts = command_options(settings, kw)
    result = codegen(unshield(expr), opts, wrt=kw["wrt"], target=target, with_hessian=hessian, gradcheck=gradcheck,
                     seed=seed, output=output, test=test)
    if output:
        _write_file(output, result.module.source)
    if test:
        _write_file(test, result.test_source)
    if not (fmt == "plain" and output and not gradcheck):  # plain with -o: the file is the output
        emit(result, fmt, last=True, rhs_only=kw["rhs_only"])
    failed = result.gradcheck is not None and not result.gradcheck.passed
    return int(ExitStatus.GRADCHECK_FAILED if failed else ExitStatus.OK)
