"""The check use case (app.check): every command issue 12 ("check never gives a wrong
verdict") reproduced, as a case, with what gradcli answers now; and the run-level guarantees
(claims in order, an unreadable claim an error for that claim alone, the time limit keeping
the claims already decided)."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET

import pytest

from gradcli.app import check as C
from gradcli.app.check import check_claims
from gradcli.check.claims import Claim
from gradcli.check.verdict import CheckReport, ClaimVerdict, exit_status
from gradcli.errors import ExitStatus
from gradcli.model.declarations import Declarations
from helpers import assert_short_error, run

# (arguments, exit status, text that must be in stdout (exit 0/1/3) or stderr (exit 2))
REPROS = [
    # d/dθ with a Greek letter, ∂, Greek names with digits
    (["check", "d/dθ sin(θ) = θ sin(θ)"], 1, "false: d/dθ sin(θ) = θ sin(θ)"),
    (["check", "d/dθ cos(θ) = -sin(θ)"], 0, "true: d/dθ cos(θ) = -sin(θ)"),
    (["derivative", "d/dθ (θ^3)", "--wrt", "θ"], 2, "ambiguous"),
    (["derivative", "d/dθ (θ^3)"], 0, "3*theta**2"),
    (["check", "∂/∂θ sin(θ) = cos(θ)"], 0, "true"),
    (["derivative", "θ1^2"], 0, "2*theta1"),
    (["derivative", "θ_1^2"], 0, "2*theta_1"),
    # primes, fractions of names, glued function names
    (["check", "(x^2)' = 2x"], 2, "did you mean d/dx (x^2)?"),
    (["derivative", "f'(x)"], 2, "did you mean d/dx (...)"),
    (["check", "df/dx = 2x"], 2, "did you mean d/dx f"),
    (["derivative", "sinx"], 2, "did you mean sin(x)?"),
    (["check", "d/dx sinx = cosx"], 2, "did you mean sin(x)?"),
    # LaTeX: e^{...} binds like \exp
    (["check", r"\frac{d}{dx} e^{\sin x} = \cos x \, e^{\sin x}"], 0, "true"),
    (["check", r"\frac{d}{dx} e^{\sin x} = \cos x \exp(\sin x)"], 0, "true"),
    (["check", r"\frac{d}{dx} e^{\sin x} = \cos x e^{\sin x}"], 0, "true"),
    # evidence where counterexamples hide
    (["check", "d/dx abs((x - 5)^2 - 1/100) = 2 (x - 5)"], 1, "false"),
    (["check", "d/dx sqrt(x - 20000) = 1/sqrt(x - 20000)"], 1, "false"),
    (["check", "d/dx x^2 = 2x + 1/10^1500"], 1, "lhs - rhs = -1.0e-1500"),
    # matrix claims in time
    (["check", "d/dt (I + t A)^-1 = -(I + t A)^-2 A", "--matrix", "A,X"], 0, "true"),
    # -n after a written operator; --at outside the real domain
    (["derivative", "d/dx x^5", "-n", "2"], 2, "-n 2 with the operator d/dx"),
    (["derivative", "d/dx x^5", "--wrt", "x"], 2, "ambiguous"),
    (["derivative", "log(x)", "--at", "x=-1"], 2, "log(x) is not defined over the reals at x = -1"),
    (["derivative", "sqrt(x)", "--at", "x=-1"], 2, "sqrt(x) is not defined over the reals at x = -1"),
    (["gradient", "log(x) y", "--at", "x=-2,y=1"], 2, "at x = -2, y = 1"),
]


@pytest.mark.parametrize("args,status,text", REPROS, ids=[" ".join(a[:2]) for a, _, _ in REPROS])
def test_issue_repro(args, status, text):
    start = time.monotonic()
    r = run(["-f", "plain", *args], exit=status)
    if status == 2 and args[0] != "check":
        assert_short_error(r, text)
    else:
        assert text in (r.stdout if status != 2 else r.stdout + r.stderr), (r.stdout, r.stderr)
    assert time.monotonic() - start < 10


def test_what_the_operator_says_is_computed():
    assert run(["-f", "plain", "derivative", "d/dx x^5"]).stdout == "5*x**4\n"
    assert run(["-f", "plain", "derivative", "d^2/dx^2 x^5"]).stdout == "20*x**3\n"
    assert run(["-f", "plain", "derivative", "x^5", "-n", "2"]).stdout == "20*x**3\n"
    # --wrt another variable differentiates the operator's result (the README's example)
    assert run(["-f", "plain", "derivative", "d/dx (x^2 y)", "--wrt", "y"]).stdout == "2*x\n"
    # an operator inside EXPR is part of f
    assert run(["-f", "plain", "derivative", "x + d/dx x^3", "-n", "2"]).stdout == "6\n"


def test_at_inside_the_domain_still_works():
    assert run(["-f", "plain", "derivative", "log(x)", "--at", "x=2"]).stdout == "1/2\n"
    assert run(["-f", "plain", "derivative", "sqrt(x)", "--at", "x=4"]).stdout == "1/4\n"
    assert_short_error(run(["derivative", "acos(x)", "--at", "x=2"], exit=2), "acos(x)", "x = 2")


# -- an unreadable claim is an error for that claim alone ----------------------------------------

def test_unreadable_claim_among_others(tmp_path):
    junit = tmp_path / "r.xml"
    r = run(["-f", "json", "check", "d/dx x^2 = 2x", "d/dx foo(x) = 1", "d/dx x^3 = 2x", "--junit", str(junit)],
            exit=2)
    out = json.loads(r.stdout)
    assert [x["verdict"] for x in out["results"]] == ["true", "error", "false"]
    assert "unknown function 'foo'" in out["results"][1]["reason"]
    assert (out["true"], out["false"], out["unknown"], out["error"]) == (1, 1, 0, 1)
    assert r.stderr.startswith("error: 'd/dx foo(x) = 1': unknown function 'foo'")
    suite = ET.parse(junit).getroot().find("testsuite")
    cases = suite.findall("testcase")
    assert cases[1].find("error").attrib["type"] == "unreadable"
    assert cases[2].find("failure") is not None
    assert suite.attrib["errors"] == "1" and suite.attrib["failures"] == "1"


def test_unreadable_lines_of_a_file_name_file_and_line(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("d/dy y^2 = 2y\nd/dx sin(x = cos(x)\nd/dx (x^T a) = a x\n", encoding="utf-8")
    r = run(["-f", "plain", "check", "--file", str(path), "--vector", "x,a"], exit=2)
    lines = r.stdout.splitlines()
    assert lines[0].startswith("true:") and lines[1].startswith("error:") and lines[2].startswith("error:")
    err = r.stderr.splitlines()
    assert err[0].startswith(f"error: {path}:2: ") and err[1].startswith(f"error: {path}:3: ")


@pytest.mark.parametrize("verdicts,status", [
    (("error",), ExitStatus.BAD_INPUT),
    (("true", "error"), ExitStatus.BAD_INPUT),
    (("false", "error"), ExitStatus.BAD_INPUT),
    (("unknown", "error", "true"), ExitStatus.BAD_INPUT),
    (("unknown", "false"), ExitStatus.CLAIM_FALSE),
    (("unknown", "true"), ExitStatus.INCOMPLETE),
])
def test_exit_status_precedence(verdicts, status):
    report = CheckReport(tuple(ClaimVerdict(claim="c", verdict=v, method="m") for v in verdicts))
    assert exit_status(report) == status


# -- the time limit keeps what was decided ------------------------------------------------------------

def _slow_decide(real):
    def decide(text, *args, **kw):
        if "slow" in text:
            time.sleep(60)
        return real(text, *args, **kw)
    return decide


def test_time_limit_reports_the_claims_decided(monkeypatch, tmp_path):
    monkeypatch.setattr(C, "decide", _slow_decide(C.decide))
    junit = tmp_path / "r.xml"
    start = time.monotonic()
    r = run(["-f", "json", "--timeout", "2", "check", "d/dx x^2 = 2x", "d/dx x^3 = 3x",
             "d/dx slow^2 = 2 slow", "d/dx x = 1", "--junit", str(junit)], exit=1)
    assert time.monotonic() - start < 10
    out = json.loads(r.stdout)
    assert [x["verdict"] for x in out["results"]] == ["true", "false", "unknown", "unknown"]
    assert all(x["reason"].startswith("time limit") for x in out["results"][2:])
    assert len(ET.parse(junit).getroot().find("testsuite").findall("testcase")) == 4
    # with nothing false, the time limit is exit 3
    r = run(["-f", "plain", "--timeout", "1", "check", "d/dx x^2 = 2x", "d/dx slow = 1"], exit=3)
    assert r.stdout.splitlines() == ["true: d/dx x^2 = 2x",
                                     "unknown: d/dx slow = 1  -- " + C.TIME_LIMIT_REASON]


def test_each_claim_has_its_own_limit(monkeypatch):
    monkeypatch.setattr(C, "decide", _slow_decide(C.decide))
    monkeypatch.setattr(C, "CLAIM_GRACE", 0.2)
    start = time.monotonic()
    report = check_claims([Claim("d/dx slow = 1"), Claim("d/dx x^2 = 2x")], budget=0.3,
                          deadline=time.monotonic() + 30)
    assert time.monotonic() - start < 5
    assert [r.verdict for r in report.results] == ["unknown", "true"]
    assert "the claim's own limit" in report.results[0].reason


def test_check_claims_in_order_and_errors_name_the_source():
    claims = [Claim("d/dx x^2 = 2x", name="square"), Claim("d/dx x^2 = 3x"),
              Claim("d/dx log(-1 - x^2) = sin(x)")]
    report = check_claims(claims)
    assert [r.verdict for r in report.results] == ["true", "false", "unknown"]
    assert report.results[0].name == "square"
    assert (report.count("true"), report.count("false"), report.count("unknown")) == (1, 1, 1)
    # a claim that does not build is an error for that claim alone; the others are decided
    report = check_claims([Claim("d/dx (x^T a) = a x", Declarations(vectors=("x", "a")), source="f.txt:7"),
                           Claim("d/dx x^2 = 2x")])
    assert [r.verdict for r in report.results] == ["error", "true"]
    assert report.results[0].source == "f.txt:7" and "multiply" in report.results[0].reason
    assert exit_status(report) == ExitStatus.BAD_INPUT
