"""JSON: one object per result (scripts).  Keys per SPEC: command, input,
wrt, result, latex, shape (when not scalar), value (with --at), steps (with
--steps), gradcli (the version)."""

from __future__ import annotations

import json
from typing import Any

from .common import json_value, latex, plain, shape, version


def render(result: Any, **options: Any) -> str:
    obj = to_dict(result, **options)
    return json.dumps(obj, ensure_ascii=False)


def to_dict(result: Any, **options: Any) -> dict:
    return _HANDLERS[type(result).__name__](result, **options)


def _base(r: Any, wrt: list[str], result: Any, **extra: Any) -> dict:
    obj: dict[str, Any] = {
        "command": r.command,
        "input": r.input,
        "wrt": wrt,
        "result": json_value(result),
        "latex": latex(result),
    }
    s = shape(result)
    if s is not None:
        obj["shape"] = s
    if getattr(r, "point", None) is not None:
        obj["at"] = {plain(k): plain(v) for k, v in r.point.values}
        obj["value"] = json_value(r.value)
    obj.update(extra)
    obj["gradcli"] = version()
    return obj


def _derivative(r: Any, **_: Any) -> dict:
    extra: dict[str, Any] = {"order": len(r.variables)}
    if r.steps is not None:
        extra["steps"] = [
            {
                "rule": step.rule,
                "expression": plain(step.expression),
                "result": plain(step.result),
                "depth": depth,
                **({"note": step.note} if step.note else {}),
            }
            for depth, step in r.steps.flat()
        ]
    if r.definition is not None:
        d = r.definition
        extra["definition"] = {
            "quotient": plain(d.quotient),
            "simplified": plain(d.simplified),
            "limit": plain(d.limit) if d.limit is not None else None,
            "secants": [
                {"h": plain(row.h), "slope": plain(row.slope_right),
                 **({"slope_left": plain(row.slope_left)} if row.slope_left is not None else {})}
                for row in d.secants
            ],
            "note": d.note,
        }
    return _base(r, [plain(v) for v in r.variables], r.result, **extra)


_HANDLERS = {
    "DerivativeResult": _derivative,
}
