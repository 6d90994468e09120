"""Reading claims for check: arguments, standard input, .txt and .toml files."""

from __future__ import annotations

import io
import textwrap

import pytest

from gradcli.app.check import check_claims
from gradcli.check.claims import Claim, collect, read_claims_file, read_lines, read_toml, read_txt, validate
from gradcli.errors import InputError
from gradcli.model.declarations import Declarations

CLI_DECL = Declarations(vectors=("x",), matrices=("B",))


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return str(path)


def test_txt_skips_comments_and_blank_lines(tmp_path):
    path = write(tmp_path, "claims.txt", """
        # hand derivations, chapter 5

        d/dt (sin(t)^2 + 2 cos(t)) = 2 sin(t) (cos(t) - 1)
           # indented comment
        d/dx (x^T B x) = x^T (B + B^T)

    """)
    claims = read_txt(path, CLI_DECL, "numerator")
    assert [c.source for c in claims] == [f"{path}:3", f"{path}:5"]
    assert all(c.decl == CLI_DECL and c.layout == "numerator" for c in claims)
    report = check_claims(claims)
    assert [r.verdict for r in report.results] == ["true", "true"]
    assert report.results[1].source == f"{path}:5"


@pytest.mark.parametrize("bad_line,needle", [
    ("d/dx sin(x) = cos(x", "claims.txt:3"),     # does not parse
    ("d/dx sin(x)", "no '='"),                   # no '='
    ("d/dx sin(x) = = cos(x)", "claims.txt:3"),
])
def test_txt_bad_line_names_file_and_line(tmp_path, bad_line, needle):
    # an unreadable line is an error for that claim alone: kept, with its source and message
    path = write(tmp_path, "claims.txt", f"# ok\nd/dx x^2 = 2x\nd/dx x = 1\n{bad_line}\n".replace("d/dx x = 1\n", ""))
    claims = read_txt(path)
    assert [c.source for c in claims] == [f"{path}:2", f"{path}:3"]
    assert not claims[0].error and claims[1].error and claims[1].text == bad_line
    assert needle in f"{claims[1].source}: {claims[1].error}"
    report = check_claims(claims)
    assert [r.verdict for r in report.results] == ["true", "error"]
    assert report.results[1].reason == claims[1].error


def test_missing_and_undecodable_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_claims_file(str(tmp_path / "nope.txt"))
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"d/dx x = 1 \xff\n")
    with pytest.raises(InputError, match="not UTF-8"):
        read_claims_file(str(bad))


def test_toml_tables(tmp_path):
    path = write(tmp_path, "claims.toml", """
        # identities
        [[claim]]
        name = "5.107"
        claim = "d/dx (x^T B x) = x^T (B + B^T)"
        vector = "x"
        matrix = ["B"]

        [[claim]]
        name = "5.107 denominator"
        claim = "d/dx (x^T B x) = (B + B^T) x"
        vector = ["x"]
        matrix = "B"
        layout = "denominator"

        [[claim]]
        claim = "d/ds (x - A s)^T W (x - A s) = -2 (x - A s)^T W A"
        vector = "x, s"
        matrix = "A"
        symmetric = "W"

        [[claim]]
        claim = "d/dX (a^T X b) = a b^T"
        shape = ["X=m x n", "a=m x 1", "b=n x 1"]

        [[claim]]
        claim = "d/dx sin(x) = cos(x)"
    """)
    claims = read_toml(path)
    assert [c.name for c in claims] == ["5.107", "5.107 denominator", None, None, None]
    assert claims[0].decl.vectors == ("x",) and claims[0].decl.matrices == ("B",)
    assert claims[1].layout == "denominator" and claims[0].layout == "numerator"
    assert claims[2].decl.vectors == ("x", "s") and claims[2].decl.symmetric == ("W",)
    assert claims[3].decl.shapes == (("X", "m x n"), ("a", "m x 1"), ("b", "n x 1"))
    assert claims[0].source == f"{path}:4" and claims[4].source == f"{path}:26"
    assert [r.verdict for r in check_claims(claims).results] == ["true"] * 5


