#!/usr/bin/env python3
"""Write gradcli's shell completion scripts to completions/.

The scripts come from gradcli's own templates (``gradcli.cli.completion``), not
from Click's: they speak gradcli's completion protocol, which does not change
with the Click version installed, so the files are the same on every machine.

Usage::

    python scripts/gen_completions.py           # (re)write the files
    python scripts/gen_completions.py --check   # exit 1 if any file is stale
    python scripts/gen_completions.py --out DIR # write elsewhere
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHELLS = ("bash", "zsh", "fish")


def sources() -> dict[str, str]:
    """{shell: file text}."""
    sys.path.insert(0, str(ROOT / "src"))
    from gradcli.cli.completion import script

    return {shell: script(shell) for shell in SHELLS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if any completion file is stale or missing")
    parser.add_argument("--out", type=Path, default=ROOT / "completions", help="output directory")
    args = parser.parse_args(argv)

    stale: list[str] = []
    for shell, text in sources().items():
        path = args.out / f"gradcli.{shell}"
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {path}")
    if stale:
        print("stale completion files (run scripts/gen_completions.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
