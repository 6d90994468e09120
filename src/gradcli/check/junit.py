"""``check --junit FILE``: a JUnit XML report that CI systems read.

One ``<testsuite name="gradcli check">`` inside ``<testsuites>``, one ``<testcase>`` per
claim (``name``: the claim's name, or its text; ``classname``: ``gradcli.check`` plus the
claim's file; ``file``/``line`` when it came from a file; ``time``: seconds spent):

* true    -> a passing test case; ``<system-out>`` gives the method.
* false   -> ``<failure type="false" message="...">`` with the counterexample (point,
  sizes, both sides' values) and the layout hint, if any.
* unknown -> ``<error type="unknown" message="...">`` with the reason (the time limit
  included: "time limit: ...").
* error   -> ``<error type="unreadable" message="...">``: the claim could not be read (a
  syntax error, an unknown name, a shape mismatch inside a side); the others are decided.  An unknown claim
  makes ``check`` exit 3 (a failed CI job), so it is reported where CI systems show
  failures prominently (Jenkins, GitLab, GitHub test reporters list errors next to
  failures); ``<skipped>`` would hide it among deliberately skipped tests.

The suite's ``tests``/``failures``/``errors``/``skipped``/``time`` attributes are the
counts; ``skipped`` is always 0.  Written with ``xml.etree`` (escaping is its job); text
is stripped of characters XML 1.0 cannot hold.
"""

from __future__ import annotations

import datetime
import os
import re
import socket
import xml.etree.ElementTree as ET
from typing import Any

from ..errors import InputError
from .verdict import CheckReport, ClaimVerdict, shape_words, value_text

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: Any) -> str:
    return _ILLEGAL.sub("?", str(text))


def _case_name(r: ClaimVerdict) -> str:
    return _clean(f"{r.name}: {r.claim}" if r.name else r.claim)


def _classname(r: ClaimVerdict) -> str:
    source = r.source.rsplit(":", 1)[0] if r.source else ""
    if not source:
        return "gradcli.check"
    base = os.path.basename(source)
    return "gradcli.check." + re.sub(r"[^A-Za-z0-9_]+", "_", base).strip("_")


def _counterexample_text(r: ClaimVerdict) -> str:
    lines = [f"claim: {r.claim}", f"verdict: false ({r.method})"]
    cex = r.counterexample or {}
    if cex.get("sizes"):
        lines.append("sizes: " + ", ".join(f"{k} = {v}" for k, v in cex["sizes"].items()))
    if cex.get("point"):
        lines.append("point: " + ", ".join(f"{k} = {v}" for k, v in cex["point"].items()))
    if "lhs" in cex:
        lines.append(f"left side:  {value_text(cex['lhs'])}")
        lines.append(f"right side: {value_text(cex['rhs'])}")
    if "lhs_shape" in cex:
        lines.append(f"left side:  {shape_words(cex['lhs_shape'])}")
        lines.append(f"right side: {shape_words(cex['rhs_shape'])}")
    if r.reason:
        lines.append(f"reason: {r.reason}")
    if r.hint:
        lines.append(f"hint: {r.hint}")
    return "\n".join(lines)


def _message(r: ClaimVerdict) -> str:
    if r.verdict == "false":
        text = r.reason or "the sides differ"
        if r.hint:
            text += f" ({r.hint})"
    else:
        text = r.reason or "undecided"
    text = " ".join(text.split())
    return _clean(text if len(text) <= 500 else text[:497] + "...")


def build_tree(report: CheckReport, *, suite_name: str = "gradcli check") -> ET.ElementTree:
    """The report as an ElementTree (``write_junit`` writes it)."""
    results = report.results
    failures = sum(1 for r in results if r.verdict == "false")
    errors = sum(1 for r in results if r.verdict not in ("true", "false"))
    total_time = sum(r.seconds for r in results)
    counts = {"tests": str(len(results)), "failures": str(failures), "errors": str(errors), "skipped": "0",
              "time": f"{total_time:.3f}"}
    root = ET.Element("testsuites", {"name": suite_name, **counts})
    suite = ET.SubElement(root, "testsuite", {
        "name": suite_name, **counts,
        "timestamp": datetime.datetime.now().replace(microsecond=0).isoformat(),
        "hostname": _clean(socket.gethostname() or "localhost"),
    })
    for r in results:
        attrs = {"name": _case_name(r), "classname": _classname(r), "time": f"{r.seconds:.3f}"}
        if r.source and ":" in r.source:
            file, _, line = r.source.rpartition(":")
            if line.isdigit():
                attrs["file"] = _clean(file)
                attrs["line"] = line
        case = ET.SubElement(suite, "testcase", attrs)
        if r.verdict == "false":
            failure = ET.SubElement(case, "failure", {"type": "false", "message": _message(r)})
            failure.text = _clean(_counterexample_text(r))
        elif r.verdict == "error":
            error = ET.SubElement(case, "error", {"type": "unreadable", "message": _message(r)})
            error.text = _clean(f"claim: {r.claim}\nverdict: error (the claim could not be read)\nreason: {r.reason}")
        elif r.verdict != "true":
            error = ET.SubElement(case, "error", {"type": "unknown", "message": _message(r)})
            error.text = _clean(f"claim: {r.claim}\nverdict: unknown\nreason: {r.reason}"
                                + (f"\nmethod: {r.method}" if r.method and r.method != "none" else ""))
        out = ET.SubElement(case, "system-out")
        out.text = _clean(f"verdict: {r.verdict}\nmethod: {r.method}")
    ET.indent(root) if hasattr(ET, "indent") else None
    return ET.ElementTree(root)


def write_junit(report: CheckReport, path: str) -> None:
    """Write the report to ``path`` (UTF-8, with an XML declaration)."""
    tree = build_tree(report)
    try:
        tree.write(path, encoding="utf-8", xml_declaration=True)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
