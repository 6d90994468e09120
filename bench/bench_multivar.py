#!/usr/bin/env python
"""Benchmark: gradcli's Hessian and Jacobian against plain SymPy.

Run from anywhere:  python bench/bench_multivar.py  [--runs N]

Prints, side by side and as ratios:
  (1) `python -m gradcli -f json hessian '<sum_{i=1}^{199} x_i^2 sin(x_{i+1})>'`
      vs `python -c "import sympy"`                     (target <= 3)
  (2) `python -m gradcli -f json jacobian '<100 functions>'`
      vs `python -c "import sympy"`                     (target <= 2)
  (3) in process: gradcli.calculus.multivar vs sympy.hessian / Matrix.jacobian
      (plain sympy.hessian takes ~25 s: run in a subprocess, 40 s timeout).
Medians of a few runs; the whole script takes about a minute.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bytecode import child_env, describe  # noqa: E402

ENV = child_env(dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")))
PY = sys.executable

N_HESS = 200
N_JAC = 100


def hessian_input() -> str:
    return " + ".join(f"x{i}^2*sin(x{i + 1})" for i in range(1, N_HESS))


def jacobian_functions() -> list[str]:
    n = N_JAC
    return [
        f"x{i}^2*sin(x{i % n + 1}) + x{(i + 1) % n + 1}*exp(x{i})" for i in range(1, n + 1)
    ]


def jacobian_input() -> str:
    return ", ".join(jacobian_functions())


def run(cmd: list[str], timeout: float = 60) -> tuple[float, subprocess.CompletedProcess | None]:
    """Wall time of cmd (and, in run.cpu, the CPU time of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    try:
        p = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return float("inf"), None
    dt = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return dt, p


run.cpu = 0.0


def median_time(cmd: list[str], runs: int, timeout: float = 60) -> tuple[float | None, str]:
    """Median wall time; median CPU time in median_time.cpu."""
    times, cpus = [], []
    run(cmd, timeout)  # warm-up: fills the bytecode cache
    for _ in range(runs):
        dt, p = run(cmd, timeout)
        if p is None:
            return None, f"timed out after {timeout:g} s"
        if p.returncode != 0:
            msg = (p.stderr.strip().splitlines() or [f"exit {p.returncode}"])[-1]
            return None, f"cli not available ({msg[:70]})"
        times.append(dt)
        cpus.append(run.cpu)
    median_time.cpu = statistics.median(cpus)
    return statistics.median(times), ""


median_time.cpu = 0.0


def check_json(cmd: list[str], rows: int, cols: int) -> str:
    _, p = run(cmd)
    if p is None or p.returncode != 0:
        return ""
    import json

    try:
        line = p.stdout.strip().splitlines()[0]
        obj = json.loads(line)
        res = obj.get("result")
        ok = isinstance(res, list) and len(res) == rows and all(len(r) == cols for r in res)
        return f"json result {rows}x{cols}: {'ok' if ok else 'UNEXPECTED SHAPE'}"
    except Exception as exc:  # noqa: BLE001
        return f"json unreadable: {exc}"


def fmt(t: float | None) -> str:
    return "   n/a  " if t is None else f"{t:7.3f} s"


def part_cli(runs: int) -> None:
    print(describe(ENV))
    print(f"== end to end (medians of {runs} runs; wall time, and CPU time of the process) ==")
    base, _ = median_time([PY, "-c", "import sympy"], max(runs, 5))
    base_cpu = median_time.cpu
    print(f"python -c 'import sympy'          wall {fmt(base)}  cpu {fmt(base_cpu)}")
    cases = [
        ("hessian 200 vars", ["hessian", hessian_input()], 3.0, (N_HESS, N_HESS)),
        ("jacobian 100x100", ["jacobian", jacobian_input()], 2.0, (N_JAC, N_JAC)),
    ]
    for name, args, target, shape in cases:
        cmd = [PY, "-m", "gradcli", "-f", "json", *args]
        t, why = median_time(cmd, runs)
        if t is None:
            print(f"gradcli -f json {name:17s} {why}")
            continue
        cpu = median_time.cpu
        ratio, cratio = t / base, cpu / base_cpu
        verdict = "ok" if ratio <= target else "OVER TARGET"
        print(f"gradcli -f json {name:17s} wall {fmt(t)}  cpu {fmt(cpu)}  ratio wall {ratio:4.2f}, "
              f"cpu {cratio:4.2f} (target <= {target:g}: {verdict})  {check_json(cmd, *shape)}")


INPROCESS = r"""
import statistics, sys, time
time.perf_counter = time.process_time  # CPU time: the machine is shared
import sympy as sp
from sympy.core.cache import clear_cache
from gradcli.calculus import multivar as mv
from gradcli.render.printers import entry_strings
N_HESS, N_JAC, WHICH = %d, %d, %r
xs = sp.symbols('x1:%%d' %% (N_HESS + 1), real=True)
f = sp.Add(*[xs[i]**2*sp.sin(xs[i+1]) for i in range(N_HESS - 1)])
ys = xs[:N_JAC]
fs = [ys[i]**2*sp.sin(ys[(i+1) %% N_JAC]) + ys[(i+2) %% N_JAC]*sp.exp(ys[i]) for i in range(N_JAC)]
clear_cache()
if WHICH == "hessian":
    t = time.perf_counter(); M = mv.hessian(f, xs); t1 = time.perf_counter()
    S = entry_strings(M); t2 = time.perf_counter()
    clear_cache()
    t3 = time.perf_counter(); mv.hessian(f, xs); t4 = time.perf_counter()
    clear_cache()
    t5 = time.perf_counter(); mv.hessian(f, xs, engine="sympy"); t6 = time.perf_counter()
    import random
    rng = random.Random(0)
    pairs = [(i, k) for i in range(N_HESS - 1) for k in (i, i + 1)]
    pairs += [(rng.randrange(N_HESS), rng.randrange(N_HESS)) for _ in range(100)]
    same = all(M[i, j] == f.diff(xs[min(i, j)]).diff(xs[max(i, j)]) for i, j in pairs)
elif WHICH == "jacobian":
    t = time.perf_counter(); M = mv.jacobian(fs, ys); t1 = time.perf_counter()
    S = entry_strings(M); t2 = time.perf_counter()
    clear_cache()
    t3 = time.perf_counter(); mv.jacobian(fs, ys); t4 = time.perf_counter()
    clear_cache()
    t5 = time.perf_counter(); mv.jacobian(fs, ys, engine="sympy"); t6 = time.perf_counter()
    clear_cache()
    t7 = time.perf_counter(); J0 = sp.Matrix(fs).jacobian(ys); t8 = time.perf_counter()
    same = (M == J0)
    print("PLAIN", t8 - t7)
print("RESULT", t1 - t, t2 - t1, t4 - t3, t6 - t5, same)
"""


PLAIN_HESSIAN = rf"""
import time, sympy as sp
xs = sp.symbols('x1:{N_HESS + 1}', real=True)
f = sp.Add(*[xs[i]**2*sp.sin(xs[i+1]) for i in range({N_HESS - 1})])
t = time.perf_counter(); sp.hessian(f, xs); print(time.perf_counter() - t)
"""


def _inproc(which: str, runs: int) -> tuple[list[float], float | None, bool] | None:
    rows, plain, same = [], [], True
    for _ in range(runs):
        _, p = run([PY, "-c", INPROCESS % (N_HESS, N_JAC, which)], timeout=120)
        if p is None or p.returncode != 0:
            print(f"in-process {which} benchmark failed:", (p.stderr[-500:] if p else "timeout"))
            return None
        for ln in p.stdout.splitlines():
            if ln.startswith("RESULT"):
                parts = ln.split()
                rows.append([float(x) for x in parts[1:5]])
                same = same and parts[5] == "True"
            elif ln.startswith("PLAIN"):
                plain.append(float(ln.split()[1]))
    med = [statistics.median(col) for col in zip(*rows)]
    return med, (statistics.median(plain) if plain else None), same


def part_inprocess(runs: int, plain_timeout: float) -> None:
    print("\n== in process (CPU time; fresh process each run, SymPy cache cleared; medians) ==")
    h = _inproc("hessian", runs)
    if h:
        (first, strs, again, sym), _, same = h
        print(f"gradcli hessian 200 vars, first call incl. symengine import {first:7.3f} s")
        print(f"  same, symengine already imported (engine + conversion)    {again:7.3f} s")
        print(f"  engine='sympy' (sparse SymPy, no SymEngine)               {sym:7.3f} s")
        print(f"  entry_strings (40,000 entries)                            {strs:7.3f} s")
        print(f"  entries == f.diff(xi).diff(xj): {same}")
    j = _inproc("jacobian", runs)
    if j:
        (first, strs, again, sym), plain, same = j
        print(f"gradcli jacobian 100x100, first call incl. symengine import {first:7.3f} s")
        print(f"  same, symengine already imported (engine + conversion)    {again:7.3f} s")
        print(f"  engine='sympy' (sparse SymPy, no SymEngine)               {sym:7.3f} s")
        print(f"  entry_strings (10,000 entries)                            {strs:7.3f} s")
        print(f"sympy Matrix.jacobian 100x100                               {plain:7.3f} s"
              f"   ratio {plain / first:5.1f}x (vs first call)")
        print(f"  identical to Matrix.jacobian: {same}")
    if plain_timeout <= 0:
        print("sympy.hessian 200 vars: skipped")
        return
    dt, q = run([PY, "-c", PLAIN_HESSIAN], timeout=plain_timeout)
    if q is None:
        print(f"sympy.hessian 200 vars                                      > {plain_timeout:g} s (timed out)")
    elif q.returncode != 0:
        print("sympy.hessian failed:", q.stderr[-300:])
    else:
        tp = float(q.stdout.strip())
        ratio = f"   ratio {tp / h[0][0]:5.0f}x (vs first call)" if h else ""
        print(f"sympy.hessian 200 vars                                      {tp:7.3f} s{ratio}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    ap.add_argument("--plain-timeout", type=float, default=40.0)
    ap.add_argument("--skip-plain", action="store_true", help="skip plain sympy.hessian (25 s)")
    a = ap.parse_args()
    t = time.perf_counter()
    part_cli(a.runs)
    if a.skip_plain:
        a.plain_timeout = 0
    part_inprocess(a.runs, a.plain_timeout)
    print(f"\n(total {time.perf_counter() - t:.0f} s)")


if __name__ == "__main__":
    main()
