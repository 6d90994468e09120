"""Every `$ gradcli ...` example in the README runs and prints what the README shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def examples() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    out: list[tuple[str, str]] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        command, expected = None, []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    out.append((command, "\n".join(expected)))
                command, expected = line[2:], []
            else:
                expected.append(line)
        if command is not None:
            out.append((command, "\n".join(expected)))
    return out


EXAMPLES = examples()


def test_readme_has_examples():
    assert len(EXAMPLES) >= 15


@pytest.mark.parametrize("command,expected", EXAMPLES, ids=[c[:60] for c, _ in EXAMPLES])
def test_readme_example(command: str, expected: str, tmp_path: Path):
    # run the README's command with this interpreter's gradcli
    shell = command.replace("gradcli ", f"{sys.executable} -m gradcli ")
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    proc = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    shown = (proc.stdout + proc.stderr).rstrip("\n")
    expected = expected.rstrip("\n")
    # the version in json output follows the package
    from gradcli.render.printers import version

    expected = expected.replace('"gradcli": "0.1.0"', f'"gradcli": "{version()}"')
    assert shown == expected, f"README example differs:\n$ {command}\n--- got ---\n{shown}\n--- README ---\n{expected}"
    if "error:" not in expected:
        assert proc.returncode == 0


def test_ci_runs_the_readme_test_command():
    """`.ci/run` runs exactly the README's test command, in a virtual environment it makes."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    test_command = next(b.strip() for b in blocks if "pytest" in b)
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()
    assert test_command.startswith("python3 -m venv .venv && ")
    assert "rm -rf .venv" in ci
