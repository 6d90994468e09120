"""``check``: claims collected from the command line, standard input, files and the
built-in catalogue (``claims_of``), then decided one by one under the call's time limit
(``check``).  Nothing here prints, exits or writes a file."""

from __future__ import annotations

import time
from typing import Sequence

from ..check.claims import Claim, collect_claims
from ..check.decide import check_claims
from ..check.verdict import CheckReport
from ..errors import InputError
from ..limits import check_items, remaining
from .common import Options


def claims_of(args: Sequence[str], opts: Options, *, files: Sequence[str] = (), builtin: bool = False,
              stdin_text: str | None = None) -> list[Claim]:
    """Every claim of the call, in order: arguments (``-`` is standard input, already read
    as ``stdin_text``), then files, then the catalogue."""
    collected = collect_claims(tuple(args), files=files, builtin=builtin, decl=opts.decl, layout=opts.layout,
                               latex=opts.latex_input, stdin_text=stdin_text)
    if not collected:
        raise InputError("no claims: give CLAIM arguments, '-', --file F or --builtin")
    check_items(len(collected), f"{len(collected):,} claims are given")
    return collected


def check(claims: Sequence[Claim], *, strict: bool = False, timeout: float) -> CheckReport:
    """Decide the claims.  The time limit stops the claim being decided; the claims decided
    are still reported, so the claims stop a little before the call's own limit (which also
    covers the report): ``timeout`` where no limit is running."""
    left = remaining()
    left = timeout if left is None else left
    return check_claims(claims, strict=strict, deadline=time.monotonic() + left - min(1.0, 0.1 * left))
