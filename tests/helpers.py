"""The one way tests run the CLI: ``run(args, input=None, exit=0, env=None)``.

It calls ``gradcli.cli.main`` (the console script's entry point, which ends
with ``sys.exit(status)``) inside Click's ``CliRunner`` isolation, so stdin,
stdout, stderr and the environment are the runner's, and asserts the exit
status.  Process-wide settings that ``main`` changes (the recursion limit,
``sys.tracebacklimit``, Python's int-to-str digit limit) are restored.

Usage::

    from helpers import run
    r = run(["-f", "plain", "derivative", "x^2"])
    assert r.stdout == "2*x\\n"
    r = run(["derivative", "foo(x)"], exit=2)
    assert "unknown function" in r.stderr
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from click.testing import CliRunner, Result

from gradcli.cli.main import main

__all__ = ["run", "Result", "assert_short_error", "pdflatex_or_skip", "compile_latex"]


class _Entry:
    """What ``CliRunner.invoke`` needs of a command: a name and ``main``.

    ``invoke`` catches the ``SystemExit`` that ``gradcli.cli.main`` raises and
    records its code as ``result.exit_code``.
    """

    name = "gradcli"

    def main(self, args: Sequence[str] = (), prog_name: str | None = None, **_: Any) -> None:
        main(list(args))


def run(
    args: Sequence[str],
    input: str | bytes | None = None,  # noqa: A002 - the brief's signature
    exit: int | None = 0,  # noqa: A002
    env: Mapping[str, str | None] | None = None,
) -> Result:
    """Run ``gradcli ARGS``; assert the exit status (unless ``exit`` is None).

    The result has ``.stdout``, ``.stderr`` (separate streams, Click 8.2+),
    ``.output`` and ``.exit_code``.  Any exception other than ``SystemExit``
    escaping ``main`` fails the test: ``main`` must turn everything into a
    status.
    """
    saved = (sys.getrecursionlimit(), getattr(sys, "tracebacklimit", None),
             sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else None)
    runner = CliRunner()
    full_env = {"COLUMNS": "120"}
    full_env.update(env or {})
    try:
        result = runner.invoke(_Entry(), [str(a) for a in args], input=input, env=full_env, catch_exceptions=True)
    finally:
        sys.setrecursionlimit(saved[0])
        if saved[1] is None:
            if hasattr(sys, "tracebacklimit"):
                del sys.tracebacklimit
        else:
            sys.tracebacklimit = saved[1]
        if saved[2] is not None:
            sys.set_int_max_str_digits(saved[2])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else repr(result.exception)
        raise AssertionError(f"gradcli {list(args)} raised instead of exiting:\n{tb}")
    if exit is not None:
        assert result.exit_code == exit, (
            f"gradcli {list(args)}: exit {result.exit_code}, expected {exit}\n"
            f"stdout: {result.stdout!r}\nstderr: {result.stderr!r}"
        )
    return result


def assert_short_error(result: Result, *needles: str) -> None:
    """stderr is 1-2 lines naming the problem, with no traceback; stdout empty."""
    err = result.stderr
    lines = err.rstrip("\n").split("\n") if err.strip() else []
    assert 1 <= len(lines) <= 2, f"expected 1-2 lines on stderr, got {len(lines)}: {err!r}"
    assert "Traceback" not in err and "Traceback" not in result.stdout, err
    assert lines[0].startswith("error:") or "error:" in lines[0], err
    for needle in needles:
        assert needle.lower() in err.lower(), f"{needle!r} not in stderr: {err!r}"


def pdflatex_or_skip() -> None:
    """Skip a LaTeX compile test where pdflatex is missing, fail where CI requires it."""
    import os
    import shutil

    import pytest

    if not shutil.which("pdflatex"):
        if os.environ.get("GRADCLI_REQUIRE_PDFLATEX"):
            pytest.fail("GRADCLI_REQUIRE_PDFLATEX is set but pdflatex is not installed")
        pytest.skip("pdflatex is not installed")


def compile_latex(tmp_path: Any, name: str, fragment: str) -> Any:
    """Compile ``\\[ fragment \\]`` in an amsmath article with pdflatex (in ``tmp_path``)."""
    import subprocess

    doc = tmp_path / f"{name}.tex"
    doc.write_text("\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
                   f"\\[ {fragment} \\]\n\\end{{document}}\n", encoding="utf-8")
    return subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", doc.name],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
