"""json is an API (SPEC, README "JSON"): every object validates against the JSON Schema
shipped in the package, carries ``"schema": 1``, follows one rule for values, and errors are
json records too (with the SPEC's exit statuses unchanged)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import mpmath
import pytest
import sympy as sp

from gradcli.render.json import SCHEMA_VERSION, schema
from helpers import run

ROOT = Path(__file__).resolve().parent.parent
VALIDATOR = jsonschema.Draft202012Validator(schema())


def objects(stdout: str) -> list[dict]:
    out = [json.loads(line) for line in stdout.splitlines()]
    for obj in out:
        errors = sorted(VALIDATOR.iter_errors(obj), key=str)
        assert not errors, f"{obj}\n" + "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
        assert obj["schema"] == SCHEMA_VERSION
    return out


def js(*args: str, exit: int = 0, input: str | None = None) -> dict:
    (obj,) = objects(run(["-f", "json", *args], exit=exit, input=input).stdout)
    return obj


def test_the_schema_is_shipped_and_valid():
    from importlib.resources import files

    assert files("gradcli").joinpath("schema/gradcli.schema.json").is_file()
    jsonschema.Draft202012Validator.check_schema(schema())
    assert "schema/*.json" in (ROOT / "pyproject.toml").read_text()  # package data


# every command, and the variants that add keys; each object is validated against the schema
CASES = {
    "derivative": (["derivative", "sin(x)^2 exp(x)"], 0),
    "derivative_at": (["derivative", "x^3 y", "--wrt", "x", "--at", "x=2,y=1/3"], 0),
    "derivative_decimal": (["diff", "exp(x)", "--at", "x=0.5", "--digits", "20"], 0),
    "derivative_mixed": (["derivative", "x^3 y^2", "--wrt", "x", "--wrt", "y", "-n", "1"], 0),
    "steps": (["derivative", "x^2 exp(x y)", "--wrt", "y", "--steps"], 0),
    "definition": (["derivative", "abs(x)", "--definition", "--at", "0"], 0),
    "definition_general": (["derivative", "x^3", "--definition"], 0),
    "matrix_derivative": (["derivative", "a^T X b", "--vector", "a,b", "--matrix", "X", "--wrt", "X"], 0),
    "gradient": (["gradient", "x^2 y + sin(z)", "--at", "x=1,y=2,z=0"], 0),
    "gradient_column": (["grad", "x^2 y", "--layout", "denominator"], 0),
    "gradient_matrix_expr": (["gradient", "x^T B x", "--vector", "x", "--matrix", "B", "--wrt", "x"], 0),
    "hessian": (["hessian", "x^3 y + y^2", "--at", "x=1,y=1"], 0),
    "gradient_array_at": (["gradient", "x^T A x", "--vector", "x", "--matrix", "A", "--wrt", "x",
                           "--at", "x=[1,2]", "--at", "A=[[1,2],[3,4]]"], 0),
    "gradient_ml": (["gradient", "sum(log(1 + exp(-y .* (X w))))", "--shape", "X=3x2", "--vector", "y,w",
                     "--wrt", "w"], 0),
    "jacobian_softmax": (["jacobian", "softmax(x)", "--vector", "x", "--wrt", "x", "--dim", "2"], 0),
    "jacobian": (["jacobian", "r cos(theta), r sin(theta)", "--det", "--at", "r=2,theta=pi/3"], 0),
    "jacobian_rect": (["jac", "x y, x + y, x", "--wrt", "x,y"], 0),
    "chain": (["chain", "x1^2 + 2 x2", "--sub", "x1=sin(t)", "--sub", "x2=cos(t)", "--at", "t=1"], 0),
    "chain_two": (["chain", "x1 x2", "--sub", "x1=s t", "--sub", "x2=s + t", "--wrt", "s,t"], 0),
    "taylor": (["taylor", "x^4", "--at", "1", "-n", "6", "--table"], 0),
    "taylor_multi": (["taylor", "exp(x) sin(y)", "--at", "x=0,y=0", "-n", "3"], 0),
    "tensor_5_12": (["derivative", "A x", "--matrix", "A", "--vector", "x", "--wrt", "A"], 0),
    "tensor_5_13_sized": (["jacobian", "R^T R", "--matrix", "R", "--wrt", "R", "--shape", "R=2x2"], 0),
    "tensor_at": (["derivative", "X^T X", "--matrix", "X", "--wrt", "X", "--at", "X=[[1,2],[3,4]]"], 0),
    "tensor_symmetric": (["derivative", "W^T A W", "--symmetric", "W", "--matrix", "A", "--wrt", "W"], 0),
    "check_commutation": (["check", "∂vec(X^T)/∂vec(X) = K(m,n)", "--shape", "X=m x n"], 0),
    "autodiff": (["autodiff", "sqrt(x^2 + exp(x^2)) + cos(x^2 + exp(x^2))", "--at", "x=1"], 0),
    "autodiff_reverse": (["ad", "exp(x y) / (1 + y^2)", "--at", "x=0.5,y=2", "--mode", "reverse"], 0),
    "check_true": (["check", "d/dy sin(y)^2 = 2 sin(y) cos(y)", "d/dx x^T x = 2 x^T", "--vector", "x"], 0),
    "check_false": (["check", "d/dx x^T x = x^T", "--vector", "x", "--dim", "2"], 1),
    "check_false_matrix": (["check", "d/dX tr(X) = 2 I", "--matrix", "X"], 1),
    "check_shapes": (["check", "x^T x = x x^T", "--vector", "x", "--dim", "2"], 1),
    "check_unknown": (["check", "sin(x)^2 = 1 - cos(x)^2", "--strict", "--timeout", "30"], None),
    "check_error": (["check", "d/dx sin(x) = cos(x)", "foo("], 2),
    "check_list": (["check", "--builtin", "--list"], 0),
    "error_parse": (["derivative", "sin(x"], 2),
    "error_usage": (["derivative", "x", "--nope"], 2),
    "error_at": (["gradient", "x y", "--at", "x=1 y=2"], 2),
    "error_command": (["nosuchcommand"], 2),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_command_validates(name: str):
    args, status = CASES[name]
    r = run(["-f", "json", *args], exit=status)
    (obj,) = objects(r.stdout)
    if "command" not in obj:  # an error record: the call's status, the human message on stderr
        assert obj["exit"] == r.exit_code == 2
        assert r.stderr.startswith("error:") and obj["error"] in r.stderr


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "golden").glob("*.json.txt")), ids=lambda p: p.name)
def test_golden_json_validates(path: Path):
    objects(path.read_text(encoding="utf-8"))


def test_the_schema_refuses_what_is_not_the_api():
    good = js("derivative", "x^2")
    for bad in ({k: v for k, v in good.items() if k != "schema"}, {**good, "schema": 2},
                {**good, "center": {"x": "0"}}, {**good, "result": 2}, {"schema": 1, "error": "x"}):
        assert list(VALIDATOR.iter_errors(bad)), bad


# -- one rule for values -------------------------------------------------------------------

def test_result_types():
    # a scalar: a string; a vector: a flat list (with its shape); a matrix: rows; a matrix
    # expression: a string with its shape
    assert js("derivative", "x^2")["result"] == "2*x"
    g = js("gradient", "x^2 y")
    assert g["result"] == ["2*x*y", "x**2"] and g["shape"] == [1, 2]
    g = js("gradient", "x^2 y", "--layout", "denominator")
    assert g["result"] == ["2*x*y", "x**2"] and g["shape"] == [2, 1]
    h = js("hessian", "x^2 y")
    assert h["result"] == [["2*y", "2*x"], ["2*x", "0"]] and h["shape"] == [2, 2]
    m = js("gradient", "x^T B x", "--vector", "x", "--matrix", "B", "--wrt", "x")
    assert isinstance(m["result"], str) and m["shape"] == [1, "n"]
    c = js("chain", "x1^2 + 2 x2", "--sub", "x1=sin(t)", "--sub", "x2=cos(t)")
    assert c["df_dx"] == ["2*x1", "2"] and c["dx_dt"] == ["cos(t)", "-sin(t)"]  # flat, as gradient's


def test_array_points_are_lists():
    g = js("gradient", "x^T A x", "--vector", "x", "--matrix", "A", "--wrt", "x",
           "--at", "x=[1,2]", "--at", "A=[[1,2],[3,4]]")
    assert g["at"] == {"x": ["1", "2"], "A": [["1", "2"], ["3", "4"]]}
    assert g["value"] == ["12", "21"] and g["value_float"] == [12.0, 21.0]  # x^T (A + A^T)


def test_taylor_says_at_like_the_others():
    t = js("taylor", "exp(x)", "--at", "1", "-n", "2")
    assert t["at"] == {"x": "1"} and "center" not in t and "value" not in t


def test_value_float_is_the_value():
    d = js("derivative", "sin(x)", "--at", "x=1")
    assert d["value"] == "cos(1)" and d["value_float"] == pytest.approx(float(mpmath.cos(1)), rel=1e-15)
    g = js("gradient", "x y", "--at", "x=1,y=pi", "--digits", "5")
    # 5 significant digits, without trailing zeros (issue 15a: 0.8, not 0.80000)
    assert g["value"] == ["3.1416", "1.0"] and g["value_float"] == [3.1416, 1.0]
    h = js("hessian", "x^3 y", "--at", "x=1,y=2")
    assert h["value_float"] == [[12.0, 3.0], [3.0, 0.0]]
    j = js("jacobian", "r cos(theta), r sin(theta)", "--det", "--at", "r=2,theta=pi/3")
    assert j["determinant_value"] == "2" and j["determinant_value_float"] == 2.0


def test_counterexample_is_structured():
    v = js("check", "d/dx x^T x = x^T", "--vector", "x", "--dim", "2", exit=1)["results"][0]
    cex = v["counterexample"]
    assert cex["lhs"] == ["2", "2"] and cex["rhs"] == ["1", "1"] and cex["shape"] == [1, 2]
    # the values are the sides at the point: 2 x^T at x = (1, 1)
    assert [sp.sympify(e) for e in cex["lhs"]] == [2 * sp.sympify(cex["point"][k]) for k in ("x_1", "x_2")]
    v = js("check", "x^T x = x x^T", "--vector", "x", "--dim", "2", exit=1)["results"][0]
    assert v["counterexample"]["lhs_shape"] == [] and v["counterexample"]["rhs_shape"] == [2, 2]
    v = js("check", "d/dX tr(X) = 2 I", "--matrix", "X", exit=1)["results"][0]
    assert v["counterexample"]["lhs"] == [["1", "0"], ["0", "1"]] and v["counterexample"]["sizes"] == {"n": 2}


def test_evidence_and_verdicts():
    r = js("check", "d/dy sin(y) = cos(y)", "sin(y) = y", "d/dx x^T x = 2 x^T", "--vector", "x", exit=1)
    assert [v["verdict"] for v in r["results"]] == ["true", "false", "true"]
    assert r["results"][0]["evidence"] == "proof"
    assert all(v["evidence"] in ("proof", "exact", "numeric", "none") for v in r["results"])
    assert (r["true"], r["false"], r["unknown"]) == (2, 1, 0)


# -- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("args,status", [
    (["-f", "json", "derivative", "sin(x"], 2),
    (["derivative", "sin(x", "-f", "json"], 2),  # -f after the command
    (["--format=json", "derivative", "x y"], 2),  # no --wrt
    (["-f", "json", "--timeout", "0.01", "taylor", "exp(sin(x))", "-n", "400"], 3),
    (["-f", "json", "check", "sin(x) = x"], 1),  # a false claim is a result, not an error
])
def test_errors_are_json_records_and_keep_their_status(args: list, status: int):
    r = run(args, exit=status)
    (obj,) = objects(r.stdout)
    if status == 1:
        assert obj["command"] == "check"
        return
    assert obj["exit"] == status and "command" not in obj
    assert r.stderr.startswith("error:")  # stderr keeps the human message


def test_parse_error_record_has_the_position():
    obj = js("derivative", "sin(x) + foo(x)", exit=2)
    assert obj["position"] == 10 and "foo" in obj["error"]


def test_other_formats_print_no_record():
    for fmt in ("plain", "latex", "rich"):
        assert run(["-f", fmt, "derivative", "sin(x"], exit=2).stdout == ""


def test_batch_lines_match_input_lines():
    text = "x^2\nsin(x\n\n# a comment\ncos(x)\nfoo(x)\n"
    r = run(["-f", "json", "derivative", "-"], input=text, exit=2)
    out = objects(r.stdout)
    assert [o.get("command") for o in out] == ["derivative", None, "derivative", None]
    assert out[1]["line"] == 2 and out[1]["exit"] == 2 and out[1]["input"] == "sin(x"
    assert out[3]["line"] == 6 and "foo" in out[3]["error"]
    assert out[0]["result"] == "2*x" and out[2]["result"] == "-sin(x)"
    assert "line 2: error:" in r.stderr and "line 6: error:" in r.stderr


def test_batch_records_only_in_json():
    r = run(["-f", "plain", "derivative", "-"], input="x^2\nsin(x\ncos(x)\n", exit=2)
    assert r.stdout == "2*x\n-sin(x)\n"


# -- the README documents every key ----------------------------------------------------------

def _keys(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                found |= set(value)
            found |= _keys(value)
    elif isinstance(node, list):
        for item in node:
            found |= _keys(item)
    return found


def test_readme_table_lists_every_key():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## JSON\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    documented = {key for row in rows for key in re.findall(r"`([a-z_]+)`", row)}
    missing = _keys(schema()) - documented
    assert not missing, f"keys of the schema not in the README's JSON table: {sorted(missing)}"
    assert "src/gradcli/schema/gradcli.schema.json" in section
