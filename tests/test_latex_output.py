"""Every command's LaTeX output (each case of tests/test_golden.py) compiles in pdflatex with
amsmath, and gradcli's LaTeX parser reads it back to the same mathematics.

What reads back (the README's "LaTeX output" section says the same): every side of every
equation that is an expression: ``\\frac{d}{d x} \\left( ... \\right)``, a result, a
``bmatrix``, a Taylor polynomial, each step of ``--steps``, each line of ``--definition``'s
derivation but the limit and the point, each side of a ``check`` claim.  Consecutive readable
sides of one equation are decided equal by ``check``'s engine (``\\neq``: decided false), and
the result equals the plain output read back.  What does not read back, as a whole or in part:
the environments that hold the lines (``aligned``, ``gathered``), the names given to a result
(``\\nabla_{x, y} (...)``, ``\\nabla^{2}``, ``T_{n}(x)``, ``\\frac{\\partial (f_1, f_2)}{\\partial
(x, y)}``, ``\\frac{d f}{d t}``), ``\\lim_{h \\to 0}``, an evaluation bar ``\\Big|_{x = 2}``, the
words of a note (``\\text{...}``, with the general rule it states), the tables (``array``) and
autodiff's trace, whose sides are named intermediate values.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import pytest
from click.testing import CliRunner
from test_golden import CASES

from gradcli.check.decide import decide
from gradcli.cli.main import cli
from gradcli.errors import GradcliError
from gradcli.language import ast as S
from gradcli.language import parse
from gradcli.language.latex import parse_latex
from gradcli.model.declarations import Declarations
from gradcli.record import fields, replace

RELATIONS = (r" \neq ", " = ")
#: a side that names a result rather than being an expression
NAMES = (r"\nabla", "T_{", r"\lim", r"\frac{\partial \left(", r"\frac{\partial f}{\partial \left(",
         r"\frac{d f}", r"\frac{\mathrm{d}", r"\det J")


def latex_of(name: str) -> str:
    result = CliRunner().invoke(cli, ["-f", "latex", *CASES[name]], env={"COLUMNS": "80"})
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def declarations(args: list[str]) -> Declarations:
    kinds: dict[str, list[str]] = {"--vector": [], "--matrix": []}
    for option, value in zip(args, args[1:]):
        if option in kinds:
            kinds[option].extend(value.split(","))
    return Declarations(vectors=tuple(kinds["--vector"]), matrices=tuple(kinds["--matrix"]))


def _drop_text(line: str) -> str:
    """A line without its ``\\text{...}`` words (braces matched)."""
    out, i = "", 0
    while i < len(line):
        if line.startswith(r"\text{", i):
            depth, i = 1, i + len(r"\text{")
            while depth and i < len(line):
                depth += {"{": 1, "}": -1}.get(line[i], 0)
                i += 1
            continue
        out += line[i]
        i += 1
    return out


def _split(line: str) -> list[tuple[str, str]]:
    """``A = B \\neq C`` -> [("", A), ("=", B), ("≠", C)], split at depth 0 only."""
    parts: list[tuple[str, str]] = []
    depth, start, rel, i = 0, 0, "", 0
    while i < len(line):
        ch = line[i]
        if line.startswith(r"\left", i):
            depth += 1
        elif line.startswith(r"\right", i):
            depth -= 1
        elif ch in "{":
            depth += 1
        elif ch in "}":
            depth -= 1
        elif depth == 0:
            for r in RELATIONS:
                if line.startswith(r, i):
                    parts.append((rel, line[start:i].strip()))
                    rel, start = r.strip(), i + len(r)
                    i += len(r) - 1
                    break
        i += 1
    parts.append((rel, line[start:].strip()))
    return parts


def equations(text: str) -> list[list[tuple[str, str]]]:
    """The equations of an output: lines of its environments, notes, tables and
    annotations (after ``&&`` or ``\\quad``) left out; a line ``&= B`` continues the one before."""
    text = re.sub(r"\\begin\{array\}.*?\\end\{array\}", "", text, flags=re.S)
    text = re.sub(r"\\(begin|end)\{(aligned|gathered)\}", r"\\\\", text)
    matrices: list[str] = []

    def keep(m: re.Match) -> str:  # a bmatrix's rows and columns are not the block's lines
        matrices.append(m.group(0))
        return f"MATRIX{len(matrices) - 1}Z"

    text = re.sub(r"\\begin\{bmatrix\}.*?\\end\{bmatrix\}", keep, text, flags=re.S)
    chains: list[list[tuple[str, str]]] = []
    for raw in re.split(r"\\\\(?:\[1ex\])?", text):
        line = raw.strip()
        at = re.search(r"\\text\{at \}.*?\\text\{: \}(.*)$", line)
        if not line or line.startswith((r"&\qquad", r"&\text")) or r"\qquad \text" in line:
            continue
        line = re.split(r"&&|\\quad\s*\\text|\\quad\s*\\text|, \\qquad", line)[0]
        line = _drop_text(line).replace("&", "").replace(r"\quad", "").strip()
        if not line or r"\Big|" in line:
            continue
        line = re.sub(r"MATRIX(\d+)Z", lambda m: matrices[int(m.group(1))], line)
        parts = _split(" " + line)
        if at:  # the value at the point, compared with the plain output
            value = re.sub(r"MATRIX(\d+)Z", lambda m: matrices[int(m.group(1))], at.group(1))
            parts.append(("at", value.split(r" \approx ")[0].strip()))
        if parts[0][1] == "" and chains:
            chains[-1].extend(parts[1:])
        else:
            chains.append(parts)
    return chains


def readable(side: str, decl: Declarations) -> S.Node | None:
    if not side or side.startswith(NAMES):
        return None
    try:
        return parse_latex(side, claim=False)
    except GradcliError as e:  # pragma: no cover - shown when a side stops reading back
        pytest.fail(f"{side!r} does not read back: {e}")


def verdict(lhs: S.Node, rhs: S.Node, decl: Declarations, layout: str = "numerator") -> str:
    return decide(S.Equation(lhs.pos, rhs.end, lhs, rhs), decl, layout).verdict


def layout(args: list[str]) -> str:
    return next((value for option, value in zip(args, args[1:]) if option == "--layout"), "numerator")


def same_as_plain(nodes: list[S.Node], plain: str, decl: Declarations, layout: str = "numerator") -> bool:
    """One of ``nodes`` is the plain output's result; a plain vector ``[a, b]`` is the row or
    the column of the LaTeX ``bmatrix``."""
    readings = [plain] if not plain.startswith("[") or plain.startswith("[[") else [f"[{plain}]", f"[{plain}]^T"]
    return any(verdict(node, parse(text), decl, layout) == "true" for node in nodes for text in readings)


def substituted(node: Any, subs: dict[str, S.Node]) -> Any:
    """``node`` with the names of ``subs`` replaced (chain's x1 = sin(t)): the chain rule's
    middle lines are in x1, x2, read at the substitution."""
    if isinstance(node, S.Name) and node.name in subs:
        return subs[node.name]
    if isinstance(node, tuple):
        return tuple(substituted(n, subs) for n in node)
    if isinstance(node, S.Node):
        changes = {f: substituted(getattr(node, f), subs) for f in fields(type(node))
                   if isinstance(getattr(node, f), (S.Node, tuple))}
        return replace(node, **changes)
    return node


def substitutions(args: list[str]) -> dict[str, S.Node]:
    subs = [value.split("=", 1) for option, value in zip(args, args[1:]) if option == "--sub"]
    return {name.strip(): parse(text) for name, text in subs}


#: Outputs read back only in part, elsewhere: autodiff (its gradient, below); matrix --steps,
#: whose lines are differentials in dx (``\\mathrm{d}\\left(...\\right) = \\mathrm{dx}^{\\top} ...``,
#: dx no declared vector); the tensor views (the vec form with the commutation matrix K_{m,n},
#: the block matrix, the index form with Kronecker deltas), which the README lists as not read.
NOT_READ_BACK = ("autodiff", "matrix_steps", "tensor_")
LATEX_CASES = sorted(name for name in CASES if not name.startswith(NOT_READ_BACK))


@pytest.mark.parametrize("name", LATEX_CASES)
def test_latex_reads_back_to_the_same_mathematics(name):
    args = CASES[name]
    decl = declarations(args)
    subs = substitutions(args)
    text = latex_of(name)
    read = 0
    sides: list[S.Node] = []
    for chain in equations(text):
        previous = None
        for rel, side in chain:
            node = readable(side, decl)
            if node is None:
                previous = None
                continue
            read += 1
            node = substituted(node, subs) if subs else node
            sides.append(node)
            if previous is not None and rel != "at":
                want = "false" if rel == r"\neq" else "true"
                assert verdict(previous, node, decl, layout(args)) == want, f"{name}: {chain}"
            previous = node
    assert read, f"{name}: nothing of {text!r} read back"
    plain = CliRunner().invoke(cli, ["-f", "plain", *args], env={"COLUMNS": "80"}).stdout.strip()
    if "\n" not in plain and args[0] != "check":
        assert same_as_plain(sides[-3:], plain, decl, layout(args)), f"{name}: {plain}"


@pytest.mark.parametrize("name", [n for n in sorted(CASES) if n.startswith("autodiff") and "arrays" not in n])
def test_autodiff_gradient_reads_back(name):
    text = latex_of(name)
    gradient = [line for line in text.splitlines() if line.startswith(r"\nabla f &= ")]
    assert len(gradient) == 1
    rhs = re.split(r"\\quad", gradient[0].removeprefix(r"\nabla f &= "))[0].strip()
    plain = CliRunner().invoke(cli, ["-f", "plain", *CASES[name]]).stdout.strip().splitlines()[-1]
    assert same_as_plain([parse_latex(rhs, claim=False)], plain, Declarations())


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_every_latex_output_compiles(tmp_path):
    body = []
    for name in sorted(CASES):
        body.append(f"% {name}\n\\[\n{latex_of(name).strip()}\n\\]\n")
    document = ("\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
                + "\n".join(body) + "\\end{document}\n")
    (tmp_path / "all.tex").write_text(document, encoding="utf-8")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "all.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]
    log = (tmp_path / "all.log").read_text(errors="replace")
    assert "Undefined control sequence" not in log


@pytest.mark.parametrize("src, plain", [
    (r"\psi\left(x\right)", "polygamma(0, x)"),
    (r"\psi^{\left(2\right)}\left(x\right)", "polygamma(2, x)"),
    (r"\psi^{(1)}(x)", "polygamma(1, x)"),
    (r"\psi^{2}(x)", "polygamma(0, x)^2"),
    (r"\psi(x)^{2}", "polygamma(0, x)^2"),
    (r"\psi^2 x", "psi^2 x"),
    (r"\psi x", "psi x"),
])
def test_psi_reads_as_gradcli_writes_it(src, plain):
    """``\\psi(x)`` is the digamma function, ``\\psi^{(k)}(x)`` its k-th derivative (the order in
    parentheses, as printed), ``\\psi^{2}(x)`` a square; ``\\psi`` without a bracket a variable."""
    assert verdict(parse_latex(src, claim=False), parse(plain), Declarations()) == "true"