def test_toml_merges_command_line_declarations(tmp_path):
    path = write(tmp_path, "c.toml", """
        [[claim]]
        claim = "d/dx (a^T x) = a^T"
        vector = "a"
    """)
    (claim,) = read_claims_file(path, Declarations(vectors=("x",)), "denominator")
    assert set(claim.decl.vectors) == {"x", "a"} and claim.layout == "denominator"


def test_toml_shape_table_and_dim(tmp_path):
    path = write(tmp_path, "c.toml", """
        [[claim]]
        claim = "d/dX tr(X) = I"
        shape = { X = "3x3" }
        [[claim]]
        claim = "d/dx (x^T x) = 2 x^T"
        vector = "x"
        dim = 2
    """)
    a, b = read_toml(path)
    assert a.decl.shapes == (("X", "3x3"),) and b.decl.dim == 2
    assert [r.verdict for r in check_claims([a, b]).results] == ["true", "true"]


@pytest.mark.parametrize("body,needle", [
    ('[[claim]]\nclaim = "d/dx x = 1"\n[[claim\n', "not valid TOML"),
    ('[[claim]]\nname = "no claim"\n', "needs claim ="),
    ('[[claim]]\nclaim = "d/dx x = 1"\n\n[[claim]]\nclaim = "d/dx (x = 1"\n', ":5"),
    ('[[claim]]\nclaim = "d/dx x"\n', "no '='"),
    ('[[claim]]\nclaim = "d/dx x = 1"\nlayout = "sideways"\n', "layout"),
    ('[[claim]]\nclaim = "d/dx x = 1"\nvectr = "x"\n', "unknown key 'vectr'"),
    ('[[claim]]\nclaim = "d/dx x = 1"\nvector = 3\n', "'vector'"),
    ('[[claim]]\nclaim = "d/dx x = 1"\nsymmetric = "W"\nshape = "W=2x3"\n', "symmetric"),
    ('title = "x"\n', "unknown top-level key"),
    ('', "no [[claim]] tables"),
])
def test_toml_errors(tmp_path, body, needle):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    if "[[claim]]" not in body or needle == "not valid TOML":  # the file as a whole cannot be read
        with pytest.raises(InputError) as err:
            read_toml(str(path))
        message = "\n".join(err.value.lines())
        assert str(path) in message and needle in message
        return
    # a table that cannot be read is an error for that claim alone
    claims = read_toml(str(path))
    bad = [c for c in claims if c.error]
    assert len(bad) == 1
    assert str(path) in bad[0].source and needle in f"{bad[0].source}: {bad[0].error}"
    assert not bad[0].error.startswith(str(path))


def test_stdin_and_arguments():
    stdin = io.StringIO("d/dx x^2 = 2x\n\n# skip\nd/dx x^3 = 3x\n")
    claims = collect(["d/dx sin(x) = cos(x)", "-"], stdin=stdin)
    assert [c.text for c in claims] == ["d/dx sin(x) = cos(x)", "d/dx x^2 = 2x", "d/dx x^3 = 3x"]
    assert [c.source for c in claims] == ["", "<stdin>:1", "<stdin>:4"]
    assert [r.verdict for r in check_claims(claims).results] == ["true", "true", "false"]
    read = read_lines(io.StringIO("d/dx x = 1\nnot a claim\n"))
    assert [c.source for c in read] == ["<stdin>:1", "<stdin>:2"]
    assert "no '='" in read[1].error and not read[0].error


def test_collect_files_after_arguments(tmp_path):
    txt = write(tmp_path, "a.txt", "d/dx x^2 = 2x\n")
    toml = write(tmp_path, "b.toml", '[[claim]]\nclaim = "d/dx x^3 = 3x^2"\n')
    claims = collect(["d/dx x = 1"], [txt, toml])
    assert [c.source for c in claims] == ["", f"{txt}:1", f"{toml}:2"]


def test_argument_errors_keep_the_caret():
    with pytest.raises(InputError) as err:
        validate("d/dx sin(x) = cos(x")
    assert len(err.value.lines()) == 2


def test_claim_defaults():
    c = Claim("d/dx x = 1")
    assert c.decl == Declarations() and c.layout == "numerator" and c.name is None and c.source == ""
