"""Every limit gradcli puts on its input, and the time limit on all work.

**Input limits.**  Each number below exists here and nowhere else; the modules that
enforce a limit import it from here, and the README's table of limits lists them all.
They are checked before the work they bound starts, and keep one call of gradcli under
1 GiB of memory (``bench/bench_memory.py`` measures the worst accepted input of each kind).
Only the length of a text (``--max-length``) and the time (``--timeout``) can be raised.

**The time limit.**  ``time_limit(seconds)`` runs a block under a wall-clock alarm
(SIGALRM via ``setitimer``).  Limits nest: an inner limit never outlives the outer one,
and when the inner one fires only the inner block is abandoned.  ``bounded`` runs a
function (``simplify``, say) under a short budget and returns a fallback when it runs
out, so a big result is shown as computed, not hung on.

The alarm handler, once installed, stays installed for the life of the process (an alarm
that is already pending when a limit ends must never meet the default action, which
kills the process).  It never raises while this module's own bookkeeping runs (so a
limit's entry is always removed when its block ends) nor while a module is imported (a
half-imported SymPy stays broken); it waits a moment instead.  While a limit is active the
alarm also ticks 20 times a second to watch the memory: a call that grows by more than
``MAX_MEMORY_GROWTH`` ends like one out of time, with exit 3.  Outside the main thread (or
on a platform without SIGALRM) limits are not enforced; gradcli's CLI always runs in the
main thread.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from .errors import LimitError, MemoryLimitExceeded, TimeLimitExceeded

T = TypeVar("T")

# -- input limits: the one place ---------------------------------------------------------

#: Characters in one expression, claim or option value (and in all the functions of one
#: Jacobian together): the default of ``--max-length``.
MAX_LENGTH = 10_000
#: The most ``--max-length`` may raise it to.
MAX_LENGTH_CEILING = 100_000
#: Brackets, function calls and signs nested inside one another.
MAX_DEPTH = 200
#: Digits of a number written or reached while building an expression (``10^4000``).
MAX_DIGITS = 4000
#: The largest integer exponent of a symbolic base (``x^1000000``).
MAX_EXPONENT = 10**6
#: The largest argument of factorial or gamma, and order of polygamma, on a number.
MAX_FACTORIAL = 1000
#: The total order of the derivatives in one expression (operators, ``diff``, ``-n``).
MAX_ORDER = 1000
#: The largest integer power of a matrix (``X^1000``).
MAX_MATRIX_POWER = 1000
#: ``--digits``: significant digits of a decimal value.
MAX_DECIMAL_DIGITS = 1000
#: Digits of an exact value at a point (beyond: ask for a decimal).
MAX_VALUE_DIGITS = 4000
#: ``--dim`` and each size of ``--shape``.
MAX_SIZE = 10_000
#: Entries of a result: the gradient's n, the Hessian's n x n, the Jacobian's m x n.
MAX_ENTRIES = 40_000
#: Entries of the vector and matrix inputs of ``autodiff``, together (a forward sweep each).
MAX_AUTODIFF_ENTRIES = 64
#: Entries of one matrix written out entry by entry (``--shape X=20x20`` in ``check``,
#: ``[[...]]`` literals): explicit symbolic matrices grow fast under products.
MAX_EXPLICIT_ENTRIES = 400
#: Terms of a Taylor polynomial: C(n + k, k) for order n in k variables.
MAX_TAYLOR_TERMS = 20_000
#: Terms a result may be multiplied out to when it is simplified ((x + 1)^20 has 21): larger
#: powers of sums are shown as computed.
MAX_EXPANDED_TERMS = 10_000
#: Characters read from standard input and claim files in one call, together.
MAX_INPUT_CHARS = 1_000_000
#: Expressions or claims in one call (arguments, lines of standard input and of files).
MAX_ITEMS = 10_000
#: ``codegen``: the longest name an argument of generated code may have (lines stay under
#: 100 characters), and the entries of all the arrays ``--gradcheck`` makes at the given sizes.
MAX_CODE_NAME = 40
MAX_GRADCHECK_ENTRIES = 1_000_000

#: The memory one call may add while it works (the watch checks it 20 times a second under
#: the time limit, and ends the call with exit 3 past it): with the ~30 MB a call starts
#: from, gradcli stays under 1 GiB.  Input limits keep the worst accepted inputs far below.
MAX_MEMORY_GROWTH = 850 * 2**20

#: The default, smallest and largest ``--timeout``, in seconds.
DEFAULT_TIMEOUT = 60.0
MIN_TIMEOUT = 0.01
MAX_TIMEOUT = 1e6
#: Budget for one simplification of a result, in seconds.
SIMPLIFY_SECONDS = 2.0

_REFUSED = "gradcli refuses such input before doing any work"

# The per-call settings: the CLI sets them at the start of every call (``begin_call``).
_max_length = MAX_LENGTH
_chars_read = 0


def begin_call(max_length: int | None = None) -> None:
    """Reset the per-call state: the length limit (``--max-length``) and the input read."""
    global _max_length, _chars_read
    _max_length = MAX_LENGTH if max_length is None else int(max_length)
    _chars_read = 0


def set_max_length(limit: int) -> None:
    """``--max-length`` given after the command: the length limit of the rest of the call."""
    global _max_length
    _max_length = int(limit)


def max_length() -> int:
    """The length limit of this call (``--max-length``, default MAX_LENGTH)."""
    return _max_length


def check_length(text: str, what: str = "the input") -> None:
    """LimitError when ``text`` is longer than this call's length limit."""
    limit = _max_length
    if len(text) > limit:
        raise LimitError(
            f"{what} is {len(text):,} characters long; the limit is {limit:,}",
            "raise it with --max-length N" if limit < MAX_LENGTH_CEILING else _REFUSED,
        )


