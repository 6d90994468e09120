"""JSON: one object per result, for scripts.  An API: every object has ``"schema": 1``
(raised on any incompatible change) and only the keys that the shipped JSON Schema
(``gradcli/schema/gradcli.schema.json``) and the README's JSON section list.

One rule for every value: a string in SymPy's form for a scalar or a matrix expression; an
explicit array as lists (``array``): a flat list for a vector (shape [1, n] or [n, 1]), a list
of rows for a matrix, nested lists for arrays of higher rank; a numeric value at a point also
as a number (``value_float``).  Error records (``error_record``) are the objects that have no
``command``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import sympy as sp

from .base import Renderer
from .differentials import is_matrix_steps
from .printers import entry_strings, latex, plain, step_var, version
from .tensor import einsum, index_lhs, index_text

#: The number every object carries as ``schema``; raised on any incompatible change.
SCHEMA_VERSION = 1
#: Where the schema lives inside the package (``importlib.resources``).
SCHEMA_RESOURCE = "schema/gradcli.schema.json"


def schema() -> dict:
    """The JSON Schema of gradcli's json output, as shipped in the package."""
    from importlib.resources import files

    return json.loads(files("gradcli").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8"))


def error_record(message: str, status: int, **extra: Any) -> str:
    """An error as a json line: ``{"schema": 1, "error": ..., "exit": N}`` (and ``hint``,
    ``position``, ``line``, ``input`` where known); stderr keeps the human message."""
    obj: dict[str, Any] = {"schema": SCHEMA_VERSION, "error": message, "exit": int(status)}
    obj.update({k: v for k, v in extra.items() if v is not None and v != ""})
    return json.dumps(obj, ensure_ascii=False)


# -- values --------------------------------------------------------------------------------

def _is_array(obj: Any) -> bool:
    return isinstance(obj, (sp.MatrixBase, sp.NDimArray))


def array(obj: Any) -> Any:
    """A value: a string for a scalar or a matrix expression, lists for an explicit array
    (flat for a vector, rows for a matrix, nested for higher rank), None for None."""
    if obj is None:
        return None
    if isinstance(obj, sp.MatrixBase):
        rows = entry_strings(obj)
        if obj.rows == 1 or obj.cols == 1:
            return [t for row in rows for t in row]
        return rows
    if isinstance(obj, sp.NDimArray):
        if obj.rank() <= 2:
            return array(obj.tomatrix()) if obj.rank() == 2 else [plain(e) for e in obj]
        return [array(obj[i]) for i in range(obj.shape[0])]
    if isinstance(obj, (list, tuple)):
        return [array(o) for o in obj]
    return plain(obj)


def number(v: Any) -> float | None:
    """A value as a JSON number: None when it is not a finite real number."""
    try:
        if isinstance(v, sp.Basic) and not v.is_number:
            return None
        # a decimal of fewer digits than a float holds (--digits 5: 3.1416) as written, not
        # as its short binary value (3.1415939...)
        f = float(str(v)) if isinstance(v, sp.Float) and v._prec < 53 else float(v)
    except (TypeError, ValueError, OverflowError):
        return None
    return f if math.isfinite(f) else None


def floats(obj: Any) -> Any:
    """``value_float``: a value as numbers, in the structure ``array`` gives it."""
    if obj is None:
        return None
    if isinstance(obj, sp.MatrixBase):
        values = [number(e) for e in obj]
        if obj.rows == 1 or obj.cols == 1:
            return values
        return [values[i * obj.cols:(i + 1) * obj.cols] for i in range(obj.rows)]
    if isinstance(obj, sp.NDimArray):
        return floats(obj.tomatrix()) if obj.rank() == 2 else [floats(obj[i]) for i in range(obj.shape[0])]
    if isinstance(obj, (list, tuple)):
        return [floats(o) for o in obj]
    if getattr(obj, "is_Matrix", False):  # a matrix expression has no numbers
        return None
    return number(obj)


def shape(obj: Any) -> list | None:
    """The shape of an array or matrix expression (sizes as numbers or names); None for a scalar."""
    if not (_is_array(obj) or getattr(obj, "is_Matrix", False)):
        return None
    return [int(d) if isinstance(d, int) or getattr(d, "is_Integer", False) else str(d) for d in obj.shape]


def _rows_as_array(value: Any) -> Any:
    """A counterexample side (text, or entries row by row) by the rule of ``array``."""
    if isinstance(value, list) and value and isinstance(value[0], list):
        if len(value) == 1 or len(value[0]) == 1:
            return [t for row in value for t in row]
    return value


def _counterexample(ce: dict | None) -> dict | None:
    if ce is None:
        return None
    out = dict(ce)
    for side in ("lhs", "rhs"):
        if side in out:
            out[side] = _rows_as_array(out[side])
    return out


# -- the records -------------------------------------------------------------------------------

def _base(r: Any, wrt: list[str], result: Any, **extra: Any) -> dict:
    obj: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "command": r.command,
        "input": r.input,
        "wrt": wrt,
        "result": array(result),
        "latex": latex(result),
    }
    s = shape(result)
    if s is not None:
        obj["shape"] = s
    if getattr(r, "point", None) is not None:
        obj["at"] = {plain(k): plain(v) for k, v in r.point.values}
        obj["at"].update({name: array(v) for name, v in getattr(r.point, "arrays", ())})  # --at 'x=[1,2]'
        obj["value"] = array(r.value)
        obj["value_float"] = floats(r.value)
    obj.update(extra)
    obj["gradcli"] = version()
    return obj


