#!/usr/bin/env python3
"""Startup benchmark (issue 2): gradcli's start-up cost against its floor.

Measured side by side in one run: the commands of each comparison are run
interleaved (a, b, a, b, ...), so machine noise hits both alike, and the
medians are compared.

* ``gradcli --help`` (``python -m gradcli`` and the console script, if on
  PATH) against ``python -c "import click"``: target ratio <= 1.3.
* A one-shot ``gradcli -f plain derivative 'sin(x)^2 exp(x)'`` against a
  bare SymPy script doing the same derivative: target ratio <= 1.15.

Bytecode: when PYTHONDONTWRITEBYTECODE is set (as in some sandboxes), every
run would recompile gradcli (and any module without a cached .pyc) from
source, which an installed gradcli never does.  By default the benchmark
therefore runs every command (both sides alike) with bytecode writing on and
PYTHONPYCACHEPREFIX pointing at a temporary directory (the warm-up runs fill
it; nothing is written into the source tree).  ``--env-as-is`` measures with
the inherited environment instead.

Usage: python bench/bench_startup.py [--runs N] [--warmup N] [--env-as-is]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

PY = sys.executable
EXPR = "sin(x)^2 exp(x)"
SYMPY_SCRIPT = (
    "import sympy; x=sympy.Symbol('x'); "
    "print(sympy.diff(sympy.sin(x)**2*sympy.exp(x), x))"
)


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _bytecode import child_env, describe  # noqa: E402

ENV: dict[str, str] = dict(os.environ)


def timed(cmd: list[str]) -> float:
    env = dict(ENV)
    env.pop("_GRADCLI_COMPLETE", None)
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{cmd!r} failed ({proc.returncode}): {proc.stderr.decode()[:500]}")
    return elapsed


def compare(name: str, cmds: dict[str, list[str]], baseline: str, target: float, runs: int,
            warmup: int) -> list[tuple[str, float, float, bool]]:
    for _ in range(warmup):
        for cmd in cmds.values():
            timed(cmd)
    samples: dict[str, list[float]] = {k: [] for k in cmds}
    for i in range(runs):
        # interleave, alternating the order so neither side always runs first
        order = list(cmds) if i % 2 == 0 else list(reversed(cmds))
        for key in order:
            samples[key].append(timed(cmds[key]))
    med = {k: statistics.median(v) for k, v in samples.items()}
    print(f"\n{name}  (median of {runs} interleaved runs)")
    for key, value in med.items():
        print(f"  {key:<48} {value * 1000:8.1f} ms")
    rows = []
    for key, value in med.items():
        if key == baseline:
            continue
        ratio = value / med[baseline]
        ok = ratio <= target
        verdict = "OK" if ok else "over target"
        print(f"  ratio {key} / {baseline}: {ratio:.3f}  (target <= {target})  {verdict}")
        rows.append((key, ratio, target, ok))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--env-as-is", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE etc. as inherited (no bytecode cache prefix)")
    args = parser.parse_args()
    if not args.env_as_is:
        env = child_env(ENV)
        ENV.clear()
        ENV.update(env)

    help_cmds = {
        "python -c 'import click'": [PY, "-c", "import click"],
        "python -m gradcli --help": [PY, "-m", "gradcli", "--help"],
    }
    one_shot = {
        "bare sympy script": [PY, "-c", SYMPY_SCRIPT],
        f"python -m gradcli -f plain derivative '{EXPR}'": [PY, "-m", "gradcli", "-f", "plain", "derivative", EXPR],
    }
    script = shutil.which("gradcli")
    if script:
        help_cmds["gradcli --help (console script)"] = [script, "--help"]
        one_shot[f"gradcli -f plain derivative '{EXPR}'"] = [script, "-f", "plain", "derivative", EXPR]
    else:
        print("note: no gradcli console script on PATH; measuring python -m gradcli only")

    print(f"python: {PY} ({sys.version.split()[0]}); cores: {os.cpu_count()}; "
          f"load average: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(describe(ENV))
    rows = compare("--help against import click", help_cmds, "python -c 'import click'", 1.3,
                   args.runs, args.warmup)
    rows += compare("one-shot derivative against a bare SymPy script", one_shot, "bare sympy script", 1.15,
                    args.runs, args.warmup)
    print("\nsummary:")
    for key, ratio, target, ok in rows:
        print(f"  {'OK         ' if ok else 'over target'}  {ratio:.3f} <= {target}  {key}")
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
