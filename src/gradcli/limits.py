"""Time limits for all work, and bounded simplification.

``time_limit(seconds)`` runs a block under a wall-clock alarm (SIGALRM via
``setitimer``).  Limits nest: an inner limit never outlives the outer one, and
when the inner one fires only the inner block is abandoned.  ``bounded``
runs a function (``simplify``, say) under a short budget and returns a
fallback when it runs out, so a big result is shown as computed, not hung on.

Outside the main thread (or on a platform without SIGALRM) limits are not
enforced; gradcli's CLI always runs in the main thread.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from typing import Callable, Iterator, TypeVar

from .errors import TimeLimitExceeded

T = TypeVar("T")

#: Budget for one simplification of a result, in seconds.
SIMPLIFY_SECONDS = 2.0


class _Expired(BaseException):
    """Raised inside a limited block; a BaseException so SymPy's ``except
    Exception`` clauses cannot swallow it."""

    def __init__(self, token: object):
        super().__init__()
        self.token = token


_stack: list[tuple[object, float]] = []  # (token, absolute deadline)


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _arm() -> None:
    if not _stack:
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    deadline = min(d for _, d in _stack)
    signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 1e-4))


def _on_alarm(signum, frame) -> None:  # pragma: no cover - timing dependent
    now = time.monotonic()
    # The innermost-expired-first rule: raise for the outermost expired limit,
    # so that an expired outer limit is never mistaken for an inner one.
    for token, deadline in _stack:
        if deadline <= now + 1e-3:
            # If the exception is swallowed (raised inside a __del__ or a gc callback, where
            # Python ignores it), the alarm fires again shortly; the limit's cleanup re-arms.
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            raise _Expired(token)
    _arm()


@contextlib.contextmanager
def _alarm_blocked() -> Iterator[None]:
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def _limit(seconds: float) -> Iterator[object]:
    token = object()
    if not _can_alarm() or seconds is None or seconds <= 0:
        yield token
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    with _alarm_blocked():
        _stack.append((token, time.monotonic() + seconds))
        _arm()
    try:
        yield token
    finally:
        # An alarm must not fire half-way through the bookkeeping (it would escape as a raw
        # _Expired and leave a stale entry): block it; one that is pending is delivered on
        # unblocking and then raises for whichever limit (outer or inner) really expired.
        with _alarm_blocked():
            _stack[:] = [(t, d) for t, d in _stack if t is not token]
            _arm()
            if not _stack:
                signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def time_limit(seconds: float | None, what: str = "the computation") -> Iterator[None]:
    """Run the block under a limit; raise TimeLimitExceeded (exit 3) when it runs out."""
    if seconds is None:
        yield
        return
    with _limit(seconds) as token:
        try:
            yield
        except _Expired as exc:
            if exc.token is not token:
                raise
            raise TimeLimitExceeded(
                f"{what} did not finish within the time limit of {seconds:g} s",
                "raise it with --timeout SECONDS",
            ) from None


def bounded(func: Callable[[], T], seconds: float, fallback: T) -> T:
    """Return ``func()``, or ``fallback`` if it takes longer than ``seconds``.

    Also returns the fallback when ``func`` raises an ordinary exception
    (SymPy's simplifiers occasionally do on exotic input).
    """
    with _limit(seconds) as token:
        try:
            return func()
        except _Expired as exc:
            if exc.token is not token:
                raise
            return fallback
        except (RecursionError, Exception):  # noqa: BLE001 - a simplifier failing is not the user's error
            return fallback


def remaining() -> float | None:
    """Seconds left under the innermost limit, or None when unlimited."""
    if not _stack:
        return None
    return max(0.0, min(d for _, d in _stack) - time.monotonic())
