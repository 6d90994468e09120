"""The notation of tensor claims (issue 17): the commutation matrix K(m, n) written in claims and
expressions, and the ∂ and LaTeX spellings of the vec derivative d vec(F)/d vec(X).

Ground truth for K(m, n) is its definition, K(m, n) vec(A) = vec(A^T) for an m x n A, checked
on a matrix of independent symbols; the claims' left sides are computed by ``check`` entry by
entry (SymPy's derivative of each entry of vec(F) by each entry of vec(X))."""

from __future__ import annotations

import json

import pytest
import sympy as sp

from gradcli.errors import InputError, ParseError
from gradcli.language import ast as S
from gradcli.language import parse, parse_claim
from gradcli.model.arrays import Commutation
from gradcli.model.build import build
from gradcli.model.declarations import Context, Declarations
from gradcli.model.symbols import explicit_matrix
from helpers import run

# -- K(m, n) -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("m", "n"), [(1, 1), (1, 3), (2, 2), (2, 3), (3, 2), (3, 4)])
def test_commutation_matrix_is_its_definition(m, n):
    """K(m, n) as gradcli builds it from the text, written out, times vec(A) is vec(A^T)."""
    ctx = Context(Declarations(shapes=(("A", f"{m}x{n}"),)), sizes={})
    K = build(parse(f"K({m}, {n})"), ctx)
    A = explicit_matrix("A", m, n)
    vec = sp.ImmutableMatrix([A[i, j] for j in range(n) for i in range(m)])
    vec_t = sp.ImmutableMatrix([A.T[i, j] for j in range(m) for i in range(n)])
    assert K.shape == (m * n, m * n) and K * vec == vec_t
    symbolic = build(parse(f"K({m}, {n})"), Context())
    assert isinstance(symbolic, Commutation) and symbolic.written_out() == K


def test_commutation_sizes_are_numbers_or_declared_size_names():
    ctx = Context(Declarations(shapes=(("X", "m x n"),)))
    k = build(parse("K(m, n)"), ctx)
    assert isinstance(k, Commutation) and [str(a) for a in k.args] == ["m", "n"]
    assert build(parse("K(n, 2)"), ctx).shape == (2 * sp.Symbol("n", integer=True, positive=True),) * 2
    with pytest.raises(InputError, match="'p' is not a size"):
        build(parse("K(p, n)"), ctx)
    with pytest.raises(InputError, match="between 1 and"):
        build(parse("K(0, 2)"), ctx)
    with pytest.raises(ParseError, match="numbers or size names"):
        parse("K(m + 1, n)")
    with pytest.raises(ParseError, match="takes two sizes"):
        parse("K(2, 3, 4)")


@pytest.mark.parametrize(("text", "decl", "message"), [
    ("K(x + 1)", Declarations(), "unknown function 'K'"),  # one argument: as before
    ("K(2, 3) X", Declarations(matrices=("K", "X")), "K is a declared matrix"),
    ("K(2, 3) + K", Declarations(), "K is a name here and also the commutation matrix"),
    ("d/dK K(2, 3)", Declarations(), "K is a name here and also the commutation matrix"),
])
def test_k_as_an_ordinary_name_is_not_guessed(text, decl, message):
    with pytest.raises(InputError, match=message) as err:
        build(parse(text), Context(decl, source=text))
    assert "K*(...)" in (err.value.hint or "")


def test_k_declared_keeps_working():
    """The book's K = R^T R: a declared matrix K is used as before."""
    r = run(["-f", "plain", "check", "(K x)^T = x^T K^T", "K (x + y) = K x + K y", "--matrix", "K",
             "--vector", "x,y"])
    assert r.stdout.count("true: ") == 2
    r = run(["-f", "plain", "gradient", "x^T K x", "--vector", "x", "--matrix", "K", "--wrt", "x"])
    assert r.stdout == "x.T*(K + K.T)\n"


