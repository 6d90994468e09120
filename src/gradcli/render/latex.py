"""LaTeX: a math fragment that compiles inside \\[ ... \\] with amsmath
(documents).  The left-hand side is included unless ``rhs_only``."""

from __future__ import annotations

from typing import Any

import sympy as sp

from .base import Renderer
from .printers import is_matrix_steps, latex, latex_applied, latex_operator, step_var
from .tensor import block_matrix, index_lhs, index_text, vec_lhs


def _at(point: Any) -> str:
    pairs = [*point.values, *((sp.Symbol(name), sp.ImmutableMatrix(v)) for name, v in point.arrays)]
    return ", ".join(f"{latex(k)} = {latex(v)}" for k, v in pairs)


def _with_value(lhs: str, rhs: str, r: Any, rhs_only: bool) -> str:
    if r.point is not None:
        value = latex(r.value)
        if rhs_only:
            return value
        return rf"{lhs} = {rhs} \quad\text{{at }} {_at(r.point)}\text{{: }} {value}"
    return rhs if rhs_only else f"{lhs} = {rhs}"


def _text(s: str) -> str:
    out = s
    for a, b in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("&", r"\&"), ("%", r"\%"), ("#", r"\#"),
                 ("$", r"\$"), ("{", r"\{"), ("}", r"\}"), ("^", r"\^{}"), ("~", r"\~{}")):
        out = out.replace(a, b) if a != "\\" else out.replace(a, "\x00")
    return out.replace("\x00", r"\textbackslash{}")


def _vars(vs: Any) -> str:
    return ", ".join(latex(v) for v in vs)


_MARK = {"true": r"\text{(true)}", "false": r"\text{(false)}", "unknown": r"\text{(unknown)}",
         "error": r"\text{(error: not read)}"}


def _matrix_steps(steps: Any) -> str:
    """The steps as an aligned block: d(E) &= dE && (rule), then the derivative read off."""
    lines = []
    for depth, step in steps.flat():
        note = f" ({_text(step.note)})" if step.note else ""
        indent = r"\quad " * depth
        lines.append(rf"{indent}\mathrm{{d}}\left( {latex(step.expression)} \right) &= "
                     rf"{latex(step.differential)} && \text{{{_text(step.rule)}{note}}}")
    lhs = rf"\frac{{\partial f}}{{\partial {latex(steps.var)}}}"
    lines.append(rf"{lhs} &= {latex(steps.result)} && \text{{{_text(steps.read_off)}}}")
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


