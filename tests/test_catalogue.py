"""The built-in catalogue (check.catalogue): the book's identities, every one decided true."""

from __future__ import annotations

from gradcli.app.check import check_claims
from gradcli.check import catalogue
from gradcli.check.verdict import exit_status
from gradcli.errors import ExitStatus


def test_catalogue_covers_the_book():
    numbers = {e.number for e in catalogue.entries()}
    assert {f"5.{k}" for k in range(99, 109)} <= numbers
    listing = catalogue.listing()
    for e in listing.entries:
        assert e.claim and e.name and isinstance(e.declarations(), dict)
    e107 = [e for e in catalogue.entries() if e.number == "5.107"]
    assert {e.layout for e in e107} == {"numerator", "denominator"}
    e108 = next(e for e in catalogue.entries() if e.number == "5.108")
    assert e108.declarations()["symmetric"] == "W"


def test_catalogue_all_true():
    report = check_claims(catalogue.claims())
    bad = [(r.name, r.verdict, r.reason) for r in report.results if r.verdict != "true"]
    assert not bad
    assert exit_status(report) == ExitStatus.OK
    assert all(r.source.startswith("builtin:") for r in report.results)
