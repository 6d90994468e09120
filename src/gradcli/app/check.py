"""``check``: claims collected from the command line, standard input, files and the
built-in catalogue (``claims_of``), then decided one by one (``check_claims``: each claim
under a budget of its own, all of them under the call's time limit, a claim that cannot be
read an error for that claim alone).  Nothing here prints, exits or writes a file."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from ..check.catalogue import claims as catalogue_claims
from ..check.claims import Claim, collect, error_text
from ..check.compare import CLAIM_SECONDS
from ..check.decide import decide
from ..check.tensor import decide_tensor
from ..check.verdict import CheckReport, ClaimVerdict, Verdict
from ..errors import InputError, TimeLimitExceeded
from ..limits import check_items, remaining, time_limit
from ..record import replace
from .common import Options


def claims_of(args: Sequence[str], opts: Options, *, files: Sequence[str] = (), builtin: bool = False,
              stdin_text: str | None = None) -> list[Claim]:
    """Every claim of the call, in order: arguments (``-`` is standard input, already read
    as ``stdin_text``), then files, then the catalogue."""
    collected = collect(tuple(args), files, decl=opts.decl, layout=opts.layout, stdin=stdin_text,
                        latex=opts.latex_input)
    if builtin:
        collected += catalogue_claims()
    if not collected:
        raise InputError("no claims: give CLAIM arguments, '-', --file F or --builtin")
    check_items(len(collected), f"{len(collected):,} claims are given")
    return collected


def check(claims: Sequence[Claim], *, strict: bool = False, timeout: float,
          on_claim: Callable[[Any], None] | None = None) -> CheckReport:
    """Decide the claims.  The time limit stops the claim being decided; the claims decided
    are still reported, so the claims stop a little before the call's own limit (which also
    covers the report): ``timeout`` where no limit is running.  ``on_claim(claim)`` is called
    as each claim is taken up (the CLI's progress display)."""
    left = remaining()
    left = timeout if left is None else left
    return check_claims(claims, strict=strict, deadline=time.monotonic() + left - min(1.0, 0.1 * left),
                        on_claim=on_claim)


# -- many claims -----------------------------------------------------------------------------

#: Seconds a claim may run past its own budget before it is stopped (the budget is checked
#: between steps; this bounds a single step that overruns it).
CLAIM_GRACE = 5.0
#: The reason of a claim the run's time limit stopped (or never started).
TIME_LIMIT_REASON = "time limit: the run's --timeout ran out before this claim was decided"


def check_claims(claims: Sequence[Any], *, strict: bool = False, budget: float | None = CLAIM_SECONDS,
                 deadline: float | None = None, on_claim: Callable[[Any], None] | None = None) -> CheckReport:
    """Decide each ``check.claims.Claim`` in order.

    A claim that cannot be read (``claim.error``, or an InputError while it is built) is an
    "error" verdict for that claim alone.  ``deadline`` (a ``time.monotonic()`` instant, the
    run's --timeout) stops the claim being decided when it comes: that claim and the ones
    not yet started are "unknown" with the reason "time limit", and the report of the ones
    decided is returned.  Each claim also has its own ``budget`` (plus CLAIM_GRACE)."""
    results = []
    for claim in claims:
        if on_claim is not None:
            on_claim(claim)
        if getattr(claim, "error", ""):
            results.append(_error_verdict(claim, claim.error))
            continue
        run_left = None if deadline is None else deadline - time.monotonic()
        if run_left is not None and run_left <= 0.05:
            results.append(_unknown_verdict(claim, TIME_LIMIT_REASON))
            continue
        own = None if budget is None else budget + CLAIM_GRACE
        hard = min((x for x in (run_left, own) if x is not None), default=None)
        soft = budget if run_left is None else (run_left if budget is None else min(budget, run_left))
        started = time.monotonic()
        try:
            with time_limit(hard):
                result = _decide_claim(claim, strict, soft)
            if (result.verdict == Verdict.UNKNOWN and run_left is not None and (budget is None or run_left < budget)
                    and result.reason.startswith("the time budget")):
                # the budget was what was left of the run's --timeout: say so
                result = replace(result, reason=TIME_LIMIT_REASON)
        except TimeLimitExceeded:
            by_run = run_left is not None and (own is None or run_left <= own)
            result = _unknown_verdict(claim, TIME_LIMIT_REASON if by_run else
                                      f"time limit: the claim's own limit of {own:g} s ran out",
                                      seconds=time.monotonic() - started)
        except InputError as exc:
            result = _error_verdict(claim, error_text(exc))
        results.append(result)
    return CheckReport(results=tuple(results))


def _decide_claim(claim: Any, strict: bool, budget: float | None) -> ClaimVerdict:
    tensor = getattr(claim, "tensor", None)
    if tensor:
        identity, f_text = tensor
        return decide_tensor(identity, f_text, claim.decl, name=claim.name, source=claim.source,
                             claim=claim.text, budget=budget)
    return decide(claim.text, claim.decl, claim.layout, strict=strict, name=claim.name,
                  source=claim.source, budget=budget, latex=getattr(claim, "latex", False))


def _error_verdict(claim: Any, message: str) -> ClaimVerdict:
    return ClaimVerdict(claim=claim.text, verdict=Verdict.ERROR, method="none", name=claim.name, source=claim.source,
                        reason=message)


def _unknown_verdict(claim: Any, reason: str, seconds: float = 0.0) -> ClaimVerdict:
    return ClaimVerdict(claim=claim.text, verdict=Verdict.UNKNOWN, method="none", name=claim.name, source=claim.source,
                        reason=reason, seconds=round(seconds, 4))
