"""``gradcli codegen`` (alias ``export``) from the command line: the four output formats, the
files it writes (``-o``, ``--test``, and the pytest file run), ``--gradcheck``'s verdict and exit
status (a wrong gradient fails it), hostile names, and lines under 100 characters."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import numpy as np
import pytest

import gradcli.app.codegen as app_codegen
from gradcli.codegen.format import WIDTH
from gradcli.record import replace
from helpers import assert_short_error, run
from support.codegen_oracle import library

QUADRATIC = ["x^T A x", "--vector", "x", "--matrix", "A", "--wrt", "x"]


def _load(source: str) -> dict:
    namespace: dict = {"__name__": "generated"}
    exec(compile(source, "<generated>", "exec"), namespace)
    return namespace


def _imports(source: str) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            out.add((node.module or "").split(".")[0])
    return out


@pytest.mark.parametrize(("target", "library_name"), [("numpy", "numpy"), ("jax", "jax"), ("torch", "torch")])
def test_the_module_imports_only_its_library(target, library_name):
    source = run(["-f", "plain", "codegen", *QUADRATIC, "--hessian", "--target", target]).stdout
    assert _imports(source) == {library_name}
    tree = ast.parse(source)
    assert [n.name for n in tree.body if isinstance(n, ast.FunctionDef)] == ["f", "grad_f", "hess_f"]
    assert all(len(line) < 100 for line in source.splitlines())


def test_plain_source_runs_and_computes_the_gradient():
    source = run(["-f", "plain", "export", *QUADRATIC, "--hessian"]).stdout
    ns = _load(source)
    x, A = np.array([1.0, 2.0, 3.0]), np.arange(9.0).reshape(3, 3)
    value, gradient, hessian = ns["hess_f"](x, A)
    assert value == pytest.approx(x @ A @ x)
    assert np.allclose(gradient, (A + A.T) @ x) and np.allclose(hessian, A + A.T)
    assert ns["f"](x, A) == pytest.approx(value)
    with pytest.raises(AssertionError, match="A must have shape"):
        ns["f"](x, np.eye(2))


def test_docstring_states_order_layout_and_shapes():
    source = run(["-f", "plain", "codegen", *QUADRATIC, "--layout", "denominator"]).stdout
    doc = ast.get_docstring(ast.parse(source))
    assert "Arguments, in this order" in doc and "x: a vector, n x 1, as shape (n,)" in doc
    assert "A: a matrix, n x n, shape (n, n)" in doc
    assert "denominator layout the n x 1 column, returned as shape (n,)" in doc
    assert "--layout denominator" in doc


def test_output_file_and_plain_stdout(tmp_path):
    out = tmp_path / "quad.py"
    r = run(["-f", "plain", "codegen", *QUADRATIC, "-o", out])
    assert r.stdout == ""
    assert "def grad_f(x, A):" in out.read_text()
    r = run(["-f", "plain", "codegen", *QUADRATIC, "-o", out, "--gradcheck"])
    assert r.stdout.startswith("gradcheck passed: largest relative error ")
    assert r.stdout.rstrip().endswith("(numpy, n = 3, 3 random points)")


def test_json_holds_the_source_and_the_argument_order():
    r = run(["-f", "json", "codegen", *QUADRATIC, "--hessian", "--gradcheck"])
    data = json.loads(r.stdout)
    for key in ("command", "input", "wrt", "result", "latex", "gradcli", "source", "arguments", "target",
                "functions", "gradcheck", "hessian", "layout"):
        assert key in data, key
    assert data["command"] == "codegen" and data["wrt"] == ["x"] and data["target"] == "numpy"
    assert [a["name"] for a in data["arguments"]] == ["x", "A"]
    assert data["arguments"][0] == {"name": "x", "input_name": "x", "kind": "vector", "shape": ["n", "1"],
                                    "symmetric": False, "variable": True}
    assert data["functions"] == ["f", "grad_f", "hess_f"]
    assert data["gradcheck"]["passed"] is True and data["gradcheck"]["error"] < 1e-6
    assert data["gradcheck"]["sizes"] == {"n": 3}
    assert "def hess_f(x, A):" in data["source"]
    import jsonschema

    from gradcli.render.json import schema

    jsonschema.validate(data, schema())


def test_rich_shows_the_source_and_latex_the_maths():
    r = run(["-f", "rich", "codegen", *QUADRATIC, "--gradcheck"], env={"COLUMNS": "120"})
    assert "def grad_f(x, A):" in r.stdout and "gradcheck passed" in r.stdout
    r = run(["-f", "latex", "codegen", *QUADRATIC])
    assert r.stdout.startswith("\\begin{aligned}") and "\\nabla_{x} f" in r.stdout


def test_gradcheck_fails_on_a_wrong_gradient(monkeypatch):
    def wrong(*args, **kw):
        result = original(*args, **kw)
        return replace(result, result=result.result * 1.001)

    original = app_codegen.gradient
    monkeypatch.setattr(app_codegen, "gradient", wrong)
    r = run(["-f", "plain", "codegen", "x^2 y + sin(z)", "--gradcheck"], exit=1)
    assert "# gradcheck FAILED: largest relative error 1.0e-03, not below 1e-6" in r.stdout


def test_gradcheck_of_a_symmetric_matrix_uses_symmetric_changes():
    """d/dW x^T W x is x x^T by the README's convention; the check along symmetric changes
    passes, and the docstring says what the gradient means."""
    r = run(["-f", "plain", "codegen", "x^T W x", "--symmetric", "W", "--vector", "x", "--wrt", "W",
             "--gradcheck"])
    assert "W is symmetric: the gradient by W is taken as if its entries were independent" in r.stdout
    assert "gradcheck passed" in r.stdout


@pytest.mark.parametrize("target", ["numpy", "jax", "torch"])
def test_written_pytest_file_passes(tmp_path, target):
    if target != "numpy":
        library(target)
    module, test = tmp_path / "quad.py", tmp_path / "test_quad.py"
    run(["-f", "plain", "codegen", *QUADRATIC, "--hessian", "--target", target, "-o", module, "--test", test])
    assert all(len(line) < 100 for line in test.read_text().splitlines())
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = 3 if target == "torch" else 2
    assert f"{expected} passed" in proc.stdout


def test_written_pytest_file_without_module_file_fails_on_a_wrong_gradient(tmp_path, monkeypatch):
    test = tmp_path / "test_scalar.py"
    run(["-f", "plain", "codegen", "log(1 + exp(-y w x))", "--wrt", "w", "--test", test])
    text = test.read_text()
    assert "def grad_f(w, x, y):" in text
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    broken = text.replace("np.array([-t0 * _sigmoid(t1)])", "np.array([-t0 * _sigmoid(-t1)])")
    assert broken != text
    test.write_text(broken)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "central",
                           str(test)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 1 and "1 failed" in proc.stdout


# -- hostile input --------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["__import__(x)", "x.__class__", "exec(x)", "eval(x)", "import + x",
                                  "os.system(x)", "x; import os"])
def test_no_user_text_becomes_code(text):
    assert_short_error(run(["-f", "plain", "codegen", text], exit=2))


def test_names_that_clash_with_the_module_are_renamed():
    text = "np^2 + os f + grad_f + jnp + torch + hess_f sin(numpy) + math"
    source = run(["-f", "plain", "codegen", text]).stdout
    ns = _load(source)
    args = ["f_", "grad_f_", "hess_f_", "jnp_", "math_", "np_", "numpy_", "os", "torch_"]
    assert source.count(f"def grad_f({', '.join(args)}):") == 1
    assert "(named np in the expression)" in source
    values = dict(zip(args, np.linspace(0.5, 1.5, len(args))))
    value, gradient = ns["grad_f"](**values)
    v = values
    assert value == pytest.approx(v["np_"] ** 2 + v["os"] * v["f_"] + v["grad_f_"] + v["jnp_"] + v["torch_"]
                                  + v["hess_f_"] * np.sin(v["numpy_"]) + v["math_"])
    assert gradient[args.index("numpy_")] == pytest.approx(v["hess_f_"] * np.cos(v["numpy_"]))
    assert gradient[args.index("np_")] == pytest.approx(2 * v["np_"])


def test_sizes_and_temporaries_clash_with_no_argument():
    r = run(["-f", "plain", "codegen", "n x^T x + t0 exp(x^T x)", "--vector", "x", "--wrt", "x", "--gradcheck"])
    assert "def grad_f(x, n, t0):" in r.stdout and '"x must be a 1-D array (n1,)"' in r.stdout
    assert "t1 = t0 * np.exp(x @ x)" in r.stdout
    assert "gradcheck passed" in r.stdout


def test_long_expressions_make_short_lines():
    terms = " + ".join(f"sin(x{i} y{i}) exp(x{i} - y{i}) / (1 + x{i}^2)" for i in range(12))
    r = run(["-f", "plain", "codegen", terms, "--hessian", "--gradcheck"])
    assert max(len(line) for line in r.stdout.splitlines()) <= WIDTH
    compile(r.stdout, "<generated>", "exec")
    assert "gradcheck passed" in r.stdout


@pytest.mark.parametrize(("args", "needle"), [
    (["x^2", "--at", "x=1"], "--at does not apply"),
    (["x^2", "--target", "fortran"], "fortran"),
    (["x^T A x", "--vector", "x", "--matrix", "A", "--wrt", "x", "--shape", "x=3x2"], "x"),
])
def test_bad_options_are_short_errors(args, needle):
    assert_short_error(run(["codegen", *args], exit=2), needle)
