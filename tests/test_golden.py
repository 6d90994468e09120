"""Golden files for the renderers: each case's output in each format is stored in
tests/golden/; a change in output fails here until the files are regenerated on purpose with
GRADCLI_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py (and the diff reviewed)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from gradcli.cli.main import cli

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("GRADCLI_UPDATE_GOLDEN") == "1"

CASES = {
    "derivative": ["derivative", "sin(x)^2 exp(x)"],
    "derivative_at": ["derivative", "x^3 y", "--wrt", "x", "--at", "x=2,y=1/3"],
    "derivative_mixed": ["derivative", "x^3 y^2", "--wrt", "x", "--wrt", "y"],
    "gradient": ["gradient", "x^2 y + sin(z)", "--at", "x=1,y=2,z=0"],
    "gradient_column": ["gradient", "x^2 y", "--layout", "denominator"],
    "hessian": ["hessian", "x^3 y + y^2"],
    "jacobian_det": ["jacobian", "r cos(theta), r sin(theta)", "--det"],
    "chain": ["chain", "x1^2 + 2 x2", "--sub", "x1=sin(t)", "--sub", "x2=cos(t)"],
    "taylor_table": ["taylor", "x^4", "--at", "1", "-n", "6", "--table"],
    "taylor_multi": ["taylor", "exp(x) sin(y)", "--at", "x=0,y=0", "-n", "3"],
    "matrix_gradient": ["gradient", "x^T B x", "--vector", "x", "--matrix", "B", "--wrt", "x"],
    "steps": ["derivative", "x^2 sin(x) + atan(x)", "--steps"],
    "steps_partial": ["derivative", "x^2 exp(x y)", "--wrt", "y", "--steps"],
    "definition": ["derivative", "x^3", "--definition", "--at", "2"],
    "definition_abs": ["derivative", "abs(x)", "--definition", "--at", "0"],
    "tensor_5_13": ["derivative", "R^T R", "--shape", "R=2x2", "--wrt", "R"],
    "tensor_5_12": ["jacobian", "A x", "--matrix", "A", "--vector", "x", "--wrt", "A"],
}
FORMATS = ["plain", "latex", "json", "rich"]


def _normalise(text: str) -> str:
    return re.sub(r'"gradcli": "[^"]+"', '"gradcli": "VERSION"', text)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str, fmt: str):
    runner = CliRunner()
    result = runner.invoke(cli, ["-f", fmt, *CASES[name]], env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    out = _normalise(result.output)
    if fmt == "json":
        for line in out.splitlines():
            json.loads(line)
    path = GOLDEN / f"{name}.{fmt}.txt"
    if UPDATE or not path.exists():
        if not UPDATE and os.environ.get("CI"):
            pytest.fail(f"missing golden file {path.name}")
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8"), f"{path.name} differs; regenerate with GRADCLI_UPDATE_GOLDEN=1"
