"""Bytecode for the benchmarks' child processes.

Some sandboxes set PYTHONDONTWRITEBYTECODE, so every child process would compile
gradcli's modules from source (tens of ms) while SymPy's bytecode, written at install
time, is used: an unfair comparison that no installed gradcli pays.  The children get
a private PYTHONPYCACHEPREFIX instead (SymPy and gradcli alike); the benchmarks warm it
up before timing.  ``--env-as-is`` in each script keeps the inherited environment.
"""

from __future__ import annotations

import os
import sys
import tempfile

_DIR: tempfile.TemporaryDirectory | None = None


def child_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default os.environ) with bytecode caching under a private prefix,
    unless --env-as-is is on the command line."""
    global _DIR
    env = dict(os.environ if base is None else base)
    if "--env-as-is" in sys.argv:
        sys.argv.remove("--env-as-is")
        return env
    if _DIR is None:
        _DIR = tempfile.TemporaryDirectory(prefix="gradcli-bench-pycache-")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = _DIR.name
    return env


def describe(env: dict[str, str]) -> str:
    prefix = env.get("PYTHONPYCACHEPREFIX")
    return f"bytecode: cached under {prefix}" if prefix else "bytecode: inherited environment"
