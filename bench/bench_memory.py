"""Peak memory of the worst accepted input of each kind of limit (README, "Limits").

Each case runs ``gradcli`` in a child process (the default ``--timeout`` of 60 s unless the
case says otherwise) and reports the child's peak resident memory (``ru_maxrss`` from
``os.wait4``), its time and its exit status.  Every case must stay under 1 GiB: input limits
keep most far below, and the memory watch (``limits.MAX_MEMORY_GROWTH``) ends a call that
grows past it anyway with exit 3.

    python bench/bench_memory.py            # every case (several minutes: some run to the timeout)
    python bench/bench_memory.py hessian    # the cases whose name contains "hessian"
    python bench/bench_memory.py --list

Not a test: figures depend on the machine.  ``GRADCLI`` names the command (default: this
Python running ``-m gradcli``).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from gradcli import limits as L  # noqa: E402

GIB = 2**30


def _join(parts: list[str], sep: str, limit: int) -> str:
    """As many of ``parts`` joined by ``sep`` as fit in ``limit`` characters."""
    out: list[str] = []
    size = 0
    for p in parts:
        add = len(p) + (len(sep) if out else 0)
        if size + add > limit:
            break
        out.append(p)
        size += add
    return sep.join(out)


def cases() -> list[tuple[str, list[str], str | None]]:
    """(name, arguments, standard input) of the worst accepted input of each kind."""
    n = L.MAX_LENGTH
    product = _join([f"sin(x+{k})" for k in range(1, 5000)], "*", n)
    nested = "sin(" * L.MAX_DEPTH + "x" + ")" * L.MAX_DEPTH
    big_product = _join([f"sin(x+{k})" for k in range(1, 50000)], "*", L.MAX_LENGTH_CEILING)
    v200 = [f"x{k}" for k in range(1, 201)]
    prod200 = "*".join(v200)
    jac = ", ".join(f"exp({a}*{b})" for a, b in zip(v200, v200[1:] + v200[:1]))
    number = "9" * L.MAX_DIGITS
    wrt_many = _join([f"x{k}" for k in range(1, 5000)], ",", n)
    sum_many = _join([f"x{k}^2" for k in range(1, 5000)], "+", n)
    explicit = int(L.MAX_EXPLICIT_ENTRIES ** 0.5)
    # the largest orders whose Taylor polynomial stays within MAX_TAYLOR_TERMS
    k2 = max(k for k in range(L.MAX_ORDER + 1) if L.taylor_terms(2, k) <= L.MAX_TAYLOR_TERMS)
    k3 = max(k for k in range(L.MAX_ORDER + 1) if L.taylor_terms(3, k) <= L.MAX_TAYLOR_TERMS)
    claims = "".join(f"d/dx sin(x)^{k} = {k} sin(x)^{k - 1} cos(x)\n" for k in range(2, L.MAX_ITEMS + 2))
    long_claims = ("d/dx (" + _join([f"sin(x+{k})" for k in range(1, 5000)], "*", 4900) + ") = 0\n") * 200
    return [
        # length: the longest expression of the most expensive shape
        ("length: derivative of a product of 1,300 functions", ["derivative", product], None),
        ("length: --max-length 100000, a product of 11,000 functions",
         ["--max-length", str(L.MAX_LENGTH_CEILING), "derivative", big_product], None),
        ("depth: 200 nested sin", ["derivative", nested], None),
        ("digits: a 4,000-digit number to a symbolic power", ["derivative", f"{number}^x"], None),
        ("exponent: derivative (x+1)^1000000", ["derivative", f"(x+1)^{L.MAX_EXPONENT}"], None),
        ("exponent: derivative (x+1)^1000000, rich", ["-f", "rich", "derivative", f"(x+1)^{L.MAX_EXPONENT}"], None),
        ("exponent: gradient (x+y)^1000000", ["gradient", f"(x+y)^{L.MAX_EXPONENT}"], None),
        ("exponent: check sin(x)^1000000 = (1-cos(x)^2)^500000",
         ["check", f"sin(x)^{L.MAX_EXPONENT} = (1-cos(x)^2)^{L.MAX_EXPONENT // 2}"], None),
        ("factorial: factorial(1000) x", ["derivative", f"factorial({L.MAX_FACTORIAL}) x"], None),
        ("factorial: check polygamma(1000, 1) = 0", ["check", f"polygamma({L.MAX_FACTORIAL}, 1) = 0"], None),
        ("order: derivative -n 1000 of exp(sin(x))", ["derivative", "exp(sin(x))", "-n", str(L.MAX_ORDER)], None),
        ("order: derivative -n 1000 of x^1000000", ["derivative", f"x^{L.MAX_EXPONENT}", "-n", str(L.MAX_ORDER)], None),
        ("order: taylor tan(x) -n 1000", ["taylor", "tan(x)", "-n", str(L.MAX_ORDER)], None),
        ("order: taylor exp(sin(x)) -n 1000 --table",
         ["taylor", "exp(sin(x))", "-n", str(L.MAX_ORDER), "--table"], None),
        ("terms: taylor in 2 variables", ["taylor", "exp(x) sin(y)", "-n", str(k2), "--at", "x=0,y=0"], None),
        ("terms: taylor sin(a+b+c) in 3 variables",
         ["taylor", "sin(a+b+c)", "-n", str(k3), "--at", "a=1,b=1,c=1"], None),
        ("entries: gradient in 1,800 variables", ["gradient", sum_many, "--wrt", wrt_many], None),
        ("entries: hessian of exp(x1...x200)", ["hessian", f"exp({prod200})"], None),
        ("entries: hessian of exp(x1...x200), json", ["-f", "json", "hessian", f"exp({prod200})"], None),
        ("entries: jacobian 200 x 200", ["jacobian", jac], None),
        ("sizes: --dim 10000, symbolic", ["gradient", "x^T A x", "--vector", "x", "--matrix", "A", "--dim",
                                          str(L.MAX_SIZE), "--wrt", "x"], None),
        ("sizes: check at the largest explicit size",
         ["check", "d/dX tr(X A X) = (A X + X A)^T", "--shape", f"X={explicit}x{explicit}",
          "--shape", f"A={explicit}x{explicit}"], None),
        ("sizes: check det at the largest explicit size",
         ["check", "d/dX det(X) = det(X) X^-T", "--shape", f"X={explicit}x{explicit}"], None),
        ("matrix power: check X^1000 = X^1000, 2 x 2",
         ["check", f"X^{L.MAX_MATRIX_POWER} = X^{L.MAX_MATRIX_POWER}", "--shape", "X=2x2"], None),
        ("digits: --digits 1000", ["derivative", "exp(sin(x))", "--at", "x=1.5", "--digits",
                                   str(L.MAX_DECIMAL_DIGITS)], None),
        ("items: 10,000 claims on standard input", ["check", "-"], claims),
        ("input: 1,000,000 characters of long claims", ["check", "-"], long_claims),
    ]


def measure(args: list[str], stdin: str | None) -> tuple[float, float, int]:
    """(peak MiB, seconds, exit status) of one run."""
    command = shlex.split(os.environ["GRADCLI"]) if os.environ.get("GRADCLI") else [sys.executable, "-m", "gradcli"]
    with tempfile.TemporaryFile() as fin:
        if stdin is not None:
            fin.write(stdin.encode())
            fin.seek(0)
        start = time.monotonic()
        proc = subprocess.Popen(command + ["-f", "plain"] + args, stdin=fin, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, elapsed, proc.returncode


def main() -> int:
    wanted = [a for a in sys.argv[1:] if not a.startswith("-")]
    table = [c for c in cases() if not wanted or any(w in c[0] for w in wanted)]
    if "--list" in sys.argv:
        for name, args, _ in table:
            print(f"{name}: gradcli {' '.join(shlex.quote(a) for a in args)[:160]}")
        return 0
    worst = 0.0
    print(f"{'case':<58} {'peak MiB':>9} {'seconds':>8} {'exit':>5}")
    for name, args, stdin in table:
        peak, seconds, status = measure(args, stdin)
        worst = max(worst, peak)
        print(f"{name:<58} {peak:9.0f} {seconds:8.1f} {status:5d}", flush=True)
    print(f"worst: {worst:.0f} MiB ({'under' if worst < 1024 else 'OVER'} 1 GiB)")
    return 0 if worst < 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
