#!/usr/bin/env python
"""Benchmark: the machine-learning gradients of issue 16, end to end, against importing SymPy.

Run from anywhere:  python bench/bench_ml.py  [--runs N]

Prints, side by side and as ratios (target <= 2 each):
  (1) `python -m gradcli -f plain gradient 'sum(log(1 + exp(-y .* (X w))))' --vector y,w --matrix X --wrt w`
  (2) `python -m gradcli -f plain gradient 'norm(y - sigmoid(A x + b))^2' --vector y,x,b --matrix A --wrt A`
  vs  `python -c "import sympy"`, measured alternately (one baseline run before each gradcli run),
  so that the load of a shared machine falls on both alike. Medians of N runs (default 5).
The output of each gradcli run is compared with the expected closed form.
"""

from __future__ import annotations

import argparse
import os
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
TARGET = 2.0

CASES = [
    ("logistic-loss gradient by w",
     ["gradient", "sum(log(1 + exp(-y .* (X w))))", "--vector", "y,w", "--matrix", "X", "--wrt", "w",
      "--layout", "denominator"],
     "-X.T*(y.*sigmoid(-(y.*(X*w))))"),
    ("layer gradient by A",
     ["gradient", "norm(y - sigmoid(A x + b))^2", "--vector", "y,x,b", "--matrix", "A", "--wrt", "A"],
     "-2*((-sigmoid(A*x + b) + y).*sigmoid(A*x + b).*(1 - sigmoid(A*x + b)))*x.T"),
]


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    t = time.perf_counter()
    p = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=120)
    return time.perf_counter() - t, p


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(describe(ENV))
    base_cmd = [PY, "-c", "import sympy"]
    worst = 0.0
    for name, args, expected in CASES:
        cmd = [PY, "-m", "gradcli", "-f", "plain", *args]
        timed(cmd)  # warm-up: fills the bytecode cache
        timed(base_cmd)
        base, ours, output = [], [], ""
        for _ in range(runs):
            base.append(timed(base_cmd)[0])
            dt, p = timed(cmd)
            if p.returncode != 0:
                print(f"{name}: gradcli failed: {p.stderr.strip()[:200]}")
                return 1
            ours.append(dt)
            output = p.stdout.strip()
        b, t = statistics.median(base), statistics.median(ours)
        ratio = t / b
        worst = max(worst, ratio)
        verdict = "ok" if ratio <= TARGET else "OVER TARGET"
        same = "output as expected" if output == expected else f"UNEXPECTED OUTPUT {output!r}"
        print(f"{name:30s} gradcli {t:6.3f} s  import sympy {b:6.3f} s  ratio {ratio:4.2f} "
              f"(target <= {TARGET:g}: {verdict}); {same}")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
