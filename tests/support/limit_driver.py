"""Run ``gradcli.cli.main`` N times in this one process (its start-up paid once), run i with
``--timeout T0 + i * STEP``, and print one JSON line per run: ``[exit status, stdout, stderr]``.
Used by test_limits to run a time limit many times cheaply, firing at many different moments:
a process killed by its own alarm would end the list early.

    python tests/support/limit_driver.py N T0 STEP ARGS...
"""

import gc
import io
import json
import sys

from sympy.core.cache import clear_cache

from gradcli.cli.main import main


def run(n: int, t0: float, step: float, args: list[str]) -> None:
    for i in range(n):
        out, err = io.StringIO(), io.StringIO()
        sys.stdout, sys.stderr = out, err
        status = 0
        try:
            main(["--timeout", f"{t0 + i * step:g}", *args])
        except SystemExit as exc:
            status = exc.code
        finally:
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        print(json.dumps([status, out.getvalue(), err.getvalue()]), flush=True)
        # Each run stands for a process of its own: what SymPy cached for the last one (terms of
        # (1 - cos(x)^2)^500000 ...) must not pile up across runs, where no real call would.
        clear_cache()
        gc.collect()


if __name__ == "__main__":
    run(int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:])
