"""Declarations that agree may repeat; only a contradiction is an error (SPEC, Options)."""

from __future__ import annotations

import pytest

from helpers import assert_short_error, run

AGREE = [
    # (declarations, expression, --wrt, plain result)
    (["--vector", "x", "--matrix", "A,W", "--symmetric", "W"], "x^T W x", "x", "2*x.T*W"),
    (["--vector", "x", "--symmetric", "W", "--matrix", "W"], "x^T W x", "x", "2*x.T*W"),
    (["--vector", "x", "--shape", "x=3x1", "--shape", "W=3x3"], "x^T W x", "x", "x.T*(W + W.T)"),
    (["--vector", "x,x", "--matrix", "W"], "x^T W x", "x", "x.T*(W + W.T)"),
    (["--vector", "x", "--vector", "x", "--matrix", "W"], "x^T W x", "x", "x.T*(W + W.T)"),
    (["--shape", "X=3x2", "--shape", "X=3x2"], "tr(X^T X)", "X", "2*X"),
    (["--dim", "3", "--matrix", "W", "--shape", "W=3x3", "--vector", "x"], "x^T W x", "x", "x.T*(W + W.T)"),
    (["--dim", "3", "--vector", "x", "--shape", "x=3x1"], "x^T x", "x", "2*x.T"),
]


@pytest.mark.parametrize("decl, expr, wrt, expected", AGREE, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_agreeing_declarations(decl, expr, wrt, expected):
    r = run(["-f", "plain", "gradient", expr, "--wrt", wrt, *decl])
    assert r.stdout.strip() == expected


CONTRADICT = [
    (["--vector", "x", "--matrix", "x"], "both a vector and a matrix"),
    (["--vector", "x", "--symmetric", "x"], "both a vector and a symmetric matrix"),
    (["--vector", "x", "--shape", "x=3x2"], "declared a vector"),
    (["--matrix", "A", "--shape", "A=3x2"], "declared a matrix"),
    (["--symmetric", "W", "--shape", "W=2x3"], "symmetric"),
    (["--shape", "X=3x2", "--shape", "X=2x3"], "two different shapes"),
    (["--dim", "3", "--matrix", "A", "--shape", "A=4x4"], "--dim 3"),
    (["--dim", "3", "--vector", "x", "--shape", "x=2x1"], "--dim 3"),
]


@pytest.mark.parametrize("decl, message", CONTRADICT, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_contradictions_are_errors(decl, message):
    r = run(["-f", "plain", "gradient", "x^T x", "--wrt", "x", *decl], exit=2)
    assert_short_error(r, message)


def test_check_takes_agreeing_declarations():
    r = run(["-f", "plain", "check", "d/dx x^T W x = 2 x^T W", "--vector", "x", "--matrix", "W",
             "--symmetric", "W"])
    assert r.stdout.startswith("true")


def test_claim_file_declarations_merge_with_the_command_line(tmp_path):
    agree = tmp_path / "agree.toml"
    agree.write_text('[[claim]]\nclaim = "d/dx x^T x = 2 x^T"\nvector = "x"\nshape = "x=3x1"\n')
    assert run(["-f", "plain", "check", "--vector", "x", "--file", str(agree)]).stdout.startswith("true")
    clash = tmp_path / "clash.toml"
    clash.write_text('[[claim]]\nclaim = "d/dx x^T x = 2 x^T"\nmatrix = "x"\n')
    r = run(["-f", "plain", "check", "--vector", "x", "--file", str(clash)], exit=2)
    assert_short_error(r, "clash.toml", "both a vector and a matrix")