@pytest.mark.parametrize(("claim", "shape", "verdict"), [
    ("d vec(X^T)/d vec(X) = K(2,3)", "X=2x3", "true"),
    ("d vec(X^T)/d vec(X) = K(3,2)", "X=2x3", "false"),
    ("d vec(X^T)/d vec(X) = K(m,n)", "X=m x n", "true"),
    ("d vec(X^T)/d vec(X) = K(n,m)", "X=m x n", "false"),
    ("K(m, n) vec(X) = vec(X^T)", "X=m x n", "true"),
    ("K(m, n)^T vec(X^T) = vec(X)", "X=m x n", "true"),
    ("K(2, 3)^T = K(3, 2)", "X=2x3", "true"),
    ("K(2, 3) = K(3, 2)", "X=2x3", "false"),
    (r"\frac{\partial \operatorname{vec}(X^\top)}{\partial \operatorname{vec}(X)} = K_{m,n}", "X=m x n", "true"),
    (r"K_{2,3} \operatorname{vec}(X) = \operatorname{vec}(X^\top)", "X=2x3", "true"),
])
def test_check_claims_with_the_commutation_matrix(claim, shape, verdict):
    r = run(["-f", "json", "check", claim, "--shape", shape], exit={"true": 0, "false": 1}[verdict])
    assert json.loads(r.stdout)["results"][0]["verdict"] == verdict


def test_printed_commutation_reads_back():
    """What derivative prints for d vec(X^T)/d vec(X) (plain K(m, n), LaTeX K_{m,n}) is a claim
    check decides true."""
    for fmt in ("plain", "latex"):
        r = run(["-f", fmt, "derivative", "X^T", "--shape", "X=m x n", "--wrt", "X", "--rhs-only"]
                if fmt == "latex" else ["-f", fmt, "derivative", "X^T", "--shape", "X=m x n", "--wrt", "X"])
        rhs = r.stdout.splitlines()[0]
        assert rhs in ("K(m, n)", "K_{m,n}")
        claim = ("d vec(X^T)/d vec(X) = " if fmt == "plain" else
                 r"\frac{\partial \operatorname{vec}(X^\top)}{\partial \operatorname{vec}(X)} = ") + rhs
        run(["check", claim, "--shape", "X=m x n"])


def test_commutation_in_an_expression_every_format():
    args = ["gradient", "x^T K(m,n) x", "--vector", "x", "--shape", "A=m x n", "--wrt", "x"]
    assert run(["-f", "plain", *args]).stdout == "x.T*(K(m, n) + K(n, m))\n"  # K(m, n)^T = K(n, m)
    assert r"x^{\top} \left(K_{m,n} + K_{n,m}\right)" in run(["-f", "latex", *args]).stdout
    assert "xᵀ (K(m, n) + K(n, m))" in run(["-f", "rich", *args]).stdout
    args = ["gradient", "x^T K(2,2) x", "--shape", "x=4x1", "--wrt", "x"]
    obj = json.loads(run(["-f", "json", *args, "--at", "x=[1,2,3,4]"]).stdout)
    # x^T K x = x1^2 + 2 x2 x3 + x4^2 (K(2,2) swaps entries 2 and 3): gradient (2 x1, 2 x3, 2 x2, 2 x4)
    assert obj["value"] == ["2", "6", "4", "8"]


# -- the vec derivative: ∂ and LaTeX spellings -----------------------------------------------------

SPELLINGS = [
    "d vec(A X B)/d vec(X)",
    "∂vec(A X B)/∂vec(X)",
    "∂ vec(A X B)/∂ vec(X)",
    r"\frac{\partial \operatorname{vec}(A X B)}{\partial \operatorname{vec}(X)}",
    r"\frac{\partial \mathrm{vec}(A X B)}{\partial \mathrm{vec}(X)}",
    r"\frac{\partial\, \mathrm{vec}\, \left(A X B\right)}{\partial\, \mathrm{vec}\, X}",
    r"\frac{d \operatorname{vec}\left(A X B\right)}{d \operatorname{vec}\left(X\right)}",
    r"\frac{\partial \operatorname{vec} F}{\partial \operatorname{vec} X}",
]


@pytest.mark.parametrize("lhs", SPELLINGS)
def test_vec_derivative_spellings_read_the_same(lhs):
    node = parse_claim(lhs + " = 0")
    d = node.lhs
    assert isinstance(d, S.Derivative) and d.vec and d.var == "X" and d.partial == ("∂" in lhs or "partial" in lhs)
    want = S.Name if lhs.endswith(r"\operatorname{vec} X}") else S.Binary
    assert isinstance(d.operand, want)


