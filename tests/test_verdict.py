"""Exit statuses of a check report (check.verdict)."""

from __future__ import annotations

import pytest

from gradcli.check.verdict import CheckReport, ClaimVerdict, exit_status
from gradcli.errors import ExitStatus


def _v(verdict):
    return ClaimVerdict(claim="c", verdict=verdict, method="m")


@pytest.mark.parametrize("verdicts,status", [
    ((), ExitStatus.OK),
    (("true",), ExitStatus.OK),
    (("true", "true"), ExitStatus.OK),
    (("false",), ExitStatus.CLAIM_FALSE),
    (("true", "false"), ExitStatus.CLAIM_FALSE),
    (("unknown",), ExitStatus.INCOMPLETE),
    (("true", "unknown"), ExitStatus.INCOMPLETE),
    (("false", "unknown"), ExitStatus.CLAIM_FALSE),
    (("unknown", "false", "true"), ExitStatus.CLAIM_FALSE),
])
def test_exit_status(verdicts, status):
    assert exit_status(CheckReport(tuple(_v(v) for v in verdicts))) == status
    assert int(status) in (0, 1, 3)


EVIDENCE = [
    # (claim, declarations, verdict, evidence)
    ("d/dx sin(x)^2 = 2 sin(x) cos(x)", {}, "true", "proof"),
    ("asin(x) + acos(x) = pi/2", {}, "true", "numeric"),
    ("d/dx x^T A x = x^T (A + A^T)", {"vectors": ("x",), "matrices": ("A",)}, "true", "exact"),
    ("x = x + 1", {}, "false", "proof"),
    ("abs(x - 200) = 200 - x", {}, "false", "exact"),
    ("d/dx exp(2x) = exp(2x)", {}, "false", "numeric"),
    ("d/dx x^T x = 2 x", {"vectors": ("x",)}, "false", "proof"),
]


@pytest.mark.parametrize("claim, decl, verdict, evidence", EVIDENCE, ids=[c for c, *_ in EVIDENCE])
def test_each_verdict_says_what_it_rests_on(claim, decl, verdict, evidence):
    from gradcli.check.decide import decide
    from gradcli.model.declarations import Declarations

    v = decide(claim, Declarations(**decl))
    assert (v.verdict, v.evidence) == (verdict, evidence), v.method


def test_strict_makes_numeric_evidence_unknown():
    from gradcli.check.decide import decide
    from gradcli.model.declarations import Declarations

    v = decide("asin(x) + acos(x) = pi/2", Declarations(), strict=True)
    assert (v.verdict, v.evidence) == ("unknown", "none")