def input_budget() -> int:
    """Characters standard input and claim files may still bring in this call."""
    return max(0, MAX_INPUT_CHARS - _chars_read)


def charge_input(text: str, source: str) -> None:
    """Count ``text`` (read from ``source``) against MAX_INPUT_CHARS."""
    global _chars_read
    _chars_read += len(text)
    if _chars_read > MAX_INPUT_CHARS:
        raise LimitError(f"{source} is longer than {MAX_INPUT_CHARS:,} characters (with the input read before it)",
                         "split it into smaller inputs")


def check_items(count: int, what: str) -> None:
    if count > MAX_ITEMS:
        raise LimitError(f"{what}; the limit is {MAX_ITEMS:,} expressions or claims in one call",
                         "split them over several calls")


def check_entries(count: int, what: str) -> None:
    """A result of ``count`` entries (``what`` says which), refused past MAX_ENTRIES."""
    if count > MAX_ENTRIES:
        raise LimitError(f"{what} would have {count:,} entries; the limit is {MAX_ENTRIES:,}", _REFUSED)


def check_explicit(rows: int, cols: int, name: str) -> None:
    """A matrix written out entry by entry, refused past MAX_EXPLICIT_ENTRIES."""
    if rows * cols > MAX_EXPLICIT_ENTRIES:
        raise LimitError(
            f"{name} would be written out entry by entry as a {rows} x {cols} matrix "
            f"({rows * cols:,} entries); the limit is {MAX_EXPLICIT_ENTRIES:,}",
            "give a smaller size (or a symbolic one, such as n)",
        )


def taylor_terms(variables: int, order: int) -> int:
    """Terms of a Taylor polynomial of total degree ``order`` in ``variables`` variables."""
    return math.comb(order + variables, variables)


def check_taylor(variables: int, order: int) -> None:
    terms = taylor_terms(variables, order)
    if order > MAX_ORDER:
        raise LimitError(f"order {order} is too large", f"the largest order gradcli computes is {MAX_ORDER}")
    if terms > MAX_TAYLOR_TERMS:
        raise LimitError(
            f"a Taylor polynomial of order {order} in {variables} variables has {terms:,} terms; "
            f"the limit is {MAX_TAYLOR_TERMS:,}",
            "lower the order with -n",
        )


# -- the time limit and the memory watch --------------------------------------------------

#: While a limit is active the alarm ticks at least this often, to watch the memory.
_TICK_SECONDS = 0.05
#: After an alarm has raised, it fires again this often until its limit's block is left: an
#: exception Python swallows (one raised inside a ``__del__``) must not end the limit.
_RETRY_SECONDS = 0.2
#: An alarm that arrives while this module's bookkeeping or an import runs is retried this
#: much later.
_DEFER_SECONDS = 0.005


class _Expired(BaseException):
    """Raised inside a limited block; a BaseException so SymPy's ``except
    Exception`` clauses cannot swallow it.  ``memory``: the memory watch tripped."""

    def __init__(self, token: object, memory: bool = False):
        super().__init__()
        self.token = token
        self.memory = memory


class _Entry:
    __slots__ = ("deadline",)

    def __init__(self, deadline: float):
        self.deadline = deadline


_stack: list[_Entry] = []  # outermost first
_installed = False
_rss_start = 0  # the resident memory when the outermost limit began: the watch counts from it


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _install() -> None:
    global _installed
    if not _installed:
        signal.signal(signal.SIGALRM, _on_alarm)
        _installed = True


def _arm() -> None:
    if not _stack:
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    deadline = min(e.deadline for e in _stack)
    signal.setitimer(signal.ITIMER_REAL, min(max(deadline - time.monotonic(), 1e-4), _TICK_SECONDS))


_PAGE = 4096
try:  # pragma: no cover - platform dependent
    import os as _os

    _PAGE = _os.sysconf("SC_PAGE_SIZE")
except (ImportError, AttributeError, ValueError, OSError):  # pragma: no cover
    pass


