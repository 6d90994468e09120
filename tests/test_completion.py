"""Completion in the real shells: bash, zsh (interactive, through a pseudo-terminal) and fish.

Each shell loads the committed script from ``completions/`` the way the README says, then
completes a command, an option, a choice and file names; descriptions stay whole (commas
included).  The ``gradcli`` the scripts call back is this interpreter's console script.

A shell that is not installed skips its tests, unless ``GRADCLI_REQUIRE_SHELLS=1`` (set by
``.ci/run``, which installs bash, zsh and fish) makes that a failure.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "completions"
BIN = Path(sys.executable).parent
REQUIRED = os.environ.get("GRADCLI_REQUIRE_SHELLS") == "1"


def shell(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if REQUIRED:
            pytest.fail(f"{name} is required (GRADCLI_REQUIRE_SHELLS=1) but not installed")
        pytest.skip(f"{name} is not installed")
    if not (BIN / "gradcli").exists():
        pytest.skip("no gradcli console script beside this interpreter (pip install -e .)")
    return path


def env(home: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "SYSTEMROOT")}
    return {**keep, "HOME": str(home), "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "TERM": "dumb", "COLUMNS": "250"}


@pytest.fixture
def files(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    for name in ("claims.txt", "claims.toml", "report.xml", "plot.png", "zzz.dat"):
        (work / name).write_text("")
    (work / "subdir").mkdir()
    return work


# -- bash: the completion function, as bash-completion's own tests call it -------------------

def bash_complete(line: str, cwd: Path) -> list[str]:
    script = f"""
source {SCRIPTS / 'gradcli.bash'}
read -r -a COMP_WORDS <<< "$LINE"
[[ "$LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="$LINE"; COMP_POINT=${{#LINE}}
_gradcli_completion
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    proc = subprocess.run([shell("bash"), "--norc", "--noprofile", "-c", script], capture_output=True,
                          text=True, cwd=cwd, env={**env(cwd), "LINE": line}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [w for w in proc.stdout.splitlines() if w]


@pytest.mark.parametrize("line, expected", [
    ("gradcli ja", ["jacobian"]),
    ("gradcli taylor --or", ["--order"]),
    ("gradcli -f la", ["latex"]),
    ("gradcli check --file cla", ["claims.toml", "claims.txt"]),
    ("gradcli check --junit rep", ["report.xml"]),
    ("gradcli taylor 'x^2' --plot pl", ["plot.png"]),
])
def test_bash(line, expected, files):
    assert sorted(bash_complete(line, files)) == expected


def test_bash_lists_options(files):
    got = bash_complete("gradcli derivative --", files)
    assert {"--wrt", "--at", "--order", "--steps", "--format"} <= set(got)


# -- fish: `complete -C` asks fish's own completion machinery ---------------------------------

def fish_complete(line: str, cwd: Path) -> list[str]:
    script = f"source {SCRIPTS / 'gradcli.fish'}; complete -C {quote_fish(line)}"
    proc = subprocess.run([shell("fish"), "--no-config", "-c", script], capture_output=True, text=True,
                          cwd=cwd, env=env(cwd), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "string split" not in proc.stderr and "error" not in proc.stderr.lower(), proc.stderr
    return [w for w in proc.stdout.splitlines() if w]


def quote_fish(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def values(lines: list[str]) -> list[str]:
    return sorted(line.split("\t")[0] for line in lines)


@pytest.mark.parametrize("line, expected", [
    ("gradcli ja", ["jacobian"]),
    ("gradcli taylor --or", ["--order"]),
    ("gradcli -f la", ["latex"]),
    ("gradcli check --file cla", ["claims.toml", "claims.txt"]),
    ("gradcli check --junit rep", ["report.xml"]),
    ("gradcli taylor x --plot pl", ["plot.png"]),
])
def test_fish(line, expected, files):
    assert values(fish_complete(line, files)) == expected


def test_fish_descriptions_are_whole(files):
    lines = fish_complete("gradcli derivative --w", files)
    assert lines == ["--wrt\tVariables, comma separated (default: the free symbols, x2 before x10)."]


# -- zsh: an interactive shell in a pseudo-terminal, set up as the README says ----------------

class Terminal:
    """An interactive shell on a pseudo-terminal: type keys, read what it shows."""

    def __init__(self, argv: list[str], cwd: Path, environ: dict[str, str]):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child
            os.chdir(cwd)
            os.execve(argv[0], argv, environ)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 250, 0, 0))
        self.seen = ""

    def read_until(self, needle: str, timeout: float = 20.0) -> str:
        end = time.monotonic() + timeout
        while needle not in self.seen:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {needle!r}; the terminal shows:\n{self.seen[-3000:]}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"the shell exited; it showed:\n{self.seen[-3000:]}")
                self.seen += chunk.decode("utf-8", "replace")
        return self.seen

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def close(self) -> None:
        try:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        os.close(self.fd)


@pytest.fixture
def zsh(files: Path):
    path = shell("zsh")
    home = files.parent / "home"
    home.mkdir()
    term = Terminal([path, "-f", "-i"], files, {**env(home), "TERM": "xterm", "PS1": "READY> "})
    yield term
    term.close()


def zsh_setup(term: Terminal, *, compinit: bool = True) -> None:
    term.type("PS1='READY> '\n")
    term.read_until("READY> ")
    if compinit:  # the README's install lines
        term.type("autoload -Uz compinit && compinit\n")
    term.type(f"source {SCRIPTS / 'gradcli.zsh'} && print LOADED-$((40 + 2))\n")
    term.read_until("LOADED-42")
    # running the completed line shows what completion wrote: a function stands in for gradcli
    term.type("gradcli() { print -r -- \"LINE=[$*]\" }\n")


def zsh_line(term: Terminal, typed: str, marker: str) -> str:
    term.type(typed + "\t")
    time.sleep(0.3)
    term.type("\n")
    shown = term.read_until(f"LINE=[{marker}")
    return shown[shown.rindex("LINE=["):].split("]")[0][len("LINE=["):]


@pytest.mark.parametrize("typed, expected", [
    ("gradcli ja", "jacobian"),
    ("gradcli taylor --or", "taylor --order"),
    ("gradcli -f la", "-f latex"),
    ("gradcli check --junit rep", "check --junit report.xml"),
    ("gradcli taylor x --plot pl", "taylor x --plot plot.png"),
    ("gradcli check --file claims.tx", "check --file claims.txt"),
])
def test_zsh(zsh, typed, expected):
    zsh_setup(zsh)
    assert zsh_line(zsh, typed, expected.split()[0]) == expected


def test_zsh_without_compinit_first(zsh):
    """`source completions/gradcli.zsh` alone starts the completion system itself."""
    zsh_setup(zsh, compinit=False)
    assert "command not found: compdef" not in zsh.seen
    assert zsh_line(zsh, "gradcli ja", "jacobian") == "jacobian"


def test_zsh_descriptions_are_whole(zsh):
    zsh_setup(zsh)
    zsh.type("gradcli derivative --\t")  # ambiguous: TAB lists the candidates and their descriptions
    shown = zsh.read_until("x2 before x10")
    assert "Variables, comma separated (default: the free symbols, x2 before x10)" in shown
