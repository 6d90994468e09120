"""Benchmark for ``gradcli check``: 200 scalar claims in one run vs one claim.

Generates 200 varied scalar claims (true ones from a derivative table under the
chain rule with varied coefficients, products, and a share of perturbed false
ones), writes them to a claims file, and times

    python -m gradcli check --file claims.txt      (200 claims, one process)
    python -m gradcli check '<one claim>'           (one claim)

printing the ratio (target: at most 8).  When the CLI has no ``check`` command
(yet), the same is measured in process through ``gradcli.app.check``
plus a fresh interpreter for the imports, and the output says so.

    python bench/bench_check.py [--n 200] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

#: (f(u), f'(u)) written in gradcli's language with u as a placeholder.
TABLE = [
    ("u^2", "2 u"), ("u^3", "3 u^2"), ("u^5", "5 u^4"), ("1/u", "-1/u^2"), ("sqrt(u)", "1/(2 sqrt(u))"),
    ("u^(3/2)", "3/2 sqrt(u)"), ("exp(u)", "exp(u)"), ("log(u)", "1/u"), ("sin(u)", "cos(u)"),
    ("cos(u)", "-sin(u)"), ("tan(u)", "sec(u)^2"), ("tan(u)", "1 + tan(u)^2"), ("cot(u)", "-csc(u)^2"),
    ("sec(u)", "sec(u) tan(u)"), ("csc(u)", "-csc(u) cot(u)"), ("asin(u)", "1/sqrt(1 - u^2)"),
    ("acos(u)", "-1/sqrt(1 - u^2)"), ("atan(u)", "1/(1 + u^2)"), ("sinh(u)", "cosh(u)"),
    ("cosh(u)", "sinh(u)"), ("tanh(u)", "1 - tanh(u)^2"), ("asinh(u)", "1/sqrt(u^2 + 1)"),
    ("exp(u^2)", "2 u exp(u^2)"), ("sin(u)^2", "2 sin(u) cos(u)"), ("log(u^2 + 1)", "2u/(u^2 + 1)"),
    ("u exp(u)", "(u + 1) exp(u)"), ("u log(u)", "log(u) + 1"), ("u^u", "u^u (log(u) + 1)"),
    ("sin(u) cos(u)", "cos(u)^2 - sin(u)^2"), ("exp(-u) sin(u)", "exp(-u) (cos(u) - sin(u))"),
    ("u/(u + 1)", "1/(u + 1)^2"), ("(u^2 + 1)^3", "6 u (u^2 + 1)^2"), ("sqrt(u^2 + 1)", "u/sqrt(u^2 + 1)"),
    ("log(cos(u))", "-tan(u)"), ("exp(sin(u))", "cos(u) exp(sin(u))"), ("atan(u^2)", "2u/(1 + u^4)"),
    ("2^u", "2^u log(2)"), ("log(u, 10)", "1/(u log(10))"), ("1/(1 + exp(-u))", "exp(-u)/(1 + exp(-u))^2"),
    ("u^2 sin(u)", "2u sin(u) + u^2 cos(u)"),
]

INNER = ["x", "2x", "3x + 1", "x/2", "x - 1", "5x + 2", "x + 3"]


def _inner_derivative(inner: str) -> str:
    return {"x": "1", "2x": "2", "3x + 1": "3", "x/2": "1/2", "x - 1": "1", "5x + 2": "5", "x + 3": "1"}[inner]


def generate(n: int = 200, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    claims = []
    for i in range(n):
        f, df = TABLE[i % len(TABLE)]
        inner = rng.choice(INNER)
        c = rng.randint(2, 9)
        u = f"({inner})"
        lhs = f"d/dx ({c} ({f.replace('u', u)}))"
        rhs = f"{c * 1} ({_inner_derivative(inner)}) ({df.replace('u', u)})"
        if i % 10 == 9:  # a false one: a perturbed coefficient or a tiny shift
            rhs = rng.choice([f"{c + 1} ({_inner_derivative(inner)}) ({df.replace('u', u)})",
                              f"{c} ({_inner_derivative(inner)}) ({df.replace('u', u)}) + 10^-25"])
        claims.append(f"{lhs} = {rhs}")
    return claims


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _bytecode import child_env  # noqa: E402

ENV = child_env()


def _has_check_command() -> bool:
    proc = subprocess.run([sys.executable, "-m", "gradcli", "check", "--help"], capture_output=True, text=True)
    return proc.returncode == 0


def _time_cli(args: list[str], repeat: int, expected: int) -> tuple[float, str]:
    import json

    times = []
    counts = ""
    subprocess.run([sys.executable, "-m", "gradcli", "check", *args], capture_output=True, env=ENV)  # warm-up
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "gradcli", "check", "-f", "json", *args],
                              capture_output=True, text=True, env=ENV)
        times.append(time.perf_counter() - t0)
        if proc.returncode not in (0, 1, 3) or proc.stderr.strip():
            raise SystemExit(f"gradcli check failed ({proc.returncode}): {proc.stderr.strip()[:500]}")
        data = json.loads(proc.stdout)
        if len(data["results"]) != expected:
            raise SystemExit(f"gradcli check decided {len(data['results'])} claims, not {expected}")
        counts = f"{data['true']} {data['false']} {data['unknown']}"
    return statistics.median(times), counts


_IN_PROCESS = r"""
import sys, time
from gradcli.check.claims import read_claims_file, Claim
from gradcli.app.check import check_claims
from gradcli.check.verdict import exit_status
from gradcli.model.declarations import Declarations
args = sys.argv[1:]
if args[0] == "--file":
    claims = read_claims_file(args[1], Declarations(), "numerator")
else:
    claims = [Claim(args[0])]
report = check_claims(claims)
print(report.count("true"), report.count("false"), report.count("unknown"))
"""


def _time_in_process(args: list[str], repeat: int) -> tuple[float, str]:
    times = []
    out = ""
    subprocess.run([sys.executable, "-m", "gradcli", "check", *args], capture_output=True, env=ENV)  # warm-up
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", _IN_PROCESS, *args], capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            raise SystemExit(proc.stderr.strip()[-1000:])
        out = proc.stdout.strip()
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", default=None, help="write claims.txt into this directory and keep it")
    opts = ap.parse_args()
    claims = generate(opts.n)
    folder = opts.keep or tempfile.mkdtemp(prefix="gradcli-bench-")
    path = os.path.join(folder, "claims.txt")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("# generated by bench/bench_check.py\n")
        fh.write("\n".join(claims) + "\n")
    one = "d/dx (3 sin(2x)) = 6 cos(2x)"
    if _has_check_command():
        mode = "CLI: python -m gradcli check"
        t_one, _ = _time_cli([one], opts.repeat, 1)
        t_many, detail = _time_cli(["--file", path], opts.repeat, len(claims))
        detail = f"  (true false unknown: {detail})"
    else:
        mode = "in process (no 'check' CLI command yet): python -c '<engine>' per run"
        t_one, _ = _time_in_process([one], opts.repeat)
        t_many, detail = _time_in_process(["--file", path], opts.repeat)
        detail = f"  (true false unknown: {detail})"
    ratio = t_many / t_one
    print(f"mode: {mode}")
    print(f"one claim:          {t_one:6.3f} s")
    print(f"{len(claims)} claims (file): {t_many:6.3f} s{detail}")
    print(f"ratio: {ratio:.2f} (target <= 8) -> {'OK' if ratio <= 8 else 'TOO SLOW'}")
    if not opts.keep:
        os.remove(path)
        os.rmdir(folder)


if __name__ == "__main__":
    main()
