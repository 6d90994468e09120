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