def resident_bytes() -> int:
    """The process's resident memory now (Linux: /proc/self/statm; elsewhere its peak)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):  # pragma: no cover - no /proc
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def _memory_exceeded() -> bool:
    return resident_bytes() - _rss_start > MAX_MEMORY_GROWTH


def _importing(frame: Any) -> bool:
    """Whether a module is being imported: a half-imported module (SymPy, say) stays
    broken for the life of the process, so an import is never interrupted."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def _on_alarm(signum: int, frame: Any) -> None:  # pragma: no cover - timing dependent
    if not _stack:
        _arm()
        return
    now = time.monotonic()
    # Raise for the outermost expired limit, so that an expired outer limit is never
    # mistaken for an inner one; memory past the watch ends the whole call (the outermost).
    expired = next((e for e in _stack if e.deadline <= now + 1e-3), None)
    memory = expired is None and _memory_exceeded()
    if expired is None and not memory:
        _arm()
        return
    if frame is not None and (frame.f_globals is globals() or _importing(frame)):
        # this module's bookkeeping is running (a limit being entered or left), or an
        # import: raising now could leave a stale entry or a broken module behind; the
        # limit ends in a moment, when that is done
        signal.setitimer(signal.ITIMER_REAL, _DEFER_SECONDS)
        return
    signal.setitimer(signal.ITIMER_REAL, _RETRY_SECONDS)
    raise _Expired(expired if expired is not None else _stack[0], memory=memory)


def on_unraisable(exc: BaseException) -> bool:
    """For ``sys.unraisablehook``: True for an alarm that Python could not raise (inside a
    ``__del__``); it is re-raised in a moment, and nothing need be printed."""
    if isinstance(exc, _Expired):
        if _stack and _can_alarm():
            signal.setitimer(signal.ITIMER_REAL, _DEFER_SECONDS)
        return True
    return False


class _Limit:
    """The bookkeeping of one limit: its entry is on the stack between enter and exit."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.entry: _Entry | None = None

    def __enter__(self) -> _Limit:
        if self.seconds is None or self.seconds <= 0 or not _can_alarm():
            return self
        _install()
        if not _stack:
            global _rss_start
            _rss_start = resident_bytes()
        entry = _Entry(time.monotonic() + self.seconds)
        _stack.append(entry)
        self.entry = entry
        _arm()
        return self

    def __exit__(self, *exc: Any) -> None:
        entry, self.entry = self.entry, None
        if entry is not None:
            for i in range(len(_stack) - 1, -1, -1):
                if _stack[i] is entry:
                    del _stack[i]
            _arm()


class time_limit:
    """``with time_limit(seconds, what):`` run the block under a limit; TimeLimitExceeded
    (exit 3) when it runs out.  ``what`` and ``where`` (a prefix such as "line 3") may be
    changed while the block runs, so the message names what was under way."""

    def __init__(self, seconds: float | None, what: str = "the computation"):
        self.seconds = seconds
        self.what = what
        self.where = ""
        self._limit = _Limit(seconds)
        self._entry: _Entry | None = None
        self.started = time.monotonic()

    def __enter__(self) -> time_limit:
        self.started = time.monotonic()
        self._limit.__enter__()
        self._entry = self._limit.entry
        return self

    def retime(self, seconds: float) -> None:
        """Change the limit while its block runs (``--timeout`` after the command): the new
        limit counts from the block's start."""
        self.seconds = seconds
        if self._entry is not None:
            self._entry.deadline = self.started + seconds
            _arm()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        self._limit.__exit__()
        if isinstance(exc, _Expired) and self._entry is not None and exc.token is self._entry:
            if exc.memory:
                raise MemoryLimitExceeded(
                    f"{self.what} needed more than {MAX_MEMORY_GROWTH // 2**20:,} MiB of memory",
                    "gradcli stops work that would take one call past 1 GiB; simplify or split the input",
                    prefix=f"{self.where}: " if self.where else "",
                ) from None
            raise TimeLimitExceeded(
                f"{self.what} did not finish within the time limit of {self.seconds:g} s",
                "raise it with --timeout SECONDS",
                prefix=f"{self.where}: " if self.where else "",
            ) from None
        return False


def bounded(func: Callable[[], T], seconds: float, fallback: T) -> T:
    """Return ``func()``, or ``fallback`` if it takes longer than ``seconds``.

    Also returns the fallback when ``func`` raises an ordinary exception
    (SymPy's simplifiers occasionally do on exotic input).
    """
    limit = _Limit(seconds)
    with limit:
        entry = limit.entry
        try:
            return func()
        except _Expired as exc:
            if entry is None or exc.token is not entry or exc.memory:
                raise
            return fallback
        except (RecursionError, Exception):  # noqa: BLE001 - a simplifier failing is not the user's error
            return fallback


def remaining() -> float | None:
    """Seconds left under the innermost limit, or None when unlimited."""
    if not _stack:
        return None
    return max(0.0, min(e.deadline for e in _stack) - time.monotonic())


@contextlib.contextmanager
def final_output() -> Iterator[None]:
    """The call's last result being written: an alarm that comes meanwhile waits until it is
    written, and then the call's limits are over, so a result written whole is never turned
    into a time-limit failure (exit 3) by an alarm that arrives just after it."""
    if not _can_alarm() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    try:
        yield
        disarm()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def disarm() -> None:
    """Forget every limit (the CLI, when it reports and ends)."""
    if _stack and _can_alarm():
        del _stack[:]
        signal.setitimer(signal.ITIMER_REAL, 0)
