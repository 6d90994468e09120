"""The progress display (output.progress): on stderr, only at a terminal and for rich output,
never in pipes, json or tests unless forced (GRADCLI_PROGRESS=1), erased when done."""

from __future__ import annotations

import io

import pytest

from gradcli import output
from helpers import run


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("fmt,tty,env,wanted", [
    ("rich", True, None, True),
    ("plain", True, None, False),
    ("json", True, None, False),
    ("latex", True, None, False),
    ("rich", False, None, False),  # stderr piped or redirected
    ("rich", True, "0", False),
    ("json", False, "1", True),
])
def test_when_it_is_shown(monkeypatch: pytest.MonkeyPatch, fmt: str, tty: bool, env: str | None, wanted: bool):
    if env is None:
        monkeypatch.delenv(output.PROGRESS_ENV, raising=False)
    else:
        monkeypatch.setenv(output.PROGRESS_ENV, env)
    stream = Terminal() if tty else io.StringIO()
    assert output.progress_wanted(fmt, stream) is wanted


def test_the_line_is_drawn_then_erased(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(output.PROGRESS_ENV, "1")
    stream = Terminal()
    monkeypatch.setattr("sys.stderr", stream)
    with output.progress(3, "checking", fmt="rich") as p:
        p.step("d/dx x^2 = 2 x")
        assert stream.getvalue() == "\rchecking 1/3: d/dx x^2 = 2 x"
        p.step("second")
    text = stream.getvalue()
    assert text.endswith("\r" + " " * len("checking 1/3: d/dx x^2 = 2 x") + "\r")
    assert "\x1b" not in text  # a carriage return, no escape sequences


def test_a_single_item_shows_nothing(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(output.PROGRESS_ENV, "1")
    stream = Terminal()
    monkeypatch.setattr("sys.stderr", stream)
    with output.progress(1, "checking", fmt="rich") as p:
        p.step("one")
    assert stream.getvalue() == ""


def test_check_and_batches_in_tests_show_nothing():
    r = run(["-f", "rich", "check", "d/dx x^2 = 2 x", "d/dx x^3 = 3 x^2"])
    assert "checking" not in r.stderr and r.stderr == ""
    r = run(["-f", "rich", "derivative", "-"], input="x^2\nx^3\n")
    assert "computing" not in r.stderr


def test_forced_progress_goes_to_stderr_only():
    env = {"GRADCLI_PROGRESS": "1"}
    r = run(["-f", "plain", "check", "d/dx x^2 = 2 x", "d/dx x^3 = 3 x^2"], env=env)
    assert r.stderr.startswith("\rchecking 1/2: d/dx x^2 = 2 x")  # redrawn at most every 0.1 s
    assert "checking" not in r.stdout and r.stdout.count("true") == 2
    r = run(["-f", "json", "derivative", "-"], input="x^2\nx^3\n", env=env)
    assert "\rcomputing 1/2: x^2" in r.stderr and "computing" not in r.stdout
    assert r.stderr.endswith("\r")  # erased at the end