class LatexRenderer(Renderer):
    """A fragment for ``\\[ ... \\]`` with amsmath, the left-hand side included unless
    ``rhs_only``."""

    def _render_MatrixResult(self, r: Any, lhs: str = "") -> str:
        """A derivative by a vector or matrix symbol (``symbolic``), else ``lhs``, with the
        value at the point; ``--steps``: the derivation by differentials, an aligned block."""
        if r.steps is not None:
            return _matrix_steps(r.steps)
        if r.symbolic:
            lhs = rf"\frac{{\partial}}{{\partial {latex(r.wrt[0])}}} \left( {latex(r.function)} \right)"
        return _with_value(lhs, latex(r.result), r, self.rhs_only)

    def _render_GradientResult(self, r: Any) -> str:
        return self._render_MatrixResult(r, rf"\nabla_{{{_vars(r.wrt)}}} \left( {latex(r.function)} \right)")

    def _render_HessianResult(self, r: Any) -> str:
        if r.symbolic:
            wrt = latex(r.wrt[0])
            operator = rf"\frac{{\partial^{{2}}}}{{\partial {wrt} \partial {wrt}^{{\top}}}}"
            lhs = rf"{operator} \left( {latex(r.function)} \right)"
            return _with_value(lhs, latex(r.result), r, self.rhs_only)
        return self._render_MatrixResult(r, rf"\nabla^{{2}}_{{{_vars(r.wrt)}}} \left( {latex(r.function)} \right)")

    def _render_JacobianResult(self, r: Any) -> str:
        fs = r.function if isinstance(r.function, tuple) else (r.function,)
        lhs = (rf"\frac{{\partial \left( {', '.join(latex(f) for f in fs)} \right)}}"
               rf"{{\partial \left( {_vars(r.wrt)} \right)}}")
        text = self._render_MatrixResult(r, lhs)
        if r.determinant is not None and not self.rhs_only:
            det = latex(r.determinant_value if r.point is not None else r.determinant)
            text += rf", \qquad \det = {det}"
        return text

    def _render_TensorResult(self, r: Any) -> str:
        """The vec form (= its block matrix when the sizes are numbers) and the index form."""
        vec = latex(r.vec)
        if r.vec_matrix is not None:
            vec = block_matrix(r)
        elif self.rhs_only:
            return vec
        if self.rhs_only:
            return vec
        first = f"{vec_lhs(r, 'latex')} &= {latex(r.vec)}"
        if r.vec_matrix is not None:
            first += f" = {vec}"
        second = f"{index_lhs(r, 'latex')} &= {index_text(r.index, 'latex')}"
        return r"\begin{aligned} " + first + r" \\ " + second + r" \end{aligned}"

    def _render_DerivativeResult(self, r: Any) -> str:
        rhs_only = self.rhs_only
        operator = latex_operator(r.variables)
        if r.steps is not None and is_matrix_steps(r.steps):
            return _matrix_steps(r.steps)
        if r.steps is not None:
            lines = []
            for depth, step in r.steps.flat():
                op = latex_operator([step_var(r.steps, step)])
                indent = r"\quad " * depth
                note = f" ({_text(step.note)})" if step.note else ""
                lines.append(
                    rf"{indent}{latex_applied(op, step.expression)} &= {latex(step.result)} "
                    rf"&& \text{{{_text(step.rule)}{note}}}"
                )
            return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"
        if r.definition is not None:
            d = r.definition
            hh = latex(d.h)
            limit = d.formula if d.formula is not None else d.limit
            lines = [
                rf"{latex_applied(latex_operator([d.var]), d.function)} &= \lim_{{{hh} \to 0}} {latex(d.quotient)}",
                rf"&= \lim_{{{hh} \to 0}} \left( {latex(d.simplified)} \right)",
                rf"&= {latex(limit)}",
            ]
            if d.point is not None:
                at = rf"\Big|_{{{latex(d.var)} = {latex(d.point)}}}"
                if d.value_at_point is not None:
                    applied = latex_applied(latex_operator([d.var]), d.function)
                    lines.append(rf"{applied} {at} &= {latex(d.value_at_point)}")
                elif d.one_sided_differ:
                    lines.append(
                        rf"\lim_{{{hh} \to 0^{{+}}}} &= {latex(d.limit_right)} \neq {latex(d.limit_left)} = "
                        rf"\lim_{{{hh} \to 0^{{-}}}} \quad \text{{at }} {latex(d.var)} = {latex(d.point)}"
                        rf"\text{{: no derivative there}}"
                    )
                else:
                    lines.append(rf"&\quad \text{{no derivative at }} {latex(d.var)} = {latex(d.point)}")
            return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"
        return _with_value(latex_applied(operator, r.function), latex(r.result), r, rhs_only)

    def _render_ChainRuleResult(self, r: Any) -> str:
        rhs_only = self.rhs_only
        c = r.chain
        params = _vars(c.parameters)
        result = latex(r.value if r.point is not None else c.result)
        if rhs_only:
            return result
        one = len(c.parameters) == 1
        d = "d" if one else r"\partial"
        lhs = rf"\frac{{{d} f}}{{{d} {params if one else '(' + params + ')'}}}"
        lines = [
            rf"{lhs} &= \frac{{\partial f}}{{\partial \left( {_vars(c.variables)} \right)}} "
            rf"\frac{{{d} \left( {_vars(c.variables)} \right)}}{{{d} {params if one else '(' + params + ')'}}}",
            rf"&= {latex(c.df_dx)} {latex(c.dx_dt)}",
            rf"&= {latex(c.product)}",
            rf"&= {latex(c.result)}",
        ]
        if r.point is not None:
            lines.append(rf"&= {latex(r.value)} \quad \text{{at }} {_at(r.point)}")
        return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"

    def _render_TaylorReport(self, r: Any) -> str:
        rhs_only = self.rhs_only
        t = r.taylor
        poly = latex(t.polynomial)
        if rhs_only:
            return poly
        return rf"T_{{{t.order}}}\left( {_vars(t.variables)} \right) = {poly}"

    def _render_CheckReport(self, r: Any) -> str:
        lines = []
        for v in r.results:
            lhs = v.lhs_display if v.lhs_display is not None else v.lhs
            rhs = v.rhs_display if v.rhs_display is not None else v.rhs
            if lhs is not None and rhs is not None:
                rel = "=" if v.verdict == "true" else (r"\neq" if v.verdict == "false" else r"\overset{?}{=}")
                claim = f"{latex(lhs)} {rel} {latex(rhs)}"
            else:
                claim = rf"\text{{{_text(v.claim)}}}"
            lines.append(rf"{claim} && {_MARK[v.verdict]}")
        if len(lines) == 1:
            return lines[0].replace(" && ", r" \quad ")
        return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"

    def _render_CatalogueListing(self, r: Any) -> str:
        rows = [rf"\text{{({e.number}) {_text(e.name)}}} && \text{{{_text(e.claim)}}}" for e in r.entries]
        return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"

    def _render_AutodiffResult(self, r: Any) -> str:
        """An aligned block in the book's order: the trace (5.140), the local partials (5.141), each
        forward sweep, the reverse sweep (5.142-5.145) with values, and the gradient."""
        from .printers import decimal_text, needs_decimal, sweeps_text

        t = r.trace
        name = {v.name: latex(v.symbol) for v in t.variables}
        name.update({x: x for x in t.sweeps if x not in name})  # entries of array inputs: x[1]
        out = name[t.output]

        def value(v: Any) -> str:
            text = latex(v)
            if isinstance(v, sp.MatrixBase) and any(needs_decimal(a) for a in v):
                rows = [" & ".join(decimal_text(v[i, j], r.digits or 15) for j in range(v.cols))
                        for i in range(v.rows)]
                return text + r" \approx \begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"
            return text + rf" \approx {decimal_text(v, r.digits or 15)}" if needs_decimal(v) else text

        def d(top: str, bottom: str, partial: bool = True) -> str:
            op = r"\partial" if partial else r"\mathrm{d}"
            return rf"\frac{{{op} {top}}}{{{op} {bottom}}}"

        lines = [rf"&\text{{evaluation trace at }} {_at(r.point)}\text{{:}}"]
        for v in t.variables:
            if v.definition is None:
                note = r" \quad \text{(held constant)}" if v.kind == "parameter" else ""
                lines.append(rf"{name[v.name]} &= {value(v.value)}{note}")
            else:
                lines.append(rf"{name[v.name]} &= {latex(v.definition)} = {value(v.value)}")
        lines.append(r"&\text{local partial derivatives:}")
        for v in t.variables:
            for p in v.partials:
                rhs = latex(p.formula) if p.formula.is_number else f"{latex(p.formula)} = {latex(p.value)}"
                lines.append(rf"{d(name[v.name], name[p.parent])} &= {rhs}")
        if t.forward:
            for j, x in enumerate(t.sweeps):
                lines.append(rf"&\text{{forward mode, sweep {j + 1} of {len(t.sweeps)}, seed }} "
                             rf"{d(name[x], name[x], False)} = 1\text{{:}}")
                for v in t.variables:
                    if v.definition is None:
                        continue
                    rule = " + ".join(rf"{d(name[v.name], name[p])} {d(name[p], name[x], False)}" for p in v.parents)
                    lhs = d(name[v.name], name[x], False)
                    lines.append(rf"{lhs} &= {rule + ' = ' if rule else ''}{value(v.tangents[j])}")
        if t.reverse:
            lines.append(rf"&\text{{reverse mode, 1 sweep for all inputs, seed }} {d(out, out)} = 1\text{{:}}")
            for v in reversed(t.variables):
                if v.name == t.output:
                    continue
                rule = " + ".join(rf"{d(out, name[c])} {d(name[c], name[v.name])}" for c in v.children)
                lines.append(rf"{d(out, name[v.name])} &= {rule + ' = ' if rule else ''}{value(v.adjoint)}")
        if isinstance(r.value, tuple):  # vector and matrix inputs: a gradient each, of its shape
            lines.extend(rf"\nabla_{{{name[x]}}} {out} &= {latex(g)}" for x, g in zip(t.inputs, r.value))
            lines.append(rf"&\text{{({_text(sweeps_text(t))})}}")
        else:
            lines.append(rf"\nabla {out} &= {latex(r.value)} \quad \text{{({_text(sweeps_text(t))})}}")
        return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"

    def _render_CodegenResult(self, r: Any) -> str:
        """The maths the code computes (an aligned block); the code itself is plain output."""
        args = ", ".join(latex(a.symbol) for a in r.module.arguments)
        rows = [rf"f\left({args}\right) &= {latex(r.function)}",
                rf"\nabla_{{{_vars(r.wrt)}}} f &= {latex(r.result)}"]
        if r.hessian is not None:
            rows.append(rf"\nabla^{{2}}_{{{_vars(r.wrt)}}} f &= {latex(r.hessian)}")
        if r.gradcheck is not None:
            from .printers import gradcheck_text

            rows.append(rf"&\text{{{_text(gradcheck_text(r.gradcheck))}}}")
        return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"
