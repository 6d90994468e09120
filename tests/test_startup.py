"""Start-up: --help and TAB completion import neither SymPy nor Rich;
completion files are current; --version comes from the package metadata.

These run real subprocesses (a fresh interpreter is the only honest way to
see what an import pulls in).
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from helpers import run

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sympy", "rich", "mpmath", "symengine", "numpy")

# Run gradcli.cli.main in a fresh interpreter, then report the heavy modules loaded.
PROBE = rf"""
import sys
from gradcli.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))
sys.stderr.write('\nHEAVY=' + ','.join(heavy) + '\n')
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("_GRADCLI_COMPLETE")}
    env.update(extra)
    return env


def probe(args: list[str], **env: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          env=_env(**env), timeout=60)
    marker = [line for line in proc.stderr.splitlines() if line.startswith("HEAVY=")]
    assert marker, proc.stderr
    heavy = [m for m in marker[-1][len("HEAVY="):].split(",") if m]
    return proc, heavy


def test_import_cli_is_light():
    code = ("import sys, gradcli.cli; "
            f"print(','.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"import gradcli.cli loads {proc.stdout.strip()}"


@pytest.mark.parametrize("args", [["--help"], [], ["derivative", "--help"], ["taylor", "--help"],
                                  ["check", "--help"], ["--version"]],
                         ids=lambda a: " ".join(a))
def test_help_is_light(args):
    proc, heavy = probe(args)
    assert "Usage" in proc.stdout or "gradcli" in proc.stdout
    assert heavy == [], f"gradcli {' '.join(args)} imports {heavy}"


@pytest.mark.parametrize("words, cword", [("gradcli der", "1"), ("gradcli derivative --w", "2"),
                                          ("gradcli -", "1"), ("gradcli -f ", "2")])
def test_completion_is_light_and_works(words, cword):
    proc, heavy = probe([], _GRADCLI_COMPLETE="bash_complete", COMP_WORDS=words, COMP_CWORD=cword)
    assert heavy == [], f"completing {words!r} imports {heavy}"
    if words == "gradcli der":
        assert "derivative" in proc.stdout
    if words.endswith("--w"):
        assert "--wrt" in proc.stdout


def test_help_importtime_has_no_sympy_or_rich():
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "gradcli", "--help"],
                          capture_output=True, text=True, env=_env(), timeout=60)
    assert proc.returncode == 0
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if "|" in line]
    assert imported, "no -X importtime output"
    assert not [m for m in imported if m.split(".")[0] in ("sympy", "rich")]


def test_console_script_and_module_agree():
    a = subprocess.run([sys.executable, "-m", "gradcli", "--version"], capture_output=True, text=True,
                       env=_env(), timeout=60)
    assert a.returncode == 0
    assert a.stdout.strip() == f"gradcli {version('gradcli')}"


def test_version_from_metadata():
    r = run(["--version"])
    assert r.stdout.strip() == f"gradcli {version('gradcli')}"


def test_help_lists_commands_and_global_options():
    r = run(["--help"])
    for word in ("derivative", "--format", "--timeout", "--version"):
        assert word in r.stdout


def test_completions_are_current():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_completions.py"), "--check"],
                          capture_output=True, text=True, env=_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr + "\nrun: python scripts/gen_completions.py"


def test_completion_check_detects_staleness(tmp_path):
    script = str(ROOT / "scripts" / "gen_completions.py")
    subprocess.run([sys.executable, script, "--out", str(tmp_path)], check=True, capture_output=True,
                   env=_env(), timeout=60)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gradcli.bash", "gradcli.fish", "gradcli.zsh"]
    ok = subprocess.run([sys.executable, script, "--check", "--out", str(tmp_path)], capture_output=True,
                        env=_env(), timeout=60)
    assert ok.returncode == 0
    (tmp_path / "gradcli.zsh").write_text("# edited by hand\n")
    stale = subprocess.run([sys.executable, script, "--check", "--out", str(tmp_path)],
                           capture_output=True, text=True, env=_env(), timeout=60)
    assert stale.returncode == 1 and "gradcli.zsh" in stale.stderr
    # deterministic: regenerating gives the committed bytes
    for shell in ("bash", "fish"):
        assert (tmp_path / f"gradcli.{shell}").read_bytes() == (ROOT / "completions" / f"gradcli.{shell}").read_bytes()


def test_completion_files_call_back_into_gradcli():
    for shell in ("bash", "zsh", "fish"):
        text = (ROOT / "completions" / f"gradcli.{shell}").read_text()
        assert "_GRADCLI_COMPLETE" in text and f"{shell}_complete" in text
