"""JSON: one object per result (scripts).  Keys per SPEC: command, input,
wrt, result, latex, shape (when not scalar), value (with --at), steps (with
--steps), gradcli (the version)."""

from __future__ import annotations

import json
from typing import Any

from .base import Renderer
from .printers import json_value, latex, plain, shape, step_var, version


def _base(r: Any, wrt: list[str], result: Any, *, vector_as_list: bool = True, **extra: Any) -> dict:
    obj: dict[str, Any] = {
        "command": r.command,
        "input": r.input,
        "wrt": wrt,
        "result": json_value(result, vector_as_list=vector_as_list),
        "latex": latex(result),
    }
    s = shape(result)
    if s is not None:
        obj["shape"] = s
    if getattr(r, "point", None) is not None:
        obj["at"] = {plain(k): plain(v) for k, v in r.point.values}
        obj["value"] = json_value(r.value, vector_as_list=vector_as_list)
    obj.update(extra)
    obj["gradcli"] = version()
    return obj


def _verdict(v: Any) -> dict:
    obj: dict[str, Any] = {
        "claim": v.claim,
        "verdict": v.verdict,
        "method": v.method,
        "counterexample": v.counterexample,
    }
    if v.name:
        obj["name"] = v.name
    if v.reason:
        obj["reason"] = v.reason
    if v.hint:
        obj["hint"] = v.hint
    if v.source:
        obj["source"] = v.source
    return obj


def _float(v: Any) -> Any:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


class JsonRenderer(Renderer):
    """One JSON object per result: the methods give dicts, ``render`` the JSON text."""

    def render(self, result: Any) -> str:
        return json.dumps(super().render(result), ensure_ascii=False)

    def _render_MatrixResult(self, r: Any, vector: bool = False, **extra: Any) -> dict:
        return _base(r, [plain(v) for v in r.wrt], r.result, vector_as_list=vector, layout=r.layout, **extra)

    def _render_GradientResult(self, r: Any) -> dict:
        return self._render_MatrixResult(r, vector=True)

    def _render_JacobianResult(self, r: Any) -> dict:
        fs = r.function if isinstance(r.function, tuple) else (r.function,)
        extra: dict[str, Any] = {"functions": [plain(f) for f in fs]}
        if r.determinant is not None:
            extra["determinant"] = plain(r.determinant)
            if r.point is not None:
                extra["determinant_value"] = plain(r.determinant_value)
        return self._render_MatrixResult(r, **extra)

    def _render_DerivativeResult(self, r: Any) -> dict:
        extra: dict[str, Any] = {"order": len(r.variables)}
        if r.steps is not None and r.steps.note:
            extra["steps_note"] = r.steps.note
        if r.steps is not None:
            extra["steps"] = [
                {
                    "rule": step.rule,
                    "expression": plain(step.expression),
                    "result": plain(step.result),
                    "wrt": plain(step_var(r.steps, step)),
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
                "limit": plain(d.formula if d.formula is not None else d.limit),
                "method": d.method,
                **({"point": plain(d.point),
                    "value_at_point": plain(d.value_at_point) if d.value_at_point is not None else None,
                    "differentiable": d.value_at_point is not None,
                    "limit_right": plain(d.limit_right) if d.limit_right is not None else None,
                    "limit_left": plain(d.limit_left) if d.limit_left is not None else None}
                   if d.point is not None else {}),
                "secants": [
                    {"h": plain(row.h), "slope": plain(row.slope_right),
                     **({"slope_left": plain(row.slope_left)} if row.slope_left is not None else {})}
                    for row in d.secants
                ],
                "note": d.note,
            }
        return _base(r, [plain(v) for v in r.variables], r.result, **extra)

    def _render_ChainRuleResult(self, r: Any) -> dict:
        c = r.chain
        extra = {
            "substitutions": {plain(k): plain(v) for k, v in c.substitutions},
            "variables": [plain(v) for v in c.variables],
            "df_dx": json_value(c.df_dx, vector_as_list=False),
            "dx_dt": json_value(c.dx_dt, vector_as_list=False),
            "product": json_value(c.product, vector_as_list=False),
        }
        return _base(r, [plain(p) for p in c.parameters], c.result, **extra)

    def _render_TaylorReport(self, r: Any) -> dict:
        t = r.taylor
        extra = {
            "order": t.order,
            "center": {plain(v): plain(c) for v, c in zip(t.variables, t.center)},
            "expanded": t.expanded,
            "method": t.method,
            "coefficients": [
                {"powers": list(term.powers), **({"k": term.powers[0]} if len(term.powers) == 1 else {}),
                 "derivative": plain(term.derivative), "coefficient": plain(term.coefficient)}
                for term in t.terms
            ],
        }
        if r.plot:
            extra["plot"] = r.plot
        obj = _base(r, [plain(v) for v in t.variables], t.polynomial, **extra)
        return obj

    def _render_CheckReport(self, r: Any) -> dict:
        return {
            "command": "check",
            "results": [_verdict(v) for v in r.results],
            "true": r.count("true"),
            "false": r.count("false"),
            "unknown": r.count("unknown"),
            "error": r.count("error"),
            "gradcli": version(),
        }

    def _render_CatalogueListing(self, r: Any) -> dict:
        return {
            "command": "check",
            "builtin": [
                {"number": e.number, "name": e.name, "claim": e.claim,
                 **{k: v for k, v in getattr(e, "declarations", {}).items() if v}}
                for e in r.entries
            ],
            "gradcli": version(),
        }

    def _render_AutodiffResult(self, r: Any) -> dict:
        t = r.trace
        variables = []
        for v in t.variables:
            variables.append({
                "name": v.name,
                "kind": v.kind,
                "definition": plain(v.definition) if v.definition is not None else None,
                "value": plain(v.value),
                "value_float": _float(v.value),
                "tangent": ({x: plain(d) for x, d in zip(t.inputs, v.tangents)} if v.tangents is not None else None),
                "adjoint": plain(v.adjoint) if v.adjoint is not None else None,
                "parents": list(v.parents),
                "partials": [{"parent": p.parent, "formula": plain(p.formula), "value": plain(p.value)}
                             for p in v.partials],
            })
        extra = {
            "mode": r.mode,
            "output": t.output,
            "function_value": plain(t.variable(t.output).value),
            "sweeps": {"forward": len(t.inputs) if t.forward else 0, "reverse": 1 if t.reverse else 0},
            "variables": variables,
        }
        return _base(r, list(t.inputs), r.value, **extra)

    def _render_CodegenResult(self, r: Any) -> dict:
        from .printers import gradcheck_json

        m = r.module
        extra: dict[str, Any] = {
            "layout": r.layout,
            "target": r.target,
            "arguments": [{"name": a.code, "input_name": a.name, "kind": a.kind,
                           "shape": [plain(d) for d in a.shape], "symmetric": a.symmetric, "variable": a.variable}
                          for a in m.arguments],
            "functions": list(m.functions),
        }
        if r.hessian is not None:
            extra["hessian"] = json_value(r.hessian, vector_as_list=False)
        extra["source"] = m.source
        if r.output:
            extra["file"] = r.output
        if r.test:
            extra["test"] = r.test
        if r.gradcheck is not None:
            extra["gradcheck"] = gradcheck_json(r.gradcheck)
        return _base(r, [plain(v) for v in r.wrt], r.result, **extra)
