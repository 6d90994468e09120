#!/usr/bin/env python
"""Benchmark: the explicit 4-index derivative of K = R^T R, R 10 x 10 (10,000 entries), end to
end with json, against `python -c "import sympy"`, measured side by side.

Run from anywhere:  python bench/bench_tensor.py  [--runs N]  [--size N]

Prints the medians (wall time, and the CPU time of the child: the machine may be shared) and
their ratios (target <= 3), and checks the json: `axes` [p, q, i, j], `shape` [10, 10, 10, 10],
and every entry against the book's ∂K_pq/∂R_ij = δ_qj R_ip + δ_pj R_iq.
"""

from __future__ import annotations

import argparse
import json
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
TARGET = 3.0


def run(cmd: list[str], timeout: float = 120) -> tuple[float, float, subprocess.CompletedProcess | None]:
    """(wall time, CPU time of the child, the process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    try:
        p = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return float("inf"), float("inf"), None
    dt = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return dt, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), p


def medians(cmd: list[str], runs: int) -> tuple[float, float, subprocess.CompletedProcess | None]:
    run(cmd)  # warm-up: fills the bytecode cache
    walls, cpus, last = [], [], None
    for _ in range(runs):
        wall, cpu, last = run(cmd)
        if last is None or last.returncode != 0:
            return float("inf"), float("inf"), last
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus), last


def entry_name(n: int, i: int, j: int) -> str:
    return f"R_{i + 1}{j + 1}" if n < 10 else f"R_{i + 1}_{j + 1}"


def check(obj: dict, n: int) -> str:
    """Every entry against δ_qj R_ip + δ_pj R_iq, compared as SymPy expressions."""
    import sympy as sp

    if obj.get("axes") != ["p", "q", "i", "j"] or obj.get("shape") != [n] * 4:
        return f"UNEXPECTED axes/shape {obj.get('axes')} {obj.get('shape')}"
    res = obj["result"]
    sym = {entry_name(n, i, j): sp.Symbol(entry_name(n, i, j), real=True) for i in range(n) for j in range(n)}
    for p in range(n):
        for q in range(n):
            for i in range(n):
                for j in range(n):
                    want = (sym[entry_name(n, i, p)] if q == j else 0) + (sym[entry_name(n, i, q)] if p == j else 0)
                    got = sp.sympify(res[p][q][i][j], locals=sym)
                    if sp.expand(got - want) != 0:
                        return f"WRONG entry {(p, q, i, j)}: {res[p][q][i][j]}"
    return f"all {n ** 4:,} entries ok"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--size", type=int, default=10)
    args = ap.parse_args()
    n = args.size
    print(describe(ENV))
    base, base_cpu, _ = medians([PY, "-c", "import sympy"], args.runs)
    print(f"python -c 'import sympy'                    wall {base:6.3f} s  cpu {base_cpu:6.3f} s")
    cmd = [PY, "-m", "gradcli", "-f", "json", "derivative", "R^T R", "--shape", f"R={n}x{n}", "--wrt", "R"]
    wall, cpu, p = medians(cmd, args.runs)
    if p is None or p.returncode != 0:
        print("gradcli failed:", (p.stderr.strip()[-300:] if p else "timeout"))
        sys.exit(1)
    verdict = "ok" if wall / base <= TARGET else "OVER TARGET"
    print(f"gradcli -f json derivative 'R^T R' ({n}x{n})  wall {wall:6.3f} s  cpu {cpu:6.3f} s  "
          f"ratio wall {wall / base:4.2f}, cpu {cpu / base_cpu:4.2f} (target <= {TARGET:g}: {verdict})")
    print(f"json: {len(p.stdout):,} characters; {check(json.loads(p.stdout), n)}")


if __name__ == "__main__":
    main()
