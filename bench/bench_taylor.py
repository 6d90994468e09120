#!/usr/bin/env python3
"""Taylor speed, measured side by side in one run (issue 4).

For each case:
  * cli/import: ``python -m gradcli -f plain taylor EXPR -n N --expand`` against
    ``python -c "import sympy"`` (the target: within 2.5x, 2x for the multivariate one);
  * engine/series: ``gradcli.calculus.taylor.taylor`` in process against
    ``sympy.series`` (in a subprocess, killed after 20 s).
Medians of a few runs.  Run from the repository root: python bench/bench_taylor.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
sys.path.insert(0, str(SRC))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bytecode import child_env, describe  # noqa: E402

ENV = child_env(dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")))

RUNS = 5
SERIES_TIMEOUT = 20.0

#: (label, expression text, variables, order, target ratio)
CASES = [
    ("exp(sin(x)) n=100 expanded", "exp(sin(x))", "x", 100, 2.5),
    ("cos(x)/(1+x^2) n=50", "cos(x)/(1+x^2)", "x", 50, 2.5),
    ("tan(x) n=50", "tan(x)", "x", 50, 2.5),
    ("exp(x)*sin(y) degree 10", "exp(x)*sin(y)", "x,y", 10, 2.0),
]


def wall(cmd, timeout=60.0):
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=ENV, capture_output=True, timeout=timeout)
    return time.perf_counter() - t, proc


def median_wall(cmd, runs=RUNS):
    times = []
    wall(cmd)  # warm-up: fills the bytecode cache
    for _ in range(runs):
        el, proc = wall(cmd)
        if proc.returncode != 0:
            return None, proc
        times.append(el)
    return statistics.median(times), None


def cli_cmd(expr, wrt, n):
    cmd = [sys.executable, "-m", "gradcli", "-f", "plain", "taylor", expr, "-n", str(n), "--expand"]
    if "," in wrt:
        cmd += ["--wrt", wrt, "--at", ",".join(f"{v}=0" for v in wrt.split(","))]
    return cmd


def engine_time(expr_text, wrt, n):
    import sympy

    from gradcli.calculus.taylor import taylor

    variables = tuple(sympy.Symbol(v) for v in wrt.split(","))
    expr = sympy.sympify(expr_text.replace("^", "**"), locals={v.name: v for v in variables})
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        taylor(expr, variables, (0,) * len(variables), n, expand=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def series_time(expr_text, wrt, n):
    """sympy.series in a subprocess (multivariate: the t-substitution), or None on timeout."""
    vs = wrt.split(",")
    if len(vs) == 1:
        body = f"sympy.series(e, {vs[0]}, 0, {n + 1})"
    else:
        subs = ", ".join(f"{v}: t*{v}" for v in vs)
        body = f"sympy.series(e.subs({{{subs}}}, simultaneous=True), t, 0, {n + 1})"
    code = (
        "import sympy, time\n"
        f"{', '.join(vs)}, t = sympy.symbols('{' '.join(vs)} t')\n"
        f"e = sympy.sympify('{expr_text.replace('^', '**')}', locals={{{', '.join(f'{v!r}: {v}' for v in vs)}}})\n"
        "s = time.perf_counter()\n"
        f"{body}\n"
        "print(time.perf_counter() - s)\n"
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=SERIES_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        return float("nan")
    return float(proc.stdout.strip().splitlines()[-1])


def fmt(seconds):
    return f"{seconds * 1000:8.1f} ms" if seconds < 10 else f"{seconds:8.1f} s "


def main() -> int:
    base, _ = median_wall([sys.executable, "-c", "import sympy"])
    print(describe(ENV))
    print(f"python -c 'import sympy': {fmt(base)} (median of {RUNS})")
    print()
    print(f"{'case':30} {'cli':>11} {'cli/import':>11} {'target':>7}   "
          f"{'engine':>11} {'series':>11} {'series/engine':>14}")
    cli_ok = True
    for label, expr, wrt, n, target in CASES:
        if cli_ok:
            cli, failed = median_wall(cli_cmd(expr, wrt, n))
            if cli is None:
                cli_ok = False
                err = (failed.stderr or b"").decode(errors="replace").strip().splitlines()
                reason = err[-1] if err else f"exit {failed.returncode}"
                print(f"(cli not available: {reason[:100]})")
        if cli_ok:
            cli_col = fmt(cli)
            ratio_col = f"{cli / base:10.2f}x" + (" " if cli / base <= target else "!")
        else:
            cli_col, ratio_col = "cli not available".rjust(11), "-".rjust(11)
        eng = engine_time(expr, wrt, n)
        ser = series_time(expr, wrt, n)
        if ser is None:
            ser_col, sr_col = f"> {SERIES_TIMEOUT:g} s".rjust(11), f"> {SERIES_TIMEOUT / eng:,.0f}x".rjust(14)
        else:
            ser_col, sr_col = fmt(ser), f"{ser / eng:13,.0f}x"
        print(f"{label:30} {cli_col:>11} {ratio_col:>11} {target:6.1f}x   {fmt(eng)} {ser_col} {sr_col}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
