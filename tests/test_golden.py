"""Golden files for the renderers: each case's output in each format is stored in
tests/golden/; a change in output fails here until the files are regenerated on purpose with
GRADCLI_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py tests/test_autodiff.py (and the
diff reviewed: the files are the product's face).

Rich is rendered at 40, 80 and 120 columns (``<case>.rich<width>.txt``): a result wraps and is
never cut off with ``…``; plain, LaTeX and json do not depend on the terminal's width."""

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
    # issue 15: ascending order, the input as written, textbook notation, decimals, check's look
    "taylor_sin": ["taylor", "sin(x)", "-n", "7"],
    "taylor_book": ["taylor", "x^2 + 2 x y + y^3", "--at", "x=1,y=2", "-n", "3"],
    "taylor_symbolic": ["taylor", "exp(x)", "--at", "a", "-n", "3"],
    "least_squares": ["gradient", "norm(A x - b)^2", "--vector", "x,b", "--matrix", "A", "--wrt", "x"],
    "trace_scalar": ["gradient", "sin(x^T a)", "--vector", "x,a", "--wrt", "x"],
    "inverse_transpose": ["gradient", "log(det(X))", "--matrix", "X", "--wrt", "X"],
    "notation": ["derivative", "x^x + gamma(x) + abs(x) + atan(x) + exp(1) x"],
    "ml_logistic": ["gradient", "sum(log(1 + exp(-y .* (X w))))", "--vector", "y,w", "--matrix", "X", "--wrt", "w",
                    "--layout", "denominator"],
    "ml_steps": ["derivative", "sigmoid(x) + softplus(x) + log1p(x)", "--steps"],
    "polygamma": ["derivative", "polygamma(1, x) + x gamma(x)"],
    "exact_with_decimal": ["derivative", "sin(x)", "--at", "1"],
    "decimal_point": ["gradient", "x^2 y", "--at", "x=0.2,y=0.1"],
    "jacobian_labels": ["jacobian", "x^2 y, x + sin(y), x y z", "--wrt", "x,y,z"],
    # long enough to wrap at 40 columns; its simplification is quick (a slow one may end at its
    # time budget on a loaded machine and print another, equal, form: not a golden file)
    "chain_long": ["chain", "x1^3 sin(x2) + x1 x2^4 + exp(x2) x1^2", "--sub", "x1=t^2 + 1",
                   "--sub", "x2=t^3 - t"],
    "check_evidence": ["check", "d/dx sin(x)^2 = 2 sin(x) cos(x)", "asin(x) + acos(x) = pi/2",
                       "d/dx exp(2x) = exp(2x)", "abs(x - 200) = 200 - x"],
    "check_matrix": ["check", "d/dx x^T A x = x^T (A + A^T)", "--vector", "x", "--matrix", "A"],
    "steps_chain": ["derivative", "sin(x^2)^3", "--steps"],
    "autodiff_5_14": ["autodiff", "sqrt(x^2 + exp(x^2)) + cos(x^2 + exp(x^2))", "--at", "x=1"],
    "autodiff_two_inputs": ["autodiff", "x y + sin(x)", "--at", "x=1,y=2"],
    "autodiff_reverse_decimal": ["autodiff", "exp(x y) / (1 + y^2)", "--at", "x=0.5,y=2", "--mode", "reverse"],
    "tensor_5_13": ["derivative", "R^T R", "--shape", "R=2x2", "--wrt", "R"],
    "tensor_5_12": ["jacobian", "A x", "--matrix", "A", "--vector", "x", "--wrt", "A"],
    "tensor_at": ["derivative", "X^T X", "--matrix", "X", "--wrt", "X", "--at", "X=[[1,2],[3,4]]"],
    "tensor_symmetric": ["derivative", "W^T A W", "--symmetric", "W", "--matrix", "A", "--wrt", "W", "--dim", "2"],
    "matrix_steps": ["gradient", "x^T B x", "--vector", "x", "--matrix", "B", "--wrt", "x", "--steps"],
    "autodiff_arrays": ["autodiff", "sum(exp(A x))", "--vector", "x", "--matrix", "A", "--at", "x=[1,0]",
                        "--at", "A=[[1,2],[0,1]]"],
}
#: exit statuses other than 0
EXIT = {"check_evidence": 1}
WIDTHS = (40, 80, 120)
FORMATS = ["plain", "latex", "json", *(f"rich{w}" for w in WIDTHS)]


def _normalise(text: str) -> str:
    return re.sub(r'"gradcli": "[^"]+"', '"gradcli": "VERSION"', text)


def render(name: str, fmt: str) -> str:
    columns = fmt[4:] if fmt.startswith("rich") else "80"
    result = CliRunner().invoke(cli, ["-f", fmt[:4] if fmt.startswith("rich") else fmt, *CASES[name]],
                                env={"COLUMNS": columns, "NO_COLOR": "1"})
    assert result.exit_code == EXIT.get(name, 0), result.output
    return _normalise(result.output)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str, fmt: str):
    out = render(name, fmt)
    if fmt.startswith("rich"):
        assert "…" not in out, f"{name} at {fmt[4:]} columns is cut off"
        assert not re.search(r"^│ *│\n│ *│$", out, flags=re.M), f"{name}: a doubled blank line in a panel"
    if fmt == "json":
        for line in out.splitlines():
            json.loads(line)
    path = GOLDEN / f"{name}.{fmt}.txt"
    if UPDATE or not path.exists():
        if not UPDATE and os.environ.get("CI"):
            pytest.fail(f"missing golden file {path.name}")
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8"), f"{path.name} differs; regenerate with GRADCLI_UPDATE_GOLDEN=1"
