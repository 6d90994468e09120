"""check --junit: the JUnit XML report (check.junit)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from gradcli.app.check import check_claims
from gradcli.check.claims import Claim
from gradcli.check.junit import build_tree, write_junit
from gradcli.check.verdict import CheckReport, ClaimVerdict
from gradcli.model.declarations import Declarations


def test_junit_is_valid_and_counts(tmp_path):
    claims = [Claim("d/dx x^2 = 2x", name="square", source="c.txt:1"),
              Claim("d/dx sin(x) = cos(x + 10^-12)", source="c.txt:2"),
              Claim("d/dx log(-1 - x^2) = sin(x)", source="c.txt:4"),
              Claim("d/dx (x^T B x) = (B + B^T) x", Declarations(vectors=("x",), matrices=("B",)),
                    source="c.txt:5")]
    report = check_claims(claims)
    path = tmp_path / "report.xml"
    write_junit(report, str(path))
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite.attrib["tests"] == "4"
    assert suite.attrib["failures"] == "2"
    assert suite.attrib["errors"] == "1"
    assert suite.attrib["skipped"] == "0"
    float(suite.attrib["time"])
    cases = suite.findall("testcase")
    assert len(cases) == 4
    assert cases[0].attrib["name"].startswith("square") and cases[0].find("failure") is None
    assert cases[0].attrib["classname"] == "gradcli.check.c_txt" and cases[0].attrib["line"] == "1"
    failure = cases[1].find("failure")
    assert failure is not None and "point: x = " in failure.text and "left side:" in failure.text
    assert cases[2].find("error").attrib["type"] == "unknown"
    assert "layout" in cases[3].find("failure").attrib["message"]


def test_junit_escapes_awkward_text():
    report = CheckReport((ClaimVerdict(claim="a < b & \x01 \"q\"", verdict="false", method="m",
                                       reason="<&>", counterexample={"point": {}, "lhs": "1", "rhs": "2"}),))
    text = ET.tostring(build_tree(report).getroot(), encoding="unicode")
    root = ET.fromstring(text)
    assert root.find("testsuite/testcase").attrib["name"].startswith("a < b &")
