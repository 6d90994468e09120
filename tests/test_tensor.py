"""The book's tensor identities 5.99-5.102, entry by entry (check.tensor)."""

from __future__ import annotations

import pytest

from gradcli.check.tensor import decide_tensor
from gradcli.model.declarations import Declarations


@pytest.mark.parametrize("identity", ["5.99", "5.100", "5.101", "5.102"])
def test_tensor_identities(identity):
    v = decide_tensor(identity, "A X", Declarations(matrices=("X", "A")), sizes=(1, 2))
    assert v.verdict == "true", v.reason
    assert "n = 1..2" in v.method


def test_tensor_check_refutes_a_wrong_identity(monkeypatch):
    from gradcli.check import tensor as C

    real = C._tensor_sides

    def wrong(identity, F, X):
        ls, rs = real(identity, F, X)
        return ls, [-r for r in rs]  # 5.102 without its minus sign

    monkeypatch.setattr(C, "_tensor_sides", wrong)
    v = decide_tensor("5.102", "X X", Declarations(matrices=("X",)), sizes=(1, 2))
    assert v.verdict == "false" and v.counterexample["sizes"]["n"] == 1