@pytest.mark.parametrize("lhs", SPELLINGS[:7])
@pytest.mark.parametrize(("rhs", "verdict"), [("kron(B^T, A)", "true"), ("kron(B, A)", "false")])
def test_vec_derivative_spellings_decide_the_same(lhs, rhs, verdict):
    if lhs.startswith("\\"):
        rhs = rhs.replace("kron(B^T, A)", r"B^\top \otimes A").replace("kron(B, A)", r"B \otimes A")
    r = run(["-f", "json", "check", f"{lhs} = {rhs}", "--matrix", "A,X,B"], exit={"true": 0, "false": 1}[verdict])
    assert json.loads(r.stdout)["results"][0]["verdict"] == verdict


@pytest.mark.parametrize(("claim", "message", "hint"), [
    ("d vec(A X B)/∂ vec(X) = 0", "'d' in the numerator and '∂' in the denominator", "d vec(A X B)/d vec(X)"),
    ("d vec(A X B)/d X = 0", "vec( ) of one name in the denominator", "did you mean d vec(A X B)/d vec(X)"),
    ("d vec(A X B)/d vec(X^T) = 0", "vec( ) of one name", "did you mean d vec(A X B)/d vec(X)"),
    ("∂vec(A X B)/∂X = 0", "'∂' is only understood in a derivative operator", "did you mean ∂vec(F)/∂vec(X)"),
    ("∂vec(A X B) = 0", "needs its denominator", "did you mean ∂vec(A X B)/∂vec(X)"),
    ("dvec(A X B)/dvec(X) = 0", "unknown function 'dvec'", "did you mean d vec(F)/d vec(X)"),
    (r"\frac{\partial \operatorname{vec}(A X B)}{\partial X} = 0", "with vec and the same d or \\partial",
     r"did you mean \frac{\partial \operatorname{vec}(F)}{\partial \operatorname{vec}(X)}"),
    (r"\frac{\partial \operatorname{vec}(A X B)}{d \operatorname{vec}(X)} = 0", "the same d or \\partial",
     "did you mean"),
    (r"\frac{\partial}{\partial \operatorname{vec}(X)} \operatorname{vec}(A X B) = 0", "the same d or \\partial",
     "did you mean"),
    (r"\frac{\partial \operatorname{vec}(A X B)}{\partial \operatorname{vec}(X^\top)} = 0",
     "vec of one vector or matrix name", "did you mean"),
])
def test_vec_derivative_near_misses_are_refused(claim, message, hint):
    r = run(["check", claim, "--matrix", "A,X,B"], exit=2)
    assert message in r.stderr and hint in r.stderr


def test_d_stays_a_name_outside_the_whole_pattern():
    """d vec(X)/2 is a scalar d times vec(X), halved (d is an ordinary name)."""
    node = parse("d vec(X)/2")
    assert isinstance(node, S.Binary) and not any(isinstance(n, S.Derivative) for n in S.walk(node))


@pytest.mark.parametrize(("fmt", "shown"), [
    ("plain", "true: ∂vec(A X B)/∂vec(X) = kron(B^T, A)"),
    ("rich", "∂vec(A X B)/∂vec(X) = kron(Bᵀ, A)"),
    ("latex", r"\frac{\partial \operatorname{vec}\left(A X B\right)}{\partial \operatorname{vec}\left(X\right)}"),
])
def test_a_vec_claim_is_shown_as_written(fmt, shown):
    r = run(["-f", fmt, "check", "∂vec(A X B)/∂vec(X) = kron(B^T, A)", "--matrix", "A,X,B"])
    assert shown in r.stdout


def test_latex_output_of_a_tensor_reads_back_as_a_true_claim():
    """The first line of derivative's LaTeX (vec form, symbolic sizes) is a claim check reads
    and decides true."""
    r = run(["-f", "latex", "derivative", "X^T X", "--matrix", "X", "--wrt", "X"])
    first = r.stdout.split(r"\begin{aligned} ", 1)[1].split(r" \\ ", 1)[0].replace("&=", "=")
    assert r"\operatorname{vec}\left(X^{\top} X\right)" in first and "K_{n,n}" in first
    run(["check", first, "--matrix", "X"])
