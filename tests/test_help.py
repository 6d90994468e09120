"""Help and CLI ergonomics (issue 15): bare ``gradcli`` is the help; every command has a
one-line summary shown whole in the command list and two examples that run; the global
options also follow the command; metavars and ranges read well; an option's bad value is
reported as that option's error, with the fix."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from gradcli.cli.commands import COMMANDS
from helpers import assert_short_error, run

NAMES = sorted(c.name for c in COMMANDS)


def command_help(name: str) -> str:
    return run([name, "--help"]).stdout


def test_bare_gradcli_is_the_help():
    r = run([])
    assert r.stdout == run(["--help"]).stdout
    assert "Usage:" in r.stdout and "Commands:" in r.stdout and r.stderr == ""


@pytest.mark.parametrize("name", NAMES)
def test_summary_whole_in_the_command_list(name: str):
    text = command_help(name)
    summary = text.split("\n\n")[1].strip()
    assert "\n" not in summary and summary.endswith("."), summary
    listing = run(["--help"]).stdout.split("Commands:")[1]
    (row,) = [line for line in listing.splitlines() if line.strip().startswith(name + " ") or line.strip() == name]
    assert row.rstrip().endswith(summary), (row, summary)  # not cut mid-sentence


def examples(name: str) -> list[str]:
    text = command_help(name)
    block = text.split("Examples:\n", 1)[1]
    return [line.strip() for line in block.splitlines() if line.strip().startswith("gradcli ")]


@pytest.mark.parametrize("name", NAMES)
def test_two_examples_each(name: str):
    found = examples(name)
    assert len(found) == 2, found


@pytest.mark.parametrize("example", [e for n in NAMES for e in examples(n)])
def test_the_examples_run(example: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    if "--plot" in example:
        pytest.importorskip("matplotlib")
    if "--graph" in example and ".svg" in example:
        import shutil

        if shutil.which("dot") is None:
            pytest.skip("needs Graphviz's dot")
    monkeypatch.chdir(tmp_path)  # files an example writes (--plot, --graph) land here
    run(shlex.split(example)[1:], exit=0)


def test_taylor_help_says_at_is_the_centre():
    text = " ".join(command_help("taylor").split())
    assert "--at POINT The centre x0 (default 0)" in text
    assert "also evaluate" not in text.lower()


@pytest.mark.parametrize("name", ["", *NAMES])
def test_metavars_and_ranges_read_well(name: str):
    text = run([name, "--help"] if name else ["--help"]).stdout
    assert not re.search(r"<=|>=|\d\.0\b|1000000", text), text  # 0.01<=x<=1000000.0 and the like
    for option in ("--file", "--junit", "--plot", "--graph"):
        if option + " " in text:
            assert f"{option} FILE" in text
    for option, metavar in (("--at", "POINT"), ("--wrt", "VARS"), ("--timeout", "SECONDS"), ("--order", "N"),
                            ("--digits", "N"), ("--dim", "N"), ("--vector", "VARS"), ("--matrix", "VARS")):
        if re.search(rf"^ +(-\w, )?{option}\b", text, re.M):  # the option's own line
            assert re.search(rf"^ +(-\w, )?{option} {metavar}\b", text, re.M), (option, metavar)
    if "--timeout" in text:
        assert "0.01 to 1,000,000" in " ".join(text.split())


# -- global options after the command ----------------------------------------------------

def test_global_options_after_the_command():
    assert run(["derivative", "x^2", "-f", "plain", "--timeout", "5"]).stdout == "2*x\n"
    assert run(["derivative", "x^2", "--format=json"]).stdout.startswith('{"schema": 1')
    assert run(["derivative", "\\frac{x^2}{2}", "--input", "latex", "-f", "plain"]).stdout == "x\n"
    assert run(["check", "d/dx x^2 = 2x", "--timeout", "5", "-f", "plain"]).stdout.startswith("true")
    assert run(["autodiff", "x^2", "--at", "x=1", "--timeout", "5", "-f", "json"]).stdout.startswith("{")
    r = run(["derivative", "x^2 + 1", "--max-length", "3", "-f", "plain"], exit=2)
    assert_short_error(r, "3")


def test_timeout_after_the_command_is_the_calls_limit():
    r = run(["-f", "plain", "--timeout", "60", "taylor", "exp(sin(x))", "-n", "600", "--timeout", "0.05"], exit=3)
    assert_short_error(r, "time limit")


def test_the_command_value_wins():
    assert run(["-f", "json", "derivative", "x^2", "-f", "plain"]).stdout == "2*x\n"


@pytest.mark.parametrize("args,needle", [
    (["--timeout", "0", "derivative", "x"], "0 is not between 0.01 and 1,000,000"),
    (["derivative", "x", "--timeout", "nan"], "nan is not between"),
    (["derivative", "x", "--timeout", "soon"], "is not a number of seconds"),
    (["derivative", "x", "-n", "-1"], "-1 is not between 0 and 1,000"),
    (["gradient", "x y", "--dim", "0"], "0 is not between 1 and 10,000"),
])
def test_ranges_in_errors_read_well(args: list, needle: str):
    assert_short_error(run(["-f", "plain", *args], exit=2), needle)


# -- option values reported as option errors ----------------------------------------------

@pytest.mark.parametrize("at,needles", [
    ("x=1 y=2", ["--at 'x=1 y=2'", "separate the entries with commas"]),
    ("x==1", ["one '='"]),
    ("x=(1", ["cannot read the value of x"]),
    ("x=1,,y=2", ["empty entry"]),
])
def test_at_errors_are_about_the_option(at: str, needles: list):
    r = run(["-f", "plain", "gradient", "x y", "--at", at], exit=2)
    assert_short_error(r, *needles)
    assert "not an expression" not in r.stderr


@pytest.mark.parametrize("args,fix", [
    (["jacobian", "A b", "--matrix", "A", "--dim", "2", "--shape", "b=m x 1", "--wrt", "b"], "--shape b=2x1"),
    (["jacobian", "A b", "--shape", "A=2x2", "--shape", "b=3x1", "--wrt", "b"], "--shape b=2x1"),
    (["gradient", "x^T b", "--vector", "x", "--dim", "2", "--shape", "b=3x1", "--wrt", "x"], "--shape b=2x1"),
    (["gradient", "x^T A x", "--vector", "x", "--dim", "2", "--shape", "A=3x3", "--wrt", "x"], "--shape A=2x2"),
    (["jacobian", "A x", "--vector", "x", "--dim", "2", "--shape", "A=3x3", "--wrt", "x"], "--shape A=2x2"),
    (["gradient", "A b + c", "--shape", "A=2x3", "--shape", "b=3x1", "--shape", "c=3x1", "--wrt", "b"],
     "--shape c=2x1"),
])
def test_shape_errors_suggest_the_fix(args: list, fix: str):
    assert_short_error(run(["-f", "plain", *args], exit=2), fix)


@pytest.mark.parametrize("shape,needles", [
    ("b=3x0", ["--shape 'b=3x0'", "between 1 and 10,000", "b=3x2"]),
    ("b=(3,1)", ["--shape 'b=(3,1)'", "not a size", "b=3x2"]),
    ("b=m x", ["--shape 'b=m x'", "X=3x2"]),
])
def test_bad_shape_values_are_errors_of_the_option(shape: str, needles: list):
    args = ["-f", "plain", "gradient", "x^T b", "--vector", "x", "--shape", shape, "--wrt", "x"]
    assert_short_error(run(args, exit=2), *needles)
