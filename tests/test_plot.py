"""``taylor --plot``: PNG, SVG and PDF, ``--range``, y-limits that keep f visible, and the
plot drawn from the computed result (render/plot.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from gradcli.calculus.taylor import taylor
from gradcli.errors import InputError
from gradcli.record import replace
from helpers import assert_short_error, run

pytest.importorskip("matplotlib")

from gradcli.render.plot import figure, write_plot  # noqa: E402

x = sp.Symbol("x")

MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<?xml", "pdf": b"%PDF-"}


@pytest.mark.parametrize("fmt", sorted(MAGIC))
def test_each_format(tmp_path: Path, fmt: str):
    path = tmp_path / f"taylor.{fmt}"
    drawn = write_plot(taylor(sp.sin(x) + sp.cos(x), x, 0, 10), path, orders=[0, 1, 5, 10])
    assert path.read_bytes().startswith(MAGIC[fmt])
    assert drawn == (-4.0, 4.0)


@pytest.mark.parametrize("fmt", sorted(MAGIC))
def test_each_format_from_the_command(tmp_path: Path, fmt: str):
    path = tmp_path / f"t.{fmt.upper()}"
    obj = json.loads(run(["-f", "json", "taylor", "log(x)", "--at", "1", "--plot", str(path)]).stdout)
    assert path.read_bytes().startswith(MAGIC[fmt])
    assert obj["plot"]["file"] == str(path) and obj["plot"]["format"] == fmt
    lo, hi = obj["plot"]["range"]
    assert lo < 1 < hi


def test_unknown_suffix(tmp_path: Path):
    with pytest.raises(InputError):
        write_plot(taylor(sp.sin(x), x, 0, 3), tmp_path / "plot.jpg")
    assert not (tmp_path / "plot.jpg").exists()


def test_exp_about_1_is_not_flattened():
    # the issue: exp about 1 drawn over 1 ± 4 ran the y-axis to 150, flattening f near x0
    fig, (lo, hi) = figure(taylor(sp.exp(x), x, 1, 5))
    assert lo < 1 < hi and hi - lo >= 2
    ylo, yhi = fig.axes[0].get_ylim()
    top = float(np.exp(hi))
    assert ylo <= float(np.exp(lo)) and top <= yhi <= 1.25 * top
    assert yhi < 40  # not 150


def test_polynomials_are_clipped_to_fs_range():
    # T_1 of exp about 0 over -10..10 runs far below f (down to -9); f sets the frame
    fig, _ = figure(taylor(sp.exp(x), x, 0, 7), x_range=(-10.0, 10.0), orders=[1, 7])
    ax = fig.axes[0]
    ylo, yhi = ax.get_ylim()
    assert ylo > -0.2 * yhi  # exp > 0: the axis starts near 0, not at T_1's -9 or T_7's extremes
    for line in ax.get_lines()[1:3]:
        ys = np.asarray(line.get_ydata(), dtype=float)
        span = yhi - ylo
        assert np.nanmin(ys) >= ylo - span - 1e-9 and np.nanmax(ys) <= yhi + span + 1e-9


def test_drawn_from_the_result_not_recomputed():
    # a result whose coefficients are not exp's: the drawn T_2 is the result's polynomial
    r = taylor(sp.exp(x), x, 0, 2)
    terms = tuple(replace(t, coefficient=sp.Integer(c)) for t, c in zip(r.terms, (1, 2, 3)))
    fake = replace(r, terms=terms)
    fig, _ = figure(fake, x_range=(-1.0, 1.0), orders=[2])
    line = fig.axes[0].get_lines()[1]
    xs, ys = (np.asarray(v, dtype=float) for v in line.get_data())
    near = np.abs(xs) <= 0.5  # inside f's frame (beyond it the polynomial is clipped)
    assert near.sum() > 100 and np.allclose(ys[near], (1 + 2 * xs + 3 * xs**2)[near])


@pytest.mark.parametrize("text,lo,hi", [("-2:3", -2.0, 3.0), ("-pi:pi", -np.pi, np.pi), (" 0.5 : 1e1 ", 0.5, 10.0)])
def test_range(tmp_path: Path, text: str, lo: float, hi: float):
    path = tmp_path / "t.svg"
    obj = json.loads(run(["-f", "json", "taylor", "cos(x)", "--plot", str(path), f"--range={text}"]).stdout)
    assert obj["plot"]["range"] == pytest.approx([lo, hi])


@pytest.mark.parametrize("args,needle", [
    (["--range", "3:1"], "--range 1:3"),
    (["--range", "1:1"], "empty"),
    (["--range", "1"], "A:B"),
    (["--range", "a:2"], "not a number"),
    (["--range", "0:1e20"], "between"),
])
def test_range_errors(tmp_path: Path, args: list, needle: str):
    path = tmp_path / "t.png"
    assert_short_error(run(["taylor", "sin(x)", "--plot", str(path), *args], exit=2), needle)
    assert not path.exists()


def test_range_needs_plot():
    assert_short_error(run(["taylor", "sin(x)", "--range", "-1:1"], exit=2), "--plot")
