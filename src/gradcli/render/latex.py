"""LaTeX: a math fragment that compiles inside \\[ ... \\] with amsmath (documents).  The
left-hand side is included unless ``rhs_only``; f as the user wrote it (``render.source``),
the result by gradcli's LaTeX printer, a derivative of a function of one variable written
``\\frac{d}{d x}`` and of several ``\\frac{\\partial}{\\partial x}``.

Several lines are an ``aligned`` block whose columns line up at ``&``: the claims of
``check`` at their relation, the steps of ``--steps`` indented by depth with each rule as
maths on the line below, the limits of ``--definition`` at their ``=``.  Notes are math mode,
words in ``\\text{...}``.  What gradcli's LaTeX parser reads back is in the README (LaTeX
output).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .base import Renderer
from .differentials import is_matrix_steps, note_latex
from .display import difference_quotient, simplified_quotient, taylor_polynomial
from .numbers import decimal_text, needs_decimal, point_value
from .printers import latex, latex_operator, step_var
from .prose import LATEX, definition_at_point, latex_lines, latex_words, note, rule_name, sweeps_text
from .source import POW, LatexSource, latex_source
from .tensor import block_matrix, index_lhs, index_text, vec_lhs


def _at(point: Any) -> str:
    pairs = [f"{latex(k)} = {point_value(point, v, latex)}" for k, v in point.values]
    pairs += [f"{latex(sp.Symbol(name))} = {latex(sp.ImmutableMatrix(v))}" for name, v in point.arrays]
    return ", ".join(pairs)


def _value(v: Any, digits: int | None = None) -> str:
    """A value, with ``\\approx`` and its decimal where it is exact and not rational."""
    text = latex(v)
    if isinstance(v, sp.MatrixBase):
        if any(needs_decimal(e) for e in v):
            rows = [" & ".join(decimal_text(e, digits) if needs_decimal(e) else latex(e) for e in v.row(i))
                    for i in range(v.rows)]
            text += r" \approx \begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"
        return text
    if needs_decimal(v):
        text += rf" \approx {decimal_text(v, digits)}"
    return text


def _with_value(lhs: str, rhs: str, r: Any, rhs_only: bool) -> str:
    if r.point is not None:
        value = _value(r.value, r.point.digits)
        if rhs_only:
            return value
        return rf"{lhs} = {rhs} \quad\text{{at }} {_at(r.point)}\text{{: }} {value}"
    return rhs if rhs_only else f"{lhs} = {rhs}"


def _vars(vs: Any) -> str:
    return ", ".join(latex(v) for v in vs)


def applied(operator: str, tree: Any, function: Any) -> str:
    """``\\frac{d}{d x} x^{3}``, ``\\frac{d}{d x} \\left( x^{2} \\sin x \\right)``: an operator
    and f as written, in brackets unless f is a power or an atom."""
    if tree is not None and not isinstance(tree, tuple):
        text, level = LatexSource().show(tree)
    else:
        text = latex(function)
        level = POW if isinstance(function, (sp.Symbol, sp.Pow, sp.Function, sp.MatrixSymbol)) else 0
    return f"{operator} {text}" if level >= POW else rf"{operator} \left( {text} \right)"


def aligned(lines: list[str]) -> str:
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


_MARK = {"true": r"\text{(true)}", "numeric": r"\text{(}{\approx}\,\text{true: numeric evidence)}",
         "false": r"\text{(false)}", "unknown": r"\text{(unknown)}", "error": r"\text{(error: not read)}"}
_RELATION = {"true": "=", "numeric": "=", "false": r"\neq", "unknown": r"\overset{?}{=}"}


def _matrix_steps(steps: Any) -> str:
    """The steps as an aligned block: d(E) &= dE && (rule), then the derivative read off."""
    lines = []
    for depth, step in steps.flat():
        said = step.rule + (f" ({step.note})" if step.note else "")
        indent = r"\quad " * depth
        lines.append(rf"{indent}\mathrm{{d}}\left( {latex(step.expression)} \right) &= "
                     rf"{latex(step.differential)} && {note_latex(said)}")
    lhs = rf"\frac{{\partial f}}{{\partial {latex(steps.var)}}}"
    lines.append(rf"{lhs} &= {latex(steps.result)} && {note_latex(steps.read_off)}")
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
            lhs = applied(latex_operator([r.wrt[0]], r.function), r.tree, r.function)
        return _with_value(lhs, latex(r.result), r, self.rhs_only)

    def _render_GradientResult(self, r: Any) -> str:
        return self._render_MatrixResult(r, rf"\nabla_{{{_vars(r.wrt)}}} \left( {latex_source(r.tree, r.function)} "
                                            r"\right)")

    def _render_HessianResult(self, r: Any) -> str:
        f = latex_source(r.tree, r.function)
        if r.symbolic:
            wrt = latex(r.wrt[0])
            operator = rf"\frac{{\partial^{{2}}}}{{\partial {wrt} \partial {wrt}^{{\top}}}}"
            return _with_value(rf"{operator} \left( {f} \right)", latex(r.result), r, self.rhs_only)
        return self._render_MatrixResult(r, rf"\nabla^{{2}}_{{{_vars(r.wrt)}}} \left( {f} \right)")

    def _render_JacobianResult(self, r: Any) -> str:
        fs = r.function if isinstance(r.function, tuple) else (r.function,)
        trees = r.tree if isinstance(r.tree, tuple) and len(r.tree) == len(fs) else (None,) * len(fs)
        functions = ", ".join(latex_source(t, f) for t, f in zip(trees, fs)) if len(fs) > 1 else \
            latex_source(r.tree if not isinstance(r.tree, tuple) else r.tree[0], fs[0])
        lhs = rf"\frac{{\partial \left( {functions} \right)}}{{\partial \left( {_vars(r.wrt)} \right)}}"
        text = self._render_MatrixResult(r, lhs)
        if r.determinant is not None and not self.rhs_only:
            det = _value(r.determinant_value, r.point.digits) if r.point is not None else latex(r.determinant)
            text += rf", \qquad \det J = {det}"
        return text

    def _render_TensorResult(self, r: Any) -> str:
        """The vec form (= its block matrix when the sizes are numbers) and the index form;
        with --at the block matrix of the values at the point."""
        if r.point is not None:
            values = block_matrix(r, r.vec_value)
            if self.rhs_only:
                return values
            first = rf"{vec_lhs(r, 'latex')} &= {latex(r.vec)} \quad\text{{at }} {_at(r.point)}\text{{: }} {values}"
            second = f"{index_lhs(r, 'latex')} &= {index_text(r.index, 'latex')}"
            return r"\begin{aligned} " + first + r" \\ " + second + r" \end{aligned}"
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
        if r.steps is not None and is_matrix_steps(r.steps):
            return _matrix_steps(r.steps)
        if r.steps is not None:
            return self._steps(r)
        if r.definition is not None:
            return self._definition(r)
        lhs = applied(latex_operator(r.variables, r.function), r.tree, r.function)
        return _with_value(lhs, latex(r.result), r, self.rhs_only)

    def _steps(self, r: Any) -> str:
        """A step a line, indented by depth (``\\quad``), its rule named and stated as maths on
        the lines below (broken to fit the page)."""
        lines = ["&" + line for line in latex_lines(r.steps.prose)] if r.steps.prose else []
        for depth, step in r.steps.flat():
            operator = latex_operator([step_var(r.steps, step)], step.expression)
            indent = r"\quad " * depth
            equation = f"{applied(operator, None, step.expression)} = {latex(step.result)}"
            lines.append(rf"&{indent}{equation}")
            said = () if note(step.prose, LATEX) == equation else step.prose
            for line in latex_lines((f"{rule_name(step.rule)}: ", *said) if said else (rule_name(step.rule),)):
                lines.append(rf"&{indent}\qquad {line}")
        return aligned(lines)

    def _definition(self, r: Any) -> str:
        """The limit of the difference quotient (5.3, 5.4), the value at the point, the notes,
        and the secant slopes as a table."""
        d = r.definition
        hh = latex(d.h)
        limit = d.formula if d.formula is not None else d.limit
        lhs = applied(latex_operator([d.var], d.function), r.tree, d.function)
        quotient, simplified = difference_quotient(d), simplified_quotient(d)
        lines = [rf"{lhs} &= \lim_{{{hh} \to 0}} {latex(quotient)}"]
        if simplified != quotient:
            lines.append(rf"&= \lim_{{{hh} \to 0}} \left( {latex(simplified)} \right)")
        lines.append(rf"&= {latex(limit)}")
        if d.value_at_point is not None:
            lines.append(rf"{lhs} \Big|_{{{latex(d.var)} = {latex(d.point)}}} &= {_value(d.value_at_point)}")
        elif definition_at_point(d) is not None:
            lines.extend("&" + line for line in latex_lines(definition_at_point(d)))
        for n in d.notes:
            lines.extend("&" + line for line in latex_lines(n))
        block = aligned(lines)
        if not d.secants:
            return block
        rows = [rf"{hh} & \frac{{f(x_0 + {hh}) - f(x_0)}}{{{hh}}} & \frac{{f(x_0 - {hh}) - f(x_0)}}{{-{hh}}} \\ \hline"]
        rows += [" & ".join(decimal_text(v) for v in (row.h, row.slope_right, row.slope_left)) + r" \\"
                 for row in d.secants]
        table = "\\begin{array}{rrr}\n" + "\n".join(rows) + "\n\\end{array}"
        return "\\begin{gathered}\n" + block + r" \\[1ex]" + "\n" + table + "\n\\end{gathered}"

    def _render_ChainRuleResult(self, r: Any) -> str:
        c = r.chain
        params = _vars(c.parameters)
        result = _value(r.value, r.point.digits) if r.point is not None else latex(c.result)
        if self.rhs_only:
            return result
        one = len(c.parameters) == 1
        d = "d" if one else r"\partial"
        by = params if one else rf"\left( {params} \right)"
        xs = _vars(c.variables)
        lines = [
            rf"\frac{{{d} f}}{{{d} {by}}} &= \frac{{\partial f}}{{\partial \left( {xs} \right)}} "
            rf"\frac{{{d} \left( {xs} \right)}}{{{d} {by}}}",
            rf"&= {latex(c.df_dx)} {latex(c.dx_dt)}",
            rf"&= {latex(c.product)}",
            rf"&= {latex(c.result)}",
        ]
        if r.point is not None:
            lines.append(rf"&= {result} \quad \text{{at }} {_at(r.point)}")
        return aligned(lines)

    def _render_TaylorReport(self, r: Any) -> str:
        t = r.taylor
        poly = latex(taylor_polynomial(t))
        if self.rhs_only:
            return poly
        line = rf"T_{{{t.order}}}\left( {_vars(t.variables)} \right) = {poly}"
        if not r.table:
            return line
        single = len(t.variables) == 1
        head = (r"k & f^{(k)}(x_0) & \frac{f^{(k)}(x_0)}{k!}" if single
                else r"\alpha & \partial^{\alpha} f(x_0) & \frac{\partial^{\alpha} f(x_0)}{\alpha!}")
        rows = [head + r" \\ \hline"]
        for term in t.terms:
            k = str(term.powers[0]) if single else "(" + ", ".join(map(str, term.powers)) + ")"
            rows.append(f"{k} & {latex(term.derivative)} & {latex(term.coefficient)}" + r" \\")
        table = "\\begin{array}{rrr}\n" + "\n".join(rows) + "\n\\end{array}"
        return "\\begin{gathered}\n" + table + r" \\[1ex]" + "\n" + line + "\n\\end{gathered}"

    def _render_CheckReport(self, r: Any) -> str:
        """A claim a line, aligned at the relation, its verdict at the right."""
        lines = []
        for v in r.results:
            key = "numeric" if v.verdict == "true" and getattr(v, "evidence", "") == "numeric" else v.verdict
            sides = _sides(v)
            if sides is None:
                lines.append(rf"&{latex_words(v.claim)} && {_MARK[key]}")
            else:
                lines.append(rf"{sides[0]} &{_RELATION[key]} {sides[1]} && {_MARK[key]}")
        if len(lines) == 1:
            return lines[0].replace(" && ", r" \quad ").replace(" &", " ", 1).lstrip("&")
        return aligned(lines)

    def _render_CatalogueListing(self, r: Any) -> str:
        rows = [rf"&{latex_words(f'({e.number}) {e.name}')} && {latex_words(e.claim)}" for e in r.entries]
        return aligned(rows)

    def _render_AutodiffResult(self, r: Any) -> str:
        """An aligned block in the book's order: the trace (5.140), the local partials (5.141), each
        forward sweep, the reverse sweep (5.142-5.145) with values, and the gradient."""
        from .latex_trace import autodiff_lines

        return aligned(autodiff_lines(r, _at, lambda v: _value(v, r.digits), sweeps_text))


    def _render_CodegenResult(self, r: Any) -> str:
        """The maths the code computes (an aligned block); the code itself is plain output."""
        args = ", ".join(latex(a.symbol) for a in r.module.arguments)
        rows = [rf"f\left({args}\right) &= {latex(r.function)}",
                rf"\nabla_{{{_vars(r.wrt)}}} f &= {latex(r.result)}"]
        if r.hessian is not None:
            rows.append(rf"\nabla^{{2}}_{{{_vars(r.wrt)}}} f &= {latex(r.hessian)}")
        if r.gradcheck is not None:
            from .gradcheck import gradcheck_text

            rows.append("&" + latex_words(gradcheck_text(r.gradcheck)))
        return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"


def _sides(v: Any) -> tuple[str, str] | None:
    """The claim's sides as written (its syntax tree), else as built; None if unreadable."""
    tree = getattr(v, "tree", None)
    if tree is not None and hasattr(tree, "lhs"):
        try:
            source = LatexSource()
            return source.text(tree.lhs), source.text(tree.rhs)
        except Exception:  # noqa: BLE001 - display only: fall back to the sides as built
            pass
    lhs = v.lhs_display if v.lhs_display is not None else v.lhs
    rhs = v.rhs_display if v.rhs_display is not None else v.rhs
    if lhs is None or rhs is None:
        return None
    return latex(lhs), latex(rhs)