def _strings(nested: Any) -> Any:
    if isinstance(nested, list):
        return [_strings(x) for x in nested]
    return plain(nested)


def _floats(nested: Any) -> Any:
    if isinstance(nested, list):
        return [_floats(x) for x in nested]
    return number(nested)


def _verdict(v: Any) -> dict:
    obj: dict[str, Any] = {
        "claim": v.claim,
        "verdict": str(v.verdict),
        "evidence": str(v.evidence),
        "method": v.method,
        "counterexample": _counterexample(v.counterexample),
    }
    for key in ("name", "reason", "hint", "source"):
        if getattr(v, key):
            obj[key] = getattr(v, key)
    return obj


def _steps(r: Any) -> list[dict]:
    return [
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


def _definition(d: Any) -> dict:
    obj: dict[str, Any] = {
        "quotient": plain(d.quotient),
        "simplified": plain(d.simplified),
        "limit": plain(d.formula if d.formula is not None else d.limit),
        "method": d.method,
    }
    if d.point is not None:
        obj.update({
            "point": plain(d.point),
            "value_at_point": plain(d.value_at_point) if d.value_at_point is not None else None,
            "differentiable": d.value_at_point is not None,
            "limit_right": plain(d.limit_right) if d.limit_right is not None else None,
            "limit_left": plain(d.limit_left) if d.limit_left is not None else None,
        })
    obj["secants"] = [
        {"h": plain(row.h), "slope": plain(row.slope_right),
         **({"slope_left": plain(row.slope_left)} if row.slope_left is not None else {})}
        for row in d.secants
    ]
    obj["note"] = d.note
    return obj


def _variable(t: Any, v: Any) -> dict:
    return {
        "name": v.name,
        "kind": v.kind,
        "definition": plain(v.definition) if v.definition is not None else None,
        "value": plain(v.value),
        "value_float": number(v.value),
        "tangent": ({x: plain(d) for x, d in zip(t.sweeps, v.tangents)} if v.tangents is not None else None),
        "adjoint": plain(v.adjoint) if v.adjoint is not None else None,
        "parents": list(v.parents),
        "partials": [{"parent": p.parent, "formula": plain(p.formula), "value": plain(p.value)}
                     for p in v.partials],
    }


def _matrix_steps(steps: Any) -> dict:
    """``steps: [{rule, expression, differential, wrt, depth, note}]`` and ``read_off``."""
    return {
        "steps": [
            {"rule": step.rule, "expression": plain(step.expression), "differential": plain(step.differential),
             "wrt": steps.var.name, "depth": depth, **({"note": step.note} if step.note else {})}
            for depth, step in steps.flat()
        ],
        "read_off": steps.read_off,
    }


class JsonRenderer(Renderer):
    """One JSON object per result: the methods give dicts, ``render`` the JSON text."""

    def render(self, result: Any) -> str:
        return json.dumps(super().render(result), ensure_ascii=False)

    def _render_MatrixResult(self, r: Any, **extra: Any) -> dict:
        if r.steps is not None:
            extra.update(_matrix_steps(r.steps))
        return _base(r, [plain(v) for v in r.wrt], r.result, layout=str(r.layout), **extra)

    def _render_JacobianResult(self, r: Any) -> dict:
        fs = r.function if isinstance(r.function, tuple) else (r.function,)
        extra: dict[str, Any] = {"functions": [plain(f) for f in fs]}
        if r.determinant is not None:
            extra["determinant"] = plain(r.determinant)
            if r.point is not None:
                extra["determinant_value"] = plain(r.determinant_value)
                extra["determinant_value_float"] = number(r.determinant_value)
        return self._render_MatrixResult(r, **extra)

    def _render_TensorResult(self, r: Any) -> dict:
        """result: the explicit array (output indices first, named in ``axes``) when the sizes
        are numbers, else the vec form; vec, index and einsum always."""
        form = r.index
        axes = [x for x in form.out + form.inp if x is not None]
        sizes = [s for s in tuple(r.function.shape) + tuple(r.wrt.shape) if s != 1]
        obj: dict[str, Any] = {
            "schema": SCHEMA_VERSION,
            "command": r.command,
            "input": r.input,
            "wrt": [plain(r.wrt)],
            "result": _strings(r.array.entries) if r.array is not None else plain(r.vec),
            "latex": latex(r.vec),
            "shape": [int(s) if s.is_Integer else plain(s) for s in sizes],
            "axes": axes,
            "rank": r.order,
            "layout": r.layout,
            "vec": plain(r.vec),
            "vec_shape": [plain(s) for s in r.vec.shape],
            "index": f"{index_lhs(r, 'plain')} = {index_text(form, 'plain')}",
            "einsum": einsum(r),
            "functions": [plain(r.function)],
        }
        if r.point is not None:  # the array and d vec(F)/d vec(X) at the point
            obj["at"] = {plain(k): plain(v) for k, v in r.point.values}
            obj["at"].update({name: array(v) for name, v in r.point.arrays})
            obj["value"] = _strings(r.value.entries)
            obj["value_float"] = _floats(r.value.entries)
            obj["vec_value"] = array(r.vec_value)
        obj["gradcli"] = version()
        return obj

    def _render_DerivativeResult(self, r: Any) -> dict:
        extra: dict[str, Any] = {"order": len(r.variables)}
        if r.steps is not None and is_matrix_steps(r.steps):
            extra.update(_matrix_steps(r.steps))
        elif r.steps is not None:
            if r.steps.note:
                extra["steps_note"] = r.steps.note
            extra["steps"] = _steps(r)
        if r.definition is not None:
            extra["definition"] = _definition(r.definition)
        return _base(r, [plain(v) for v in r.variables], r.result, **extra)

    def _render_ChainRuleResult(self, r: Any) -> dict:
        c = r.chain
        extra = {
            "substitutions": {plain(k): plain(v) for k, v in c.substitutions},
            "variables": [plain(v) for v in c.variables],
            "df_dx": array(c.df_dx),
            "dx_dt": array(c.dx_dt),
            "product": array(c.product),
        }
        return _base(r, [plain(p) for p in c.parameters], c.result, **extra)

    def _render_TaylorReport(self, r: Any) -> dict:
        t = r.taylor
        extra: dict[str, Any] = {
            "at": {plain(v): plain(c) for v, c in zip(t.variables, t.center)},
            "order": t.order,
            "expanded": t.expanded,
            "method": t.method,
            "coefficients": [
                {"powers": list(term.powers), **({"k": term.powers[0]} if len(term.powers) == 1 else {}),
                 "derivative": plain(term.derivative), "coefficient": plain(term.coefficient)}
                for term in t.terms
            ],
        }
        if r.plot:
            extra["plot"] = {"file": r.plot, "format": r.plot.rsplit(".", 1)[-1].lower(),
                             "range": list(r.plot_range) if r.plot_range else None}
        return _base(r, [plain(v) for v in t.variables], t.polynomial, **extra)

    def _render_CheckReport(self, r: Any) -> dict:
        return {
            "schema": SCHEMA_VERSION,
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
            "schema": SCHEMA_VERSION,
            "command": "check",
            "builtin": [
                {"number": e.number, "name": e.name, "claim": e.claim, **e.declarations(),
                 "layout": str(e.layout), "checks": e.checks}
                for e in r.entries
            ],
            "gradcli": version(),
        }

    def _render_AutodiffResult(self, r: Any) -> dict:
        t = r.trace
        out = t.variable(t.output).value
        extra = {
            "mode": r.mode,
            "output": t.output,
            "function_value": plain(out),
            "function_value_float": number(out),
            "sweeps": {"forward": len(t.sweeps) if t.forward else 0, "reverse": 1 if t.reverse else 0},
            "variables": [_variable(t, v) for v in t.variables],
        }
        return _base(r, list(t.inputs), r.value, **extra)

    def _render_CodegenResult(self, r: Any) -> dict:
        from .gradcheck import gradcheck_json

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
            extra["hessian"] = array(r.hessian)
        extra["source"] = m.source
        if r.output:
            extra["file"] = r.output
        if r.test:
            extra["test"] = r.test
        if r.gradcheck is not None:
            extra["gradcheck"] = gradcheck_json(r.gradcheck)
        return _base(r, [plain(v) for v in r.wrt], r.result, **extra)
